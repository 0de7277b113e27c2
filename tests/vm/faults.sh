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
NAME=faults
. "$(dirname "$0")/sweeplib.sh"
PID=
MNT=
fail() {
	echo "FAIL $NAME: $*" >&2
	echo "(kept $OUT)" >&2
	[ -n "$PID" ] && kill -9 "$PID" 2>/dev/null
	[ -n "$MNT" ] && { sleep 1; cp -a "$MNT" "$MNT.kept"; umount "$MNT"; }
	exit 1
}
# the processes of this sweep: every one whose command line names $OUT
# (vm/sweep's children, vm/run, timeout, QEMU: -append sbres=$OUT/k1), and
# the QEMUs vm/run recorded
left() {
	local p
	for p in $(cat "$OUT"/k*/vm.qemu.pid "$OUT"/b/k*/vm.qemu.pid 2>/dev/null); do
		[[ $p =~ ^[0-9]+$ ]] && kill -0 "$p" 2>/dev/null && echo "qemu:$p"
	done
	pgrep -f -- "$OUT" | grep -vx "$$" | sed 's/^/pid:/'
}
PT=storm-cap64M-ftruncate_1-r1
# (8 s points: Ctrl-C comes 1-1.5 s after the point's meta.json and must
# reach the guest's driver while the point runs)
SWEEP=(--kernel 6.12 --workloads truncate-storm --caps 64M --mixes ftruncate=1 --duration 8s --reps 1)
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
# (3-7 s measured; a sweep that waits for its point to end took 27 s)
[ "$dt" -le 15 ] || fail "Ctrl-C: the sweep took ${dt}s to stop"
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
t3=$(( $(date +%s) - t0 ))
# ---- 4: a guest that hangs, one that panics, a full results share ----
# One sweep of 4 repetitions in one boot (4 s points): r1's QEMU is
# SIGSTOPped 1 s into the point (the hang watchdog, 15 s here, kills it),
# the next boot panics 1 s into r2 (STALLBENCH_VM_TEST_PANIC: sysrq c in
# the guest), the third runs r3 and fills its results share (a tmpfs here)
# 1 s into r4. Each fault loses its point only, named in faults.tsv and the
# letter's environment block with its incomplete result; the crash is not
# retried; the full share ends r4 incomplete with ENOSPC and the sweep.
B=$OUT/b P4=storm-cap64M-ftruncate_1
# the letter with its wrapped lines joined back
unwrapped() {
	awk '{ match($0, /^ */); i = RLENGTH }
		NR > 1 && i == pi + 2 && i >= 4 { sub(/^ +/, " "); l = l $0; next }
		{ if (NR > 1) print l; l = $0; pi = i }
		END { print l }' "$1"
}
# (what each fault kept is checked whole: every failed check is said)
BAD=
bad() { echo "FAIL $NAME: $*" >&2; BAD+="${BAD:+; }$*"; }
t4=$SECONDS
# the sweep's folder on the results share is a 2 MB tmpfs (the guest's
# files beside it, vm.out and the console, are not: they name the error)
MNT=$B/k1/$(basename "$(dirname "$D")")/sweep
mkdir -p "$MNT" && mount -t tmpfs -o size=2m sbfaults "$MNT" || fail "cannot mount a tmpfs at $MNT"
await() {	# the point whose meta.json appears
	local i
	for i in $(seq 900); do
		ls "$B"/k1/*/sweep/"$1"/meta.json >/dev/null 2>&1 && return 0
		kill -0 "$PID" 2>/dev/null || fail "the sweep ended before $1 ran: $(tail -5 "$OUT/run4.log")"
		sleep 0.2
	done
	fail "$1 never started: $(tail -5 "$OUT/run4.log")"
}
STALLBENCH_VM_HANG=15 STALLBENCH_VM_TEST_PANIC=$P4-r2 "$TOP/run.sh" --kernel 6.12 --workloads truncate-storm \
	--caps 64M --mixes ftruncate=1 --duration 4s --reps 4 --one-boot --out "$B" >"$OUT/run4.log" 2>&1 &
PID=$!
await "$P4-r1"
sleep 1
q=$(tail -1 "$B/k1/vm.qemu.pid")
kill -STOP "$q" || fail "hang: cannot stop QEMU $q"
ts=$SECONDS
for _ in $(seq 240); do kill -0 "$q" 2>/dev/null || break; sleep 0.5; done
tk=$((SECONDS - ts))
await "$P4-r2"
th=$((SECONDS - ts))
await "$P4-r4"
sleep 1
dd if=/dev/zero of="$MNT/.filler" bs=4k 2>/dev/null
wait "$PID"; rc=$?
PID=
t4=$((SECONDS - t4))
echo "hang, panic, full share: exit $rc after ${t4}s (hung QEMU gone ${tk}s and replaced ${th}s after its SIGSTOP)"
kill -0 "$q" 2>/dev/null && fail "hang: the stopped QEMU $q is alive"
# the watchdog's bound: 15 s of silence, then the kill (the fresh boot and
# r2's start after it, 31-43 s measured in all, once 61 s, are the
# machine's speed, bounded loosely: 120 s)
[ "$tk" -le 30 ] || bad "hang: the stopped QEMU was killed ${tk}s after its SIGSTOP (watchdog 15 s; want <= 30 s)"
[ "$th" -le 120 ] || bad "hang: the stopped QEMU was replaced ${th}s after its SIGSTOP (want <= 120 s)"
[ "$rc" -eq 1 ] || fail "faults: exit $rc (want 1: points missing): $(tail -5 "$OUT/run4.log")"
nb=$(grep -c '^vm/sweep: repetition 1, kernel 1: exit' "$OUT/run4.log")
[ "$nb" -eq 3 ] || bad "faults: $nb boots, want 3 (hang, panic, the rest)"
grep -q 'lab flake:' "$OUT/run4.log" && bad "the panic was retried as a lab flake"
[ -s "$B/k1/vm.flakes" ] && bad "a flake counted: $(cat "$B/k1/vm.flakes")"
F=$B/faults.tsv
cat "$F"
[ "$(wc -l <"$F")" -eq 3 ] || bad "faults.tsv: want 3 faults"
grep -qP "^1\tk1\t6\.12[^\t]*\t$P4-r1\tguest hung: no output for 15s .*console kept: k1/vm\.console\.r1\.log$" "$F" ||
	bad "faults.tsv: no hang of r1"
grep -qP "^1\tk1\t6\.12[^\t]*\t$P4-r2\tguest crashed \(kernel: .*sysrq.*\); trace kept: k1/vm\.oops\.r1\.b2\.txt$" "$F" ||
	bad "faults.tsv: no crash of r2"
grep -qP "^1\tk1\t6\.12[^\t]*\t$P4-r4\tresults share full \([0-9]+K free\): .*could not be written \([a-z_.]+: (ENOSPC|EIO)\)$" "$F" ||
	bad "faults.tsv: no full share at r4"
grep -q 'sysrq_handle_crash' "$B/k1/vm.oops.r1.b2.txt" || bad "the panic's trace is not kept"
grep -q "STALLBENCH_VM_TEST_PANIC: panicking in point $P4-r2" "$B/k1/vm.console.r1.b2.log" ||
	bad "the panic's console is not kept"
D4=$(ls -d "$B"/k1/*/sweep)
[ "$(cut -f1 "$D4/points.tsv" | paste -sd' ')" = "$P4-r3" ] || bad "points.tsv: $(cat "$D4/points.tsv")"
# each faulted point's folder kept, not complete (a panic may cut its
# meta.json's last write: that it is there and not complete is what counts)
for r in r1 r2 r4; do
	[ -f "$D4/$P4-$r/meta.json" ] && ! grep -q '"status": *"complete"' "$D4/$P4-$r/meta.json" ||
		bad "$r: its result not kept incomplete: $(grep -o '"status": *"[a-z]*"' "$D4/$P4-$r/meta.json" 2>&1)"
