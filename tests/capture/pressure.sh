#!/bin/sh
# Page-cache pressure inside a memory cgroup: pressure.sh CGROUP_DIR WORKDIR [ROUNDS]
# Enters the cgroup, then writes a 256M file ROUNDS times (each round one dd,
# whose pid is appended to WORKDIR/pids: dd is exec'd, so pid == tid).
set -eu
cg=$1 dir=$2 rounds=${3:-2}
echo $$ > "$cg/cgroup.procs"
i=0
while [ "$i" -lt "$rounds" ]; do
	sh -c 'echo $$ >> "$1/pids"; exec dd if=/dev/zero of="$1/file" bs=1M count=256 status=none' sh "$dir"
	i=$((i + 1))
done
rm -f "$dir/file"
