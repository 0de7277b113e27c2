#!/bin/bash
# ./run.sh bisect over real Debian kernel releases where the change is known
# to be there: a NOFAIL|ACCOUNT vmalloc 4M past a 32M cap takes 2-3x longer
# with many more reclaim rounds on 6.1 than on 6.12 (tests/vm/sweep_compare.sh
# measures it). Good = 6.1 (newest), bad = the newest 6.12, between them an
# older 6.12 release: the first bad kernel must be that older 6.12 — a
# bisect that judged the wrong way, took the bad end for the answer or
# skipped the candidate names another. Asserts the log of steps (the good
# end, the bad end judged bad, the candidate judged bad), the verdict lines
# behind each, the letter (good vs first bad: both named, the change in it,
# 72 columns) and the run's time. 3 boots per kernel, 9 in all.
# usage: tests/vm/bisect.sh [OLDER_6.12_RELEASE]
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
skip() { echo "SKIP bisect: $*" >&2; exit 4; }
[ "$(id -u)" = 0 ] || skip "needs root"
command -v qemu-system-x86_64 >/dev/null || skip "no qemu-system-x86"
[ -x "$TOP/build/stallbench" ] || skip "build/stallbench not built"
GOOD=$("$TOP/vm/fetch-kernel" 6.1 2>/dev/null) || skip "cannot fetch Debian 6.1"
BAD=$("$TOP/vm/fetch-kernel" 6.12 2>/dev/null) || skip "cannot fetch Debian 6.12"
GOOD=$(basename "$GOOD") BAD=$(basename "$BAD")
# the 6.12 release before the newest one that has headers (the module
# must build for it)
MID=${1:-$(apt-cache pkgnames linux-headers-6.12. 2>/dev/null |
	grep -E '^linux-headers-6\.12\.[0-9]+\+deb12-amd64$' | sed 's/^linux-headers-//' |
	sort -V | grep -B1 -Fx "$BAD" | head -1)}
[ -n "$MID" ] && [ "$MID" != "$BAD" ] || skip "no older 6.12 release than $BAD in the archive"
"$TOP/vm/fetch-kernel" "$MID" >/dev/null 2>&1 || skip "cannot fetch $MID"
OUT=$(mktemp -d /var/tmp/sbbisect.XXXXXX)
fail() { echo "FAIL bisect: $*" >&2; echo "(kept $OUT)" >&2; exit 1; }
t0=$(date +%s)
"$TOP/run.sh" bisect --good 6.1 --bad 6.12 --candidates "$MID" --reps 3 --timeout 400 \
	--point nofail-cap32M-36M-nofail_account --workloads vmalloc-nofail \
	--nofail-sizes 36M --nofail-cap 32M --nofail-flags nofail,account \
	--out "$OUT/b" >"$OUT/out.txt" 2>"$OUT/err.txt"
rc=$?
secs=$(( $(date +%s) - t0 ))
cat "$OUT/out.txt"
[ $rc -eq 0 ] || fail "bisect exit $rc: $(tail -5 "$OUT/err.txt")"
B=$OUT/b/bisect.log
[ -s "$B" ] || fail "no bisect.log"
grep -Eq "^bisect nofail-cap32M-36M-nofail_account: good $GOOD, bad $BAD, 2 kernel\(s\) after the good one: $MID $BAD" "$B" ||
	fail "log header: $(head -1 "$B")"
grep -Eq "^step 1: $GOOD: the good end" "$B" || fail "step 1 is not the good end"
grep -Eq "^step 2: $BAD: bad " "$B" || fail "the bad end not judged bad: $(grep '^step 2' "$B")"
grep -Eq "^step 3: $MID: bad " "$B" || fail "$MID not judged bad: $(grep -A3 '^step 3' "$B")"
[ "$(grep -c '^step ' "$B")" -eq 3 ] || fail "not 3 steps"
# each bad step says what changed: the NOFAIL call against the good kernel
for s in 2 3; do
	grep -Eq "vmalloc-nofail/alloc (latency|reclaim rounds per call)" "$OUT/b/verdict-$s.txt" ||
		fail "step $s's verdict names no change of the call: $(cat "$OUT/b/verdict-$s.txt")"
done
grep -Fxq "first bad kernel: $MID (last good: $GOOD)" "$B" || fail "first bad: $(grep '^first bad' "$B")"
L=$OUT/b/cover-letter.txt
[ -s "$L" ] || fail "no letter"
grep -q "^  A: $GOOD (good)$" "$L" && grep -q "^  B: $MID (first bad)$" "$L" || fail "letter: kernels not named"
grep -q "^Verdict" "$L" && grep -q "vmalloc-nofail/alloc" "$L" || fail "letter: no verdict on the call"
long=$(awk 'length > 72' "$L" | head -3)
[ -z "$long" ] || fail "letter lines over 72 columns: $long"
echo "PASS bisect: $GOOD good, $BAD bad, first bad $MID, $(grep -c '^step ' "$B") steps in ${secs}s"
rm -rf "$OUT"
