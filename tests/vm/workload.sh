#!/bin/bash
# `stallbench run --workload vmalloc-nofail` inside the guest writes a result
# directory with one ops.csv row per call, and the row of a caller
# OOM-killed past the cap comes from the module's call log (flag "killed").
# meta.json records the module's limits (issue 12) and the upstream release
# behind the Debian kernel with the known vmalloc NOFAIL changes it has;
# doctor in the guest names the same.
# Needs the built driver: $STALLBENCH_BIN or build/stallbench.
# usage: tests/vm/workload.sh [KERNEL]
NEED_SB=1
. "$(dirname "$0")/lib.sh"
cat > "$RES/guest.sh" <<G
R=\$1
# Uncapped: two calls recorded by a live worker.
$BIN run --workload vmalloc-nofail --workers 1 --duration 30s --alloc-size 16M \\
	--alloc-count 2 --no-capture --out \$R/free > \$R/free.log 2>&1
echo free_rc=\$?
# Past a 32M cap: the caller is OOM-killed, its NOFAIL call completes; the
# stall capture sees its memcg reclaim rounds and attributes them to its row.
$BIN run --workload vmalloc-nofail --cap 32M --workers 1 --duration 30s --grace 60s \\
	--alloc-size 40M --alloc-count 1 --out \$R/capped > \$R/capped.log 2>&1
echo capped_rc=\$?
$BIN doctor > \$R/doctor.out 2>&1
G
run_guest 400
for d in free capped; do
	[ -f "$RES/$d/ops.csv" ] || fail "no $d/ops.csv: $(tail -n 3 "$RES/$d.log")"
done
rows() { awk -F, 'NR > 1 && $6 == "alloc"' "$RES/$1/ops.csv"; }
[ "$(rows free | wc -l)" = 2 ] || fail "uncapped run: $(rows free | wc -l) alloc rows, want 2"
rows free | awk -F, '$8 != "0" && $8 != "" { bad = 1 } END { exit bad }' || fail "uncapped run: an alloc failed"
rows free | grep -q killed && fail "uncapped run: a row says killed"
[ "$(rows capped | wc -l)" = 1 ] || fail "capped run: $(rows capped | wc -l) alloc rows, want 1: $(cat "$RES/capped/ops.csv")"
row=$(rows capped)
if grep -q killed <<< "$row"; then
	how="caller killed, row from the module log"
else
	how="caller survived"
fi
grep -q null <<< "$row" && fail "capped run: NOFAIL returned NULL: $row"
# Issue 4: the over-cap NOFAIL call's row carries its reclaim rounds and stall time.
awk -F, '{ exit !($10 > 0 && $9 > 0 && $9 <= $7) }' <<< "$row" ||
	fail "capped run: want reclaim_rounds > 0 and 0 < stall_ns <= latency_ns: $row"
python3 - "$RES/free/meta.json" "$(cat "$RES/vm.uname")" <<'PY' || fail "meta.json: module limits / upstream release"
import json, re, sys
m = json.load(open(sys.argv[1]))
def find(o, key):
    if isinstance(o, dict):
        if key in o:
            return o[key]
        for v in o.values():
            r = find(v, key)
            if r is not None:
                return r
    if isinstance(o, list):
        for v in o:
            r = find(v, key)
            if r is not None:
                return r
    return None
for k in ("module_max_total_bytes", "module_max_areas", "module_max_hold_ns",
          "module_hard_max_bytes", "module_force", "module_max_bytes"):
    v = find(m, k)
    assert v is not None, "no %s in meta.json" % k
k = m["kernel"]
up = k.get("upstream")
rel = re.match(r"^(\d+\.\d+)\.", sys.argv[2]).group(1)
assert up and re.match(r"^%s\.[1-9]\d*$" % re.escape(rel), up), "kernel.upstream %r for %s" % (up, sys.argv[2])
ch = k["vmalloc_nofail_changes"]
assert set(ch) == {"nofail_fatal_signal", "nofail_high_order", "nofail_fallback_mapping"}, ch
# Debian's 6.1.0-N >= 26 is 6.1.112+ and 6.12 is past all three.
assert all(v is True for v in ch.values()), ch
print("meta: upstream %s for %s, limits recorded" % (up, sys.argv[2]))
PY
grep -q "upstream kernel .* is upstream [0-9]*\.[0-9]*\.[0-9]*" "$RES/doctor.out" || fail "doctor names no upstream release: $(grep upstream "$RES/doctor.out")"
[ "$(grep -c 'vmalloc NOFAIL   has ' "$RES/doctor.out")" = 3 ] || fail "doctor: $(grep 'vmalloc NOFAIL' "$RES/doctor.out")"
grep -q 'nofail limits .*max_total_bytes=' "$RES/doctor.out" || fail "doctor shows no module limits: $(grep nofail "$RES/doctor.out")"
lost=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["lost_events"])' "$RES/capped/summary.json")
[ "$lost" = 0 ] || fail "capped run: $lost lost trace events"
pass "2 uncapped rows; capped row: $how ($row)"
