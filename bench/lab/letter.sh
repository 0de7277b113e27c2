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

# The cover letter over several sweeps (one per kernel, or per lab host):
# one comparison and one set of plots per sweep point present in every
# sweep, its repetitions pooled. It opens with the verdict of every point,
# then the runs, one table per point with its figures' text versions, and
# ends with how to reproduce it. No path of this machine goes in.
# $1: the output folder (cover-letter.txt, verdict-N.txt, plots/);
# $2: the command as the user typed it; $3: what the sweeps are ("kernels",
# "hosts"). Reads the caller's arrays dirs (a sweep folder each), labels
# (one line each) and kinfo (sb_reproduce's entries), and SB_LETTER_NOTES
# (lines printed under the runs, e.g. hosts that gave nothing). Sets
# SB_CMP_VARY (compare --vary KEYS for what the sweeps vary on purpose). Sets
# SB_VSTAT: 0 no change, 3 a significant one, 2 not comparable. Returns 1
# when no point ran in every sweep.
sb_cover_letter() {
	local cmpdir=$1 command=$2 what=$3 letter=$1/cover-letter.txt
	local p reps d list ok i j rc op t meta1 vstat=0 spec_all points=() specs=() figs S R r
	local ids=({A..Z})
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
	done < <(sb_group_points "${dirs[0]}")
	((${#points[@]})) || { log "no sweep point ran in every one of the ${what}"; return 1; }
	meta1=$(ls "${dirs[0]}"/*/meta.json 2>/dev/null | head -1)
	{
		if ((${#dirs[@]} > 1)); then
			echo "stallbench: ${#dirs[@]} $what compared, ${#points[@]} sweep point(s)"
		else
			echo "stallbench: one ${what%s}, ${#points[@]} sweep point(s)"
		fi
		for j in "${!dirs[@]}"; do
			echo "  ${ids[$j]}: ${labels[$j]}"
		done
		for t in ${SB_LETTER_NOTES[@]+"${SB_LETTER_NOTES[@]}"}; do
			echo "$t"
		done
		echo
		if ((${#dirs[@]} > 1)); then
			echo "Verdict (alpha 0.05; Welch's t on per-repetition means, Holm's"
			echo "correction per point; intervals are 95%):"
			for i in "${!points[@]}"; do
				mapfile -t S <<<"${specs[$i]}"
				echo "  ${points[$i]}:"
				"$SB" compare --allow-incomplete ${SB_CMP_VARY[@]+"${SB_CMP_VARY[@]}"} --verdict "${S[@]}" >"$cmpdir/verdict-$i.txt" 2>&1
				rc=$?
				sed 's/^/    /' "$cmpdir/verdict-$i.txt"
				((rc == 3 && vstat != 2)) && vstat=3
				((rc == 2)) && vstat=2
				((rc == 0 || rc == 2 || rc == 3)) || log "compare --verdict ${points[$i]}: exit $rc"
			done
			echo
			mapfile -t S <<<"${specs[0]}"
			"$SB" compare --allow-incomplete ${SB_CMP_VARY[@]+"${SB_CMP_VARY[@]}"} --section header "${S[@]}" 2>&1
		fi
		for i in "${!points[@]}"; do
			mapfile -t S <<<"${specs[$i]}"
			echo
			echo "=== ${points[$i]}"
			if ((${#S[@]} > 1)); then
				"$SB" compare --allow-incomplete ${SB_CMP_VARY[@]+"${SB_CMP_VARY[@]}"} --section tables "${S[@]}" 2>&1
			else
				IFS=, read -r -a R <<<"${S[0]}"
				for r in "${R[@]}"; do
					(cd "$(dirname "$r")" && "$SB" report --allow-incomplete "$(basename "$r")" 2>&1)
					echo
				done
			fi
			"$SB" plot --allow-incomplete "${S[@]}" --out "$cmpdir/plots/${points[$i]}" >/dev/null \
				2>"$cmpdir/plots-${points[$i]}.log" || log "plot ${points[$i]} failed"
			# The figures of what the verdict names (every call, its
			# rounds); stall time by kind always. The rest stays in plots/.
			figs=()
			if [[ -f $cmpdir/verdict-$i.txt ]]; then
				for op in $(awk '$2 ~ /^(latency|reclaim|stall):?$/ && $1 ~ /\// { print $1 }' \
					"$cmpdir/verdict-$i.txt" | sort -u); do
					figs+=({strip,cdf,rounds}-"${op//\//-}".txt)
				done
			else
				for t in "$cmpdir/plots/${points[$i]}"/{strip,cdf}-*.txt; do
					[[ -f $t ]] && figs+=("$(basename "$t")")
				done
			fi
			figs+=(stalls.txt)
			for t in "${figs[@]}"; do
				t=$cmpdir/plots/${points[$i]}/$t
				[[ -f $t ]] && { echo; cat "$t"; }
			done
		done
		echo
		sb_reproduce "$command" "$meta1" "${kinfo[@]}"
	} >"$letter.raw"	# not a pipe: vstat must outlive the block
	sb_wrap72 <"$letter.raw" >"$letter" && rm -f "$letter.raw"
	SB_VSTAT=$vstat
}
