#!/bin/bash
# Invalid ioctl inputs get EINVAL/E2BIG/ENOTTY/ENOENT, unprivileged callers EPERM.
. "$(dirname "$0")/lib.sh"
cat > "$RES/guest.sh" <<'G'
exec "$1/nofail_client" bad
G
run_guest 240
grep '^FAIL' "$RES/vm.out" >&2
[ "$VMRC" -eq 0 ] || fail "$(grep -c '^FAIL' "$RES/vm.out") checks failed"
pass "$(grep -c '^PASS' "$RES/vm.out") checks"
