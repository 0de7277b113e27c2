#!/bin/bash
# vm/run --disk gives the guest a fresh ext4 on virtio-blk at /mnt/disk; a
# small write + ftruncate storm on it leaves every file at the size cut to.
. "$(dirname "$0")/lib.sh"
cat > "$RES/guest.sh" <<'G'
echo fstype=$(findmnt -n -o FSTYPE /mnt/disk)
bad=0
for i in $(seq 1 30); do
	f=/mnt/disk/f$i
	dd if=/dev/zero of=$f bs=1M count=1 status=none
	truncate -s $((i * 4096)) $f
	[ "$(stat -c %s $f)" = $((i * 4096)) ] || bad=$((bad + 1))
done
sync
echo mismatches=$bad
G
run_guest 240 --disk 256M
[ "$VMRC" -eq 0 ] || fail "guest command exit $VMRC"
[ "$(val "$RES/vm.out" fstype)" = ext4 ] || fail "/mnt/disk is '$(val "$RES/vm.out" fstype)', want ext4"
[ "$(val "$RES/vm.out" mismatches)" = 0 ] || fail "$(val "$RES/vm.out" mismatches) size mismatches"
pass "ext4 on /dev/vda, 30 write+ftruncate, 0 mismatches"
