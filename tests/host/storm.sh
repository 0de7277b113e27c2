#!/usr/bin/env bash
# A real capped truncate storm on this machine, and an uncapped control.
# Capped (64M, live set 2x): ops recorded, zero size mismatches, the memcg
# limit is hit (memory.events max / failcnt grows), memcg reclaim stalls are
# captured and attributed to the workers, stall_ns <= latency_ns on every row.
# Uncapped: no limit hits and no memcg stall attributed. No cgroup left behind.
# With --callchain, report says where the stall time comes from. Every op
# says where its time went (cpu + runq <= latency; summary and report agree).
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
# every tick row has the header's fields (the header comes from columns.h's
# table, the values from timeline_tick in its order)
rows = list(csv.reader(open(sys.argv[1] + "/timeline.csv")))
check(rows[0][:3] == ["t_ns", "psi_some_avg10", "psi_some_total_us"] and rows[0][-1] == "pswpout" and
      len(rows[0]) == 28, "timeline header %s" % rows[0])
check(all(len(r) == len(rows[0]) for r in rows[1:]), "a timeline row's field count differs from the header's")
check(m["mm"] and "fstype" in m["params"]["workloads"][0], "meta lacks mm/fstype")
for o in ops:
    check(int(o["stall_ns"]) <= int(o["latency_ns"]), "stall_ns > latency_ns: %s" % o)
# where each op's time went: on a CPU + waiting for one never exceeds the wall
# time; summary's time_split is the sum over the rows (sleep = the rest)
# (an op cut at the deadline has no split: its worker never read the end)
done = [o for o in ops if "unfinished" not in o["flags"]]
for o in done:
    check(o["cpu_ns"] != "" and o["runq_ns"] != "", "no cpu_ns/runq_ns: %s" % o)
    check(int(o["cpu_ns"]) + int(o["runq_ns"]) <= int(o["latency_ns"]), "cpu+runq > latency: %s" % o)
check(set(s["ops"]) == {o["workload"] + "/" + o["op"] for o in ops}, "summary ops %s" % list(s["ops"]))
for name, v in s["ops"].items():
    rows = [o for o in done if o["workload"] + "/" + o["op"] == name]
    ts = v["time_split"]
    cpu = sum(int(o["cpu_ns"]) for o in rows)
    rq = sum(int(o["runq_ns"]) for o in rows)
    slp = sum(int(o["latency_ns"]) - int(o["cpu_ns"]) - int(o["runq_ns"]) for o in rows)
    check(ts["ops"] == len(rows) and ts["cpu_ns"] == cpu and ts["runq_ns"] == rq and
          ts["sleep_ns"] == slp, "%s: time_split %s, rows say %d ops, cpu %d, runq %d, sleep %d"
          % (name, ts, len(rows), cpu, rq, slp))
    check(ts["sleep_ns_dist"]["count"] == len(rows), "%s: sleep_ns_dist %s" % (name, ts["sleep_ns_dist"]))
# a CPU clock in the wrong unit or thread is clamped to the wall time, so
# ask for a real split: most writes (page-cache copies) neither all CPU nor none
mid = [o for o in done if 0 < int(o["cpu_ns"]) < int(o["latency_ns"])]
check(len(mid) * 4 > len(done), "only %d of %d ops have 0 < cpu_ns < latency_ns" % (len(mid), len(done)))
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
# the report's split of each op's time is the summary's, to the rounding
python3 - "$TMP/capped/summary.json" "$TMP/report" <<'PY' || fail "report's time split"
import json, re, sys
s = json.load(open(sys.argv[1]))
lines = open(sys.argv[2]).read().split("\n")
i = [n for n, l in enumerate(lines) if l.startswith("where time went ")]
assert i, "no 'where time went' table"
seen = {}
for l in lines[i[0] + 1:]:
    m = re.match(r"^  (\S+) +([0-9.]+)% +([0-9.]+)% +([0-9.]+)% +(\S+) ", l)
    if not m:
        break
    seen[m.group(1)] = [float(x) for x in m.groups()[1:4]] + [m.group(5)]
for name, v in s["ops"].items():
    ts = v["time_split"]
    tot = ts["cpu_ns"] + ts["runq_ns"] + ts["sleep_ns"]
    want = [100.0 * ts[k] / tot for k in ("cpu_ns", "runq_ns", "sleep_ns")]
    got = seen.get(name.split("/")[1])
    assert got, "%s missing from the table: %s" % (name, seen)
    assert all(abs(a - b) <= 0.051 for a, b in zip(got[:3], want)), "%s: %s vs %s" % (name, got, want)
    # the asleep column: the summary's sleep_ns in report's units (3 digits)
    u = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}
    m = re.match(r"^([0-9.]+)(ns|us|ms|s)$", got[3])
    assert m and abs(float(m.group(1)) * u[m.group(2)] - ts["sleep_ns"]) <= 0.01 * ts["sleep_ns"] + 1, \
        "%s: asleep %s vs %d ns" % (name, got[3], ts["sleep_ns"])
assert len(seen) == len(s["ops"]) > 0, "table %s vs summary %s" % (list(seen), list(s["ops"]))
print("report's time split matches summary.json for %d ops" % len(seen))
PY
echo "storm: ok"
