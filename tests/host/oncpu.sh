#!/usr/bin/env bash
# Where an op's time on a CPU went, read as a user reads it (report,
# oncpu.csv, summary.json, oncpu_stacks.folded), on ops whose on-CPU site is
# known in advance, in one run with ops that hardly use a CPU beside them:
#  - zero-read: read(2) of 1M of /dev/zero burns its CPU clearing the
#    buffer in read_zero: the report's "on a CPU:" line names it first with
#    >= 80% of the op's samples; one sample per ms of CPU time, so the
#    samples agree with the op's cpu_ns (schedstat) within 25%; the folded
#    stacks are rooted at zero-read/read and sum to its samples;
#  - pipe-wait's read and nap, in the same run: none of read_zero's samples
#    is theirs, and they have about as few as their cpu_ns says (samples go
#    to the op of the task that ran, inside its window);
#  - --no-oncpu writes none of it.
set -u
. "$(dirname "$0")/lib.sh"
need_root

run_report on zero-read+pipe-wait --workload zero-read --workers 1 --workload pipe-wait \
	--workers 2 --duration 3s
run_report off --no-oncpu --workload zero-read --workers 1 --duration 1s --no-oncpu
sbpython - "$TMP/on" "$TMP/on.txt" "$TMP/off" "$TMP/off.txt" <<'PY' || exit 1
import csv, json, os, re, sys
from sbcheck import check, result
d, txt, doff, txtoff = sys.argv[1:5]
s, rep = result(d, txt)
period = s["capture"]["oncpu_period_ns"]
check(period == 1000000, "oncpu_period_ns %s" % period)
# what a user reads: the report's words (two ops are "read": the one of zero-read's count)
n = s["ops"]["zero-read/read"]["count"]
m = [m for m in re.finditer(r"^  read: (\d+) calls.*\n    \d+ stalled in reclaim.*\n"
                            r"    on a CPU: (\d+)% in ([\w.]+),", rep, re.M) if int(m.group(1)) == n]
check(m, "report: no 'on a CPU: N% in SITE' for zero-read's read:\n" + rep)
m = m[0]
check(m.group(3) == "read_zero" and int(m.group(2)) >= 80,
      "zero-read/read: %s%% in %s, not >= 80%% in read_zero:\n%s" % (m.group(2), m.group(3), rep))
# summary.json says the same, and the samples are its CPU time
v = s["ops"]["zero-read/read"]
oc, cpu = v["oncpu"], v["time_split"]["cpu_ns"]
top = oc["sites"][0]
check(top["site"] == "read_zero" and top["samples"] >= 0.8 * oc["samples"],
      "zero-read/read: top site %s, %d of %d samples" % (top["site"], top["samples"], oc["samples"]))
check(oc["samples"] >= 300, "zero-read/read: only %d samples" % oc["samples"])
check(abs(oc["samples"] * period - cpu) <= 0.25 * cpu,
      "zero-read/read: %d samples of %d ns, cpu_ns %d" % (oc["samples"], period, cpu))
check(sum(x["samples"] for x in oc["sites"]) == oc["samples"], "sites do not add up to the samples")
# the ops beside it: no read_zero, and no more samples than their CPU time
for op in ("pipe-wait/read", "pipe-wait/nap"):
    w = s["ops"][op]
    sites = {x["site"]: x["samples"] for x in w["oncpu"]["sites"]}
    check("read_zero" not in sites, "%s has read_zero samples: %s" % (op, sites))
    cpu = w["time_split"]["cpu_ns"]
    check(w["oncpu"]["samples"] <= 1.5 * cpu / period + 5,
          "%s: %d samples for %d ns on a CPU" % (op, w["oncpu"]["samples"], cpu))
# oncpu.csv: the same per-site samples
rows = list(csv.DictReader(open(d + "/oncpu.csv")))
check(rows and list(rows[0]) == ["workload", "op", "site", "samples", "ops"],
      "oncpu.csv header %s" % (list(rows[0]) if rows else None))
csvs = {r["site"]: int(r["samples"]) for r in rows if r["workload"] == "zero-read"}
check(csvs == {x["site"]: x["samples"] for x in oc["sites"]}, "oncpu.csv %s vs summary" % csvs)
# the flame graph: rooted at workload/op, weighted in samples
fold = [l.rsplit(" ", 1) for l in open(d + "/oncpu_stacks.folded").read().splitlines()]
zr = [(k, int(n)) for k, n in fold if k.startswith("zero-read/read;")]
check(sum(n for _, n in zr) == oc["samples"], "folded zero-read/read %d, samples %d" %
      (sum(n for _, n in zr), oc["samples"]))
check(sum(n for k, n in zr if re.search(r";read_zero(;|$)", k)) >= 0.8 * oc["samples"],
      "folded: read_zero under 80% of zero-read/read")
check(all(k.split(";")[0] in ("zero-read/read", "pipe-wait/read", "pipe-wait/nap") for k, _ in fold),
      "folded roots: %s" % sorted({k.split(";")[0] for k, _ in fold}))
# --no-oncpu: nothing of it
check(not os.path.exists(doff + "/oncpu.csv") and not os.path.exists(doff + "/oncpu_stacks.folded"),
      "--no-oncpu wrote oncpu files")
check("on a CPU:" not in open(txtoff).read(), "--no-oncpu report has an 'on a CPU:' line")
so = json.load(open(doff + "/summary.json"))
check(so["capture"]["oncpu_period_ns"] == 0 and "oncpu" not in so["ops"]["zero-read/read"],
      "--no-oncpu summary has on-CPU samples")
PY
no_stale_cgroups
echo "ok: on-CPU sites (zero-read in read_zero), attribution by op, --no-oncpu"
