#!/bin/bash
# Real runs on this machine, read as a reviewer reads them. The same capped
# storm sweep point (64M, with memhog) run as two sweeps of 3 repetitions,
# interleaved (a-r1, b-r1, a-r2, b-r2, a-r3, b-r3: the host's drift over
# the test falls on both sides alike, not between them), is an A/A
# comparison: compare --verdict must exit 0, no change starred, no
# warning at all (the output directories, storm directories and cgroup
# paths differ; the experiment does not). A third
# sweep at cap 128M is another experiment: --verdict exits 2 and the warning
# names both caps. Each sweep's report.txt is a letter: <= 72 columns, no
# path of this machine, ends with the reproduce block.
# Usage: real_aa.sh TOPDIR WORKDIR. Exit 0 pass, 1 fail, 4 skip (not root).
set -u
TOP=$1 W=$2
SB=$TOP/build/stallbench
[ "$(id -u)" = 0 ] || { echo "SKIP real_aa: needs root (cgroups, tracepoints)"; exit 4; }
fail() { echo "FAIL real_aa: $*"; echo "(kept $W)"; exit 1; }
rm -rf "$W" && mkdir -p "$W" || exit 1
. "$TOP/bench/lab/letter.sh"

# One repetition (-rN, run.sh's SWEEP_REP_FIRST) of the sweep's one point into
# sweep directory ID: the repetitions of a sweep gather there as <point>-r1..
# with their rows in its points.tsv, as one sweep of N repetitions has them.
rep() {	# id cap N
	RESULTS_ROOT=$W SWEEP_ID=$1 SWEEP_REP_FIRST=$3 SB_NO_BUILD=1 "$TOP/run.sh" sweep --caps "$2" \
		--mixes "ftruncate=1,punch=1,unlink=1" --duration 3s --reps 1 >>"$W/$1.log" 2>&1 ||
		fail "sweep $1 repetition $3 exit $?: $(tail -3 "$W/$1.log")"
}
reps() {	# id n: list=the point's repetitions, "dir1,dir2,...", all run, all exit 0
	local sd=$W/$(uname -r)/$1
	list=$(sb_group_points "$sd" | cut -f2)
	[ "$(echo "$list" | tr ',' '\n' | wc -l)" -eq "$2" ] ||
		fail "sweep $1: not $2 repetitions of one point: $list"
	[ "$(awk -F'\t' '$2 == 0' "$sd/points.tsv" | wc -l)" -eq "$2" ] ||
		fail "sweep $1: points.tsv is not $2 points of exit 0: $(cat "$sd/points.tsv")"
}
t0=$(date +%s)
for n in 1 2 3; do
	rep a 64M $n
	rep b 64M $n
done
rep c 128M 1
rep c 128M 2
reps a 3; A=$list
reps b 3; B=$list
reps c 2; C=$list
# interleaved: by their start, the A/A's six runs alternate a, b, a, b, a, b
order=$(for d in $(echo "$A,$B" | tr ',' ' '); do
	printf '%s %s\n' "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["start_ns"])' "$d/meta.json")" \
		"$(basename "$(dirname "$d")")"
done | sort -n | cut -d' ' -f2 | tr -d '\n')
[ "$order" = ababab ] || fail "the A/A's repetitions ran in the order $order, not interleaved (ababab)"
echo "real_aa: 8 runs (a, b interleaved; c) in $(($(date +%s) - t0)) s"

# alpha 0.01: at 0.05 a calibrated A/A is red 1 run in 20 by design
"$SB" compare --alpha 0.01 --verdict "$A" "$B" >"$W/v.txt" 2>&1
rc=$?
[ $rc -eq 0 ] || fail "A/A --verdict exit $rc: $(cat "$W/v.txt")"
grep -q "^no significant change (alpha 0.01, Welch's t on per-repetition means" "$W/v.txt" ||
	fail "A/A verdict: $(cat "$W/v.txt")"
"$SB" compare --alpha 0.01 "$A" "$B" >"$W/aa.txt" 2>&1 || fail "compare exit $?"
cat "$W/aa.txt"
grep -q '%\*' "$W/aa.txt" && fail "A/A: starred: $(grep '%\*' "$W/aa.txt")"
grep -q 'WARNING' "$W/aa.txt" && fail "A/A: $(grep -A1 WARNING "$W/aa.txt")"
grep -q "^  no significant change ([0-9]* tests at alpha 0.01)" "$W/aa.txt" || fail "A/A: verdict line"
# the capture ran: the storm's writes stall in memcg reclaim, and that is compared
grep -q "^stalls run/memcg" "$W/aa.txt" || fail "A/A: no memcg stalls compared (capture off?)"

"$SB" compare --verdict "$A" "$C" >"$W/vc.txt" 2>&1
rc=$?
[ $rc -eq 2 ] || fail "64M vs 128M --verdict exit $rc, want 2: $(cat "$W/vc.txt")"
"$SB" compare "$A" "$C" >"$W/ac.txt" 2>&1
grep -q "^WARNING: not the same experiment: cap_bytes (A cap 64M, B cap 128M)" "$W/ac.txt" ||
	fail "cap difference: $(grep -A2 WARNING "$W/ac.txt")"
grep -Eq "^B +cap 128M$" "$W/ac.txt" || fail "label of B is not 'cap 128M'"

for s in a b c; do
	L=$W/$(uname -r)/$s/report.txt
	long=$(awk 'length > 72' "$L" | head -2)
	[ -z "$long" ] || fail "$s/report.txt: over 72 columns: $long"
	p=$(grep -nE '(^|[ (=:])/(tmp|var|root|home|work|usr|mnt)/' "$L" | head -2)
	[ -z "$p" ] || fail "$s/report.txt: a path: $p"
	grep -q "^To reproduce:" "$L" && grep -q "^  machine: .*CPUs" "$L" &&
		grep -q "^  stallbench [0-9.]* (git " "$L" || fail "$s/report.txt: no reproduce block"
done
echo "PASS real_aa: A/A of 3+3 real capped storms clean, 64M vs 128M not comparable, letters clean"
rm -rf "$W"
