#!/bin/bash
# The module builds for the kernel, loads, serves INFO and a NOFAIL
# allocation, and unloads cleanly without a kernel warning.
# usage: tests/vm/module.sh [KERNEL]   (6.1, 6.12, 6.1-rt, 6.12-rt, ...)
. "$(dirname "$0")/lib.sh"
cat > "$RES/guest.sh" <<'G'
R=$1 C=$1/nofail_client
stat -c 'mode=%a type=%F' /dev/nofail_vmalloc
$C info
$C alloc 8M nofail > $R/alloc.out; echo alloc_rc=$?
G
run_guest 240
[ "$VMRC" -eq 0 ] || fail "guest command exit $VMRC"
[ "$(cat "$RES/vm.insmod" 2>/dev/null)" = 0 ] || fail "insmod failed"
grep -q 'mode=600 type=character special file' "$RES/vm.out" || fail "/dev/nofail_vmalloc is not a 0600 char device"
rel=$(val "$RES/vm.out" release)
[ "$rel" = "$(cat "$RES/vm.uname")" ] || fail "module built for '$rel', guest runs '$(cat "$RES/vm.uname")'"
[ "$(val "$RES/vm.out" alloc_rc)" = 0 ] || fail "8M NOFAIL allocation failed"
[ "$(val "$RES/alloc.out" null)" = 0 ] || fail "NOFAIL returned NULL"
[ "$(cat "$RES/vm.rmmod" 2>/dev/null)" = 0 ] || fail "rmmod failed"
t=$(cat "$RES/vm.tainted")
[ $((t & 512)) -eq 0 ] || fail "kernel warning (taint W) during the test: see $RES/vm.dmesg"
! grep -q 'nofail_vmalloc: BUG' "$RES/vm.dmesg" || fail "module reported a BUG"
pass "release $rel, lru_gen $(cat "$RES/vm.lru_gen"), taint $t"
