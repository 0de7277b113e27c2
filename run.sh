#!/usr/bin/env bash
# stallbench's entry point.
#   ./run.sh                 set up (Debian packages, build) and run the default sweep here
#   ./run.sh test            build and run the whole test suite (ctest; VM tests included)
#   ./run.sh --kernel IMG [--kernel IMG2 ...] [--kernel-cmdline "..."]
#                            the same sweep inside the QEMU lab, once per kernel, then compare
#                            (each kernel resolved once: the sweep's kernels.lock pins its
#                            packages; --kernel-lock FILE, or --kernel FILE.lock, reruns those)
#   ./run.sh --resume DIR    finish a lab sweep that stopped (Ctrl-C, SIGKILL, a hung guest):
#                            only the points without a result, then the letter
#   ./run.sh --hosts FILE [--resume [DIR]] [sweep options]
#                            the same sweep on lab hosts over ssh (GNU parallel), then
#                            one letter across them (bench/lab/hosts.sh)
#   ./run.sh bisect --good SPEC --bad SPEC --point NAME [--candidates LIST] [sweep options]
#                            the first kernel whose verdict at NAME changes (vm/bisect)
#   ./run.sh setup           set up only (Debian packages, build)
#   ./run.sh sweep [options] the sweep alone (no set-up)
#   ./run.sh check [options] only check the sweep options (exit 2 on a bad one)
#   ./run.sh points [options] list the sweep's points and their stallbench run arguments
# Sweep options (each overrides bench/sweeps/default.conf): --workloads LIST --caps LIST
#   --mixes LIST --nodes LIST --reps N --duration T --dim 'NAME=ARGS | ARGS ...'
#   --config FILE (key=value lines, same keys in lower case; "dim NAME = ..." lines; with a
#   "kernels" line the sweep runs in the VM lab, once per kernel and variant)
#   --only NAME (that point alone, e.g. nofail-cap32M-40M-nofail_account)
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD

# The default sweep matrix is a file (bench/sweeps/default.conf): workloads x caps x
# cut mixes x nodes x dims x repetitions; --config FILE and the options override it.
DIM_NAMES=() DIM_VALS=()                # "dim NAME = V | V" lines: extra dimensions
LAB_KERNELS= LAB_VARIANTS=              # "kernels", "variants": the VM lab's (vm/sweep)

# .ci/packages: the one list of Debian packages (CI installs the same)
DEB_PACKAGES=$(sed 's/#.*//' "$ROOT/.ci/packages" 2>/dev/null || true)	# (absent in the lab's copy)

log() { printf 'run.sh: %s\n' "$*" >&2; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 2; }

