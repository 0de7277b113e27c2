# Stall time by kind per run, as stacked bars: one bar per run, in the run's
# colour, a fill pattern per stall kind, the total in ms on top; the bars of
# the run's own tasks first, then (if any) those of the rest of the system.
# Value: the mean over the run's repetitions of each kind's total stall time.
# Data: index blocks, one per run, each led by comments and a header row
# ("ID label", ID); one row per kind, in the same order in every block (the
# order of the kinds variable): x ms_low ms_high, "?" where the run had none;
# then a last index block of totals: x total_ms tic_label.
# Variables stallbench sets: runs, kinds ("run/memcg run/direct ..."), T (array:
# the runs' legends "ID label"); ylab, when the bars are not stall time (the
# per-op "where the time went" figures: kinds "on-CPU waiting asleep").
# Usage: gnuplot -e "in='stalls.dat'; out='stalls.png'; title='...'; runs='0 1'; kinds='run/memcg'" stalls.gp
if (!exists("in") && ARGC >= 1) in = ARG1
if (!exists("out") && ARGC >= 2) out = ARG2
if (!exists("title") && ARGC >= 3) title = ARG3
if (!exists("in")) { print "stalls.gp: no input (in='file.dat' or ARG1)"; exit status 2 }
if (!exists("out")) out = in.".png"
if (!exists("title")) title = in
if (!exists("kinds")) { print "stalls.gp: needs kinds='run/memcg ...' (see gnuplot.log)"; exit status 2 }
k = strlen(ARG0)
while (k > 0 && ARG0[k:k] ne "/") { k = k - 1 }
nk = words(kinds)
W = 900; H = 650; TH = 16 + 2 * nk	# text: ~16 rows of plot, the key's kinds
load ARG0[1:k]."style.gp"

# a kind's pattern: solid, then hatchings gnuplot draws on every terminal
P(j) = int(word("3 4 1 5 2 6 7 0 3 4", j % 10 + 1))
set title title noenhanced
if (!exists("ylab")) ylab = "stall ms per repetition (mean)"
set ylabel ylab noenhanced
set yrange [0:*]
set offsets 0.6, 0.6, graph 0.12, 0
set xtics scale 0
if (!txt) { set grid noxtics ytics }
# runs in the key's first column, kinds after them; in a text plot one entry
# a line (two columns of long kind names overprint each other in 72 columns)
# and a kind without a sample: text cannot hatch, each segment carries its
# kind's number instead
if (txt) {
	set key below vertical left Left reverse maxcols 1
} else {
	set key below vertical left Left reverse maxrows (nblk > nk ? nblk : nk)
}
KT(j) = txt ? sprintf("%d %s", j + 1, word(kinds, j + 1)) : word(kinds, j + 1)
plot for [i=0:nblk - 1] for [j=0:nk - 1] in index i every ::(j + 1)::(j + 1) \
	using 1:(($2 + $3) / 2):($1 - 0.35):($1 + 0.35):2:3 with boxxyerror lt L(i) fs pattern P(j) border notitle, \
     for [i=0:(txt ? nblk - 1 : -1)] for [j=0:nk - 1] in index i every ::(j + 1)::(j + 1) \
	using 1:(($2 + $3) / 2):(sprintf("%d", j + 1)) with labels notitle, \
     in index nblk using 1:2:xtic(3) with points ps 0 notitle, \
     in index nblk using 1:2:(sprintf("%.4g", $2)) with labels offset 0, 0.7 notitle, \
     for [i=0:nblk - 1] keyentry with boxes lt L(i) fs solid 1.0 title (exists("T") ? T[i + 1] : sprintf("run %d", i + 1)), \
     for [j=0:(txt ? -1 : nk - 1)] keyentry with boxes lc rgb "black" fs pattern P(j) title KT(j), \
     for [j=0:(txt ? nk - 1 : -1)] keyentry with points pt " " title KT(j)
