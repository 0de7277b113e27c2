#!/bin/bash
# The lab's Oops classifier end to end: a guest that crashes with none of the
# module's frames on its stack (forced here: sysrq-trigger c, a panic in
# sysrq_handle_crash) is a lab flake: counted, its trace kept (vm.oops.*),
# what the first attempt wrote moved to vm.attempt1/, retried once, and the
# second crash is a lab failure (exit 125). No QEMU is left running.
. "$(dirname "$0")/lib.sh"
cat > "$RES/guest.sh" <<'G'
R=$1
touch "$R/attempt.$(cat /proc/sys/kernel/random/boot_id)"
sync
echo c > /proc/sysrq-trigger
G
"$VMRUN" --kernel "$KERNEL" --timeout 240 --results "$RES" -- bash "$RES/guest.sh" "$RES" > "$RES/host.out" 2>&1
rc=$?
[ "$rc" -eq 125 ] || fail "exit $rc, want 125 (a lab failure after two crashes)"
grep -q '^vm/run: lab flake: guest Oops without module frames, retrying (1/1)$' "$RES/host.out" ||
	fail "no 'lab flake' line: $(grep '^vm/run:' "$RES/host.out" | tail -n 4)"
grep -q 'lab failure: guest Oops without module frames on the retry too' "$RES/host.out" ||
	fail "second crash not reported as a lab failure"
[ "$(grep -c 'guest Oops without module frames' "$RES/vm.flakes")" -eq 2 ] || fail "vm.flakes: $(cat "$RES/vm.flakes")"
for f in vm.oops.boot1.txt vm.oops.txt; do
	grep -q 'sysrq' "$RES/$f" || fail "$f lacks the crash trace"
	! grep -q '\[nofail_vmalloc\]' "$RES/$f" || fail "$f has module frames"
done
[ -s "$RES/vm.console.boot1.log" ] || fail "the first boot's console was not kept"
[ "$(ls "$RES"/attempt.* 2>/dev/null | wc -l)" -eq 1 ] || fail "the retry did not start on a clean results folder"
[ "$(ls "$RES"/vm.attempt1/attempt.* 2>/dev/null | wc -l)" -eq 1 ] || fail "the first attempt's output is not in vm.attempt1/"
[ "$(wc -l < "$RES/vm.qemu.pid")" -eq 2 ] || fail "want two QEMU pids (boot, retry): $(cat "$RES/vm.qemu.pid")"
check_qemu_gone
pass "two crashes without module frames: flake counted, retried once, exit 125; $(sed -n '2s/^\[ *[0-9.]*\] //p' "$RES/vm.oops.txt")"
