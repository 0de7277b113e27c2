#!/usr/bin/env bash
# NOFAIL allocations counted by per-thread counting events (--count-nofail),
# checked against an independent count of the same ops: the records
# (--callchain also sends every NOFAIL allocation to the rings, where the
# capture checks the bit itself and the attribution counts those inside each
# op's window by tid and time). A 64M-capped truncate storm (this host's ext4:
# ~1 NOFAIL allocation per cut, ~0.9 per 4K block written):
#  - counters+records: the counters' sum over the ops equals the records'
#    exactly (0 events lost by the rings), every finished op has a count,
#    summary.json and ops.csv agree, the mode and lost 0 are stated;
#  - counters alone: no record at all (no nofail point), every finished op
#    counted, and NOFAIL per call of each op kind as in the run with records
#    (a counter without the kernel's filter counts every allocation: many
#    times more per cut).
# ~15 s.
set -u
. "$(dirname "$0")/lib.sh"
need_root

run() { # run DIR ARGS...
	local d=$1
	shift
	"$SB" run --workload truncate-storm --workers 2 --cap 64M --duration 3s --count-nofail \
		"$@" --out "$TMP/$d" 2>"$TMP/$d.err" || fail "run $d failed: $(cat "$TMP/$d.err")"
}
run rec --callchain
run cnt
python3 - "$TMP/rec" "$TMP/cnt" <<'PY' || exit 1
import csv, json, sys
rec, cnt = sys.argv[1:3]
def check(c, msg):
    if not c:
        print("FAIL:", msg); sys.exit(1)
def load(d):
    s = json.load(open(d + "/summary.json"))
    m = json.load(open(d + "/meta.json"))
    rows = list(csv.DictReader(open(d + "/ops.csv")))
    return s, m, rows
def common(d, mode):
    s, m, rows = load(d)
    nf = s["nofail_counting"]
    check(m["params"]["nofail_mode"] == mode and nf["mode"] == mode,
          "%s: mode %s / %s, not %s" % (d, m["params"]["nofail_mode"], nf["mode"], mode))
    check(nf["lost"] == 0 and "nothing can be lost" in nf["how"], "%s: lost %s" % (d, nf))
    check(len(rows) > 50, "%s: only %d ops" % (d, len(rows)))
    fin = [r for r in rows if "unfinished" not in r["flags"]]
    empty = [r for r in fin if r["nofail_allocs"] == ""]
    check(not empty, "%s: %d finished ops without a count" % (d, len(empty)))
    check(nf["ops_uncounted"] == len(rows) - len(fin),
          "%s: ops_uncounted %d, unfinished rows %d" % (d, nf["ops_uncounted"], len(rows) - len(fin)))
    tot = sum(int(r["nofail_allocs"] or 0) for r in rows)
    check(tot == sum(o["nofail_allocs"]["total"] for o in s["ops"].values()),
          "%s: ops.csv and summary.json disagree" % d)
    check(tot > 1000, "%s: only %d NOFAIL allocations in a storm" % (d, tot))
    return s, rows, tot
s, rows, tot = common(rec, "counters+records")
x = s["nofail_counting"]["records_check"]
check(x["records_lost_events"] == 0 and s["lost_events"] == 0, "rings lost events: %s" % x)
check(x["ops"] == len([r for r in rows if "unfinished" not in r["flags"]]),
      "cross-checked %d ops of %d" % (x["ops"], len(rows)))
check(x["counters"] == x["records"],
      "counters %d != records %d over the same %d ops" % (x["counters"], x["records"], x["ops"]))
check(x["counters"] == tot, "cross-check %d, ops.csv %d" % (x["counters"], tot))
folded = sum(int(l.rsplit(" ", 1)[1]) for l in open(rec + "/nofail_stacks.folded") if l.strip())
check(folded >= tot, "nofail_stacks.folded %d < the ops' %d" % (folded, tot))
s2, rows2, tot2 = common(cnt, "counters")
check("records_check" not in s2["nofail_counting"], "counters alone: a records_check")
# where the records are counted, read in the run that has them (so the
# counters-only check below cannot pass on a renamed key)
prec = sum(s["stalls"].get(k, {}).get("points", {}).get("nofail", 0) for k in ("run", "system"))
check(prec > 0, "with --callchain: no NOFAIL records counted in summary stalls.*.points.nofail")
pts = [s2["stalls"].get(k, {}).get("points", {}).get("nofail", 0) for k in ("run", "system")]
check(pts == [0, 0], "counters alone: NOFAIL records in the rings: %s" % pts)
for k, o in s["ops"].items():
    a, b = o["nofail_allocs"]["per_call"], s2["ops"].get(k, {}).get("nofail_allocs", {}).get("per_call")
    check(b is not None, "%s: not in the counters-only run" % k)
    check(abs(a - b) <= max(0.5, 0.25 * a), "%s: NOFAIL per call %.2f with records, %.2f without" % (k, a, b))
print("ok: %d NOFAIL allocations over %d ops, counters == records; counters alone %d over %d ops"
      % (tot, len(rows), tot2, len(rows2)))
PY
no_stale_cgroups
