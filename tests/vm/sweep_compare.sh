#!/bin/bash
# Kernels side by side, for real, read as a linux-mm reviewer reads the
# letter. One sweep (a capped truncate storm on an ext4 disk with memhog,
# and a NOFAIL|ACCOUNT vmalloc 4M past its cap), 3 repetitions per kernel, on
# A = Debian 6.1, B = 6.12, C = 6.12 again (the A/A twin of B) and D = 6.12
# booted with transparent_hugepage=never. Asserts:
# - the verdict names the NOFAIL call's latency and rounds-per-call change
#   between 6.1 and 6.12 as significant, with a 95% interval excluding 1,
#   and `compare --verdict` exits 3 on it;
# - B against its twin C (a boot of its own per repetition, interleaved):
#   no significant change at alpha 0.01, exit 0, no warning;
# - no "not the same experiment", no WARNING, no error line of a command,
#   no absolute path, every line <= 72 columns; lru_gen's two values and the
#   one note about it; the THP variant's values and its label;
# - it ends with the reproduce block (version, command, host, guests, each
#   kernel with the boot parameters added: none, or the variant's);
# - every repetition of every point completed; the letter's figures are
#   labelled by kernel.
# usage: tests/vm/sweep_compare.sh
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
[ "$(id -u)" = 0 ] || { echo "SKIP sweep_compare: needs root" >&2; exit 4; }
command -v qemu-system-x86_64 >/dev/null || { echo "SKIP sweep_compare: no qemu-system-x86" >&2; exit 4; }
[ -x "$TOP/build/stallbench" ] || { echo "SKIP sweep_compare: build/stallbench not built" >&2; exit 4; }
export STALLBENCH_KERNELS_LOCK=${STALLBENCH_KERNELS_LOCK:-$TOP/tests/kernels.lock}
OUT=$(mktemp -d /var/tmp/sbsweep.XXXXXX)
SB=$TOP/build/stallbench
fail() { echo "FAIL sweep_compare: $*" >&2; echo "(kept $OUT)" >&2; exit 1; }
t0=$(date +%s)
"$TOP/vm/sweep" --kernel 6.1 --kernel 6.12 --kernel 6.12 --kernel-cmdline transparent_hugepage=never \
	--out "$OUT" --timeout 600 --reps 3 \
	--workloads "truncate-storm vmalloc-nofail" --caps 64M --mixes "ftruncate=1,unlink=1" \
	--duration 3s --nofail-sizes 36M --nofail-cap 32M --nofail-flags nofail,account \
	>"$OUT/sweep.log" 2>&1 || fail "vm/sweep exit $?: $(tail -5 "$OUT/sweep.log")"
L=$OUT/cover-letter.txt
[ -s "$L" ] || fail "no cover-letter.txt"
cat "$L"

# every repetition of every point on every kernel completed
python3 - "$OUT" <<'PY' || fail "a point did not complete"
import glob, json, sys
metas = glob.glob(sys.argv[1] + "/k*/*/sweep/*/meta.json")
bad = [m for m in metas if json.load(open(m))["status"] != "complete"]
if len(metas) != 4 * 2 * 3 or bad:
    print("%d results (want 24), not complete: %s" % (len(metas), bad)); sys.exit(1)
PY

# the letter's form
long=$(awk 'length > 72' "$L" | head -3)
[ -z "$long" ] || fail "lines over 72 columns: $long"
p=$(grep -nE '(^|[ (=:])/(tmp|var|root|home|work|usr|mnt|srv|opt)/' "$L" | head -3)
[ -z "$p" ] || fail "absolute paths in the letter: $p"
e=$(grep -nE '^ *(compare|stallbench|plot|report|vm/sweep|run\.sh): ' "$L" | grep -v '^1:stallbench: ' | head -3)
[ -z "$e" ] || fail "an error line went into the letter: $e"
grep -q "not the same experiment" "$L" && fail "'not the same experiment' for one experiment"
grep -q "WARNING" "$L" && fail "a warning: $(grep -A1 WARNING "$L" | head -4)"

# kernels and their settings: both values of what differs, lru_gen noted once
grep -Eq "^  A: 6\.1\.0-[0-9]+-amd64$" "$L" && grep -Eq "^  B: 6\.12\.[0-9]+\+deb12-amd64$" "$L" ||
	fail "the letter does not name both kernels"
grep -Eq "^  D: 6\.12\..* \[transparent_hugepage=never\]$" "$L" || fail "variant D not labelled"
grep -Eq "^  lru_gen +A=0x0000 B=0x0007 C=0x0007 D=0x0007$" "$L" || fail "lru_gen values not listed"
[ "$(grep -c "^note: lru_gen (MGLRU) differs" "$L")" -eq 1 ] || fail "lru_gen note missing or repeated"
grep -Eq "^  thp_enabled +A=always B=always C=always D=never$" "$L" || fail "THP values not listed"

