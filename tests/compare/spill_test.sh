#!/bin/sh
# compare's and plot's later passes read pass 1's spill (compare_spill.c)
# instead of ops.csv and stalls.csv, from the row where a selector lost
# values it will need (the ops' and the stall kinds' each their own spill):
# - A is three repetitions: r1 drifts (every latency x(1 + 2k/n) in round k:
#   the p50 moves out of what pass 1 kept, past the sampling error) on two
#   nodes; r2 and r3 do not. The spill starts inside r1, so the later pass
#   reads r1's ops.csv again up to that row and r2's and r3's not at all:
#   strace counts the opens. Every figure a later pass resolves (the op's
#   p50..p99.9, each repetition's and each node's p50 and p99, each stall
#   kind's p50..p99.9) must be the nearest rank of the rows themselves
#   (sort -n). The stall durations drift with the latencies: stalls.csv
#   likewise.
# - With no directory to spill to (TMPDIR missing) every ops.csv is read
#   again, and the output is the same, byte for byte.
# - B (ops.csv.zst, as a run writes it) starts steady (no spill in its
#   first repetition) and drifts in its second: the spill starts there, and
#   the later pass reads s2.csv.zst only up to that row (fewer bytes than
#   pass 1 read).
# - plot asks for a CDF (ranks pass 1 never keeps): it spills from the
#   first row and opens each ops.csv once; its .dat files are the same as
#   when it reads ops.csv twice.
# - A spill that cannot be written (the file-size limit: the last rows are
#   written when a repetition ends, and a spill smaller than its buffer
#   only then; or mid-way) is dropped: exit 0 and the same JSON as with no
#   spill.
# - What the data above never holds: rounds past the histogram's exact
#   buckets (rounds = latency / 3), unfinished ops (every 50th), a node slot
#   of -1 (71 nodes, past CMP_MAX_NODES; 4 rows in 5 on node 0, which takes
#   a later pass), a malformed row skipped with --allow-incomplete: the same
#   JSON with and without the spill.
# The spill goes to TMPDIR, here $W/tmp.
# Usage: spill_test.sh STALLBENCH GEN_RESULT WORKDIR. Exit 0 pass, 1 fail.
set -u
SB=$1 GEN=$2 W=$3
NRANK=$(dirname "$0")/nearest_rank.awk QS="0.5 0.9 0.99 0.999"
fail=0
not_ok() { echo "not ok: $*"; fail=1; }
ok() { echo "ok: $*"; }

rm -rf "$W" && mkdir -p "$W/tmp" || exit 1
export TMPDIR="$W/tmp"
"$GEN" "$W/r1" --seed 51 --nodes 2 --n 200000 --drift 2 --spread-nodes 150000 >/dev/null &&
"$GEN" "$W/r2" --seed 52 --nodes 2 --n 100000 --scale 2 >/dev/null &&
"$GEN" "$W/r3" --seed 53 --nodes 2 --n 50000 --scale 3 >/dev/null &&
"$GEN" "$W/s1" --seed 54 --n 20000 --zstd >/dev/null &&
"$GEN" "$W/s2" --seed 55 --n 200000 --drift 3 --zstd >/dev/null || exit 1
zstd -dcq "$W/s1/ops.csv.zst" >"$W/s1.csv" && zstd -dcq "$W/s2/ops.csv.zst" >"$W/s2.csv" &&
	zstd -dcq "$W/s1/stalls.csv.zst" >"$W/s1s.csv" && zstd -dcq "$W/s2/stalls.csv.zst" >"$W/s2s.csv" ||
	exit 1
A=$W/r1,$W/r2,$W/r3 B=$W/s1,$W/s2
ALL="$W/r1/ops.csv $W/r2/ops.csv $W/r3/ops.csv $W/s1/ops.csv.zst $W/s2/ops.csv.zst"
ALLS="$W/r1/stalls.csv $W/r2/stalls.csv $W/r3/stalls.csv $W/s1/stalls.csv.zst $W/s2/stalls.csv.zst"

