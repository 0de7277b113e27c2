#!/bin/bash
# Issue 12: the module on a machine someone cares about. In a 3G guest (RAM
# known), with the module loaded as max_bytes=32M max_total_bytes=64M
# max_areas=8 max_hold_ns=2s, tests/vm/ioctl_fuzz.c checks:
#   limits    each limit refuses with its errno (E2BIG above max_bytes and,
#             even with force, above RAM and kvmalloc_node's INT_MAX; EPERM
#             NOFAIL without ACCOUNT unless force; EOPNOTSUPP NORETRY with
#             kvmalloc_node; ERANGE hold_ns; ENOSPC max_areas; EDQUOT the
#             budget), and 4 processes keeping 4M areas all stop with EDQUOT
#             at exactly 64M while the guest faults in 256M
#   unpriv    a passed fd does nothing for an unprivileged holder (lseek and
#             pread too), a read-only fd cannot ALLOC/FREE
#   big       force=1, budget RAM/2: sizes 2M..2x RAM and the INT_MAX guard,
#             random flags/entries/KEEP, every result against a model of the
#             limits; some kvmalloc areas huge-mapped
#   race      a closer (and a SIGKILL) racing a multi-second NOFAIL call
#   pressure  from inside a 64M memcg: MAYFAIL NULLs with defined out fields,
#             NOFAIL 8M past the cap completes
#   rmmod     refused while an fd is open
#   wrap      reloaded with log_records=64: the ring wraps correctly
# Every ALLOC that reached the allocator has all its output fields checked
# against its log record. No FINDING (NULL under NOFAIL), no BUG/WARNING/Oops,
# no D/W taint, rmmod works at the end.
# usage: tests/vm/limits.sh [KERNEL]   (default 6.12; SB_FUZZ_SEED;
#   SB_LIMITS_KMOD=FILE loads a prebuilt module instead, e.g. one with a
#   limit removed to see this test go red; SB_LIMITS_ONLY="limits unpriv"
#   runs only those steps)
set -- "${1:-6.12}"
. "$(dirname "$0")/lib.sh"
SEED=${SB_FUZZ_SEED:-$(date +%s)}
gcc -O2 -Wall -pthread -I"$TOP/workloads/kmod" -o "$RES/ioctl_fuzz" "$TOP/tests/vm/ioctl_fuzz.c" ||
	fail "cannot build ioctl_fuzz"
STEPS=${SB_LIMITS_ONLY:-limits unpriv big race pressure rmmod wrap}
{
	echo 'F=$1/ioctl_fuzz'
	for k in $STEPS; do
		case $k in
		big) echo "\$F big 40 $SEED; echo big_rc=\$?" ;;
		rmmod) cat <<'G' ;;
exec 3</dev/nofail_vmalloc
rmmod nofail_vmalloc 2>/dev/null; echo rmmod_open_rc=$?
exec 3<&-
G
		wrap) cat <<'G' ;;
rmmod nofail_vmalloc && insmod "$SB_KMOD" log_records=64; echo reload_rc=$?
$F wrap; echo wrap_rc=$?
G
		*) echo "\$F $k; echo ${k}_rc=\$?" ;;
		esac
	done
} > "$RES/guest.sh"
echo "limits [$KERNEL]: seed $SEED"
run_guest 600 --mem 3G ${SB_LIMITS_KMOD:+--kmod "$SB_LIMITS_KMOD"} --module-param "max_bytes=33554432 max_total_bytes=67108864 max_areas=8 max_hold_ns=2000000000"
O=$RES/vm.out
cat "$O"
[ "$VMRC" -eq 0 ] || fail "guest script exit $VMRC"
[ "$(cat "$RES/vm.insmod" 2>/dev/null)" = 0 ] || fail "insmod failed (module: ${SB_LIMITS_KMOD:-built from the tree})"
# Any FAIL line fails the test, whichever process printed it: a fuzzer
# child killed after its call (the OOM killer in the pressure step) cannot
# pass its failures on through its exit status, only through its lines.
if grep '^FAIL' "$O" >&2; then
	fail "the fuzzer's FAIL lines above (seed $SEED)"
fi
for k in $STEPS; do
	case $k in
	rmmod) [ "$(val "$O" rmmod_open_rc)" = 1 ] || fail "rmmod succeeded while an fd was open" ;;
	wrap) [ "$(val "$O" reload_rc)" = 0 ] || fail "could not reload the module with log_records=64"
	      [ "$(val "$O" wrap_rc)" = 0 ] || fail "wrap failed" ;;
	*) [ "$(val "$O" ${k}_rc)" = 0 ] || fail "$k failed (seed $SEED)" ;;
	esac
done
[ "$(cat "$RES/vm.rmmod" 2>/dev/null)" = 0 ] || fail "rmmod nofail_vmalloc failed at the end"
grep -q 'nofail_vmalloc: FINDING' "$RES/vm.dmesg" && fail "the module found NULL under NOFAIL: $(grep FINDING "$RES/vm.dmesg")"
if grep -E -e 'Oops|WARNING:|BUG:|KASAN|list_del corruption|list_add corruption|general protection|refcount_t:|Unable to handle' \
	"$RES/vm.dmesg" >&2; then
	fail "kernel log has the lines above (seed $SEED)"
fi
t=$(cat "$RES/vm.tainted" 2>/dev/null)
[ -n "$t" ] && [ $((t & (128 | 512))) -eq 0 ] || fail "kernel tainted $t (D or W: an oops or a warning)"
pass "$(grep -c '^PASS' "$O") checks; $(sed -n 's/^budget: //p' "$O"); $(sed -n 's/^usable: //p' "$O"); $(sed -n 's/^big: \([0-9]* requests.*\)/\1/p' "$O"); seed $SEED"
