#!/usr/bin/env bash
# Who gets OOM-killed: a memhog asked for 2x its cap (no swap here) is killed
# by the memcg OOM killer. The result names the victim from oom:mark_victim
# (a worker of this run, its workload, comm, rss, oom_score_adj 1000, and
# that a worker's own charge ran the killer), the driver is never the victim,
# the kill is counted (memory.events / failcnt side and the worker's SIGKILL)
# and `report` prints it. No cgroup left behind.
set -u
. "$(dirname "$0")/lib.sh"
need_root
"$SB" run --workload memhog --hog-size 128M --cap 64M --duration 3s --grace 5s \
	--out "$TMP/oom" 2>"$TMP/err" || fail "run failed: $(cat "$TMP/err")"
no_stale_cgroups
"$SB" report "$TMP/oom" --allow-incomplete > "$TMP/report" || fail "report failed"
python3 - "$TMP/oom" > "$TMP/check" <<'PY' || { cat "$TMP/check"; exit 1; }
import json, sys
d = sys.argv[1]
s = json.load(open(d + "/summary.json"))
def check(cond, msg):
    if not cond:
        print("FAIL:", msg); sys.exit(1)
check(s["oom_kills"] >= 1, "no OOM kill counted: %s" % s["oom_kills"])
# naming the victim is the point of this test: no capture or no mark_victim fails it
check(s["capture"]["enabled"], "capture off (%s)" % s["capture"].get("reason"))
check("oom:mark_victim" in s["capture"]["events"],
      "oom:mark_victim not captured (events %s)" % s["capture"]["events"])
v = s["oom_victims"]
check(s["oom_victims_total"] == len(v) >= 1, "victims: total %s, listed %d" % (s["oom_victims_total"], len(v)))
check(all(x["who"] != "driver" for x in v), "the driver was an OOM victim: %s" % v)
w = [x for x in v if x["who"] == "worker"]
check(w, "no worker among the victims: %s" % v)
x = w[0]
pids = {o["pid"] for o in s["workers"]}
check(x["pid"] in pids and x["workload"] == "memhog", "victim not matched to the worker: %s" % x)
check(x.get("oom_score_adj") == 1000, "worker victim's oom_score_adj %s, want 1000" % x.get("oom_score_adj"))
check(x.get("comm") and x.get("rss_kb", 0) > 32 * 1024, "comm/rss missing or implausible: %s" % x)
check(x["killer"] == "worker", "the kill was not run from the worker's own charge: %s" % x)
check(0 < x["t_ns"] < 10e9, "victim time %s outside the run" % x["t_ns"])
print("PASS: %d OOM kill(s); victim %s[%d] rss %.0f MiB adj %d, killer %s" %
      (s["oom_kills"], x["comm"], x["pid"], x["rss_kb"] / 1024, x["oom_score_adj"], x["killer"]))
PY
cat "$TMP/check"
grep -q '^oom victims: [1-9]' "$TMP/report" || fail "report does not list the OOM victims: $(grep -i oom "$TMP/report")"
# the timeline plot marks the kill at its tick (column 9 of timeline.dat)
if command -v gnuplot >/dev/null; then
	"$SB" plot "$TMP/oom" --out "$TMP/plots" > /dev/null 2>&1 || fail "plot failed"
	awk 'NR > 1 && $9 != "?" && $9 > 0 { n++ } END { exit !n }' "$TMP/plots/timeline.dat" ||
		fail "timeline.dat marks no OOM kill"
fi
