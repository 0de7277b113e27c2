#!/bin/bash
# The module builds for the kernel, loads, serves INFO and a NOFAIL
# allocation, and unloads cleanly without a kernel warning.
# usage: tests/vm/module.sh [KERNEL]   (6.1, 6.12, 6.1-rt, 6.12-rt, ...)
. "$(dirname "$0")/lib.sh"
cat > "$RES/guest.sh" <<'G'
R=$1 C=$1/nofail_client
stat -c 'mode=%a type=%F' /dev/nofail_vmalloc
$C info
$C alloc 8M nofail,account > $R/alloc.out; echo alloc_rc=$?
G
run_guest 240
check_module_cycle "the module" 8M
grep -q 'mode=600 type=character special file' "$RES/vm.out" || fail "/dev/nofail_vmalloc is not a 0600 char device"
rel=$(val "$RES/vm.out" release)
[ "$rel" = "$(cat "$RES/vm.uname")" ] || fail "module built for '$rel', guest runs '$(cat "$RES/vm.uname")'"
pass "release $rel, lru_gen $(cat "$RES/vm.lru_gen"), taint $TAINT"
