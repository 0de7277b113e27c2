# Shared by the VM tests (sourced). kselftest exit codes: 0 pass, 1 fail,
# 4 skip with the reason on stderr. Each test boots one guest with vm/run,
# runs a small guest script and asserts on what it wrote to the results.
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VMRUN=$TOP/vm/run
KERNEL=${1:-${SB_VM_KERNEL:-6.1}}
NAME=$(basename "$0" .sh)

skip() { echo "SKIP $NAME: $*" >&2; exit 4; }
fail() {
	echo "FAIL $NAME [$KERNEL]: $*" >&2
	if [ -n "${RES:-}" ]; then
		echo "  results kept in $RES; the lab's log:" >&2
		grep '^vm/run:' "$RES/host.out" 2>/dev/null | tail -n 8 | sed 's/^/  /' >&2
	fi
	KEEP=1
	exit 1
}
pass() { echo "PASS $NAME [$KERNEL]${1:+: $1}"; exit 0; }

[ "$(id -u)" = 0 ] || skip "needs root (QEMU 9p export of / and the kernel cache)"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed"
command -v busybox >/dev/null || skip "busybox-static not installed"
command -v gcc >/dev/null || skip "gcc not installed"
# Tests that drive stallbench in the guest set NEED_SB=1 before sourcing this:
# without a build they skip (before any kernel is fetched); with one, the
# driver is copied where the guest sees it (its /tmp is a tmpfs) as $BIN,
# and $HOSTBIN is the host's.
if [ -n "${NEED_SB:-}" ]; then
	HOSTBIN=${STALLBENCH_BIN:-$TOP/build/stallbench}
	[ -x "$HOSTBIN" ] || skip "no stallbench binary at $HOSTBIN (build first or set STALLBENCH_BIN)"
fi
# Every kernel a test asserts about is pinned (tests/kernels.lock): a series
# name resolves to its pinned packages, never to the archive's newest. A
# fetch that fails is a failure of the product's own code or a pin to update,
# never a skip.
export STALLBENCH_KERNELS_LOCK=${STALLBENCH_KERNELS_LOCK:-$TOP/tests/kernels.lock}
# KERNEL=kasan: the KASAN build of the pinned 6.12 that vm/build-kasan
# caches (never fetched: tests/vm/CMakeLists.txt adds its tests only when
# the cache holds a complete build).
KASAN=${STALLBENCH_KASAN:-${STALLBENCH_CACHE:-/var/cache/stallbench}/kasan-6.12}
if [ "$KERNEL" = kasan ]; then
	[ -f "$KASAN/ok" ] || fail "no KASAN kernel in $KASAN (build it: vm/build-kasan)"
else
	"$TOP/vm/fetch-kernel" "$KERNEL" >/dev/null || fail "cannot fetch the pinned kernel $KERNEL (see the fetch-kernel line above)"
fi
# vm/run's kernel options for $KERNEL as it is when a guest boots (a test may
# boot a second kernel: pressure.sh sets KERNEL=6.1 for its late case)
vm_kernel() {
	if [ "$KERNEL" = kasan ]; then
		VMKERNEL=(--kernel "$KASAN/bzImage" --kdir "$KASAN/linux" --modroot "$KASAN/mods")
	else
		VMKERNEL=(--kernel "$KERNEL")
	fi
}

KEEP=${SB_VM_KEEP:-}
RES=$(mktemp -d "${SB_VM_TESTDIR:-/var/tmp}/sbvm-$NAME.XXXXXX") || skip "mktemp failed"
trap '[ -n "$KEEP" ] || rm -rf "$RES"' EXIT
# The client runs in the guest: build it where the guest sees it (not /tmp,
# a tmpfs there).
gcc -O2 -Wall -I"$TOP/workloads/kmod" -o "$RES/nofail_client" "$TOP/tests/vm/nofail_client.c" ||
	fail "cannot build nofail_client"
C=$RES/nofail_client
if [ -n "${NEED_SB:-}" ]; then
	BIN=$RES/stallbench
	cp "$HOSTBIN" "$BIN" || fail "cannot copy $HOSTBIN"
fi

