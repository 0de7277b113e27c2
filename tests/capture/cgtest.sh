# Shared by the host capture tests (sourced): root and memcg v1 checks, a 64M
# cgroup and a work directory, torn down on every exit path.
CG_ROOT=/sys/fs/cgroup/memory
skip() { echo "SKIP: $*"; exit 4; }
fail() { echo "FAIL: $*"; exit 1; }

[ "$(id -u)" = 0 ] || skip "needs root (perf_event_open system-wide, cgroup creation)"
[ -f "$CG_ROOT/memory.limit_in_bytes" ] || skip "no memory cgroup v1 at $CG_ROOT"
[ -x "${CAPDUMP:-}" ] || fail "capdump not built (${CAPDUMP:-unset})"

WORK=$(mktemp -d /var/tmp/sbcap.XXXXXX)
[ -n "${SB_KEEP_WORK:-}" ] && echo "work dir: $WORK (kept)"
CG=$CG_ROOT/sbcap_test_$$

cg_cleanup() {
	if [ -d "$CG" ]; then
		for p in $(cat "$CG/cgroup.procs" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
		n=0
		while ! rmdir "$CG" 2>/dev/null && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
	fi
	[ -n "${SB_KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cg_cleanup EXIT
trap 'exit 1' INT TERM

mkdir "$CG" || fail "cannot create $CG"
echo 64M > "$CG/memory.limit_in_bytes" || fail "cannot cap $CG at 64M"
: > "$WORK/pids"
