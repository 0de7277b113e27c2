#!/bin/bash
# Issue 27 item 4: the module is 64-bit only and says so at build time. It is
# built against the pinned i386 headers (tests/kernels.lock, spec 6.1-686:
# Debian's 686 flavour, fetched with the host's kbuild tools, never booted)
# and the build must stop at the guard's #error, and at nothing else: the
# tree is a 32-bit config (CONFIG_X86_32=y, no CONFIG_64BIT), every file of
# the module compiles (make -k) and meets the guard's #error in nfvm_impl.h,
# once each, no other error, and no .ko comes out. No boot (~5 s).
# usage: tests/vm/module_i386.sh [SPEC]   (default 6.1-686; SB_I386_SRC=DIR
#   builds the module's sources from DIR instead, e.g. a copy with the guard
#   removed to see this test go red)
set -- "${1:-6.1-686}"
. "$(dirname "$0")/lib.sh"
KC=$("$TOP/vm/fetch-kernel" "$KERNEL" 2>/dev/null) || fail "cannot fetch $KERNEL"
K=$KC/build
[ -f "$K/.config" ] || fail "$K: no build tree (.config) in the $KERNEL packages"
grep -qx 'CONFIG_X86_32=y' "$K/.config" || fail "$K is not an i386 build tree (no CONFIG_X86_32=y)"
! grep -q '^CONFIG_64BIT=y' "$K/.config" || fail "$K is a 64-bit config"
SRC=${SB_I386_SRC:-$TOP/workloads/kmod}
B=$RES/kmod
mkdir -p "$B"
rm -f "$B"/*.[ch]
for f in "$SRC"/Kbuild "$SRC"/*.[ch]; do
	cp "$f" "$B/" || fail "cannot copy $f"
done
t0=$(date +%s.%N)
make -k -C "$K" M="$B" modules > "$RES/build.log" 2>&1
rc=$?
t=$(echo "$(date +%s.%N) - $t0" | bc)
[ "$rc" -ne 0 ] || fail "the module built for i386 ($(file -b "$B/nofail_vmalloc.ko" | cut -d, -f1-2)): the 32-bit guard did not fire"
grep -E 'error:' "$RES/build.log" | sed 's/^/  /'
guard='/nfvm_impl\.h:[0-9]+:[0-9]+: error: #error "nofail_vmalloc supports 64-bit kernels only"'
grep -qE "$guard" "$RES/build.log" ||
	fail "the i386 build failed, but not at the guard: $(tail -n 5 "$RES/build.log")"
n=$(grep 'error:' "$RES/build.log" | grep -vcE "$guard")
[ "$n" = 0 ] || fail "the i386 build has $n errors besides the guard's"
nc=$(ls "$B"/*.c | grep -vc '\.mod\.c$')
ng=$(grep -cE "$guard" "$RES/build.log")
[ "$ng" = "$nc" ] || fail "the guard fired $ng times for $nc files: a file does not include nfvm_impl.h"
[ ! -e "$B/nofail_vmalloc.ko" ] || fail "a nofail_vmalloc.ko came out of the failed build"
pass "$(basename "$(readlink -f "$K")"): CONFIG_X86_32, each of the $nc files stops at the guard's #error (${t%.*}s)"
