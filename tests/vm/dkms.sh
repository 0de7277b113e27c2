#!/bin/bash
# DKMS: workloads/kmod/dkms.conf builds the module for a kernel (as
# `dkms install` does for every installed kernel on a lab box), and that very
# .ko loads in that kernel and serves a NOFAIL allocation. DKMS runs in a
# private tree (--dkmstree/--sourcetree): nothing is added to the machine's.
. "$(dirname "$0")/lib.sh"
command -v dkms >/dev/null || skip "dkms not installed (apt-get install dkms)"
KC=$("$TOP/vm/fetch-kernel" "$KERNEL") || fail "cannot fetch the pinned kernel $KERNEL"
REL=$(basename "$KC")
[ -f "$KC/build/Makefile" ] || skip "no build tree for $REL in the kernel cache"
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$TOP/workloads/kmod/dkms.conf")
name=$(sed -n 's/^PACKAGE_NAME="\(.*\)"/\1/p' "$TOP/workloads/kmod/dkms.conf")
[ -n "$ver" ] && [ -n "$name" ] || fail "dkms.conf lacks PACKAGE_NAME/PACKAGE_VERSION"
D=$RES/dkms
mkdir -p "$D/src/$name-$ver" "$D/tree"
# What a packager ships in /usr/src/<name>-<version>: the kmod folder as is.
cp "$TOP"/workloads/kmod/* "$D/src/$name-$ver/"
dk=(--sourcetree "$D/src" --dkmstree "$D/tree" -m "$name" -v "$ver")
dkms add "${dk[@]}" > "$D/add.log" 2>&1 || fail "dkms add: $(tail -n 3 "$D/add.log")"
dkms build "${dk[@]}" -k "$REL" --kernelsourcedir "$KC/build" > "$D/build.log" 2>&1 ||
	fail "dkms build for $REL: $(tail -n 5 "$D/build.log")"
ko=$(find "$D/tree/$name/$ver/$REL" -name "$name.ko*" | head -n1)
[ -n "$ko" ] || fail "dkms build left no $name.ko (log: $D/build.log)"
case $ko in *.xz) xz -dk "$ko" && ko=${ko%.xz} ;; *.zst) zstd -qd "$ko" && ko=${ko%.zst} ;; esac
cat > "$RES/guest.sh" <<'G'
$1/nofail_client info
$1/nofail_client alloc 4M nofail,account > $1/alloc.out; echo alloc_rc=$?
G
run_guest 240 --kmod "$ko"
grep -q "module: $ko (prebuilt)" "$RES/host.out" || fail "vm/run did not load the DKMS build"
check_module_cycle "the DKMS-built module" 4M
pass "dkms $(dkms --version | sed 's/dkms-//') built $name $ver for $REL; it loads and allocates"
