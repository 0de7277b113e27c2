# Reclaim (retry) rounds per call of one op, as a distribution, one line per
# run (data: index blocks, one per run, each starting with a header row:
# run name, short id, ...; columns: bucket_index bucket_label percent_of_calls,
# "?" where no call fell in the bucket).
# Usage: gnuplot -e "in='rounds-op.dat'; out='rounds-op.png'; title='...'" rounds.gp
#    or: gnuplot -c rounds.gp rounds-op.dat rounds-op.svg 'title'
# The output's extension picks the terminal: .png, .svg, or .txt (72x24 text).
if (!exists("in") && ARGC >= 1) in = ARG1
if (!exists("out") && ARGC >= 2) out = ARG2
if (!exists("title") && ARGC >= 3) title = ARG3
if (!exists("in")) { print "rounds.gp: no input (in='file.dat' or ARG1)"; exit status 2 }
if (!exists("out")) out = in.".png"
if (!exists("title")) title = in
ext = out[strlen(out)-2:]
if (ext eq "svg") { set terminal svg size 1200,600 dynamic noenhanced background rgb "white" } else { if (ext eq "txt") { set terminal dumb nofeed 72 24 } else { if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) { set terminal pngcairo size 1200,600 noenhanced } else { set terminal png size 1200,600 noenhanced } } }
set output out
set datafile missing "?"
# text plots name runs by their short id (A, B, ...) to fit 72 columns
short = (ext eq "txt")

set title title noenhanced
set logscale y
set xlabel "reclaim rounds during the call"
set ylabel "% of calls (log scale)"
set grid
set key top right noenhanced
if (!short) set key outside right top vertical noenhanced noopaque
set xtics rotate by -45
plot for [i=0:*] in index i using 1:3:xtic(2) with linespoints linewidth 2 title columnheader(short ? 2 : 1)
