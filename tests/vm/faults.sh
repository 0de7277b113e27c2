#!/bin/bash
# A lab sweep that meets faults loses at most the point in flight, and
# --resume finishes it (issue 29). One kernel (6.12, pinned), one point (a
# capped storm), three boots:
# 1. Ctrl-C: SIGINT to the sweep's process group while the guest runs the
#    point. Within 10 s run.sh has exited 130 and no QEMU (vm.qemu.pid) and
#    no process of the sweep is left; no second boot; the guest's driver got
#    the signal (its summary.json written, status incomplete; the guest's
#    run.sh named the point in sweep/interrupted; no stallbench cgroup left
#    in the guest); faults.tsv names the point; the --resume line is printed.
# 2. ./run.sh --resume, SIGKILLed (the process alone) once its QEMU runs: 10 s
#    later that QEMU and every process of the sweep are gone (setpriv
#    --pdeathsig at each level: vm/sweep -> vm/run -> timeout -> qemu).
# 3. ./run.sh --resume to the end: exit 0, the point complete with one row in
#    points.tsv, the letter written, naming the fault as redone, 72 columns.
# usage: tests/vm/faults.sh
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
NAME=faults
skip() { echo "SKIP $NAME: $*" >&2; exit 4; }
[ "$(id -u)" = 0 ] || skip "needs root"
command -v qemu-system-x86_64 >/dev/null || skip "no qemu-system-x86"
[ -x "$TOP/build/stallbench" ] || skip "build/stallbench not built"
export STALLBENCH_KERNELS_LOCK=${STALLBENCH_KERNELS_LOCK:-$TOP/tests/kernels.lock}
export SB_NO_BUILD=1
OUT=$(mktemp -d /var/tmp/sbfaults.XXXXXX)
PID=
fail() {
	echo "FAIL $NAME: $*" >&2
	echo "(kept $OUT)" >&2
	[ -n "$PID" ] && kill -9 "$PID" 2>/dev/null
	exit 1
}
# the processes of this sweep: every one whose command line names $OUT
# (vm/sweep's children, vm/run, timeout, QEMU: -append sbres=$OUT/k1), and
# the QEMUs vm/run recorded
left() {
	local p
	for p in $(cat "$OUT"/k*/vm.qemu.pid 2>/dev/null); do
		[[ $p =~ ^[0-9]+$ ]] && kill -0 "$p" 2>/dev/null && echo "qemu:$p"
	done
	pgrep -f -- "$OUT" | grep -vx "$$" | sed 's/^/pid:/'
}
PT=storm-cap64M-ftruncate_1-r1
SWEEP=(--kernel 6.12 --workloads truncate-storm --caps 64M --mixes ftruncate=1 --duration 4s --reps 1)
t0=$(date +%s)
set -m	# each sweep in a process group of its own, as a shell's job is

