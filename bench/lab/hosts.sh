#!/usr/bin/env bash
# The sweep on lab hosts over ssh. GNU parallel is the engine: one job per
# host (its joblog is what --resume reads), each job copies the checkout at
# the current commit to its host (git archive), sets it up there as
# ./run.sh does (packages, build), runs the sweep there as root and brings
# the results back under results/hosts-<time>/<host>/. A host that cannot be
# reached, fails to build or dies mid-sweep is named with the reason in
# <host>/status; the others' results are kept and compared in one letter.
#
# usage: ./run.sh --hosts FILE [--jobs N] [--out DIR] [sweep options]
#        ./run.sh --hosts FILE --resume [DIR]   rerun the hosts that failed
#                               (default DIR: the newest results/hosts-*)
#   FILE    ssh logins, one a line, in GNU parallel's sshloginfile format:
#           [N/]user@host, [N/]ssh-command... user@host, ':' (this machine);
#           '#' starts a comment. (N, the CPU count, is ignored: one sweep a host.)
#   --jobs N   hosts worked on at once (default: all)
#   --spread   one sweep split across hosts that run the same kernel: every host
#              set up, then each point's repetition a parallel job on whichever
#              host is free (one at a time a host), merged as one machine's sweep
#              under results/hosts-<time>/spread/sweep/ (spread/hosts.tsv: who ran
#              what); --resume reruns only the points missing
# Env: SB_HOSTS_REMOTE_DIR  where the copy goes on a host (default /var/tmp)
#
# (internal) bench/lab/hosts.sh job OUTDIR HOSTDIR LOGIN  one host's job, run by parallel
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SB=$ROOT/build/stallbench
log() { printf 'run.sh --hosts: %s\n' "$*" >&2; }
die() { log "$*"; exit 2; }

