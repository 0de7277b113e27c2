#!/bin/bash
# The lab's boot watchdog: a boot that has not reached guest-init in time
# (forced here: STALLBENCH_VM_BOOT_WAIT=3, a TCG boot needs ~8 s) is dumped
# (vm.bootstall.txt with the vCPUs' RIPs, console kept) and retried once; a
# second stall is a lab failure (exit 125), and no QEMU is left running.
. "$(dirname "$0")/lib.sh"
command -v socat >/dev/null || skip "socat not installed (the monitor dump needs it)"
echo true > "$RES/guest.sh"
t0=$(date +%s)
STALLBENCH_VM_BOOT_WAIT=3 "$VMRUN" --kernel "$KERNEL" --accel tcg --timeout 120 --results "$RES" -- \
	bash "$RES/guest.sh" > "$RES/host.out" 2>&1
rc=$?
t=$(($(date +%s) - t0))
[ "$rc" -eq 125 ] || fail "exit $rc, want 125 (lab failure after two stalled boots)"
grep -q 'boot stalled: no guest-init after 3s' "$RES/host.out" || fail "no stall reported"
grep -q 'retrying the boot once' "$RES/host.out" || fail "no retry"
grep -q 'boot stalled twice' "$RES/host.out" || fail "second stall not reported"
[ "$(grep -c '^RIP ' "$RES/vm.bootstall.txt" 2>/dev/null)" -ge 1 ] || fail "vm.bootstall.txt has no RIP"
grep -q '^RIP=' "$RES/vm.bootstall.txt" || fail "vm.bootstall.txt has no register dump"
[ -e "$RES/vm.console.boot1.log" ] || fail "first boot's console not kept"
[ "$t" -lt 60 ] || fail "took ${t}s: the watchdog did not cut the boots short"
[ "$(wc -l < "$RES/vm.qemu.pid")" -eq 2 ] || fail "want two QEMU pids (boot, retry): $(cat "$RES/vm.qemu.pid")"
check_qemu_gone
pass "two forced stalls dumped ($(grep -m1 '^RIP ' "$RES/vm.bootstall.txt" | cut -c1-24)...), retried, exit 125 in ${t}s"
