#!/usr/bin/env bash
# Where an op's time asleep went, read as a user reads it (report, offcpu.csv,
# summary.json, offcpu_stacks.folded), on ops whose wait site and waker are
# known in advance:
#  - pipe-wait: read(2) sleeps in pipe_read until the partner worker writes:
#    >= 90% of its time asleep at that site, woken by sb-pipe-wait1; the
#    partner's nap sleeps in do_nanosleep, woken by the timer interrupt;
#    sites + sleep inside stalls + unattributed add up to the time asleep;
#    --no-offcpu writes none of it.
#  - a truncate storm on a loop-mounted ext4 image without a journal (like
#    this host's root) mounted with discard: the cuts wait in submit_bio_wait
#    under blkdev_issue_discard; mounted without: that wait never appears.
#    The report names the filesystem, its device and its mount options,
#    and compare counts the mount options as part of the experiment;
#    compare (2 repetitions a side) tests the time asleep per call at the
#    top wait sites: submit_bio_wait is 0 without discard, > 0 with it; plot's
#    "where a call's time went" stacks the sleep by those sites (a
#    submit_bio_wait part only with discard).
set -u
. "$(dirname "$0")/lib.sh"
need_root
LOOPMNT=
cleanup() {
	[[ -n $LOOPMNT ]] && mountpoint -q "$LOOPMNT" && umount "$LOOPMNT"
	rm -rf "$TMP"
}
trap cleanup EXIT

run_report pipe pipe-wait --workload pipe-wait --workers 2 --duration 3s
run_report pipe-off --no-offcpu --workload pipe-wait --workers 2 --duration 1s --no-offcpu
# (the "on a CPU:" line between the stall line and "asleep:" is oncpu.sh's)
sbpython - "$TMP/pipe" "$TMP/pipe.txt" "$TMP/pipe-off" "$TMP/pipe-off.txt" <<'PY' || exit 1
import csv, json, os, re, sys
from sbcheck import check, result
d, txt, doff, txtoff = sys.argv[1:5]
s, rep = result(d, txt)
# what a user reads: the report's words
m = re.search(r"^  read: (\d+) calls.*\n    \d+ stalled in reclaim.*\n(?:    on a CPU:.*\n(?:      .*\n)*)?    asleep: (\d+)% in (anon_)?pipe_read \(woken by ([^)]*)\)",
              rep, re.M)
check(m, "report: no 'asleep: N% in pipe_read (woken by ...)' for read:\n" + rep)
check(int(m.group(1)) > 100, "only %s reads" % m.group(1))
check(int(m.group(2)) >= 90, "read: %s%% in pipe_read, not >= 90%%" % m.group(2))
check(m.group(4) == "sb-pipe-wait1", "read woken by %s, not its writer" % m.group(4))
m = re.search(r"^  nap: .*\n    \d+ stalled in reclaim.*\n(?:    on a CPU:.*\n(?:      .*\n)*)?    asleep: (\d+)% in do_nanosleep \(woken by \[hardirq\]\)", rep, re.M)
check(m and int(m.group(1)) >= 90, "report: nap not >= 90% in do_nanosleep woken by the timer:\n" + rep)
# summary.json says the same
for op, site, waker in (("read", r"(anon_)?pipe_read", "sb-pipe-wait1"),
                        ("nap", "do_nanosleep", "[hardirq]")):
    v = s["ops"]["pipe-wait/" + op]
    asleep = v["time_split"]["sleep_ns"]
    top = v["offcpu"]["sites"][0]
    check(re.fullmatch(site, top["site"]), "%s: top site %s" % (op, top["site"]))
    check(top["sleep_ns"] >= 0.9 * asleep, "%s: %d of %d ns asleep at %s" %
          (op, top["sleep_ns"], asleep, top["site"]))
    check(max(top["wakers"], key=top["wakers"].get) == waker, "%s: wakers %s" % (op, top["wakers"]))
# offcpu.csv: every op's sites, its sleep inside stalls and its unattributed
# time add up to its time asleep (schedstat), within 5%
rows = list(csv.DictReader(open(d + "/offcpu.csv")))
check(rows and set(rows[0]) == {"workload", "op", "site", "waker", "sleeps", "sleep_ns", "ops"},
      "offcpu.csv header %s" % (rows[0].keys() if rows else None))
