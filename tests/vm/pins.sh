#!/bin/bash
# The kernel pins, without a boot (seconds): tests/kernels.lock against the
# archive, and the resolver with and without a lock.
# - every pinned package is in the archive at its pinned version and sha256
#   (when one is gone, this fails naming the pin to update);
# - with a lock, a series name resolves to the pinned release even when the
#   archive holds a newer one (a lock pinning 6.12 to an older release than
#   the newest: the product's resolution takes the newest, the lock's does
#   not), and a fetch gets exactly the pinned packages;
# - a pin whose version is gone from the archive fails naming the pin, a
#   spec the lock does not pin fails naming the lock, a file that is not a
#   lock is refused: never another kernel;
# - vm/sweep refuses a --kernel-lock that is not a lock (exit 2, nothing made).
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
FK=$TOP/vm/fetch-kernel
PINS=$TOP/tests/kernels.lock
fail() { echo "FAIL kernel_pins: $*" >&2; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
n=0
while read -r spec rel pkg ver up sha; do
	[[ $spec == \#* || -z $spec ]] && continue
	# fetch-kernel's own look-up (a NAME:ARCH pin through its private index)
	got=$(bash -c ". '$FK'; field '$pkg=$ver' SHA256")
	[ -n "$got" ] || fail "pinned $pkg $ver ($spec) is no longer in the archive: re-pin it in tests/kernels.lock"
	[ "$got" = "$sha" ] || fail "pinned $pkg $ver: the archive's sha256 is $got, the pin says $sha"
	[ "$up" = "${ver%%-*}" ] || fail "$pkg: upstream $up does not match version $ver"
	n=$((n + 1))
done < "$PINS"
[ $n -ge 16 ] || fail "only $n pinned packages read from $PINS"
# each spec the suite names is pinned, to one release
for s in 6.1 6.12 6.1-rt 6.12-rt 6.12.115+deb12-amd64 6.1-686; do
	r=$(STALLBENCH_KERNELS_LOCK=$PINS bash -c ". '$FK'; resolve '$s'") || fail "$s: not resolved through the pins"
	[ "$(awk -v s="$s" '$1 == s { print $2 }' "$PINS" | sort -u)" = "$r" ] || fail "$s resolved to $r, not its pin"
done
# a newer release than the pin: the product takes it, a lock does not
newest=$(bash -c ". '$FK'; resolve 6.12") || fail "the product cannot resolve 6.12"
older=$(apt-cache pkgnames linux-headers-6.12. | sed -n 's/^linux-headers-\(6\.12\.[0-9]*+deb12-amd64\)$/\1/p' |
	sort -V | grep -B1 -Fx "$newest" | head -1)
[ -n "$older" ] && [ "$older" != "$newest" ] || fail "no 6.12 release older than $newest in the archive"
{ head -1 "$PINS"; STALLBENCH_KERNELS_LOCK= "$FK" --lock "$older" 2>/dev/null | tail -n +2 | sed "s/^$older /6.12 /"; } > "$T/older.lock"
[ "$(grep -c '^6.12 ' "$T/older.lock")" -ge 2 ] || fail "cannot pin $older: $(cat "$T/older.lock")"
r=$(STALLBENCH_KERNELS_LOCK=$T/older.lock bash -c ". '$FK'; resolve 6.12")
[ "$r" = "$older" ] || fail "6.12 pinned to $older resolved to $r (the newest is $newest)"
d=$(STALLBENCH_KERNELS_LOCK=$T/older.lock "$FK" 6.12 2>/dev/null) || fail "fetch of the pinned $older failed"
[ "$(basename "$d")" = "$older" ] || fail "fetch of 6.12 pinned to $older gave $d"
echo "kernel_pins: 6.12 is $newest for the product, $older under a lock pinning it"
# a pin gone from the archive: an error naming it, nothing fetched
sed "s/^6\.12 \([^ ]*\) \(linux-image-[^ ]*\) [^ ]*/6.12 \1 \2 0.0.1-0~gone/" "$T/older.lock" > "$T/gone.lock"
out=$(STALLBENCH_KERNELS_LOCK=$T/gone.lock "$FK" 6.12 2>&1) && fail "a pin gone from the archive was fetched: $out"
grep -q "0.0.1-0~gone.*no longer in the archive: update its pin in $T/gone.lock" <<<"$out" ||
	fail "a gone pin's message does not name it: $out"
# a spec the lock does not pin; a file that is not a lock
out=$(STALLBENCH_KERNELS_LOCK=$PINS "$FK" 6.18 2>&1) && fail "an unpinned spec was fetched: $out"
grep -q "6.18: not pinned in $PINS" <<<"$out" || fail "unpinned spec: $out"
echo "6.1 x" > "$T/notalock"
out=$(STALLBENCH_KERNELS_LOCK=$T/notalock "$FK" 6.1 2>&1) && fail "a file that is no lock was used: $out"
grep -q "not a kernels.lock" <<<"$out" || fail "not-a-lock: $out"
if [ -x "$TOP/build/stallbench" ]; then
	out=$("$TOP/vm/sweep" --kernel-lock "$T/notalock" --kernel 6.1 --out "$T/sw" 2>&1); rc=$?
	[ $rc -eq 2 ] && grep -q "not a kernels.lock" <<<"$out" || fail "vm/sweep --kernel-lock notalock: exit $rc: $out"
	[ ! -e "$T/sw" ] || fail "vm/sweep made $T/sw before refusing"
fi
echo "PASS kernel_pins: $n pinned packages in the archive; lock, gone pin, unpinned spec, not-a-lock"
