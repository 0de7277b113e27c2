#!/bin/bash
# Issue 6 item 1, pressure: inside the guest, `stallbench run --cap 16M`
# with vmalloc-nofail asking NOFAIL|ACCOUNT for 4x the cap (64M, 2 workers,
# 2 calls each) concurrently with a truncate-storm on an ext4 disk and a
# memhog. Asserts that the run ends (status complete or timeout) with a
# result dir `report --allow-incomplete` reads; that every NOFAIL call the
# module logged has its ops.csv row (from the worker, or from the module log
# flagged killed, or unfinished at the deadline) and no row is a NULL; that
# the driver was never the OOM victim (exit normal, summary.json written, no
# "Killed process <driver pid>" in the guest's dmesg); that summary oom_kills
# equals the memory.events oom_kill delta and every worker the kernel
# OOM-killed is in summary.workers with signal 9.
# Second case ("late", a second boot on 6.1, which charges past a cap at
# ~1 MB/s under TCG): one NOFAIL call of 48M against the 16M cap with
# --duration 2s --grace 4s cannot finish before the deadline: the run must
# end with status timeout and an "unfinished" row, its results final within
# 12 s of the hard deadline (not when the call returns, a minute or more
# later), the killed worker shown as still running with that unfinished row.
# Main case on 6.12 (SB_VM_KERNEL or $1), late case on SB_PRESSURE_LATE_KERNEL
# (default 6.1). About 3 minutes wall under TCG, both boots included.
# usage: tests/vm/pressure.sh [KERNEL]
NEED_SB=1
set -- "${1:-6.12}"
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip "python3 not installed (reads summary.json)"
command -v mkfs.ext4 >/dev/null || skip "mkfs.ext4 not installed (vm/run --disk)"

LATE_KERNEL=${SB_PRESSURE_LATE_KERNEL:-6.1}
"$TOP/vm/fetch-kernel" "$LATE_KERNEL" >/dev/null || fail "cannot fetch the pinned kernel $LATE_KERNEL"

# guest CASE ARGS...: a guest script that runs the driver in the background
# (so we know its pid), waits for it and prints CASE_pid, CASE_rc, CASE_secs;
# then the module's call log (for the row check) and dmesg.
guest() {
	local c=$1
	shift
	cat > "$RES/guest.sh" <<G
R=\$1
t0=\$(date +%s%N)
$BIN run $* --out \$R/$c > \$R/$c.log 2>&1 &
p=\$!
echo ${c}_pid=\$p
# When the results were final (summary.json is renamed into place) vs when
# the driver exited: a worker stuck in a NOFAIL call may keep it longer.
sm=
while st=\$(cut -d' ' -f3 /proc/\$p/stat 2>/dev/null) && [ "\$st" != Z ]; do
	[ -z "\$sm" ] && [ -f \$R/$c/summary.json ] &&
		sm=\$(( (\$(date +%s%N) - t0) / 1000000 )) su=\$(cut -d' ' -f1 /proc/uptime)
	sleep 0.2
done
wait \$p
echo ${c}_rc=\$?
echo ${c}_ms=\$(( (\$(date +%s%N) - t0) / 1000000 ))
echo ${c}_summary_ms=\${sm:-\$(( (\$(date +%s%N) - t0) / 1000000 ))}
# CLOCK_MONOTONIC (as meta.json go_ns) ~ uptime when the results appeared
echo ${c}_summary_up=\${su:-\$(cut -d' ' -f1 /proc/uptime)}
$C log > \$R/$c.modlog
G
}
# Boot 1 (6.12): the main case.
guest main --cap 16M --duration 15s --grace 60s --tick 200ms \
	--workload vmalloc-nofail --workers 2 --alloc-size 64M --alloc-count 2 \
	--alloc-flags nofail,account \
	--workload truncate-storm --workers 1 --dir /mnt/disk --file-size 2M \
	--workload memhog --workers 1
run_guest 300 --disk 256M
[ "$VMRC" -eq 0 ] || fail "main: guest script exit $VMRC: $(tail -n 5 "$RES/vm.out")"
cp "$RES/vm.out" "$RES/main.vm.out"; cp "$RES/vm.dmesg" "$RES/main.vm.dmesg"
# Boot 2 (6.1, ~1 MB/s past the cap under TCG): 48M against 16M cannot finish
# within --duration 2s + --grace 4s.
MAIN_KERNEL=$KERNEL KERNEL=$LATE_KERNEL
guest late --cap 16M --duration 2s --grace 4s --no-capture \
	--workload vmalloc-nofail --workers 1 --alloc-size 48M --alloc-count 1 \
	--alloc-flags nofail,account
run_guest 300
[ "$VMRC" -eq 0 ] || fail "late: guest script exit $VMRC: $(tail -n 5 "$RES/vm.out")"
cp "$RES/vm.out" "$RES/late.vm.out"; cp "$RES/vm.dmesg" "$RES/late.vm.dmesg"
KERNEL="$MAIN_KERNEL+$LATE_KERNEL"
cat "$RES/main.vm.out" "$RES/late.vm.out"

