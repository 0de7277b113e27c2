#!/bin/bash
# ./run.sh --hosts through a real sshd: a daemon started for the test on
# spare localhost ports, with a host key and a client key made for it
# (StrictModes on, root by key only), two logins to this machine by two
# ports (two "hosts" to parallel), and a third port where nothing listens.
# Asserts:
# - the second host's sshd (one of its own) is killed with all its sessions
#   after that host's second point (the host "dies"): its two points were
#   already copied back (each comes back when it ends) and are kept, its
#   status says it died and how many points it kept;
# - the closed port is named with its reason (unreachable, connection
#   refused), the run exits 1 and the two others' results are kept: every
#   point of their sweeps complete, brought back under <out>/<host>/;
# - the letter compares the two hosts (each named with its kernel and
#   machine), says which host is missing and why, fits 72 columns;
# - after the third port opens and the second sshd is back, --resume reruns
#   only those two hosts (parallel's joblog), the dead one only its third
#   point (its first two untouched), leaves the first host's results as they
#   were, and the letter then holds all three, each labelled in compare's
#   tables by its unique name (hostname/entry: all three are this machine);
# - --spread over the two: each host runs one of the two points, both come
#   back complete into one merged sweep, whose letter names both hosts.
# - Ctrl-C (SIGINT to the process group) while both hosts run a 30 s point:
#   15 s later nothing runs on either (the sweeps die with their connection).
# - run.sh SIGKILLed once both hosts brought a point back: 12 s later no
#   remote run, ssh or parallel of it; --resume finishes it, the points
#   back before untouched, the letter over both hosts.
# The two sweeps share this machine (cgroups are named by the driver's
# pid, so they do not collide); their numbers are not a benchmark.
# usage: tests/host/hosts.sh
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
skip() { echo "SKIP hosts: $*" >&2; exit 4; }
[ "$(id -u)" = 0 ] || skip "needs root (the sweep runs as root on the hosts)"
for c in parallel ssh ssh-keygen git; do
	command -v $c >/dev/null || skip "no $c (Debian: parallel, openssh-client, git)"
