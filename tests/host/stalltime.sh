#!/usr/bin/env bash
# Stall time counted once wherever a user reads a total. A capped storm whose
# writes throttle inside memcg reclaim (nested stalls: the kinds' durations
# add up to more than the time the tasks were stalled); then:
#  - the plot's timeline: the integral of the run's "stall ms/s" equals the
#    union of the run's stall intervals per task (from stalls.csv) within 5%,
#    and memcg_max_mib is the cap in MiB;
#  - watch's final line: stall ms/s times the run's span, and the sum of its
#    per-kind rates, equal that union within 5%;
#  - the stacked "stall time by kind" bars: stacked, they reach that union.
set -u
. "$(dirname "$0")/lib.sh"
need_root
"$SB" run --workload truncate-storm --cap 64M --duration 4s --out "$TMP/r" 2>"$TMP/err" ||
	fail "run failed: $(cat "$TMP/err")"
no_stale_cgroups
"$SB" plot "$TMP/r" --out "$TMP/p" >/dev/null 2>"$TMP/err" || fail "plot failed: $(cat "$TMP/err")"
"$SB" watch --batch --json "$TMP/r" >"$TMP/watch.json" 2>"$TMP/err" ||
	fail "watch failed: $(cat "$TMP/err")"
python3 - "$TMP/r" "$TMP/p" "$TMP/watch.json" <<'PY' || exit 1
import csv, json, sys
from collections import defaultdict
r, p, wj = sys.argv[1:4]
def check(c, msg):
    if not c:
        print("FAIL:", msg); sys.exit(1)
by = defaultdict(list)
raw = 0
for s in csv.DictReader(open(r + "/stalls.csv")):
    if s["scope"] != "run":
        continue
    a = int(s["t_start_ns"]); b = a + int(s["duration_ns"])
    by[s["tid"]].append((a, b)); raw += b - a
union = 0
for v in by.values():
    v.sort(); cur = 0
    for a, b in v:
        if b > cur:
            union += b - max(a, cur); cur = b
union /= 1e6; raw /= 1e6
print("stall: %.1f ms summed by kind, %.1f ms stalled (union per task)" % (raw, union))
check(union > 200, "only %.1f ms stalled: no test" % union)
check(raw > 1.05 * union, "no nested stalls (%.1f vs %.1f ms): the test cannot tell" % (raw, union))
def near(x, what):
    check(abs(x - union) <= 0.05 * union, "%s: %.1f ms, stalled %.1f ms" % (what, x, union))
rows = [l.split() for l in open(p + "/timeline.dat") if l[:1].isdigit()]
hdr = [l.split() for l in open(p + "/timeline.dat") if l.startswith("t_s ")][0]
ci, mi = hdr.index("run_stall_ms_s"), hdr.index("memcg_max_mib")
integ, prev = 0.0, None
for row in rows:
    t = float(row[0])
    if prev is not None and row[ci] != "?":
        integ += float(row[ci]) * (t - prev)
    prev = t
near(integ, "timeline integral of stall ms/s")
check(all(row[mi] == "64" for row in rows), "memcg_max_mib not the 64M cap: %s" %
      sorted({row[mi] for row in rows}))
w = json.loads(open(wj).read().strip().splitlines()[-1])
span = w["elapsed_s"]
near(w["stall_ms_per_s"] * span, "watch stall ms/s x %.2f s" % span)
near(sum(w["stall_ms_per_s_by_kind"].values()) * span, "watch's kinds summed")
tot = [l.split() for l in open(p + "/stalls.dat") if l.startswith("1 ") and len(l.split()) == 3]
check(tot, "no totals block in stalls.dat")
near(float(tot[-1][1]), "stacked bars' total")
PY
echo "PASS"
