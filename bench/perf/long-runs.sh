# bench/perf/long-runs.sh, sourced by run-bench (uses its say, log, calc, isnum, target, quiet):
# the figures of issue 16 ("long runs").
#  - a max-rate small-file truncate storm (60 s; 600 s with --full): the driver's RSS at
#    10 s and at the end of the duration (ratio), its own CPU per op (utime+stime of the
#    driver process, children excluded, from 10 s to the end), and the bytes per op of
#    ops.csv(.zst) on disk;
#  - compare on two synthetic runs of CMP_N ops each (tests/compare/gen_result, the
#    runner's schema), plain and zstd: wall time, ops read per second, peak RSS.
if [ "$FULL" = 1 ]; then LONG_S=600 CMP_N=10000000; else LONG_S=60 CMP_N=2000000; fi

log "long runs: max-rate storm ${LONG_S}s"
quiet
LD="$OUT/runs/long"
rm -rf "$LD" "$LD.files"
mkdir -p "$LD.files"
"$SB" run --workload truncate-storm --file-size 8K --block 4K --live 16M --dir "$LD.files" \
	--duration "${LONG_S}s" --out "$LD" > "$LD.log" 2>&1 &
LPID=$!
: > "$LD.samples"
T=0 T0=$(date +%s%N)
# about one sample a second: t (seconds since the start, measured) rss_kb cpu_ticks
# (the driver alone; results writing excluded)
while kill -0 $LPID 2>/dev/null && [ $T -lt "$LONG_S" ]; do
	sleep 1
	T=$(( ($(date +%s%N) - T0) / 1000000000 ))
	r=$(awk '/^VmRSS/ {print $2}' /proc/$LPID/status 2>/dev/null)
	c=$(awk '{print $14 + $15}' /proc/$LPID/stat 2>/dev/null)
	[ -n "$r" ] && [ -n "$c" ] && echo "$T $r $c" >> "$LD.samples"
done
wait $LPID
LRC=$?
rm -rf "$LD.files"
HZ=$(getconf CLK_TCK)
LOPS=$(jq '.ops_rows // empty' "$LD/summary.json" 2>/dev/null)
LDUR=$(jq '.duration_ns // empty' "$LD/summary.json" 2>/dev/null)
[ "$LRC" = 0 ] || log "long storm exit $LRC: $(tail -n 2 "$LD.log")"
RSS10=$(awk '$1 >= 10 {print $2; exit}' "$LD.samples")
RSSEND=$(awk -v e=$((LONG_S - 1)) '$1 <= e {v = $2} END {print v}' "$LD.samples")
CPU10=$(awk '$1 >= 10 {print $3; exit}' "$LD.samples")
CPUEND=$(awk -v e=$((LONG_S - 1)) '$1 <= e {t = $1; v = $3} END {print t, v}' "$LD.samples")
read -r TEND CPUEND <<< "$CPUEND"
LBYTES=$(cat "$LD"/ops.csv "$LD"/ops.csv.zst 2>/dev/null | wc -c)
LRATE=$(calc "$LOPS * 1e9 / $LDUR" 0)
RSS_RATIO=$(calc "$RSSEND / $RSS10" 3)
# ops between 10 s and TEND, at the run's mean rate
CPU_US_OP=$(calc "($CPUEND - $CPU10) / $HZ * 1e6 / ($LRATE * ($TEND - 10))" 3)
BPO=$(calc "$LBYTES / $LOPS" 1)
say ""
say "== 7. Long runs (issue 16): max-rate small-file storm, ${LONG_S}s =="
say "ops $LOPS at $LRATE ops/s; driver RSS $(calc "$RSS10 / 1024" 1) MiB at 10 s, $(calc "$RSSEND / 1024" 1) MiB at $TEND s: ratio $RSS_RATIO"
say "driver CPU (utime+stime, 10 s..$TEND s): $CPU_US_OP us/op; on disk: $(ls "$LD" | grep '^ops\.csv' | tr '\n' ' ')$LBYTES B = $BPO B/op"