done
[ -x /usr/sbin/sshd ] || skip "no /usr/sbin/sshd (Debian: openssh-server)"
git -C "$TOP" rev-parse -q --verify HEAD >/dev/null || skip "$TOP is not a git checkout"
# not under /tmp: StrictModes refuses keys below a world-writable folder
T=$(mktemp -d /run/sbhosts.XXXXXX)
# the hosts' copies (on a disk: the storm's page cache must be reclaimable)
export SB_HOSTS_REMOTE_DIR=/var/tmp/$(basename "$T")
SSHD_A= SSHD_B= RUN=
# killtree PID: PID and everything below it, SIGKILLed (stopped first, so
# nothing forks away meanwhile)
killtree() {
	local c
	kill -STOP "$1" 2>/dev/null
	for c in $(pgrep -P "$1"); do killtree "$c"; done
	kill -9 "$1" 2>/dev/null
}
cleanup() {
	local p
	for p in $SSHD_A $SSHD_B $RUN; do killtree "$p"; done
	wait 2>/dev/null
	rm -rf "$SB_HOSTS_REMOTE_DIR"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() { echo "FAIL hosts: $*" >&2; echo "(kept $T)" >&2; exit 1; }
# the letter with sb_wrap72's continuation lines (indented 2 more than the
# line they continue) joined back: a host's line runs past 72 columns
unwrapped() {
	awk '{ match($0, /^ */); i = RLENGTH }
		NR > 1 && i == pi + 2 && i >= 4 { sub(/^ +/, " "); l = l $0; next }
		{ if (NR > 1) print l; l = $0; pi = i }
		END { print l }' "$1"
}
t0=$(date +%s)

# three free ports: two for sshd now, the third closed until the resume
read -r P1 P2 P3 < <(python3 -c 'import socket
s = [socket.socket() for _ in range(3)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
ssh-keygen -q -t ed25519 -N '' -f "$T/hostkey" -C sbhost || fail "ssh-keygen host key"
ssh-keygen -q -t ed25519 -N '' -f "$T/id" -C sbclient || fail "ssh-keygen client key"
cp "$T/id.pub" "$T/authorized_keys" && chmod 600 "$T/authorized_keys"
mkdir -p /run/sshd
start_sshd() {	# A|B ports...: SSHD_A or SSHD_B, a daemon of its own
	local p tag=$1
	shift
	{
		for p in "$@"; do echo "ListenAddress 127.0.0.1:$p"; done
		cat <<EOF
HostKey $T/hostkey
PidFile $T/sshd$tag.pid
AuthorizedKeysFile $T/authorized_keys
StrictModes yes
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
LogLevel VERBOSE
EOF
	} >"$T/sshd$tag.config"
	/usr/sbin/sshd -t -f "$T/sshd$tag.config" || fail "sshd -t: bad config"
	# The sessions read none of this machine's dotfiles: bash sources root's
	# ~/.bashrc for an ssh command, and a tester's one (pyenv's rehash here,
	# which waits 60 s on the lock a SIGKILLed session leaves) is not a lab
	# host's. sshd runs in a mount namespace with an empty file over it.
	local home bind=
	home=$(getent passwd root | cut -d: -f6)
	: >"$T/empty.bashrc"
	[ -f "$home/.bashrc" ] && bind="mount --bind '$T/empty.bashrc' '$home/.bashrc' && "
	unshare -m --propagation private sh -c "${bind}exec /usr/sbin/sshd -D -e -f '$T/sshd$tag.config'" 2>>"$T/sshd.log" &
	eval "SSHD_$tag=\$!"
	local n
	for _ in $(seq 50); do
		if n=$(ssh -F "$T/ssh_config" -p "$1" localhost 'cat ~/.bashrc 2>/dev/null | wc -c' 2>/dev/null); then
			[ "$n" = 0 ] || fail "sshd on port $1: its sessions see root's ~/.bashrc ($n bytes)"
			return 0
		fi
		sleep 0.2
	done
	fail "sshd did not answer on port $1: $(tail -3 "$T/sshd.log")"
}
cat >"$T/ssh_config" <<EOF
Host *
	HostName 127.0.0.1
	User root
	IdentityFile $T/id
	IdentitiesOnly yes
	UserKnownHostsFile $T/known_hosts
	StrictHostKeyChecking accept-new
	BatchMode yes
EOF
start_sshd A "$P1"
start_sshd B "$P2"
cat >"$T/hosts.txt" <<EOF
# two logins to this machine, and one to a port where nothing listens
ssh -F $T/ssh_config -p $P1 localhost
ssh -F $T/ssh_config -p $P2 localhost
ssh -F $T/ssh_config -p $P3 localhost
EOF
H1=localhost-p$P1 H2=localhost-p$P2 H3=localhost-p$P3
OUT=$T/out
SWEEP=(--workloads truncate-storm --caps 64M --mixes ftruncate=1,unlink=1 --duration 2s --reps 3)

# ---- 1: two hosts, one of which dies after its second point, and a closed port ----
t1=$(date +%s)
"$TOP/run.sh" --hosts "$T/hosts.txt" --out "$OUT" "${SWEEP[@]}" >"$T/run1.out" 2>"$T/run1.err" &
RUN=$!
# (as long as the run lives, up to 10 min: two builds and two sweeps share
# this machine's 2 cores with whatever test runs beside this one)
for _ in $(seq 3000); do
	[ "$(cat "$OUT/$H2"/results/*/sweep/points.tsv 2>/dev/null | wc -l)" -ge 2 ] && break
	kill -0 "$RUN" 2>/dev/null || break
	sleep 0.2
done
[ "$(cat "$OUT/$H2"/results/*/sweep/points.tsv 2>/dev/null | wc -l)" -eq 2 ] ||
	fail "$H2's first two points did not come back while it ran ($(kill -0 "$RUN" 2>/dev/null && echo "still running after $(( $(date +%s) - t1 ))s" || echo "run.sh ended")): $(cat "$OUT/$H2"/results/*/sweep/points.tsv 2>&1); $H2's log: $(tail -4 "$OUT/$H2/host.log" 2>&1 | tr '\n' ' ')"
killtree "$SSHD_B"; SSHD_B=
echo "$H2 killed (its sshd and every session) after its second point"
wait "$RUN"; rc=$?; RUN=
echo "first run: exit $rc in $(( $(date +%s) - t1 ))s"
[ $rc -eq 1 ] || fail "run with a closed port and a dead host: exit $rc (want 1): $(tail -5 "$T/run1.err")"
grep -q "^died mid-sweep: the connection was lost (.*); 2 point(s) kept$" "$OUT/$H2/status" ||
	fail "the dead host's status: $(cat "$OUT/$H2/status" 2>&1)"
python3 - "$OUT/$H2" <<'PY' || fail "the dead host's two points are not kept"
import glob, json, sys
metas = sorted(glob.glob("%s/results/*/sweep/*/meta.json" % sys.argv[1]))
st = [json.load(open(m))["status"] for m in metas]
if [m.split("/")[-2][-3:] for m in metas] != ["-r1", "-r2"] or set(st) != {"complete"}:
    print(metas, st); sys.exit(1)
PY
m2=$(stat -c %Y "$OUT/$H2"/results/*/sweep/*-r1/meta.json "$OUT/$H2"/results/*/sweep/*-r2/meta.json)
grep -q "^unreachable (.*Connection refused" "$OUT/$H3/status" ||
	fail "closed port's reason: $(cat "$OUT/$H3/status" 2>&1)"
grep -q "run.sh --hosts: $H3: unreachable" "$T/run1.err" || fail "the closed port is not named on stderr"
grep -q -- "--resume" "$T/run1.err" || fail "no hint to --resume"
[ "$(cat "$OUT/$H1/status" 2>&1)" = ok ] || fail "$H1: $(cat "$OUT/$H1/status" 2>&1)"
python3 - "$OUT" "$H1" <<'PY' || fail "a host's sweep is not all there"
import glob, json, sys
for h in sys.argv[2:]:
    metas = glob.glob("%s/%s/results/*/sweep/*/meta.json" % (sys.argv[1], h))
    st = [json.load(open(m))["status"] for m in metas]
    if len(metas) != 3 or set(st) != {"complete"}:
        print(h, metas, st); sys.exit(1)
    g = json.load(open(metas[0]))["tool"]["git"]
    if g == "unknown":
        print(h, "built without its commit"); sys.exit(1)
PY
L=$OUT/cover-letter.txt
[ -s "$L" ] || fail "no cover letter after run 1"
cat "$L"
grep -Eq "^stallbench: one host, 1 sweep point" "$L" || fail "letter: not 1 host: $(head -1 "$L")"
grep -Eq "^  A: $H1: [0-9][^ ]*; .*CPUs, .* GiB" <(unwrapped "$L") || fail "letter: host A without kernel and machine"
grep -Eq "^  not compared: $H2: died mid-sweep" <(unwrapped "$L") || fail "letter: the dead host is not named"
grep -Eq "^  not compared: $H3: unreachable" <(unwrapped "$L") || fail "letter: the missing host is not named"
# lab hosts are not lab guests: no "each a fresh boot", the hosts' kind named
grep -q "fresh boot" <(unwrapped "$L") && fail "letter: a hosts sweep said to boot each run: $(grep -A1 '^What ran' "$L")"
grep -Eq "runs per side; (hosts that are|bare-metal hosts)" <(unwrapped "$L") || fail "letter: the hosts' kind: $(sed -n '/^What ran/,/^$/p' "$L")"
sed -n '/^To reproduce/,$p' "$L" | tr '\n' ' ' | grep -Eq "run.sh --hosts hosts.txt --workloads truncate-storm .* A: host $H1, kernel [^ ]+, machine: " ||
	fail "letter: reproduce block"
long=$(awk 'length > 72' "$L" | head -3)
[ -z "$long" ] || fail "letter lines over 72 columns: $long"
[ "$(wc -l <"$OUT/joblog")" -eq 4 ] || fail "joblog: $(cat "$OUT/joblog")"
m1=$(stat -c %Y "$OUT/$H1"/results/*/sweep/*-r1/meta.json)

# ---- 2: the dead host is back, the third port opens; --resume reruns only those ----
start_sshd B "$P2" "$P3"
t2=$(date +%s)
"$TOP/run.sh" --hosts "$T/hosts.txt" --resume "$OUT" >"$T/run2.out" 2>"$T/run2.err"
rc=$?
echo "resumed run: exit $rc in $(( $(date +%s) - t2 ))s"
[ $rc -eq 0 ] || fail "resume: exit $rc: $(tail -5 "$T/run2.err")"
[ "$(cat "$OUT/$H3/status")" = ok ] || fail "resume: $H3: $(cat "$OUT/$H3/status")"
[ "$(cat "$OUT/$H2/status")" = ok ] || fail "resume: $H2: $(cat "$OUT/$H2/status")"
grep -q "$H1: connecting" "$T/run2.err" && fail "resume reran a host that had finished"
grep -q "$H2: 2 point(s) already back: only the others run" "$T/run2.err" || fail "resume: $H2 did not resume from its kept points"
awk -F'\t' 'NR > 1 { for (p in want) if ($NF ~ ("localhost-p" p " ")) n[p]++ }
	BEGIN { want['"$P1"'] = 1; want['"$P2"'] = 2; want['"$P3"'] = 2 }
	END { for (p in want) if (n[p] != want[p]) exit 1 }' \
	"$OUT/joblog" || fail "joblog after resume: $(cat "$OUT/joblog")"
[ "$(stat -c %Y "$OUT/$H1"/results/*/sweep/*-r1/meta.json)" = "$m1" ] || fail "resume touched $H1's results"
[ "$(stat -c %Y "$OUT/$H2"/results/*/sweep/*-r1/meta.json "$OUT/$H2"/results/*/sweep/*-r2/meta.json)" = "$m2" ] ||
	fail "resume reran $H2's finished points"
python3 - "$OUT/$H2" <<'PY' || fail "resume: $H2's sweep is not all there"
import glob, json, sys
metas = glob.glob("%s/results/*/sweep/*/meta.json" % sys.argv[1])
st = [json.load(open(m))["status"] for m in metas]
if len(metas) != 3 or set(st) != {"complete"}:
    print(metas, st); sys.exit(1)
rows = [l.split("\t")[0] for l in open(glob.glob("%s/results/*/sweep/points.tsv" % sys.argv[1])[0])]
if len(rows) != 3 or len(set(rows)) != 3:
    print(rows); sys.exit(1)
PY
grep -Eq "^stallbench: 3 hosts compared" "$L" || fail "letter after resume: $(head -1 "$L")"
grep -q "not compared" "$L" && fail "letter after resume still misses a host"
grep -Eq "^  C: $H3: " <(unwrapped "$L") || fail "letter after resume: no host C"
grep -q "^Verdict" "$L" || fail "letter: no verdict"
# compare's tables (the appendix, cover-letter-full.txt: the letter is the
# summary) name each run by its unique label: three entries, one hostname
for h in $H1 $H2 $H3; do
	grep -qF "$(hostname)/$h" <(unwrapped "$OUT/cover-letter-full.txt") || fail "appendix: no run labelled $(hostname)/$h in compare's tables"
done

# ---- 3: --spread: one sweep's points over two hosts of one kernel ----
head -3 "$T/hosts.txt" | tail -2 >"$T/two.txt"
t3=$(date +%s)
"$TOP/run.sh" --hosts "$T/two.txt" --spread --out "$T/spread" --workloads truncate-storm \
	--caps 64M,96M --mixes ftruncate=1,unlink=1 --duration 2s --reps 1 >"$T/run3.out" 2>"$T/run3.err"
rc=$?
echo "spread run: exit $rc in $(( $(date +%s) - t3 ))s"
[ $rc -eq 0 ] || fail "spread: exit $rc: $(tail -5 "$T/run3.err")"
S=$T/spread/spread
for p in storm-cap64M-ftruncate_1_unlink_1-r1 storm-cap96M-ftruncate_1_unlink_1-r1; do
	grep -q '"status": *"complete"' "$S/sweep/$p/meta.json" 2>/dev/null || fail "spread: $p not complete"
done
[ "$(ls -d "$S"/sweep/*/ | wc -l)" -eq 2 ] || fail "spread: not 2 points merged: $(ls "$S/sweep")"
# one point a host: two slots, two jobs, each host one
[ "$(cut -f3 "$S/hosts.tsv" | sort -u | wc -l)" -eq 2 ] || fail "spread: not both hosts used: $(cat "$S/hosts.tsv")"
L=$T/spread/cover-letter.txt
grep -q "^stallbench: one spread sweep, 2 sweep point(s)" "$L" || fail "spread letter: $(head -1 "$L")"
grep -Eq "^  A: [^ ]+, spread over: $H1 $H2$" <(unwrapped "$L") || fail "spread letter: hosts not named"
[ -z "$(awk 'length > 72' "$L")" ] || fail "spread letter over 72 columns"

# settle N CMD...: CMD's first 3 lines, polled every 0.5 s for at most N s
# until there are none: in $left (empty: all gone), the seconds taken in $tg
settle() {
	local n=$1 t0=$SECONDS
	shift
	for _ in $(seq $((2 * n))); do
		left=$("$@" | head -3)
		[ -z "$left" ] && break
		sleep 0.5
	done
	tg=$((SECONDS - t0))
}

# ---- 4: Ctrl-C (SIGINT to the process group) while both hosts run a 30 s
# point: 15 s later no run is left on either (nothing whose command line
# names the hosts' copies: their sweeps, drivers, workers, and the ssh
# clients that started them)
set -m
t4=$(date +%s)
"$TOP/run.sh" --hosts "$T/two.txt" --out "$T/intr" --workloads truncate-storm --caps 64M \
	--mixes ftruncate=1 --duration 30s --reps 1 >"$T/run4.out" 2>"$T/run4.err" &
RUN=$!
for _ in $(seq 600); do
	[ "$(pgrep -fc -- "$SB_HOSTS_REMOTE_DIR/.*/build/stallbench run")" -ge 2 ] && break
	kill -0 "$RUN" 2>/dev/null || fail "Ctrl-C: the hosts sweep ended before its points ran: $(tail -3 "$T/run4.err")"
	sleep 0.2
done
[ "$(pgrep -fc -- "$SB_HOSTS_REMOTE_DIR/.*/build/stallbench run")" -ge 2 ] || fail "Ctrl-C: the two hosts' points never ran"
sleep 2
kill -INT -- "-$RUN"
wait "$RUN"; rc=$?; RUN=
set +m
[ "$rc" -eq 130 ] || fail "Ctrl-C: the hosts sweep exit $rc (want 130): $(tail -3 "$T/run4.err")"
grep -q "interrupted: .* --resume $T/intr" "$T/run4.err" || fail "Ctrl-C: no --resume line"
# (gone within 15 s, polled and the time printed; the 30 s point would
# end by itself ~25 s later, so a sweep that left it running is still red)
settle 15 pgrep -af -- "$SB_HOSTS_REMOTE_DIR"
[ -z "$left" ] || fail "Ctrl-C: 15 s later still running: $left"
echo "Ctrl-C: the hosts sweep exit $rc, no remote run ${tg}s later ($(( $(date +%s) - t4 ))s)"

# ---- 5: run.sh SIGKILLed (the process alone) once both hosts brought a
# point back and a point runs: 12 s later no remote run and no ssh or
# parallel of it is left; --resume runs only what was not back (the kept
# points untouched) and ends with the letter over both hosts
t5=$(date +%s)
R5=5	# repetitions: points still to run when run.sh dies (with 2 the remote
	# sweep could end by itself inside the 12 s, and the check saw nothing)
K=$T/kill
"$TOP/run.sh" --hosts "$T/two.txt" --out "$K" --workloads truncate-storm --caps 64M \
	--mixes ftruncate=1 --duration 3s --reps $R5 >"$T/run5.out" 2>"$T/run5.err" &
RUN=$!
back() { cat "$K/$1"/results/*/sweep/points.tsv 2>/dev/null | wc -l; }
for _ in $(seq 900); do
	[ "$(back "$H1")" -ge 1 ] && [ "$(back "$H2")" -ge 1 ] &&
		[ "$(pgrep -fc -- "$SB_HOSTS_REMOTE_DIR/.*/build/stallbench run")" -ge 1 ] && break
	kill -0 "$RUN" 2>/dev/null || fail "SIGKILL: the hosts sweep ended first: $(tail -3 "$T/run5.err")"
	sleep 0.2
done
k1=$(back "$H1") k2=$(back "$H2")
[ "$k1" -ge 1 ] && [ "$k2" -ge 1 ] || fail "SIGKILL: the first points never came back"
[ "$(pgrep -fc -- "$SB_HOSTS_REMOTE_DIR/.*/build/stallbench run")" -ge 1 ] || fail "SIGKILL: no point running"
kill -9 "$RUN"
wait "$RUN" 2>/dev/null; RUN=
# (polled for 12 s, the time printed: the 3 s points still to run would
# outlast that by themselves)
killed_left() { pgrep -af -- "$SB_HOSTS_REMOTE_DIR"; pgrep -af -- "-F $T/ssh_config"; pgrep -af -- "$K"; }
settle 12 killed_left
k1=$(back "$H1") k2=$(back "$H2")	# (one may have come back meanwhile)
[ -z "$left" ] || fail "run.sh SIGKILLed: 12 s later still running: $left"
echo "run.sh SIGKILLed with $k1 + $k2 point(s) back: nothing left ${tg}s later"
kept5=$(for h in $H1 $H2; do
	for pt in $(cut -f1 "$K/$h"/results/*/sweep/points.tsv); do
		stat -c '%n %Y' "$K/$h"/results/*/sweep/"$pt"/meta.json
	done
done)
"$TOP/run.sh" --hosts "$T/two.txt" --resume "$K" >"$T/run6.out" 2>"$T/run6.err"
rc=$?
[ $rc -eq 0 ] || fail "resume after SIGKILL: exit $rc: $(tail -5 "$T/run6.err")"
for h in $H1 $H2; do
	[ "$(cat "$K/$h/status")" = ok ] || fail "resume after SIGKILL: $h: $(cat "$K/$h/status")"
	[ "$(cut -f1 "$K/$h"/results/*/sweep/points.tsv | sort -u | wc -l)" -eq $R5 ] &&
		[ "$(back "$h")" -eq $R5 ] || fail "resume after SIGKILL: $h's points.tsv: $(cat "$K/$h"/results/*/sweep/points.tsv)"
	[ "$(grep -l '"status": *"complete"' "$K/$h"/results/*/sweep/*/meta.json | wc -l)" -eq $R5 ] ||
		fail "resume after SIGKILL: $h's points not all complete"
done
# the points kept before the SIGKILL are the same files (a point back
# with its row was not run again)
while read -r f m; do
	[ "$(stat -c %Y "$f")" = "$m" ] || fail "resume after SIGKILL reran a point that was back: $f"
done <<<"$kept5"
[ "$(wc -l <<<"$kept5")" -eq $((k1 + k2)) ] || fail "SIGKILL: the kept points: $kept5"
grep -Eq "^stallbench: 2 hosts compared" "$K/cover-letter.txt" || fail "resume after SIGKILL: letter: $(head -1 "$K/cover-letter.txt")"
grep -q "not compared" "$K/cover-letter.txt" && fail "resume after SIGKILL: the letter misses a host"
left=$(pgrep -af -- "$SB_HOSTS_REMOTE_DIR" | head -3)
[ -z "$left" ] || fail "resume after SIGKILL: still running: $left"
echo "SIGKILL + --resume: done in $(( $(date +%s) - t5 ))s"
echo "PASS hosts: a host dead after its second point and a refused one, then --resume of those, then --spread, then Ctrl-C, then run.sh SIGKILLed and --resume, in $(( $(date +%s) - t0 ))s"
rm -rf "$T"
