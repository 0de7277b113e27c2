#!/usr/bin/env bash
# The settings a reviewer asks about, on this host (cgroup v1): --mm knobs in
# force during the run and put back after, on every exit path (a refused
# value, SIGINT, SIGKILL of the driver: the next run puts them back); two
# runs never set knobs at once; memcg limits the hierarchy lacks are refused
# (exit 4) and ones that make no sense are bad input (exit 2, nothing
# written); a v1 soft limit takes; compare --vary turns a deliberate
# difference into the comparison instead of "not the same experiment"; the
# sweep's dims are config lines (./run.sh points). The v2 controls
# (memory.high, memory.low) and MGLRU are tested in the lab (vm_mm_*).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need_root
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export STALLBENCH_RUNDIR=$TMP/rundir	# this test's knob records, apart from live runs'
SW=/proc/sys/vm/swappiness WSF=/proc/sys/vm/watermark_scale_factor
[[ -w $SW && -w $WSF ]] || skip "no writable $SW / $WSF"
sw0=$(cat $SW) wsf0=$(cat $WSF)
# whatever happens, this machine gets its settings back
trap 'echo "$sw0" >$SW; echo "$wsf0" >$WSF; rm -rf "$TMP"' EXIT
new_sw=$(( sw0 == 17 ? 23 : 17 ))
run() { "$SB" run --workload memhog --hog-size 16M --cap 64M --no-capture "$@"; }
# in the background: $pid is the driver's own (a function's & would be a subshell's)
bg_run() {
	local log=$1; shift
	"$SB" run --workload memhog --hog-size 16M --cap 64M --no-capture "$@" >"$log" 2>&1 &
	pid=$!
}

# 1. in force during the run, recorded as in force, put back after
bg_run "$TMP/a.log" --duration 3s --out "$TMP/a" --mm swappiness=$new_sw
for _ in $(seq 50); do [[ -f $TMP/a/meta.json ]] && break; sleep 0.1; done
during=$(cat $SW)
[[ -f $STALLBENCH_RUNDIR/mm-$pid.json ]] || fail "no record of the old values while the run held knobs"
wait $pid || fail "run with --mm failed: $(cat "$TMP/a.log")"
[[ $during == "$new_sw" ]] || fail "swappiness during the run: $during, asked $new_sw"
[[ $(cat $SW) == "$sw0" ]] || fail "swappiness after the run: $(cat $SW), was $sw0"
[[ $(jget "$TMP/a/meta.json" '["mm"]["swappiness"]') == "$new_sw" ]] || fail "meta.json mm.swappiness is not the value in force"
[[ $(jget "$TMP/a/meta.json" '["mm_set"]["swappiness"]') == "$new_sw" ]] || fail "meta.json mm_set lacks what was asked"
[[ ! -e $STALLBENCH_RUNDIR/mm-$pid.json ]] || fail "the knob record outlived the run"
"$SB" report "$TMP/a" | grep -qx "set for the run (--mm): swappiness=$new_sw" ||
	fail "report does not say what the run set: $("$SB" report "$TMP/a" | head -5)"

# 2. SIGINT: the run ends incomplete, knobs back
bg_run "$TMP/b.log" --duration 30s --out "$TMP/b" --mm swappiness=$new_sw
for _ in $(seq 50); do [[ -f $TMP/b/meta.json ]] && break; sleep 0.1; done
sleep 0.5
kill -INT $pid; wait $pid
[[ $(cat $SW) == "$sw0" ]] || fail "swappiness after SIGINT: $(cat $SW), was $sw0"

