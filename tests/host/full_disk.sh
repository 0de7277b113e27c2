#!/usr/bin/env bash
# A full disk is a reported failure, never a quiet success. A truncate storm
# (small files, ~60k ops/s) writes its results (--out) on a 3 MB tmpfs (its files elsewhere): the run
# ends with exit 1 and one line on stderr naming ops.csv and ENOSPC; meta.json
# says status incomplete and holds the file and the error; summary.json is
# there; `report` refuses the result and `report --allow-incomplete` reads it;
# `compare --allow-incomplete` reads the rows that were written, every
# complete one. The same with --compress zstd (ops.csv.zst) on a 512 KB tmpfs:
# the rows before the error decode (the reader and zstdcat). No cgroup left.
set -u
. "$(dirname "$0")/lib.sh"
need_root
command -v python3 >/dev/null || skip "python3 not installed"
mkdir -p "$TMP/storm"
MNT=()
trap 'for m in "${MNT[@]}"; do umount "$m" 2>/dev/null; done; rm -rf "$TMP"' EXIT

fill() {	# name size compress
	local d=$TMP/$1 rc
	mkdir -p "$d"
	mount -t tmpfs -o "size=$2" stallbench-full "$d" 2>"$TMP/merr" ||
		skip "cannot mount a tmpfs: $(cat "$TMP/merr")"
	MNT+=("$d")
	timeout 120 "$SB" run --workload truncate-storm --file-size 8K --block 4K --live 16M \
		--dir "$TMP/storm" --duration 30s \
		--compress "$3" --no-capture --out "$d/r" 2>"$TMP/$1.err"
	rc=$?
	[[ $rc -eq 1 ]] || fail "$1: exit $rc on a full disk, want 1: $(cat "$TMP/$1.err")"
	[[ $(wc -l < "$TMP/$1.err") -eq 1 ]] || fail "$1: want one line on stderr, got: $(cat "$TMP/$1.err")"
	grep -q "/ops.csv.*No space left on device" "$TMP/$1.err" ||
		fail "$1: stderr does not name ops.csv and ENOSPC: $(cat "$TMP/$1.err")"
	no_stale_cgroups
}

check() {	# name csvfile
	local d=$TMP/$1/r
	python3 - "$d" "$2" <<'PY' || exit 1
import json, sys
d, f = sys.argv[1], sys.argv[2]
m = json.load(open(d + "/meta.json"))
def check(c, msg):
    if not c:
        print("FAIL:", msg); sys.exit(1)
check(m["status"] == "incomplete", "meta status %s" % m["status"])
e = m.get("error") or {}
check(e.get("file") == f and e.get("errno") == "ENOSPC", "meta error %s" % e)
check(e.get("ops_rows_before", 0) > 0, "no rows before the error: %s" % e)
s = json.load(open(d + "/summary.json"))
check(s["status"] == "incomplete", "summary status %s" % s["status"])
PY
	"$SB" report "$d" >/dev/null 2>&1 && fail "$1: report took an incomplete result"
	"$SB" report --allow-incomplete "$d" > "$TMP/$1.report" || fail "$1: report --allow-incomplete"
	grep -q 'status incomplete' "$TMP/$1.report" || fail "$1: report does not say incomplete"
	"$SB" compare --allow-incomplete "$d" "$d" --json > "$TMP/$1.json" 2>"$TMP/$1.cerr" ||
		fail "$1: compare --allow-incomplete: $(cat "$TMP/$1.cerr")"
}

# rows the reader sees = complete lines of the file (the last may be cut)
ops_seen() {
	python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))
print(sum(o["runs"][0]["count"] for o in m["ops"]))' "$1"
}

fill plain 3m none
check plain ops.csv
rows=$(( $(tr -cd '\n' < "$TMP/plain/r/ops.csv" | wc -c) - 1 ))
seen=$(ops_seen "$TMP/plain.json") || fail "plain: compare JSON"
[[ $rows -gt 1000 && $seen -eq $rows ]] || fail "plain: ops.csv has $rows complete rows, the reader saw $seen"
echo "plain: $rows rows readable after ENOSPC; $(cat "$TMP/plain.err")"

command -v zstdcat >/dev/null || skip "zstd not installed (the plain case passed)"
fill zstd 512k zstd
check zstd ops.csv.zst
[[ ! -e $TMP/zstd/r/ops.csv ]] || fail "zstd: a plain ops.csv next to ops.csv.zst"
rows=$(( $(zstdcat "$TMP/zstd/r/ops.csv.zst" 2>/dev/null | tr -cd '\n' | wc -c) - 1 ))
seen=$(ops_seen "$TMP/zstd.json") || fail "zstd: compare JSON"
[[ $rows -gt 1000 && $seen -eq $rows ]] || fail "zstd: zstdcat decodes $rows rows, the reader saw $seen"
echo "zstd: $rows rows readable after ENOSPC; $(cat "$TMP/zstd.err")"
echo "full_disk: ok"
