#!/bin/bash
# The seed question in the lab: a truncate storm on ext4 or xfs (vm/run --fs)
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
# usage: tests/vm/global_truncate.sh [KERNEL [FS [HOLES]]]   FS: ext4 (default) or xfs
#   SB_GP_DURATION (20s; 40s with HOLES), SB_GP_TARGET (60M), SB_GP_LIVE (256M): the storm;
#   SB_GP_HOLES (none): truncate-storm --holes SIZE (files of many extents);
#   SB_GP_REPS (1): storms in the one boot, each checked, then summed per cut op
#   (the answer's table: calls, stalled, NOFAIL/call, rounds by source, ENOMEM, p99);
#   SB_VM_KEEP=1 keeps the results (the README's figures come from there).
NEED_SB=1
FS=${2:-${SB_GP_FS:-ext4}}
. "$(dirname "$0")/lib.sh"
case $FS in ext4|xfs) ;; *) echo "global_truncate.sh: FS $FS: ext4 or xfs" >&2; exit 2 ;; esac
command -v "mkfs.$FS" >/dev/null || skip "mkfs.$FS not installed"
NAME="$NAME/$FS"
TARGET=${SB_GP_TARGET:-60M}
LIVE=${SB_GP_LIVE:-256M}
HOLES=${3:-${SB_GP_HOLES:-}}
# With --holes each file is written, then fragmented: ~1.8 s a file a worker under
# TCG at its slowest here, so the 32 files of the live set fill by ~11 s and the cuts
# (each cut op must be seen) begin only then: 20 s once gave 3 cuts, no punch (21
# cuts in a faster period); 40 s leaves ~29 s of cutting.
DUR=${SB_GP_DURATION:-$([ -n "$HOLES" ] && echo 40s || echo 20s)}
REPS=${SB_GP_REPS:-1}
[[ $REPS =~ ^[1-9]$ ]] || fail "SB_GP_REPS=$REPS: 1..9"
secs=$("$HOSTBIN" parse duration "$DUR" 2>/dev/null | awk '{ printf "%d", $1 / 1e9 }')
[[ $secs =~ ^[0-9]+$ ]] && [ "$secs" -gt 0 ] || secs=${DUR%s}
cat > "$RES/guest.sh" <<G
R=\$1
echo avail_before_kb=\$(awk '/MemAvailable/ {print \$2}' /proc/meminfo)
mkdir -p /mnt/disk/storm
for k in \$(seq 1 $REPS); do
	$BIN run --workload truncate-storm --dir /mnt/disk/storm --live $LIVE --workers 3 \\
		${HOLES:+--holes $HOLES} --duration $DUR \\
		--global-pressure $TARGET --callchain --out \$R/gp\$k > \$R/gp\$k.log 2>&1
	echo run_rc\$k=\$?
	echo holders_left\$k=\$(pgrep -x sb-pressure | wc -l)
	$BIN report \$R/gp\$k > \$R/report\$k.txt 2>&1
	echo report_rc\$k=\$?
done
echo avail_after_kb=\$(awk '/MemAvailable/ {print \$2}' /proc/meminfo)
G
run_guest $((150 + REPS * (secs + 90))) --fs "$FS" --disk 1G --mem 1G --nodes 1 \
	--cmdline-extra transparent_hugepage=never
[ "$VMRC" -eq 0 ] || fail "guest command exit $VMRC"
read -r asked mounted _ < "$RES/vm.fs" || fail "no vm.fs came back"
[ "$asked $mounted" = "$FS $FS" ] || fail "asked for $FS, the guest mounted $mounted"
for k in $(seq 1 "$REPS"); do
	[ "$(val "$RES/vm.out" run_rc$k)" = 0 ] || fail "run $k failed: $(tail -n 3 "$RES/gp$k.log")"
	[ "$(val "$RES/vm.out" report_rc$k)" = 0 ] || fail "report $k failed: $(tail -n 3 "$RES/report$k.txt")"
	[ "$(val "$RES/vm.out" holders_left$k)" = 0 ] || fail "a pressure holder outlived run $k"