# 3. SIGKILL: nothing can run in the driver; the next run puts them back
bg_run "$TMP/c.log" --duration 30s --out "$TMP/c" --mm swappiness=$new_sw
for _ in $(seq 50); do [[ -f $TMP/c/meta.json ]] && break; sleep 0.1; done
kill -KILL $pid; wait $pid 2>/dev/null
[[ $(cat $SW) == "$new_sw" ]] || fail "after SIGKILL the knob should still be set (test premise)"
[[ -f $STALLBENCH_RUNDIR/mm-$pid.json ]] || fail "a killed driver left no record of the old values"
run --duration 1s --out "$TMP/d" >"$TMP/d.log" 2>&1 || fail "run after a killed one: $(cat "$TMP/d.log")"
[[ $(cat $SW) == "$sw0" ]] || fail "the next run did not put back what a killed run set ($(cat $SW))"
grep -q "putting back mm knobs a killed run (pid $pid) left set: swappiness=$sw0" "$TMP/d.log" ||
	fail "the next run did not say it put knobs back: $(cat "$TMP/d.log")"

# 4. a value the kernel refuses: exit 2, nothing written, earlier knobs back
run --duration 1s --out "$TMP/e" --mm swappiness=$new_sw --mm watermark_scale_factor=0 \
	>"$TMP/e.log" 2>&1
rc=$?
((rc == 2)) || fail "a value the kernel refuses: exit $rc, want 2 ($(cat "$TMP/e.log"))"
grep -q "watermark_scale_factor=0: the kernel refused it" "$TMP/e.log" || fail "refusal not named: $(cat "$TMP/e.log")"
[[ ! -e $TMP/e ]] || fail "a refused --mm wrote $TMP/e"
[[ $(cat $SW) == "$sw0" && $(cat $WSF) == "$wsf0" ]] || fail "a refused --mm left knobs set"

# 5. two runs never set knobs at once
bg_run "$TMP/f.log" --duration 6s --out "$TMP/f" --mm swappiness=$new_sw
for _ in $(seq 50); do [[ -f $TMP/f/meta.json ]] && break; sleep 0.1; done
run --duration 1s --out "$TMP/g" --mm watermark_scale_factor=$((wsf0 + 1)) >"$TMP/g.log" 2>&1
rc=$?
wait $pid
((rc == 4)) || fail "a second run setting knobs at once: exit $rc, want 4 ($(cat "$TMP/g.log"))"
grep -q "holds mm knobs now" "$TMP/g.log" || fail "why not said: $(cat "$TMP/g.log")"
[[ ! -e $TMP/g ]] || fail "the refused second run wrote $TMP/g"
[[ $(cat $WSF) == "$wsf0" && $(cat $SW) == "$sw0" ]] || fail "knobs not back after two runs"

# 6. bad input (exit 2, nothing written) and what this hierarchy cannot do (exit 4)
bad() {
	local want=$1 msg=$2; shift 2
	local out rc
	out=$("$SB" run --workload memhog --hog-size 16M --no-capture --duration 1s --out "$TMP/bad" "$@" 2>&1)
	rc=$?
	((rc == want)) || fail "run $*: exit $rc, want $want ($out)"
	[[ $out == *"$msg"* ]] || fail "run $*: says '$out', want '$msg'"
	(( $(printf '%s\n' "$out" | wc -l) == 1 )) || fail "run $*: more than one line: $out"
	[[ ! -e $TMP/bad ]] || fail "run $*: wrote $TMP/bad"
}
bad 2 "unknown knob" --mm nosuch=1
bad 2 "one of always madvise never" --mm thp_enabled=sometimes
bad 2 "given twice" --mm swappiness=1 --mm swappiness=2
bad 2 "needs --cap SIZE" --cap-as high
bad 2 "above --cap 64M" --cap 64M --low 100M
bad 2 "above --low" --cap 64M --low 16M --min 32M
bad 2 "not a limit" --high 0
if [[ $(stat -fc %T /sys/fs/cgroup/memory 2>/dev/null) == cgroupfs ]] ||
	[[ -d /sys/fs/cgroup/memory ]]; then
	bad 4 "--high needs cgroup v2" --cap 64M --cap-as high
	bad 4 "--low needs cgroup v2" --cap 64M --low 16M
	# a v1 soft limit takes: the run's group reads it back
	run --duration 2s --out "$TMP/s" --soft-limit 32M >"$TMP/s.log" 2>&1 || fail "soft limit run: $(cat "$TMP/s.log")"
	[[ $(jget "$TMP/s/meta.json" '["params"]["soft_limit_bytes"]') == $((32 << 20)) ]] || fail "soft limit not recorded"
	"$SB" report "$TMP/s" | grep -q "memcg limits: soft_limit 32M" || fail "report does not show the soft limit"