setup() {
	local missing=()
	for p in $DEB_PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
	done
	if ((${#missing[@]})); then
		if [[ $(id -u) -ne 0 ]]; then
			log "missing Debian packages (run as root to install): ${missing[*]}"
		else
			log "installing: ${missing[*]}"
			export DEBIAN_FRONTEND=noninteractive
			apt-get update -qq >/dev/null || log "apt-get update failed (offline?)"
			apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
				log "apt-get install failed for some of: ${missing[*]}"
		fi
	fi
	[[ -n ${SB_NO_BUILD:-} ]] || build
}

# The module on a machine whose kernel loads modules (a lab host): the one
# SB_KMOD names, else the installed one (DKMS's), else built here against
# this kernel's headers (SB_KDIR, default /lib/modules/<release>/build);
# loaded for the sweep and unloaded after (unload_module, and on any exit).
# Returns 1, saying why, when the NOFAIL points cannot run here.
KMOD_HERE=
native_module() {
	local rel ko kdir b
	rel=$(uname -r)
	if [[ -e /dev/nofail_vmalloc ]]; then
		log "nofail_vmalloc is loaded: its points run here (left loaded after)"
		return 0
	fi
	[[ -e /proc/modules ]] || { log "this kernel ($rel) cannot load modules"; return 1; }
	[[ $(id -u) -eq 0 ]] || { log "loading the module needs root"; return 1; }
	ko=${SB_KMOD:-$(modinfo -n nofail_vmalloc 2>/dev/null)}
	if [[ -z $ko ]]; then
		kdir=${SB_KDIR:-/lib/modules/$rel/build}
		if [[ ! -e $kdir/Makefile ]]; then
			log "no kernel headers for $rel: apt-get install linux-headers-$rel (or DKMS: see README)"
			return 1
		fi
		b=$ROOT/build/kmod
		rm -rf "$b" && mkdir -p "$b" && cp "$ROOT"/workloads/kmod/{Kbuild,Makefile,*.c,*.h} "$b/" ||
			{ log "cannot copy the module's sources to $b"; return 1; }
		log "building nofail_vmalloc against $kdir"
		make -C "$b" KDIR="$kdir" >"$b/build.log" 2>&1 ||
			{ log "the module does not build against $kdir: $(tail -1 "$b/build.log") (see $b/build.log)"; return 1; }
		ko=$b/nofail_vmalloc.ko
	fi
	insmod "$ko" 2>"$ROOT/.insmod.err" ||
		{ log "insmod $ko: $(cat "$ROOT/.insmod.err")"; rm -f "$ROOT/.insmod.err"; return 1; }
	rm -f "$ROOT/.insmod.err"
	KMOD_HERE=1
	trap unload_module EXIT
	local i
	for i in $(seq 20); do [[ -e /dev/nofail_vmalloc ]] && break; sleep 0.1; done
	log "loaded $ko ($(modinfo -F vermagic "$ko" | cut -d' ' -f1)) for the sweep"
}
unload_module() {
	[[ -n $KMOD_HERE ]] || return 0
	KMOD_HERE=
	if rmmod nofail_vmalloc 2>/dev/null; then
		log "unloaded nofail_vmalloc"
	else
		log "rmmod nofail_vmalloc failed: it stays loaded"
	fi
}

# SB_BUILD_TARGET: one target alone (a lab host's copy needs the driver, not the tests)
build() {
	local t=()
	[[ -n ${SB_BUILD_TARGET:-} ]] && t=(--target "$SB_BUILD_TARGET")
	cmake -S "$ROOT" -B "$ROOT/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build "$ROOT/build" -j"$(nproc)" "${t[@]}" >/dev/null || cmake --build "$ROOT/build" "${t[@]}"
}

SB="$ROOT/build/stallbench"
RESULTS_ROOT=${RESULTS_ROOT:-$ROOT/results}   # the VM lab points this at its writable share
SWEEP_STORM_DIR=${SWEEP_STORM_DIR:-}          # where storm files live (default: inside each result)

# A dimension: "NAME=V | V ..." (from a "dim" line or --dim). Each value is
# stallbench run arguments, "-" none; a point is named after its value.
add_dim() {
	local name=${1%%=*} vals=${1#*=} x
	[[ $1 == *=* && $name =~ ^[a-z][a-z0-9_]*$ ]] || die "dim '$1': NAME = VALUE | VALUE ..."
	for x in "${DIM_NAMES[@]}"; do [[ $x == "$name" ]] && die "dim $name: given twice"; done
	[[ -n ${vals//[[:space:]|]/} ]] || die "dim $name: no values"
	DIM_NAMES+=("$name"); DIM_VALS+=("$vals")
}

# key=value config file: only known keys, no code is executed.
load_config() {
	local f=$1 k v
	[[ -r $f ]] || die "--config $f: cannot read it"
	while IFS= read -r line || [[ -n $line ]]; do
		line=${line%%#*}
		[[ -z ${line//[[:space:]]/} ]] && continue
		[[ $line == *=* ]] || die "--config $f: '$line': not key=value"
		k=${line%%=*}; v=${line#*=}
		v=$(echo "$v" | sed 's/^[[:space:]]*//;s/[[:space:]]*$//;s/^"//;s/"$//')
		if [[ $k =~ ^[[:space:]]*dim[[:space:]]+([a-z][a-z0-9_]*)[[:space:]]*$ ]]; then
			add_dim "${BASH_REMATCH[1]}=$v"
			continue
		fi
		k=${k//[[:space:]]/}
		case $k in
		kernels) LAB_KERNELS=$v ;; variants) LAB_VARIANTS=$v ;; swap) LAB_SWAP=$v ;; fs) LAB_FS=$v ;;
		workloads) SWEEP_WORKLOADS=$v ;; caps) SWEEP_CAPS=$v ;; mixes) SWEEP_MIXES=$v ;;
		nodes) SWEEP_NODES=$v ;; reps) SWEEP_REPS=$v ;; duration) SWEEP_DURATION=$v ;;
		hog_fraction) SWEEP_HOG_FRACTION=$v ;; nofail_sizes) NOFAIL_SIZES=$v ;;
		nofail_cap) NOFAIL_CAP=$v ;; nofail_flags) NOFAIL_FLAGS=$v ;;
		*) die "--config $f: unknown key '$k'" ;;
		esac
	done <"$f"
}

