#!/bin/bash
# The seed question in the lab: a truncate storm on ext4 (vm/run --disk)
# under --global-pressure, with --callchain. The pressure is real: the
# holder brought MemAvailable near its target and direct-reclaim stalls
# appear; the cut ops (ftruncate, truncate, punch, unlink_close) make NOFAIL
# allocations (ext4's extent path), counted per op; report answers per cut
# op (stall share, NOFAIL allocations per call, ENOMEM) and says where they
# come from. No holder survives the run.
# The guest boots with transparent_hugepage=never: with THP on, khugepaged
# raises min_free_kbytes to ~44M in a 1G guest, so the lowest target the
# holder accepts (min watermarks + 32M) leaves kswapd enough room that no
# task ever reclaims directly (measured: 0 direct stalls at 80M on 6.12);
# with THP off min_free_kbytes is ~4M and 60M brings 400-500 direct stalls
# in 15 s. It also avoids the kcompactd soft lockup vmlab.md records.
# usage: tests/vm/global_truncate.sh [KERNEL]
#   SB_GP_DURATION (20s), SB_GP_TARGET (60M), SB_GP_LIVE (256M): the storm;
#   SB_VM_KEEP=1 keeps the results (the README's figures come from there).
NEED_SB=1
. "$(dirname "$0")/lib.sh"
DUR=${SB_GP_DURATION:-20s}
TARGET=${SB_GP_TARGET:-60M}
LIVE=${SB_GP_LIVE:-256M}
cat > "$RES/guest.sh" <<G
R=\$1
echo avail_before_kb=\$(awk '/MemAvailable/ {print \$2}' /proc/meminfo)
mkdir -p /mnt/disk/storm
$BIN run --workload truncate-storm --dir /mnt/disk/storm --live $LIVE --workers 3 --duration $DUR \\
	--global-pressure $TARGET --callchain --out \$R/gp > \$R/gp.log 2>&1
echo run_rc=\$?
echo holders_left=\$(pgrep -x sb-pressure | wc -l)
echo avail_after_kb=\$(awk '/MemAvailable/ {print \$2}' /proc/meminfo)
$BIN report \$R/gp > \$R/report.txt 2>&1
echo report_rc=\$?
G
run_guest 420 --disk 1G --mem 1G --nodes 1 --cmdline-extra transparent_hugepage=never
[ "$VMRC" -eq 0 ] || fail "guest command exit $VMRC"
[ "$(val "$RES/vm.out" run_rc)" = 0 ] || fail "run failed: $(tail -n 3 "$RES/gp.log")"
[ "$(val "$RES/vm.out" report_rc)" = 0 ] || fail "report failed: $(tail -n 3 "$RES/report.txt")"
[ "$(val "$RES/vm.out" holders_left)" = 0 ] || fail "a pressure holder outlived the run"
python3 - "$RES/gp" <<'PY' || fail "the seed question is not answered (see above)"
import csv, json, sys
d = sys.argv[1]
m = json.load(open(d + "/meta.json")); s = json.load(open(d + "/summary.json"))
ops = list(csv.DictReader(open(d + "/ops.csv")))
st = list(csv.DictReader(open(d + "/stalls.csv")))
def check(c, msg):
    if not c:
        print("FAIL:", msg); sys.exit(1)
p = m["pressure"]
check(p["holder"] == "holding", "holder %s" % p["holder"])
check(abs(p["achieved_bytes"] - p["target_bytes"]) <= max(p["tolerance_bytes"], 32 << 20),
      "MemAvailable %d at the start, target %d" % (p["achieved_bytes"], p["target_bytes"]))
check(s["capture"]["enabled"] and s["lost_events"] == 0, "capture: lost %s" % s["lost_events"])
direct = [x for x in st if x["kind"] == "direct"]
check(len(direct) > 0, "no direct-reclaim stall under global pressure")
cuts = ("ftruncate", "truncate", "punch", "unlink_close")
for c in cuts:
    rows = [o for o in ops if o["op"] == c]
    check(rows, "no %s ops" % c)
    nf = sum(int(o["nofail_allocs"]) for o in rows)
    check(nf > 0, "%s: no NOFAIL allocation in %d calls" % (c, len(rows)))
    so = s["ops"]["truncate-storm/" + c]
    check(so["nofail_allocs"]["total"] == nf, "%s: summary and ops.csv disagree" % c)
    check(set(so["rounds_by_source"]) >= {"rounds_direct", "rounds_memcg", "nofail_allocs"},
          "%s: rounds by source incomplete" % c)
    print("%s: %d calls, %.2f NOFAIL/call, stalled %.1f%%, ENOMEM %d" % (
        c, len(rows), nf / len(rows), 100 * so["stall_ns"]["stalled_share"],
        so["errors"].get("ENOMEM", 0)))
print("direct-reclaim stalls: %d (run %d); MemAvailable %d..%d MiB, held %d MiB" % (
    len(direct), sum(x["scope"] == "run" for x in direct),
    p["mem_available_min_bytes"] >> 20, p["mem_available_max_bytes"] >> 20, p["held_bytes"] >> 20))
PY
grep -q '^what each op paid with MemAvailable held at' "$RES/report.txt" || fail "report lacks the per-op answer"
for c in ftruncate truncate punch unlink_close; do
	grep -A1 "^  $c: " "$RES/report.txt" | grep -q 'NOFAIL allocations per call' ||
		fail "report: no answer line for $c"
done
grep -q '^where the NOFAIL allocations come from' "$RES/report.txt" || fail "report: no NOFAIL sources"
pass "$(grep -c . "$RES/gp/ops.csv") ops rows; direct stalls and NOFAIL in every cut op"
