#!/bin/sh
# stallbench compare on synthetic result directories with known answers:
# B is A with every latency x1.5 (same seed), so every percentile changes by
# +50.0% and the change must be marked significant; A and A2 come from the
# same distribution (other seed) and must show no marker; broken and
# incomplete directories must be refused with exit 2 and one line on stderr;
# every text line fits 72 columns.
# Usage: compare_test.sh STALLBENCH GEN_RESULT WORKDIR. Exit 0 pass, 1 fail.
set -u
SB=$1 GEN=$2 W=$3
fail=0
not_ok() { echo "not ok: $*"; fail=1; }
ok() { echo "ok: $*"; }

rm -rf "$W" && mkdir -p "$W" || exit 1
"$GEN" "$W/a" --seed 1 || exit 1
"$GEN" "$W/b" --seed 1 --scale 1.5 --release 6.12.117+deb12-amd64 --lru-gen 0x0007 \
	--cmdline "BOOT_IMAGE=/boot/vmlinuz-6.12 root=/dev/vda ro console=ttyS0 lru_gen=y" || exit 1
"$GEN" "$W/a2" --seed 2 || exit 1
"$GEN" "$W/a3" --seed 3 || exit 1
"$GEN" "$W/b2" --seed 4 --scale 1.5 --release 6.12.117+deb12-amd64 --lru-gen 0x0007 || exit 1
"$GEN" "$W/b3" --seed 5 --scale 1.5 --release 6.12.117+deb12-amd64 --lru-gen 0x0007 || exit 1

fits72() {	# file what
	if awk 'length($0) > 72 { bad = 1; print "  too long (" length($0) "): " $0 } END { exit bad }' "$1"
	then ok "$2: every line <= 72 columns"; else not_ok "$2: lines over 72 columns"; fi
}

# --- known shift ---
"$SB" compare "$W/a" "$W/b" >"$W/ab.txt" 2>"$W/ab.err"
rc=$?
[ $rc -eq 0 ] && ok "compare A B exits 0" || not_ok "compare A B exit $rc: $(cat "$W/ab.err")"
cat "$W/ab.txt"
fits72 "$W/ab.txt" "A/B text"
for op in truncate-storm/ftruncate truncate-storm/punch truncate-storm/unlink_close \
	vmalloc-nofail/alloc; do
	blk=$(awk -v op="op $op " 'index($0, op) == 1 { on = 1; next } /^$/ { on = 0 } on' "$W/ab.txt")
	for row in mean p50 p90 p99 p99.9 max; do
		echo "$blk" | grep -Eq "^$row +[0-9.e+]+ +[0-9.e+]+ +\+50\.0%" ||
			not_ok "$op $row: change is not +50.0%"
	done
	echo "$blk" | grep -Eq '^mean .*\+50\.0%\*$' || not_ok "$op mean: not marked significant"
	echo "$blk" | grep -Eq '^p99 .*\+50\.0%\*$' || not_ok "$op p99: not marked significant"
done
ok "x1.5 shift: +50.0% on every percentile, marked on mean and p99"
grep -q "lru_gen differs: results not comparable on reclaim counts" "$W/ab.txt" &&
	ok "lru_gen difference flagged" || not_ok "lru_gen difference not flagged"
grep -Eq "^B +6\.12\.117\+deb12-amd64 lru_gen=y$" "$W/ab.txt" &&
	ok "label: release + differing cmdline word" || not_ok "label of B wrong"
grep -Eq "^A +6\.1\.0-56-amd64$" "$W/ab.txt" && ok "label of A" || not_ok "label of A wrong"

# --- A/A ---
"$SB" compare "$W/a" "$W/a2" "$W/a3" >"$W/aa.txt" 2>"$W/aa.err" || not_ok "compare A/A exit $?"
fits72 "$W/aa.txt" "A/A text"
if grep -E '%\*' "$W/aa.txt"; then not_ok "A/A: a difference marked significant"
else ok "A/A: nothing marked significant"; fi
grep -q "WARNING" "$W/aa.txt" && not_ok "A/A: spurious warning"

# --- JSON ---
"$SB" compare "$W/a" "$W/b" --json >"$W/ab.json" || not_ok "--json exit $?"
"$SB" compare "$W/a" "$W/a2" --json >"$W/aa.json" || not_ok "--json A/A exit $?"
"$SB" compare "$W/a,$W/a2,$W/a3" "$W/b,$W/b2,$W/b3" --json >"$W/reps.json" ||
	not_ok "--json with repetitions exit $?"
if command -v python3 >/dev/null 2>&1; then
	python3 - "$W/ab.json" "$W/aa.json" "$W/reps.json" <<'PY' && ok "JSON checks" || not_ok "JSON checks"
