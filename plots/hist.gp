# Latency histogram of one op in log2 buckets, one line per run (data: index
# blocks, one per run, each starting with a header row: run name, short id;
# columns: bucket_low_us percent_of_ops).
# Usage: gnuplot -e "in='hist-op.dat'; out='hist-op.png'; title='op latency'" hist.gp
#    or: gnuplot -c hist.gp hist-op.dat hist-op.svg 'op latency'
# The output's extension picks the terminal: .png, .svg, or .txt (72x24 text).
if (!exists("in") && ARGC >= 1) in = ARG1
if (!exists("out") && ARGC >= 2) out = ARG2
if (!exists("title") && ARGC >= 3) title = ARG3
if (!exists("in")) { print "hist.gp: no input (in='file.dat' or ARG1)"; exit status 2 }
if (!exists("out")) out = in.".png"
if (!exists("title")) title = in
ext = out[strlen(out)-2:]
if (ext eq "svg") { set terminal svg size 1200,600 dynamic noenhanced background rgb "white" } else { if (ext eq "txt") { set terminal dumb nofeed 72 24 } else { if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) { set terminal pngcairo size 1200,600 noenhanced } else { set terminal png size 1200,600 noenhanced } } }
set output out
set datafile missing "?"
# text plots name runs by their short id (A, B, ...) to fit 72 columns
short = (ext eq "txt")

set title title noenhanced
set logscale x 2
set format x "%g"
set xlabel "latency (us, log2 buckets)"
set ylabel "% of ops"
set yrange [0:*]
set grid
set key top right noenhanced
if (!short) set key outside right top vertical noenhanced noopaque
plot for [i=0:*] in index i using 1:2 with steps linewidth 2 title columnheader(short ? 2 : 1)
