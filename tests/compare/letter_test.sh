#!/usr/bin/env bash
# The cover letter of a kernel sweep, on generated results shaped like the
# default lab matrix (3 points, 2 kernels, 3 runs each): a storm that loses
# throughput and gains latency on B, a NOFAIL call whose caller is OOM-killed
# on both (2048 OOM runs that kill nothing on A, the charge forced to 112% of
# the cap, 35928 rounds in every run of A and ~13k on B) and a RETRY_MAYFAIL
# call that fails with ENOMEM on both. bench/lab/letter.sh writes the letter
# and its appendix as vm/sweep does; then:
# - the letter is at most 80 lines of at most 72 columns, no path of here;
# - what ran, then the verdict (outcomes before changes), then one table per
#   point, then the environment, the reproduce command, the link line;
# - per-run values (3 runs a side), no percentile the op count cannot carry;
# - one statistical language: % changes, the verdict's mean is the table's,
#   the family is the letter (its test count), no ratio words;
# - the environment: upstream version beside each package, config hash and
#   key CONFIG lines, boot line, taint named;
# - an A/A letter over 60 seeds says "no significant change" as often as the
#   letter claims (CMP_AA_RATE).
# Usage: letter_test.sh STALLBENCH GEN_RESULT SRCDIR WORKDIR. Exit 0 pass, 1 fail.
set -u
SB=$1 GEN=$2 SRC=$3 W=$4
fail=0
not_ok() { echo "not ok: $*"; fail=1; }
ok() { echo "ok: $*"; }
rm -rf "$W" && mkdir -p "$W" || exit 1
C=$W/cmp	# the comparison folder, as vm/sweep leaves it: k1, k2 and the letter
B612="--release 6.12.117+deb12-amd64 --lru-gen 0x0007"

