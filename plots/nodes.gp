# Latency of one op by NUMA node (ops.csv "node"), p99 solid and p50 dashed,
# one pair of lines per run in the run's colour (data: index blocks, one per
# run, led by a header row; columns: node count p50_us p99_us mean_us; header
# fields 1 and 3: "ID label" and "ID label p50"; node -1 = not bound).
# Usage: gnuplot -e "in='nodes-op.dat'; out='nodes-op.png'; title='...'" nodes.gp
#    or: gnuplot -c nodes.gp nodes-op.dat nodes-op.svg 'title'
# (stallbench adds runs='0 1 ...' and the other variables it sets; see gnuplot.log
# in the output directory for the exact command of every figure.)
if (!exists("in") && ARGC >= 1) in = ARG1
if (!exists("out") && ARGC >= 2) out = ARG2
if (!exists("title") && ARGC >= 3) title = ARG3
if (!exists("in")) { print "nodes.gp: no input (in='file.dat' or ARG1)"; exit status 2 }
if (!exists("out")) out = in.".png"
if (!exists("title")) title = in
k = strlen(ARG0)
while (k > 0 && ARG0[k:k] ne "/") { k = k - 1 }
W = 900; H = 650; TH = 22
load ARG0[1:k]."style.gp"

set title title noenhanced
set logscale y
set xlabel "NUMA node the worker ran on (-1: not bound)"
set ylabel "latency (us, log scale)"
set xtics 1
set offsets 0.5, 0.5, 0, 0
plot for [i=0:*] in index i using 1:4 with linespoints lt L(i) title columnheader(1), \
     for [i=0:*] in index i using 1:3 with linespoints lt L(i) dt 2 pt 6 title columnheader(3)
