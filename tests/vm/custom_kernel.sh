#!/bin/bash
# The self-built kernel path: `vm/run --kernel BZIMAGE --kdir BUILD --modroot
# DIR`, as a developer runs a kernel they compiled. Stands in a Debian 6.12
# image, its headers tree and its module tree for "their" build (this machine
# cannot build a kernel inside CI's budget): the release comes from the
# bzImage's setup header, the 9p initramfs from MODROOT, the module is built
# against KDIR, loads, allocates and unloads.
. "$(dirname "$0")/lib.sh"
KC=$("$TOP/vm/fetch-kernel" "$KERNEL") || fail "cannot fetch the pinned kernel $KERNEL"
for f in "$KC/vmlinuz" "$KC/build/Makefile" "$KC/root/lib/modules"; do
	[ -e "$f" ] || skip "$f missing in the kernel cache"
done
cat > "$RES/guest.sh" <<'G'
C=$1/nofail_client
$C info
$C alloc 4M nofail,account > $1/alloc.out; echo alloc_rc=$?
G
run_guest 240 --kernel "$KC/vmlinuz" --kdir "$KC/build" --modroot "$KC/root"
grep -qF "kernel $(basename "$KC") ($(realpath "$KC/vmlinuz")" "$RES/host.out" ||
	fail "release not read from the bzImage's header: $(grep 'vm/run: kernel' "$RES/host.out")"
check_module_cycle "the module built against --kdir" 4M
[ "$(cat "$RES/vm.uname")" = "$(basename "$KC")" ] || fail "guest runs $(cat "$RES/vm.uname")"
pass "bzImage $(basename "$KC"), module from --kdir, 9p modules from --modroot"
