#!/bin/bash
# Kernels side by side, for real, read as a linux-mm reviewer reads the
# letter. One sweep (a capped truncate storm on an ext4 disk with memhog,
# and a NOFAIL|ACCOUNT vmalloc 4M past its cap), 3 repetitions per kernel, on
# A = Debian 6.1, B = 6.12, C = 6.12 again (the A/A twin of B). (A variant
# booted with extra parameters, --kernel-cmdline, and its label and values in
# the letter are checked in tests/vm/variant.sh, which is cheaper: a
# fourth kernel here was 3 more boots, ~130 s of the suite.) Asserts:
# - the letter is summary first: what ran (TCG, ext4 and its mkfs, 3 runs),
#   the verdict with the NOFAIL caller's outcome (OOM-killed in 3/3 runs)
#   before any change, then per point a table of every run's value, the
#   environment (upstream version beside each package, config hash and key
#   CONFIG lines, taint), the reproduce command (pinned: kernels.lock);
# - the verdict names the NOFAIL call's time or rounds-per-call change
#   between 6.1 and 6.12 in %, its Holm-adjusted interval below 0, and
#   `compare --verdict` exits 3 on it;
# - B against its twin C (a boot of its own per repetition, interleaved):
#   no significant change at alpha 0.01, exit 0, no warning;
# - no "not the same experiment", no WARNING, no error line of a command,
#   no absolute path, every line <= 72 columns; lru_gen's two values and the
#   one note about it;
# - it ends with the link line; the bundle holds the letter, the appendix,
#   the page, each kernel's config and dmesg;
# - every repetition of every point completed; the appendix's figures are
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
"$TOP/vm/sweep" --kernel 6.1 --kernel 6.12 --kernel 6.12 \
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
if len(metas) != 3 * 2 * 3 or bad:
    print("%d results (want 18), not complete: %s" % (len(metas), bad)); sys.exit(1)
PY

# the letter's form
long=$(awk 'length > 72' "$L" | head -3)
[ -z "$long" ] || fail "lines over 72 columns: $long"
p=$(grep -nE '(^|[ (=:])/(tmp|var|root|home|work|usr|mnt|srv|opt)/' "$L" | head -3)
[ -z "$p" ] || fail "absolute paths in the letter: $p"
e=$(grep -nE '^ *(compare|stallbench|plot|report|vm/sweep|run\.sh): ' "$L" | grep -v '^1:stallbench: ' | head -3)
[ -z "$e" ] || fail "an error line went into the letter: $e"
grep -q "not the same experiment" "$L" && fail "'not the same experiment' for one experiment"
grep -q "^WARNING: " "$L" && fail "a warning: $(grep -A1 '^WARNING: ' "$L" | head -4)"

# kernels and their settings: both values of what differs, lru_gen noted once
grep -Eq "^  A: 6\.1\.0-[0-9]+-amd64$" "$L" && grep -Eq "^  B: 6\.12\.[0-9]+\+deb12-amd64$" "$L" ||
	fail "the letter does not name both kernels"
flat=$(tr '\n' ' ' <"$L" | sed 's/  */ /g')
echo "$flat" | grep -q "lru_gen A=0x0000 B=0x0007 C=0x0007" || fail "lru_gen values not listed"
[ "$(grep -c "^note: lru_gen (MGLRU) differs" "$L")" -eq 1 ] || fail "lru_gen note missing or repeated"
# what ran, up front
echo "$flat" | grep -q "What ran: .*truncate-storm .* + memhog .* in a 64M memcg" &&
	echo "$flat" | grep -q "vmalloc-nofail (1 call of 36M, NOFAIL|ACCOUNT) in a 32M memcg" &&
	echo "$flat" | grep -q "3 runs per side, each a fresh boot; QEMU TCG guests .*on ext4 (mkfs.ext4 -q -F" ||
	fail "what ran: workloads, caps, runs, TCG, filesystem: $(head -12 "$L")"

