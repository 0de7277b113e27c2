#!/usr/bin/env bash
# stallbench watch, as a person and a script use it:
# 1. nothing runs: --batch and --json exit 0 at once, nothing on stdout;
# 2. a followed directory still being written (a fake driver appends rows,
#    a half-written line across refreshes): every row counted exactly once;
# 3. a capped storm found without arguments: within two intervals the batch
#    lines show stall time and memcg usage near the cap; the last line is
#    the run ended complete, with exactly the ops of ops.csv; watch exits 0;
#    per op, the top wait sites of its time asleep and the part inside reclaim
#    stalls, each moment once, live and at the end as the summary says;
# 4. a finished directory: its final line at once (also -n 1); run.sh's form
#    (--brief --wait, started before the run) shows the point running and ended;
# 5. a watched run whose driver is SIGKILLed shows as ended (incomplete),
#    watch exits 0 and its status file is gone;
# 6. the interactive view under tmux, read with capture-pane, q quits it;
# 7. an op in flight for over a second is shown while it runs, not after.
set -u
. "$(dirname "$0")/lib.sh"
export STALLBENCH_RUNDIR=$TMP/rundir
TS=sbwatch$$
cleanup() {	# a failed check leaves no watch, fake driver or tmux behind
	tmux -L "$TS" kill-server 2>/dev/null
	[[ -n ${FAKE:-} ]] && kill "$FAKE" 2>/dev/null
	[[ -n ${W:-} ]] && kill "$W" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
# KEEP=1 keeps the test's directory for a post-mortem
[[ -z ${KEEP:-} ]] || trap 'tmux -L "$TS" kill-server 2>/dev/null; echo "kept $TMP"' EXIT
# Waits (up to 10 s) for a live status file, i.e. for a run to be findable.
wait_status() {
	for _ in $(seq 100); do
		compgen -G "$STALLBENCH_RUNDIR/*.json" >/dev/null && return 0
		sleep 0.1
	done
	fail "no live status file in $STALLBENCH_RUNDIR after 10 s"
}

# ---- 1. nothing runs
out=$("$SB" watch --batch 2>"$TMP/err"); rc=$?
[[ $rc -eq 0 && -z $out ]] || fail "nothing running: exit $rc, stdout '$out'"
out=$("$SB" watch --json -n 3 2>/dev/null); rc=$?
[[ $rc -eq 0 && -z $out ]] || fail "nothing running (--json): exit $rc, stdout '$out'"
"$SB" watch --batch "$TMP/nope" 2>"$TMP/err" && fail "a missing DIR was accepted"
[[ $(wc -l <"$TMP/err") -eq 1 ]] || fail "bad DIR: not one line on stderr: $(cat "$TMP/err")"

# ---- 2. a directory being written, by a fake driver (a process named stallbench)
cp /bin/sleep "$TMP/stallbench"
"$TMP/stallbench" 60 & FAKE=$!
F=$TMP/fake; mkdir -p "$F"
now_ns=$(python3 -c 'import time; print(time.clock_gettime_ns(time.CLOCK_MONOTONIC))')
t0=$((now_ns - 1000000000))
printf '{"status":"incomplete","pid":%d,"start_ns":%d,"params":{"duration_ns":60000000000},"cgroup":{"cap_bytes":67108864}}\n' \
	"$FAKE" "$t0" >"$F/meta.json"
echo "t_start_ns,tid,worker,node,workload,op,latency_ns,errno,stall_ns,reclaim_rounds,bytes,kernel_ns,flags,landed_node" >"$F/ops.csv"
echo "t_start_ns,tid,cpu,kind,duration_ns,nr_reclaimed,order,gfp,scope,note" >"$F/stalls.csv"
echo "t_ns,memcg_usage,memcg_oom_kill" >"$F/timeline.csv"
fake_rows() {	# $1 rows of ops, ending with half a row; the other half next time
	local i t
	for ((i = 0; i < $1; i++)); do
		t=$((t0 + 500000000 + RANDOM))
		printf '%d,1,0,-1,fake,cut,1000000,0,0,0,0,0,,0\n' "$t"
	done >>"$F/ops.csv"
}
fake_tick() { printf '%d,%d,0\n' "$(( $(python3 -c 'import time; print(time.clock_gettime_ns(time.CLOCK_MONOTONIC))') - t0 ))" $((60 << 20)) >>"$F/timeline.csv"; }
fake_tick
fake_rows 100
"$SB" watch --json -d 0.4 "$F" >"$TMP/fake.jsonl" 2>"$TMP/fake.err" & W=$!
for step in 1 2 3 4 5; do
	sleep 0.5
	fake_rows 50
	printf '%d,1,0,-1,fake,cut,10' $((t0 + 600000000)) >>"$F/ops.csv"	# half a row...
	fake_tick
	sleep 0.5
	printf '00000,0,0,0,0,0,,0\n' >>"$F/ops.csv"				# ...and its end
done
sleep 0.5
kill "$FAKE"; wait "$FAKE" 2>/dev/null; FAKE=
for _ in $(seq 50); do kill -0 $W 2>/dev/null || break; sleep 0.1; done
kill -0 $W 2>/dev/null && fail "watch of the fake run did not exit after its driver died"
wait $W || fail "watch of the fake run exited $?: $(cat "$TMP/fake.err")"
python3 - "$TMP/fake.jsonl" "$F/ops.csv" <<'PY' || exit 1
import json, sys
L = [json.loads(l) for l in open(sys.argv[1])]
rows = sum(1 for _ in open(sys.argv[2])) - 1
def check(c, m):
    if not c: print("FAIL: fake run:", m); sys.exit(1)
check(len(L) >= 3, "only %d lines" % len(L))
check(all(l["state"] == "running" for l in L[:-1]), "states %s" % [l["state"] for l in L])
check(L[-1]["state"] == "ended" and L[-1]["status"] == "incomplete", "last line %s" % L[-1])
ops = L[-1]["workloads"][0]["ops"]
check(ops == rows, "rows counted %d, ops.csv has %d (read twice, or a half line lost)" % (ops, rows))
check(any(l["memcg_usage_bytes"] == 60 << 20 for l in L[:-1]), "usage not read")
PY

# ---- 2b. a run made on another machine (a lab guest's share, a host's copy):
# its meta.json's boot_id is not this boot's, so its pid means nothing here,
# even where that pid is a live stallbench of this machine: it runs while its
# files grow, and ends (incomplete) 10 s after they stop growing
cp /bin/sleep "$TMP/stallbench"
"$TMP/stallbench" 60 & FAKE=$!
F=$TMP/remote; mkdir -p "$F"
printf '{"status":"incomplete","pid":%d,"start_ns":%d,"host":{"hostname":"elsewhere","boot_id":"00000000-0000-4000-8000-000000000000"},"params":{"duration_ns":60000000000},"cgroup":{"cap_bytes":67108864}}\n' \
	"$FAKE" "$t0" >"$F/meta.json"
echo "t_start_ns,tid,worker,node,workload,op,latency_ns,errno,stall_ns,reclaim_rounds,bytes,kernel_ns,flags,landed_node" >"$F/ops.csv"
echo "t_start_ns,tid,cpu,kind,duration_ns,nr_reclaimed,order,gfp,scope,note" >"$F/stalls.csv"
echo "t_ns,memcg_usage,memcg_oom_kill" >"$F/timeline.csv"
ts=$SECONDS
"$SB" watch --json -d 0.5 "$F" >"$TMP/remote.jsonl" 2>"$TMP/remote.err" & W=$!
for _ in 1 2 3 4 5 6; do
	printf '%d,%d,0\n' "$(( $(python3 -c 'import time; print(time.clock_gettime_ns(time.CLOCK_MONOTONIC))') - t0 ))" $((60 << 20)) >>"$F/timeline.csv"
	sleep 0.5
done
for _ in $(seq 150); do kill -0 $W 2>/dev/null || break; sleep 0.1; done
kill -0 $W 2>/dev/null && fail "a remote run whose files stopped growing is still watched 15 s later (its pid, a live local stallbench, was trusted)"
wait $W || fail "watch of the remote run exited $?: $(cat "$TMP/remote.err")"
kill -0 "$FAKE" || fail "the local process of the remote run's pid is gone"
kill "$FAKE"; wait "$FAKE" 2>/dev/null; FAKE=
python3 - "$TMP/remote.jsonl" <<'PY' || exit 1
import json, sys
L = [json.loads(l) for l in open(sys.argv[1])]
if len(L) < 5 or any(l["state"] != "running" for l in L[:-1]) or L[-1]["state"] != "ended" \
        or L[-1]["status"] != "incomplete":
    print("FAIL: remote run: %s" % [(l["state"], l.get("status")) for l in L]); sys.exit(1)
PY
echo "remote run ended after $((SECONDS - ts))s of watching"

# ---- 3. a capped storm, found without arguments, watched in batch mode
need_root
command -v tmux >/dev/null || fail "tmux is not installed (Debian package tmux)"
"$SB" run --workload truncate-storm --cap 64M --duration 5s --out "$TMP/storm" 2>"$TMP/run.err" & R=$!
wait_status
"$SB" watch --json >"$TMP/storm.jsonl" 2>"$TMP/w.err"; wrc=$?
wait $R || fail "storm failed: $(cat "$TMP/run.err")"
[[ $wrc -eq 0 ]] || fail "watch of the storm exited $wrc: $(cat "$TMP/w.err")"
python3 - "$TMP/storm.jsonl" "$TMP/storm" <<'PY' || exit 1
import json, sys
L = [json.loads(l) for l in open(sys.argv[1])]
d = sys.argv[2]
rows = sum(1 for _ in open(d + "/ops.csv")) - 1
s = json.load(open(d + "/summary.json"))
def check(c, m):
    if not c: print("FAIL: storm:", m, L); sys.exit(1)
run = [l for l in L if l["state"] == "running"]
check(len(run) >= 3, "%d running lines in a 5 s run" % len(run))
first2 = run[:2]
check(any(l["stall_ms_per_s"] > 0 for l in first2), "no stall time in the first two intervals")
check(any(l["memcg_usage_bytes"] >= 0.8 * l["cap_bytes"] for l in first2),
      "memcg usage not near the cap in the first two intervals")
check(all(l["workloads"] and l["workloads"][0]["ops_per_s"] > 0 for l in run), "an interval without ops")
e = L[-1]
check(e["state"] == "ended" and e["status"] == "complete", "last line %s" % e)
check(e["workloads"][0]["ops"] == rows, "ended line says %d ops, ops.csv has %d" % (e["workloads"][0]["ops"], rows))
check(e["lost_events"] == s["lost_events"] and e["oom_kills"] == s["oom_kills"], "lost/oom differ from summary")
check(e["dir"] == d, "dir %s" % e["dir"])
# where the ops sleep, live: per op its top wait sites and the sleep inside
# reclaim stalls, each moment once (shares of the op's time asleep add up to
# at most all of it, within the 5% by which the switches seen and schedstat
# may differ; counted twice, a write's would be ~2); the ended line's are the
# summary's
check(any(l["asleep"] and any(v["sites"] for v in l["asleep"].values()) for l in run[1:]),
      "no wait site in any running line after the first")
for l in L:
    for op, v in l.get("asleep", {}).items():
        tot = sum(x["share"] for x in v["sites"]) + v["in_stall_share"]
        check(tot <= 1.05, "%s: sites + in stalls = %.3f of its sleep" % (op, tot))
for op, v in s["ops"].items():
    asl = v["time_split"]["sleep_ns"]
    if not asl:
        continue
    a = e["asleep"].get(op)
    check(a, "ended line: no asleep for %s" % op)
    oc = v["offcpu"]
    check(abs(a["in_stall_share"] - oc["in_stall_ns"] / asl) < 1e-3, "%s: in stall share" % op)
    if oc["sites"]:
        check(a["sites"][0]["site"] == oc["sites"][0]["site"],
              "%s: top site %s, summary %s" % (op, a["sites"][0]["site"], oc["sites"][0]["site"]))
PY
ls "$STALLBENCH_RUNDIR"/*.json >/dev/null 2>&1 && fail "the finished run left its status file"

# ---- 4. a finished directory: its final line at once
start=$(date +%s%N)
out=$("$SB" watch --batch "$TMP/storm"); rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[[ $rc -eq 0 && $(wc -l <<<"$out") -eq 1 && $out == *"storm ended complete"* && $out == *"truncate-storm"* ]] ||
	fail "finished dir: exit $rc: '$out'"
((ms < 2000)) || fail "finished dir: final line took ${ms} ms"
out1=$("$SB" watch --batch -n 1 "$TMP/storm") || fail "-n 1 on a finished dir failed"
[[ $(wc -l <<<"$out1") -eq 1 && $out1 == *"ended complete"* ]] || fail "-n 1: '$out1'"
echo "final line: $out"

# ---- 4b. run.sh's form: watch started before the run's directory exists
"$SB" watch --brief -d 1 --wait 10 "$TMP/point" >"$TMP/point.txt" 2>"$TMP/point.err" & W=$!
sleep 0.3
"$SB" run --workload truncate-storm --cap 64M --duration 3s --out "$TMP/point" 2>/dev/null || fail "point run failed"
wait $W || fail "watch --wait exited $?: $(cat "$TMP/point.err")"
grep -q "point running .* ops/s [1-9].* stalled .* memcg .* oom 0" "$TMP/point.txt" ||
	fail "--brief: no running line: $(cat "$TMP/point.txt")"
tail -n 1 "$TMP/point.txt" | grep -q "point ended complete" || fail "--brief: no final line: $(cat "$TMP/point.txt")"
"$SB" watch --brief --wait 0.5 "$TMP/never" 2>"$TMP/err" >/dev/null && fail "--wait on a DIR that never came: exit 0"
[[ $(wc -l <"$TMP/err") -eq 1 ]] || fail "--wait gave up: not one line on stderr: $(cat "$TMP/err")"

# ---- 5. a watched run whose driver is SIGKILLed
"$SB" run --workload truncate-storm --cap 64M --duration 30s --out "$TMP/killed" 2>/dev/null & R=$!
wait_status
"$SB" watch --batch -d 0.5 >"$TMP/killed.txt" 2>&1 & W=$!
sleep 1.5
kill -KILL $R; wait $R 2>/dev/null
for _ in $(seq 50); do kill -0 $W 2>/dev/null || break; sleep 0.1; done
kill -0 $W 2>/dev/null && fail "watch did not end after the run was killed"
wait $W || fail "watch exited $? after the run was killed: $(cat "$TMP/killed.txt")"
grep -q "killed running" "$TMP/killed.txt" || fail "the killed run was never shown running: $(cat "$TMP/killed.txt")"
tail -n 1 "$TMP/killed.txt" | grep -q "killed ended incomplete" ||
	fail "the killed run is not shown ended (incomplete): $(tail -n 2 "$TMP/killed.txt")"
ls "$STALLBENCH_RUNDIR"/*.json >/dev/null 2>&1 && fail "the killed run's status file is still there"
out=$("$SB" watch --batch); [[ -z $out ]] || fail "after the kill, watch still shows: $out"

# ---- 6. the interactive view, as a person sees it
"$SB" run --workload truncate-storm --cap 64M --duration 6s --out "$TMP/live" 2>/dev/null & R=$!
wait_status
tmux -L "$TS" new-session -d -s view -x 150 -y 30 \
	"STALLBENCH_RUNDIR=$STALLBENCH_RUNDIR $SB watch; echo \$? >$TMP/view.rc; sleep 5" ||
	fail "tmux cannot start a session"
sleep 3
tmux -L "$TS" capture-pane -p -t view >"$TMP/screen.txt"
grep -q "stallbench watch" "$TMP/screen.txt" || fail "no view on the screen: $(cat "$TMP/screen.txt")"
grep -q "^live  running" "$TMP/screen.txt" || fail "the run is not on the screen: $(cat "$TMP/screen.txt")"
grep -q "truncate-storm .* ops/s p99" "$TMP/screen.txt" || fail "no ops/s line: $(cat "$TMP/screen.txt")"
grep -q "memcg .*/ 64M" "$TMP/screen.txt" || fail "no memcg against its cap: $(cat "$TMP/screen.txt")"
grep -q "stall ms/s .*|.*[▁▂▃▄▅▆▇█].*| max" "$TMP/screen.txt" || fail "no stall sparkline: $(cat "$TMP/screen.txt")"
grep -q "^  asleep truncate-storm/[a-z_]* [0-9.]*s: [0-9]*% " "$TMP/screen.txt" ||
	fail "no per-op wait sites: $(cat "$TMP/screen.txt")"
tmux -L "$TS" send-keys -t view q
for _ in $(seq 30); do [[ -s $TMP/view.rc ]] && break; sleep 0.1; done
[[ $(cat "$TMP/view.rc" 2>/dev/null) == 0 ]] || fail "q did not quit the view with 0 (rc '$(cat "$TMP/view.rc" 2>/dev/null)')"
wait $R || fail "the run under the view failed"

# ---- 7. an op that has not returned is shown while it runs (a NOFAIL call can
#         take minutes; its row only exists when it returns): a thp run whose
#         first op fills 4G in small pages and frees every other one
if [[ -r /proc/kpageflags ]]; then
	"$SB" run --workload thp --workers 1 --fragment 4G --thp-size 4M --no-capture --duration 2s \
		--out "$TMP/infl" >/dev/null 2>&1 &
	IP=$!
	got=
	for _ in $(seq 60); do
		got=$("$SB" watch --batch -n 1 "$TMP/infl" 2>/dev/null | grep -o "in flight thp/fragment [0-9.]*s")
		[[ -n $got ]] && break
		kill -0 $IP 2>/dev/null || break
		sleep 0.1
	done
	wait $IP || fail "thp run failed"
	[[ -n $got ]] || fail "an op in flight for over a second was never shown as in flight"
	last=$("$SB" watch --batch -n 1 "$TMP/infl" 2>/dev/null)
	[[ $last != *"in flight"* ]] || fail "an ended run still shows an op in flight: $last"
	echo "ok: $got shown while it ran, gone at the end"
fi

# The killed run's cgroup goes at the next start.
"$SB" run --workload truncate-storm --cap 64M --duration 1s --no-capture --out "$TMP/after" 2>/dev/null ||
	fail "run after the kill failed"
no_stale_cgroups
echo "watch: ok"
