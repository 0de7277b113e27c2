# bench/perf/readers.sh, sourced by run-bench (uses its say, log, calc, isnum, target, quiet,
# SB, GEN, OUT, FULL, QUICK; LD, the long storm's result, when section 7 ran): the readers in
# bounded memory (issue 28).
#  - compare on two synthetic runs (tests/compare/gen_result, the runner's schema) of
#    2 x CMP_SMALL and 2 x CMP_N ops, plain, and of 2 x CMP_N in zstd as a run writes it:
#    CPU time (user+sys: what the reader costs whatever else the machine runs; the least of
#    3 runs for the full form's absolute target), ops read per CPU-second, peak RSS
#    (bounded at every size up to 2 x REP_N, not flat: see the target);
#  - the same run's baseline: `cut | sort -n` (one thread) of the latency column, what one
#    would type for an exact percentile by hand: compare, which computes every figure of
#    every op, must cost no more CPU; its p99 of one op must equal the nearest rank;
#  - report and compare on a real result (the long storm of section 7, ~60M ops with --full;
#    a short storm of its own with --quick): report's memory, and its p99 (summary.json's
#    histograms, printed with "~") within the histograms' bound of compare's exact p99;
#  - the same on a synthetic run of REP_N ops (the issue's size, 60M; 1M with --quick;
#    gen_result --summary-hists writes the runner's summary.json histograms): report's peak
#    RSS whatever the run's length, its p99 against compare's exact one, and compare's RSS.
# Every figure is a number or its target is MISSED (target() in run-bench).
if [ -n "${READERS_N:-}" ]; then	# by hand: run-bench --quick with other sizes
	CMP_SMALL=${READERS_SMALL:-$((READERS_N / 5))} CMP_N=$READERS_N
elif [ "$QUICK" = 1 ]; then
	CMP_SMALL=200000 CMP_N=1000000
elif [ "$FULL" = 1 ]; then
	CMP_SMALL=2000000 CMP_N=10000000
else
	CMP_SMALL=500000 CMP_N=2000000
fi
if [ -n "${READERS_REPORT_N:-}" ]; then
	REP_N=$READERS_REPORT_N
elif [ "$QUICK" = 1 ]; then
	REP_N=1000000
else
	REP_N=60000000
fi
HIST_BOUND=0.0039	# stats.h HIST_REL_ERR: 1 / (2 * 128)
CMP_MAX_KB=$((64 * 1024))	# the bound whatever the op count

# tcpu FILE: "wall user+sys rss_kb" from GNU time's "%e %U %S %M" (last line), or "nan nan nan"
tcpu() {
	awk 'END { if (NF == 4 && $1 ~ /^[0-9.]+$/) printf "%s %.2f %s\n", $1, $2 + $3, $4;
		   else print "nan nan nan" }' "$1" 2>/dev/null || echo "nan nan nan"
}
# gen_pair NAME N [ARG...]: two synthetic runs of N ops each (gen_result writes 4 ops per
# --n), ARGs passed on (--zstd: written through the runner's own compressor, rfile.c)
gen_pair() {
	local s name=$1 n=$2
	shift 2
	for s in a b; do
		rm -rf "$OUT/runs/$name-$s"
		"$GEN" "$OUT/runs/$name-$s" --n $((n / 4)) --seed $([ $s = a ] && echo 1 || echo 2) \
			--scale $([ $s = a ] && echo 1.0 || echo 1.05) "$@" > /dev/null || return 1
	done
}
# timed TAG CMD...: CMD under GNU time into $OUT/runs/TAG.{out,time}; its "wall cpu rss"
timed() {
	local t=$1
	shift
	quiet
	if /usr/bin/time -f "%e %U %S %M" -o "$OUT/runs/$t.time" "$@" > "$OUT/runs/$t.out" 2>&1; then
		tcpu "$OUT/runs/$t.time"
	else
		log "$t failed: $(tail -n 2 "$OUT/runs/$t.out")"
		echo "nan nan nan"
	fi
}