fi

# 7. compare --vary: a difference on purpose is compared, one elsewhere is not
run --duration 1s --out "$TMP/v64" >/dev/null 2>&1 || fail "run v64"
"$SB" run --workload memhog --hog-size 16M --cap 128M --no-capture --duration 1s --out "$TMP/v128" \
	>/dev/null 2>&1 || fail "run v128"
out=$("$SB" compare "$TMP/v64" "$TMP/v128" 2>&1)
[[ $out == *"WARNING: not the same experiment: cap_bytes (A cap 64M, B cap 128M)"* ]] ||
	fail "a cap difference without --vary is not flagged: $out"
out=$("$SB" compare --vary cap_bytes "$TMP/v64" "$TMP/v128" 2>&1)
[[ $out == *"varied on purpose: cap_bytes (A cap 64M, B cap 128M)"* ]] || fail "--vary not shown: $out"
[[ $out != *"not the same experiment"* ]] || fail "--vary cap_bytes still warns: $out"
out=$("$SB" compare --vary duration_ns "$TMP/v64" "$TMP/v128" 2>&1)
[[ $out == *"not the same experiment: cap_bytes"* ]] || fail "--vary of another key hid the cap difference: $out"

# 7b. two runs that differ only in a knob: the same experiment, the knob listed
#     with both values, and it is what labels them
run --duration 1s --out "$TMP/k1" >/dev/null 2>&1 || fail "run k1"
run --duration 1s --out "$TMP/k2" --mm swappiness=$new_sw >/dev/null 2>&1 || fail "run k2"
out=$("$SB" compare "$TMP/k1" "$TMP/k2" 2>&1)
[[ $out != *"not the same experiment"* ]] || fail "a knob difference called another experiment: $out"
printf '%s\n' "$out" | grep -Eq "^  swappiness +A=$sw0 B=$new_sw$" || fail "the knob's values are not listed: $out"
printf '%s\n' "$out" | grep -Eq "^B +swappiness=$new_sw$" || fail "B is not labelled by its knob: $out"

# 8. dims are config lines: a new dimension is a line, its values points of their own
cat >"$TMP/sweep.conf" <<'EOF'
workloads = truncate-storm
caps = 64M
mixes = punch=1
dim mm = - | --mm swappiness=10
dim limit = - | --soft-limit 16M   # v1's; --cap-as high on v2
EOF
pts=$("$ROOT/run.sh" points --config "$TMP/sweep.conf") || fail "run.sh points: $pts"
(( $(printf '%s\n' "$pts" | wc -l) == 4 )) || fail "2x2 dims should give 4 points: $pts"
printf '%s\n' "$pts" | grep -q $'^storm-cap64M-punch_1-mm_swappiness_10-soft-limit_16M-r1\t.*--mm swappiness=10 --soft-limit 16M$' ||
	fail "a point of both dims is missing or misnamed: $pts"
printf '%s\n' "$pts" | grep -q $'^storm-cap64M-punch_1-r1\t' || fail "the '-' value is not a point of its own: $pts"
out=$("$ROOT/run.sh" check --config "$TMP/sweep.conf" --dim 'thp=- | --mm thp_enabled=sometimes' 2>&1)
(($? == 2)) || fail "a bad dim value passed run.sh check: $out"
[[ $out == *"thp_enabled=sometimes: one of always madvise never"* ]] || fail "bad dim not named: $out"
no_stale_cgroups
echo "PASS: mm knobs set and put back (end, SIGINT, SIGKILL+next run, refusal), one setter at a time, limits refused or taken, compare --vary, dims as config lines"
