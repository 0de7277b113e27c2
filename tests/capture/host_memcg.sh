#!/bin/sh
# Host test: a page-cache writer in a 64M memory cgroup must show memcg
# reclaim stalls on its own tid, all durations > 0, none negative, no lost
# samples, and with --callchain a symbolised kernel stack. Usage: host_memcg.sh CAPDUMP. Exit 0 pass, 1 fail, 4 skipped.
set -u
CAPDUMP=$1
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/cgtest.sh"

"$CAPDUMP" -g -o "$WORK/cap.csv" -- "$HERE/pressure.sh" "$CG" "$WORK" 2 2> "$WORK/err"
rc=$?
cat "$WORK/err"
[ $rc = 4 ] && skip "$(cat "$WORK/err")"
[ $rc = 3 ] && fail "capdump saw lost samples or negative durations"
[ $rc = 0 ] || fail "capdump exited $rc"
grep -q " lost 0 " "$WORK/err" || fail "lost samples"
grep -q " negative 0 " "$WORK/err" || fail "negative durations"

awk -F, -v pidfile="$WORK/pids" '
	BEGIN { while ((getline p < pidfile) > 0) mine[p] = 1 }
	$1 == "S" && $5 == "memcg" && ($3 in mine) {
		n++; if ($6 + 0 <= 0 && $10 == 0) bad++; tot += $6
	}
	END {
		printf "memcg stalls on the writers: %d, total %.3f ms, zero-length paired: %d\n", n, tot / 1e6, bad
		exit (n > 0 && bad == 0) ? 0 : 1
	}' "$WORK/cap.csv" || fail "no memcg reclaim stalls attributed to the writer tids (or zero durations)"
# --callchain: symbolised kernel stacks, root first, ending in the reclaim entry
awk -F, '$1 == "S" && $5 == "memcg" && $11 ~ /try_to_free_mem_cgroup_pages$/ { ok++ }
	END { exit ok > 0 ? 0 : 1 }' "$WORK/cap.csv" ||
	fail "memcg stalls carry no symbolised stack ending in try_to_free_mem_cgroup_pages"
echo PASS
