#!/bin/bash
# cgroup v2 as on systemd lab machines: the driver started inside a delegated
# subtree creates the run's group there (not in the root behind systemd's
# back), moves itself into a leaf so the memory controller can be enabled,
# and on exit puts everything back: no group left, the shell back in place.
# A second run in the root (not delegated) still works and cleans up.
NEED_SB=1
. "$(dirname "$0")/lib.sh"
cat > "$RES/guest.sh" <<G
R=\$1
CG=/sys/fs/cgroup
mkdir \$CG/deleg.scope
echo \$\$ > \$CG/deleg.scope/cgroup.procs
# watch where the run's group is created while it runs
while [ ! -e \$R/stop ]; do
	ls -d \$CG/deleg.scope/stallbench-* \$CG/stallbench-* 2>/dev/null >> \$R/seen.txt
	sleep 0.05
done &
$BIN run --workload truncate-storm --cap 32M --duration 1s --file-size 1M --live 24M --no-capture \\
	--out \$R/deleg > \$R/deleg.log 2>&1
echo deleg_rc=\$?
touch \$R/stop; wait
echo self_cg=\$(cat /proc/self/cgroup)
echo left=\$(ls -d \$CG/deleg.scope/*/ 2>/dev/null | tr '\n' ' ')
echo subtree=\$(cat \$CG/deleg.scope/cgroup.subtree_control)
echo \$\$ > \$CG/cgroup.procs
$BIN run --workload truncate-storm --cap 32M --duration 1s --file-size 1M --live 24M --no-capture \\
	--out \$R/root > \$R/root.log 2>&1
echo root_rc=\$?
echo rootleft=\$(ls -d \$CG/stallbench-* 2>/dev/null | tr '\n' ' ')
G
run_guest 300
O=$RES/vm.out
[ "$(val "$O" deleg_rc)" = 0 ] || fail "delegated run failed: $(tail -n 3 "$RES/deleg.log")"
grep -q "deleg.scope/stallbench-" "$RES/seen.txt" || fail "run group not created in the delegated subtree: $(cat "$RES/seen.txt")"
grep -q "^/sys/fs/cgroup/stallbench-" "$RES/seen.txt" && fail "run group created in the root"
grep -q '"path": "/sys/fs/cgroup/deleg.scope/stallbench-' "$RES/deleg/meta.json" || fail "meta.json path"
[ -z "$(val "$O" left | tr -d ' ')" ] || fail "left behind in the subtree: $(val "$O" left)"
[ "$(val "$O" self_cg)" = "0::/deleg.scope" ] || fail "shell not back in its cgroup: $(val "$O" self_cg)"
[ "$(val "$O" root_rc)" = 0 ] || fail "root run failed: $(tail -n 3 "$RES/root.log")"
[ -z "$(val "$O" rootleft | tr -d ' ')" ] || fail "root run left $(val "$O" rootleft)"
pass "run group in the delegated subtree, everything restored"
