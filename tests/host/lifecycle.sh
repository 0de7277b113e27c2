#!/usr/bin/env bash
# The driver's lifecycle: SIGINT ends a run cleanly marked incomplete; the
# watchdog kills workers stuck past the deadline and marks the run timeout;
# a SIGKILLed driver leaves a readable result marked incomplete, its workers
# die with it, and the next start removes its stale cgroup.
set -u
. "$(dirname "$0")/lib.sh"
need_root
# 1. SIGINT mid-run
"$SB" run --workload truncate-storm --cap 64M --duration 30s --out "$TMP/int" 2>/dev/null &
pid=$!
sleep 2; kill -INT $pid; wait $pid; rc=$?
[[ $rc -ne 0 ]] || fail "interrupted run exited 0"
[[ $(jget "$TMP/int/meta.json" '["status"]') == incomplete ]] || fail "SIGINT: not marked incomplete"
[[ $(jget "$TMP/int/summary.json" '["status"]') == incomplete ]] || fail "SIGINT: summary not incomplete"
[[ $(wc -l <"$TMP/int/ops.csv") -gt 1 ]] || fail "SIGINT: no ops kept"
"$SB" report "$TMP/int" >/dev/null 2>&1 && fail "report accepted an incomplete result"
"$SB" report --allow-incomplete "$TMP/int" >/dev/null || fail "report --allow-incomplete failed"
no_stale_cgroups
# 2. Watchdog: workers that stop responding (SIGSTOPped, as a task stuck in
# the kernel would) are killed after the grace period and the run is marked timeout.
"$SB" run --workload truncate-storm --cap 64M --duration 2s --grace 1s --out "$TMP/wd" 2>/dev/null &
pid=$!
sleep 1
pkill -STOP -P $pid
wait $pid; rc=$?
[[ $rc -ne 0 ]] || fail "timed-out run exited 0"
[[ $(jget "$TMP/wd/meta.json" '["status"]') == timeout ]] || fail "watchdog: status $(jget "$TMP/wd/meta.json" '["status"]')"
[[ $(jget "$TMP/wd/summary.json" '["killed_by_watchdog"]') -ge 1 ]] || fail "watchdog: no kill recorded"
grep -q unfinished "$TMP/wd/ops.csv" || fail "watchdog: the op in flight was not reported unfinished"
no_stale_cgroups
# 3. SIGKILL of the driver, 10 times at random points
kills=0 groups_seen=0
for i in $(seq 1 10); do
	"$SB" run --workload truncate-storm --workload memhog --cap 64M --duration 30s --out "$TMP/k$i" 2>/dev/null &
	pid=$!
	sleep "0.$((RANDOM % 9 + 1))"
	kill -KILL $pid; wait $pid 2>/dev/null
	kills=$((kills + 1))
	# No worker survives its driver: SIGKILLed with it (PR_SET_PDEATHSIG), a
	# worker finishes the kernel call it is in (reclaim, writeback) and exits.
	# The run's groups: what its meta.json recorded (v1, v2, a delegated
	# subtree alike), and any group of that driver at any depth (killed
	# before its meta.json was written).
	cgs=$( { [[ -f $TMP/k$i/meta.json ]] && "$(dirname "$0")/../recorded-cgroups" "$TMP/k$i/meta.json";
		find /sys/fs/cgroup -maxdepth 6 -type d \( -name "stallbench-$pid-*" -o -name "sb-driver-$pid" \) 2>/dev/null; } | sort -u)
	for cg in $cgs; do
		[[ -d $cg ]] || continue
		groups_seen=$((groups_seen + 1))
		for t in $(seq 50); do
			n=$(wc -l <"$cg/cgroup.procs")
			((n == 0)) && break
			sleep 0.1
		done
		[[ $n -eq 0 ]] || fail "kill $i: $n worker(s) outlived the driver by 5s: $(cat "$cg/cgroup.procs")"
	done
	if [[ -f $TMP/k$i/meta.json ]]; then
		[[ $(jget "$TMP/k$i/meta.json" '["status"]') == incomplete ]] || fail "kill $i: meta not incomplete"
	fi
done
# the loop above looked at real groups (not a glob that matched nothing)
((groups_seen > 0)) || fail "no killed run's cgroup was ever examined for workers left behind"
# The next start removes the stale cgroups.
"$SB" run --workload truncate-storm --cap 64M --duration 1s --no-capture --out "$TMP/after" 2>/dev/null ||
	fail "run after kills failed"
no_stale_cgroups
echo "lifecycle: ok (SIGINT, watchdog, $kills SIGKILLs survived)"