grep -e 'nofail_vmalloc: FINDING' -e 'BUG:' -e 'Oops' -e 'WARNING:' "$RES/main.vm.dmesg" "$RES/late.vm.dmesg" &&
	fail "kernel log has a BUG/Oops/WARNING (NULL under NOFAIL?)"

# check CASE: the common assertions on one run; prints its figures.
check() {
	local c=$1 d=$RES/$1 pid rc
	pid=$(val "$RES/$c.vm.out" "${c}_pid")
	rc=$(val "$RES/$c.vm.out" "${c}_rc")
	[ -n "$rc" ] || fail "$c: the driver never returned (guest timed out inside it?)"
	# 0 complete, 1 timeout/incomplete; 128+N: killed by a signal.
	[ "$rc" -le 1 ] || fail "$c: driver exit $rc (killed?): $(tail -n 3 "$RES/$c.log")"
	grep -q "Killed process $pid " "$RES/$c.vm.dmesg" && fail "$c: the driver (pid $pid) was the OOM victim"
	[ -f "$d/summary.json" ] || fail "$c: no summary.json: $(tail -n 3 "$RES/$c.log")"
	"$HOSTBIN" report --allow-incomplete "$d" > "$RES/$c.report" 2>&1 ||
		fail "$c: report --allow-incomplete cannot read it: $(head -n 3 "$RES/$c.report")"
	python3 - "$d" "$RES/$c.modlog" "$RES/$c.vm.dmesg" "$c" > "$RES/$c.fig" <<'PY' || fail "$c: $(cat "$RES/$c.why" 2>/dev/null)"
import csv, json, re, sys
d, modlog, dmesg, case = sys.argv[1:5]
why = open(d + '/../' + case + '.why', 'w')
def bad(msg):
    why.write(msg + '\n'); why.close(); print('FAIL: ' + msg); sys.exit(1)
s = json.load(open(d + '/summary.json'))
m = json.load(open(d + '/meta.json'))
if s['status'] not in ('complete', 'timeout'):
    bad('status %s, want complete or timeout' % s['status'])
if m.get('status') != s['status']:
    bad('meta.json status %s != summary %s' % (m.get('status'), s['status']))
oc = s['memcg']['oom_kill']
if oc < 0:
    bad('memory.events oom_kill not read')
if s['oom_kills'] != oc:
    bad('summary oom_kills %d != memory.events oom_kill delta %d' % (s['oom_kills'], oc))
workers = {w['pid']: w for w in s['workers']}
# Kernel OOM kills of this run's workers ("Killed process PID (...)" in dmesg).
killed = set()
for line in open(dmesg, errors='replace'):
    mm = re.search(r'Killed process (\d+) ', line)
    if mm and int(mm.group(1)) in workers:
        killed.add(int(mm.group(1)))
rows = list(csv.DictReader(open(d + '/ops.csv')))
for p in killed:
    w = workers[p]
    # Killed but still inside a NOFAIL call when the results were written:
    # "still running", with its call reported unfinished.
    stuck = 'end' in w and any(int(r['tid']) == p and 'unfinished' in r['flags'] for r in rows)
    if w.get('signal') != 9 and not stuck:
        bad('worker %d was OOM-killed but summary.workers says %s' % (p, w))
if len(killed) > oc:
    bad('%d workers OOM-killed (dmesg) but oom_kill delta is %d' % (len(killed), oc))
# The capture names the same victims (oom:mark_victim), each matched to its worker.
vict = s.get('oom_victims')
if vict is not None:
    named = {v['pid'] for v in vict if v['who'] == 'worker'}
    if killed - named:
        bad('OOM-killed workers %s (dmesg) missing from summary oom_victims %s' % (sorted(killed - named), vict))
    if any(v['who'] == 'driver' for v in vict):
        bad('the driver is among the OOM victims: %s' % vict)
    for v in vict:
        if v['who'] == 'worker' and workers[v['pid']]['workload'] != v.get('workload'):
            bad('victim %s: workload does not match summary.workers' % v)
rows = list(csv.DictReader(open(d + '/ops.csv')))
vn = [r for r in rows if r['workload'] == 'vmalloc-nofail' and r['op'] == 'alloc']
vtids = {int(r['tid']) for r in vn}
for r in vn:
    fl = r['flags'].split('|')
    if 'null' in fl:
        bad('NOFAIL returned NULL: %s' % r)
    if 'unfinished' not in fl and r['errno'] not in ('0', ''):
        bad('NOFAIL call failed: %s' % r)
# Every module-logged call of a vmalloc-nofail worker has its row (same tid and start).
vpids = {w['pid'] for w in s['workers'] if w['workload'] == 'vmalloc-nofail'}
# The module log has every completed call (the client prints no t_start:
# match per caller tid, count of calls vs count of finished rows).
logged = 0
nlog = {}
for line in open(modlog):
    f = dict(kv.split('=', 1) for kv in line.split())
    if int(f['pid']) not in vpids:
        continue
    logged += 1
    if f['null'] != '0' or f['err'] != '0':
        bad('module log: a NOFAIL call failed: %s' % line.strip())
    nlog[int(f['tid'])] = nlog.get(int(f['tid']), 0) + 1
per_tid = {}
for r in vn:
    per_tid[int(r['tid'])] = per_tid.get(int(r['tid']), 0) + 1
# Every logged call has a row: finished (from the worker or, flagged killed,
# from the module log) or unfinished (it returned only after the deadline).
for tid in set(nlog) | set(per_tid):
    n = nlog.get(tid, 0)
    fin = len([r for r in vn if int(r['tid']) == tid and 'unfinished' not in r['flags']])
    unf = per_tid.get(tid, 0) - fin
    if not (fin <= n <= fin + unf):
        bad('worker tid %d: %d calls in the module log, %d finished + %d unfinished rows' % (tid, n, fin, unf))
unfinished = [r for r in vn if 'unfinished' in r['flags'].split('|')]
# A worker that exited normally made all its calls; each vmalloc-nofail worker has >= 1 row.
for p in vpids:
    if p not in per_tid:
        bad('vmalloc-nofail worker %d has no row' % p)
rk = sum(1 for r in vn if 'killed' in r['flags'].split('|'))
print('%s_status=%s' % (case, s['status']))
print('%s_calls=%d' % (case, len(vn)))
print('%s_logged=%d' % (case, logged))
lat = [int(dict(kv.split('=', 1) for kv in l.split())['latency_ns']) for l in open(modlog)
       if int(dict(kv.split('=', 1) for kv in l.split())['pid']) in vpids]
if lat:
    print('%s_module_max_latency_ms=%d' % (case, max(lat) // 1000000))
print('%s_killed_rows=%d' % (case, rk))
print('%s_unfinished=%d' % (case, len(unfinished)))
print('%s_oom_kills=%d' % (case, s['oom_kills']))
print('%s_oom_victims=%d' % (case, len(killed)))
print('%s_watchdog=%d' % (case, s.get('killed_by_watchdog', 0)))
print('%s_workers=%s' % (case, ' '.join('%s:%s' % (w['workload'], w.get('signal', w.get('exit', w.get('end')))) for w in s['workers'])))
if vn:
    print('%s_max_latency_s=%.1f' % (case, max(int(r['latency_ns']) for r in vn) / 1e9))
PY
}
check main
check late
cat "$RES/main.fig" "$RES/late.fig"
F=$(cat "$RES/main.fig" "$RES/late.fig")
v() { sed -n "s/^$1=//p" <<< "$F"; }
[ "$(v main_calls)" -ge 2 ] || fail "main: $(v main_calls) vmalloc-nofail rows, want >= 2"
[ "$(v late_status)" = timeout ] || fail "late: status $(v late_status), want timeout (the 48M call should outlive the deadline)"
[ "$(v late_unfinished)" -ge 1 ] || fail "late: no unfinished row for the call still inside the kernel at the deadline"
# Reported at the deadline: the results are final within 12 s of the hard
# deadline (go + --duration 2s + --grace 4s: then the watchdog's kill and
# wait, the final drain and the writes, under TCG), even though the NOFAIL
# call itself goes on inside the kernel (its module latency).
lag=$(python3 -c 'import json, sys; print("%.1f" % (float(sys.argv[2]) - json.load(open(sys.argv[1]))["go_ns"] / 1e9 - 6))' \
	"$RES/late/meta.json" "$(val "$RES/late.vm.out" late_summary_up)") || fail "late: no go_ns in meta.json"
# (6.8 s measured; the bound grows with the call's own length, half of what
# it outlived the deadline by, up to 20 s: a driver that waited for the
# call would be late by all of it, ~29 s with the call at 35 s)
python3 -c 'import sys; sys.exit(float(sys.argv[1]) > max(12, min(20, (float(sys.argv[2] or 0) / 1e3 - 6) / 2)))' \
	"$lag" "$(v late_module_max_latency_ms)" ||
	fail "late: results written only ${lag}s after the hard deadline: the driver waited for the stuck NOFAIL call (module latency $(v late_module_max_latency_ms) ms) instead of reporting at the deadline"
pass "main: $(v main_status) in $(val "$RES/main.vm.out" main_ms) ms, $(v main_calls) NOFAIL rows ($(v main_killed_rows) from the module log, $(v main_unfinished) unfinished), oom_kills $(v main_oom_kills) = memcg delta, $(v main_oom_victims) OOM-killed workers recorded, driver survived; late: $(v late_status), results final ${lag}s after the hard deadline, driver exit at $(val "$RES/late.vm.out" late_ms) ms, $(v late_unfinished) unfinished row(s) at the deadline; the call itself took $(v late_module_max_latency_ms) ms"