log "readers: compare on 2 x $CMP_SMALL and 2 x $CMP_N ops"
# rz: rb's rows as a run writes them with --compress zstd (the runner's level, window and
# block ends; `zstd -3` of the plain files has a 16x larger window, and compare read it
# ~10% slower than any result: 4.9 against 4.45 CPU-s at 2 x 10M)
gen_pair rs "$CMP_SMALL" && gen_pair rb "$CMP_N" && gen_pair rz "$CMP_N" --zstd ||
	log "gen_result failed"
for s in a b; do	# zstd only: a plain file there would be read and its figure called zstd's
	if [ ! -s "$OUT/runs/rz-$s/ops.csv.zst" ] || [ ! -s "$OUT/runs/rz-$s/stalls.csv.zst" ] ||
		[ -e "$OUT/runs/rz-$s/ops.csv" ] || [ -e "$OUT/runs/rz-$s/stalls.csv" ]; then
		log "rz-$s: not the zstd files a run writes"
		rm -rf "$OUT/runs/rz-$s"	# compare fails: its figures are nan, the target MISSED
	fi
done
# rows: ops read (header lines not counted); "" when a file is missing
rows() { awk -F, 'FNR > 1 {n++} END {if (n) print n}' "$@" 2>/dev/null; }
RS_ROWS=$(rows "$OUT/runs/rs-a/ops.csv" "$OUT/runs/rs-b/ops.csv")
RB_ROWS=$(rows "$OUT/runs/rb-a/ops.csv" "$OUT/runs/rb-b/ops.csv")
read -r RS_T RS_CPU RS_KB <<< "$(timed cmp-small "$SB" compare "$OUT/runs/rs-a" "$OUT/runs/rs-b")"
read -r RB_T RB_CPU RB_KB <<< "$(timed cmp-big "$SB" compare "$OUT/runs/rb-a" "$OUT/runs/rb-b")"
read -r RZ_T RZ_CPU RZ_KB <<< "$(timed cmp-zstd "$SB" compare "$OUT/runs/rz-a" "$OUT/runs/rz-b")"
read -r RJ_T RJ_CPU RJ_KB <<< "$(timed cmp-json "$SB" compare --json "$OUT/runs/rb-a" "$OUT/runs/rb-b")"
# the baseline: the exact p99 by hand, the latency column of both runs sorted
# (column found by name in the header, not by position)
LATCOL=$(head -1 "$OUT/runs/rb-a/ops.csv" 2>/dev/null | tr , '\n' | grep -nx latency_ns | cut -d: -f1)
read -r BS_T BS_CPU BS_KB <<< "$(timed sort-big sh -c "tail -q -n +2 '$OUT/runs/rb-a/ops.csv' '$OUT/runs/rb-b/ops.csv' | cut -d, -f${LATCOL:-0} | sort -n --parallel=1 -S 64M > '$OUT/runs/sorted'")"
# exactness: run A's truncate-storm/ftruncate p99 against the nearest rank of its own sorted latencies
OPCOL=$(head -1 "$OUT/runs/rb-a/ops.csv" 2>/dev/null | tr , '\n' | grep -nx op | cut -d: -f1)
EXACT_P99=$(awk -F, -v l="${LATCOL:-0}" -v o="${OPCOL:-0}" 'FNR > 1 && $o == "ftruncate" && $0 !~ /unfinished/ {print $l}' \
	"$OUT/runs/rb-a/ops.csv" 2>/dev/null | sort -n |
	awk '{v[NR] = $1} END {if (NR) {k = int(0.99 * NR); if (k < 0.99 * NR) k++; print v[k]}}')
CMP_P99=$(jq -r '.ops[] | select(.name == "truncate-storm/ftruncate") | .runs[0].p99 // empty' \
	"$OUT/runs/cmp-json.out" 2>/dev/null)