# A login as an ssh command line in SSH[]: parallel's forms "user@host" and
# "ssh -p 2222 user@host" (any ssh-like command), a leading "N/" dropped.
# Batch mode: a login that asks for a password is a failed login.
ssh_of() {
	local l=$1 w
	l=${l#"${l%%[![:space:]]*}"}
	[[ $l =~ ^[0-9]+/ ]] && l=${l#*/}
	read -r -a w <<<"$l"
	if [[ $l == : ]]; then
		SSH=()
	elif ((${#w[@]} > 1)); then
		SSH=("${w[@]:0:${#w[@]}-1}" -o BatchMode=yes -o ConnectTimeout=15
			-o ServerAliveInterval=15 -o ServerAliveCountMax=4 "${w[-1]}")
	else
		SSH=(ssh -o BatchMode=yes -o ConnectTimeout=15 -o ServerAliveInterval=15
			-o ServerAliveCountMax=4 "$l")
	fi
}

# Runs a POSIX shell command line on the host (':' = here).
on_host() {
	if ((${#SSH[@]})); then
		"${SSH[@]}" "$1"
	else
		sh -c "$1"
	fi
}

# A word quoted for the remote POSIX shell.
q() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

# A host's folder name: the host of the login (and its port when one is
# given), made safe for a path.
host_dir() {
	local l=$1 w h port=
	[[ $l =~ ^[0-9]+/ ]] && l=${l#*/}
	[[ $l == : ]] && { echo local; return; }
	read -r -a w <<<"$l"
	h=${w[-1]##*@}
	[[ $l =~ (^|[[:space:]])-p[[:space:]]*([0-9]+) ]] && port=${BASH_REMATCH[2]}
	h=$h${port:+-p$port}
	echo "${h//[^A-Za-z0-9._-]/_}"
}

# kept HOSTDIR: how many points of a host are back here
kept() { cat "$1"/results/*/sweep/points.tsv 2>/dev/null | wc -l; }

# ---- one host's job (run by parallel) ----------------------------------------
# Exit 0 when the sweep ran and came back; otherwise the step that failed is
# in $hd/status and the job's exit is 10 unreachable, 11 copy, 12 build,
# 13 sweep (died or failed), 14 results not brought back.
job() {
	local out=$1 name=$2 login=$3 mode=${4:-sweep} hd=$1/$2 sid rdir sudo= rc commit opts o line
	sid=$(basename "$out")
	rdir=${SB_HOSTS_REMOTE_DIR:-/var/tmp}/stallbench-$sid-$name
	mkdir -p "$hd"
	rm -f "$hd/status"
	: >"$hd/host.log"
	ssh_of "$login"
	failed() {	# step rc reason
		echo "$3" >"$hd/status"
		log "$name: $3"
		exit "$2"
	}
	# the last line of the step's output that says something
	why() { grep -v '^[[:space:]]*$' "$hd/step.err" | tail -1 | cut -c1-200; }
	commit=$(cat "$out/commit")
	mapfile -t opts <"$out/sweep.args"
	log "$name: connecting"
	on_host 'id -u; uname -r; hostname' </dev/null >"$hd/id" 2>"$hd/step.err" ||
		failed connect 10 "unreachable ($(why))"
	[[ $(head -1 "$hd/id") == 0 ]] || sudo="sudo -n"
	sed -n 2p "$hd/id" >"$hd/uname"
	# the label its runs carry (meta.json host.label; compare names runs by
	# it): unique in the sweep even where two entries reach one hostname
	echo "$(sed -n 3p "$hd/id")/$name" >"$hd/label"
	# A copy of this commit already built there (a host that died and came
	# back, a --resume): used as it is, its results up there included.
	if on_host "test -f $(q "$rdir/.stallbench-built") && test \"\$(cat $(q "$rdir/.stallbench-git"))\" = $(q "$commit")" \
		</dev/null 2>/dev/null; then
		log "$name: commit ${commit:0:12} already set up in $rdir"
	else
		log "$name: copying commit ${commit:0:12} to $rdir"
		git -C "$ROOT" archive --format=tar "$commit" |
			on_host "rm -rf $(q "$rdir") && mkdir -p $(q "$rdir") && tar -xf - -C $(q "$rdir") &&
				echo $(q "$commit") >$(q "$rdir/.stallbench-git")" 2>"$hd/step.err" ||
			failed copy 11 "copy failed ($(why))"
		log "$name: setting up (Debian packages, build of the driver)"
		on_host "cd $(q "$rdir") && $sudo env SB_BUILD_TARGET=stallbench ./run.sh setup && touch .stallbench-built" \
			</dev/null >>"$hd/host.log" 2>"$hd/step.err"
		rc=$?
		cat "$hd/step.err" >>"$hd/host.log"
		((rc == 0)) || failed build 12 "build failed, exit $rc ($(why))"
	fi
	if [[ $mode == setup ]]; then	# --spread: the points come as jobs of their own
		echo "$sudo" >"$hd/sudo"
		echo ready >"$hd/status"
		log "$name: ready on $(cat "$hd/uname")"
		return 0
	fi
	# Points an earlier run of this job brought back (the host died, or
	# the run was stopped) go back up: the sweep runs only the others.
	local resume=
	if ls "$hd"/results/*/sweep/points.tsv >/dev/null 2>&1; then
		resume="SWEEP_RESUME=1"
		log "$name: $(cat "$hd"/results/*/sweep/points.tsv | wc -l) point(s) already back: only the others run"
		tar -cf - -C "$hd/results" . |
			on_host "mkdir -p $(q "$rdir/results") && tar -xf - -C $(q "$rdir/results")" 2>"$hd/step.err" ||
			failed copy 11 "cannot copy its finished points back up ($(why))"
	fi
	log "$name: sweep on $(cat "$hd/uname")"
	line="cd $(q "$rdir") && $sudo env RESULTS_ROOT=$(q "$rdir/results") SWEEP_ID=sweep"
	line+=" SB_NO_BUILD=1 SWEEP_NO_PLOTS=1 SWEEP_NO_LIVE=1 $resume"
	line+=" STALLBENCH_HOST_LABEL=$(q "$(cat "$hd/label")") ./run.sh sweep"
	for o in "${opts[@]}"; do line+=" $(q "$o")"; done
	# The sweep there dies with the connection: its stdin is held open by a
	# local process that lives as long as this job; when ssh goes (Ctrl-C,
	# parallel's TERM, a SIGKILLed run.sh), the channel's EOF reaches a
	# watcher there that sends the sweep SIGTERM (run.sh stops its driver:
	# the point in flight ends incomplete, knobs and cgroups put back).
	line="cd $(q "$rdir") && { exec 3<&0; ${line#cd $(q "$rdir") && } </dev/null & p=\$!;"
	line+=" { cat <&3 >/dev/null 2>&1; kill -TERM \$p 2>/dev/null; } >/dev/null 2>&1 & w=\$!; exec 3<&-;"
	line+=" wait \$p; rc=\$?; kill \$w 2>/dev/null; exit \$rc; }"
	# the host's point-by-point progress goes to the terminal (tagged by
	# parallel) and to its log; each point comes back as soon as it ends
	# (its row is in the host's points.tsv), so a host that dies keeps them
	local rel l pt
	rel=$(cat "$hd/uname")
	mkdir -p "$hd/results"
	# (the holder also ends with the run.sh that started parallel, when a
	# SIGKILL took it: tail --pid)
	on_host "$line" < <(exec setpriv --pdeathsig KILL tail --pid="${SB_HOSTS_MAIN:-$$}" -f /dev/null) \
		2>&1 >"$hd/sweep.out" |
		tee -a "$hd/host.log" "$hd/step.err" |
		while IFS= read -r l; do
			[[ $l =~ ^run.sh:\ (point|sweep\ on) ]] && printf '%s\n' "$l" >&2
			[[ $l =~ ^run.sh:\ point\ ([^ ]+)\ done\ \(exit ]] || continue
			pt=${BASH_REMATCH[1]}
			on_host "tar -cf - -C $(q "$rdir/results") $(q "$rel/sweep/$pt") $(q "$rel/sweep/points.tsv")" \
				</dev/null 2>>"$hd/host.log" | tar -xf - -C "$hd/results" ||
				log "$name: point $pt not brought back yet (again at the end)"
		done
	rc=${PIPESTATUS[0]}
	if ((rc == 255)); then
		failed sweep 13 "died mid-sweep: the connection was lost ($(why)); $(kept "$hd") point(s) kept"
	elif ((rc != 0)); then
		failed sweep 13 "sweep failed, exit $rc ($(why)); $(kept "$hd") point(s) kept"
	fi
	log "$name: bringing the results back"
	rm -rf "$hd/results.new"
	mkdir -p "$hd/results.new"
	on_host "tar -cf - -C $(q "$rdir/results") ." </dev/null 2>"$hd/step.err" |
		tar -xf - -C "$hd/results.new" ||
		failed fetch 14 "results not brought back ($(why))"
	rm -rf "$hd/results" && mv "$hd/results.new" "$hd/results"
	ls -d "$hd"/results/*/sweep >/dev/null 2>&1 ||
		failed fetch 14 "results not brought back (no sweep folder)"
	on_host "rm -rf $(q "$rdir")" </dev/null 2>/dev/null
	rm -f "$hd/step.err" "$hd/id"
	echo ok >"$hd/status"
	log "$name: done"
}

# ---- --spread: one point's repetition (run by parallel) ------------------------
# The job slot picks the host (parallel runs one job a slot, one slot a ready
# host), so the points go to whichever host is free, as parallel's own
# sshlogin scheduling would. Exit: the point's own status (0 ran; the run's
# exit when it failed), 10 host unreachable, 13 died, 14 not brought back.
point() {
	local out=$1 slot=$2 pt=$3 name login rdir res sudo line o opts rc base rep
	IFS=$'\t' read -r name login < <(sed -n "${slot}p" "$out/ready.list")
	[[ -n $name ]] || { log "slot $slot: no such host"; exit 10; }
	ssh_of "$login"
	sudo=$(cat "$out/$name/sudo" 2>/dev/null)
	rdir=${SB_HOSTS_REMOTE_DIR:-/var/tmp}/stallbench-$(basename "$out")-$name
	res=$rdir/results-$pt
	base=${pt%-r*} rep=${pt##*-r}
	mapfile -t opts <"$out/sweep.args"
	line="cd $(q "$rdir") && rm -rf $(q "$res") && $sudo env RESULTS_ROOT=$(q "$res") SWEEP_ID=sweep"
	line+=" SB_NO_BUILD=1 SWEEP_NO_PLOTS=1 SWEEP_NO_LIVE=1 SWEEP_REP_FIRST=$rep ./run.sh sweep"
	for o in "${opts[@]}"; do line+=" $(q "$o")"; done
	line+=" --only $(q "$base") --reps 1"
	log "$pt on $name"
	on_host "$line" </dev/null >/dev/null 2>"$out/spread/$pt.log"
	rc=$?
	((rc == 255)) && { log "$pt: $name: connection lost"; exit 13; }
	((rc == 0)) || { log "$pt: $name: sweep exit $rc: $(tail -1 "$out/spread/$pt.log")"; exit 13; }
	rm -rf "$out/spread/tmp-$pt"
	mkdir -p "$out/spread/tmp-$pt"
	on_host "tar -cf - -C $(q "$res") . && rm -rf $(q "$res")" </dev/null 2>>"$out/spread/$pt.log" |
		tar -xf - -C "$out/spread/tmp-$pt" || { log "$pt: not brought back from $name"; exit 14; }
	o=$(ls -d "$out/spread/tmp-$pt"/*/sweep/"$pt" 2>/dev/null | head -1)
	[[ -n $o ]] || { log "$pt: $name gave no result"; exit 14; }
	rc=$(awk -F'\t' -v p="$pt" '$1 == p { print $2 }' "$(dirname "$o")/points.tsv")
	rm -rf "$out/spread/sweep/$pt"
	mv "$o" "$out/spread/sweep/$pt"
	rm -rf "$out/spread/tmp-$pt"
	printf '%s\t%s\t%s\n' "$pt" "${rc:-1}" "$name" >>"$out/spread/hosts.tsv"
	return "${rc:-1}"
}

# --spread: every host set up, the points handed out by parallel, merged.
spread() {
	local out=$1 resume=$2 n=0 name login st rel rels=() ready=() pflags
	local -a lines
	mapfile -t lines <"$out/hosts.list"
	# every host set up again on a resume too (the copies were removed)
	pflags=(--joblog "$out/joblog.setup" --colsep '\t' --tagstring '{1}' --line-buffer
		-j "${jobs:-${#lines[@]}}" --halt never)
	log "setting up ${#lines[@]} host(s)"
	parallel "${pflags[@]}" -a "$out/hosts.list" "$HERE/hosts.sh" job "$out" '{1}' '{2}' setup
	: >"$out/ready.list.new"
	for row in "${lines[@]}"; do
		IFS=$'\t' read -r name login <<<"$row"
		st=$(cat "$out/$name/status" 2>/dev/null || echo "never ran")
		if [[ $st == ready ]]; then
			printf '%s\n' "$row" >>"$out/ready.list.new"
			rels+=("$name $(cat "$out/$name/uname")")
			ready+=("$name")
		else
			log "host $name: $st"
		fi
	done
	mv "$out/ready.list.new" "$out/ready.list"
	((${#ready[@]})) || { log "no host is ready"; return 1; }
	if (( $(printf '%s\n' "${rels[@]}" | awk '{ print $2 }' | sort -u | wc -l) > 1 )); then
		log "--spread: the hosts run different kernels ($(printf '%s, ' "${rels[@]}" | sed 's/, $//')):"
		log "one spread sweep is one kernel's; compare kernels without --spread"
		return 1
	fi
	mkdir -p "$out/spread/sweep"
	local opts=()
	mapfile -t opts <"$out/sweep.args"
	# run.sh points: "name<TAB>stallbench run arguments"; a job is a name
	[[ -f $out/points.list ]] || { "$ROOT/run.sh" points "${opts[@]}" | cut -f1 >"$out/points.list" &&
		[[ ${PIPESTATUS[0]} -eq 0 && -s $out/points.list ]]; } ||
		{ log "cannot list the sweep's points"; return 1; }
	log "$(wc -l <"$out/points.list") point run(s) over ${#ready[@]} host(s): ${ready[*]}"
	pflags=(--joblog "$out/joblog.points" -j "${#ready[@]}" --halt never --line-buffer)
	[[ -n $resume && -f $out/joblog.points ]] && pflags+=(--resume-failed)
	[[ -t 2 ]] && pflags+=(--eta)
	parallel "${pflags[@]}" -a "$out/points.list" "$HERE/hosts.sh" point "$out" '{%}' '{1}'
	for name in "${ready[@]}"; do
		IFS=$'\t' read -r _ login < <(grep -P "^\Q$name\E\t" "$out/ready.list")
		ssh_of "$login"
		on_host "rm -rf $(q "${SB_HOSTS_REMOTE_DIR:-/var/tmp}/stallbench-$(basename "$out")-$name")" </dev/null 2>/dev/null
	done
	# the merged sweep's points.tsv: each point's last status
	awk -F'\t' '{ rc[$1] = $2 } END { for (p in rc) printf "%s\t%s\tspread\n", p, rc[p] }' \
		"$out/spread/hosts.tsv" 2>/dev/null | sort >"$out/spread/sweep/points.tsv"
	return 0
}

# ---- the run ------------------------------------------------------------------
main() {
	local file= resume= out= a opts=() sid t0 n i hd name login st rel meta fails=0 spread_on=
	jobs=
	while (($#)); do
		case $1 in
		--hosts) [[ -n ${2:-} ]] || die "--hosts needs a file"; file=$2; shift 2 ;;
		--resume) resume=1
			if [[ -n ${2:-} && $2 != --* ]]; then out=$2; shift; fi
			shift ;;
		--out) [[ -n ${2:-} ]] || die "--out needs a value"; out=$2; shift 2 ;;
		--jobs) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || die "--jobs ${2:-}: a positive whole number"
			jobs=$2; shift 2 ;;
		--spread) spread_on=1; shift ;;
		--*) [[ -n ${2:-} ]] || die "$1 needs a value"; opts+=("$1" "$2"); shift 2 ;;
		*) die "'$1': not an option (./run.sh --hosts FILE [sweep options])" ;;
		esac
	done
	command -v parallel >/dev/null || die "GNU parallel is not installed (Debian package parallel)"
	[[ -n $file ]] || die "--hosts FILE: the ssh logins, one a line"
	[[ -r $file ]] || die "--hosts $file: cannot read it"
	git -C "$ROOT" rev-parse --verify -q HEAD >/dev/null ||
		die "$ROOT is not a git checkout: the hosts get the checkout at its commit"
	# the logins, one job each: "<host folder><TAB><login>"
	local list names=()
	declare -A seen=()
	list=$(sed 's/#.*//;s/^[[:space:]]*//;s/[[:space:]]*$//;/^$/d' "$file")
	[[ -n $list ]] || die "--hosts $file: no ssh login in it"
	local rows=""
	while IFS= read -r login; do
		[[ $login == *$'\t'* ]] && die "--hosts $file: a tab in '$login'"
		name=$(host_dir "$login")
		[[ -n $name ]] || die "--hosts $file: '$login': not an ssh login"
		i=2
		while [[ -n ${seen[$name]:-} ]]; do name=$(host_dir "$login")-$i; i=$((i + 1)); done
		seen[$name]=1
		names+=("$name")
		rows+="$name"$'\t'"$login"$'\n'
	done <<<"$list"
	if [[ -n $resume ]]; then
		[[ -n $out ]] || out=$(ls -d "$ROOT"/results/hosts-* 2>/dev/null | sort | tail -1)
		[[ -n $out && ( -f $out/joblog || -f $out/joblog.setup ) && -f $out/hosts.list ]] ||
			die "--resume ${out:-}: no earlier --hosts run (joblog, hosts.list) there"
		[[ $rows == "$(cat "$out/hosts.list")"$'\n' ]] ||
			die "--resume $out: $file is not the host list of that run (parallel's joblog needs the same jobs)"
		((${#opts[@]} == 0)) ||
			die "--resume: the sweep options are the first run's (in $out/sweep.args)"
		mapfile -t opts <"$out/sweep.args"
		[[ -f $out/spread.on ]] && spread_on=1
		log "resuming $out: the $([[ -n $spread_on ]] && echo points || echo hosts) that failed or never ran"
	else
		"$ROOT/run.sh" check "${opts[@]}" || exit 2
		sid=hosts-$(date +%Y%m%d-%H%M%S)
		out=${out:-$ROOT/results/$sid}
		[[ -e $out/joblog || -e $out/joblog.setup ]] && die "--out $out: already holds a --hosts run (--resume $out?)"
		mkdir -p "$out" || die "--out $out: cannot create it"
		printf '%s' "$rows" >"$out/hosts.list"
		printf '%s\n' "${opts[@]}" >"$out/sweep.args"
		[[ ${#opts[@]} -gt 0 ]] || : >"$out/sweep.args"
		git -C "$ROOT" rev-parse HEAD >"$out/commit"
		[[ -n $spread_on ]] && : >"$out/spread.on"
		git -C "$ROOT" diff --quiet HEAD 2>/dev/null ||
			log "uncommitted changes are not copied: the hosts run commit $(cut -c1-12 "$out/commit")"
		# the command as a reader would type it: the file by its name
		local cmd="./run.sh --hosts $(basename "$file")${spread_on:+ --spread}"
		for a in "${opts[@]}"; do
			[[ $a =~ ^[][A-Za-z0-9_./=:,+@%-]+$ ]] && cmd+=" $a" || cmd+=" '${a//\'/\'\\\'\'}'"
		done
		echo "$cmd" >"$out/command"
	fi
	n=${#names[@]}
	out=$(cd "$out" && pwd)
	t0=$(date +%s)
	if [[ -n $spread_on ]]; then
		spread "$out" "$resume" || return 1
		spread_letter "$out"
		return
	fi
	# --resume-failed: hosts whose job failed, and those never started, run
	# again; a host that finished is not touched.
	local pflags=(--joblog "$out/joblog" --colsep '\t' --tagstring '{1}' --line-buffer
		-j "${jobs:-$n}" --halt never)
	[[ -n $resume ]] && pflags+=(--resume-failed)
	[[ -t 2 ]] && pflags+=(--eta)
	log "$n host(s): ${names[*]} -> $out"
	# Ctrl-C: parallel stops its jobs (the hosts' sweeps die with their
	# connections); no letter over a stopped run, the line to finish it
	trap 'log "interrupted: the points back so far are kept; finish it: ./run.sh --hosts $file --resume $out"; exit 130' INT TERM
	# a SIGKILLed run.sh: parallel dies with it (no job starts after it),
	# and each running job's remote sweep with its connection's holder
	export SB_HOSTS_MAIN=$$
	setpriv --pdeathsig KILL parallel "${pflags[@]}" -a "$out/hosts.list" "$HERE/hosts.sh" job "$out" '{1}' '{2}'
	trap - INT TERM
	log "hosts took $(( $(date +%s) - t0 ))s"

	# ---- the letter across the hosts that came back ----
	. "$ROOT/bench/lab/letter.sh"
	local ids=({A..Z})
	dirs=() labels=() kinfo=() SB_LETTER_NOTES=()
	for name in "${names[@]}"; do
		hd=$out/$name
		st=$(cat "$hd/status" 2>/dev/null || echo "never ran")
		if [[ $st != ok ]]; then
			fails=$((fails + 1))
			SB_LETTER_NOTES+=("  not compared: $name: $st")
			log "host $name: $st"
			continue
		fi
		a=$(ls -d "$hd"/results/*/sweep | head -1)
		meta=$(ls "$a"/*/meta.json 2>/dev/null | head -1)
		[[ -n $meta ]] || { fails=$((fails + 1)); SB_LETTER_NOTES+=("  not compared: $name: no point ran"); continue; }
		dirs+=("$a")
		rel=$(sb_json "$meta" kernel.release)
		labels+=("$name: $rel; $(sb_machine_line "$meta")")
		kinfo+=("${ids[${#dirs[@]} - 1]}|$rel|$name||$(sb_machine_line "$meta")")
	done
	if ((${#dirs[@]})); then
		sb_cover_letter "$out" "$(cat "$out/command")" hosts || return 1
		echo "$SB_VSTAT" >"$out/verdict.status"
		cat "$out/cover-letter.txt"
		log "cover letter: $out/cover-letter.txt"
	else
		log "no host brought results back"
	fi
	if ((fails)); then
		log "$fails of $n host(s) failed (reasons in <host>/status); the others' results are kept;"
		log "rerun only those: ./run.sh --hosts $file --resume $out"
		return 1
	fi
	return 0
}

# The letter of a spread sweep: one sweep (its points from several hosts of
# one kernel, merged), the hosts each named with their machine.
spread_letter() {
	local out=$1 name meta rel missing
	. "$ROOT/bench/lab/letter.sh"
	local ids=({A..Z}) names=()
	meta=$(ls "$out"/spread/sweep/*/meta.json 2>/dev/null | head -1)
	[[ -n $meta ]] || { log "no point came back"; return 1; }
	rel=$(sb_json "$meta" kernel.release)
	while IFS=$'\t' read -r name _; do names+=("$name"); done <"$out/ready.list"
	dirs=("$out/spread/sweep") kinfo=() SB_LETTER_NOTES=()
	labels=("$rel, spread over: ${names[*]}")
	for name in "${names[@]}"; do
		meta=$(awk -F'\t' -v h="$name" '$3 == h { print $1 }' "$out/spread/hosts.tsv" | head -1)
		[[ -n $meta ]] || continue
		kinfo+=("ran on|$rel|$name||$(sb_machine_line "$out/spread/sweep/$meta/meta.json")")
	done
	missing=$(comm -23 <(sort "$out/points.list") <(ls "$out/spread/sweep" | sort))
	[[ -n $missing ]] && SB_LETTER_NOTES+=("  points missing: $(echo $missing)")
	sb_cover_letter "$out" "$(cat "$out/command")" "spread sweeps" || return 1
	cat "$out/cover-letter.txt"
	log "cover letter: $out/cover-letter.txt; which host ran which point: $out/spread/hosts.tsv"
	if [[ -n $missing ]]; then
		log "points missing (see $out/spread/*.log): $(echo $missing)"
		log "rerun only those: ./run.sh --hosts FILE --resume $out"
		return 1
	fi
}

case ${1:-} in
job) shift; job "$@" ;;
point) shift; point "$@" ;;
*) main "$@" ;;
esac