# The points of the sweep (all_points), or with --only NAME the repetitions of
# that one point (a bisect's).
points() {
	local p
	all_points | while IFS= read -r p; do
		[[ -z ${SWEEP_ONLY:-} || ${p%%|*} =~ ^${SWEEP_ONLY//./\\.}-r[0-9]+$ ]] && echo "$p"
	done
	return "${PIPESTATUS[0]}"
}

# A dim value as a name part: "--mm lru_gen=n" -> "mm_lru_gen_n".
dim_tag() {
	local t=${1#--}
	t=${t//--/}
	echo "$t" | tr -s ' =,+:/' '_____' | tr -cd 'A-Za-z0-9_.-'
}

# The points before dims and repetitions: one line "name|args" each.
base_points() {
	local wl cap mix node nargs npart size flags
	for wl in $SWEEP_WORKLOADS; do
		for node in $SWEEP_NODES; do
			nargs=() npart=
			[[ $node != - ]] && nargs=(--node "$node") npart=-n$node
			case $wl in
			truncate-storm)
				for cap in $SWEEP_CAPS; do for mix in $SWEEP_MIXES; do
					echo "storm-cap$cap-${mix//[=,]/_}$npart|--cap $cap ${nargs[*]} --duration $SWEEP_DURATION --workload truncate-storm --mix $mix ${SWEEP_STORM_DIR:+--dir $SWEEP_STORM_DIR} --workload memhog --fraction $SWEEP_HOG_FRACTION"
				done; done ;;
			vmalloc-nofail)
				for size in $NOFAIL_SIZES; do for flags in $NOFAIL_FLAGS; do
					echo "nofail-cap$NOFAIL_CAP-$size-${flags//,/_}$npart|--cap $NOFAIL_CAP ${nargs[*]} --duration 1s --grace 240s --workload vmalloc-nofail --alloc-size $size --alloc-count 1 --alloc-flags $flags --workers 1"
				done; done ;;
			*) die "unknown workload in sweep: $wl" ;;
			esac
		done
	done
}

# Builds the list of points: one line "name|args" each; every dim crossed
# in, repetitions last (a point's repetitions share its name up to -rN).
all_points() {
	local lines=() new=() d l v rep vals
	mapfile -t lines < <(base_points)
	for d in "${!DIM_NAMES[@]}"; do
		IFS='|' read -r -a vals <<<"${DIM_VALS[$d]}"
		new=()
		for l in "${lines[@]}"; do
			for v in "${vals[@]}"; do
				v=$(echo "$v" | sed 's/^[[:space:]]*//;s/[[:space:]]*$//')
				[[ -n $v ]] || continue
				if [[ $v == - ]]; then new+=("$l")
				else new+=("${l%%|*}-$(dim_tag "$v")|${l#*|} $v")
				fi
			done
		done
		lines=("${new[@]}")
	done
	# SWEEP_REP_FIRST: the lab's interleaved repetitions, one per boot
	# SWEEP_EXTRA_ARGS: the lab's variant (vm/sweep), the same point names on every variant
	for rep in $(seq "${SWEEP_REP_FIRST:-1}" $((${SWEEP_REP_FIRST:-1} + SWEEP_REPS - 1))); do
		for l in "${lines[@]}"; do
			echo "${l%%|*}-r$rep|${l#*|}${SWEEP_EXTRA_ARGS:+ $SWEEP_EXTRA_ARGS}"
		done
	done
}

# Runs every point of the matrix into $1; a failing point is recorded and the sweep goes on.
# A point is done once its row is in points.tsv: the row is written, and the
# point's files and the row fsync'd (on the lab's results share: through to
# the host's disk), as soon as the point ends, so a guest that hangs or a
# run.sh SIGKILLed loses at most the point in flight. SWEEP_RESUME=1 runs only
# the points without a row (what a point in flight left is removed first),
# less SWEEP_SKIP's (names, a line each: points that hung or crashed a lab
# guest in an earlier boot, left for --resume). A point whose result could
# not be written (ENOSPC...) gets no row and stops the sweep (exit 1).
# SIGINT/SIGTERM: the driver is told (it marks its result incomplete and puts
# knobs and cgroups back), the point is named in DIR/interrupted, no row is
# written for it, and the sweep stops (exit 130/143) instead of going on.
SWEEP_STOP= DRV=
sweep_signal() {
	[[ -n $SWEEP_STOP ]] || SWEEP_STOP=$1
	# the driver ignores SIGINT until its handlers are set (a background job):
	# TERM, which it handles the same way, reaches it in every case
	[[ -n $DRV ]] && kill -TERM "$DRV" 2>/dev/null
	return 0
}
run_sweep() {
	local dir=$1 n i=0 t0 name args rc el eta
	mkdir -p "$dir"
	local plist
	plist=$(points) || die "cannot build the sweep's points"
	mapfile -t P <<<"$plist"
	n=${#P[@]}
	t0=$(date +%s)
	if [[ -n ${SWEEP_RESUME:-} ]]; then touch "$dir/points.tsv"
	else ((${SWEEP_REP_FIRST:-1} > 1)) || : >"$dir/points.tsv"
	fi
	rm -f "$dir/interrupted"
	trap 'sweep_signal INT' INT
	trap 'sweep_signal TERM' TERM
	for p in "${P[@]}"; do
		i=$((i + 1))
		name=${p%%|*}; args=${p#*|}
		if [[ -n ${SWEEP_RESUME:-} ]] && cut -f1 "$dir/points.tsv" | grep -qxF -- "$name"; then
			log "point $i/$n $name: already done (resume)"
			continue
		fi
		# a point that hung or crashed its guest in an earlier boot of this
		# sweep (vm/sweep): left, with its incomplete result, for --resume
		if [[ -n ${SWEEP_RESUME:-} && $'\n'${SWEEP_SKIP:-}$'\n' == *$'\n'$name$'\n'* ]]; then
			log "point $i/$n $name: skipped (it faulted its guest in an earlier boot; --resume redoes it)"
			continue
		fi
		rm -rf "${dir:?}/$name"	# what a point in flight left (resume)
		el=$(( $(date +%s) - t0 ))
		eta=$(( i > 1 ? el * (n - i + 1) / (i - 1) : 0 ))
		log "point $i/$n $name (elapsed ${el}s, ETA ${eta}s)"
		set +e
		# a live line every 2 s while the point runs (it ends with the point)
		[[ -n ${SWEEP_NO_LIVE:-} ]] ||
			{ "$SB" watch --brief -d 2 --wait 30 "$dir/$name" 2>/dev/null | sed -u 's/^/    live /' >&2 & }
		# in the background, so a SIGTERM to run.sh alone reaches it now
		# shellcheck disable=SC2086
		# (its stderr's indenter outlives a Ctrl-C, to pass on the driver's last words)
		"$SB" run --out "$dir/$name" $args 2> >(trap '' INT TERM; exec sed 's/^/    /' >&2) &
		DRV=$!
		while :; do
			wait "$DRV"; rc=$?
			((rc > 128)) && kill -0 "$DRV" 2>/dev/null && continue	# a trap ran
			break
		done
		DRV=
		set -e
		if [[ -n $SWEEP_STOP ]]; then
			printf '%s\t%s\n' "$name" "SIG$SWEEP_STOP" >"$dir/interrupted"
			sync "$dir/interrupted" 2>/dev/null || true
			log "SIG$SWEEP_STOP: point $name interrupted (its result is marked incomplete, no row in points.tsv); stopping the sweep"
			trap - INT TERM
			[[ $SWEEP_STOP == INT ]] && exit 130
			exit 143
		fi
		# a result that could not be written (its own files: a full results
		# disk or share, ENOSPC) is no result: no row (--resume redoes it),
		# and the sweep stops instead of filling the disk with failures
		werr=
		((rc == 0)) || werr=$(python3 -c 'import json, sys
e = json.load(open(sys.argv[1])).get("error") or {}
print("%s: %s" % (e["file"], e["errno"]) if e.get("errno") else "")' "$dir/$name/meta.json" 2>/dev/null)
		if [[ -n $werr ]]; then
			log "point $name: its result could not be written ($werr): marked incomplete, not recorded, stopping the sweep"
			trap - INT TERM
			exit 1
		fi
		# the point's files first, then its row: a row means the point is all there
		find "$dir/$name" -type f -exec sync {} + 2>/dev/null || true
		if ! printf '%s\t%s\t%s\n' "$name" "$rc" "$args" >>"$dir/points.tsv" ||
			! sync "$dir/points.tsv" "$dir/$name" "$dir" 2>"$dir/.sync.err"; then
			log "point $name: cannot record it in $dir/points.tsv ($(tail -1 "$dir/.sync.err" 2>/dev/null || echo "write failed")): stopping the sweep"
			exit 1
		fi
		rm -f "$dir/.sync.err"
		# (--hosts copies each point back when it reads this line)
		log "point $name done (exit $rc)"
		((rc == 0)) || log "point $name failed (exit $rc); recorded in points.tsv, going on"
	done
	trap - INT TERM
}

# report + plots for a finished sweep directory (its points, and the VM lab's
# points below DIR/vm when the module could only run there). report.txt is
# the sweep's letter: every point's report, 72 columns, no path of this
# machine, and how to reproduce it. A point's repetitions are one line in
# the plots.
finish_sweep() {
	local dir=$1 sd base list d specs=() kernels=() meta= vmrel
	. "$ROOT/bench/lab/letter.sh"
	{
		echo "stallbench sweep on $(uname -r)"
		for sd in "$dir" "$dir"/vm/k*/*/sweep; do
			[[ -d $sd ]] || continue
			while IFS=$'\t' read -r base list; do
				specs+=("$list")
				IFS=, read -r -a R <<<"$list"
				for d in "${R[@]}"; do
					[[ -f $d/summary.json ]] || continue
					[[ -n $meta ]] || meta=$d/meta.json
					(cd "$(dirname "$d")" && "$SB" report --allow-incomplete "$(basename "$d")") \
						>"$d/report.txt" 2>&1 || true
					echo
					cat "$d/report.txt"
				done
			done < <(sb_group_points "$sd")
		done
		echo
		# the seed point (run.sh's default: global pressure in the lab)
		for d in "$dir"/vm/seed/global-pressure-*; do
			[[ -f $d/summary.json ]] || continue
			(cd "$(dirname "$d")" && "$SB" report --allow-incomplete "$(basename "$d")") \
				>"$d/report.txt" 2>&1 || true
			echo
			echo "The seed question (VM lab, $(cat "$dir/vm/seed/vm.uname" 2>/dev/null), the whole guest short of memory):"
			cat "$d/report.txt"
		done
		kernels=("this machine|$(uname -r)||")
		for vmrel in "$dir"/vm/k*/vm.uname; do
			[[ -f $vmrel ]] && kernels+=("VM lab|$(cat "$vmrel")|Debian linux-image-$(cat "$vmrel")|")
		done
		[[ -n $meta ]] && sb_reproduce "${SB_COMMAND:-./run.sh}" "$meta" "${kernels[@]}"
	} >"$dir/report.raw"	# not a pipe: specs must outlive the block
	sb_wrap72 <"$dir/report.raw" >"$dir/report.txt" && rm -f "$dir/report.raw"
	# (the VM lab plots on the host: gnuplot under TCG is slow)
	# one set of figures per machine: this one's points, the lab's under plots/vm
	if ((${#specs[@]})) && [[ -z ${SWEEP_NO_PLOTS:-} ]]; then
		local here=() lab=() x
		for x in "${specs[@]}"; do
			[[ $x == "$dir"/vm/* ]] && lab+=("$x") || here+=("$x")
		done
		if ((${#here[@]})); then
			"$SB" plot --allow-incomplete "${here[@]}" --out "$dir/plots" >/dev/null \
				2>"$dir/plot.log" || log "plot failed: $(tail -1 "$dir/plot.log")"
		fi
		if ((${#lab[@]})); then
			"$SB" plot --allow-incomplete "${lab[@]}" --out "$dir/plots/vm" >/dev/null \
				2>"$dir/plot-vm.log" || log "plot failed: $(tail -1 "$dir/plot-vm.log")"
		fi
	fi
}

# The seed question, asked in the lab (a guest's memory can be made short for
# everyone; this machine's cannot): a truncate storm on an ext4 disk under
# --global-pressure 60M in a 1G guest booted with transparent_hugepage=never
# (with THP on, min_free_kbytes leaves kswapd room enough that no task
# reclaims directly), NOFAIL allocations counted, off-CPU on, on-CPU samples
# on (--oncpu: off by default in a TCG guest, asked for here). Its report
# says per cut op: calls, NOFAIL allocations per call, the share stalled in
# reclaim, ENOMEM, where the CPU time and the time asleep went. SB_SEED_KERNEL (6.1),
# SB_SEED_DURATION (20s: ~10 calls of each cut op on 6.1 under TCG; 10 s gave 4-6).
seed_point() {
	local d=$1
	mkdir -p "$d" && cp "$SB" "$d/stallbench" || return 1
	cat >"$d/guest.sh" <<-G
	R=\$1
	mkdir -p /mnt/disk/storm
	\$R/stallbench run --workload truncate-storm --dir /mnt/disk/storm --live 256M --workers 3 \\
		--duration ${SB_SEED_DURATION:-20s} --global-pressure 60M --count-nofail --oncpu \\
		--out \$R/global-pressure-60M \\
		> \$R/run.log 2>&1
	echo run_rc=\$?
	G
	log "seed point: a truncate storm on ext4 under --global-pressure 60M (VM lab, ${SB_SEED_KERNEL:-6.1})"
	"$ROOT/vm/run" --kernel "${SB_SEED_KERNEL:-6.1}" --results "$d" --fs ext4 --disk 1G --mem 1G --nodes 1 \
		--cmdline-extra transparent_hugepage=never --timeout 300 -- bash "$d/guest.sh" "$d" >"$d/host.out" 2>&1 &&
		[[ -f $d/global-pressure-60M/summary.json ]]
}

sweep_here() {
	local rel sid t0
	rel=$(uname -r); sid=${SWEEP_ID:-$(date +%Y%m%d-%H%M%S)}
	SWEEP_DIR="$RESULTS_ROOT/$rel/$sid"
	t0=$(date +%s)
	run_sweep "$SWEEP_DIR"
	finish_sweep "$SWEEP_DIR"
	log "sweep on $rel took $(( $(date +%s) - t0 ))s"
}

# The sweep's sizes and durations through `stallbench parse`: one grammar for
# the tool and its scripts (128MiB, 1.5G, 500ms...). Exit 2 on a bad one.
check_values() {
	local x
	for x in $SWEEP_CAPS $NOFAIL_CAP $NOFAIL_SIZES; do
		"$SB" parse size "$x" >/dev/null 2>&1 || die "size $("$SB" parse size "$x" 2>&1)"
	done
	"$SB" parse duration "$SWEEP_DURATION" >/dev/null 2>&1 ||
		die "duration $("$SB" parse duration "$SWEEP_DURATION" 2>&1)"
	# every point's command line, as stallbench itself reads it (dims included)
	local p err
	while IFS= read -r p; do
		[[ -n $p ]] || continue
		# shellcheck disable=SC2086
		err=$("$SB" run --dry-run ${p#*|} 2>&1) || die "point ${p%%|*}: ${err#stallbench run: }"
	done < <(points)
}

parse_sweep_opts() {
	while (($#)); do
		case $1 in
		--workloads) SWEEP_WORKLOADS=${2//,/ }; shift ;;
		--caps) SWEEP_CAPS=${2//,/ }; shift ;;
		--mixes) SWEEP_MIXES=$2; shift ;;
		--nodes) SWEEP_NODES=${2//,/ }; shift ;;
		--reps) SWEEP_REPS=$2; shift ;;
		--duration) SWEEP_DURATION=$2; shift ;;
		--config) load_config "$2"; shift ;;
		--dim) add_dim "$2"; shift ;;
		--nofail-sizes) NOFAIL_SIZES=${2//,/ }; shift ;;
		--nofail-cap) NOFAIL_CAP=$2; shift ;;
		--nofail-flags) NOFAIL_FLAGS=$2; shift ;;
		--only) SWEEP_ONLY=$2; shift ;;
		*) die "unknown option '$1' (see the top of run.sh)" ;;
		esac
		shift
	done
	[[ $SWEEP_REPS =~ ^[1-9][0-9]*$ ]] || die "reps $SWEEP_REPS: a positive whole number"
	local x
	# sizes and durations: stallbench's own grammar, now if it is built,
	# again after the build (check_values)
	[[ -x $SB ]] && check_values
	for x in $SWEEP_NODES; do
		[[ $x == - || $x =~ ^[0-9]+$ ]] || die "node '$x': a node number or -"
	done
	for x in $SWEEP_WORKLOADS; do
		[[ $x == truncate-storm || $x == vmalloc-nofail ]] || die "workload '$x': truncate-storm or vmalloc-nofail"
	done
	if [[ -n ${SWEEP_ONLY:-} ]]; then
		[[ $SWEEP_ONLY =~ ^[A-Za-z0-9._-]+$ ]] || die "--only '$SWEEP_ONLY': not a point name"
		[[ -n $(points) ]] || die "--only $SWEEP_ONLY: not a point of this sweep (its points: $(SWEEP_ONLY= points | sed 's/|.*//;s/-r[0-9]*$//' | sort -u | tr '\n' ' '))"
	fi
}

# lab_missing: what this machine lacks to run the VM lab (empty: nothing)
lab_missing() {
	local m=()
	[[ $(id -u) -eq 0 ]] || m+=("root (QEMU's 9p export of / and the kernel cache)")
	local c
	for c in qemu-system-x86_64 busybox gcc apt-get; do
		command -v "$c" >/dev/null || m+=("$c")
	done
	[[ -d /proc/sys ]] || m+=("/proc")
	local IFS=,
	echo "${m[*]}"
}

# ./run.sh test [--no-lab] [ctest options]: the whole suite. A skipped test
# fails it: each skip is printed with its reason, and the exit is non-zero.
# A machine that cannot run the VM lab says so up front and fails unless
# --no-lab is given, which leaves out the tests labelled vm (and says so).
run_tests() {
	local nolab= args=() miss junit rc report skipped n_pass n_fail n_skip
	while (($#)); do
		case $1 in
		--no-lab) nolab=1 ;;
		*) args+=("$1") ;;
		esac
		shift
	done
	miss=$(lab_missing)
	if [[ -n $miss && -z $nolab ]]; then
		log "this machine cannot run the VM lab (missing: $miss): ./run.sh test --no-lab runs the rest"
		exit 1
	fi
	setup
	cd "$ROOT/build"
	if [[ -n $nolab ]]; then
		log "--no-lab: leaving out the VM lab's $(ctest -N -L '^vm$' | sed -n 's/^Total Tests: //p') tests (label vm)"
		args=(-LE '^vm$' "${args[@]}")
	fi
	junit=$ROOT/build/Testing/suite.junit.xml
	rm -f "$junit"
	set +e
	# -j2: two lab guests at once (each a single-threaded TCG guest); the
	# tests that need a quiet host are RUN_SERIAL
	ctest -j2 --output-on-failure --timeout 1800 --output-junit "$junit" "${args[@]}"
	rc=$?
	set -e
	[[ -f $junit ]] || { log "ctest wrote no report ($junit)"; exit 1; }
	# the skipped tests and the reason each printed (its SKIP line)
	# one read of the report: the counts on the first line, then each
	# skipped test with the reason it printed (its SKIP line)
	report=$(python3 - "$junit" <<-'PY'
	import sys, xml.etree.ElementTree as ET
	p = f = 0
	skips = []
	for tc in ET.parse(sys.argv[1]).getroot().iter("testcase"):
	    st = tc.get("status")
	    if st in ("notrun", "disabled") or tc.find("skipped") is not None:
	        out = (tc.findtext("system-out") or "")
	        why = [l for l in out.splitlines() if "SKIP" in l] or out.strip().splitlines()[-1:] or ["(no reason printed)"]
	        skips.append(f"{tc.get('name')}: {why[-1].strip()}")
	    elif st == "fail" or tc.find("failure") is not None: f += 1
	    else: p += 1
	print(p, f, len(skips))
	print("\n".join(skips))
	PY
	)
	read -r n_pass n_fail n_skip <<<"$(head -n1 <<<"$report")"
	skipped=$(tail -n +2 <<<"$report")
	if [[ -n $skipped ]]; then
		log "skipped tests fail the suite; each skip and its reason:"
		sed 's/^/  /' <<<"$skipped" >&2
		((rc)) || rc=1
	fi
	[[ -z $nolab ]] || log "--no-lab: the VM lab's tests were not run (label vm)"
	echo "suite: $n_pass passed, $n_fail failed, $n_skip skipped"
	exit "$rc"
}

# The default matrix: a file, read first; options and --config override it.
[[ -r $ROOT/bench/sweeps/default.conf ]] || die "bench/sweeps/default.conf: missing (the default sweep matrix)"
load_config "$ROOT/bench/sweeps/default.conf"

cmd=${1:-}
case $cmd in
test)
	shift
	run_tests "$@"
	;;
sweep)
	shift
	parse_sweep_opts "$@"
	[[ -n ${SB_NO_BUILD:-} ]] || build
	check_values
	sweep_here
	cat "$SWEEP_DIR/report.txt"
	;;
--kernel|--kernel-lock)
	setup
	SB_COMMAND_NAME=./run.sh exec "$ROOT/vm/sweep" "$@"
	;;
points)
	# the sweep's points, one "name<TAB>stallbench run arguments" a line
	shift
	parse_sweep_opts "$@"
	points | tr '|' '\t'
	;;
setup)
	setup
	;;
bisect)
	shift
	setup
	SB_COMMAND_NAME="./run.sh bisect" exec "$ROOT/vm/bisect" "$@"
	;;
--hosts)
	setup
	exec "$ROOT/bench/lab/hosts.sh" "$@"
	;;
check)
	# vm/sweep: the options a lab sweep will pass, refused before any boot
	shift
	parse_sweep_opts "$@"
	check_values
	;;
points)
	# the sweep's point names, one a line (--hosts --spread makes a job of each)
	shift
	parse_sweep_opts "$@"
	points | sed 's/|.*//'
	;;
--resume)
	# a lab sweep (vm/sweep) stopped part way: only its missing points, then the letter
	[[ -f ${2:-}/sweep.argv ]] || die "--resume ${2:-}: no lab sweep there (./run.sh --hosts FILE --resume DIR for hosts)"
	setup
	SB_COMMAND_NAME=./run.sh exec "$ROOT/vm/sweep" "$@"
	;;
