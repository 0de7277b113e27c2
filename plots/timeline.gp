# Stall timeline as small multiples: one panel per run, stacked on a shared
# time axis (and a shared stall axis): stall time per second of the run's
# own tasks (solid, the run's colour) and of the rest of the system (dotted),
# OOM kills as black crosses, and on the right axis PSI "some" (% of time;
# the cgroup's where known, else the system's) and memcg usage in % of the
# cap (gray). Data: index blocks, one per run (its first repetition), each
# led by comments and a header row of column names; columns: t_s
# psi_some_avg10 psi_some_pct cg_psi_some_pct memcg_usage_mib memcg_max_mib
# run_stall_ms_per_s system_stall_ms_per_s oom_kills memcg_pct_of_cap; "?"
# = not known. PSI above 100% is a measurement error: it is written as "?"
# (not drawn) and counted in the block's comments.
# Variables stallbench sets: runs, T (array: panel titles "ID label"), tmax,
# ymax and y2max (the shared axes; y2max above 100 when memcg usage passed
# the cap).
# Usage: gnuplot -e "in='timeline.dat'; out='timeline.png'; title='...'" timeline.gp
#    or: gnuplot -c timeline.gp timeline.dat timeline.svg 'title'
if (!exists("in") && ARGC >= 1) in = ARG1
if (!exists("out") && ARGC >= 2) out = ARG2
if (!exists("title") && ARGC >= 3) title = ARG3
if (!exists("in")) { print "timeline.gp: no input (in='file.dat' or ARG1)"; exit status 2 }
if (!exists("out")) out = in.".png"
if (!exists("title")) title = in
k = strlen(ARG0)
while (k > 0 && ARG0[k:k] ne "/") { k = k - 1 }
if (exists("runs")) { nb = words(runs) } else { stats in using 1 nooutput; nb = STATS_blocks }
# per panel: 9 text rows (title + 8) or 240 px; title and key take the rest
W = 1200; H = 150 + 240 * nb; TH = 7 + 8 * nb - nb - 1
load ARG0[1:k]."style.gp"

# screen fractions: one text row, the title above, tics+label+key below
row = txt ? 1.0 / (TH + nb + 1) : 20.0 / H
top = 1.0 - 1.5 * row
bot = (txt ? 6.0 : 5.0) * row
ph = (top - bot) / nb
set multiplot title title noenhanced
set lmargin at screen (txt ? 0.12 : 0.07)
set rmargin at screen (txt ? 0.88 : 0.93)
if (exists("tmax")) { set xrange [0:tmax] }
if (exists("ymax")) { set yrange [0:ymax] } else { set yrange [0:*] }
# memcg usage can pass the cap: a NOFAIL charge may not fail (y2max > 100)
set y2range [0:(exists("y2max") ? y2max : 100)]
set ytics nomirror
set y2tics 0, 50
set ylabel "stall ms/s"
set y2label (txt ? "" : "% (PSI, memcg)")
if (!txt) { set grid xtics ytics } else { unset grid }
# one key for every panel, in neutral colours: the runs' colours are theirs
set key at screen 0.02, screen (txt ? 3.5 : 2.6) * row left top vertical Left reverse maxrows 2 width 0 samplen 3
do for [i = 0:nb - 1] {
	set tmargin at screen top - i * ph - row
	set bmargin at screen top - (i + 1) * ph + (i < nb - 1 ? row * 0.5 : 0)
	set title (exists("T") ? T[i + 1] : "") noenhanced offset 0, -0.4
	if (i < nb - 1) {
		set format x ""
		set xlabel ""
	} else {
		set format x "%g"
		set xlabel "time since run start (s)" offset 0, 0.3
	}
	last = (i == nb - 1)
	if (!txt) {
	plot in index i using 1:7 with lines lt L(i) notitle, \
	     '' index i using 1:8 with lines lt L(i) lw 1 dt 3 notitle, \
	     '' index i using 1:($4 == $4 ? $4 : $3) axes x1y2 with lines lc rgb "#404040" lw 1 dt 2 notitle, \
	     '' index i using 1:10 axes x1y2 with lines lc rgb "#A0A0A0" lw 1 notitle, \
	     '' index i using 1:($9 > 0 ? ($7 == $7 ? $7 : 0) : 1/0) with points lc rgb "black" pt 2 ps 2 lw 2 notitle, \
	     for [e=1:(last ? 1 : 0)] keyentry with lines lc rgb "#606060" lw 2 title "stall ms/s of the run's tasks (in the run's colour)", \
	     for [e=1:(last ? 1 : 0)] keyentry with lines lc rgb "#606060" lw 1 dt 3 title "stall ms/s of other tasks", \
	     for [e=1:(last ? 1 : 0)] keyentry with lines lc rgb "#404040" lw 1 dt 2 title "PSI some % (right)", \
	     for [e=1:(last ? 1 : 0)] keyentry with lines lc rgb "#A0A0A0" lw 1 title "memcg % of cap (right)", \
	     for [e=1:(last ? 1 : 0)] keyentry with points lc rgb "black" pt 2 ps 2 lw 2 title "OOM kill"
	} else {
	# text: one character per line (dashes do not exist), PSI and memcg
	# on characters no run of the panel uses; other tasks' stalls left out
	plot in index i using 1:7 with lines lt L(i) title (last ? "run's stalls ms/s" : ""), \
	     '' index i using 1:($4 == $4 ? $4 : $3) axes x1y2 with lines lt (L(i) == 7 ? 6 : 7) title (last ? "PSI some %" : ""), \
	     '' index i using 1:10 axes x1y2 with lines lt (L(i) == 5 ? 4 : 5) title (last ? "memcg % of cap" : ""), \
	     '' index i using 1:($9 > 0 ? ($7 == $7 ? $7 : 0) : 1/0) with points pt 2 title (last ? "OOM kill" : "")
	}
}
unset multiplot