# opens FILE...: how many times strace's log $W/trace saw each opened (in order given)
opens() {
	for f in "$@"; do
		grep -c "openat(AT_FDCWD, \"$f\", O_RDONLY" "$W/trace"
	done | tr '\n' ' ' | sed 's/ $//'
}
# bytes FILE: the bytes read from each open of FILE in $W/trace, in order
bytes() {
	awk -v f="\"$1\"" '/^[0-9]+ +openat\(/ { split($0, a, "= "); fd = a[2] + 0;
			if (index($0, f)) { k++; cur[fd] = k } else delete cur[fd]; next }
		/^[0-9]+ +read\(/ { match($0, /read\([0-9]+/); fd = substr($0, RSTART + 5, RLENGTH - 5) + 0;
			split($0, a, "= "); if (fd in cur) n[cur[fd]] += a[2] }
		/^[0-9]+ +close\(/ { match($0, /close\([0-9]+/); delete cur[substr($0, RSTART + 6, RLENGTH - 6) + 0] }
		END { for (i = 1; i <= k; i++) printf "%s%d", (i > 1 ? " " : ""), n[i] }' "$W/trace"
}
# spills: the spill files opened (O_TMPFILE, or mkostemp where it is not supported)
spills() { grep -Ec "openat\(AT_FDCWD, \"$W/tmp(\", .*O_TMPFILE.*|/stallbench-spill\.[^\"]*\", .*)\) = [0-9]" "$W/trace"; }

# --- A: the spill from a row of r1 on ---
if strace -f -qq -s 0 -e trace=openat,read,close -o "$W/trace" "$SB" compare --json "$A" "$B" \
	>"$W/a.json" 2>"$W/a.err"; then
	got=$(opens $ALL)
	# r1 up to the spill's row again; r2, r3 from the spill; s1 again (the
	# spill starts in s2), s2 up to the spill's row
	[ "$got" = "2 1 1 2 2" ] && [ "$(spills)" = 4 ] &&
		ok "later passes: ops.csv opened $got times (r1 r2 r3 s1 s2), 4 spills" ||
		not_ok "ops.csv opened '$got' times (r1 r2 r3 s1 s2), want '2 1 1 2 2'; spills: $(spills)"
	got=$(opens $ALLS)
	[ "$got" = "2 1 1 2 2" ] && ok "later passes: stalls.csv opened $got times (r1 r2 r3 s1 s2)" ||
		not_ok "stalls.csv opened '$got' times (r1 r2 r3 s1 s2), want '2 1 1 2 2'"
	for f in "$W/r1/ops.csv" "$W/s2/ops.csv.zst" "$W/r1/stalls.csv" "$W/s2/stalls.csv.zst"; do
		b=$(bytes "$f")
		echo "$b" | awk -v s="$(stat -c %s "$f")" 'NF == 2 && $1 == s && $2 > 0 && $2 < $1 {ok = 1}
			END {exit !ok}' &&
			ok "${f#"$W"/}: pass 1 read all, the later pass up to the spill: $b bytes" ||
			not_ok "${f#"$W"/}: bytes read per open '$b' (file: $(stat -c %s "$f"))"
	done
else
	not_ok "compare: $(cat "$W/a.err")"
fi

# figures FILTER FILE...: "p50 p90 p99 p999 count" of ftruncate's rows where awk's FILTER holds
figures() {
	f=$1
	shift
	awk -F, -v o=ftruncate "FNR == 1 {for (i = 1; i <= NF; i++) c[\$i] = i; next}
		\$c[\"op\"] == o && ($f) {print \$c[\"latency_ns\"]}" "$@" | sort -n |
		awk -v q="$QS" -f "$NRANK"
}
got() {	# RUN SEL: "p50 p90 p99 p999 count" as compare gave them (p90, p999 "null" where not given)
	jq -r ".ops[] | select(.name == \"truncate-storm/ftruncate\") | .runs[$1] | $2 |
		\"\\(.p50) \\(.p90) \\(.p99) \\(.p999) \\(.count)\"" "$W/a.json"
}
set -f
for want in "0 . 1 $W/r1/ops.csv $W/r2/ops.csv $W/r3/ops.csv" \
	"0 .reps[0] 1 $W/r1/ops.csv" "0 .reps[1] 1 $W/r2/ops.csv" "0 .reps[2] 1 $W/r3/ops.csv" \
	"0 (.nodes[]|select(.node==0)) \$c[\"node\"]==0 $W/r1/ops.csv $W/r2/ops.csv $W/r3/ops.csv" \
	"0 (.nodes[]|select(.node==1)) \$c[\"node\"]==1 $W/r1/ops.csv $W/r2/ops.csv $W/r3/ops.csv" \
	"1 . 1 $W/s1.csv $W/s2.csv" "1 .reps[1] 1 $W/s2.csv"; do
	set -- $want
	run=$1 sel=$2 filt=$3
	shift 3
	exp=$(figures "$filt" "$@") g=$(got "$run" "$sel")
	# p90 and p99.9 are the op's own (a repetition or a node gives p50 and p99)
	if echo "$g $exp" | awk 'NF == 10 && $1 == $6 && ($2 == "null" || $2 == $7) && $3 == $8 &&
		($4 == "null" || $4 == $9) && $5 == $10 && ($2 != "null" || $4 == "null") {ok = 1}
		END {exit !ok}'; then
		ok "run $run $sel: p50 p90 p99 p99.9 count $g, as the rows say"
	else
		not_ok "run $run $sel: p50 p90 p99 p99.9 count '$g'; the rows: '$exp'"
	fi
done
set +f
# each stall kind: "p50 p90 p99 p999 count" of the rows of scope run and kind K
stall_fig() {
	k=$1
	shift
	awk -F, -v k="$k" 'FNR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; next}
		$c["kind"] == k && ($c["scope"] == "run" || $c["scope"] == "") {print $c["duration_ns"]}' "$@" |
		sort -n | awk -v q="$QS" -f "$NRANK"
}
for want in "0 memcg $W/r1/stalls.csv $W/r2/stalls.csv $W/r3/stalls.csv" \
	"0 direct $W/r1/stalls.csv $W/r2/stalls.csv $W/r3/stalls.csv" \
	"1 memcg $W/s1s.csv $W/s2s.csv" "1 direct $W/s1s.csv $W/s2s.csv"; do
	set -- $want
	run=$1 kind=$2
	shift 2
	exp=$(stall_fig "$kind" "$@")
	g=$(jq -r ".stalls[] | select(.name == \"run/$kind\") | .runs[$run] |
		\"\(.p50) \(.p90) \(.p99) \(.p999) \(.count)\"" "$W/a.json")
	[ -n "$exp" ] && [ "$g" = "$exp" ] && ok "run $run stall run/$kind: p50 p90 p99 p99.9 count $g, as the rows say" ||
		not_ok "run $run stall run/$kind: '$g'; the rows: '$exp'"
done

# --- nowhere to spill: every ops.csv again, the same output ---
if TMPDIR=$W/none strace -f -qq -e trace=openat -o "$W/trace" "$SB" compare --json "$A" "$B" \
	>"$W/nospill.json" 2>"$W/nospill.err"; then
	got="$(opens $ALL); $(opens $ALLS)"
	[ "$got" = "2 2 2 2 2; 2 2 2 2 2" ] && [ "$(spills)" = 0 ] &&
		ok "no spill: ops.csv, stalls.csv opened $got times" ||
		not_ok "no spill: ops.csv, stalls.csv opened '$got' times, want 2 each; spills: $(spills)"
	cmp -s "$W/a.json" "$W/nospill.json" && ok "the same JSON with and without the spill" ||
		not_ok "JSON differs with and without the spill"
else
	not_ok "compare without a spill: $(cat "$W/nospill.err")"
fi
"$SB" compare "$A" "$B" >"$W/a.txt" 2>&1 && TMPDIR=$W/none "$SB" compare "$A" "$B" >"$W/nospill.txt" 2>&1 &&
	cmp -s "$W/a.txt" "$W/nospill.txt" && ok "the same text with and without the spill" ||
	not_ok "text differs with and without the spill (or compare failed)"

# --- plot: a CDF's ranks, the spill from the first row ---
if strace -f -qq -e trace=openat -o "$W/trace" "$SB" plot "$A" "$B" --out "$W/pl" --format png \
	>"$W/pl.out" 2>&1; then
	got=$(opens $ALL)
	[ "$got" = "1 1 1 1 1" ] && [ "$(spills)" = 4 ] &&
		ok "plot: ops.csv opened $got times, 4 spills" ||
		not_ok "plot: ops.csv opened '$got' times, want '1 1 1 1 1'; spills: $(spills)"
	if TMPDIR=$W/none "$SB" plot "$A" "$B" --out "$W/pl2" --format png >"$W/pl2.out" 2>&1; then
		n=0 bad=0
		for f in "$W"/pl/*.dat; do
			n=$((n + 1))
			cmp -s "$f" "$W/pl2/${f##*/}" || { bad=1; echo "differs: ${f##*/}"; }
		done
		[ $bad = 0 ] && [ $n -ge 10 ] && [ -s "$W/pl/cdf-truncate-storm-ftruncate.dat" ] &&
			ok "plot: $n .dat files the same with and without the spill" ||
			not_ok "plot: .dat files differ with and without the spill ($n files)"
	else
		not_ok "plot without a spill: $(tail -n 2 "$W/pl2.out")"
	fi
else
	not_ok "plot: $(tail -n 2 "$W/pl.out")"
fi

# --- a spill that cannot be written: dropped, the CSV read again ---
# sb_limited KB ARGS...: compare --json ARGS under a file-size limit of KB KiB
# (its output through a pipe: the limit is the spill's); "RC" on the last line
sb_limited() {
	kb=$1
	shift
	{ (ulimit -f "$kb" && exec "$SB" compare --json "$@" 2>"$W/lim.err"); echo "RC $?"; } | cat
}
"$GEN" "$W/d1" --seed 7 --n 135000 --drift 3 >/dev/null && "$GEN" "$W/d2" --seed 8 --n 20000 >/dev/null ||
	exit 1
for lim in "64 $W/d1 $W/d2" "300 $A $B"; do
	set -- $lim
	kb=$1
	shift
	sb_limited "$kb" "$@" >"$W/lim.out"
	TMPDIR=$W/none "$SB" compare --json "$@" >"$W/lim-none.json" 2>&1
	rc=$(tail -n 1 "$W/lim.out")
	sed '$d' "$W/lim.out" >"$W/lim.json"
	[ "$rc" = "RC 0" ] && [ -s "$W/lim.json" ] && cmp -s "$W/lim.json" "$W/lim-none.json" &&
		ok "file-size limit ${kb} KiB: the spill dropped, exit 0, the same JSON as without one" ||
		not_ok "file-size limit ${kb} KiB: $rc, $(cat "$W/lim.err"); JSON the same: $(cmp -s "$W/lim.json" "$W/lim-none.json" && echo yes || echo no)"
done

# --- rounds past the exact buckets, unfinished ops, 71 nodes ---
mkdir -p "$W/x1" && cp "$W/r1"/*.json "$W/r1/stalls.csv" "$W/r1/timeline.csv" "$W/x1/" || exit 1
awk -F, -v OFS=, 'FNR == 1 {for (i = 1; i <= NF; i++) c[$i] = i; print; next}
	{$c["reclaim_rounds"] = int($c["latency_ns"] / 3); $c["node"] = NR % 5 ? 0 : int(NR / 5) % 71;
	 if (NR % 50 == 0) $c["flags"] = "unfinished"; print}' "$W/r1/ops.csv" >"$W/x1/ops.csv" || exit 1
"$GEN" "$W/x2" --seed 56 --n 200000 --drift 2 --bad-number >/dev/null || exit 1
if strace -f -qq -e trace=openat -o "$W/trace" "$SB" compare --json --allow-incomplete "$W/x1" "$W/x2" \
	>"$W/x.json" 2>"$W/x.err" &&
	TMPDIR=$W/none "$SB" compare --json --allow-incomplete "$W/x1" "$W/x2" >"$W/x-none.json" 2>&1; then
	got=$(opens "$W/x1/ops.csv" "$W/x2/ops.csv")
	[ "$got" = "2 2" ] && [ "$(spills)" -ge 2 ] && cmp -s "$W/x.json" "$W/x-none.json" &&
		[ "$(jq '[.ops[].runs[0].unfinished] | add' "$W/x.json")" -gt 0 ] &&
		[ "$(jq '[.ops[].runs[0].rounds.p99] | max' "$W/x.json")" -gt 1000 ] &&
		ok "rounds = latency / 3, unfinished ops, 71 nodes, a skipped row: spilled ($(spills) spills), the same JSON" ||
		not_ok "rounds/unfinished/71 nodes/skipped row: opens '$got', spills $(spills), JSON the same: $(cmp -s "$W/x.json" "$W/x-none.json" && echo yes || echo no)"
else
	not_ok "compare of the crafted runs: $(cat "$W/x.err")"
fi

[ $fail -eq 0 ] && echo PASS || echo FAIL
exit $fail