# A NOFAIL (or RETRY_MAYFAIL) point: one alloc row per run, its rounds and
# latency set, the caller killed (or ENOMEM), the memcg's OOM counts and peak.
nofail_run() {	# dir seed latency_ns rounds killed(0/1) errno oom_events peak_pct genargs...
	local d=$1 seed=$2 lat=$3 rounds=$4 killed=$5 err=$6 oomev=$7 peak=$8
	shift 8
	"$GEN" "$d" --seed "$seed" --n 1 --cap 33554432 "$@" >/dev/null || exit 1
	python3 - "$d" "$lat" "$rounds" "$killed" "$err" "$oomev" "$peak" <<'PY'
import csv, json, sys
d, lat, rounds, killed, err, oomev, peak = sys.argv[1:]
rows = list(csv.reader(open(d + "/ops.csv")))
h = rows[0]
out = [h]
for r in rows[1:]:
    if r[h.index("op")] != "alloc":
        continue
    r[h.index("latency_ns")] = lat
    r[h.index("reclaim_rounds")] = rounds
    r[h.index("rounds_memcg")] = rounds
    r[h.index("stall_ns")] = str(int(int(lat) * 0.8))
    r[h.index("errno")] = err
    r[h.index("flags")] = "module|killed" if killed == "1" else "module"
    out.append(r)
csv.writer(open(d + "/ops.csv", "w"), lineterminator="\n").writerows(out)
# memcg rounds of the call, none reclaiming anything (the NOFAIL loop), 1 per 100 rounds
hdr = open(d + "/stalls.csv").readline()
with open(d + "/stalls.csv", "w") as f:
    f.write(hdr)
    for i in range(int(rounds) // 100):
        f.write("%d,103,0,memcg,%d,0,-1,GFP_KERNEL|__GFP_NOFAIL,run,,\n" % (1000000200 + i, int(lat) // 500))
s = json.load(open(d + "/summary.json"))
s["oom_kills"] = int(killed)
s["memcg"] = {"oom_events": int(oomev) + int(killed), "oom_kill": int(killed), "max_events": 5}
s["duration_ns"] = 1000000000
json.dump(s, open(d + "/summary.json", "w"))
tl = open(d + "/timeline.csv").read().splitlines()
hh = tl[0].split(",")
rows = [l.split(",") for l in tl[1:]]
u = hh.index("memcg_usage")
for r in rows:
    r[u] = str(min(int(r[u] or 0), 33554432 * 95 // 100))
rows[-1][u] = str(int(33554432 * int(peak) / 100))
open(d + "/timeline.csv", "w").write("\n".join([tl[0]] + [",".join(r) for r in rows]) + "\n")
m = json.load(open(d + "/meta.json"))
m["host"]["virt"] = "tcg"
m["kernel"]["upstream"] = "6.12.117" if m["kernel"]["release"].startswith("6.12") else "6.1.192"
m["params"]["workloads"] = [{"name": "vmalloc-nofail", "options": {"alloc-size": "40M",
    "alloc-count": "1", "alloc-flags": "nofail,account" if err == "0" else "retry_mayfail,account"}}]
m["params"]["duration_ns"] = 1000000000
json.dump(m, open(d + "/meta.json", "w"))
PY
}
storm_meta() {	# dir: a lab storm's meta (TCG, ext4 made by the lab)
	python3 - "$1" <<'PY'
import json, sys
d = sys.argv[1]
m = json.load(open(d + "/meta.json"))
m["host"]["virt"] = "tcg"
m["kernel"]["upstream"] = "6.12.117" if m["kernel"]["release"].startswith("6.12") else "6.1.192"
m["params"]["duration_ns"] = 5000000000
for w in m["params"]["workloads"]:
    if w["name"] == "truncate-storm":
        w.update({"fstype": "ext4", "mkfs": "mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0",
                  "mount_options": "rw,relatime", "workers": 4})
        w["options"].update({"file-size": "8M"})
m["params"]["workloads"] = [w for w in m["params"]["workloads"] if w["name"] == "truncate-storm"] + [
    {"name": "memhog", "options": {"fraction": "0.5"}}]
json.dump(m, open(d + "/meta.json", "w"))
PY
}

P1=storm-cap64M-ftruncate_1_truncate_1_punch_1_unlink_1
P2=nofail-cap32M-40M-nofail_account
P3=nofail-cap32M-40M-retry_mayfail_account
A_LAT=(6780000000 8230000000 8830000000) B_LAT=(2100000000 2330000000 2410000000)
B_ROUNDS=(11900 13500 13700)	# in 3 figures, 17 columns: the cell falls back to 2
for r in 1 2 3; do
	a=$C/k1/sweep b=$C/k2/sweep
	mkdir -p "$a" "$b"
	"$GEN" "$a/$P1-r$r" --seed $((10 + r)) --n $((296 + 4 * r)) --run-effect 0.05 >/dev/null || exit 1
	"$GEN" "$b/$P1-r$r" --seed $((20 + r)) --n $((224 - 3 * r)) --run-effect 0.05 --scale 1.5 $B612 >/dev/null || exit 1
	storm_meta "$a/$P1-r$r"; storm_meta "$b/$P1-r$r"
	for d in "$a/$P1-r$r" "$b/$P1-r$r"; do	# a storm point runs no NOFAIL call
		grep -v ',vmalloc-nofail,alloc,' "$d/ops.csv" >"$d/ops.tmp" && mv "$d/ops.tmp" "$d/ops.csv"
	done
	nofail_run "$a/$P2-r$r" $((30 + r)) "${A_LAT[$((r - 1))]}" 35928 1 0 2048 112
	nofail_run "$b/$P2-r$r" $((40 + r)) "${B_LAT[$((r - 1))]}" "${B_ROUNDS[$((r - 1))]}" 1 0 12 101 $B612
	nofail_run "$a/$P3-r$r" $((50 + r)) $((1200000 + r * 10000)) $((39 + r)) 0 ENOMEM 0 99
	nofail_run "$b/$P3-r$r" $((60 + r)) $((1100000 + r * 20000)) $((41 - r)) 0 ENOMEM 0 99 $B612
done
# what vm/run and vm/sweep leave beside each kernel's sweep
for k in 1 2; do
	kd=$C/k$k
	if [ $k = 1 ]; then
		rel=6.1.0-57-amd64
		printf '# stallbench kernels.lock: SPEC RELEASE PACKAGE VERSION UPSTREAM SHA256\n6.1 %s linux-image-%s 6.1.192-3 6.1.192 %s\n' \
			$rel $rel 14d219d01e1283261817d961dbb3895cb5b4288d0de10e0ba0632a0d993e15bf >"$kd/kernel.lock"
		printf 'CONFIG_PREEMPT_VOLUNTARY=y\nCONFIG_MEMCG=y\nCONFIG_LRU_GEN=y\n# CONFIG_LRU_GEN_ENABLED is not set\nCONFIG_TRANSPARENT_HUGEPAGE=y\n# CONFIG_KASAN is not set\nCONFIG_FOO=y\n' >"$kd/config"
	else
		rel=6.12.117+deb12-amd64
		printf '# stallbench kernels.lock: SPEC RELEASE PACKAGE VERSION UPSTREAM SHA256\n6.12 %s linux-image-%s 6.12.117-1~deb12u1 6.12.117 %s\n' \
			$rel $rel 803d36a7cda13355ae8152122470288b2636f19f1cb58162dd9d8b408af9b1b4 >"$kd/kernel.lock"
		printf 'CONFIG_PREEMPT_DYNAMIC=y\nCONFIG_MEMCG=y\nCONFIG_LRU_GEN=y\nCONFIG_LRU_GEN_ENABLED=y\nCONFIG_TRANSPARENT_HUGEPAGE=y\n# CONFIG_KASAN is not set\n' >"$kd/config"
	fi
	echo "console=ttyS0 panic=-1 quiet init_on_alloc=1 transparent_hugepage=never" >"$kd/vm.cmdline"
	echo 12288 >"$kd/vm.tainted"
	for r in 1 2 3; do
		printf '[    0.000000] Linux version %s\n[    9.1] nofail_vmalloc: loading out-of-tree module taints kernel.\n[   30.2] Memory cgroup out of memory: Killed process 312 (sb-vmalloc-nofa)\n' \
			$rel >"$kd/vm.dmesg.r$r"
		[ $k = 2 ] && [ $r = 2 ] && echo "[   31.0] WARNING: CPU: 1 PID: 40 at mm/page_alloc.c:4400 __alloc_pages+0x2b1/0x310" >>"$kd/vm.dmesg.r$r"
	done
	mkdir -p "$kd/tool/build" && echo "not a result" >"$kd/tool/build/stallbench"
done

write_letter() {	# outdir: the letter over k1, k2 as vm/sweep writes it
	mkdir -p "$1"
	(
		log() { echo "letter: $*" >&2; }
		export SB
		. "$SRC/bench/lab/letter.sh"
		dirs=("$C/k1/sweep" "$C/k2/sweep")
		labels=(6.1.0-57-amd64 6.12.117+deb12-amd64)
		kinfo=("A|6.1.0-57-amd64|Debian linux-image-6.1.0-57-amd64|" "B|6.12.117+deb12-amd64|Debian linux-image-6.12.117+deb12-amd64|")
		kenv=("A|$C/k1|6.1.0-57-amd64" "B|$C/k2|6.12.117+deb12-amd64")
		SB_CMP_VARY=()
		sb_cover_letter "$1" "vm/sweep --kernel-lock kernels.lock --kernel 6.1 --kernel 6.12" kernels
		echo "$SB_VSTAT" >"$1/vstat"
	)
}
write_letter "$C"
L=$C/cover-letter.txt F=$C/cover-letter-full.txt
[ -s "$L" ] || { not_ok "no letter"; exit 1; }
cat "$L"
n=$(wc -l <"$L")
[ "$n" -le 80 ] && ok "letter: $n lines (<= 80)" || not_ok "letter: $n lines"
awk 'length($0) > 72 { print "  too long: " $0; bad = 1 } END { exit bad }' "$L" &&
	ok "letter: every line <= 72 columns" || not_ok "letter: lines over 72 columns"
grep -q "$W" "$L" && not_ok "letter holds a path of this machine"
# the order: what ran, verdict, tables, environment, reproduce, link
order=$(grep -n -m1 -e '^What ran:' "$L" | cut -d: -f1),$(grep -n -m1 '^Verdict' "$L" | cut -d: -f1),$(grep -n -m1 "^$P2 (3+3 runs" "$L" | cut -d: -f1),$(grep -n -m1 '^Environment:' "$L" | cut -d: -f1),$(grep -n -m1 '^To reproduce' "$L" | cut -d: -f1)
echo "$order" | awk -F, '{ for (i = 1; i <= NF; i++) if ($i == "" || (i > 1 && $i <= $(i-1))) exit 1 }' &&
	ok "order: what ran, verdict, tables, environment, reproduce ($order)" || not_ok "order wrong: $order"
[ "$(grep -n '^What ran:' "$L" | cut -d: -f1)" -le 6 ] || not_ok "what ran is not at the top"
tail -1 "$L" | grep -q '^Plots and data: ' && ok "the link line ends the letter" || not_ok "no link line at the end"
tr '\n' ' ' <"$L" | sed 's/  */ /g' | grep -q "3 runs per side, each a fresh boot; QEMU TCG guests (emulated: times are slow, counts are not); on ext4 (mkfs.ext4 -q -F" && ok "what ran: TCG, runs, filesystem and its mkfs" ||
	not_ok "what ran lacks TCG, runs or the filesystem"
# outcomes first, host-speed-free: the killed caller, OOM without a kill, the forced charge
blk=$(awk -v p="$P2:" '$0 == p { on = 1; next } /^[^ ]/ { on = 0 } on' "$L" | tr '\n' ' ' | sed 's/  */ /g')
echo "$blk" | grep -q "caller OOM-killed in 3/3 runs" && echo "$blk" | grep -q "2048 (all 3) memcg OOMs without a kill" &&
	echo "$blk" | grep -q "charged to 112% of its cap" &&
	ok "verdict: kills, OOM runs without a kill, forced charge" || not_ok "verdict outcomes: $blk"
first_change=$(echo "$blk" | grep -bo '[-+][0-9.]*% \[' | head -1 | cut -d: -f1)
kill_at=$(echo "$blk" | grep -bo 'caller OOM-killed' | head -1 | cut -d: -f1)
[ -n "$first_change" ] && [ "$kill_at" -lt "$first_change" ] && ok "outcomes before the first change" ||
	not_ok "outcomes do not lead"
echo "$blk" | grep -q "alloc reclaim rounds/call: -6[0-9]% \[-[0-9]*,-[0-9]*\]" && ok "rounds first among the changes" ||
	not_ok "rounds change not in the verdict: $blk"
echo "$blk" | grep -q "alloc time/call: -7[0-9]% \[" && grep -q "times are TCG wall clock" "$L" && ok "times: TCG wall clock, said in the verdict's head" ||
	not_ok "latency change or TCG wall clock missing"
echo "$(echo "$blk" | grep -o 'reclaim rounds/call.*' | head -1)" | grep -q "(A 35928, B 13033" &&
	ok "verdict mean of rounds = mean of the runs" || not_ok "verdict rounds means"
# per-run values, and the table's mean is the verdict's
grep -Eq "^alloc rounds +35\.9k \(all 3\) +12k 14k 14k +-6[0-9]% \[-?[0-9]+,-?[0-9]+\]\*$" "$L" &&
	ok "table: every run's rounds" || { not_ok "rounds row"; grep "^alloc rounds" "$L"; }
grep -Eq "^alloc time s +6\.78 8\.23 8\.83 +2\.1 2\.33 2\.41 " "$L" && ok "table: every run's call time" ||
	{ not_ok "time row"; grep "^alloc time" "$L"; }
grep -Eq "^alloc ENOMEM +1 \(all 3\) +1 \(all 3\)" "$L" && ok "table: ENOMEM per run" || not_ok "ENOMEM row"
grep -Eq "^OOM, no kill +2048 \(all 3\) +12 \(all 3\)" "$L" && ok "table: OOM runs without a kill" || not_ok "OOM row"
grep -Eq "^peak % of cap +112 \(all 3\) +101 \(all 3\)" "$L" && ok "table: the forced charge" || not_ok "peak row"
grep -q "p99.9" "$L" && not_ok "a p99.9 in the letter"
awk -v p="$P2 (3+3" 'index($0, p) == 1 { on = 1 } on && /^$/ { exit } on' "$L" | grep -q "p99" &&
	not_ok "a p99 of one call per run"
grep -Eq "^ftruncate ops/s +60 60.8 61.6 +44.2 43.6 43 " "$L" && grep -Eq "^ftruncate p99 us +[0-9.]+ [0-9.]+ [0-9.]+ " "$L" &&
	ok "storm: ops/s and per-run p99 rows" || not_ok "storm ops/s or p99 rows missing"
grep -Eq "ops/s: -2[0-9]% \[" "$L" && grep -Eq "^ftruncate ops/s .*-2[0-9]% \[-?[0-9]+,-?[0-9]+\]\*" "$L" &&
	ok "throughput change (-27%) tested and marked" || not_ok "ops/s change not found"
# one language
grep -Eiq '[0-9]x (faster|slower|more|fewer|less)' "$L" && not_ok "ratio words in the letter"
fam=$(sed -n 's/.*over all \([0-9]*\) tests of this letter.*/\1/p' "$L" | head -1)
[ -z "$fam" ] && fam=$(tr '\n' ' ' <"$L" | sed 's/  */ /g' | sed -n 's/.*over all \([0-9]*\) tests of this letter.*/\1/p')
jfam=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["points"][0]["model"]["family_tests"])' "$C/compare.json")
[ -n "$fam" ] && [ "$fam" = "$jfam" ] && ok "the family is the letter: $fam tests" || not_ok "family: letter '$fam', json '$jfam'"
python3 - "$C/compare.json" <<'PY' && ok "every test of every point in one Holm family" || not_ok "Holm family"
import json, sys
pts = json.load(open(sys.argv[1]))["points"]
ps = []
for p in pts:
    for g in ("ops", "stalls"):
        for b in p["model"][g]:
            for v in b["vs_first"][1:]:
                for t in (v or {}).get("tests", {}).values():
                    if isinstance(t.get("p"), (int, float)):
                        ps.append((t["p"], t["p_holm"]))
m = len(ps)
ps.sort()
run = 0
for i, (p, ph) in enumerate(ps):
    run = max(run, min(1, (m - i) * p))
    if abs(run - ph) > 1e-9 * max(1, run):
        print("p %g: holm %g, want %g (m %d)" % (p, ph, run, m)); sys.exit(1)
sys.exit(0 if m == pts[0]["model"]["family_tests"] else 1)
PY
grep -c "no significant change\|^  [A-Za-z_]* .*: [-+][0-9]" "$L" >/dev/null
# dmesg, LKP-style: in the letter one line, in the appendix the table
tr '\n' ' ' <"$L" | sed 's/  */ /g' | grep -q "dmesg (runs with it : runs): WARNING A 0:3 | B 1:3; oom-kill A 3:3 | B 3:3; no alloc failure, hung task, FINDING, Oops/BUG." &&
	ok "letter: dmesg events fail:runs per kernel" || not_ok "letter dmesg line: $(grep -A1 '^dmesg' "$L")"
grep -Eq "^WARNING +0:3 +1:3$" "$F" && grep -Eq "^oom-kill +3:3 +3:3$" "$F" && ok "appendix: dmesg fail:runs table" ||
	not_ok "appendix dmesg table"
grep -Eq "^allocstall +[0-9]+ [0-9]+ [0-9]+ +[0-9]+ [0-9]+ [0-9]+ +[-+][0-9]+%$" "$F" && ok "appendix: vmstat per run" ||
	not_ok "appendix vmstat block"
# the appendix: no percentile the ops cannot carry (one call per run: no p90, p99, p99.9)
awk -v p="=== $P2" '$0 == p { on = 1 } on && /^op vmalloc-nofail\/alloc/ { b = 1 } b && /^$/ { exit } b' "$F" >"$W/p2alloc.txt"
[ -s "$W/p2alloc.txt" ] && ! grep -Eq "^p(90|99|99\.9) " "$W/p2alloc.txt" && ok "appendix: no percentile of 3 calls" ||
	{ not_ok "appendix percentiles of 3 calls"; cat "$W/p2alloc.txt"; }
# the environment
grep -q "A: 6.1.192 (linux-image-6.1.0-57-amd64 6.1.192-3)" "$L" &&
	grep -q "B: 6.12.117 (linux-image-6.12.117+deb12-amd64 6.12.117-1~deb12u1)" "$L" &&
	ok "environment: packages with upstream versions" || not_ok "environment packages"
flat=$(tr '\n' ' ' <"$L" | sed 's/  */ /g')
echo "$flat" | grep -q "config sha256: A $(sha256sum "$C/k1/config" | cut -c1-12), B $(sha256sum "$C/k2/config" | cut -c1-12)" &&
	echo "$flat" | grep -q "CONFIG alike: MEMCG=y LRU_GEN=y TRANSPARENT_HUGEPAGE=y KASAN=n" &&
	echo "$flat" | grep -q "CONFIG differs: PREEMPT_VOLUNTARY A=y B=n; PREEMPT_DYNAMIC A=n B=y; LRU_GEN_ENABLED A=n B=y" &&
	ok "environment: config hash and key CONFIG lines" || not_ok "environment config"
grep -q "boot (every kernel): console=ttyS0 panic=-1 quiet init_on_alloc=1" "$L" &&
	grep -q "taint (every kernel): 12288 = OE (the unsigned nofail_vmalloc module)" "$L" &&
	ok "environment: boot line, taint named" || not_ok "environment boot/taint"
grep -q "vm/sweep --kernel-lock kernels.lock --kernel 6.1 --kernel 6.12" "$L" && ok "reproduce names the lock" ||
	not_ok "reproduce command"
grep -q "lru_gen A=0x0000 B=0x0007" "$L" && ok "mm settings that differ" || not_ok "lru_gen difference missing"
echo "$flat" | grep -q "variant --mm lru_gen=n (or y) equalises it" && ok "confound: the variant that equalises lru_gen" ||
	not_ok "no variant suggested for lru_gen"
echo "$flat" | grep -q "a known memcg/OOM change, \"memcg: bypass the reclaim and oom killer for dying tasks once oom_reaper is done\" (6.12.y from 6.12.117): A not known (6.1.192), B has it (6.12.117); ./run.sh bisect --good A --bad B --point NAME" &&
	ok "confound: the memcg backport B has, and the bisect" || not_ok "memcg backport note"
# the appendix: the environment first, full tables, figures
[ "$(grep -n '^Environment:' "$F" | head -1 | cut -d: -f1)" -le 5 ] && grep -q "^=== $P1$" "$F" &&
	grep -q "^op truncate-storm/ftruncate" "$F" && ok "appendix: environment at the top, full tables" ||
	not_ok "appendix form"
awk 'length($0) > 72 { bad = 1 } END { exit bad }' "$F" || not_ok "appendix over 72 columns"
[ "$(cat "$C/vstat")" = 3 ] && ok "status: a change (3)" || not_ok "vstat $(cat "$C/vstat")"

# --- which change in time asleep the verdict names, when the ranks leave
# all of them out: the one that moved the most time asleep per second (its
# change per call x its calls/s), not the least p nor the largest per call.
# Every latency x1.5 in B (rounds and times outrank the sleep lines).
#  1. ftruncate asleep x6 (+500% of ~6us a call, p ~1e-4) against alloc
#     asleep x4.5 (+350% of ~0.6ms, p ~0.01), both 30 calls/s: alloc.
#  2. unlink_close asleep x6 (+475% of ~18us, 300 calls/s: ~26 ms/s) against
#     alloc x4.5 in every 100th round only (~2ms a call, 3 calls/s: ~6 ms/s):
#     unlink_close, though alloc's change per call is 20 times larger.
sleep_case() {	# name want other genargs-of-both... -- genargs-of-B...
	local c=$1 want=$2 other=$3 ga=() gb=() r v sleeps
	shift 3
	while [[ $1 != -- ]]; do ga+=("$1"); shift; done
	shift
	gb=("$@")
	mkdir -p "$W/$c" || exit 1
	for r in 1 2 3; do
		"$GEN" "$W/$c/a$r" --seed $((70 + r)) --run-effect 0.05 --sleep-scale 1 "${ga[@]}" >/dev/null || exit 1
		"$GEN" "$W/$c/b$r" --seed $((80 + r)) --run-effect 0.05 --scale 1.5 --sleep-scale 1 \
			"${ga[@]}" "${gb[@]}" >/dev/null || exit 1
	done
	printf '%s\t%s\t%s\n' "$c" "$W/$c/a1,$W/$c/a2,$W/$c/a3" "$W/$c/b1,$W/$c/b2,$W/$c/b3" >"$W/$c/points.tsv"
	"$SB" compare --points "$W/$c/points.tsv" --format letter >"$W/$c/letter.txt" 2>&1 || exit 1
	"$SB" compare --json "$W/$c/a1,$W/$c/a2,$W/$c/a3" "$W/$c/b1,$W/$c/b2,$W/$c/b3" >"$W/$c/cmp.json" || exit 1
	v=$(sed -n "/^$c:/,/^\$/p" "$W/$c/letter.txt")
	sleeps=$(python3 -c 'import json, sys
m = json.load(open(sys.argv[1]))
print(" ".join(sorted(v["block"].split("/")[1] for v in m["verdict"] if v["metric"] == "sleep")))' "$W/$c/cmp.json")
	if [[ " $sleeps " == *" $want "* && " $sleeps " == *" $other "* ]] &&
		echo "$v" | grep -q "more changes, marked" && echo "$v" | grep -q "^  $want asleep/call: +" &&
		! echo "$v" | grep -q "$other asleep/call"; then
		ok "the verdict names the change in time asleep that moved the most time ($c: $want, of: $sleeps)"
	else
		not_ok "$c: the verdict's change in time asleep (significant: $sleeps; want $want, not $other):
$v"
	fi
}
sleep_case sl1 alloc ftruncate --n 300 -- --sleep-op ftruncate:4 --sleep-op alloc:3
sleep_case sl2 unlink_close alloc --n 3000 --op-every alloc:100 -- --sleep-op unlink_close:4 --sleep-op alloc:3

# --- the A/A false-alarm rate the letter states ---
stated=$(grep -o 'A/A false alarms: [0-9]* of [0-9]*' "$L" | head -1)
[ -z "$stated" ] && stated=$(tr '\n' ' ' <"$L" | sed 's/  */ /g' | grep -o 'A/A false alarms: [0-9]* of [0-9]*' | head -1)
fp=0 trials=60
for ((i = 0; i < trials; i++)); do
	: >"$W/aa.tsv"
	for p in 1 2 3; do
		sa= sb=
		for r in 1 2 3; do
			"$GEN" "$W/aa/a$p$r" --seed $((5000 + 60 * i + 10 * p + r)) --n 100 --run-effect 0.1 >/dev/null 2>&1 ||
				{ mkdir -p "$W/aa" && "$GEN" "$W/aa/a$p$r" --seed $((5000 + 60 * i + 10 * p + r)) --n 100 --run-effect 0.1 >/dev/null; }
			"$GEN" "$W/aa/b$p$r" --seed $((9000 + 60 * i + 10 * p + r)) --n 100 --run-effect 0.1 >/dev/null
			sa+=${sa:+,}$W/aa/a$p$r sb+=${sb:+,}$W/aa/b$p$r
		done
		printf 'p%d\t%s\t%s\n' $p "$sa" "$sb" >>"$W/aa.tsv"
	done
	"$SB" compare --points "$W/aa.tsv" --format json >"$W/aa.json" || not_ok "A/A compare exit $?"
	python3 -c 'import json,sys; sys.exit(0 if any(p["model"]["verdict"] for p in json.load(open(sys.argv[1]))["points"]) else 1)' \
		"$W/aa.json" && fp=$((fp + 1))
done
echo "A/A letters (3 points, 3+3 runs, run effect 0.1): $fp of $trials with a change; the letter states '$stated'"
[ "$stated" = "A/A false alarms: $fp of $trials" ] && tr "\n" " " <"$L" | grep -q "A/A *false alarms: $fp of $trials letters" && ok "the stated A/A rate is the measured one" ||
	not_ok "stated '$stated', measured $fp of $trials"
[ "$fp" -le 6 ] && ok "A/A rate $fp/$trials near or below alpha" || not_ok "A/A rate $fp/$trials"

# --- bad input: one line, exit 2, nothing written ---
printf 'onlyname\n' >"$W/bad.tsv"
"$SB" compare --points "$W/bad.tsv" --format letter >"$W/bad.out" 2>"$W/bad.err"
rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <"$W/bad.err")" -eq 1 ] && [ ! -s "$W/bad.out" ] &&
	ok "a points line without DIRs: exit 2, one line ($(cat "$W/bad.err"))" || not_ok "bad points: exit $rc"
"$SB" compare --format letter "$C/k1/sweep/$P1-r1" "$C/k2/sweep/$P1-r1" >/dev/null 2>"$W/bad.err"
[ $? -eq 2 ] && ok "--format letter without --points refused" || not_ok "--format letter without --points"

# --- the bundle: refusals first (exit 2, one line, nothing written) ---
sum_before=$(sha256sum "$L" | cut -d' ' -f1)
bundle_refused() {	# what needle args...
	what=$1 needle=$2; shift 2
	"$SB" bundle "$@" >/dev/null 2>"$W/berr"
	rc=$?
	if [ $rc -eq 2 ] && [ "$(wc -l <"$W/berr")" -eq 1 ] && grep -qF -- "$needle" "$W/berr"; then
		ok "bundle $what refused: $(cat "$W/berr")"
	else
		not_ok "bundle $what: exit $rc, '$(cat "$W/berr")'"
	fi
}
mkdir -p "$W/notcmp"
bundle_refused "without DIR" "one comparison folder"
bundle_refused "of a folder without a letter" "no cover-letter.txt" "$W/notcmp"
bundle_refused "with a bad --link" "not a URL" "$C" --link "see the lab wiki"
bundle_refused "with an --out of another kind" ".tar.zst, .tar.gz or .tgz" "$C" --out "$W/b.zip"
bundle_refused "with --out in a missing folder" "not a writable directory" "$C" --out "$W/nope/b.tar.zst"
[ "$(sha256sum "$L" | cut -d' ' -f1)" = "$sum_before" ] && ! ls "$C"/*.tar.* "$C/index.html" "$W/notcmp"/* >/dev/null 2>&1 &&
	ok "refused bundles wrote nothing" || not_ok "a refused bundle wrote something"

URL=https://lab.example.org/stallbench/6.1-vs-6.12.tar.zst
"$SB" bundle "$C" --link "$URL" >"$W/bundle.out" 2>"$W/bundle.err" || not_ok "bundle exit $?: $(cat "$W/bundle.err")"
A=$(cat "$W/bundle.out")
[ -s "$A" ] && ok "bundle: $A" || not_ok "no archive"
tail -1 "$L" | grep -qxF "Plots and data: $URL" && ok "--link: the letter's last line names the URL" ||
	not_ok "link line: $(tail -1 "$L")"
tar --zstd -tf "$A" >"$W/list.txt" || not_ok "the archive does not list"
for f in cover-letter.txt cover-letter-full.txt index.html compare.json kernels.lock k1/kernel.lock k1/config \
	k1/vm.dmesg.r3 k2/config k2/vm.tainted "k1/sweep/$P2-r1/ops.csv" "k2/sweep/$P1-r3/stalls.csv"; do
	[ "$f" = kernels.lock ] && continue	# vm/sweep writes it; the fixture has none
	grep -qx "stallbench-cmp/$f" "$W/list.txt" || not_ok "the archive lacks $f"
done
grep -q "/tool/" "$W/list.txt" && not_ok "the archive holds the guest's copy of the tool"
ok "archive: letter, appendix, page, raw results, config and dmesg per kernel"

# --- the page in a real browser ---
if ! command -v chromium >/dev/null; then
	not_ok "no chromium (apt-get install chromium): the page cannot be tested"
else
	rm -rf "$W/page" && mkdir -p "$W/page" && tar --zstd -xf "$A" -C "$W/page" || not_ok "extract"
	P=$W/page/stallbench-cmp
	grep -Eq '(src|href)="?(https?:)?//' "$P/index.html" && not_ok "the page fetches something from the network"
	# a copy of the page with a probe: what the browser loaded, what each
	# figure drew, what each table cell says, written into the DOM
	sed 's|</body></html>|<script>\
(function () {\
	var r = { resources: performance.getEntriesByType("resource").map(function (e) { return e.name; }), figures: [], rows: [] };\
	document.querySelectorAll("figure.fig").forEach(function (fg) {\
		var s = fg.querySelector("svg"), b = s ? s.getBoundingClientRect() : null;\
		r.figures.push({ name: fg.dataset.name, w: b ? b.width : 0, h: b ? b.height : 0,\
			drawn: s ? s.querySelectorAll("path,polyline,polygon,rect,circle,use,text").length : 0 });\
	});\
	document.querySelectorAll("#letter-tables table.point tr").forEach(function (tr) {\
		r.rows.push(Array.prototype.map.call(tr.children, function (c) { return c.textContent; }));\
	});\
	var pre = document.createElement("pre"); pre.id = "probe"; pre.textContent = JSON.stringify(r);\
	document.body.appendChild(pre);\
})();\
</script></body></html>|' "$P/index.html" >"$P/probe.html"
	timeout 120 chromium --headless=new --no-sandbox --disable-gpu --enable-logging=stderr --v=0 \
		--virtual-time-budget=5000 --dump-dom "file://$P/probe.html" >"$W/dom.html" 2>"$W/chromium.err"
	timeout 120 chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars --window-size=1100,4000 \
		--screenshot="$W/page.png" "file://$P/index.html" >/dev/null 2>>"$W/chromium.err"
	[ -s "$W/page.png" ] && ok "screenshot: $W/page.png" || not_ok "no screenshot"
	if grep 'CONSOLE' "$W/chromium.err"; then not_ok "console messages while loading the page"
	else ok "the page loads with nothing on the console"; fi
	python3 - "$W/dom.html" "$L" "$C" <<'PY' && ok "browser: no resource fetched, every figure drawn, the tables are the letter's" ||
import html, json, os, re, sys
dom, letter, cmp = sys.argv[1:4]
m = re.search(r'<pre id="probe">(.*?)</pre>', open(dom).read(), re.S)
if not m:
    print("  no probe in the DOM"); sys.exit(1)
r = json.loads(html.unescape(m.group(1)))
bad = 0
if r["resources"]:
    print("  fetched:", r["resources"]); bad = 1
svgs = sorted("%s/%s" % (p, f) for p in os.listdir(cmp + "/plots") if os.path.isdir(cmp + "/plots/" + p)
              for f in os.listdir(cmp + "/plots/" + p) if f.endswith(".svg"))
names = sorted(f["name"] for f in r["figures"])
if names != svgs:
    print("  figures on the page %s, SVGs %s" % (names, svgs)); bad = 1
for f in r["figures"]:
    if f["w"] < 100 or f["h"] < 100 or f["drawn"] < 20:
        print("  figure not drawn:", f); bad = 1
print("  %d figures drawn" % len(r["figures"]))
lines = [re.sub(r"\s+", " ", l).strip() for l in open(letter)]
rows = 0
for row in r["rows"]:
    want = re.sub(r"\s+", " ", " ".join(c for c in row if c)).strip()
    if not want:
        continue
    if not any(l == want or l.startswith(want) for l in lines):
        print("  page row not in the letter:", want); bad = 1
    rows += 1
if rows < 15:
    print("  only %d table rows on the page" % rows); bad = 1
print("  %d table rows, each a line of the letter" % rows)
sys.exit(bad)
PY
	not_ok "browser checks"
fi

[ $fail -eq 0 ] && echo PASS || echo FAIL
exit $fail