# run_guest TIMEOUT [vm/run options]: runs $RES/guest.sh (written by the test)
# in the guest; sets VMRC to vm/run's status and prints the timing.
run_guest() {
	local t=$1 t0 t1
	shift
	# KASAN_INLINE under TCG: a slower boot and every allocation checked
	[ "$KERNEL" != kasan ] || t=$((t * 3))
	vm_kernel
	t0=$(date +%s)
	"$VMRUN" "${VMKERNEL[@]}" --timeout "$t" --results "$RES" "$@" -- \
		bash "$RES/guest.sh" "$RES" > "$RES/host.out" 2>&1
	VMRC=$?
	t1=$(date +%s)
	echo "$NAME [$KERNEL]: vm/run exit $VMRC in $((t1 - t0))s"
	[ "$VMRC" -ne 124 ] || fail "guest timed out after ${t}s"
	[ "$VMRC" -ne 125 ] || fail "lab failure: $(tail -n 3 "$RES/host.out")"
	[ ! -f "$RES/vm.crash" ] || fail "the guest crashed ($(cat "$RES/vm.crash")): $(sed -n '1,12p' "$RES/vm.oops.txt" 2>/dev/null)"
	[ -f "$RES/vm.status" ] || fail "no vm.status came back"
	check_nothing_left
}

# check_qemu_gone: no QEMU that vm/run started for this test (vm.qemu.pid) is
# still running. A pid is ours only while its command line serves $RES: a
# reused pid, or another lab's QEMU, is not.
check_qemu_gone() {
	local p i res
	res=$(realpath "$RES")
	ours() { cat "/proc/$1/cmdline" 2>/dev/null | tr '\0' ' ' | grep -qF "path=$res,"; }
	[ -s "$RES/vm.qemu.pid" ] || fail "vm/run recorded no QEMU pid (vm.qemu.pid)"
	while read -r p; do
		[[ $p =~ ^[0-9]+$ ]] || fail "vm/run could not tell the QEMU pid it started ($p)"
		# vm/run's exit kills QEMU (TERM, then KILL after 1 s): let that land
		for i in $(seq 20); do
			ours "$p" || break
			sleep 0.1
		done
		! ours "$p" || fail "QEMU pid $p (started for $RES) left running"
	done < "$RES/vm.qemu.pid"
}

# check_nothing_left: after a guest run, no QEMU of it runs and the guest kept
# no cgroup (vm.cgroups: its cgroup directories once the command ended) that a
# run recorded in a meta.json under $RES, at any depth, nor one named
# *stallbench*.
check_nothing_left() {
	local p left metas rec=
	check_qemu_gone
	[ -f "$RES/vm.cgroups" ] || fail "no vm.cgroups came back (the guest's cgroups after the command)"
	metas=$(find "$RES" -name meta.json 2>/dev/null)
	if [ -n "$metas" ]; then
		rec=$(printf '%s\n' "$metas" | xargs -d '\n' "$TOP/tests/recorded-cgroups") ||
			fail "cannot read the cgroups recorded in $metas"
	fi
	left=$( { while read -r p; do
			[ -n "$p" ] && grep -xF "$p" "$RES/vm.cgroups"
		done <<< "$rec"; grep -e stallbench -e /sb-driver- "$RES/vm.cgroups"; } | sort -u | head -n 5 | tr '\n' ' ')
	[ -z "$left" ] || fail "cgroups left behind in the guest: $left"
}

# val FILE KEY: the value of KEY=... in FILE (last occurrence)
val() { sed -n "s/^$2=//p" "$1" | tail -n1; }

# check_module_cycle WHAT SIZE: after a guest script that ran
#   $C alloc SIZE nofail,account > $R/alloc.out; echo alloc_rc=$?
# the module (WHAT: which build) loaded, the NOFAIL allocation succeeded and
# did not return NULL, rmmod worked, and the kernel logged no warning (taint
# W), the module no FINDING (NULL despite NOFAIL) and the kernel no BUG.
# Sets TAINT.
check_module_cycle() {
	[ "$VMRC" -eq 0 ] || fail "guest command exit $VMRC"
	[ "$(cat "$RES/vm.insmod" 2>/dev/null)" = 0 ] || fail "insmod of $1 failed"
	[ "$(val "$RES/vm.out" alloc_rc)" = 0 ] || fail "$2 NOFAIL allocation failed"
	[ "$(val "$RES/alloc.out" null)" = 0 ] || fail "NOFAIL returned NULL"
	[ "$(cat "$RES/vm.rmmod" 2>/dev/null)" = 0 ] || fail "rmmod failed"
	TAINT=$(cat "$RES/vm.tainted")
	[ $((TAINT & 512)) -eq 0 ] || fail "kernel warning (taint W) during the test: see $RES/vm.dmesg"
	! grep -q 'nofail_vmalloc: FINDING' "$RES/vm.dmesg" || fail "module reported a FINDING (NULL despite NOFAIL)"
	! grep -q 'BUG:' "$RES/vm.dmesg" || fail "kernel BUG in the guest: see $RES/vm.dmesg"
}
