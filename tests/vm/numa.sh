#!/bin/bash
# The guest sees 2 NUMA nodes (sysfs, libnuma's numactl, hwloc), and the
# module's node placement puts an area's pages on the node asked for.
. "$(dirname "$0")/lib.sh"
cat > "$RES/guest.sh" <<'G'
R=$1 C=$1/nofail_client
echo sysfs_nodes=$(ls -d /sys/devices/system/node/node[0-9]* | wc -l)
echo numactl_nodes=$(numactl -H | sed -n 's/^available: \([0-9]*\) nodes.*/\1/p')
echo hwloc_nodes=$(hwloc-calc --number-of numanode machine:0 2>/dev/null)
for n in 0 1; do
	$C alloc 16M nofail,account --node $n > $R/node$n.out
done
G
run_guest 240 --nodes 2
[ "$VMRC" -eq 0 ] || fail "guest command exit $VMRC"
for k in sysfs_nodes numactl_nodes hwloc_nodes; do
	[ "$(val "$RES/vm.out" $k)" = 2 ] || fail "$k = '$(val "$RES/vm.out" $k)', want 2"
done
for n in 0 1; do
	o=$RES/node$n.out
	[ "$(val "$o" ret)" = 0 ] || fail "16M on node $n: $(val "$o" ret)"
	[ "$(val "$o" landed_node)" = $n ] || fail "16M asked on node $n landed on $(val "$o" landed_node)"
	[ "$(val "$o" on_landed)" = "$(val "$o" sampled)" ] || fail "node $n: only $(val "$o" on_landed)/$(val "$o" sampled) sampled pages there"
done
pass "2 nodes; placement on 0 and 1 honoured"
