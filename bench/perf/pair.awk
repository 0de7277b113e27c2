# What a kernel developer runs today: pair begin/end tracepoints per task from
#   perf script --ns -F trace:tid,cpu,time,event,trace
# lines like "19596 [000]  1010.811467964: vmscan:mm_vmscan_memcg_reclaim_begin: ..."
# and print count / p50 / p99 / p99.9 / max of the durations (ns).
#   awk -v B=sys:begin_event -v E=sys:end_event -f pair.awk
# -v CSV=1 instead prints the pairs as stallbench stalls.csv rows (used by
# run-bench to build the stallbench-side result from the very same events).
# Percentiles: all durations are kept, then sorted with sort -n (the usual way;
# memory grows with the number of events).
BEGIN {
	if (B == "") B = "vmscan:mm_vmscan_memcg_reclaim_begin"
	if (E == "") E = "vmscan:mm_vmscan_memcg_reclaim_end"
	if (TMP == "") { srand(); TMP = "/tmp/pair_awk." int(rand() * 1000000000) }
	n = 0
	if (CSV) print "t_start_ns,tid,cpu,kind,duration_ns,nr_reclaimed,order,gfp,scope,note"
}
{
	ev = $4; sub(/:$/, "", ev)
	if (ev != B && ev != E) next
	t = $3; sub(/:$/, "", t)
	split(t, a, ".")
	ns = a[1] * 1000000000 + a[2]
	tid = $1
	if (ev == B) {
		beg[tid] = ns
		cpu[tid] = substr($2, 2, length($2) - 2) + 0
		next
	}
	if (!(tid in beg)) next
	d = ns - beg[tid]
	if (CSV) {
		printf "%.0f,%s,%d,memcg,%.0f,64,0,GFP_HIGHUSER_MOVABLE,run,\n", beg[tid], tid, cpu[tid], d
	} else {
		dur[++n] = d
	}
	delete beg[tid]
}
END {
	if (CSV) exit 0
	cmd = "sort -n > " TMP
	for (i = 1; i <= n; i++) printf "%.0f\n", dur[i] | cmd
	close(cmd)
	r50 = int(0.50 * n + 0.999999); r99 = int(0.99 * n + 0.999999); r999 = int(0.999 * n + 0.999999)
	i = 0
	while ((getline v < TMP) > 0) {
		i++
		if (i == r50) p50 = v
		if (i == r99) p99 = v
		if (i == r999) p999 = v
		mx = v
	}
	close(TMP)
	system("rm -f " TMP)
	printf "%-16s %10s %12s %12s %12s %12s\n", "kind", "count", "p50_ns", "p99_ns", "p99.9_ns", "max_ns"
	printf "%-16s %10d %12s %12s %12s %12s\n", E, n, p50, p99, p999, mx
}
