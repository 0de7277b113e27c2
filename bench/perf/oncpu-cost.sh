# bench/perf/oncpu-cost.sh, sourced by run-bench (uses its say, log, calc, target, quiet,
# SB, OUT, STORM_REPS, STORM_DUR): what the on-CPU samples (issue 25, deliverable 7) cost.
# Paired like the off-CPU events: each workload run with and without --no-oncpu, back to
# back, the order swapped every other rep; the figure is ops/s with over without, per rep,
# then the mean and the lowest, with the lost events and the samples taken. Three loads:
#  - storm: the capped storm of section 4 (--cap 128M), mostly asleep;
#  - small: a max-rate small-file storm (8K files, 4K blocks, 16M live): many short ops
#    and ~3k switches/s, where the per-task event's cost at each switch shows;
#  - cpu: zero-read (one read(2) of 1M of /dev/zero per op), always on a CPU: a sample
#    every ms of each worker, the most the sampling can take.
log "on-CPU samples: storm / small / cpu, with and without --no-oncpu, $STORM_REPS reps, $STORM_DUR"
: > "$OUT/oncpu.tsv"
for load in storm small cpu; do
	for rep in $(seq 1 "$STORM_REPS"); do
		modes="on off"
		[ $((rep % 2)) = 0 ] && modes="off on"
		for mode in $modes; do
			quiet
			d="$OUT/runs/oncpu-$load-$mode-$rep"
			rm -rf "$d" "$d.files"
			case $load in
			storm) args=(--workload truncate-storm --cap 128M) ;;
			small) mkdir -p "$d.files"
			       args=(--workload truncate-storm --file-size 8K --block 4K --live 16M --dir "$d.files") ;;
			cpu) args=(--workload zero-read) ;;
			esac
			[ $mode = off ] && args+=(--no-oncpu)
			"$SB" run "${args[@]}" --duration "$STORM_DUR" --out "$d" > "$d.log" 2>&1
			rm -rf "$d.files"
			s="$d/summary.json"
			if [ ! -s "$s" ]; then log "oncpu $load $mode $rep: no summary (see $d.log)"; continue; fi
			echo "$load $mode $rep $(calc "$(jq '[.ops[].count] | add' "$s") * 1e9 / $(jq .duration_ns "$s")" 1)" \
				"$(jq '.lost_events // 0' "$s") $(jq '[.ops[].oncpu.samples // 0] | add' "$s")" >> "$OUT/oncpu.tsv"
		done
	done
done
say ""
say "== on-CPU samples' cost ($STORM_DUR runs, ops/s with / without --no-oncpu, paired by rep) =="
for load in storm small cpu; do
	NC_FIG=$(awk -v L=$load -v want="$STORM_REPS" '$1 == L && $2 == "on" {w[$3] = $4; l += $5; n_s += $6}
		$1 == L && $2 == "off" {wo[$3] = $4}
		END { for (r in w) if (r in wo && wo[r] > 0) { x = w[r] / wo[r]; s += x; n++; if (!lo || x < lo) lo = x }
		      if (n < want) print "nan nan nan nan"; else printf "%.3f %.3f %d %d\n", s / n, lo, l, n_s / n }' \
		"$OUT/oncpu.tsv")
	read -r NC_RATIO NC_LO NC_LOST NC_SAMPLES <<< "$NC_FIG"
	target "on-CPU samples cost <= 5% of ops ($load): paired mean ${NC_RATIO} (lowest $NC_LO); ~$NC_SAMPLES samples a run, lost events $NC_LOST" \
		"a >= 0.95" "$NC_RATIO"
done