P99_SAME=$(awk -v a="$EXACT_P99" -v b="$CMP_P99" 'BEGIN {if (a != "" && b != "") print (a == b) ? 1 : 0}')
SORT_X=$(calc "$BS_CPU / ($RB_CPU > 0.01 ? $RB_CPU : 0.01)" 2)	# one run each
# The absolute speed (the full form's target): the least CPU of 3 runs. What else the
# machine runs (a shared VM's steal, a neighbour in the cache) only adds to a run's CPU,
# so the least is the reader's own cost: 3.83..4.24 CPU-s for one 2 x 10M zstd compare
# within minutes here, the same binary. A failed run is nan, and so the figure.
least() { awk -v a="$1" -v b="$2" 'BEGIN { if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/) print "nan";
	else print (b + 0 < a + 0) ? b : a }'; }
CPU_RUNS=1
if [ "$QUICK" != 1 ]; then
	CPU_RUNS=3
	for i in 2 3; do
		read -r _ c _ <<< "$(timed cmp-big-$i "$SB" compare "$OUT/runs/rb-a" "$OUT/runs/rb-b")"
		RB_CPU=$(least "$RB_CPU" "$c")
		read -r _ c _ <<< "$(timed cmp-zstd-$i "$SB" compare "$OUT/runs/rz-a" "$OUT/runs/rz-b")"
		RZ_CPU=$(least "$RZ_CPU" "$c")
	done
fi
RB_RATE=$(calc "$RB_ROWS / ($RB_CPU > 0.01 ? $RB_CPU : 0.01)" 0)
# the zstd pair's own rows (the same seeds as rb's): a short frame must not pass for a fast read
RZ_ROWS=$(zstd -dcq "$OUT/runs/rz-a/ops.csv.zst" "$OUT/runs/rz-b/ops.csv.zst" 2>/dev/null |
	awk -F, '$1 != "t_start_ns" {n++} END {if (n) print n}')
if [ "${RZ_ROWS:-}" = "$RB_ROWS" ]; then
	RZ_RATE=$(calc "$RZ_ROWS / ($RZ_CPU > 0.01 ? $RZ_CPU : 0.01)" 0)
else
	log "zstd pair: ${RZ_ROWS:-no} rows, not the plain pair's $RB_ROWS"
	RZ_RATE=nan RZ_KB=nan	# and the memory target MISSED, in the quick form too
fi
rm -rf "$OUT/runs/sorted" "$OUT"/runs/r[sbz]-?

# a real result: the long storm (section 7), else a short one of our own
if [ -z "${LD:-}" ] || [ ! -s "$LD/summary.json" ]; then
	LD="$OUT/runs/rstorm"
	log "readers: a 10 s small-file storm for report"
	rm -rf "$LD" "$LD.files"
	mkdir -p "$LD.files"
	quiet
	"$SB" run --workload truncate-storm --file-size 8K --block 4K --live 16M --dir "$LD.files" \
		--duration 10s --out "$LD" > "$LD.log" 2>&1 || log "storm failed: $(tail -n 2 "$LD.log")"
	rm -rf "$LD.files"
fi
LD_OPS=$(jq '.ops_rows // empty' "$LD/summary.json" 2>/dev/null)
read -r RP_T RP_CPU RP_KB <<< "$(timed report "$SB" report "$LD")"
read -r RPJ_T RPJ_CPU RPJ_KB <<< "$(timed report-json "$SB" report --json "$LD")"
read -r RC_T RC_CPU RC_KB <<< "$(timed cmp-real "$SB" compare --json "$LD" "$LD")"
# a real run drifts (its p50 moves as the cgroup fills), so pass 1 cannot keep its
# quantiles' buckets and a later pass is needed: it reads pass 1's spill, not ops.csv
# again (compare_spill.c); 2 x LD_OPS read, the least of 3 as above
if [ "$QUICK" != 1 ]; then
	for i in 2 3; do
		read -r _ c _ <<< "$(timed cmp-real-$i "$SB" compare --json "$LD" "$LD")"
		RC_CPU=$(least "$RC_CPU" "$c")
	done
