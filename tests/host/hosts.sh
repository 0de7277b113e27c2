#!/bin/bash
# ./run.sh --hosts through a real sshd: a daemon started for the test on
# spare localhost ports, with a host key and a client key made for it
# (StrictModes on, root by key only), two logins to this machine by two
# ports (two "hosts" to parallel), and a third port where nothing listens.
# Asserts:
# - the closed port is named with its reason (unreachable, connection
#   refused), the run exits 1 and the two others' results are kept: every
#   point of their sweeps complete, brought back under <out>/<host>/;
# - the letter compares the two hosts (each named with its kernel and
#   machine), says which host is missing and why, fits 72 columns;
# - after the third port opens, --resume reruns only that host (parallel's
#   joblog: one more line, for it alone), leaves the others' results as
#   they were, and the letter then holds all three;
# - --spread over the two: each host runs one of the two points, both come
#   back complete into one merged sweep, whose letter names both hosts.
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
SSHD_PID=
cleanup() {
	[ -n "$SSHD_PID" ] && kill "$SSHD_PID" 2>/dev/null && wait "$SSHD_PID" 2>/dev/null
	rm -rf "$SB_HOSTS_REMOTE_DIR"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() { echo "FAIL hosts: $*" >&2; echo "(kept $T)" >&2; exit 1; }
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
start_sshd() {	# ports...
	local p
	{
		for p in "$@"; do echo "ListenAddress 127.0.0.1:$p"; done
		cat <<EOF
HostKey $T/hostkey
PidFile $T/sshd.pid
AuthorizedKeysFile $T/authorized_keys
StrictModes yes
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
LogLevel VERBOSE
EOF
	} >"$T/sshd_config"
	/usr/sbin/sshd -t -f "$T/sshd_config" || fail "sshd -t: bad config"
	/usr/sbin/sshd -D -e -f "$T/sshd_config" 2>>"$T/sshd.log" &
	SSHD_PID=$!
	for _ in $(seq 50); do
		ssh -F "$T/ssh_config" -p "$1" localhost true 2>/dev/null && return 0
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
start_sshd "$P1" "$P2"
cat >"$T/hosts.txt" <<EOF
# two logins to this machine, and one to a port where nothing listens
ssh -F $T/ssh_config -p $P1 localhost
ssh -F $T/ssh_config -p $P2 localhost
ssh -F $T/ssh_config -p $P3 localhost
EOF
H1=localhost-p$P1 H2=localhost-p$P2 H3=localhost-p$P3
OUT=$T/out
SWEEP=(--workloads truncate-storm --caps 64M --mixes ftruncate=1,unlink=1 --duration 2s --reps 2)

# ---- 1: two hosts and a closed port ----
t1=$(date +%s)
"$TOP/run.sh" --hosts "$T/hosts.txt" --out "$OUT" "${SWEEP[@]}" >"$T/run1.out" 2>"$T/run1.err"
rc=$?
echo "first run: exit $rc in $(( $(date +%s) - t1 ))s"
[ $rc -eq 1 ] || fail "run with a closed port: exit $rc (want 1): $(tail -5 "$T/run1.err")"
grep -q "^unreachable (.*Connection refused" "$OUT/$H3/status" ||
	fail "closed port's reason: $(cat "$OUT/$H3/status" 2>&1)"
grep -q "run.sh --hosts: $H3: unreachable" "$T/run1.err" || fail "the closed port is not named on stderr"
grep -q -- "--resume" "$T/run1.err" || fail "no hint to --resume"
for h in $H1 $H2; do
	[ "$(cat "$OUT/$h/status" 2>&1)" = ok ] || fail "$h: $(cat "$OUT/$h/status" 2>&1)"
done
python3 - "$OUT" "$H1" "$H2" <<'PY' || fail "a host's sweep is not all there"
import glob, json, sys
for h in sys.argv[2:]:
    metas = glob.glob("%s/%s/results/*/sweep/*/meta.json" % (sys.argv[1], h))
    st = [json.load(open(m))["status"] for m in metas]
    if len(metas) != 2 or set(st) != {"complete"}:
        print(h, metas, st); sys.exit(1)
    g = json.load(open(metas[0]))["tool"]["git"]
    if g == "unknown":
        print(h, "built without its commit"); sys.exit(1)
PY
L=$OUT/cover-letter.txt
[ -s "$L" ] || fail "no cover letter after run 1"
cat "$L"
grep -Eq "^stallbench: 2 hosts compared, 1 sweep point" "$L" || fail "letter: not 2 hosts: $(head -1 "$L")"
# a host's line may wrap at 72 columns (the host's kernel release sets where):
# read each entry with its continuation lines joined
entry() { awk -v id="  $1: " 'index($0, id) == 1 { on = 1; printf "%s", $0; next } on && /^    / { printf " %s", substr($0, 5); next } on { exit }' "$L"; }
entry A | grep -Eq "^  A: $H1: [0-9][^ ]*; .*CPUs, .* GiB" || fail "letter: host A without kernel and machine: $(entry A)"
entry B | grep -Eq "^  B: $H2: [0-9][^ ]*; .*CPUs, .* GiB" || fail "letter: host B without kernel and machine: $(entry B)"
grep -Eq "^  not compared: $H3: unreachable" "$L" || fail "letter: the missing host is not named"
grep -q "^Verdict" "$L" || fail "letter: no verdict"
sed -n '/^To reproduce/,$p' "$L" | tr '\n' ' ' | grep -Eq "run.sh --hosts hosts.txt --workloads truncate-storm .* A: host $H1, kernel [^ ]+, machine: " ||
	fail "letter: reproduce block"
long=$(awk 'length > 72' "$L" | head -3)
[ -z "$long" ] || fail "letter lines over 72 columns: $long"
[ "$(wc -l <"$OUT/joblog")" -eq 4 ] || fail "joblog: $(cat "$OUT/joblog")"
m1=$(stat -c %Y "$OUT/$H1"/results/*/sweep/*-r1/meta.json)

# ---- 2: the third port opens; --resume reruns only it ----
kill "$SSHD_PID"; wait "$SSHD_PID" 2>/dev/null; SSHD_PID=
start_sshd "$P1" "$P2" "$P3"
t2=$(date +%s)
"$TOP/run.sh" --hosts "$T/hosts.txt" --resume "$OUT" >"$T/run2.out" 2>"$T/run2.err"
rc=$?
echo "resumed run: exit $rc in $(( $(date +%s) - t2 ))s"
[ $rc -eq 0 ] || fail "resume: exit $rc: $(tail -5 "$T/run2.err")"
[ "$(cat "$OUT/$H3/status")" = ok ] || fail "resume: $H3: $(cat "$OUT/$H3/status")"
grep -q "$H1: connecting\|$H2: connecting" "$T/run2.err" && fail "resume reran a host that had finished"
awk -F'\t' 'NR > 1 { n[$NF ~ /localhost-p'"$P3"' / ? "c" : "ab"]++ } END { exit !(n["c"] == 2 && n["ab"] == 2) }' \
	"$OUT/joblog" || fail "joblog after resume: $(cat "$OUT/joblog")"
[ "$(stat -c %Y "$OUT/$H1"/results/*/sweep/*-r1/meta.json)" = "$m1" ] || fail "resume touched $H1's results"
grep -Eq "^stallbench: 3 hosts compared" "$L" || fail "letter after resume: $(head -1 "$L")"
grep -q "not compared" "$L" && fail "letter after resume still misses a host"
grep -Eq "^  C: $H3: " "$L" || fail "letter after resume: no host C"

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
grep -Eq "^  A: [^ ]+, spread over: $H1 $H2$" "$L" || fail "spread letter: hosts not named"
[ -z "$(awk 'length > 72' "$L")" ] || fail "spread letter over 72 columns"
echo "PASS hosts: 2 hosts + a refused one, then --resume of that one alone, then --spread, in $(( $(date +%s) - t0 ))s"
rm -rf "$T"
