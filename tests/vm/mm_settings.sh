#!/bin/bash
# The settings a reviewer asks about, in a 6.12 guest (cgroup v2, MGLRU):
# - `--mm lru_gen=n` is in force during the run (meta.json records it, the
#   sysfs file reads 0x0000 while it runs) and MGLRU is back on after;
# - the same anonymous overfill that memory.max answers with an OOM kill,
#   memory.high (`--cap-as high`) answers with throttling: high events, no
#   kill, and the hog lives to the end; the throttle is time asleep inside
#   the fills (ops.csv cpu_ns/runq_ns, summary time_split), not reclaim stall,
#   and its wait site is memory.high's penalty (mem_cgroup_handle_over_high)
#   for most of that sleep (summary offcpu, the report's "asleep:" line);
# - memory.low protects a sibling: a file working set in --group prot next to
#   an aggressor in --group aggr refaults far less with --low than without;
# - placement per workload: CPU on node 0, memory on node 1 lands as asked and
#   every op records CPU node 0 (what happened, from getcpu at the op's start);
# - a `thp` point into fragmented memory makes compaction stalls real (the
#   capture records them in the faulting workers) and counts the faults that
#   fell back to small pages.
NEED_SB=1
. "$(dirname "$0")/lib.sh"
cat > "$RES/guest.sh" <<G
R=\$1
L=/sys/kernel/mm/lru_gen/enabled
echo lru_before=\$(cat \$L)
$BIN run --duration 3s --cap 64M --workload memhog --hog-size 16M --mm lru_gen=n \\
	--out \$R/lru > \$R/lru.log 2>&1 &
p=\$!
for i in \$(seq 100); do [ -f \$R/lru/meta.json ] && break; sleep 0.1; done
echo lru_during=\$(cat \$L)
wait \$p
echo lru_rc=\$?
echo lru_after=\$(cat \$L)
# memory.high: each 4M fill past ~52M sleeps 3-4 s in the penalty (2 s per
# return to user at most), so a 4 s run holds one such fill or two, by TCG's
# luck (sleep 3.1 s or 7.2 s against ~1 s on a CPU); 10 s holds at least three
for how in max high; do
	d=4s; [ \$how = max ] || d=10s
	$BIN run --duration \$d --grace 20s --cap 48M --cap-as \$how \\
		--workload memhog --hog-size 96M --chunk 4M --out \$R/\$how > \$R/\$how.log 2>&1
	echo \${how}_rc=\$?
done
$BIN run --duration 2s --no-capture --workload memhog --hog-size 16M --chunk 2M \\
	--cpu-node 0 --mem-node 1 --out \$R/remote > \$R/remote.log 2>&1
echo remote_rc=\$?
# memory.low: a file working set (prot, 40M) next to an aggressor whose own
# 120M working set is hot too (it fills in ~3 s, then loops), unprotected then
# protected. Which of two hot sets MGLRU evicts first without protection is
# the kernel's call and varies run to run (prot's refaults measured 934 to
# 39232 in 5 s), so the unprotected case is run up to 3 times until it shows
# the eviction that memory.low is to prevent; the protected case runs once.
low_run() {
	a=; [ \$1 = none ] || a="--low \$1"
	$BIN run --duration 5s --no-capture --cap 96M \\
		--group prot \$a --workload memhog --mode file --hog-size 40M --chunk 4M --hog-dir /mnt/disk \\
		--group aggr --workload memhog --mode file --hog-size 120M --chunk 4M --hog-dir /mnt/disk \\
		--out \$R/low_\$1 > \$R/low_\$1.log 2>&1
	echo low_\${1}_rc=\$?
}
for t in 1 2 3; do
	rm -rf \$R/low_none
	low_run none
	echo low_none_tries=\$t
	ru=\$(awk '/"prot": \\{/ { p = 1 } p && /workingset_refault_file/ { gsub(/[^0-9]/, ""); print; exit }' \$R/low_none/summary.json)
	echo low_none_refaults_\$t=\$ru
	[ "\${ru:-0}" -gt 1000 ] && break
done
low_run 48M
free=\$(awk '/^MemFree/ { print \$2 }' /proc/meminfo)
echo memfree_kb=\$free
$BIN run --duration 15s --workload thp --workers 1 --fragment \$((free * 9 / 10))K --thp-size 256M \\
	--out \$R/thp > \$R/thp.log 2>&1
