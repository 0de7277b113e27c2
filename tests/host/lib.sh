# Shared helpers of the host tests. SB is the stallbench binary.
SB=${SB:?SB must point at the stallbench binary}
TMP=$(mktemp -d /var/tmp/sbtest.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit 4; }
need_root() { [[ $(id -u) -eq 0 ]] || skip "needs root (cgroups, tracepoints)"; }
# A JSON field via python3 (present on Debian 12 images).
jget() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval("d"+sys.argv[2]))' "$1" "$2"; }
no_stale_cgroups() {
	local left
	left=$(find /sys/fs/cgroup -maxdepth 3 -name 'stallbench-*' -type d 2>/dev/null | head -3)
	[[ -z $left ]] || fail "cgroups left behind: $left"
}
