# Strip plot: for runs with few calls (a NOFAIL call per repetition), every
# value as a point with the median of all the run's calls as a black bar,
# one column per run (data: index blocks, one per run, each led by comments
# and a header row: "ID label", ID; columns: position x_jittered value
# median ID). Variables: runs, T (array: the legends "ID label", used by
# the text plot), ylab (axis label), ylog=1 for a log axis.
# Usage: gnuplot -e "in='strip-op.dat'; out='strip-op.png'; title='...'" strip.gp
#    or: gnuplot -c strip.gp strip-op.dat strip-op.svg 'title'
# (stallbench adds runs='0 1 ...' and the other variables it sets; see gnuplot.log
# in the output directory for the exact command of every figure.)
if (!exists("in") && ARGC >= 1) in = ARG1
if (!exists("out") && ARGC >= 2) out = ARG2
if (!exists("title") && ARGC >= 3) title = ARG3
if (!exists("in")) { print "strip.gp: no input (in='file.dat' or ARG1)"; exit status 2 }
if (!exists("out")) out = in.".png"
if (!exists("title")) title = in
k = strlen(ARG0)
while (k > 0 && ARG0[k:k] ne "/") { k = k - 1 }
W = 900; H = 650; TH = 22
load ARG0[1:k]."style.gp"

set title title noenhanced
if (exists("ylog") && ylog) { set logscale y }
set ylabel (exists("ylab") ? ylab : "")
set xlabel "run"
set xrange [0.4:*]
set offsets 0, 0.6, graph 0.05, graph 0.05
set xtics scale 0
if (!txt) { set grid noxtics ytics }
# the median first: the points go on top; a text plot writes each point as
# its run's ID (a character cannot be told apart by colour)
plot for [i=0:*] in index i using 1:4:xtic(5) with dots lc rgb "black" notitle, \
     for [i=0:*] in index i using ($1 - 0.3):4:(0.6):(0) with vectors nohead lc rgb "black" lw 3 title (i == 0 ? "median of all calls" : ""), \
     for [i=0:*] in index i using 2:3 with points lt L(i) pt 7 ps 1.6 title (txt ? "" : columnheader(1)), \
     for [j=0:(txt ? nblk - 1 : -1)] in index j using 2:3:5 with labels tc lt L(j) notitle, \
     for [j=0:(txt ? nblk - 1 : -1)] keyentry with lines lt L(j) title (exists("T") ? T[j + 1] : "")
