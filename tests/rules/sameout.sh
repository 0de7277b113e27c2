#!/bin/bash
# Same outputs before and after a refactoring: runs two stallbench binaries
# over the same result directories and diffs what they print and write:
# report (text, json), compare (text, json, markdown, --verdict, repetitions),
# compare --points (letter, text, json), plot (every file it writes: the .dat
# files, the text figures, the SVGs and gnuplot.log, which holds each gnuplot
# command line) and watch --batch (plain, --brief, --json) over finished dirs.
# Not in the suite (it wants a binary of the old tree); run by hand:
#   git worktree add /tmp/sb-old OLD && build it there
#   tests/rules/sameout.sh OLD_BIN NEW_BIN WORK DIR... [-- POINTS.tsv]
# DIRs are result directories (real runs, gen_result's); one points file may
# follow "--" for the letter. Prints one line per output: "same" or "DIFF"
# with the diff's first lines; exit 0 when all are the same, 1 otherwise.
# SAMEOUT_DROP_KEYS="k1 k2": JSON keys a change added on purpose, dropped
# (jq, at any depth) from both sides' JSON outputs before the diff; each
# output they were dropped from says so ("same without traits").
set -u
[ $# -ge 4 ] || { echo "usage: $0 OLD_BIN NEW_BIN WORK DIR... [-- POINTS.tsv]" >&2; exit 2; }
OLD=$1 NEW=$2 W=$3
shift 3
dirs=() points=
while [ $# -gt 0 ]; do
	[ "$1" = -- ] && { points=${2:-}; break; }
	dirs+=("$1")
	shift
done
rm -rf "$W" && mkdir -p "$W/old" "$W/new"
same=0 diff=0

# one output: run "$@" with each binary (SB in the command line), stdout,
# stderr and exit code into WORK/{old,new}/NAME
one() {
	local name=$1 side bin dropped=
	shift
	for side in old new; do
		[ $side = old ] && bin=$OLD || bin=$NEW
		(cd "$W/$side" && SB=$bin OUTD="$W/$side/$name.d" eval "$@") \
			>"$W/$side/$name.out" 2>"$W/$side/$name.err"
		echo "exit $?" >>"$W/$side/$name.err"
		# the binary's and the work dir's own paths are not output, nor
		# watch's wall clock (--json's "time", --batch's HH:MM:SS)
		sed -i "s#$bin#SB#g; s#$W/$side#WORK#g; s#\"time\":[0-9]*#\"time\":T#;
			s#^[0-2][0-9]:[0-5][0-9]:[0-5][0-9] #HH:MM:SS #" \
			"$W/$side/$name.out" "$W/$side/$name.err"
		if [ -n "${SAMEOUT_DROP_KEYS:-}" ] && jq -e . "$W/$side/$name.out" >/dev/null 2>&1; then
			local k f="$W/$side/$name.out"
			for k in $SAMEOUT_DROP_KEYS; do
				jq -e "[.. | objects | has(\"$k\")] | any" "$f" >/dev/null &&
					dropped="$dropped $side:$k"
				jq "walk(if type == \"object\" then del(.\"$k\") else . end)" "$f" >"$f.tmp" &&
					mv "$f.tmp" "$f"
			done
		fi
		[ -d "$W/$side/$name.d" ] && find "$W/$side/$name.d" -type f ! -name '*.png' \
			-exec sed -i "s#$bin#SB#g; s#$W/$side#WORK#g" {} +
	done
	if diff -r -x '*.png' "$W/old" "$W/new" --brief 2>/dev/null | grep -q "/$name[./]"; then
		echo "DIFF $name"
		diff -r -x '*.png' "$W/old" "$W/new" 2>/dev/null | grep -A8 "$name" | head -20 | sed 's/^/    /'
		diff=$((diff + 1))
	else
		echo "same $name ($(cat "$W/old/$name.out" | wc -l) lines$([ -d "$W/old/$name.d" ] &&
			echo ", $(find "$W/old/$name.d" -type f | wc -l) files"))${dropped:+ (dropped:$dropped)}"
		same=$((same + 1))
	fi
}

i=0
for d in "${dirs[@]}"; do
	i=$((i + 1))
	b=$(basename "$d")
	one "report-$i-$b" '"$SB" report --allow-incomplete '"$d"
	one "reportjson-$i-$b" '"$SB" report --allow-incomplete --format json '"$d"
	one "watch-$i-$b" '"$SB" watch --batch '"$d"
	one "watchbrief-$i-$b" '"$SB" watch --batch --brief '"$d"
	one "watchjson-$i-$b" '"$SB" watch --batch --json '"$d"
	one "plot-$i-$b" '"$SB" plot --allow-incomplete '"$d"' --out "$OUTD"'
done
# every pair in order, and the first against all the others as repetitions
n=${#dirs[@]}
for ((a = 0; a + 1 < n; a++)); do
	A=${dirs[$a]} B=${dirs[$((a + 1))]}
	one "compare-$a" '"$SB" compare --allow-incomplete '"$A $B"
	one "comparejson-$a" '"$SB" compare --allow-incomplete --format json '"$A $B"
	one "comparemd-$a" '"$SB" compare --allow-incomplete --format markdown '"$A $B"
	one "verdict-$a" '"$SB" compare --allow-incomplete --verdict '"$A $B"
	one "plot2-$a" '"$SB" plot --allow-incomplete '"$A $B"' --out "$OUTD"'
done
if [ "$n" -ge 3 ]; then
	reps=$(IFS=,; echo "${dirs[*]:1}")
	one compare-reps '"$SB" compare --allow-incomplete '"${dirs[0]},${dirs[1]} $reps"
fi
if [ -n "$points" ]; then
	one letter '"$SB" compare --allow-incomplete --points '"$points"' --format letter'
	one letter-text '"$SB" compare --allow-incomplete --points '"$points"
	one letter-json '"$SB" compare --allow-incomplete --points '"$points"' --format json'
fi
echo "sameout: $same same, $diff differ"
[ $diff -eq 0 ]
