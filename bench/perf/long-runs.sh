# bench/perf/long-runs.sh, sourced by run-bench (uses its say, log, calc, isnum, target, quiet):
# the figures of issue 16 ("long runs").
#  - a max-rate small-file truncate storm (60 s; 600 s with --full): the driver's RSS at
#    10 s and at the end of the duration (ratio), its own CPU per op (utime+stime of the
#    driver process, children excluded, from 10 s to the end), and the bytes per op of
#    ops.csv(.zst) on disk. The readers on it and on synthetic runs: readers.sh (section 8).
if [ "$FULL" = 1 ]; then LONG_S=600; else LONG_S=60; fi

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
say ""
say "== Targets (issue 16) =="
target "driver RSS flat in run length:        $(calc "$RSSEND / 1024" 1) MiB at $TEND s / $(calc "$RSS10 / 1024" 1) MiB at 10 s = $RSS_RATIO (<= 1.1)" \
	"a <= 1.1 && a > 0" "$RSS_RATIO"
target "<= 16 B/op on disk (ops.csv):         $BPO B/op at $LRATE ops/s" "a <= 16 && a > 0" "$BPO"
target "driver CPU <= 2 us/op:                $CPU_US_OP us/op at $LRATE ops/s" "a <= 2 && a > 0" "$CPU_US_OP"
