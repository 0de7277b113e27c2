#!/bin/bash
# Kernels side by side, for real: a small sweep (a capped truncate storm on an
# ext4 disk with memhog, and a NOFAIL vmalloc past its cap) on Debian's 6.1,
# 6.12, and 6.12 booted with transparent_hugepage=never (a command-line
# variant counts as a kernel), then compare + plot. Asserts the cover letter names
# both kernels, flags the MGLRU difference (6.1 ships lru_gen off, 6.12 on),
# fits 72 columns, and that PNG plots comparing the two exist.
# usage: tests/vm/sweep_compare.sh
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
[ "$(id -u)" = 0 ] || { echo "SKIP sweep_compare: needs root" >&2; exit 4; }
command -v qemu-system-x86_64 >/dev/null || { echo "SKIP sweep_compare: no qemu-system-x86" >&2; exit 4; }
[ -x "$TOP/build/stallbench" ] || { echo "SKIP sweep_compare: build/stallbench not built" >&2; exit 4; }
OUT=$(mktemp -d /var/tmp/sbsweep.XXXXXX)
fail() { echo "FAIL sweep_compare: $*" >&2; echo "(kept $OUT)" >&2; exit 1; }
t0=$(date +%s)
"$TOP/vm/sweep" --kernel 6.1 --kernel 6.12 --kernel-cmdline transparent_hugepage=never \
	--out "$OUT" --timeout 600 \
	--workloads "truncate-storm vmalloc-nofail" --caps 64M --mixes "ftruncate=1,unlink=1" \
	--duration 3s --nofail-sizes 36M --nofail-cap 32M --nofail-flags nofail,account \
	>"$OUT/sweep.log" 2>&1 || fail "vm/sweep exit $?: $(tail -5 "$OUT/sweep.log")"
L=$OUT/cover-letter.txt
[ -s "$L" ] || fail "no cover-letter.txt"
grep -q "6.1.0-" "$L" && grep -q "6.12." "$L" || fail "cover letter does not name both kernels"
grep -qi "lru_gen" "$L" || fail "cover letter hides the lru_gen difference"
# The command-line variant is a kernel of its own, labelled by what differs.
grep -q "transparent_hugepage=never" "$L" || fail "cmdline variant not labelled"
grep -qi "thp_enabled" "$L" || fail "cover letter hides the THP difference"
grep -q "truncate-storm/" "$L" && grep -q "vmalloc-nofail/alloc" "$L" || fail "a workload is missing"
long=$(awk 'length > 72' "$L" | head -3)
[ -z "$long" ] || fail "lines over 72 columns: $long"
n=$(find "$OUT/plots" -name 'cdf-*.png' | wc -l)
[ "$n" -ge 2 ] || fail "only $n CDF plots"
for f in $(find "$OUT/plots" -name '*.png' | head -5); do
	[ "$(head -c 8 "$f" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "$f is not a PNG"
done
for k in k1 k2 k3; do
	grep -q "^stallbench: .*status complete" "$OUT/$k/vm.out" 2>/dev/null ||
		grep -q "status complete" "$OUT/$k/vm.out" || fail "$k: a point did not complete"
done
echo "PASS sweep_compare: 6.1 vs 6.12 vs 6.12 THP=never in $(( $(date +%s) - t0 ))s, $n CDF plots, cover letter $(wc -l <"$L") lines"
rm -rf "$OUT"
