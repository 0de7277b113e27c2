#!/bin/bash
# NOFAIL|ACCOUNT past a cgroup v2 memory.max: the call completes (never
# NULL) although the caller is usually OOM-killed on the way; memory.events
# max grows; the module's call log has the row the dead caller could not
# write. Sized from vmlab.md: past the cap 6.1 charges ~1 MB/s under TCG,
# so 40M against a 32M cap is ~10-20 s.
. "$(dirname "$0")/lib.sh"
cat > "$RES/guest.sh" <<'G'
R=$1 C=$1/nofail_client CG=/sys/fs/cgroup/nofail
mkdir $CG
echo 32M > $CG/memory.max
echo 0 > $CG/memory.swap.max 2>/dev/null
echo max_before=$(awk '$1 == "max" { print $2 }' $CG/memory.events)
sh -c "echo \$\$ > $CG/cgroup.procs; exec $C alloc 40M nofail,account" > $R/alloc.out
echo alloc_status=$?
pid=$(sed -n 's/^pid=//p' $R/alloc.out)
$C log --pid "$pid" > $R/log.out
cat $R/log.out
sed 's/^/events_/; s/ /=/' $CG/memory.events
rmdir $CG
G
run_guest 420
[ "$VMRC" -eq 0 ] || fail "guest command exit $VMRC"
st=$(val "$RES/vm.out" alloc_status)
case $st in
0|137) ;;
*) fail "caller exit $st (want 0, or 137 when OOM-killed)" ;;
esac
rec=$(head -n1 "$RES/log.out")
[ -n "$rec" ] || fail "no call-log record for the caller"
grep -q ' err=0 null=0 ' <<< "$rec" || fail "record says the call failed: $rec"
grep -q ' bytes=41943040 ' <<< "$rec" || fail "record has the wrong size: $rec"
grep -q 'nofail_vmalloc: FINDING' "$RES/vm.dmesg" && fail "NOFAIL returned NULL"
m0=$(val "$RES/vm.out" max_before)
m1=$(val "$RES/vm.out" events_max)
[ "${m1:-0}" -gt "${m0:-0}" ] || fail "memory.events max did not grow ($m0 -> $m1)"
lat=$(sed -n 's/.* latency_ns=\([0-9]*\).*/\1/p' <<< "$rec")
pass "caller exit $st, latency $((lat / 1000000)) ms, events max $m1 oom $(val "$RES/vm.out" events_oom) oom_kill $(val "$RES/vm.out" events_oom_kill), $(grep -o 'fatal_signal=[01]' <<< "$rec")"
