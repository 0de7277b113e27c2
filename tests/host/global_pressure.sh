#!/usr/bin/env bash
# --global-pressure: the holder brings MemAvailable near SIZE before the
# workers start and keeps it there (meta.json pressure, timeline.csv
# mem_available/holder_bytes, read back by report), and a SIGKILLed driver
# releases it: the holder is gone and the memory is back. SIZE is this
# machine's MemAvailable minus 2G, so the run holds only ~2G.
set -u
. "$(dirname "$0")/lib.sh"
need_root
avail_kb() { awk '/MemAvailable/ {print $2}' /proc/meminfo; }
# MemAvailable plus the free pages on the per-CPU lists, which MemFree and
# MemAvailable leave out: since 6.7 their auto-tuned limit (high_max) is
# ~1G a CPU here, and they fill up as soon as the holder's pages come back
free_kb() {
	echo $(( $(avail_kb) + $(awk '/^ +count:/ {n += $2} END {print n + 0}' /proc/zoneinfo) *
		 $(getconf PAGESIZE) / 1024 ))
}
a=$(avail_kb)
(( a > 3 * 1024 * 1024 )) || skip "needs 3G available (has $((a / 1024))M)"
target_kb=$((a - 2 * 1024 * 1024))
"$SB" run --workload truncate-storm --live 64M --duration 3s --global-pressure "${target_kb}K" \
	--out "$TMP/gp" 2>"$TMP/err" || fail "run failed: $(cat "$TMP/err")"
no_stale_cgroups
pgrep -x sb-pressure >/dev/null && fail "a holder outlived its run: $(pgrep -a -x sb-pressure)"
python3 - "$TMP/gp" "$((target_kb * 1024))" <<'PY' || exit 1
import csv, json, statistics, sys
d, target = sys.argv[1], int(sys.argv[2])
m = json.load(open(d + "/meta.json"))
def check(c, msg):
    if not c:
        print("FAIL:", msg); sys.exit(1)
p = m.get("pressure")
check(p and p["target_bytes"] == target, "meta.json pressure: %s" % p)
check(m["params"]["global_pressure_bytes"] == target, "params lack global_pressure_bytes")
tol = max(p["tolerance_bytes"], target // 20)
check(p["reached"] and abs(p["achieved_bytes"] - target) <= tol,
      "achieved %d, target %d (tol %d)" % (p["achieved_bytes"], target, tol))
check(p["held_bytes"] > 1 << 30, "holder holds only %d bytes" % p["held_bytes"])
check(p["holder"] == "holding" and "adjustments" in p, "holder state %s" % p)
tl = list(csv.DictReader(open(d + "/timeline.csv")))
av = [int(r["mem_available"]) for r in tl]
hb = [int(r["holder_bytes"]) for r in tl]
med = statistics.median(av)
check(abs(med - target) <= tol, "timeline mem_available median %d vs target %d" % (med, target))
check(min(hb) > 1 << 30, "timeline holder_bytes %d" % min(hb))
print("held %.2fG, MemAvailable %.2fG (target %.2fG), %d adjustments" %
      (p["held_bytes"] / 2**30, med / 2**30, target / 2**30, p["adjustments"]))
PY
# the result reader finds the new columns by name
rd=$("${TLREAD:?}" "$TMP/gp" mem_available holder_bytes) || fail "reader refused the timeline: $rd"
read -r _ na ma _ nh mh <<< "$(echo $rd)"
(( na > 10 && nh > 10 )) || fail "reader saw mem_available in $na rows, holder_bytes in $nh"
(( ${mh%.*} > 1 << 30 )) || fail "reader: holder_bytes median $mh"
"$SB" report "$TMP/gp" >"$TMP/report" 2>&1 || fail "report failed: $(tail -n 2 "$TMP/report")"
grep -q '^global pressure' "$TMP/report" || fail "report does not show the global pressure"

# SIGKILL of the driver: the holder dies with it and the memory comes back.
a=$(avail_kb); target_kb=$((a - 2 * 1024 * 1024))
"$SB" run --workload truncate-storm --live 64M --duration 60s --global-pressure "${target_kb}K" \
	--out "$TMP/killed" 2>"$TMP/err2" &
drv=$!
holder=
for _ in $(seq 100); do
	holder=$(pgrep -P "$drv" -x sb-pressure)
	# workers start once the hold is reached
	[[ -n $holder && $(pgrep -P "$drv" | wc -l) -gt 1 ]] && break
	sleep 0.1
done
[[ -n $holder ]] || { kill -9 "$drv"; fail "no holder under driver $drv"; }
sleep 1
# what the holder has locked, and the memory free just before the kill:
# the kill gives back most of the former (against the start of the run
# instead, the storm's own use would count, and the per-CPU lists')
held=$(awk '/^VmLck:/ {print $2}' "/proc/$holder/status" 2>/dev/null)
(( ${held:-0} > 1024 * 1024 )) || { kill -9 "$drv"; fail "the holder has only ${held:-0}K locked"; }
pre=$(free_kb)
kill -9 "$drv"; wait "$drv" 2>/dev/null
for _ in $(seq 50); do
	kill -0 "$holder" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$holder" 2>/dev/null && { kill -9 "$holder"; fail "holder $holder survived a SIGKILL of its driver"; }
back=$(free_kb)
(( back - pre > held * 3 / 4 )) ||
	fail "memory not back after the kill: MemAvailable + per-CPU free ${pre}K before it, ${back}K after; the holder had ${held}K locked"
# SIGTERM: the run ends marked incomplete, the holder is released and recorded.
a=$(avail_kb); target_kb=$((a - 2 * 1024 * 1024))
"$SB" run --workload truncate-storm --live 64M --duration 60s --global-pressure "${target_kb}K" \
	--out "$TMP/termed" 2>"$TMP/err3" &
drv=$!
for _ in $(seq 100); do
	holder=$(pgrep -P "$drv" -x sb-pressure)
	[[ -n $holder && $(pgrep -P "$drv" | wc -l) -gt 1 ]] && break
	sleep 0.1
done
[[ -n $holder ]] || { kill -9 "$drv"; fail "SIGTERM case: no holder under driver $drv"; }
kill -TERM "$drv"; wait "$drv"
kill -0 "$holder" 2>/dev/null && fail "holder $holder survived SIGTERM of its driver"
python3 - "$TMP/termed/meta.json" <<'PY' || fail "SIGTERM case: meta.json"
import json, sys
m = json.load(open(sys.argv[1]))
assert m["status"] == "incomplete", m["status"]
assert m["pressure"]["held_bytes"] > 1 << 30, m["pressure"]
PY
# the next start removes the killed run's cgroup
"$SB" run --workload truncate-storm --live 16M --duration 1s --out "$TMP/after" 2>/dev/null || fail "run after the kill failed"
no_stale_cgroups
echo "holder $holder gone after SIGKILL of driver $drv; MemAvailable + per-CPU free +$(((back - pre) / 1024))M of the $((held / 1024))M it had locked"