done
grep -Eq '"errno": *"(ENOSPC|EIO)"' "$D4/$P4-r4/meta.json" || bad "r4: meta.json does not name ENOSPC (or 9p's EIO)"
grep -Eq "point [0-9/]+ $P4-r1: skipped" "$B/k1/vm.out.r1.b2" || bad "boot 2 did not skip the hung point"
grep -q "finish it: ./run.sh --resume $B" "$OUT/run4.log" || bad "faults: no --resume line"
L4=$B/cover-letter.txt
[ -s "$L4" ] || bad "faults: no letter over the points that ran"
# the faults in the environment block, each with its incomplete result
env4=$(awk '/^Environment:/ { on = 1 } on && /^$/ { exit } on' "$L4" | tr '\n' ' ' | tr -s ' ')
for r in r1 r2 r4; do
	grep -Eq "fault: 6\.12[^ ]*, boot 1, point $P4-$r: .*; missing, its incomplete result in k1/[^ ]+/sweep/$P4-$r until --resume redoes it" <<<"$env4" ||
		bad "letter: the environment block does not name $r: $env4"
done
[ -z "$(awk 'length > 72' "$L4")" ] || bad "faults letter over 72 columns"
l=$(left); [ -z "$l" ] || bad "faults: still alive: $l"

# ---- 5: --resume redoes only the three, in one boot ----
rm -f "$MNT/.filler"
t5=$SECONDS
"$TOP/run.sh" --resume "$B" >"$OUT/run5.log" 2>&1
rc=$?
t5=$((SECONDS - t5))
echo "resume of the faults: exit $rc after ${t5}s"
[ "$rc" -eq 0 ] || bad "resume: exit $rc: $(tail -5 "$OUT/run5.log")"
grep -q "resume: repetition 1, kernel 1: 3 point run(s) missing: $P4-r1 $P4-r2 $P4-r4$" "$OUT/run5.log" ||
	bad "resume: not exactly the three faulted points: $(grep resume: "$OUT/run5.log")"
