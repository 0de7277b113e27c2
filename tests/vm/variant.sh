#!/bin/bash
# A kernel and a variant of it side by side: ./run.sh --kernel 6.12
# --kernel-cmdline transparent_hugepage=never runs the sweep on 6.12 (A) and
# on the same 6.12 booted with that parameter added (B), one short point, one
# run each. The letter must label B with its parameter, show the setting the
# parameter changed as the guests read it (thp_enabled A=always B=never: the
# parameter really reached B's kernel), name the parameter in the
# environment's boot line and carry it in the reproduce command. (Cheaper
# than a fourth kernel in vm_sweep_compare: 2 short boots, and no timing is
# asserted, so it shares the host.)
# usage: tests/vm/variant.sh
set -u
NAME=variant
. "$(dirname "$0")/sweeplib.sh"
fail() { echo "FAIL $NAME: $*" >&2; echo "(kept $OUT)" >&2; exit 1; }
t0=$(date +%s)
"$TOP/run.sh" --kernel 6.12 --kernel-cmdline transparent_hugepage=never --workloads truncate-storm \
	--caps 64M --mixes ftruncate=1 --duration 2s --reps 1 --out "$OUT" >"$OUT/run.log" 2>&1 ||
	fail "run.sh exit $?: $(tail -5 "$OUT/run.log")"
L=$OUT/cover-letter.txt
[ -s "$L" ] || fail "no letter"
cat "$L"
grep -q "^stallbench: 2 kernels compared, 1 sweep point" "$L" || fail "letter: $(head -1 "$L")"
grep -Eq "^  A: 6\.12\.[0-9]+\+deb12-amd64$" "$L" || fail "letter: A is not the plain 6.12"
grep -Eq "^  B: 6\.12\.[^ ]+ \[transparent_hugepage=never\]$" "$L" || fail "letter: variant B not labelled"
flat=$(tr '\n' ' ' <"$L" | sed 's/  */ /g')
echo "$flat" | grep -q "thp_enabled A=always B=never" || fail "letter: the variant's THP values (as the guests read them) not listed"
echo "$flat" | grep -q "boot (every kernel): [^;]*; B adds transparent_hugepage=never" ||
	fail "letter: the variant's boot parameter not in the environment"
echo "$flat" | grep -Eq "To reproduce .*--kernel 6\.12 --kernel-cmdline transparent_hugepage=never .* B: 6\.12\.[^ ]+ .*boot parameters added: transparent_hugepage=never" ||
	fail "letter: the reproduce command does not carry the variant"
[ -z "$(awk 'length > 72' "$L")" ] || fail "letter over 72 columns"
rm -rf "$OUT"
echo "PASS $NAME: 6.12 and 6.12 [transparent_hugepage=never] labelled, their THP values and the parameter in the letter, in $(( $(date +%s) - t0 ))s"
