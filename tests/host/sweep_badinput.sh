#!/usr/bin/env bash
# The scripts refuse what stallbench refuses, before anything is created:
# sizes and durations go through `stallbench parse` (one grammar: 128MiB and
# 1.5G are sizes in run.sh as in the tool), bad ones exit 2 with one line
# naming the value; vm/sweep refuses bad sweep options and a kernel that
# cannot be had before it boots anything or creates its --out folder.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
SB=${SB:-$TOP/build/stallbench}
[ -x "$SB" ] || { echo "SKIP: no stallbench binary"; exit 4; }
fail() { echo "FAIL: $*"; exit 1; }
T=$(mktemp -d /var/tmp/sbbad.XXXXXX)
trap 'rm -rf "$T"' EXIT

[ "$("$SB" parse size 128MiB 1.5G 4096)" = "$(printf '134217728\n1610612736\n4096')" ] ||
	fail "stallbench parse size"
"$TOP/run.sh" check --caps 128MiB,1.5G --nofail-sizes 40M --duration 500ms ||
	fail "run.sh refuses sizes stallbench takes"
bad() {	# what needle cmd...
	local what=$1 needle=$2 rc
	shift 2
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc -eq 2 ] || fail "$what: exit $rc, want 2: $(cat "$T/err")"
	[ "$(wc -l <"$T/err")" -eq 1 ] || fail "$what: not one line: $(cat "$T/err")"
	grep -qF -- "$needle" "$T/err" || fail "$what: '$(cat "$T/err")' lacks '$needle'"
	echo "ok: $what: $(cat "$T/err")"
}
bad "run.sh size" "size '10XB'" "$TOP/run.sh" check --caps 10XB
bad "run.sh duration" "duration '5x'" "$TOP/run.sh" check --duration 5x
bad "run.sh NOFAIL size" "size '1.2.3M'" "$TOP/run.sh" check --nofail-sizes 1.2.3M
bad "vm/sweep bad size" "size '10XB'" "$TOP/vm/sweep" --kernel 6.1 --caps 10XB --out "$T/cmp1"
[ ! -e "$T/cmp1" ] || fail "vm/sweep created its --out folder for a bad size"
if apt-cache policy >/dev/null 2>&1; then
	bad "vm/sweep unknown kernel" "--kernel 5.99-nope: cannot have it" \
		"$TOP/vm/sweep" --kernel 5.99-nope --out "$T/cmp2"
	[ ! -e "$T/cmp2" ] || fail "vm/sweep created its --out folder for an unknown kernel"
fi
# --hosts and bisect: refused before a host is reached or a kernel boots
echo "root@nohost.invalid" >"$T/hosts.txt"
bad "--hosts unreadable" "cannot read it" "$TOP/bench/lab/hosts.sh" --hosts "$T/none.txt"
bad "--hosts bad size" "size '10XB'" "$TOP/bench/lab/hosts.sh" --hosts "$T/hosts.txt" --caps 10XB --out "$T/h1"
[ ! -e "$T/h1" ] || fail "--hosts created its --out folder for a bad size"
printf '# nothing\n\n' >"$T/empty.txt"
bad "--hosts empty file" "no ssh login" "$TOP/bench/lab/hosts.sh" --hosts "$T/empty.txt"
bad "--hosts --resume of nothing" "no earlier --hosts run" "$TOP/bench/lab/hosts.sh" --hosts "$T/hosts.txt" --resume "$T"
bad "bisect without --point" "--point NAME" "$TOP/vm/bisect" --good 6.1 --bad 6.12 --out "$T/b1"
bad "bisect unknown point" "--only nope: not a point" "$TOP/vm/bisect" --good 6.1 --bad 6.12 --point nope --out "$T/b2"
if apt-cache policy >/dev/null 2>&1; then
	bad "bisect unknown kernel" "--bad 5.99-nope: no linux-image" "$TOP/vm/bisect" --good 6.1 \
		--bad 5.99-nope --point nofail-cap32M-40M-nofail_account --workloads vmalloc-nofail --out "$T/b3"
fi
[ ! -e "$T/b1" ] && [ ! -e "$T/b2" ] && [ ! -e "$T/b3" ] || fail "bisect created its --out folder on bad input"
"$TOP/vm/bisect-run" --point x >/dev/null 2>&1; rc=$?
[ $rc -eq 128 ] || fail "bisect-run on bad usage: exit $rc (want 128: git bisect run stops)"

# every command answers `stallbench help CMD` as CMD --help; --format json
cmds=$("$SB" --help | sed -n '/^commands:/,/^$/{s/^  \([a-z][a-z]*\) .*/\1/p}')
[[ $cmds == *doctor* ]] || fail "no command table in stallbench --help"
for c in $cmds; do
	"$SB" help $c >"$T/h1" 2>&1 || fail "help $c: exit $?"
	"$SB" $c --help >"$T/h2" 2>&1 || fail "$c --help: exit $?"
	cmp -s "$T/h1" "$T/h2" || fail "help $c and $c --help differ"
	grep -q "usage: stallbench $c" "$T/h1" || fail "help $c: no usage line"
done
bad "help of no command" "unknown command" "$SB" help nosuch
"$SB" doctor --format json >"$T/doc.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["lines"] and "can_run" in d' \
	"$T/doc.json" || fail "doctor --format json is not the JSON object"
echo PASS
