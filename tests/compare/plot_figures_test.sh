#!/bin/sh
# What a cover-letter reader sees in stallbench plot's figures, read back from
# the SVG, the .dat and the text plots: legends are exactly "ID label" (what
# differs: the cap here), never the kernel command line; a run has the same
# colour in every figure (also when another run lacks an op and the blocks
# shift); plotted percentiles are the exact order statistics of ops.csv and
# keep a known 1.5x latency ratio; runs with 1 call per repetition get a
# strip plot with every call, many-call runs a CDF; the timeline is one panel
# per run and never holds a PSI share above 100%; text plots fit 72 columns.
# Usage: plot_figures_test.sh STALLBENCH GEN_RESULT WORKDIR. Exit 0 pass, 1 fail, 4 skip.
set -u
SB=$1 GEN=$2 W=$3
fail=0
not_ok() { echo "not ok: $*"; fail=1; }
ok() { echo "ok: $*"; }

command -v gnuplot >/dev/null 2>&1 || { echo "SKIP: gnuplot not installed"; exit 4; }
command -v python3 >/dev/null 2>&1 || { echo "SKIP: python3 not installed"; exit 4; }
rm -rf "$W" && mkdir -p "$W" || exit 1
CL="BOOT_IMAGE=/boot/vmlinuz-6.1.0-57-amd64 root=UUID=0b0e5a1c-4b7e ro quiet console=ttyS0,115200 sbres=/srv/lab/results/x mitigations=auto,nosmt"
for i in 1 2 3; do
	"$GEN" "$W/a$i" --seed $i --n 300 --cap 67108864 --cmdline "$CL" || exit 1
	"$GEN" "$W/b$i" --seed $i --n 300 --scale 1.5 --cap 134217728 --cmdline "$CL" --psi-spike 2 || exit 1
	"$GEN" "$W/fa$i" --seed $i --n 1 --cmdline "$CL" || exit 1
	"$GEN" "$W/fb$i" --seed $i --n 1 --scale 8 --release 6.12.57+deb13-amd64 --cmdline "$CL" || exit 1
