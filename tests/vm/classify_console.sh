#!/bin/bash
# vm/classify-console on saved console logs (offline, no QEMU): a guest Oops
# with nofail_vmalloc frames is the module's (a failure), one without them is
# the lab's (vm/run retries it once), an OOM report's stack is no crash, and
# the "Modules linked in:" line (naming the module in every trace) is no frame.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
CL=$HERE/../../vm/classify-console
FX=$HERE/fixtures
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL classify_console: $*" >&2; exit 1; }
want() {	# verdict log
	local got
	got=$("$CL" -o "$TMP/trace" "$2") || fail "$2: exit $?"
	[ "$got" = "$1" ] || fail "$(basename "$2"): '$got', want '$1'"
}
want lab "$FX/console-oops-lab-int3.log"
grep -q '^\[ *[0-9.]*\] Oops: int3: 0000 \[#1\]' "$TMP/trace" || fail "lab trace lacks the Oops line"
grep -q '__kmalloc_noprof' "$TMP/trace" || fail "lab trace lacks the faulting frame"
grep -q 'end Kernel panic' "$TMP/trace" || fail "lab trace lacks the panic"
want module "$FX/console-oops-module.log"
grep -q 'nfvm_ioctl+.*\[nofail_vmalloc\]' "$TMP/trace" || fail "module trace lacks the module's frames"
want none "$FX/console-oom-report.log"
[ ! -s "$TMP/trace" ] || fail "no crash, yet a trace was written: $(head -n 2 "$TMP/trace")"
# The same int3 Oops with one module frame on its stack is the module's.
sed '/p9_client_walk+/a [    6.416900]  nfvm_call+0x63/0xa0 [nofail_vmalloc]' \
	"$FX/console-oops-lab-int3.log" > "$TMP/int3-module.log"
want module "$TMP/int3-module.log"
# A WARN or BUG at one of the module's source lines (its files are nfvm_*.c)
# is the module's even where no frame says [nofail_vmalloc]; one at the
# kernel's mm/vmalloc.c is not.
sed '/p9_client_walk+/a [    6.416900] WARNING: CPU: 0 PID: 97 at /tmp/kmod/nfvm_alloc.c:250 0xffffffffc0a01234' \
	"$FX/console-oops-lab-int3.log" > "$TMP/int3-warn.log"
want module "$TMP/int3-warn.log"
sed '/p9_client_walk+/a [    6.416900] WARNING: CPU: 0 PID: 97 at mm/vmalloc.c:250 __vmalloc_node_range+0x1/0x2' \
	"$FX/console-oops-lab-int3.log" > "$TMP/int3-warn.log"
want lab "$TMP/int3-warn.log"
# Only the int3 signature is the lab's: the module's Oops with its frames
# taken out (a BUG/GPF found by the kernel alone, e.g. a corruption the
# module left for another task) is "kernel", and so is an OOM panic.
grep -v '\[nofail_vmalloc\]\|\(nofail_vmalloc\|nfvm_[a-z_]*\)\.[ch]:\|^\[ *[0-9.]*\] nofail_vmalloc: ' "$FX/console-oops-module.log" > "$TMP/kernel.log"
want kernel "$TMP/kernel.log"
{ sed -n 1,4p "$FX/console-oom-report.log"; echo "[   99.000000] Kernel panic - not syncing: System is deadlocked on memory"; } > "$TMP/oom-panic.log"
want kernel "$TMP/oom-panic.log"
# an int3 that is not the first crash (a later one, after a GPF) is no lab flake
{ sed -n '/BUG: unable/,/---\[ end/p' "$TMP/kernel.log"; grep -v 'Linux version\|Command line' "$FX/console-oops-lab-int3.log"; } > "$TMP/gpf-int3.log"
grep -q -- '---\[ end' "$TMP/gpf-int3.log" && grep -q 'int3: 0000' "$TMP/gpf-int3.log" || fail "cannot build the two-crash console"
want kernel "$TMP/gpf-int3.log"
# guest-init's own exit 0 at the end (its poweroff not yet taken) is no crash
{ sed -n 1,4p "$FX/console-oom-report.log"; echo "[   29.337335] Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000000"; } > "$TMP/init-exit.log"
want none "$TMP/init-exit.log"
{ sed -n 1,4p "$FX/console-oom-report.log"; echo "[   29.337335] Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000009"; } > "$TMP/init-killed.log"
want kernel "$TMP/init-killed.log"
# A clean boot (the crash lines dropped) is none; CRLF consoles read the same.
grep -v -e 'Oops' -e 'panic' "$FX/console-oops-lab-int3.log" | sed -n 1,4p > "$TMP/clean.log"
want none "$TMP/clean.log"
sed 's/$/\r/' "$FX/console-oops-lab-int3.log" > "$TMP/crlf.log"
want lab "$TMP/crlf.log"
"$CL" "$TMP/nonexistent" > /dev/null 2>&1
[ $? -eq 2 ] || fail "an unreadable log is not exit 2"
echo "PASS classify_console: lab (int3 only), module, kernel (no frames, OOM panic, int3 after another crash), none, clean, CRLF"