echo thp_rc=\$?
G
run_guest 500 --mem 1G --disk 1G
O=$RES/vm.out
[ "$(val "$O" lru_before)" = 0x0007 ] || fail "6.12 guest boots with lru_gen $(val "$O" lru_before), not 0x0007"
[ "$(val "$O" lru_rc)" = 0 ] || fail "--mm lru_gen=n run: exit $(val "$O" lru_rc): $(tail -n 3 "$RES/lru.log")"
[ "$(val "$O" lru_during)" = 0x0000 ] || fail "lru_gen during the run: $(val "$O" lru_during), want 0x0000"
[ "$(val "$O" lru_after)" = 0x0007 ] || fail "lru_gen after the run: $(val "$O" lru_after), want 0x0007 back"
for lo in none 48M; do
	[ "$(val "$O" low_${lo}_rc)" = 0 ] || fail "memory.low run ($lo): exit $(val "$O" low_${lo}_rc): $(tail -n 3 "$RES/low_$lo.log")"
done
echo "memory.low: the unprotected case took $(val "$O" low_none_tries) run(s): prot refaults $(sed -n 's/^low_none_refaults_[0-9]=//p' "$O" | tr '\n' ' ')"
python3 - "$RES" <<'PY' || fail "see above"
import json, sys
R = sys.argv[1]
def load(d, f): return json.load(open("%s/%s/%s" % (R, d, f)))
m = load("lru", "meta.json")
assert m["mm"]["lru_gen"] == "0x0000", m["mm"]["lru_gen"]
assert m["mm_set"] == {"lru_gen": "n"}, m["mm_set"]
hi, mx = load("high", "summary.json"), load("max", "summary.json")
hm = load("high", "meta.json")
assert "high_bytes" in hm["params"] and hm["params"]["cap_bytes"] == 0, hm["params"]
assert mx["oom_kills"] >= 1, "memory.max alone should OOM-kill the 96M hog in 48M: %s" % mx["memcg"]
assert hi["oom_kills"] == 0, "memory.high killed: %s" % hi["memcg"]
assert hi["memcg"]["high_events"] > 0, "no memory.high events: %s" % hi["memcg"]
assert load("high", "meta.json")["status"] == "complete"
# where the fills' wall time went: memory.high's penalty is sleep inside the
# fault (no reclaim tracepoint shows it), memory.max's path stays on a CPU
# (measured: 7.22 s asleep under high in 4 s, 0.00 s under max, 14 and 12 fills)
ts_hi = hi["ops"]["memhog/fill"]["time_split"]
ts_mx = mx["ops"]["memhog/fill"]["time_split"]
assert ts_hi["sleep_ns"] > 2e9 and ts_hi["sleep_ns"] > 5 * ts_hi["cpu_ns"], \
    "memory.high's throttle not seen as sleep: %s" % ts_hi
assert ts_mx["sleep_ns"] < 0.5e9, "memory.max fills asleep: %s" % ts_mx
assert hi["ops"]["memhog/fill"]["stall_ns"]["total"] < 0.2 * ts_hi["sleep_ns"], \
    "the throttle shows as reclaim stall after all: %s" % hi["ops"]["memhog/fill"]["stall_ns"]
import re
oc = hi["ops"]["memhog/fill"]["offcpu"]
top = oc["sites"][0] if oc["sites"] else {"site": "", "sleep_ns": 0, "wakers": {}}
assert re.fullmatch(r"_*mem_cgroup_handle_over_high", top["site"]) and \
    top["sleep_ns"] >= 0.5 * ts_hi["sleep_ns"], \
    "memory.high's penalty is not most of the fills' sleep: %s of %d ns asleep" % (
        oc["sites"][:3], ts_hi["sleep_ns"])
print("memory.high fills asleep %.0f%% in %s" % (100.0 * top["sleep_ns"] / ts_hi["sleep_ns"], top["site"]))
print("memory.high fills: %.2f s asleep, %.2f s on a CPU, %.3f s in reclaim stalls; "
      "memory.max fills: %.2f s asleep" % (ts_hi["sleep_ns"] / 1e9, ts_hi["cpu_ns"] / 1e9,
      hi["ops"]["memhog/fill"]["stall_ns"]["total"] / 1e9, ts_mx["sleep_ns"] / 1e9))