[ "$(grep -c '^vm/sweep: repetition 1, kernel 1: exit' "$OUT/run5.log")" -eq 1 ] || bad "resume: not one boot"
[ "$(cut -f1 "$D4/points.tsv" | sort | paste -sd' ')" = "$P4-r1 $P4-r2 $P4-r3 $P4-r4" ] ||
	bad "resume: points.tsv: $(cat "$D4/points.tsv")"
for r in r1 r2 r3 r4; do
	grep -q '"status": *"complete"' "$D4/$P4-$r/meta.json" || bad "resume: $r not complete"
done
L5=$B/cover-letter.txt
cat "$L5"
env5=$(awk '/^Environment:/ { on = 1 } on && /^$/ { exit } on' "$L5" | tr '\n' ' ' | tr -s ' ')
for r in r1 r2 r4; do
	grep -Eq "fault: 6\.12[^ ]*, boot 1, point $P4-$r: .*; redone on --resume" <<<"$env5" ||
		bad "resume letter: $r not named redone: $env5"
done
grep -v 'fault:' <(unwrapped "$L5") | grep -qi 'incomplete\|missing' && bad "resume letter still names something incomplete: $(grep -i 'incomplete\|missing' "$L5")"
# equal in form to an unbroken letter (part 3's: its one point redone
# whole): the same blocks, in order, each by its head's first word
form() { awk '!/^ / { print $1 }' "$1" | sed 's/[0-9][0-9.]*/N/g'; }
diff <(form "$OUT/cover-letter.txt") <(form "$L5") >&2 || bad "resume letter: not the form of an unbroken one"
grep -Eq "^[0-9.]+s per run, 4 runs" "$L5" || bad "resume letter: not 4 runs: $(grep ' per run' "$L5")"
[ -z "$(awk 'length > 72' "$L5")" ] || bad "resume letter over 72 columns"
l=$(left); [ -z "$l" ] || fail "resume: still alive: $l"
[ -z "$BAD" ] || fail "$BAD"
umount "$MNT" && MNT=
t45=$((t4 + t5))
echo "PASS $NAME: Ctrl-C stopped in ${dt}s, no QEMU after SIGKILL, --resume finished (${t3}s); hang, panic, full share, --resume (${t45}s); in $(( $(date +%s) - t0 ))s"
rm -rf "$OUT"
