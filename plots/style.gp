# Shared by every plot script (loaded after it sets W, H: PNG/SVG size, and
# TH: text-plot rows without the key): the terminal from the output's
# extension (.png, .svg, .txt = 72-column text for e-mail) and one colour per
# run. Run k (0 = A) is linetype k%8+1 in every figure, so a run keeps its
# colour (and its character in the text plot) across a letter's figures.
# runs='0 1 3' (set by stallbench) says which run each data block is: block
# i is run word(runs, i+1); without it block i is run i.
ext = out[strlen(out)-2:]
txt = (ext eq "txt")
nblk = exists("runs") ? words(runs) : 1
if (ext eq "svg") {
	set terminal svg size W,H dynamic noenhanced background rgb "white" font "sans,12"
} else {
	if (txt) {
		set terminal dumb nofeed 72 (TH + nblk + 1)
	} else {
		if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
			set terminal pngcairo size W,H noenhanced font "sans,11"
		} else {
			set terminal png size W,H noenhanced
		}
	}
}
set output out
set datafile missing "?"
# Okabe-Ito colours: told apart by colour-blind readers, readable on white
set linetype 1 lc rgb "#0072B2" lw 2 pt 7 ps 1.2 dt solid
set linetype 2 lc rgb "#D55E00" lw 2 pt 5 ps 1.2 dt solid
set linetype 3 lc rgb "#009E73" lw 2 pt 9 ps 1.2 dt solid
set linetype 4 lc rgb "#CC79A7" lw 2 pt 11 ps 1.2 dt solid
set linetype 5 lc rgb "#E69F00" lw 2 pt 13 ps 1.2 dt solid
set linetype 6 lc rgb "#56B4E9" lw 2 pt 3 ps 1.2 dt solid
set linetype 7 lc rgb "#000000" lw 2 pt 1 ps 1.2 dt solid
set linetype 8 lc rgb "#7F7F7F" lw 2 pt 2 ps 1.2 dt solid
set linetype cycle 8
run(i) = (exists("runs") && i < words(runs)) ? word(runs, i + 1) + 0 : i
L(i) = run(i) % 8 + 1
# Legends go below the plot, one run a line: "ID label" is up to ~44 columns.
set key below left vertical noenhanced noopaque Left reverse
# grid lines are noise in a 72-column text plot
if (txt) { unset grid } else { set grid }
