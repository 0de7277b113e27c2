# Latency of one op by NUMA node (ops.csv "node"), p50 dashed and p99 solid,
# one pair of lines per run (data: index blocks, one per run, each starting
# with a header row; columns: node count p50_us p99_us mean_us, then two
# extra header fields with short p50/p99 names; node -1 = not bound).
# Usage: gnuplot -e "in='nodes-op.dat'; out='nodes-op.png'; title='...'" nodes.gp
#    or: gnuplot -c nodes.gp nodes-op.dat nodes-op.svg 'title'
# The output's extension picks the terminal: .png, .svg, or .txt (72x24 text).
if (!exists("in") && ARGC >= 1) in = ARG1
if (!exists("out") && ARGC >= 2) out = ARG2
if (!exists("title") && ARGC >= 3) title = ARG3
if (!exists("in")) { print "nodes.gp: no input (in='file.dat' or ARG1)"; exit status 2 }
if (!exists("out")) out = in.".png"
if (!exists("title")) title = in
ext = out[strlen(out)-2:]
if (ext eq "svg") { set terminal svg size 900,600 dynamic noenhanced background rgb "white" } else { if (ext eq "txt") { set terminal dumb nofeed 72 24 } else { if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) { set terminal pngcairo size 900,600 noenhanced } else { set terminal png size 900,600 noenhanced } } }
set output out
set datafile missing "?"
# text plots name runs by their short id (A, B, ...) to fit 72 columns
short = (ext eq "txt")

set title title noenhanced
set logscale y
set xlabel "NUMA node the worker ran on (-1: not bound)"
set ylabel "latency (us, log scale)"
set xtics 1
set offsets 0.5, 0.5, 0, 0
set grid
set key outside bottom center horizontal noenhanced
plot for [i=0:*] in index i using 1:4 with linespoints linewidth 2 pointtype 7 title columnheader(short ? 7 : 4), \
     for [i=0:*] in index i using 1:3 with linespoints dashtype 2 pointtype 6 title columnheader(short ? 6 : 3)
