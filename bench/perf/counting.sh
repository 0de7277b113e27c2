# shellcheck shell=bash
# bench/perf/counting.sh, sourced by run-bench (uses its say, log, calc, isnum, target, quiet):
# what counting costs the workload (issue 28, deliverables 1 and 5).
#  - NOFAIL counting (--count-nofail: per-thread counting events, no ring): an uncapped and
#    a 64M-capped truncate storm with and without it, in pairs run back to back, the order
#    alternating: ops/s with / without per pair (the share of ops lost to counting), and
#    the events lost (the rings' lost_events of the counting runs plus the counters' own,
#    0 by construction);
#  - the counters against the records: a capped storm with --count-nofail --callchain
#    sends every NOFAIL allocation to the rings too (for its stack); summary.json's
#    nofail_counting.records_check has both counts of the same ops;
#  - the off-CPU events (sched_switch, sched_waking; on by default): a 64M-capped storm
#    with and without --no-offcpu, paired the same way: share of ops lost, lost events.
# Storms of CNT_DUR, CNT_PAIRS pairs each (3 x 5 s; 5 x 5 s with --full).
if [ "$FULL" = 1 ]; then CNT_PAIRS=5; else CNT_PAIRS=3; fi
CNT_DUR=5s
CT=$OUT/counting.tsv
: > "$CT"

# cnt_storm TAG PAIR SIDE ARGS...: one storm; appends "tag pair side ops/s lost nofail_lost"
cnt_storm() {
	local tag=$1 pair=$2 side=$3 d
	shift 3
	d="$OUT/runs/cnt-$tag-$side-$pair"
	rm -rf "$d"
	quiet
	"$SB" run --workload truncate-storm --duration "$CNT_DUR" --out "$d" "$@" > "$d.log" 2>&1
	if [ ! -s "$d/summary.json" ]; then
		log "storm $tag $side $pair: no summary (see $d.log)"
		echo "$tag $pair $side nan nan nan" >> "$CT"
		return
	fi
	echo "$tag $pair $side $(jq -r '[.ops_rows * 1e9 / .duration_ns, (.lost_events // "nan"),
		(.nofail_counting.lost // 0)] | map(tostring) | join(" ")' "$d/summary.json")" >> "$CT"
}

# cnt_pairs TAG "WITH ARGS" "WITHOUT ARGS" BASE ARGS...: CNT_PAIRS pairs, the order alternating
cnt_pairs() {
	local tag=$1 with=$2 without=$3 p
	shift 3
	for p in $(seq 1 "$CNT_PAIRS"); do
		# shellcheck disable=SC2086
		if [ $((p % 2)) = 1 ]; then
			cnt_storm "$tag" "$p" with "$@" $with
			cnt_storm "$tag" "$p" without "$@" $without
		else
			cnt_storm "$tag" "$p" without "$@" $without
			cnt_storm "$tag" "$p" with "$@" $with
		fi
	done
}

# cnt_fig TAG: "mean_ratio lowest..highest pairs lost_with" (nan when a pair is missing)
cnt_fig() {
	awk -v t="$1" -v want="$CNT_PAIRS" '$1 == t && $3 == "with" {w[$2] = $4; l += $5 + $6; if ($5 == "nan") bad = 1}
		$1 == t && $3 == "without" {wo[$2] = $4}
		END { for (p in w) if (p in wo && wo[p] > 0 && w[p] != "nan") {
				x = w[p] / wo[p]; s += x; n++
				if (!lo || x < lo) lo = x; if (x > hi) hi = x }
		      if (n < want || bad) print "nan nan 0 nan"
		      else printf "%.3f %.3f..%.3f %d %d\n", s / n, lo, hi, n, l }' "$CT"
}

log "counting: NOFAIL counters, uncapped and 64M-capped storms, $CNT_PAIRS pairs of $CNT_DUR"
cnt_pairs nofail-uncapped "--count-nofail" ""
cnt_pairs nofail-capped "--count-nofail" "" --cap 64M
log "counting: counters against records, 64M-capped storm with --callchain"
quiet
XD="$OUT/runs/cnt-crosscheck"
rm -rf "$XD"
"$SB" run --workload truncate-storm --duration "$CNT_DUR" --cap 64M --count-nofail --callchain \
	--out "$XD" > "$XD.log" 2>&1
read -r X_OPS X_CNT X_REC X_LOST X_MODE < <(jq -r '.nofail_counting | [.records_check.ops,
	.records_check.counters, .records_check.records, .records_check.records_lost_events, .mode]
	| map(tostring) | join(" ")' "$XD/summary.json" 2>/dev/null)
X_RATIO=$(calc "${X_CNT:-nan} / ${X_REC:-nan}" 4)
log "counting: off-CPU events, 64M-capped storm, $CNT_PAIRS pairs of $CNT_DUR"
cnt_pairs offcpu-capped "" "--no-offcpu" --cap 64M

read -r NU_R NU_S NU_N NU_L < <(cnt_fig nofail-uncapped)
read -r NC_R NC_S NC_N NC_L < <(cnt_fig nofail-capped)
read -r OC_R OC_S OC_N OC_L < <(cnt_fig offcpu-capped)
say ""
say "== 9. What counting costs (issue 28): truncate storms, $CNT_PAIRS pairs of $CNT_DUR, order alternating =="
say "$(printf '%-34s %-12s %-16s %-8s %s' storm 'ops with/without' 'range' pairs 'lost (runs with)')"
say "$(printf '%-34s %-12s %-16s %-8s %s' 'uncapped, --count-nofail' "$NU_R" "$NU_S" "$NU_N" "$NU_L")"
say "$(printf '%-34s %-12s %-16s %-8s %s' '64M cap, --count-nofail' "$NC_R" "$NC_S" "$NC_N" "$NC_L")"
say "$(printf '%-34s %-12s %-16s %-8s %s' '64M cap, off-CPU (vs --no-offcpu)' "$OC_R" "$OC_S" "$OC_N" "$OC_L")"
say "counters vs records (64M cap, --callchain, mode ${X_MODE:-?}): $X_CNT vs $X_REC NOFAIL allocations over $X_OPS ops, ratio $X_RATIO; records lost $X_LOST"
say "(ops/s per storm and lost events in $CT: tag pair side ops/s lost_events nofail_lost)"
target "NOFAIL counting <= 10% of ops, uncapped:  ops with/without ${NU_R} (paired mean, $NU_N pairs [$NU_S]); lost events $NU_L" \
	"a >= 0.90 && b == 0" "$NU_R" "$NU_L"
target "NOFAIL counting <= 5% of ops, 64M cap:    ops with/without ${NC_R} (paired mean, $NC_N pairs [$NC_S]); lost events $NC_L" \
	"a >= 0.95 && b == 0" "$NC_R" "$NC_L"
target "NOFAIL counters = records within 1%:     counters/records $X_RATIO ($X_CNT vs $X_REC, $X_OPS ops; records lost $X_LOST)" \
	"a >= 0.99 && a <= 1.01 && c > 0" "$X_RATIO" "${X_LOST:-}" "${X_OPS:-}"
target "off-CPU events <= 5% of ops, 64M cap:     ops with/without ${OC_R} (paired mean, $OC_N pairs [$OC_S]); lost events $OC_L" \
	"a >= 0.95 && b == 0" "$OC_R" "$OC_L"
