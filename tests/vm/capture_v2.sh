#!/bin/bash
# The capture's host tests on cgroup v2, the hierarchy of current lab
# machines (this machine's memory controller is v1, so on the host they run
# on v1 only): inside a guest, host_memcg.sh (memcg reclaim stalls on the
# writer's tids, none lost, none negative, symbolised stacks) and
# perf_crosscheck.sh (capdump agrees with `perf record -a` + perf script,
# the host's perf: counts within 1%, total time within 1% + 20 us per stall,
# a TCG handler's cost, as perf_crosscheck.sh explains) on a 64M cgroup v2
# group whose writers write to an ext4 disk.
# A skip inside the guest is a failure here: the guest has everything.
# usage: tests/vm/capture_v2.sh [KERNEL]
. "$(dirname "$0")/lib.sh"
CAPDUMP=${CAPDUMP:-$TOP/build/tests/capture/capdump}
[ -x "$CAPDUMP" ] || fail "capdump not built ($CAPDUMP): part of the build"
command -v perf >/dev/null || skip "perf not installed (linux-perf)"
# The guest's /tmp is a tmpfs: the scripts and capdump go where it sees them.
mkdir -p "$RES/capture"
cp "$CAPDUMP" "$TOP"/tests/capture/{cgtest.sh,pressure.sh,host_memcg.sh,perf_crosscheck.sh} \
	"$RES/capture/" || fail "cannot copy the capture tests"
cat > "$RES/guest.sh" <<'G'
R=$1
# Dirty pages written back early: a 64M group whose 256M dd writes mostly
# dirty pages to a TCG-slow disk can find nothing clean to reclaim and
# OOM-kill dd (seen once in ~20 runs on 6.12); the reclaim stays
# page-cache reclaim, of clean pages under writeback's pace.
echo 2097152 > /proc/sys/vm/dirty_background_bytes
echo 8388608 > /proc/sys/vm/dirty_bytes
for t in host_memcg perf_crosscheck; do
	SB_CAP_WORKDIR=/mnt/disk SB_XCHECK_STALL_NS=20000 sh "$R/capture/$t.sh" "$R/capture/capdump" > "$R/$t.log" 2>&1
	echo "${t}_rc=$?"
done
G
run_guest 400 --disk 1G	# the guest's /var/tmp is a tmpfs: the writers need ext4
[ "$VMRC" -eq 0 ] || fail "guest command exit $VMRC"
grep -q "Killed process .* (dd)" "$RES/vm.dmesg" && fail "a writer was OOM-killed: not page-cache pressure"
for t in host_memcg perf_crosscheck; do
	rc=$(val "$RES/vm.out" "${t}_rc")
	grep -q "^memory cgroup v2 at /sys/fs/cgroup$" "$RES/$t.log" ||
		fail "$t did not run on cgroup v2: $(head -3 "$RES/$t.log")"
	[ "$rc" = 0 ] || fail "$t in the guest exit $rc: $(tail -n 6 "$RES/$t.log")"
done
grep -E "^memcg " "$RES/perf_crosscheck.log" | head -1 | grep -Eq "^memcg [1-9][0-9]* " ||
	fail "perf cross-check compared no memcg stalls: $(cat "$RES/perf_crosscheck.log")"
pass "$(grep '^memcg stalls on the writers' "$RES/host_memcg.log"); perf vs capdump: $(grep '^memcg ' "$RES/perf_crosscheck.log")"
