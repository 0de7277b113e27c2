#!/bin/sh
# stallbench plot on synthetic result directories: every plot is produced
# as valid PNG (signature bytes), valid SVG (xmllint, else python3's XML
# parser) and a text plot of at most 72 columns; several runs give one
# block (line) per run; no gnuplot in PATH exits 4.
# Usage: plot_test.sh STALLBENCH GEN_RESULT WORKDIR. Exit 0 pass, 1 fail, 4 skip.
set -u
SB=$1 GEN=$2 W=$3
fail=0
not_ok() { echo "not ok: $*"; fail=1; }
ok() { echo "ok: $*"; }

command -v gnuplot >/dev/null 2>&1 || { echo "SKIP: gnuplot not installed"; exit 4; }
rm -rf "$W" && mkdir -p "$W" || exit 1
"$GEN" "$W/a" --seed 1 --n 500 || exit 1
"$GEN" "$W/b" --seed 1 --n 500 --scale 1.5 --release 6.12.117+deb12-amd64 || exit 1

"$SB" plot "$W/a" >"$W/one.list" 2>"$W/one.err" || { not_ok "plot A exit $?: $(cat "$W/one.err")"; }
P=$W/a/plots
for base in cdf-truncate-storm-punch hist-truncate-storm-punch rounds-truncate-storm-punch \
	nodes-truncate-storm-punch cdf-vmalloc-nofail-alloc stalls timeline; do
	for ext in png svg txt; do
		[ -s "$P/$base.$ext" ] || not_ok "missing $P/$base.$ext"
	done
done
n=$(ls "$P"/*.png | wc -l)
[ "$n" -eq 18 ] && ok "one run: 18 plots (4 per op x 4 ops + stall bars + timeline)" || not_ok "$n PNG files, want 18"
[ "$(wc -l <"$W/one.list")" -eq 54 ] && ok "written files listed" || not_ok "file list"

check_png() {
	sig=$(od -An -tx1 -N8 "$1" | tr -d ' \n')
	[ "$sig" = "89504e470d0a1a0a" ]
}
check_svg() {
	if command -v xmllint >/dev/null 2>&1; then
		xmllint --noout "$1" 2>/dev/null
	elif command -v python3 >/dev/null 2>&1; then
		python3 -c 'import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); sys.exit(0 if r.tag.endswith("svg") else 1)' "$1"
	else
		head -c 200 "$1" | grep -q '<svg' && tail -c 20 "$1" | grep -q '</svg>'
	fi
}
for f in "$P"/*.png; do check_png "$f" || not_ok "$f: not a PNG"; done
ok "PNG signatures"
for f in "$P"/*.svg; do check_svg "$f" || not_ok "$f: not valid SVG"; done
ok "SVG parses as XML"
if awk 'length($0) > 72 { print FILENAME ": " length($0); bad = 1 } /\f/ { bad = 1 } END { exit bad }' "$P"/*.txt
then ok "text plots <= 72 columns, no form feeds"; else not_ok "text plots too wide"; fi

# several runs: one line per run, short ids in the text plot
"$SB" plot "$W/a" "$W/b" --out "$W/ab" --format svg >/dev/null 2>"$W/ab.err" ||
	not_ok "plot A B exit $?: $(cat "$W/ab.err")"
[ -z "$(ls "$W/ab"/*.png 2>/dev/null)" ] && ok "--format svg: no PNG" || not_ok "--format svg made PNG"
blocks=$(grep -c '^"' "$W/ab/cdf-truncate-storm-punch.dat")
[ "$blocks" -eq 2 ] && ok "two runs: two blocks in the data" || not_ok "$blocks blocks, want 2"
grep -q '^"B 6.12.117+deb12-amd64" "B"' "$W/ab/cdf-truncate-storm-punch.dat" &&
	ok "runs labelled by kernel" || not_ok "run label in data"
grep -Eq '^ *\*+A 6\.1\.0-56-amd64$' "$W/ab/cdf-truncate-storm-punch.txt" &&
	grep -Eq '^ *#+B 6\.12\.117\+deb12-amd64$' "$W/ab/cdf-truncate-storm-punch.txt" &&
	ok "text plot keys a line per run: ID and kernel" || not_ok "text plot key"
for f in "$W/ab"/*.svg; do check_svg "$f" || not_ok "$f: not valid SVG"; done
cat "$W/ab/cdf-truncate-storm-punch.txt"

# usage errors and no gnuplot
"$SB" plot "$W/a" "$W/b" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok "several runs without --out: exit 2" || not_ok "several runs without --out: exit $rc"
"$SB" plot "$W/a" --format gif >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok "--format gif: exit 2" || not_ok "--format gif: exit $rc"
"$SB" plot "$W/nope" --out "$W/x" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok "missing dir: exit 2" || not_ok "missing dir: exit $rc"
env PATH=/nonexistent "$SB" plot "$W/a" >/dev/null 2>"$W/nognu.err"; rc=$?
[ $rc -eq 4 ] && grep -q "gnuplot not found" "$W/nognu.err" && ok "no gnuplot: exit 4 with reason" ||
	not_ok "no gnuplot: exit $rc $(cat "$W/nognu.err")"

[ $fail -eq 0 ] && echo PASS || echo FAIL
exit $fail
