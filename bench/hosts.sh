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
# Env: SB_HOSTS_REMOTE_DIR  where the copy goes on a host (default /var/tmp)
#
# (internal) bench/hosts.sh job OUTDIR HOSTDIR LOGIN  one host's job, run by parallel
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
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

# ---- one host's job (run by parallel) ----------------------------------------
# Exit 0 when the sweep ran and came back; otherwise the step that failed is
# in $hd/status and the job's exit is 10 unreachable, 11 copy, 12 build,
# 13 sweep (died or failed), 14 results not brought back.
job() {
	local out=$1 name=$2 login=$3 hd=$1/$2 sid rdir sudo= rc commit opts o line
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
	on_host 'id -u; uname -r' </dev/null >"$hd/id" 2>"$hd/step.err" ||
		failed connect 10 "unreachable ($(why))"
	[[ $(head -1 "$hd/id") == 0 ]] || sudo="sudo -n"
	sed -n 2p "$hd/id" >"$hd/uname"
	log "$name: copying commit ${commit:0:12} to $rdir"
	git -C "$ROOT" archive --format=tar "$commit" |
		on_host "rm -rf $(q "$rdir") && mkdir -p $(q "$rdir") && tar -xf - -C $(q "$rdir") &&
			echo $(q "$commit") >$(q "$rdir/.stallbench-git")" 2>"$hd/step.err" ||
		failed copy 11 "copy failed ($(why))"
	log "$name: setting up (Debian packages, build of the driver)"
	on_host "cd $(q "$rdir") && $sudo env SB_BUILD_TARGET=stallbench ./run.sh setup" </dev/null >>"$hd/host.log" 2>"$hd/step.err"
	rc=$?
	cat "$hd/step.err" >>"$hd/host.log"
	((rc == 0)) || failed build 12 "build failed, exit $rc ($(why))"
	log "$name: sweep on $(cat "$hd/uname")"
	line="cd $(q "$rdir") && $sudo env RESULTS_ROOT=$(q "$rdir/results") SWEEP_ID=sweep"
	line+=" SB_NO_BUILD=1 SWEEP_NO_PLOTS=1 SWEEP_NO_LIVE=1 ./run.sh sweep"
	for o in "${opts[@]}"; do line+=" $(q "$o")"; done
	# the host's point-by-point progress goes to the terminal (tagged by
	# parallel) and to its log
	on_host "$line" </dev/null 2>&1 >"$hd/sweep.out" | tee -a "$hd/host.log" "$hd/step.err" |
		grep --line-buffered -E '^run.sh: (point|sweep on)' >&2
	rc=${PIPESTATUS[0]}
	if ((rc == 255)); then
		failed sweep 13 "died mid-sweep: the connection was lost ($(why))"
	elif ((rc != 0)); then
		failed sweep 13 "sweep failed, exit $rc ($(why))"
	fi
	log "$name: bringing the results back"
	rm -rf "$hd/results"
	mkdir -p "$hd/results"
	on_host "tar -cf - -C $(q "$rdir/results") ." </dev/null 2>"$hd/step.err" |
		tar -xf - -C "$hd/results" ||
		failed fetch 14 "results not brought back ($(why))"
	ls -d "$hd"/results/*/sweep >/dev/null 2>&1 ||
		failed fetch 14 "results not brought back (no sweep folder)"
	on_host "rm -rf $(q "$rdir")" </dev/null 2>/dev/null
	rm -f "$hd/step.err" "$hd/id"
	echo ok >"$hd/status"
	log "$name: done"
}

# ---- the run ------------------------------------------------------------------
main() {
	local file= resume= out= jobs= a opts=() sid t0 n i hd name login st rel meta fails=0
	while (($#)); do
		case $1 in
		--hosts) [[ -n ${2:-} ]] || die "--hosts needs a file"; file=$2; shift 2 ;;
		--resume) resume=1
			if [[ -n ${2:-} && $2 != --* ]]; then out=$2; shift; fi
			shift ;;
		--out) [[ -n ${2:-} ]] || die "--out needs a value"; out=$2; shift 2 ;;
		--jobs) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || die "--jobs ${2:-}: a positive whole number"
			jobs=$2; shift 2 ;;
		--spread) die "--spread: not implemented yet" ;;
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
		[[ -n $out && -f $out/joblog && -f $out/hosts.list ]] ||
			die "--resume ${out:-}: no earlier --hosts run (joblog, hosts.list) there"
		[[ $rows == "$(cat "$out/hosts.list")"$'\n' ]] ||
			die "--resume $out: $file is not the host list of that run (parallel's joblog needs the same jobs)"
		((${#opts[@]} == 0)) ||
			die "--resume: the sweep options are the first run's (in $out/sweep.args)"
		mapfile -t opts <"$out/sweep.args"
		log "resuming $out: the hosts that failed or never ran"
	else
		"$ROOT/run.sh" check "${opts[@]}" || exit 2
		sid=hosts-$(date +%Y%m%d-%H%M%S)
		out=${out:-$ROOT/results/$sid}
		[[ -e $out/joblog ]] && die "--out $out: already holds a --hosts run (--resume $out?)"
		mkdir -p "$out" || die "--out $out: cannot create it"
		printf '%s' "$rows" >"$out/hosts.list"
		printf '%s\n' "${opts[@]}" >"$out/sweep.args"
		[[ ${#opts[@]} -gt 0 ]] || : >"$out/sweep.args"
		git -C "$ROOT" rev-parse HEAD >"$out/commit"
		git -C "$ROOT" diff --quiet HEAD 2>/dev/null ||
			log "uncommitted changes are not copied: the hosts run commit $(cut -c1-12 "$out/commit")"
		# the command as a reader would type it: the file by its name
		local cmd="./run.sh --hosts $(basename "$file")"
		for a in "${opts[@]}"; do
			[[ $a =~ ^[][A-Za-z0-9_./=:,+@%-]+$ ]] && cmd+=" $a" || cmd+=" '${a//\'/\'\\\'\'}'"
		done
		echo "$cmd" >"$out/command"
	fi
	n=${#names[@]}
	out=$(cd "$out" && pwd)
	t0=$(date +%s)
	# --resume-failed: hosts whose job failed, and those never started, run
	# again; a host that finished is not touched.
	local pflags=(--joblog "$out/joblog" --colsep '\t' --tagstring '{1}' --line-buffer
		-j "${jobs:-$n}" --halt never)
	[[ -n $resume ]] && pflags+=(--resume-failed)
	[[ -t 2 ]] && pflags+=(--eta)
	log "$n host(s): ${names[*]} -> $out"
	parallel "${pflags[@]}" -a "$out/hosts.list" "$HERE/hosts.sh" job "$out" '{1}' '{2}'
	log "hosts took $(( $(date +%s) - t0 ))s"

	# ---- the letter across the hosts that came back ----
	. "$ROOT/bench/letter.sh"
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

case ${1:-} in
job) shift; job "$@" ;;
*) main "$@" ;;
esac