for op in ("read", "nap"):
    tot = sum(int(r["sleep_ns"]) for r in rows if r["op"] == op)
    asleep = s["ops"]["pipe-wait/" + op]["time_split"]["sleep_ns"]
    check(abs(tot - asleep) <= 0.05 * asleep, "%s: offcpu.csv %d ns, asleep %d ns" % (op, tot, asleep))
fold = open(d + "/offcpu_stacks.folded").read()
check(re.search(r"^pipe-wait/read;.*pipe_read;.* \d+$", fold, re.M), "no read stack:\n" + fold[:2000])
check(json.load(open(d + "/meta.json"))["params"]["offcpu"] is True, "meta: offcpu not true")
# --no-offcpu: nothing of it
check(not os.path.exists(doff + "/offcpu.csv") and not os.path.exists(doff + "/offcpu_stacks.folded"),
      "--no-offcpu wrote offcpu files")
check("asleep:" not in open(txtoff).read(), "--no-offcpu report has an asleep line")
check(json.load(open(doff + "/meta.json"))["params"]["offcpu"] is False, "meta: offcpu not false")
PY

# discard: the same storm on one image mounted with and without it
truncate -s 1G "$TMP/img" && mkfs.ext4 -q -F -O ^has_journal -E lazy_itable_init=0 "$TMP/img" ||
	fail "mkfs.ext4 of the image failed"
LOOPMNT=$TMP/mnt
mkdir -p "$LOOPMNT"
for opt in discard nodiscard; do
	mount -o loop,$opt "$TMP/img" "$LOOPMNT" || fail "mount -o loop,$opt failed"
	"$SB" run --workload truncate-storm --dir "$LOOPMNT" --cap 64M --duration 4s \
		--out "$TMP/$opt" 2>"$TMP/err" || fail "storm ($opt) failed: $(cat "$TMP/err")"
	"$SB" run --workload truncate-storm --dir "$LOOPMNT" --cap 64M --duration 2s \
		--out "$TMP/$opt-2" 2>"$TMP/err" || fail "storm ($opt, 2) failed: $(cat "$TMP/err")"
	umount "$LOOPMNT" || fail "umount failed"
	"$SB" report "$TMP/$opt" >"$TMP/$opt.txt" || fail "report ($opt) failed"
done
no_stale_cgroups
"$SB" compare "$TMP/nodiscard,$TMP/nodiscard-2" "$TMP/discard,$TMP/discard-2" --format json \
	--vary "workloads[0].mount_options" \
	>"$TMP/cmp.json" 2>"$TMP/err" || fail "compare failed: $(cat "$TMP/err")"
# the mount options are part of the experiment: without --vary, not comparable (exit 2)
"$SB" compare "$TMP/nodiscard,$TMP/nodiscard-2" "$TMP/discard,$TMP/discard-2" --verdict \
	>"$TMP/verdict.txt" 2>&1
rc=$?
[[ $rc -eq 2 ]] && grep -q "mount_options" "$TMP/verdict.txt" ||
	fail "compare --verdict across mount options: exit $rc, $(cat "$TMP/verdict.txt")"
# the letter names the sites behind a change in time asleep (a loose alpha:
# what is checked is the naming, not the test's power on 2 runs a side; which
# cut op's change ranks into the verdict varies, each is a discard's)
printf 'storm\t%s\t%s\n' "$TMP/nodiscard,$TMP/nodiscard-2" "$TMP/discard,$TMP/discard-2" >"$TMP/points.tsv"
"$SB" compare --points "$TMP/points.tsv" --format letter --alpha 0.9 --vary "workloads[0].mount_options" \
	>"$TMP/letter.txt" 2>"$TMP/err" || fail "compare --format letter failed: $(cat "$TMP/err")"
w=$(grep -A3 -E "^  (ftruncate|truncate|punch|unlink_close) asleep/call: \+" "$TMP/letter.txt" | tr '\n' ' ' |
	sed 's/  */ /g')
echo "$w" | grep -Eq "asleep/call: \+[0-9.]+% [^:]* where: submit_bio_wait A 0[a-z]*, B [0-9.]*[1-9][0-9.]*[mun]?s" ||
	fail "the letter does not name submit_bio_wait behind a cut op's time asleep: $w
