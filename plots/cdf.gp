# Latency CDF of one op, one line per run (data: index blocks, one per run,
# each led by comments with exact percentiles and a header row: "ID label",
# ID; columns: latency_us fraction_of_calls_at_or_below).
# Usage: gnuplot -e "in='cdf-op.dat'; out='cdf-op.png'; title='...'" cdf.gp
#    or: gnuplot -c cdf.gp cdf-op.dat cdf-op.svg 'title'
# (stallbench adds runs='0 1 ...' and the other variables it sets; see gnuplot.log
# in the output directory for the exact command of every figure.)
if (!exists("in") && ARGC >= 1) in = ARG1
if (!exists("out") && ARGC >= 2) out = ARG2
if (!exists("title") && ARGC >= 3) title = ARG3
if (!exists("in")) { print "cdf.gp: no input (in='file.dat' or ARG1)"; exit status 2 }
if (!exists("out")) out = in.".png"
if (!exists("title")) title = in
k = strlen(ARG0)
while (k > 0 && ARG0[k:k] ne "/") { k = k - 1 }
W = 1200; H = 650; TH = 22
load ARG0[1:k]."style.gp"

set title title noenhanced
set logscale x
set xlabel "latency (us, log scale)"
set ylabel "fraction of calls <= latency"
set yrange [0:1]
plot for [i=0:*] in index i using 1:2 with steps lt L(i) title columnheader(1)
