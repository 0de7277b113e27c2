# Shared by the host capture tests (sourced): root and memory cgroup checks
# (v1 here, v2 in the lab's guests and on current lab machines), a 64M
# cgroup and a work directory, torn down on every exit path.
skip() { echo "SKIP: $*"; exit 4; }
fail() { echo "FAIL: $*"; exit 1; }

[ "$(id -u)" = 0 ] || skip "needs root (perf_event_open system-wide, cgroup creation)"
if [ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then
	CG_ROOT=/sys/fs/cgroup/memory CG_LIMIT=memory.limit_in_bytes CG_VER=1
elif grep -qw memory /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null; then
	CG_ROOT=/sys/fs/cgroup CG_LIMIT=memory.max CG_VER=2
else
	skip "no memory cgroup (v1 at /sys/fs/cgroup/memory, or v2 with +memory at /sys/fs/cgroup)"
fi
echo "memory cgroup v$CG_VER at $CG_ROOT"
[ -x "${CAPDUMP:-}" ] || fail "capdump not built (${CAPDUMP:-unset})"

# the writers fill page cache: WORK must be on a disk (a tmpfs is shmem,
# not reclaimable without swap: the writer is OOM-killed instead)
WORK=$(mktemp -d "${SB_CAP_WORKDIR:-/var/tmp}/sbcap.XXXXXX")
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
echo 64M > "$CG/$CG_LIMIT" || fail "cannot cap $CG at 64M"
: > "$WORK/pids"