import json, sys
ab, aa, reps = (json.load(open(p)) for p in sys.argv[1:4])
bad = 0
def check(cond, what):
    global bad
    if not cond:
        print("  JSON:", what); bad = 1
check(len(ab["ops"]) == 4, "4 ops")
for op in ab["ops"]:
    vs = op["vs_first"][1]
    for k in ("mean", "p50", "p90", "p99", "p999", "max"):
        check(abs(vs["change_pct"][k] - 50.0) < 0.05, op["name"] + " " + k + " change")
    check(vs["significant"]["mean"] and vs["significant"]["p99"], op["name"] + " significant")
    check(vs["mann_whitney"]["p"] < 1e-10, op["name"] + " MW p")
    check(vs["mean_test"] == "mann-whitney", op["name"] + " test")
    lo, hi = vs["p99_ratio_ci95"]
    check(lo < 1.5 < hi or abs(lo - 1.5) < 1e-3 or abs(hi - 1.5) < 1e-3, op["name"] + " ratio CI")
check([d["key"] for d in ab["mm_differs"]] == ["lru_gen"], "mm_differs")
check(ab["runs"][1]["oom_kills"] == 0 and ab["runs"][0]["status"] == "complete", "runs")
for blk in aa["ops"] + aa["stalls"]:
    vs = blk["vs_first"][1]
    check(not any(vs["significant"].values()), "A/A " + blk["name"] + " significant")
check(aa["mm_differs"] == [], "A/A mm_differs")
for op in reps["ops"]:
    vs = op["vs_first"][1]
    check(vs["mean_test"] == "welch" and vs["welch"]["p"] < 0.05, op["name"] + " Welch")
    check(op["runs"][0]["repetitions"] == 3, "3 repetitions")
sys.exit(bad)
PY
else
	grep -q '"change_pct"' "$W/ab.json" && ok "JSON written (python3 absent: not parsed)" ||
		not_ok "JSON output"
fi

# --- Markdown ---
"$SB" compare "$W/a" "$W/b" --markdown >"$W/ab.md" || not_ok "--markdown exit $?"
grep -Eq '^\| mean \| [0-9.]+ \| [0-9.]+ \| \+50\.0%\\\* \|$' "$W/ab.md" &&
	ok "markdown table" || { not_ok "markdown mean row"; head -30 "$W/ab.md"; }

# --- refusals: exit 2, one line on stderr ---
refused() {	# what needle args...
	what=$1 needle=$2; shift 2
	"$SB" compare "$@" >/dev/null 2>"$W/err"
	rc=$?
	if [ $rc -ne 2 ]; then not_ok "$what: exit $rc, want 2"; return; fi
	if [ "$(wc -l <"$W/err")" -ne 1 ]; then not_ok "$what: stderr not one line"; cat "$W/err"; return; fi
	grep -qF -- "$needle" "$W/err" && ok "$what refused: $(cat "$W/err")" ||
		not_ok "$what: message '$(cat "$W/err")' lacks '$needle'"
}
"$GEN" "$W/nometa" --no-meta
"$GEN" "$W/incomplete" --status incomplete
"$GEN" "$W/badnum" --bad-number
"$GEN" "$W/trunc" --truncate
"$GEN" "$W/nosum" --no-summary
refused "no meta.json" "nometa: no meta.json (not a result directory)" "$W/a" "$W/nometa"
refused "incomplete run" "run status is \"incomplete\"" "$W/a" "$W/incomplete"
refused "bad number" "latency_ns is not a number" "$W/a" "$W/badnum"
refused "truncated ops.csv" "no newline" "$W/a" "$W/trunc"
refused "no summary.json" "no summary.json" "$W/a" "$W/nosum"
refused "missing directory" "No such file or directory" "$W/a" "$W/nope"
refused "one directory" "need at least two" "$W/a"
refused "bad option" "unknown option" "$W/a" "$W/b" --bogus
refused "bad alpha" "not a probability" "$W/a" "$W/b" --alpha 2
"$SB" compare "$W/a" "$W/incomplete" "$W/trunc" --allow-incomplete >"$W/inc.txt" 2>&1 &&
	grep -q "WARNING: B: status incomplete" "$W/inc.txt" &&
	grep -q "WARNING: C: 1 malformed rows skipped" "$W/inc.txt" &&
	ok "--allow-incomplete reads them, with warnings" ||
	{ not_ok "--allow-incomplete"; cat "$W/inc.txt"; }

[ $fail -eq 0 ] && echo PASS || echo FAIL
exit $fail