log "long runs: compare on 2 x $CMP_N ops"
GEN="$BIN/gen_result"	# built by run-bench (target cmp_gen_result)
[ -x "$GEN" ] || { echo "long-runs: no $GEN (run-bench builds it): the compare figures cannot be measured" >&2; exit 1; }
: > "$OUT/cmp.tsv"
if [ -n "$GEN" ]; then
	for s in a b; do
		rm -rf "$OUT/runs/cmp-$s" "$OUT/runs/cmpz-$s"
		"$GEN" "$OUT/runs/cmp-$s" --n $((CMP_N / 4)) --seed $([ $s = a ] && echo 1 || echo 2) \
			--scale $([ $s = a ] && echo 1.0 || echo 1.05) > /dev/null
		mkdir -p "$OUT/runs/cmpz-$s"
		cp "$OUT/runs/cmp-$s"/*.json "$OUT/runs/cmp-$s"/timeline.csv "$OUT/runs/cmpz-$s/"
		for f in ops stalls; do
			zstd -q -3 -T2 "$OUT/runs/cmp-$s/$f.csv" -o "$OUT/runs/cmpz-$s/$f.csv.zst"
		done
	done
	rows=$(( $(wc -l < "$OUT/runs/cmp-a/ops.csv") - 1 + $(wc -l < "$OUT/runs/cmp-b/ops.csv") - 1 ))
	for v in cmp cmpz; do
		quiet
		sync
		if /usr/bin/time -f "%e %M" -o "$OUT/runs/$v.time" "$SB" compare "$OUT/runs/$v-a" "$OUT/runs/$v-b" \
			> "$OUT/runs/$v.out" 2>&1; then
			echo "$v $rows $(tail -1 "$OUT/runs/$v.time")" >> "$OUT/cmp.tsv"
		else
			log "compare $v failed: $(tail -n 2 "$OUT/runs/$v.out")"
			echo "$v $rows nan nan" >> "$OUT/cmp.tsv"
		fi
	done
	rm -rf "$OUT"/runs/cmp-? "$OUT"/runs/cmpz-?
fi
cmpf() { awk -v v="$1" -v k="$2" '$1 == v {print $k}' "$OUT/cmp.tsv"; }
CMP_ROWS=$(cmpf cmp 2)
CMP_T=$(cmpf cmp 3) CMP_M=$(cmpf cmp 4) CMPZ_T=$(cmpf cmpz 3) CMPZ_M=$(cmpf cmpz 4)
CMP_RATE=$(calc "$CMP_ROWS / ($CMP_T > 0.001 ? $CMP_T : 0.001)" 0)
CMPZ_RATE=$(calc "$CMP_ROWS / ($CMPZ_T > 0.001 ? $CMPZ_T : 0.001)" 0)
CMP_BPO=$(calc "$CMP_M * 1024 / $CMP_ROWS" 1)
say "compare, 2 x $CMP_N ops (gen_result): plain $CMP_T s ($CMP_RATE ops/s), peak $(calc "$CMP_M / 1024" 0) MiB ($CMP_BPO B/op);" \
	"zstd $CMPZ_T s ($CMPZ_RATE ops/s), peak $(calc "$CMPZ_M / 1024" 0) MiB"

say ""
say "== Targets (issue 16) =="
target "driver RSS flat in run length:        $(calc "$RSSEND / 1024" 1) MiB at $TEND s / $(calc "$RSS10 / 1024" 1) MiB at 10 s = $RSS_RATIO (<= 1.1)" \
	"a <= 1.1 && a > 0" "$RSS_RATIO"
target "<= 16 B/op on disk (ops.csv):         $BPO B/op at $LRATE ops/s" "a <= 16 && a > 0" "$BPO"
target "driver CPU <= 2 us/op:                $CPU_US_OP us/op at $LRATE ops/s" "a <= 2 && a > 0" "$CPU_US_OP"
target "compare reads >= 5M ops/s:            plain $CMP_RATE, zstd $CMPZ_RATE ops/s" \
	"a >= 5e6 && b >= 5e6" "$CMP_RATE" "$CMPZ_RATE"
# compare keeps each op's latency and stall (each repetition's percentiles): its memory
# is linear in the ops it compares, and this says by how much
target "compare memory <= 24 B per op read:   plain $CMP_BPO B/op" "a <= 24 && a > 0" "$CMP_BPO"