fi
RC_COUNT=$(jq '[.ops[].runs[0] | .count + .unfinished] | add // empty' "$OUT/runs/cmp-real.out" 2>/dev/null)
RC_RATE=$(isnum "$LD_OPS" && [ "$RC_COUNT" = "$LD_OPS" ] &&
	calc "2 * $LD_OPS / ($RC_CPU > 0.01 ? $RC_CPU : 0.01)" 0 || echo nan)
# report's p99 of each op (summary.json) against compare's exact one: how many ops, how many
# within the histograms' bound; report's table must mark its percentiles "~"
# p99_check REPORT_JSON COMPARE_JSON: "N OK", N every op report gives a p99
# for, OK those whose compare p99 is a number within the histograms' bound of
# it (an op compare lost counts in N, not in OK); "nan nan" when none
p99_check() {
	jq -r --slurpfile c "$2" '
		.ops // {} | to_entries[] | select(.value.latency_ns.p99 != null) |
		"\(.value.latency_ns.p99) \(.key as $k | [$c[0].ops[] | select(.name == $k) | .runs[0].p99][0] // "nan")"' \
		"$1" 2>/dev/null |
		awk -v e="$HIST_BOUND" '{ n++ }
			$2 ~ /^[0-9.e+]+$/ { d = $1 - $2; if (d < 0) d = -d; if (d <= e * $2 + 1) ok++ }
			END { if (n) printf "%d %d\n", n, ok; else print "nan nan" }'
}
# p99_text_check REPORT_TXT COMPARE_JSON: the same on what report prints (its
# table's p99 column, "~80.6us"): N every op row of the table, OK those
# within the bound of compare's exact p99 plus half the printed last digit
p99_text_check() {
	awk '/^[^ ].* count +err +p50 +p99/ { wl = $1; next }
		/^[^ ]/ { wl = "" }
		wl != "" && /^  [^ ]/ && $2 ~ /^[0-9]+$/ {
			v = $5; sub(/^~/, "", v); n = v; sub(/[a-z]+$/, "", n); u = substr(v, length(n) + 1)
			m = u == "ns" ? 1 : u == "us" ? 1e3 : u == "ms" ? 1e6 : u == "s" ? 1e9 : 0
			d = index(n, ".") ? length(n) - index(n, ".") : 0
			printf "%s/%s %s %.17g %.17g\n", wl, $1, (m && n ~ /^[0-9.]+$/) ? "ok" : "bad", n * m, 0.5 * 10 ^ -d * m
		}' "$1" |
		while read -r op st v half; do
			c=$(jq -r --arg k "$op" '[.ops[] | select(.name == $k) | .runs[0].p99][0] // "nan"' "$2" 2>/dev/null)
			echo "$st $v $half ${c:-nan}"
		done |
		awk -v e="$HIST_BOUND" '{ n++ }
			$1 == "ok" && $4 ~ /^[0-9.e+]+$/ { d = $2 - $4; if (d < 0) d = -d; if (d <= e * $4 + $3 + 1) ok++ }
			END { if (n) printf "%d %d\n", n, ok + 0; else print "nan nan" }'
}
P99_CHECK=$(p99_check "$OUT/runs/report-json.out" "$OUT/runs/cmp-real.out")
read -r P99_N P99_OK <<< "${P99_CHECK:-nan nan}"
read -r T99_N T99_OK <<< "$(p99_text_check "$OUT/runs/report.out" "$OUT/runs/cmp-real.out")"
REP_TILDE=$(grep -c ' ~[0-9]' "$OUT/runs/report.out" 2>/dev/null)

# a synthetic run of REP_N ops (ops only: report reads summary.json, compare ops.csv)
log "readers: report and compare on a synthetic run of $REP_N ops"
RG="$OUT/runs/rg"
rm -rf "$RG"
quiet
"$GEN" "$RG" --n $((REP_N / 4)) --seed 3 --ops-only --summary-hists > /dev/null 2>&1 ||
	log "gen_result --summary-hists failed"