# ---- 1: Ctrl-C while the guest runs the point ----
"$TOP/run.sh" "${SWEEP[@]}" --out "$OUT" >"$OUT/run1.log" 2>&1 &
PID=$!
for _ in $(seq 400); do
	ls "$OUT"/k1/*/sweep/$PT/meta.json >/dev/null 2>&1 && break
	kill -0 "$PID" 2>/dev/null || fail "the sweep ended before its point ran: $(tail -5 "$OUT/run1.log")"
	sleep 0.5
done
ls "$OUT"/k1/*/sweep/$PT/meta.json >/dev/null 2>&1 || fail "the point never started: $(tail -5 "$OUT/run1.log")"
sleep 1
kill -INT -- "-$PID"
ti=$SECONDS
wait "$PID"; rc=$?
dt=$((SECONDS - ti))
PID=
sleep $((dt < 10 ? 10 - dt : 0))
echo "Ctrl-C: run.sh exit $rc after ${dt}s"
[ "$rc" -eq 130 ] || fail "Ctrl-C: exit $rc (want 130): $(tail -5 "$OUT/run1.log")"
[ "$dt" -le 10 ] || fail "Ctrl-C: the sweep took ${dt}s to stop"
l=$(left); [ -z "$l" ] || fail "Ctrl-C: still alive 10 s later: $l"
[ "$(wc -l <"$OUT/k1/vm.qemu.pid")" -eq 1 ] || fail "Ctrl-C: more than one boot: $(cat "$OUT/k1/vm.qemu.pid")"
D=$(ls -d "$OUT"/k1/*/sweep)
grep -q '"status": *"incomplete"' "$D/$PT/meta.json" || fail "Ctrl-C: the point is not marked incomplete"
[ -f "$D/$PT/summary.json" ] || fail "Ctrl-C: the guest's driver did not end its run (no summary.json)"
grep -q "stopping (result will be marked incomplete)" "$OUT/k1/vm.out" ||
	fail "Ctrl-C: the guest's driver never got the signal"
grep -qP "^\Q$PT\E\tSIGINT$" "$D/interrupted" || fail "Ctrl-C: the guest's run.sh did not name the point: $(cat "$D/interrupted" 2>&1)"
grep -q "$PT" "$D/points.tsv" && fail "Ctrl-C: the interrupted point has a row in points.tsv"
grep -q stallbench "$OUT/k1/vm.cgroups" && fail "Ctrl-C: a stallbench cgroup left in the guest: $(grep stallbench "$OUT/k1/vm.cgroups")"
grep -qP "^1\tk1\t[^\t]+\t\Q$PT\E\tinterrupted \(SIGINT\)$" "$OUT/faults.tsv" || fail "Ctrl-C: faults.tsv: $(cat "$OUT/faults.tsv")"
grep -q "finish it: ./run.sh --resume $OUT" "$OUT/run1.log" || fail "Ctrl-C: no --resume line"
[ -e "$OUT/cover-letter.txt" ] && fail "Ctrl-C: a letter was written over an interrupted sweep"

# ---- 2: run.sh SIGKILLed while its guest runs ----
"$TOP/run.sh" --resume "$OUT" >"$OUT/run2.log" 2>&1 &
PID=$!
for _ in $(seq 200); do
	[ -n "$(left | grep '^qemu:')" ] && break
	kill -0 "$PID" 2>/dev/null || fail "resume ended before booting: $(tail -5 "$OUT/run2.log")"
	sleep 0.2
done
q=$(left | grep '^qemu:')
[ -n "$q" ] || fail "resume: no QEMU started"
kill -9 "$PID"
wait "$PID" 2>/dev/null
PID=
sleep 10
l=$(left); [ -z "$l" ] || fail "run.sh SIGKILLed: still alive 10 s later: $l (QEMU was $q)"
echo "SIGKILL: $q gone 10 s later"

# ---- 3: --resume to the end ----
t3=$SECONDS
"$TOP/run.sh" --resume "$OUT" >"$OUT/run3.log" 2>&1
rc=$?
echo "resume: exit $rc after $((SECONDS - t3))s"
[ "$rc" -eq 0 ] || fail "resume: exit $rc: $(tail -5 "$OUT/run3.log")"
grep -q '"status": *"complete"' "$D/$PT/meta.json" || fail "resume: the point is not complete"
[ "$(grep -c "^$PT	" "$D/points.tsv")" -eq 1 ] || fail "resume: points.tsv: $(cat "$D/points.tsv")"
L=$OUT/cover-letter.txt
[ -s "$L" ] || fail "resume: no letter"
cat "$L"
grep -q "^stallbench: one kernel, 1 sweep point" "$L" || fail "letter: $(head -1 "$L")"
tr '\n' ' ' <"$L" | grep -Eq "fault: 6\.12[^ ]*, boot 1, point +$PT: +interrupted +\(SIGINT\); +redone +on +--resume" ||
	fail "letter: the fault is not named as redone: $(grep -A2 fault "$L")"
[ -z "$(awk 'length > 72' "$L")" ] || fail "letter over 72 columns"
l=$(left); [ -z "$l" ] || fail "after the resume: still alive: $l"
echo "PASS $NAME: Ctrl-C stopped in ${dt}s, no QEMU after SIGKILL, --resume finished, in $(( $(date +%s) - t0 ))s"
rm -rf "$OUT"
