# Shared helpers of the host tests. SB is the stallbench binary.
SB=${SB:?SB must point at the stallbench binary}
TMP=$(mktemp -d /var/tmp/sbtest.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit 4; }
need_root() { [[ $(id -u) -eq 0 ]] || skip "needs root (cgroups, tracepoints)"; }
HOSTLIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# run_report NAME WHAT ARGS...: stallbench run ARGS into $TMP/NAME (a failure
# names WHAT and run's stderr), then its report into $TMP/NAME.txt.
run_report() {
	local name=$1 what=$2
	shift 2
	"$SB" run "$@" --out "$TMP/$name" 2>"$TMP/err" || fail "$what run failed: $(cat "$TMP/err")"
	"$SB" report "$TMP/$name" >"$TMP/$name.txt" || fail "report failed"
}
# python3 with sbcheck.py importable (check(), result()).
sbpython() { PYTHONPATH=$HOSTLIB${PYTHONPATH:+:$PYTHONPATH} python3 "$@"; }
# A JSON field via python3 (present on Debian 12 images).
jget() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval("d"+sys.argv[2]))' "$1" "$2"; }
# Nothing left behind: no cgroup that a run of this test recorded in its
# meta.json (every one under $TMP, at any depth: a delegated scope puts the
# run's group deep below the root), and none named *stallbench* anywhere.
no_stale_cgroups() {
	local left p metas rec=
	metas=$(find "$TMP" -name meta.json 2>/dev/null)
	if [[ -n $metas ]]; then
		rec=$(printf '%s\n' "$metas" | xargs -d '\n' "$(dirname "${BASH_SOURCE[0]}")/../recorded-cgroups") ||
			fail "cannot read the cgroups recorded in $metas"
	fi
	# this test's runs' groups, then anyone's whose driver is dead (a group
	# named after a live driver belongs to a run still going: a test beside
	# this one under ctest -j2)
	left=$( { while read -r p; do
			[[ -n $p && -e $p ]] && echo "$p"
		done <<< "$rec"
		find /sys/fs/cgroup \( -name '*stallbench*' -o -name 'sb-driver-*' \) 2>/dev/null |
			while read -r p; do
				pid=$(basename "$p" | grep -Eo -- '-[0-9]+' | head -1 | tr -d -)
				[[ -n $pid && -d /proc/$pid ]] || echo "$p"
			done; } |
		sort -u | head -n 5 | tr '\n' ' ')
	[[ -z $left ]] || fail "cgroups left behind: $left"
}
