#!/bin/bash
# A lab host whose kernel loads modules, played by a lab guest (Debian 6.1,
# booted without the lab's own module): ./run.sh there builds nofail_vmalloc
# against that kernel's headers (SB_KDIR: the cached build tree stands in
# for /lib/modules/<release>/build, which the guest's shared root lacks),
# loads it, runs the NOFAIL point natively (no nested lab) and unloads it
# after; run again without headers, it says which package to install.
# Asserts: the module built and loaded for the sweep, the point complete on
# the guest's kernel, the module gone from /proc/modules after, the
# headers message naming linux-headers-<release>.
# usage: tests/vm/native_module.sh [KERNEL]
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
K=${1:-6.1}
skip() { echo "SKIP native_module: $*" >&2; exit 4; }
[ "$(id -u)" = 0 ] || skip "needs root"
command -v qemu-system-x86_64 >/dev/null || skip "no qemu-system-x86"
[ -x "$TOP/build/stallbench" ] || skip "build/stallbench not built"
export STALLBENCH_KERNELS_LOCK=${STALLBENCH_KERNELS_LOCK:-$TOP/tests/kernels.lock}
OUT=$(mktemp -d /var/tmp/sbnative.XXXXXX)
fail() { echo "FAIL native_module: $*" >&2; echo "(kept $OUT)" >&2; exit 1; }
KC=$("$TOP/vm/fetch-kernel" "$K") || fail "cannot fetch the pinned kernel $K"
REL=$(basename "$KC")
[ -e "$KC/build/Makefile" ] || fail "$REL has no headers in the cache (vm/fetch-kernel)"
t0=$(date +%s)
# the tool as a host's checkout would hold it (the guest's /work is read-only)
T=$OUT/tool
mkdir -p "$T/build" "$T/bench/sweeps" "$T/bench/lab" "$T/workloads/kmod" "$T/.ci"
cp "$TOP/run.sh" "$T/" && cp "$TOP/build/stallbench" "$T/build/" && cp "$TOP/bench/lab/letter.sh" "$T/bench/lab/" &&
	cp "$TOP"/bench/sweeps/*.conf "$T/bench/sweeps/" &&
	cp "$TOP"/workloads/kmod/* "$T/workloads/kmod/" && cp "$TOP/.ci/packages" "$T/.ci/" || fail "copy"
cat >"$OUT/guest.sh" <<EOF
#!/bin/bash
common="SB_NO_BUILD=1 SWEEP_ID=sweep SWEEP_NO_PLOTS=1 SWEEP_NO_LIVE=1 SWEEP_STORM_DIR=/mnt/disk"
env \$common SB_KDIR=$KC/build RESULTS_ROOT=$OUT/r1 $T/run.sh --workloads vmalloc-nofail \
	--nofail-sizes 36M --nofail-cap 32M --nofail-flags nofail,account >$OUT/run1.out 2>$OUT/run1.err
echo \$? >$OUT/run1.rc
cat /proc/modules >$OUT/modules.after
env \$common SB_KDIR=/nonexistent RESULTS_ROOT=$OUT/r2 $T/run.sh --workloads truncate-storm \
	--caps 64M --mixes ftruncate=1 --duration 1s >$OUT/run2.out 2>$OUT/run2.err
echo \$? >$OUT/run2.rc
EOF
chmod +x "$OUT/guest.sh"
"$TOP/vm/run" --kernel "$K" --no-kmod --results "$OUT" --disk 1G --timeout 500 -- "$OUT/guest.sh" \
	>"$OUT/vm.log" 2>&1 || fail "vm/run exit $?: $(tail -3 "$OUT/vm.log")"
[ "$(cat "$OUT/run1.rc" 2>/dev/null)" = 0 ] || fail "run.sh with headers: exit $(cat "$OUT/run1.rc" 2>&1): $(tail -5 "$OUT/run1.err")"
grep -q "building nofail_vmalloc against $KC/build" "$OUT/run1.err" || fail "the module was not built: $(head -5 "$OUT/run1.err")"
grep -q "loaded .*nofail_vmalloc.ko ($REL) for the sweep" "$OUT/run1.err" || fail "not loaded: $(head -5 "$OUT/run1.err")"
grep -q "unloaded nofail_vmalloc" "$OUT/run1.err" || fail "not unloaded"
grep -q "^nofail_vmalloc " "$OUT/modules.after" && fail "nofail_vmalloc still in /proc/modules after the sweep"
grep -q "VM lab" "$OUT/run1.err" && fail "the NOFAIL points went to a (nested) lab"
python3 - "$OUT/r1" "$REL" <<'PY' || fail "the NOFAIL point did not run natively"
import glob, json, sys
m = glob.glob(sys.argv[1] + "/*/sweep/nofail-cap32M-36M-nofail_account-r1/meta.json")
if len(m) != 1: print("results:", m); sys.exit(1)
j = json.load(open(m[0]))
print("native NOFAIL point on", j["kernel"]["release"], j["status"])
sys.exit(0 if j["status"] == "complete" and j["kernel"]["release"] == sys.argv[2] else 1)
PY
grep -q "no kernel headers for $REL: apt-get install linux-headers-$REL" "$OUT/run2.err" ||
	fail "no headers: not said: $(head -3 "$OUT/run2.err")"
[ "$(cat "$OUT/run2.rc")" = 0 ] || fail "run.sh without headers: exit $(cat "$OUT/run2.rc")"
echo "PASS native_module: $REL built, loaded, NOFAIL point native, unloaded; headers named; $(( $(date +%s) - t0 ))s"
rm -rf "$OUT"
