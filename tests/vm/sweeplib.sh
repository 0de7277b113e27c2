# Shared by the VM tests that drive ./run.sh's lab sweep as a user does
# (sourced after NAME=...): skip unless root with QEMU and a built
# stallbench; the pinned kernels (tests/kernels.lock); no build by run.sh;
# OUT, a fresh directory for the sweep. Each test keeps its own fail().
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
skip() { echo "SKIP $NAME: $*" >&2; exit 4; }
[ "$(id -u)" = 0 ] || skip "needs root"
command -v qemu-system-x86_64 >/dev/null || skip "no qemu-system-x86"
[ -x "$TOP/build/stallbench" ] || skip "build/stallbench not built"
export STALLBENCH_KERNELS_LOCK=${STALLBENCH_KERNELS_LOCK:-$TOP/tests/kernels.lock}
export SB_NO_BUILD=1
OUT=$(mktemp -d "/var/tmp/sb$NAME.XXXXXX")