-h|--help|help) sed -n '2,24p' "$0" ;;
""|--*)
	SB_COMMAND="./run.sh${*:+ $*}"
	parse_sweep_opts "$@"
	if [[ -n $LAB_KERNELS ]]; then
		# a config with kernels: the sweep runs in the VM lab, once per kernel and variant
		setup
		SB_COMMAND_NAME=./run.sh exec "$ROOT/vm/sweep" "$@"
	fi
	setup
	check_values
	T0=$(date +%s)
	# With the module loaded here (or loadable), its points are part of this
	# machine's sweep.
	native_module || true
	[[ -e /dev/nofail_vmalloc && $SWEEP_WORKLOADS != *vmalloc-nofail* ]] &&
		SWEEP_WORKLOADS="$SWEEP_WORKLOADS vmalloc-nofail"
	sweep_here
	unload_module
	if [[ ! -e /dev/nofail_vmalloc && -x $ROOT/vm/sweep ]]; then
		log "the module cannot be loaded here: the vmalloc-nofail points run in the VM lab (Debian's 6.1)"
		T1=$(date +%s)
		"$ROOT/vm/sweep" --vmalloc-only --out "$SWEEP_DIR/vm" >"$SWEEP_DIR/vm.log" 2>&1 ||
			log "VM lab sweep failed (see $SWEEP_DIR/vm.log)"
		log "VM sweep took $(( $(date +%s) - T1 ))s"
	fi
	if [[ -x $ROOT/vm/run && -z ${SB_NO_SEED:-} ]]; then
		T1=$(date +%s)
		seed_point "$SWEEP_DIR/vm/seed" || log "the seed point failed (see $SWEEP_DIR/vm/seed/host.out)"
		log "seed point took $(( $(date +%s) - T1 ))s"
	fi
	[[ -d $SWEEP_DIR/vm ]] && finish_sweep "$SWEEP_DIR"
	cat "$SWEEP_DIR/report.txt"
	log "whole sweep took $(( $(date +%s) - T0 ))s"
	log "results: $SWEEP_DIR  (report.txt, plots/, one directory per point; VM points under vm/)"
	;;
*) die "unknown command '$cmd' (test, sweep, --kernel IMG, or nothing for the default sweep)" ;;
esac
