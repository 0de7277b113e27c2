# Shell pieces shared by run.sh and vm/sweep to write a cover letter: a
# sweep's repetitions grouped into points, text wrapped to a 72-column mail,
# and the block that lets a reader reproduce the result. Sourced, not run.
# Letters name points and kernels, never a path of the machine they were
# made on.

# Prints "point<TAB>dir1,dir2,..." for every point of a sweep directory:
# directories named <point>-r<N> are repetitions of one point.
sb_group_points() {
	local sweep=$1 d base
	declare -A reps=()
	local order=()
	for d in "$sweep"/*/; do
		d=${d%/}
		[[ -f $d/summary.json || -f $d/meta.json ]] || continue
		base=$(basename "$d")
		base=${base%-r[0-9]*}
		[[ -n ${reps[$base]:-} ]] || order+=("$base")
		reps[$base]=${reps[$base]:+${reps[$base]},}$d
	done
	for base in "${order[@]}"; do
		printf '%s\t%s\n' "$base" "${reps[$base]}"
	done
}

# Filter: wraps every line to 72 columns; continuation lines are indented
# two more than the line they continue.
sb_wrap72() {
	awk '{
		line = $0
		match(line, /^ */); ind = RLENGTH
		first = 1
		while (length(line) > 72) {
			cut = 0
			for (i = 72; i > ind + 1; i--)
				if (substr(line, i, 1) == " ") { cut = i; break }
			if (!cut) cut = 72
			print substr(line, 1, cut - 1)
			rest = substr(line, cut + 1)
			sub(/^ +/, "", rest)
			line = sprintf("%*s%s", ind + 2, "", rest)
		}
		print line
	}'
}

# The value at a dotted path of a JSON file ("" if absent or null).
sb_json() {
	python3 -c 'import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    v = v.get(k) if isinstance(v, dict) else None
print("" if v is None else (len(v) if isinstance(v, list) else v))' "$1" "$2" 2>/dev/null
}

# The machine a letter's numbers come from, one line: CPU model, cores,
# memory, NUMA nodes, and whether it is bare metal or which hypervisor.
# $1: a meta.json of a run on that machine (the host when none is given).
sb_machine_line() {
	local meta=${1:-} model cpus mem nodes virt
	if [[ -n $meta && -f $meta ]]; then
		model=$(sb_json "$meta" host.cpu_model)
		cpus=$(sb_json "$meta" host.cpus)
		mem=$(sb_json "$meta" host.mem_total_bytes)
		nodes=$(sb_json "$meta" topology.nodes)
		virt=$(sb_json "$meta" host.virt)
	else
		"${SB:-stallbench}" doctor --machine
		return
	fi
	[[ $virt == tcg ]] && virt="QEMU TCG (emulated: slow, some times distorted)"
	printf '%s, %s CPUs, %s GiB, %s NUMA node%s, %s\n' "${model:-unknown CPU}" \
		"${cpus:-?}" "$(awk -v b="${mem:-0}" 'BEGIN { printf "%.1f", b / 2^30 }')" \
		"${nodes:-?}" "$([[ ${nodes:-1} == 1 ]] || echo s)" "${virt:-unknown}"
}

# The reproduce block. $1: the command (as the user typed it); $2: a meta.json
# of the lab or host run (version, git); further args: "ID|release|package|added"
# one per kernel ("added" = boot parameters added to the lab's own), or
# "ID|release|host||machine" one per lab host (each its own machine).
sb_reproduce() {
	local cmd=$1 meta=$2 k id rel pkg added machine per_host=
	shift 2
	for k in "$@"; do
		IFS='|' read -r id rel pkg added machine <<<"$k"
		[[ -n $machine ]] && per_host=1
	done
	echo "To reproduce:"
	echo "  stallbench $(sb_json "$meta" tool.version) (git $(sb_json "$meta" tool.git))"
	echo "  $cmd"
	if [[ -n $per_host ]]; then
		:
	elif [[ $(sb_json "$meta" host.virt) == tcg ]]; then
		echo "  host: $(sb_machine_line)"
		echo "  guests: $(sb_machine_line "$meta")"
	else
		echo "  machine: $(sb_machine_line "$meta")"
	fi
	for k in "$@"; do
		IFS='|' read -r id rel pkg added machine <<<"$k"
		if [[ -n $machine ]]; then
			echo "  $id: host $pkg, kernel $rel, machine: $machine"
		else
			echo "  $id: $rel${pkg:+ ($pkg)}, boot parameters added: ${added:-none}"
		fi
	done
}

