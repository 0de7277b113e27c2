# Stall timeline: stall time per second of run (top) and PSI "some" with
# memcg usage (bottom) on the same time axis, one line per run (data: index
# blocks, one per run, each starting with a header row of series names;
# columns: t_s psi_some_avg10 psi_some_pct cg_psi_some_pct memcg_usage_mib
# memcg_max_mib run_stall_ms_per_s system_stall_ms_per_s oom_kills (in the
# tick, drawn as a mark on the stall panel); "?" = not known; the PSI line
# is the cgroup's where known, else the system's; header fields 10-13 are
# short names for the text plot).
# Usage: gnuplot -e "in='timeline.dat'; out='timeline.png'; title='...'" timeline.gp
#    or: gnuplot -c timeline.gp timeline.dat timeline.svg 'title'
# The output's extension picks the terminal: .png, .svg, or .txt (72x32 text).
if (!exists("in") && ARGC >= 1) in = ARG1
if (!exists("out") && ARGC >= 2) out = ARG2
if (!exists("title") && ARGC >= 3) title = ARG3
if (!exists("in")) { print "timeline.gp: no input (in='file.dat' or ARG1)"; exit status 2 }
if (!exists("out")) out = in.".png"
if (!exists("title")) title = in
ext = out[strlen(out)-2:]
if (ext eq "svg") { set terminal svg size 1200,600 dynamic noenhanced background rgb "white" } else { if (ext eq "txt") { set terminal dumb nofeed 72 32 } else { if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) { set terminal pngcairo size 1200,600 noenhanced } else { set terminal png size 1200,600 noenhanced } } }
set output out
set datafile missing "?"
# text plots name runs by their short id (A, B, ...) to fit 72 columns
short = (ext eq "txt")

set multiplot layout 2,1 title title noenhanced
set grid
set key top left noenhanced noopaque horizontal maxrows 2
set xlabel ""
set ylabel "stall ms per s"
set yrange [0:*]
set lmargin 10
set rmargin 10
plot for [i=0:*] in index i using 1:7 with lines linewidth 2 title columnheader(12), \
     for [i=0:*] in index i using 1:8 with lines dashtype 3 title columnheader(13), \
     for [i=0:*] in index i using 1:($9 > 0 ? ($7 == $7 ? $7 : 0) : 1/0) with points pointtype 2 pointsize 3 linewidth 3 title (i == 0 ? "OOM kill" : "")
set xlabel "time since run start (s)"
set ylabel "PSI some (% of time)"
if (!short) set y2label "memcg usage (MiB)"
set y2tics
set ytics nomirror
set y2range [0:*]
plot for [i=0:*] in index i using 1:($4 == $4 ? $4 : $3) with lines linewidth 2 title columnheader(10), \
     for [i=0:*] in index i using 1:5 axes x1y2 with lines dashtype 2 title columnheader(11)
unset multiplot