import csv
rows = list(csv.DictReader(open(R + "/remote/ops.csv")))
fills = [r for r in rows if r["op"] == "fill"]
assert len(fills) == 8, len(fills)
bad = [r for r in rows if int(r["node"]) != 0 or (r["op"] == "fill" and int(r["landed_node"]) != 1)]
assert not bad, "CPU on node 0, memory on node 1: %s" % bad[:3]
pl = load("remote", "meta.json")["params"]["workloads"][0]["options"]["placement"]
assert pl == {"cpu_node": 0, "mem_nodes": "1", "mem_policy": "bind"}, pl
un, pr = load("low_none", "summary.json"), load("low_48M", "summary.json")
ru = un["groups"]["prot"]["workingset_refault_file"]
rp = pr["groups"]["prot"]["workingset_refault_file"]
assert ru > 1000, "the unprotected working set was hardly evicted in 3 runs (refaults %d last): no test" % ru
assert rp * 4 < ru, "memory.low did not protect: prot refaults %d protected vs %d not" % (rp, ru)
print("memory.low: prot's file refaults %d unprotected, %d with low 48M (aggr: %d, %d)" % (
      ru, rp, un["groups"]["aggr"]["workingset_refault_file"],
      pr["groups"]["aggr"]["workingset_refault_file"]))
th = load("thp", "summary.json")
f = th["ops"]["thp/fault"]
comp = th["stalls"]["run"].get("compaction", {}).get("count", 0)
assert f["count"] > 0
assert comp > 0, "no compaction stall in the faulting workers: %s" % th["stalls"]["run"].keys()
print("max: %d OOM kill(s); high: %d high events, no kill; thp: %d faults, %d huge, "
      "%d compaction stalls" % (mx["oom_kills"], hi["memcg"]["high_events"], f["count"],
      f["flags"]["huge"], comp))
PY
[ "$(val "$O" high_rc)" = 0 ] || fail "--cap-as high run: exit $(val "$O" high_rc): $(tail -n 3 "$RES/high.log")"
[ "$(val "$O" thp_rc)" = 0 ] || fail "thp run: exit $(val "$O" thp_rc): $(tail -n 3 "$RES/thp.log")"
"$HOSTBIN" report "$RES/thp" | grep -q "huge pages: [0-9]* of [0-9]* faults" || fail "report does not count THP fallbacks"
# what the reader sees of the throttle: report's split and the time figure
"$HOSTBIN" report "$RES/high" > "$RES/high.report" || fail "report of the memory.high run: exit $?"
grep -A3 '^where time went ' "$RES/high.report" | grep -Eq '^  fill +[0-9.]+% +[0-9.]+% +([5-9][0-9]|100)\.[0-9]%' ||
	fail "report does not show memory.high's fills mostly asleep: $(grep -A3 '^where time went' "$RES/high.report")"
grep -Eq '^    asleep: ([5-9][0-9]|100)% in _*mem_cgroup_handle_over_high ' "$RES/high.report" ||
	fail "report does not name memory.high's penalty as the fills' wait site: $(grep -A6 '^what each op paid' "$RES/high.report")"
sed -n '/^what each op paid/,$p' "$RES/high.report"
command -v gnuplot >/dev/null || fail "gnuplot not installed (.ci/packages has it): the time figure is part of this test"
{
	"$HOSTBIN" plot "$RES/max" "$RES/high" --out "$RES/plots" > "$RES/plot.log" 2>&1 || fail "plot: $(tail -n 2 "$RES/plot.log")"
	python3 - "$RES/plots/time-memhog-fill.dat" "$RES/plots/time-memhog-fill.svg" <<'PY' || fail "the time figure does not show the throttle"
import re, sys
blocks = [b for b in open(sys.argv[1]).read().split("\n\n\n") if b.strip()]
def seg(b):
    rows = [l.split() for l in b.split("\n") if l and l[0].isdigit()]
    return {k: float(r[2]) - float(r[1]) for k, r in zip(("cpu", "runq", "sleep"), rows)}
a, b = seg(blocks[0]), seg(blocks[1])
assert '"A cap 48M, 4s, high none"' in blocks[0] and '"B cap none, 10s, high 48M"' in blocks[1], blocks[:2]
assert b["sleep"] > 10 * max(a["sleep"], 1.0), "asleep ms/call: A %.1f, B %.1f" % (a["sleep"], b["sleep"])
svg = open(sys.argv[2]).read()
for t in ("A cap 48M, 4s, high none", "B cap none, 10s, high 48M", "on-CPU", "asleep", "ms per call (mean)"):
    assert t in svg, "the figure lacks %r" % t
print("time figure: asleep per fill A (max) %.1f ms, B (high) %.1f ms" % (a["sleep"], b["sleep"]))
PY
}
[ "$(val "$O" remote_rc)" = 0 ] || fail "--cpu-node 0 --mem-node 1 run: exit $(val "$O" remote_rc)"
pass "lru_gen=n in force and put back; memory.high throttles (seen as sleep in ops, report and figure) where memory.max kills; remote placement; thp compaction stalls"
