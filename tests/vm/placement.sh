#!/bin/bash
# NUMA placement through the driver: `stallbench run --node N` binds workers'
# CPUs and memory to node N (libnuma) and verifies where memory landed:
# every memhog fill and every vmalloc-nofail call reports landed_node == N,
# for N = 0 and 1, and meta.json records both nodes from hwloc.
NEED_SB=1
. "$(dirname "$0")/lib.sh"
cat > "$RES/guest.sh" <<G
R=\$1
for n in 0 1; do
	$BIN run --node \$n --duration 2s --no-capture \\
		--workload memhog --hog-size 16M --chunk 4M \\
		--workload vmalloc-nofail --alloc-size 8M --alloc-count 2 --alloc-flags nofail,account \\
		--out \$R/node\$n > \$R/node\$n.log 2>&1
	echo node\${n}_rc=\$?
done
$BIN run --node 7 --workload memhog --out \$R/bad > \$R/bad.log 2>&1
echo bad_rc=\$?
G
run_guest 300
O=$RES/vm.out
for n in 0 1; do
	[ "$(val "$O" node${n}_rc)" = 0 ] || fail "--node $n run failed: $(tail -n 3 "$RES/node$n.log")"
	python3 - "$RES/node$n" "$n" <<'PY' || fail "placement on node $n"
import csv, json, sys
d, n = sys.argv[1], int(sys.argv[2])
rows = list(csv.DictReader(open(d + "/ops.csv")))
m = json.load(open(d + "/meta.json"))
fills = [r for r in rows if r["op"] == "fill"]
allocs = [r for r in rows if r["op"] == "alloc"]
assert len(fills) == 4 and len(allocs) == 4, (len(fills), len(allocs))  # 2 workers x 2 calls
bad = [r for r in fills + allocs if int(r["landed_node"]) != n or int(r["node"]) != n]
assert not bad, bad
assert len(m["topology"]["nodes"]) == 2, m["topology"]
assert m["params"]["node"] == n
print("node %d: %d fills and %d allocs all landed on node %d" % (n, len(fills), len(allocs), n))
PY
done
[ "$(val "$O" bad_rc)" = 2 ] || fail "--node 7 on a 2-node guest: exit $(val "$O" bad_rc), want 2"
pass "--node 0 and 1: memory landed where asked; --node 7 rejected"