done
# run A without punch calls: B's punch block is the file's first, still B's colour
mkdir -p "$W/np" && cp "$W/a1"/*.json "$W/a1"/*.csv "$W/np/" &&
	awk -F, '$6 != "punch"' "$W/a1/ops.csv" >"$W/np/ops.csv" || exit 1

P=$W/ab
"$SB" plot "$W/a1,$W/a2,$W/a3" "$W/b1,$W/b2,$W/b3" --out "$P" >/dev/null 2>"$W/ab.err" ||
	not_ok "plot A B exit $?: $(cat "$W/ab.err")"
"$SB" plot "$W/np" "$W/b1,$W/b2,$W/b3" --out "$W/np-plots" --format svg >/dev/null 2>"$W/np.err" ||
	not_ok "plot np B exit $?: $(cat "$W/np.err")"
"$SB" plot "$W/fa1,$W/fa2,$W/fa3" "$W/fb1,$W/fb2,$W/fb3" --out "$W/few" >/dev/null 2>"$W/few.err" ||
	not_ok "plot few exit $?: $(cat "$W/few.err")"

# legends and colours, read from the SVG the way a browser draws them
python3 - "$W" <<'PY' || fail=1
import re, sys, glob, os
W = sys.argv[1]
bad = 0
def no(msg):
    global bad
    print("not ok:", msg); bad = 1
def legends(svg):
    """{legend text: first colour drawn by that plot} of a gnuplot SVG."""
    s = open(svg).read()
    out = {}
    parts = re.split(r'<g id="gnuplot_plot_\d+" >', s)[1:]
    for p in parts:
        m = re.match(r'<title>([^<]*)</title>', p)
        if not m:
            continue
        # the colour of what the plot draws (path, point), not of empty groups
        c = re.search(r"<(?:path stroke|use [^>]*color)='rgb\(\s*(\d+),\s*(\d+),\s*(\d+)\)", p)
        if c or m.group(1) not in out:
            out[m.group(1)] = c.groups() if c else None
    return out
def titles(svg):
    return re.findall(r'<text>([^<]*)</text>', open(svg).read())

want = {"A cap 64M", "B cap 128M"}
col = {}
for f in ["cdf", "hist", "rounds", "nodes"]:
    svg = f"{W}/ab/{f}-truncate-storm-punch.svg"
    lg = legends(svg)
    # nodes: "ID label p99" (solid) and "ID label p50" (dashed), same colour
    runs = {re.sub(r" p99$", "", k): v for k, v in lg.items() if re.sub(r" p99$", "", k) in want}
    extra = {k for k in lg if not k.startswith("gnuplot_plot_") and re.sub(r" p(50|99)$", "", k) not in want}
    if set(runs) != want or extra:
        no(f"{f}: legends {sorted(lg)}, want exactly {sorted(want)}")
    for k, v in runs.items():
        if v is None:
            no(f"{f}: legend {k!r} has no colour")
        elif col.setdefault(k, v) != v:
            no(f"{f}: {k!r} drawn in rgb{v}, in another figure rgb{col[k]}")
    for t in titles(svg):
        if "BOOT_IMAGE" in t or "root=" in t or "console=" in t or "/" in t.replace("truncate-storm/punch", ""):
            no(f"{f}: text {t!r} carries the command line or a path")
if len(col) == 2 and col["A cap 64M"] == col["B cap 128M"]:
    no("A and B have the same colour")
print("ok: legends exactly", sorted(want), "colours", col)
# B alone in a figure (A has no punch) keeps B's colour
lg = legends(f"{W}/np-plots/cdf-truncate-storm-punch.svg")
b = [v for k, v in lg.items() if k.startswith("B ")]
if list(lg) and [k for k in lg if k.startswith("A ")]:
    no("np: A drawn in a figure of an op it never ran")
lgf = legends(f"{W}/np-plots/cdf-truncate-storm-ftruncate.svg")
bf = [v for k, v in lgf.items() if k.startswith("B ")]
if not b or not bf or b[0] != bf[0]:
    no(f"np: B is rgb{b} where A is missing, rgb{bf} where A is there")
else:
    print("ok: B keeps its colour in a figure without A:", b[0])
# strip plots: the kernels label the runs, same colours as a CDF would use
lg = legends(f"{W}/few/strip-vmalloc-nofail-alloc.svg")
wantf = {"A 6.1.0-56-amd64", "B 6.12.57+deb13-amd64"}
if not wantf <= set(lg):
    no(f"few: strip legends {sorted(lg)}, want {sorted(wantf)}")
elif lg["A 6.1.0-56-amd64"] != col.get("A cap 64M") or lg["B 6.12.57+deb13-amd64"] != col.get("B cap 128M"):
    no("few: run A/B colours differ from the other letter's A/B")
else:
    print("ok: strip legends", sorted(wantf))
sys.exit(bad)
PY

# percentiles: exact order statistics of ops.csv, and the 1.5x ratio
python3 - "$W" <<'PY' || fail=1
import re, sys, math
W = sys.argv[1]
bad = 0
def pct(v, q):
    x = q * len(v); k = int(x)
    if x - k > 1e-9 * max(x, 1.0): k += 1
    return v[min(max(k, 1), len(v)) - 1]
def lat(dirs, op):
    v = []
    for d in dirs:
        rows = open(f"{W}/{d}/ops.csv").read().split("\n")
        h = rows[0].split(",")
        for r in rows[1:]:
            c = r.split(",")
            if len(c) != len(h): continue
            c = dict(zip(h, c))
            if c["op"] == op and "unfinished" not in c["flags"]:
                v.append(int(c["latency_ns"]))
    return sorted(v)
def dat_pcts(path):
    out = {}
    for m in re.finditer(r"^# (\w+): n=(\d+) p50_us=(\S+) p90_us=(\S+) p99_us=(\S+)", open(path).read(), re.M):
        out[m.group(1)] = dict(n=int(m.group(2)), p50=float(m.group(3)), p90=float(m.group(4)), p99=float(m.group(5)))
    return out
d = dat_pcts(f"{W}/ab/cdf-truncate-storm-punch.dat")
a = lat(["a1", "a2", "a3"], "punch")
for q, k in ((0.5, "p50"), (0.9, "p90"), (0.99, "p99")):
    want = pct(a, q) / 1e3
    if "A" not in d or d["A"]["n"] != len(a) or abs(d["A"][k] - want) > 1e-6 * want:
        print(f"not ok: A punch {k} in the .dat {d.get('A')}, ops.csv says {want} (n={len(a)})"); bad = 1
    elif abs(d["B"][k] / d["A"][k] - 1.5) > 0.01:
        print(f"not ok: B/A {k} = {d['B'][k] / d['A'][k]:.4f}, want 1.5"); bad = 1
if not bad:
    print(f"ok: A punch p50/p90/p99 = ops.csv order statistics (n={len(a)}); B/A = 1.5")
# the CDF line crosses 0.5 at that p50
rows = open(f"{W}/ab/cdf-truncate-storm-punch.dat").read().split("\n\n\n")[0].split("\n")
pts = [tuple(map(float, r.split())) for r in rows if r and r[0] not in '#"']
x50 = next(x for x, f in pts if f >= 0.5)
if abs(x50 - d["A"]["p50"]) > 1e-6 * x50:
    print(f"not ok: A's CDF reaches 0.5 at {x50}, p50 is {d['A']['p50']}"); bad = 1
else:
    print("ok: the CDF steps to 0.5 at the p50")
# strip: every call, A's 3 calls, medians 8x apart
blocks = [b for b in open(f"{W}/few/strip-vmalloc-nofail-alloc.dat").read().split("\n\n\n") if b.strip()]
pts = {}
for b in blocks:
    for r in b.split("\n"):
        if r and r[0] not in '#"':
            c = r.split(); pts.setdefault(c[4], []).append((float(c[2]), float(c[3])))
fa = lat(["fa1", "fa2", "fa3"], "alloc")
unit = re.search(r"values in (\w+)", blocks[0]).group(1)
div = {"us": 1e3, "ms": 1e6, "s": 1e9}[unit]
if sorted(round(v * div) for v, _ in pts.get("A", [])) != fa:
    print(f"not ok: strip A points {pts.get('A')} ({unit}), ops.csv {fa}"); bad = 1
elif abs(pts["A"][0][1] * div - pct(fa, 0.5)) > 1:
    print(f"not ok: strip A median {pts['A'][0][1]}, ops.csv {pct(fa, 0.5)}"); bad = 1
elif abs(pts["B"][0][1] / pts["A"][0][1] - 8) > 0.01:
    print(f"not ok: strip median ratio {pts['B'][0][1] / pts['A'][0][1]}, want 8"); bad = 1
else:
    print(f"ok: strip has A's 3 calls {fa} and the medians are 8x apart")
sys.exit(bad)
PY

# figure kinds: CDF for many calls, strip for one call per repetition
[ -s "$P/cdf-vmalloc-nofail-alloc.svg" ] && [ ! -e "$P/strip-vmalloc-nofail-alloc.svg" ] &&
	ok "900 calls per run: CDF, no strip" || not_ok "many calls: no CDF or a strip"
[ -s "$W/few/strip-vmalloc-nofail-alloc.svg" ] && [ ! -e "$W/few/cdf-vmalloc-nofail-alloc.svg" ] &&
	ok "3 calls per run: strip, no CDF" || not_ok "few calls: a CDF or no strip"
[ -s "$W/few/rounds-vmalloc-nofail-alloc.dat" ] && grep -q '^# .*reclaim rounds' "$W/few/rounds-vmalloc-nofail-alloc.dat" &&
	ok "few calls: rounds per call as a strip" || not_ok "few calls: no rounds strip"
for f in stalls timeline; do
	for e in png svg txt; do [ -s "$P/$f.$e" ] || not_ok "missing $f.$e"; done
done
grep -q '^"A cap 64M"' "$P/stalls.dat" && grep -q '^"B cap 128M"' "$P/stalls.dat" &&
	ok "stall bars: one block per run" || not_ok "stall bars blocks"

# timeline: one panel per run, titled "ID label"; no PSI above 100%
n=$(grep -cE '<text>(A cap 64M|B cap 128M)</text>' "$P/timeline.svg")
t=$(grep -cE '^ *(A cap 64M|B cap 128M)$' "$P/timeline.txt")
[ "$n" -eq 2 ] && [ "$t" -eq 2 ] && ok "timeline: 2 panels titled by run (svg, txt)" ||
	not_ok "timeline: $n panel titles in the SVG, $t in the text, want 2"
awk '!/^#/ && !/^t_s/ && NF { for (c = 2; c <= 4; c++) if ($c != "?" && $c + 0 > 100) { print "PSI " $c " at " $1; bad = 1 } }
	END { exit bad }' "$P/timeline.dat" && ok "timeline.dat: no PSI above 100%" || not_ok "PSI above 100% drawn"
grep -q '^# B: .* 2 PSI ticks above 100% not drawn' "$P/timeline.dat" &&
	grep -q 'run B: 2 PSI ticks above 100%' "$W/ab.err" &&
	ok "the 2 bad PSI ticks are reported (.dat, stderr)" || not_ok "bad PSI ticks not reported"

# stacked bars as text: every kind's legend intact, "N kind" on a line of its
# own (two columns of long kinds overprinted each other in 72 columns)
python3 - "$P" <<'PY' && ok "text bar figures: each kind's legend whole" || not_ok "a text bar figure's legend is garbled"
import glob, re, sys
P = sys.argv[1]
log = open(P + "/gnuplot.log").read()
n = 0
for txt in glob.glob(P + "/stalls.txt") + glob.glob(P + "/time-*.txt"):
    m = re.search(r"out='" + re.escape(txt) + r"'.*?kinds='([^']*)'", log)
    if not m:
        print("no gnuplot line for", txt); sys.exit(1)
    lines = [l.strip() for l in open(txt)]
    for j, k in enumerate(m.group(1).split()):
        if "%d %s" % (j + 1, k) not in lines:
            print("%s: no legend line '%d %s'" % (txt, j + 1, k)); sys.exit(1)
        n += 1
if n == 0:
    print("no text bar figure read"); sys.exit(1)
PY
if awk 'length($0) > 72 { print FILENAME ": " length($0); bad = 1 } END { exit bad }' \
	"$P"/*.txt "$W/few"/*.txt; then ok "every text plot <= 72 columns"; else not_ok "text plots too wide"; fi

[ $fail -eq 0 ] && echo PASS || echo FAIL
exit $fail