$(sed -n '/^Verdict/,/^$/p' "$TMP/letter.txt")"
"$SB" plot "$TMP/nodiscard,$TMP/nodiscard-2" "$TMP/discard,$TMP/discard-2" --out "$TMP/plots" \
	>/dev/null 2>"$TMP/err" || fail "plot failed: $(cat "$TMP/err")"
sbpython - "$TMP" <<'PY' || exit 1
import json, re, sys
from sbcheck import check
t = sys.argv[1]
CUTS = ("ftruncate", "truncate", "punch", "unlink_close")
def discard_share(d):
    """the cuts' time asleep under blkdev_issue_discard, over their time asleep"""
    s = json.load(open(d + "/summary.json"))
    asleep = sum(s["ops"]["truncate-storm/" + c]["time_split"]["sleep_ns"] for c in CUTS)
    ns = 0
    for line in open(d + "/offcpu_stacks.folded"):
        stack, w = line.rsplit(" ", 1)
        if stack.split("/", 1)[1].split(";", 1)[0] in CUTS and ";blkdev_issue_discard;" in stack:
            ns += int(w)
    return ns / asleep
on, off = discard_share(t + "/discard"), discard_share(t + "/nodiscard")
print("asleep under blkdev_issue_discard: with discard %.1f%%, without %.1f%%" % (100 * on, 100 * off))
check(on >= 0.3, "with discard only %.1f%% of the cuts' sleep in the discard" % (100 * on))
check(off == 0, "without discard %.2f%% of the cuts' sleep in a discard" % (100 * off))
ron, roff = open(t + "/discard.txt").read(), open(t + "/nodiscard.txt").read()
check(re.search(r"^filesystem \(truncate-storm\): ext4 on /dev/loop\d+, rw,discard", ron, re.M),
      "report does not name the discard mount:\n" + ron[:1500])
check(re.search(r"^filesystem \(truncate-storm\): ext4 on /dev/loop\d+, rw$", roff, re.M),
      "report does not name the plain mount:\n" + roff[:1500])
check(re.search(r"^  truncate: .*\n    \d+ stalled in reclaim.*\n(?:    on a CPU:.*\n(?:      .*\n)*)?    asleep: \d+% in submit_bio_wait", ron, re.M),
      "with discard, truncate's first site is not submit_bio_wait:\n" + ron)
check("submit_bio_wait" not in roff, "without discard, a submit_bio_wait site:\n" + roff)
# compare: asleep per call at the top wait sites, a tested metric
cmp = json.load(open(t + "/cmp.json"))
op = [o for o in cmp["ops"] if o["name"] == "truncate-storm/truncate"][0]
tests = op["vs_first"][1]["tests"]
sb = tests.get("sleep_at:submit_bio_wait")
check(sb and sb["n_a"] == 2 and sb["n_b"] == 2 and sb["a"] == 0 and sb["b"] > 0 and "p" in sb,
      "compare: no tested 'sleep_at:submit_bio_wait' (A 0, B > 0): %s" % sorted(tests))
# plot: the time figure's parts are the legend's (on-CPU, waiting, the sites, the rest)
svg = open(t + "/plots/time-truncate-storm-truncate.svg").read()
check("asleep:submit_bio_wait" in svg, "time figure: no submit_bio_wait part in its legend")
blocks = [b for b in open(t + "/plots/time-truncate-storm-truncate.dat").read().split("\n\n\n") if '"ms_high"' in b]
def parts(b):
    return [float(l.split()[2]) - float(l.split()[1]) for l in b.splitlines() if l[:1].isdigit()]
check(len(blocks) == 2, "time figure: %d run blocks" % len(blocks))
pa, pb = parts(blocks[0]), parts(blocks[1])
# the site parts follow on-CPU and waiting, most sleep first: B's first site is submit_bio_wait
check(len(pa) == len(pb) >= 4, "time figure parts %s %s" % (pa, pb))
check(pb[2] > 0.5 * sum(pb[2:]) and pa[2] == 0,
      "time figure: submit_bio_wait A %.3f, B %.3f ms of B's %.3f asleep" % (pa[2], pb[2], sum(pb[2:])))
PY
echo "PASS"