# the verdict: first, the outcome before the changes, the known difference in it
v=$(awk '/^Verdict/ { on = 1 } on && /^$/ { exit } on' "$L")
[ -n "$v" ] || fail "no verdict section"
[ "$(grep -n '^Verdict' "$L" | cut -d: -f1)" -lt 16 ] || fail "the verdict does not open the letter"
echo "$v" | grep -q "tests of this letter" || fail "the verdict does not state its family"
# the B vs A block of the NOFAIL point
blk=$(echo "$v" | awk '/^nofail.*, B vs A:$/ { on = 1; next } /^[^ ]/ { on = 0 } on' | tr '\n' ' ' | sed 's/  */ /g')
echo "$blk" >"$OUT/verdict.flat"
echo "$blk" | grep -q "caller OOM-killed in 3/3 runs" || fail "the NOFAIL caller's kills are not in the verdict: $blk"
kill_at=$(echo "$blk" | grep -bo 'caller OOM-killed' | head -1 | cut -d: -f1)
ch_at=$(echo "$blk" | grep -bo '[-+][0-9.]*% \[' | head -1 | cut -d: -f1)
[ -z "$ch_at" ] || [ "$kill_at" -lt "$ch_at" ] || fail "a change comes before the outcome: $blk"
# 6.12's NOFAIL call is 1.8-3x faster with 2-5x fewer rounds. With 3 runs a
# side and Holm's correction over every test of the letter (66 here: 3
# columns of 2 points), whether a column's change passes depends on its
# spread: 6.1's rounds are the same in every run (35928) and 6.12.117's vary
# (7k-16k with MGLRU), so Welch's df is 2 (seen: B vs A not significant,
# C vs A -58% [-69,-44]). The letter must name it for some 6.12 column (B,
# C against A), each time with an adjusted interval below 0, and every
# column's table must show each run's rounds, every 6.12 run below every 6.1 run.
named=0 lat=
for col in B C; do
	blk=$(echo "$v" | awk -v c="^nofail.*, $col vs A:$" '$0 ~ c { on = 1; next } /^[^ ]/ { on = 0 } on' |
		tr '\n' ' ' | sed 's/  */ /g')
	for what in "time/call" "reclaim rounds/call"; do
		line=$(echo "$blk" | grep -Eo "alloc $what: -[0-9.]+% \[-[0-9.]+,-[0-9.]+\] \(A [0-9.a-z]+, $col [0-9.a-z]+, p [0-9.e-]+\)")
		[ -n "$line" ] || continue
		named=$((named + 1)) lat="$lat${lat:+, }$col ${what%%/*}"
	done
	# the column's table: its rounds row, A's cell and the column's at their places
	python3 - "$L" "$col" <<'PY' || fail "$col vs A: the rounds row does not show every run, 6.12's below 6.1's"
import re, sys
lines = open(sys.argv[1]).read().split("\n")
col = sys.argv[2]
def num(x):
    return float(x[:-1]) * 1e3 if x.endswith("k") else float(x)
def runs(t):
    # a side's cell from the row's words: "36k (all 3)" or one value a run
    # (by words, not columns: whatever width the cells take)
    if len(t) > 2 and t[1] == "(all":
        return [num(t[0])] * int(t[2].rstrip(")")), t[3:]
    return [num(x) for x in t[:3]], t[3:]
for i, l in enumerate(lines):
    if re.match(r"^nofail.*\(3\+3 runs, %s vs A\)$" % col, l):
        for r in lines[i + 1:]:
            if not r:
                break
            if r.startswith("alloc rounds "):
                a, rest = runs(r[len("alloc rounds"):].split())
                b, rest = runs(rest)
                print("  %s vs A rounds: A %s, %s %s" % (col, a, col, b))
                sys.exit(0 if len(a) == 3 and len(b) == 3 and max(b) < min(a) else 1)
sys.exit(1)
PY
done
[ $named -ge 1 ] || fail "no 6.12 column's verdict names the NOFAIL time or rounds change: $v"
# every run's value in the point's table
grep -Eq "^alloc (rounds|time s) +[0-9.k]+ [0-9.k]+ [0-9.k]+ +[0-9.k]+ [0-9.k]+ [0-9.k]+ |^alloc rounds +[0-9.k]+ \(all 3\)" "$L" ||
	fail "no per-run values for the NOFAIL call"
grep -q "p99\.9" "$L" && fail "a p99.9 in the letter"
# the environment, pinned
echo "$flat" | grep -Eq "A: 6\.1\.[0-9]+ \(linux-image-6\.1\.0-[0-9]+-amd64 6\.1\.[0-9]+-[0-9]+\)" ||
	fail "environment: A's package with its upstream version"
