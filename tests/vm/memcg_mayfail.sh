#!/bin/bash
# RETRY_MAYFAIL|ACCOUNT past a cgroup v2 memory.max fails cleanly: ENOMEM
# returned to a live caller (no OOM kill), NULL recorded, memory.events max grows.
. "$(dirname "$0")/lib.sh"
cat > "$RES/guest.sh" <<'G'
R=$1 C=$1/nofail_client CG=/sys/fs/cgroup/mayfail
mkdir $CG
echo 32M > $CG/memory.max
echo 0 > $CG/memory.swap.max 2>/dev/null
sh -c "echo \$\$ > $CG/cgroup.procs; exec $C alloc 40M retry_mayfail,account,nowarn" > $R/alloc.out
echo alloc_status=$?
sed 's/^/events_/; s/ /=/' $CG/memory.events
rmdir $CG
G
run_guest 300
[ "$VMRC" -eq 0 ] || fail "guest command exit $VMRC"
st=$(val "$RES/vm.out" alloc_status)
[ "$st" = 3 ] || fail "caller exit $st, want 3 (ioctl failed)"
[ "$(val "$RES/alloc.out" ret)" = ENOMEM ] || fail "ioctl returned $(val "$RES/alloc.out" ret), want ENOMEM"
[ "$(val "$RES/alloc.out" null)" = 1 ] || fail "NULL not reported"
[ "$(val "$RES/vm.out" events_max)" -gt 0 ] || fail "memory.events max did not grow"
[ "$(val "$RES/vm.out" events_oom_kill)" = 0 ] || fail "RETRY_MAYFAIL caused an OOM kill"
pass "ENOMEM after $(( $(val "$RES/alloc.out" latency_ns) / 1000000 )) ms, events max $(val "$RES/vm.out" events_max)"
