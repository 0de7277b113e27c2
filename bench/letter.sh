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
# one per kernel ("added" = boot parameters added to the lab's own).
sb_reproduce() {
	local cmd=$1 meta=$2 k id rel pkg added
	shift 2
	echo "To reproduce:"
	echo "  stallbench $(sb_json "$meta" tool.version) (git $(sb_json "$meta" tool.git))"
	echo "  $cmd"
	if [[ $(sb_json "$meta" host.virt) == tcg ]]; then
		echo "  host: $(sb_machine_line)"
		echo "  guests: $(sb_machine_line "$meta")"
	else
		echo "  machine: $(sb_machine_line "$meta")"
	fi
	for k in "$@"; do
		IFS='|' read -r id rel pkg added <<<"$k"
		echo "  $id: $rel${pkg:+ ($pkg)}, boot parameters added: ${added:-none}"
	done
}