echo "$flat" | grep -Eq "config sha256: A [0-9a-f]{12}, B [0-9a-f]{12}, C [0-9a-f]{12}" &&
	echo "$flat" | grep -Eq "CONFIG alike: .*MEMCG=y" || fail "environment: config"
echo "$flat" | grep -q "a known memcg/OOM change, \"memcg: bypass the reclaim and oom killer for dying tasks once oom_reaper is done\" (6.12.y from 6.12.117): A not known (6.1.192), B has it (6.12.117)" ||
	fail "the memcg backport 6.12.117 carries is not named"
echo "$flat" | grep -Eq "taint \(every kernel\): [0-9]+ = .*OE" || fail "environment: taint"
echo "$flat" | grep -q "host: .*CPUs, .* GiB, [0-9]* NUMA node" || fail "environment: no host"
echo "$flat" | grep -q "guests: .*QEMU TCG" || fail "environment: no guest machine"
# --verdict for scripts: 6.1 vs 6.12 changed (3); 6.12 vs its twin: nothing (0)
. "$TOP/bench/lab/letter.sh"
reps() { sb_group_points "$(ls -d "$OUT/$1"/*/sweep)" | awk -F'\t' -v p="$2" '$1 ~ p { print $2 }'; }
# (as the letter: some 6.12.117 boot set against 6.1 is found changed, exit 3;
# each is 3 runs a side, so which one depends on its spread)
changed=
for k in k2 k3; do
	"$SB" compare --verdict "$(reps k1 ^nofail)" "$(reps $k ^nofail)" >"$OUT/v12.txt" 2>&1
	rc=$?
	[ $rc -eq 0 ] || [ $rc -eq 3 ] || fail "--verdict 6.1 vs $k (NOFAIL): exit $rc: $(cat "$OUT/v12.txt")"
	[ $rc -eq 3 ] && changed="$changed $k"
done
[ -n "$changed" ] || fail "--verdict 6.1 vs 6.12 (NOFAIL): no 6.12 boot set found changed"
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
# Measured 0.28-0.56 here (6.1's call takes 4 s on a quiet host, 6-9 s on
# a loaded one; 6.12's 2.3 s either way): "6.12 is faster" is < 0.8.
sys.exit(0 if t["ratio"] < 0.8 else 1)
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

# reproduce block, pinned
r=$(sed -n '/^To reproduce/,$p' "$L")
[ -n "$r" ] || fail "no reproduce block"
echo "$r" | grep -Eq "^To reproduce \(stallbench [0-9.]+, git [0-9a-f]+" || fail "reproduce: no version/commit"
echo "$r" | tr '\n' ' ' | sed 's/  */ /g' |
	grep -Eq "\):  *vm/sweep --kernel-lock kernels.lock --kernel 6.1 --kernel 6.12 --kernel 6.12( |$)" ||
	fail "reproduce: no pinned command"
tail -1 "$L" | grep -q "^Plots and data: " || fail "no link line at the end"
# the appendix and the bundle
[ -s "$OUT/cover-letter-full.txt" ] || fail "no appendix"
B=$(ls "$OUT"/stallbench-bundle.tar.* 2>/dev/null | head -1)
[ -n "$B" ] || fail "no bundle: $(cat "$OUT/bundle.log" 2>/dev/null)"
tar -tf "$B" >"$OUT/bundle.list" || fail "the bundle does not list"
for f in cover-letter.txt cover-letter-full.txt index.html compare.json kernels.lock k1/config k1/kernel.lock \
	k1/vm.dmesg.r1 k3/config; do
	grep -q "^stallbench-[^/]*/$f$" "$OUT/bundle.list" || fail "the bundle lacks $f"
done

# figures: PNGs, and their text versions labelled by kernel
n=$(find "$OUT/plots" -name '*.png' | wc -l)
[ "$n" -ge 4 ] || fail "only $n PNG plots"
for f in $(find "$OUT/plots" -name '*.png' | head -5); do
	[ "$(head -c 8 "$f" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "$f is not a PNG"
done
grep -Eq "A 6\.1\.0-[0-9]+-amd64" "$OUT/cover-letter-full.txt" && grep -q "B 6\.12\." "$OUT/cover-letter-full.txt" ||
	fail "figure legends in the appendix do not name the kernels"
echo "PASS sweep_compare: 6.1, 6.12 (twice), 3 reps, verdict names $lat, in $(( $(date +%s) - t0 ))s; letter $(wc -l <"$L") lines"
rm -rf "$OUT"
