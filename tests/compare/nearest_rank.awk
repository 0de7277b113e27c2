# nearest_rank.awk: numbers sorted ascending (sort -n), one a line, in; out,
# on one line: the nearest-rank value (signif.h's pct_rank: rank ceil(p n),
# p n an integer within 1e-9 of it counting as one) at each quantile of
# -v q="0.5 0.99", then the count, then with -v mean=1 the mean (%.17g).
# Nothing for no input. The tests' known answer for compare's percentiles.
function at(p,  x, k) {
	x = p * NR
	k = int(x)
	if (x - k > 1e-9 * (x > 1 ? x : 1))
		k++
	return v[k < 1 ? 1 : k]
}
{ v[NR] = $1; t += $1 }
END {
	if (!NR)
		exit
	n = split(q, qs, " ")
	for (i = 1; i <= n; i++)
		printf "%s ", at(qs[i])
	printf "%d", NR
	if (mean)
		printf " %.17g", t / NR
	printf "\n"
}