done
GPDIRS=$(for k in $(seq 1 "$REPS"); do echo "$RES/gp$k"; done)
# shellcheck disable=SC2086
python3 - "$FS" "$HOLES" $GPDIRS <<'PY' || fail "the seed question is not answered (see above)"
import csv, json, sys
fs, holes = sys.argv[1], sys.argv[2]
tot = {}
for d in sys.argv[3:]:
  print("%s:" % d.rsplit("/", 1)[1])
  m = json.load(open(d + "/meta.json")); s = json.load(open(d + "/summary.json"))
  ops = list(csv.DictReader(open(d + "/ops.csv")))
  st = list(csv.DictReader(open(d + "/stalls.csv")))
  def check(c, msg):
      if not c:
          print("FAIL:", msg); sys.exit(1)
  w = m["params"]["workloads"][0]
  check(w["fstype"] == fs and w["mkfs"] and w["mkfs"].startswith("mkfs." + fs),
        "meta.json: fstype %s, mkfs %s (asked for %s)" % (w["fstype"], w["mkfs"], fs))
  if holes:
      check(w.get("extents_per_file", 0) > 1 and
            sum(o["op"] == "fragment" for o in ops) > 0, "--holes %s: no fragmented files" % holes)
  p = m["pressure"]
  check(p["holder"] == "holding", "holder %s" % p["holder"])
  check(abs(p["achieved_bytes"] - p["target_bytes"]) <= max(p["tolerance_bytes"], 32 << 20),
        "MemAvailable %d at the start, target %d" % (p["achieved_bytes"], p["target_bytes"]))
  check(s["capture"]["enabled"] and s["lost_events"] == 0, "capture: lost %s" % s["lost_events"])
  # NOFAIL counted by per-thread counters; --callchain also records them: no record
  # lost, so both counts of the same ops agree exactly
  nfc = s["nofail_counting"]
  check(nfc["mode"] == "counters+records" and nfc["lost"] == 0, "nofail_counting: %s" % nfc)
  x = nfc["records_check"]
  check(x["ops"] > 0 and x["counters"] == x["records"],
        "NOFAIL: counters %d, records %d over %d ops" % (x["counters"], x["records"], x["ops"]))
  direct = [x for x in st if x["kind"] == "direct"]
  check(len(direct) > 0, "no direct-reclaim stall under global pressure")
  # with --holes, the hole punching that fragments each refill is a cut too
  cuts = ("ftruncate", "truncate", "punch", "unlink_close") + (("fragment",) if holes else ())
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
      t = tot.setdefault(c, {"calls": 0, "stalled": 0, "stall_ns": 0, "enomem": 0, "lat": [], "src": {}})
      fin = [o for o in rows if "unfinished" not in o["flags"]]
      t["calls"] += len(rows)
      t["stalled"] += sum(int(o["stall_ns"]) > 0 for o in rows)
      t["stall_ns"] += sum(int(o["stall_ns"]) for o in rows)
      t["enomem"] += sum(o["errno"] == "ENOMEM" for o in rows)
      t["lat"] += [int(o["latency_ns"]) for o in fin]
      for k, v in so["rounds_by_source"].items():
          t["src"][k] = t["src"].get(k, 0) + (v or 0)
  print("direct-reclaim stalls: %d (run %d); MemAvailable %d..%d MiB, held %d MiB" % (
      len(direct), sum(x["scope"] == "run" for x in direct),
      p["mem_available_min_bytes"] >> 20, p["mem_available_max_bytes"] >> 20, p["held_bytes"] >> 20))
  tot.setdefault("_direct", []).append(len(direct))
  tot.setdefault("_avail", []).append((p["mem_available_min_bytes"] >> 20, p["mem_available_max_bytes"] >> 20))
n = len(sys.argv) - 3
print("over %d run(s) on %s%s: direct-reclaim stalls per run %s; MemAvailable %s MiB" % (
    n, fs, " --holes " + holes if holes else "", tot.pop("_direct"),
    " ".join("%d-%d" % a for a in tot.pop("_avail"))))
print("| cut op | calls | stalled | stall ms | NOFAIL/call | rounds direct/memcg/retry/compact-retry/compaction/throttle | ENOMEM | p50 / p99 ms |")
for c, t in tot.items():
    lat = sorted(t["lat"]); q = lambda f: lat[min(len(lat) - 1, int(f * len(lat)))] / 1e6 if lat else 0
    r = t["src"]
    print("| %s | %d | %d (%.1f%%) | %.1f | %.2f | %s | %d | %.1f / %.1f |" % (
        c, t["calls"], t["stalled"], 100 * t["stalled"] / t["calls"], t["stall_ns"] / 1e6,
        r.get("nofail_allocs", 0) / t["calls"],
        "/".join(str(r.get(k, 0)) for k in ("rounds_direct", "rounds_memcg", "rounds_reclaim_retry",
                                            "rounds_compact_retry", "rounds_compaction", "rounds_throttle")),
        t["enomem"], q(0.5), q(0.99)))
PY
grep -q '^what each op paid with MemAvailable held at' "$RES/report1.txt" || fail "report lacks the per-op answer"
for c in ftruncate truncate punch unlink_close; do
	grep -A1 "^  $c: " "$RES/report1.txt" | grep -q 'NOFAIL allocations per call' ||
		fail "report: no answer line for $c"
done
grep -q '^where the NOFAIL allocations come from' "$RES/report1.txt" || fail "report: no NOFAIL sources"
pass "$FS: $(cat "$RES"/gp*/ops.csv | grep -c .) ops rows in $REPS run(s); direct stalls and NOFAIL in every cut op"
