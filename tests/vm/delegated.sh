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
# a driver SIGKILLed inside the subtree: its leaf (this shell is in it) and
# its group stay behind, seen; the next run reaps the group, adopts the
# shell and removes the leaf, and leaves the scope as it found it
$BIN run --workload truncate-storm --cap 32M --duration 30s --file-size 1M --live 24M --no-capture \\
	--out \$R/killed > \$R/killed.log 2>&1 &
KP=\$!
for i in \$(seq 200); do [ -s \$R/killed/meta.json ] && break; sleep 0.05; done
sleep 1
kill -KILL \$KP; wait \$KP
echo killed_pid=\$KP
echo killed_leaf=\$(ls -d \$CG/deleg.scope/sb-driver-* 2>/dev/null | tr '\n' ' ')
echo killed_self=\$(cat /proc/self/cgroup)
sleep 2
$BIN run --workload truncate-storm --cap 32M --duration 1s --file-size 1M --live 24M --no-capture \\
	--out \$R/after > \$R/after.log 2>&1
echo after_rc=\$?
echo after_left=\$(ls -d \$CG/deleg.scope/*/ 2>/dev/null | tr '\n' ' ')
echo after_self=\$(cat /proc/self/cgroup)
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
kp=$(val "$O" killed_pid)
[ "$(val "$O" killed_leaf | tr -d ' ')" = "/sys/fs/cgroup/deleg.scope/sb-driver-$kp" ] ||
	fail "the killed driver's leaf: '$(val "$O" killed_leaf)' (pid $kp); its log: $(head -n 3 "$RES/killed.log")"
[ "$(val "$O" killed_self)" = "0::/deleg.scope/sb-driver-$kp" ] || fail "shell after the kill: $(val "$O" killed_self)"
[ "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cgroup"]["driver_leaf"]["path"])' "$RES/killed/meta.json" 2>&1)" = "/sys/fs/cgroup/deleg.scope/sb-driver-$kp" ] ||
	fail "meta.json does not record the driver's leaf: $(grep -A4 '"cgroup"' "$RES/killed/meta.json")"
[ "$(val "$O" after_rc)" = 0 ] || fail "the run after the kill failed: $(tail -n 3 "$RES/after.log")"
grep -q "removed stale cgroup /sys/fs/cgroup/deleg.scope/sb-driver-$kp (its driver was killed)" "$RES/after.log" ||
	fail "the run after the kill did not say it reaped the leaf: $(cat "$RES/after.log")"
[ -z "$(val "$O" after_left | tr -d ' ')" ] || fail "left behind after the reaping run: $(val "$O" after_left)"
[ "$(val "$O" after_self)" = "0::/deleg.scope" ] || fail "shell not back in its scope after the reaping run: $(val "$O" after_self)"
[ "$(val "$O" root_rc)" = 0 ] || fail "root run failed: $(tail -n 3 "$RES/root.log")"
[ -z "$(val "$O" rootleft | tr -d ' ')" ] || fail "root run left $(val "$O" rootleft)"
pass "run group in the delegated subtree, everything restored; a SIGKILLed driver's leaf reaped by the next run"
