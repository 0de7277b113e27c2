#!/usr/bin/env bash
# A real capped truncate storm on this machine, and an uncapped control.
# Capped (64M, live set 2x): ops recorded, zero size mismatches, the memcg
# limit is hit (memory.events max / failcnt grows), memcg reclaim stalls are
# captured and attributed to the workers, stall_ns <= latency_ns on every row.
# Uncapped: no limit hits and no memcg stall attributed. No cgroup left behind.
# With --callchain, report says where the stall time comes from.
set -u
. "$(dirname "$0")/lib.sh"
need_root
"$SB" run --workload truncate-storm --cap 64M --duration 4s --callchain --out "$TMP/capped" 2>"$TMP/err" ||
	fail "capped run failed: $(cat "$TMP/err")"
"$SB" run --workload truncate-storm --live 64M --duration 3s --out "$TMP/free" 2>"$TMP/err" ||
	fail "uncapped run failed: $(cat "$TMP/err")"
no_stale_cgroups
python3 - "$TMP/capped" "$TMP/free" <<'PY' || exit 1
import csv, json, sys
def load(d):
    ops = list(csv.DictReader(open(d + "/ops.csv")))
    st = list(csv.DictReader(open(d + "/stalls.csv")))
    s = json.load(open(d + "/summary.json")); m = json.load(open(d + "/meta.json"))
    tl = list(csv.DictReader(open(d + "/timeline.csv")))
    return ops, st, s, m, tl
def check(cond, msg):
    if not cond:
        print("FAIL:", msg); sys.exit(1)
ops, st, s, m, tl = load(sys.argv[1])
check(m["status"] == "complete" and s["status"] == "complete", "capped: status %s" % m["status"])
check(len(ops) > 50, "capped: only %d ops" % len(ops))
cuts = {o["op"] for o in ops}
check({"write", "ftruncate", "truncate", "punch", "unlink_close"} <= cuts, "capped: cuts %s" % cuts)
check(all("mismatch" not in o["flags"] for o in ops) and s["size_mismatches"] == 0, "size mismatch")
check(s["memcg"]["max_events"] > 0, "capped: memcg limit never hit: %s" % s["memcg"])
check(m["cgroup"]["cap_bytes"] == 64 << 20, "cap not recorded")
check(len(tl) >= 20, "timeline has %d rows" % len(tl))
check(m["mm"] and "fstype" in m["params"]["workloads"][0], "meta lacks mm/fstype")
for o in ops:
    check(int(o["stall_ns"]) <= int(o["latency_ns"]), "stall_ns > latency_ns: %s" % o)
# the stall and attribution checks are the point of this test: no capture is a failure
check(s["capture"]["enabled"], "capped: capture off (%s)" % s["capture"].get("reason"))
check(s["lost_events"] == 0, "lost events %s" % s["lost_events"])
memcg = [x for x in st if x["kind"] == "memcg" and x["scope"] == "run"]
check(len(memcg) > 10, "capped: %d memcg stalls of workers" % len(memcg))
att = sum(int(o["stall_ns"]) for o in ops)
check(att > 0 and sum(int(o["reclaim_rounds"]) for o in ops) > 0, "no stall attributed")
print("capped: %d ops, %d memcg stalls, %.3fs attributed, max events %d" %
      (len(ops), len(memcg), att / 1e9, s["memcg"]["max_events"]))
ops, st, s, m, tl = load(sys.argv[2])
check(m["status"] == "complete", "uncapped: status")
check(s["capture"]["enabled"], "uncapped: capture off (%s)" % s["capture"].get("reason"))
check(len(ops) > 50, "uncapped: only %d ops" % len(ops))
check(s["memcg"]["max_events"] == 0, "uncapped: limit hits %s" % s["memcg"])
check(not [x for x in st if x["kind"] == "memcg" and x["scope"] == "run"], "uncapped: memcg stalls")
print("uncapped control: %d ops, no limit hits, no memcg stall" % len(ops))
PY
"$SB" report "$TMP/capped" > "$TMP/report" || fail "report failed"
# --callchain: where the stall time comes from, down to the reclaim entry
[[ -s $TMP/capped/stacks.folded ]] || fail "--callchain run wrote no stacks.folded"
grep -q '^where the stall time comes from' "$TMP/report" || fail "report lacks the stack sources"
grep -A2 '^then the path' "$TMP/report" | grep -q ' <- ' || fail "no 'syscall <- caller' line"
grep -q 'try_to_free_mem_cgroup_pages\|reclaim_throttle' "$TMP/report" ||
	fail "stack sources do not reach memcg reclaim: $(grep -A6 '^where' "$TMP/report")"
"$SB" report --json "$TMP/capped" | python3 -c 'import json,sys; json.load(sys.stdin)' || fail "report --json"
echo "storm: ok"
