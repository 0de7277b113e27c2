#!/usr/bin/env bash
# Bad command lines and config files: each gets one clear line on stderr and
# exit 2 (4 where it cannot run here), writes nothing, leaves nothing behind.
set -u
. "$(dirname "$0")/lib.sh"
OUT=$TMP/out
tried=0
check() {	# expected-exit args...
	local want=$1; shift
	local err rc
	err=$("$SB" "$@" 2>&1 >/dev/null); rc=$?
	LAST_ERR=$err
	tried=$((tried + 1))
	[[ $rc -eq $want ]] || fail "'$*': exit $rc, wanted $want (stderr: $err)"
	[[ $(printf '%s\n' "$err" | wc -l) -eq 1 && -n $err ]] || fail "'$*': wanted one line on stderr, got: $err"
	[[ ! -e $OUT ]] || fail "'$*': wrote $OUT"
}
# checkm PATTERN args...: exit 2, and the one line says which refusal it was
checkm() {
	local pat=$1; shift
	check 2 "$@"
	[[ $LAST_ERR == *"$pat"* ]] || fail "'$*': wanted '$pat' in: $LAST_ERR"
}
W=(--workload truncate-storm)
check 2
check 2 frobnicate
check 2 run
check 2 run --workload
check 2 run --workload nosuch --out "$OUT"
check 2 run "${W[@]}" --cap 10XB --out "$OUT"
check 2 run "${W[@]}" --cap -5M --out "$OUT"
check 2 run "${W[@]}" --cap 1.5 --out "$OUT"
check 2 run "${W[@]}" --cap 99999999999999T --out "$OUT"
check 2 run "${W[@]}" --cap 1K --out "$OUT"
check 2 run "${W[@]}" --cap 0 --out "$OUT"
check 2 run --workload truncate-storm --dir /nonexistent-sb --out "$OUT"
check 2 run --workload truncate-storm --dir /etc/passwd --out "$OUT"
check 2 run --workload memhog --mode file --hog-dir /nonexistent-sb --out "$OUT"
check 2 run "${W[@]}" --cap 100T --out "$OUT"
check 2 run "${W[@]}" --cap "" --out "$OUT"
check 2 run "${W[@]}" --duration 10parsecs --out "$OUT"
check 2 run "${W[@]}" --duration -1s --out "$OUT"
check 2 run "${W[@]}" --duration 0 --out "$OUT"
check 2 run "${W[@]}" --duration 48h --out "$OUT"
check 2 run "${W[@]}" --workers 0 --out "$OUT"
check 2 run "${W[@]}" --workers 100000 --out "$OUT"
check 2 run "${W[@]}" --workers two --out "$OUT"
check 2 run "${W[@]}" --node 9 --out "$OUT"
check 2 run "${W[@]}" --node -1 --out "$OUT"
check 2 run "${W[@]}" --bogus 1 --out "$OUT"
check 2 run --file-size 4M "${W[@]}" --out "$OUT"
check 2 run "${W[@]}" --file-size 1000 --out "$OUT"
check 2 run "${W[@]}" --mix chop=1 --out "$OUT"
check 2 run "${W[@]}" --mix ftruncate=0 --out "$OUT"
check 2 run "${W[@]}" --mix ftruncate=x --out "$OUT"
check 2 run "${W[@]}" --holes 5000 --out "$OUT"
check 2 run "${W[@]}" --holes 8M --out "$OUT"
check 2 run "${W[@]}" --dir relative/path --out "$OUT"
check 2 run --workload memhog --mode swap --out "$OUT"
check 2 run --workload memhog --fraction 7 --out "$OUT"
check 2 run --workload memhog --fraction -1 --out "$OUT"
check 2 run "${W[@]}" --fsync maybe --out "$OUT"
check 2 run "${W[@]}" --tick 1ms --out "$OUT"
check 2 run "${W[@]}" --ring-pages 3 --out "$OUT"
check 2 run "${W[@]}" --cgroup-parent ../escape --out "$OUT"
check 2 run "${W[@]}" --compress gzip --out "$OUT"
check 2 run "${W[@]}" --compress-above 0 --out "$OUT"
check 2 run "${W[@]}" --compress-above 12XB --out "$OUT"
check 2 run "${W[@]}" --global-pressure 10XB --out "$OUT"
check 2 run "${W[@]}" --global-pressure 0 --out "$OUT"
check 2 run "${W[@]}" --global-pressure 1M --out "$OUT"
check 2 run "${W[@]}" --global-pressure 100T --out "$OUT"
check 2 run "${W[@]}" --i-mean-it --out "$OUT"
check 2 run "${W[@]}" --count-nofail --no-capture --out "$OUT"
# not a VM: the whole machine may go into OOM, so it takes --i-mean-it
gp=$(( $(awk '/MemAvailable/ {print $2}' /proc/meminfo) / 2 ))K
err=$(STALLBENCH_TEST_VIRT=bare-metal "$SB" run "${W[@]}" --global-pressure "$gp" --out "$OUT" 2>&1 >/dev/null); rc=$?
tried=$((tried + 1))
[[ $rc -eq 2 && $err == *--i-mean-it* && ! -e $OUT ]] || fail "bare metal without --i-mean-it: exit $rc: $err"
check 2 run "${W[@]}" --out /proc/self/nonexistent/x
# where access(2) says yes to root but no file can be made: only a file
# really created and removed there counts (issue 29.7)
checkm "cannot create a file there" run --workload truncate-storm --dir /proc --out "$OUT"
checkm "cannot create a file there" run --workload memhog --mode file --hog-dir /sys --out "$OUT"
checkm "cannot create a file there" run "${W[@]}" --out /proc/sb-out
checkm "cannot create a file there" run "${W[@]}" --out /proc/sb/deeper
check 2 run "${W[@]}" --out ""
touch "$TMP/afile"
check 2 run "${W[@]}" --out "$TMP/afile"
mkdir -p "$TMP/done" && echo '{}' >"$TMP/done/meta.json"
check 2 run "${W[@]}" --out "$TMP/done"
check 2 run "${W[@]}" extra-arg --out "$OUT"
checkm "'--': unexpected argument" run "${W[@]}" -- --out "$OUT"
checkm "'-x': unexpected argument" run "${W[@]}" -x --out "$OUT"
checkm "--no-capture: takes no value" run "${W[@]}" --no-capture=yes --out "$OUT"
checkm "--help: takes no value" run "${W[@]}" --help=1 --out "$OUT"
checkm "--s: ambiguous" run "${W[@]}" --s 1 --out "$OUT"
checkm "not a size" run "${W[@]}" --cap --out "$OUT"
checkm "--out: needs a value" run "${W[@]}" --out
check 2 report
check 2 report "$TMP/nonexistent"
check 2 report "$TMP/done"
if [[ $(id -u) -eq 0 && -d /sys/kernel/tracing/events ]]; then
	# --events is checked against this kernel's tracefs, before anything is written
	check 2 run "${W[@]}" --events +vmscan:nosuch --out "$OUT"
	check 2 run "${W[@]}" --events +garbage --out "$OUT"
fi
if [[ $(id -u) -eq 0 ]]; then
	# Unprivileged: cannot run here (4), says why in one line, writes nothing.
	if command -v setpriv >/dev/null; then
		chmod 755 "$TMP"; mkdir -m 1777 "$TMP/pub"
		err=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$SB" run "${W[@]}" --out "$TMP/pub/unpriv" 2>&1); rc=$?
		tried=$((tried + 1))
		[[ $rc -eq 4 && $(echo "$err" | wc -l) -eq 1 ]] || fail "unprivileged run: exit $rc: $err"
		[[ ! -e $TMP/pub/unpriv ]] || fail "unprivileged run wrote $TMP/pub/unpriv"
	fi
fi
for c in "caps=10XB" "bogus=1" "just a line" "reps=0"; do
	printf '%s\n' "$c" >"$TMP/bad.conf"
	err=$("$(dirname "$0")/../../run.sh" sweep --config "$TMP/bad.conf" 2>&1 >/dev/null); rc=$?
	tried=$((tried + 1))
	[[ $rc -ne 0 ]] || fail "config '$c' accepted"
done
no_stale_cgroups
echo "bad inputs tried: $tried, all rejected cleanly"
