#!/bin/bash
# The lab's crash rule end to end: a guest that crashes with none of the
# module's frames on its stack and no known lab signature (forced here:
# sysrq-trigger c, a panic in sysrq_handle_crash; an OOM panic or a late
# corruption found by another task reads the same) is a failure with its
# trace, never retried: vm/run exits 1, keeps vm.oops.txt, says "kernel" in
# vm.crash, boots once (one QEMU pid, nothing in vm.flakes), and the suite's
# run_guest fails on it naming the crash. The one retried signature (an int3
# Oops without module frames, in a run without the module) is checked offline
# on a saved console (tests/vm/classify_console.sh). No QEMU is left running.
. "$(dirname "$0")/lib.sh"
cat > "$RES/guest.sh" <<'G'
R=$1
touch "$R/attempt.$(cat /proc/sys/kernel/random/boot_id)"
sync
echo c > /proc/sysrq-trigger
G
"$VMRUN" --kernel "$KERNEL" --timeout 240 --results "$RES" -- bash "$RES/guest.sh" "$RES" > "$RES/host.out" 2>&1
rc=$?
[ "$rc" -eq 1 ] || fail "exit $rc, want 1 (a crash that is no lab flake fails, unretried)"
grep -q '^vm/run: guest kernel crash (no known lab flake): a failure, not retried' "$RES/host.out" ||
	fail "no crash line: $(grep '^vm/run:' "$RES/host.out" | tail -n 4)"
! grep -q 'lab flake:' "$RES/host.out" || fail "retried as a lab flake: $(grep 'lab flake:' "$RES/host.out")"
[ ! -s "$RES/vm.flakes" ] || fail "counted as a flake: $(cat "$RES/vm.flakes")"
[ "$(cat "$RES/vm.crash" 2>/dev/null)" = kernel ] || fail "vm.crash: $(cat "$RES/vm.crash" 2>&1)"
grep -q 'sysrq' "$RES/vm.oops.txt" || fail "vm.oops.txt lacks the crash trace"
[ "$(ls "$RES"/attempt.* 2>/dev/null | wc -l)" -eq 1 ] || fail "booted more than once"
[ "$(wc -l < "$RES/vm.qemu.pid")" -eq 1 ] || fail "want one QEMU pid (no retry): $(cat "$RES/vm.qemu.pid")"
check_qemu_gone
pass "a crash without module frames or a lab signature: exit 1, trace kept, not retried; $(sed -n '2s/^\[ *[0-9.]*\] //p' "$RES/vm.oops.txt")"
