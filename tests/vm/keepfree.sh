#!/bin/bash
# Areas kept through a file are freed when it is closed and when its owner
# is SIGKILLed: VmallocUsed comes back (10% + 4 MiB tolerance), INFO shows 0 kept.
. "$(dirname "$0")/lib.sh"
cat > "$RES/guest.sh" <<'G'
exec "$1/nofail_client" keepfree 32M 4
G
run_guest 240
cat "$RES/vm.out" | grep -e PASS -e FAIL
[ "$VMRC" -eq 0 ] || fail "not everything was freed"
pass "close and SIGKILL both free 4 x 32M"