RG_ROWS=$([ -s "$RG/ops.csv" ] && echo $(( $(wc -l < "$RG/ops.csv") - 1 )))
read -r GP_T GP_CPU GP_KB <<< "$(timed report-big "$SB" report "$RG")"
read -r GPJ_T GPJ_CPU GPJ_KB <<< "$(timed report-big-json "$SB" report --json "$RG")"
read -r GC_T GC_CPU GC_KB <<< "$(timed cmp-big-self "$SB" compare --json "$RG" "$RG")"
# every op's p99: report's (summary.json) within the bound of compare's exact one
G99_CHECK=$(p99_check "$OUT/runs/report-big-json.out" "$OUT/runs/cmp-big-self.out")
read -r G99_N G99_OK <<< "${G99_CHECK:-nan nan}"
read -r GT99_N GT99_OK <<< "$(p99_text_check "$OUT/runs/report-big.out" "$OUT/runs/cmp-big-self.out")"
# the p99 of one op, both ways, for the table
G99_REP=$(jq -r '.ops["truncate-storm/ftruncate"].latency_ns.p99 // empty' "$OUT/runs/report-big-json.out" 2>/dev/null)
G99_CMP=$(jq -r '.ops[] | select(.name == "truncate-storm/ftruncate") | .runs[0].p99 // empty' \
	"$OUT/runs/cmp-big-self.out" 2>/dev/null)
G_TILDE=$(grep -c ' ~[0-9]' "$OUT/runs/report-big.out" 2>/dev/null)
rm -rf "$RG"

say ""
say "== 8. Readers (issue 28): compare in bounded memory, report's percentiles =="
say "$(printf '%-34s %9s %9s %9s %12s' 'compare (gen_result, 2 runs)' 'ops' 'cpu s' 'MiB' 'ops/cpu-s')"
say "$(printf '%-34s %9s %9s %9s %12s' "plain 2 x $CMP_SMALL" "$RS_ROWS" "$RS_CPU" "$(calc "$RS_KB / 1024" 1)" "$(calc "$RS_ROWS / ($RS_CPU > 0.01 ? $RS_CPU : 0.01)" 0)")"
say "$(printf '%-34s %9s %9s %9s %12s' "plain 2 x $CMP_N$([ $CPU_RUNS = 1 ] || echo ", least of $CPU_RUNS")" "$RB_ROWS" "$RB_CPU" "$(calc "$RB_KB / 1024" 1)" "$RB_RATE")"
say "$(printf '%-34s %9s %9s %9s %12s' "zstd 2 x $CMP_N$([ $CPU_RUNS = 1 ] || echo ", least of $CPU_RUNS")" "${RZ_ROWS:-?}" "$RZ_CPU" "$(calc "$RZ_KB / 1024" 1)" "$RZ_RATE")"
say "$(printf '%-34s %9s %9s %9s %12s' "baseline: cut | sort -n, 2 x $CMP_N" "$RB_ROWS" "$BS_CPU" "$(calc "$BS_KB / 1024" 1)" "")"
say "compare p99 of truncate-storm/ftruncate (A): $CMP_P99 ns; nearest rank of the sorted column: $EXACT_P99 ns"
say "real run $LD: $LD_OPS ops; report ${RP_CPU} cpu s, $(calc "$RP_KB / 1024" 1) MiB; compare of it with itself$([ $CPU_RUNS = 1 ] || echo " (least of $CPU_RUNS)") ${RC_CPU} cpu s, $(calc "$RC_KB / 1024" 1) MiB, $RC_RATE ops/cpu-s"
say "report's p99 within $(calc "$HIST_BOUND * 100" 2)% of compare's exact p99: $P99_OK of $P99_N ops; report's '~' cells: $REP_TILDE"
say "synthetic run of $RG_ROWS ops: report ${GP_CPU} cpu s, $(calc "$GP_KB / 1024" 1) MiB; compare of it with itself ${GC_CPU} cpu s, $(calc "$GC_KB / 1024" 1) MiB"
say "  p99 of truncate-storm/ftruncate: report ${G99_REP:-?} ns (histogram, '~'), compare ${G99_CMP:-?} ns (exact); every op within $(calc "$HIST_BOUND * 100" 2)%: $G99_OK of $G99_N"