# the verdict: first, and the known difference in it
v=$(awk '/^Verdict/ { on = 1 } on && /^$/ { exit } on' "$L")
[ -n "$v" ] || fail "no verdict section"
[ "$(grep -n '^Verdict' "$L" | cut -d: -f1)" -lt 12 ] || fail "the verdict does not open the letter"
echo "$v" | tr '\n' ' ' | sed 's/  */ /g' >"$OUT/verdict.flat"
# 6.12's NOFAIL call is 1.8-3x faster with 3-20x fewer rounds. With 3 runs a
# side, which of the two passes Holm's correction depends on how steady the
# host was (a loaded host spreads 6.1's calls from 6 to 9 s and Welch's df
# falls to 2; 6.12's rounds vary 2k-14k with MGLRU): at least one must be
# in the verdict, each one there with an interval above 1 and its n and test.
named=0 lat=
for what in "latency: B [0-9.]+x faster" "reclaim rounds per call: B [0-9.]+x fewer"; do
	line=$(grep -Eo "vmalloc-nofail/alloc $what \[[0-9.]+x, [0-9.]+x\] than A \(A [0-9.a-z]+, B [0-9.a-z]+; 3\+3 runs; Welch's t on logs, p [0-9.e-]+\)" \
		"$OUT/verdict.flat")
	[ -n "$line" ] || continue
	echo "$line" | awk '{ s = $0; sub(/ than A.*/, "", s); gsub(/[][x,]/, " ", s)
		n = split(s, w, " "); exit !(w[n - 1] > 1) }' ||
		fail "verdict with an interval that holds 1: $line"
	named=$((named + 1)) lat="$lat${lat:+, }${what%%:*}"
done
[ $named -ge 1 ] || fail "the verdict names neither the latency nor the rounds change: $v"
# --verdict for scripts: 6.1 vs 6.12 changed (3); 6.12 vs its twin: nothing (0)
. "$TOP/bench/lab/letter.sh"
reps() { sb_group_points "$(ls -d "$OUT/$1"/*/sweep)" | awk -F'\t' -v p="$2" '$1 ~ p { print $2 }'; }
"$SB" compare --verdict "$(reps k1 ^nofail)" "$(reps k2 ^nofail)" >"$OUT/v12.txt" 2>&1
rc=$?
[ $rc -eq 3 ] || fail "--verdict 6.1 vs 6.12 (NOFAIL): exit $rc: $(cat "$OUT/v12.txt")"
"$SB" compare --format json "$(reps k1 ^nofail)" "$(reps k2 ^nofail)" >"$OUT/v12.json" ||
	fail "compare --format json exit $?"
python3 - "$OUT/v12.json" <<'PY' || fail "6.12's NOFAIL call is not clearly faster than 6.1's"
import json, sys
m = json.load(open(sys.argv[1]))
op = [o for o in m["ops"] if o["name"] == "vmalloc-nofail/alloc"][0]
t = op["vs_first"][1]["tests"]["latency"]
print("6.12/6.1 NOFAIL latency ratio %.3f, interval %s, p_holm %s" % (t["ratio"], t["ci95"], t.get("p_holm")))
# (the point estimate: whether its interval clears 1 with 3 runs is the
# verdict's business, checked above, and depends on how steady the host was)
# Measured 0.36-0.56 here (6.1's call takes 4 s on a quiet host, 6-9 s on
# a loaded one; 6.12's 2.3 s either way): "6.12 is faster" is < 0.7.
sys.exit(0 if t["ratio"] < 0.7 else 1)
PY
# (the A/A is judged at alpha 0.01: at 0.05 a calibrated test of two points
# is red 1 run in 10 by design, which CI cannot tell from a real fault)
for pt in ^nofail ^storm; do
	"$SB" compare --alpha 0.01 --verdict "$(reps k2 $pt)" "$(reps k3 $pt)" >"$OUT/vaa.txt" 2>&1
	rc=$?
	[ $rc -eq 0 ] || fail "A/A 6.12 vs 6.12 ($pt): exit $rc: $(cat "$OUT/vaa.txt")"
	"$SB" compare --alpha 0.01 "$(reps k2 $pt)" "$(reps k3 $pt)" >"$OUT/aa.txt" 2>&1
	grep -q '%\*' "$OUT/aa.txt" && fail "A/A ($pt): a change starred: $(grep '%\*' "$OUT/aa.txt")"
	grep -q WARNING "$OUT/aa.txt" && fail "A/A ($pt): $(grep WARNING "$OUT/aa.txt")"
done

# reproduce block
r=$(sed -n '/^To reproduce:/,$p' "$L")
[ -n "$r" ] || fail "no reproduce block"
echo "$r" | grep -Eq "^  stallbench [0-9.]+ \(git [0-9a-f]+" || fail "reproduce: no version/commit"
echo "$r" | grep -q "^  vm/sweep --kernel 6.1 --kernel 6.12 --kernel 6.12 --kernel-cmdline" ||
	fail "reproduce: no command"
echo "$r" | grep -q "^  host: .*CPUs, .* GiB, [0-9]* NUMA node" || fail "reproduce: no host"
echo "$r" | grep -q "^  guests: .*QEMU TCG\|^  guests: .*kvm" || fail "reproduce: no guest machine"
echo "$r" | tr '\n' ' ' | grep -Eq "A: 6\.1\.0-[0-9]+-amd64 \(Debian linux-image-6\.1\.0-[0-9]+-amd64\), +boot +parameters +added: +none" ||
	fail "reproduce: kernel A"
echo "$r" | tr '\n' ' ' | grep -Eq "D: 6\.12\.[^ ]+ .*boot +parameters +added: +transparent_hugepage=never" ||
	fail "reproduce: variant D's boot parameter"

# figures: PNGs, and their text versions labelled by kernel
n=$(find "$OUT/plots" -name '*.png' | wc -l)
[ "$n" -ge 4 ] || fail "only $n PNG plots"
for f in $(find "$OUT/plots" -name '*.png' | head -5); do
	[ "$(head -c 8 "$f" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "$f is not a PNG"
done
grep -Eq "A 6\.1\.0-[0-9]+-amd64" "$L" && grep -q "B 6\.12\." "$L" ||
	fail "figure legends in the letter do not name the kernels"
echo "PASS sweep_compare: 6.1, 6.12 (twice), 6.12 THP=never, 3 reps, verdict names $lat, in $(( $(date +%s) - t0 ))s; letter $(wc -l <"$L") lines"
rm -rf "$OUT"
