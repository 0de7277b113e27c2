# Reclaim (retry) rounds per call of one op, as a distribution, one line per
# run (data: index blocks, one per run, each led by a header row: "ID label",
# ID, pct; columns: bucket_index bucket_label percent_of_calls, "?" where no
# call fell in the bucket). Runs with few calls get strip.gp instead.
# Usage: gnuplot -e "in='rounds-op.dat'; out='rounds-op.png'; title='...'" rounds.gp
#    or: gnuplot -c rounds.gp rounds-op.dat rounds-op.svg 'title'
# (stallbench adds runs='0 1 ...' and the other variables it sets; see gnuplot.log
# in the output directory for the exact command of every figure.)
if (!exists("in") && ARGC >= 1) in = ARG1
if (!exists("out") && ARGC >= 2) out = ARG2
if (!exists("title") && ARGC >= 3) title = ARG3
if (!exists("in")) { print "rounds.gp: no input (in='file.dat' or ARG1)"; exit status 2 }
if (!exists("out")) out = in.".png"
if (!exists("title")) title = in
k = strlen(ARG0)
while (k > 0 && ARG0[k:k] ne "/") { k = k - 1 }
W = 1200; H = 650; TH = 22
load ARG0[1:k]."style.gp"

set title title noenhanced
set logscale y
set xlabel "reclaim rounds during the call"
set ylabel "% of calls (log scale)"
set xtics rotate by -45
plot for [i=0:*] in index i using 1:3:xtic(2) with linespoints lt L(i) title columnheader(1)