say ""
say "== Targets (issue 28, readers) =="
target "compare memory <= 64 MiB at 2 x $CMP_N: plain $(calc "$RB_KB / 1024" 1), zstd $(calc "$RZ_KB / 1024" 1) MiB" \
	"a <= $CMP_MAX_KB && b <= $CMP_MAX_KB && a > 0 && b > 0" "$RB_KB" "$RZ_KB"
# bounded, not flat: pass 1 keeps the values around the wanted quantiles (qsel.h's
# qs_expect), more as the runs grow, up to QS_SPEC_BUDGET (24 MiB); past it the later
# pass reads again. The bound is checked from 2 x CMP_SMALL to 2 x REP_N.
target "compare memory bounded in op count:  $(calc "$RS_KB / 1024" 1) MiB at 2 x $CMP_SMALL, $(calc "$RB_KB / 1024" 1) at 2 x $CMP_N, $(calc "$GC_KB / 1024" 1) at 2 x $REP_N (<= 64 MiB each)" \
	"a <= $CMP_MAX_KB && b <= $CMP_MAX_KB && c <= $CMP_MAX_KB && a > 0 && b > 0 && c > 0" \
	"$RS_KB" "$RB_KB" "$GC_KB"
target "compare no slower than sort -n by hand: ${SORT_X}x less CPU than sorting the latency column alone (>= 1)" \
	"a >= 1" "$SORT_X"
target "compare's p99 exact:                  $CMP_P99 ns = nearest rank $EXACT_P99 ns" \
	"a == 1 && b > 0" "$P99_SAME" "$CMP_P99"
target "report memory <= 64 MiB on $LD_OPS ops: $(calc "$RP_KB / 1024" 1) MiB" \
	"a <= $CMP_MAX_KB && a > 0 && b > 0" "$RP_KB" "$LD_OPS"
target "report's p99 = compare's within 0.39%: $P99_OK of $P99_N ops, shown with '~' ($REP_TILDE cells)" \
	"a == b && b > 0 && c > 0" "$P99_OK" "$P99_N" "$REP_TILDE"
target "report prints those p99s (its table, to its last digit): $T99_OK of $T99_N ops" \
	"a == b && b > 0" "$T99_OK" "$T99_N"
target "report memory <= 64 MiB on $RG_ROWS synthetic ops: $(calc "$GP_KB / 1024" 1) MiB (compare of it: $(calc "$GC_KB / 1024" 1) MiB)" \
	"a <= $CMP_MAX_KB && b <= $CMP_MAX_KB && a > 0 && c >= 0.99 * $REP_N" "$GP_KB" "$GC_KB" "$RG_ROWS"
target "report's p99 = compare's within 0.39% on $RG_ROWS ops: $G99_OK of $G99_N ops ('~' cells: $G_TILDE)" \
	"a == b && b == 4 && c > 0" "$G99_OK" "$G99_N" "$G_TILDE"	# gen_result writes 4 ops
target "report prints those p99s on $RG_ROWS ops (its table): $GT99_OK of $GT99_N ops" \
	"a == b && b == 4" "$GT99_OK" "$GT99_N"
if [ "$QUICK" != 1 ]; then
	# absolute speed: only on a quiet machine (the quick form runs in CI on a loaded one)
	target "compare >= 5M ops per CPU-second:     plain $RB_RATE, zstd $RZ_RATE at 2 x $CMP_N; the real run $RC_RATE at 2 x $LD_OPS" \
		"a >= 5e6 && b >= 5e6 && c >= 5e6" "$RB_RATE" "$RZ_RATE" "$RC_RATE"
fi