# What ran, 3-5 lines, from the first run of every point (meta.json): the
# workloads and their options, cap, duration, repetitions, filesystem and
# how it was made and mounted, and whether the numbers come from bare
# metal, KVM or QEMU TCG. $1: repetitions per side; further args: meta.json
# files, one per point.
sb_what_ran() {
	python3 - "$@" <<'PY'
import json, sys
reps, metas = sys.argv[1], sys.argv[2:]
def size(b):
    b = int(b or 0)
    for u, d in (("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)):
        if b and b % d == 0:
            return "%d%s" % (b // d, u)
    return str(b)
parts, fs, virt, durs = {}, None, None, set()
for path in metas:
    try:
        m = json.load(open(path))
    except Exception:
        continue
    p = m.get("params", {})
    virt = virt or (m.get("host") or {}).get("virt")
    durs.add("%gs" % (p.get("duration_ns", 0) / 1e9))
    cap = size((m.get("cgroup") or {}).get("cap_bytes") or p.get("cap_bytes"))
    ws, var = [], None
    for w in p.get("workloads", []):
        o, n = w.get("options", {}), w.get("name", "?")
        if n == "truncate-storm":
            mix = o.get("mix", "?")
            ops = [x.split("=") for x in mix.split(",")]
            if all(len(x) == 2 for x in ops) and len(set(x[1] for x in ops)) == 1:
                mix = "/".join(x[0] for x in ops)
            ws.append("truncate-storm (%s workers, %s files, %s)" % (
                w.get("workers", o.get("workers", "?")), o.get("file-size", "?"), mix))
            if w.get("fstype"):
                fs = "%s (%s; mounted %s)" % (w["fstype"], w.get("mkfs") or "made before the run",
                                              w.get("mount_options") or "?")
        elif n == "vmalloc-nofail":
            ws.append("vmalloc-nofail (%s call of %s" % (o.get("alloc-count", "1"), o.get("alloc-size", "?")))
            var = o.get("alloc-flags", "?").replace(",", "|").upper()
        elif n == "memhog":
            ws.append("memhog (%s of the cap)" % o.get("fraction", "?"))
        else:
            ws.append(n)
    e = parts.setdefault((" + ".join(ws), cap), [])
    if var and var not in e:
        e.append(var)
out = []
for (key, cap), var in parts.items():
    out.append("%s%s in a %s memcg" % (key, ", " + " or ".join(var) + ")" if var else "", cap))
import os
hosts = os.environ.get("SB_WHAT_OF") == "hosts"	# lab hosts over ssh, not lab guests
kind = {"tcg": "QEMU TCG guests (emulated: times are slow, counts are not)",
        "kvm": "KVM guests", "none": "bare metal", "": "an unknown machine"}
if hosts:
    kind = {"tcg": "hosts that are QEMU TCG guests (times are slow, counts are not)",
            "kvm": "hosts that are KVM guests", "none": "bare-metal hosts", "": "hosts of an unknown kind"}
print("What ran: " + "; ".join(out) + ".")
print("%s per run, %s runs per side%s; %s%s." % ("/".join(sorted(durs)), reps,
      ", each a fresh boot" if virt in ("tcg", "kvm") and not hosts else "",
      kind.get(virt or "", "a %s guest" % virt), "; on " + fs if fs else ""))
PY
}

# The environment block: per kernel the exact packages with upstream
# versions (kernel.lock), key CONFIG lines and a hash of the whole config,
# the boot line, taint; the host. $1: a meta.json (host); then
# "ID|kernel result folder (k<N>: kernel.lock, config, vm.cmdline,
# vm.tainted)|release" per kernel.
sb_environment() {
	local meta=$1 k id kd rel cfg t line boots=() taints=() b cfgs=()
	shift
	echo "Environment:"
	for k in "$@"; do
		IFS='|' read -r id kd rel <<<"$k"
		line=$(awk '!/^#/ && NF >= 5 && $3 ~ /^linux-image-/ { printf "%s (%s %s)", $5, $3, $4; exit }' \
			"$kd/kernel.lock" 2>/dev/null)
		[[ -z $line ]] && line=$(grep -m1 '^# self-built' "$kd/kernel.lock" 2>/dev/null | sed 's/^# //; s| /[^ ]*/| |')
		echo "  $id: ${line:-$rel (no kernel.lock)}"
		cfgs+=("$id|$kd/config")
		# the boot line less the lab's own words (its paths: sbres=, sbinit=...)
		boots+=("$(tr ' ' '\n' <"$kd/vm.cmdline" 2>/dev/null |
			grep -v '^\(BOOT_IMAGE\|initrd\|sbres\|sbtag\|sbinit\)=' | grep . | tr '\n' ' ' | sed 's/ $//')")
		t=$(cat "$kd/vm.tainted" 2>/dev/null)
		[[ -n $t ]] && t="$t$(python3 -c 'import sys
t = int(sys.argv[1] or 0); f = "PFSRMBUDAWCIOELKXTN"
print(" = " + "".join(c for i, c in enumerate(f) if t >> i & 1) + (
    " (the unsigned nofail_vmalloc module)" if t & (1 << 12) else "") if t else " (none)")' "$t" 2>/dev/null)"
		taints+=("$t")
	done
	# each config's hash, then its key lines: alike said once, differing per kernel
	((${#cfgs[@]})) && python3 - "${cfgs[@]}" <<'PY'
import hashlib, re, sys
KEYS = ["PREEMPT_NONE", "PREEMPT_VOLUNTARY", "PREEMPT", "PREEMPT_RT", "PREEMPT_DYNAMIC", "MEMCG",
        "LRU_GEN", "LRU_GEN_ENABLED", "TRANSPARENT_HUGEPAGE", "TRANSPARENT_HUGEPAGE_ALWAYS",
        "TRANSPARENT_HUGEPAGE_MADVISE", "KASAN", "INIT_ON_ALLOC_DEFAULT_ON"]
ids, vals, hashes = [], [], []
for a in sys.argv[1:]:
    i, path = a.split("|", 1)
    ids.append(i)
    try:
        text = open(path, "rb").read()
    except OSError:
        hashes.append("%s not recorded" % i); vals.append(None); continue
    hashes.append("%s %s" % (i, hashlib.sha256(text).hexdigest()[:12]))
    v = {}
    for line in text.decode(errors="replace").splitlines():
        m = re.match(r"^CONFIG_([A-Z0-9_]+)=(.*)$", line) or re.match(r"^# CONFIG_([A-Z0-9_]+) is not set", line)
        if m and m.group(1) in KEYS:
            v[m.group(1)] = m.group(2) if m.lastindex == 2 else "n"
    vals.append(v)
print("  config sha256: " + ", ".join(hashes))
known = [v for v in vals if v is not None]
if known:
    # a key a config lacks is not set; alike: what is set, and KASAN either way
    alike, differ = [], []
    for k in KEYS:
        vs = [v.get(k) or "n" for v in known]
        if all(k not in v for v in known):
            continue
        if len(set(vs)) == 1:
            if vs[0] != "n" or k == "KASAN":
                alike.append("%s=%s" % (k, vs[0]))
        else:
            differ.append("%s %s" % (k, " ".join("%s=%s" % (i, v.get(k) or "n")
                                                for i, v in zip(ids, vals) if v is not None)))
    if alike:
        print("  CONFIG alike: " + " ".join(alike))
    if differ:
        print("  CONFIG differs: " + "; ".join(differ))
PY
	# the boot line's words every kernel has, once; each kernel's others after
	if ((${#boots[@]} > 1)); then
		python3 - "$@" -- "${boots[@]}" <<'PY'
import sys
a = sys.argv[1:]
cut = a.index("--")
ids = [k.split("|")[0] for k in a[:cut]]
words = [b.split() for b in a[cut + 1:]]
common = [w for w in words[0] if all(w in ws for ws in words[1:])]
extra = ["%s adds %s" % (i, " ".join(w for w in ws if w not in common))
         for i, ws in zip(ids, words) if any(w not in common for w in ws)]
print("  boot (every kernel): " + " ".join(common) + ("; " + "; ".join(extra) if extra else ""))
PY
		boots=()
	fi
	# a taint every kernel shares is said once
	for b in boots taints; do
		local -n arr=$b
		((${#arr[@]})) || continue
		if [[ $(printf '%s\n' "${arr[@]}" | sort -u | wc -l) == 1 ]]; then
			[[ -n ${arr[0]} ]] && echo "  ${b%s} (every kernel): ${arr[0]}"
		else
			for k in "${!arr[@]}"; do
				echo "  ${b%s} of $(cut -d'|' -f1 <<<"${@:$((k + 1)):1}"): ${arr[$k]:-?}"
			done
		fi
	done
	if [[ $(sb_json "$meta" host.virt) == tcg ]]; then
		echo "  host: $(sb_machine_line)"
		# (a TCG guest's CPU model already says QEMU TCG)
		echo "  guests: $(sb_machine_line "$meta" | sed 's/ (emulated: .*)$//; /QEMU TCG .*, QEMU TCG$/s/, QEMU TCG$//')"
	else
		echo "  machine: $(sb_machine_line "$meta")"
	fi
}

# LKP-style dmesg counts and an mmtests-style vmstat block. $1: "letter"
# (one line: the dmesg events some run saw, fail:runs per kernel) or
# "appendix" (the dmesg table, and per point the vmstat deltas per run);
# $2: points.tsv; further args: "ID|kernel result folder" (each boot's
# dmesg is vm.dmesg.rN there).
sb_mm_blocks() {
	python3 - "$@" <<'PY'
import csv, glob, io, os, re, sys
mode, points, kernels = sys.argv[1], sys.argv[2], [k.split("|")[:2] for k in sys.argv[3:]]
EVENTS = [("WARNING", r"WARNING:"), ("oom-kill", r"Killed process|oom-kill:"),
          ("oom-killer ran", r"invoked oom-killer"), ("alloc failure", r"page allocation failure"),
          ("hung task", r"blocked for more than"), ("FINDING", r"nofail_vmalloc: FINDING"),
          ("Oops/BUG", r"Oops|BUG:|general protection fault|Kernel panic")]
def dmesg_counts(kd):
    runs = sorted(glob.glob(kd + "/vm.dmesg.r*")) or ([kd + "/vm.dmesg"] if os.path.exists(kd + "/vm.dmesg") else [])
    out = {}
    for name, rx in EVENTS:
        out[name] = sum(1 for r in runs if re.search(rx, open(r, errors="replace").read()))
    return out, len(runs)
d = {kid: dmesg_counts(kd) for kid, kd in kernels}
if mode == "letter":
    if not d or not any(n for _, n in d.values()):
        sys.exit(0)
    seen = [e for e, _ in EVENTS if any(c[e] for c, _ in d.values())]
    # the OOM killer ran where it killed: said once, as the kills
    if "oom-killer ran" in seen and all(c["oom-killer ran"] == c["oom-kill"] for c, _ in d.values()):
        seen.remove("oom-killer ran")
    none = [e for e, _ in EVENTS if e not in seen and e != "oom-killer ran"]
    parts = ["%s %s" % (e, " | ".join("%s %d:%d" % (k, d[k][0][e], d[k][1]) for k, _ in kernels)) for e in seen]
    t = "; ".join(parts)
    if none:
        t += ("; " if t else "") + "no " + ", ".join(none)
    print("dmesg (runs with it : runs): " + t + ".")
    sys.exit(0)
if d and any(n for _, n in d.values()):
    print("dmesg, LKP-style (fail:runs: runs with it : runs)")
    print("%-16s" % "" + "".join("%14s" % k for k, _ in kernels))
    for e, _ in EVENTS:
        print("%-16s" % e + "".join("%14s" % ("%d:%d" % (d[k][0][e], d[k][1])) for k, _ in kernels))
    print()
COLS = [("allocstall", "allocstall"), ("pgscan_direct", "pgscan direct"),
        ("pgscan_kswapd", "pgscan kswapd"), ("compact_stall", "compact_stall"),
        ("memcg_pgscan", "memcg pgscan"), ("memcg_pgsteal", "memcg pgsteal"),
        ("memcg_oom_kill", "memcg oom_kill")]
def last(run):
    try:
        rows = list(csv.DictReader(open(run + "/timeline.csv")))
    except OSError:
        return {}
    out = {}
    for c, _ in COLS:
        vals = [float(r[c]) for r in rows if r.get(c) not in (None, "")]
        out[c] = max(vals) if vals else None   # since the start of the run
    return out
def cell(v):
    v = [x for x in v if x is not None]
    if not v:
        return "-"
    f = lambda x: "%.3gk" % (x / 1e3) if x >= 1e4 else "%.0f" % x
    if len(v) > 5:
        m = sum(v) / len(v)
        return "%s+-%s" % (f(m), f((sum((x - m) ** 2 for x in v) / (len(v) - 1)) ** .5))
    return " ".join(f(x) for x in v)
for line in open(points):
    f = line.rstrip("\n").split("\t")
    if len(f) < 3:
        continue
    runs = [[last(r) for r in spec.split(",")] for spec in f[1:]]
    ids = [chr(65 + i) for i in range(len(runs))]
    rows = []
    for i in range(1, len(runs)):
        rows.append("%-15s %-20s %-20s %s" % ("", ids[0], ids[i], "mean"))
        for c, label in COLS:
            a = [r.get(c) for r in runs[0]]
            b = [r.get(c) for r in runs[i]]
            if all(x in (None, 0) for x in a + b):
                continue
            ma = [x for x in a if x is not None]
            mb = [x for x in b if x is not None]
            ch = ""
            if ma and mb and sum(ma):
                ch = "%+.0f%%" % ((sum(mb) / len(mb)) / (sum(ma) / len(ma)) * 100 - 100)
            rows.append("%-15s %-20s %-20s %s" % (label, cell(a), cell(b), ch))
    if len(rows) > len(runs) - 1:	# some counter moved
        print("vmstat, %s (each run's count over the run)" % f[0])
        print("\n".join(rows))
        print()
PY
}

# The cover letter over several sweeps (one per kernel, or per lab host):
# one family of comparisons over every sweep point present in every sweep,
# its repetitions pooled. cover-letter.txt is what a maintainer pastes
# (about 80 lines): what ran, the verdict (outcomes first), a compact
# table per point, the environment, how to reproduce it, and the link.
# cover-letter-full.txt is the appendix: the environment, every point's
# full tables and text figures. No path of this machine goes in.
# $1: the output folder (cover-letter.txt, cover-letter-full.txt,
# points.tsv, compare.json, verdict-N.txt, plots/); $2: the command as the
# user typed it; $3: what the sweeps are ("kernels", "hosts"). Reads the
# caller's arrays dirs (a sweep folder each), labels (one line each),
# kinfo (sb_reproduce's entries) and kenv (sb_environment's, may be
# empty), SB_LETTER_NOTES (lines printed under the runs, e.g. hosts
# that gave nothing), SB_LETTER_FAULTS (lines ending the environment
# block: the faults a sweep met, which kernel or host, point, why)
# and SB_LETTER_LINK (the link line's target). Sets
# SB_CMP_VARY (compare --vary KEYS for what the sweeps vary on purpose).
# Sets SB_VSTAT: 0 no change, 3 a significant one, 2 not comparable.
# Returns 1 when no point ran in every sweep.
sb_cover_letter() {
	local cmpdir=$1 command=$2 what=$3 letter=$1/cover-letter.txt full=$1/cover-letter-full.txt
	local p reps d list ok i j rc op t meta1 vstat=0 spec_all points=() specs=() figs S metas=()
	local ids=({A..Z}) nreps
	while IFS=$'\t' read -r p reps; do
		spec_all=() ok=1
		for d in "${dirs[@]}"; do
			list=$(sb_group_points "$d" | awk -F'\t' -v p="$p" '$1 == p { print $2 }')
			[[ -n $list ]] || { ok=; break; }
			spec_all+=("$list")
		done
		[[ -n $ok ]] || continue
		points+=("$p")
		specs+=("$(printf '%s\n' "${spec_all[@]}")")
		metas+=("${spec_all[0]%%,*}/meta.json")
	done < <(sb_group_points "${dirs[0]}")
	((${#points[@]})) || { log "no sweep point ran in every one of the ${what}"; return 1; }
	meta1=$(ls "${dirs[0]}"/*/meta.json 2>/dev/null | head -1)
	nreps=$(IFS=,; set -- ${specs[0]%%$'\n'*}; echo $#)
	: >"$cmpdir/points.tsv"
	for i in "${!points[@]}"; do
		mapfile -t S <<<"${specs[$i]}"
		(IFS=$'\t'; echo "${points[$i]}	${S[*]}") >>"$cmpdir/points.tsv"
	done
	if ((${#dirs[@]} > 1)); then
		# one family: the letter, its appendix's tables and the page's JSON
		"$SB" compare --allow-incomplete ${SB_CMP_VARY[@]+"${SB_CMP_VARY[@]}"} --points "$cmpdir/points.tsv" \
			--format letter >"$cmpdir/letter-body.txt" 2>"$cmpdir/compare.log" &&
		"$SB" compare --allow-incomplete ${SB_CMP_VARY[@]+"${SB_CMP_VARY[@]}"} --points "$cmpdir/points.tsv" \
			>"$cmpdir/full-tables.txt" 2>>"$cmpdir/compare.log" &&
		"$SB" compare --allow-incomplete ${SB_CMP_VARY[@]+"${SB_CMP_VARY[@]}"} --points "$cmpdir/points.tsv" \
			--format json >"$cmpdir/compare.json" 2>>"$cmpdir/compare.log" ||
			log "compare --points failed: $(tail -1 "$cmpdir/compare.log")"
		vstat=$(python3 - "$cmpdir/compare.json" <<'PY'
import json, sys
try:
    pts = json.load(open(sys.argv[1]))["points"]
except Exception:
    print(2); sys.exit()
st = 0
for p in pts:
    m = p["model"]
    if not m.get("comparable") or not any(c.get("testable") for c in m.get("columns", [])):
        st = 2
    elif m.get("verdict") and st != 2:
        st = 3
print(st)
PY
)
		# each point's verdict alone, for scripts (bisect judges one point)
		for i in "${!points[@]}"; do
			mapfile -t S <<<"${specs[$i]}"
			"$SB" compare --allow-incomplete ${SB_CMP_VARY[@]+"${SB_CMP_VARY[@]}"} --verdict "${S[@]}" \
				>"$cmpdir/verdict-$i.txt" 2>&1
		done
	fi
	for i in "${!points[@]}"; do
		mapfile -t S <<<"${specs[$i]}"
		"$SB" plot --allow-incomplete "${S[@]}" --out "$cmpdir/plots/${points[$i]}" >/dev/null \
			2>"$cmpdir/plots-${points[$i]}.log" || log "plot ${points[$i]} failed"
	done
	{
		t="stallbench: A ${labels[0]} vs B ${labels[1]:-}, ${#points[@]} sweep point(s)"
		if ((${#dirs[@]} == 2)) && ((${#t} <= 72)); then
			echo "$t"	# two kernels: one line names both
		else
			if ((${#dirs[@]} > 1)); then
				echo "stallbench: ${#dirs[@]} $what compared, ${#points[@]} sweep point(s)"
			else
				echo "stallbench: one ${what%s}, ${#points[@]} sweep point(s)"
			fi
			for j in "${!dirs[@]}"; do
				echo "  ${ids[$j]}: ${labels[$j]}"
			done
		fi
		for t in ${SB_LETTER_NOTES[@]+"${SB_LETTER_NOTES[@]}"}; do
			echo "$t"
		done
		SB_WHAT_OF=$what sb_what_ran "$nreps" "${metas[@]}"
		echo
		if ((${#dirs[@]} > 1)); then
			cat "$cmpdir/letter-body.txt"
		fi
		sb_mm_blocks letter "$cmpdir/points.tsv" ${kenv[@]+"${kenv[@]}"}
		echo
		sb_environment "$meta1" ${kenv[@]+"${kenv[@]}"}
		for t in ${SB_LETTER_FAULTS[@]+"${SB_LETTER_FAULTS[@]}"}; do
			echo "$t"
		done
		echo
		sb_reproduce "$command" "$meta1" "${kinfo[@]}" |
			grep -v '^  \(host\|guests\|machine\): \|boot parameters added: none$' |
			awk 'NR == 1 { next } NR == 2 { sub(/^  /, ""); sub(/ \(git /, ", git "); sub(/\)$/, ""); print "To reproduce (" $0 "):"; next } { print }'
		echo
		echo "Plots and data: ${SB_LETTER_LINK:-the bundle (stallbench bundle), its index.html}"
	} >"$letter.raw"	# not a pipe: vstat must outlive the block
	sb_wrap72 <"$letter.raw" >"$letter" && rm -f "$letter.raw"
	{
		echo "stallbench: the appendix of cover-letter.txt: the environment, every"
		echo "point's full tables and text figures."
		echo
		sb_environment "$meta1" ${kenv[@]+"${kenv[@]}"}
		echo
		SB_WHAT_OF=$what sb_what_ran "$nreps" "${metas[@]}"
		echo
		sb_mm_blocks appendix "$cmpdir/points.tsv" ${kenv[@]+"${kenv[@]}"}
		if ((${#dirs[@]} > 1)); then
			cat "$cmpdir/full-tables.txt"
		fi
		for i in "${!points[@]}"; do
			mapfile -t S <<<"${specs[$i]}"
			echo
			echo "=== ${points[$i]}: figures"
			if ((${#S[@]} == 1)); then
				IFS=, read -r -a R <<<"${S[0]}"
				for r in "${R[@]}"; do
					(cd "$(dirname "$r")" && "$SB" report --allow-incomplete "$(basename "$r")" 2>&1)
					echo
				done
			fi
			for t in "$cmpdir/plots/${points[$i]}"/*.txt; do
				[[ -f $t ]] && { echo; cat "$t"; }
			done
		done
	} >"$full.raw"
	sb_wrap72 <"$full.raw" >"$full" && rm -f "$full.raw"
	rm -f "$cmpdir/letter-body.txt" "$cmpdir/full-tables.txt"
	SB_VSTAT=$vstat
}
