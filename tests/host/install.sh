#!/usr/bin/env bash
# cmake --install into a scratch prefix, then the installed tool as a user
# meets it: a man page per command of its table, the bash completion (the
# function called as bash would: `stallbench r<TAB>` is run and report), every
# command's `help CMD` equal to `CMD --help`, getopt_long options (--opt=value,
# unambiguous prefixes), and a small real capped run plotted by the installed
# binary with the source tree's plots/ hidden (a private mount namespace), so
# the scripts come from share/stallbench/plots. SB_BUILD is the build tree.
set -u
. "$(dirname "$0")/lib.sh"
BUILD=${SB_BUILD:?SB_BUILD must be the build tree}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
command -v help2man >/dev/null || skip "help2man not installed (apt-get install help2man): no man pages"
P=$TMP/prefix
cmake --install "$BUILD" --prefix "$P" > "$TMP/install.log" 2>&1 || fail "cmake --install: $(tail -3 "$TMP/install.log")"
I=$P/bin/stallbench
[[ -x $I ]] || fail "no bin/stallbench under the prefix"
for gp in "$TOP"/plots/*.gp; do
	[[ -f $P/share/stallbench/plots/$(basename "$gp") ]] || fail "plots/$(basename "$gp") not installed"
done
# the command table, as the binary prints it
cmds=$("$I" --help | sed -n '/^commands:/,/^$/{s/^  \([a-z][a-z]*\) .*/\1/p}')
[[ $(wc -w <<< "$cmds") -ge 7 && $cmds == *doctor* ]] || fail "command table not read from --help: '$cmds'"
for c in "" $cmds; do
	m=$P/share/man/man1/stallbench${c:+-$c}.1
	[[ -s $m ]] || fail "man page $m missing"
	man -l "$m" 2>/dev/null | grep -Eq "stallbench${c:+ +$c}" || fail "$m does not show stallbench $c"
done
for c in $cmds; do
	"$I" help "$c" > "$TMP/h1" 2>&1 || fail "help $c: exit $?"
	"$I" "$c" --help > "$TMP/h2" 2>&1 || fail "$c --help: exit $?"
	cmp -s "$TMP/h1" "$TMP/h2" || fail "help $c and $c --help differ"
	grep -q "^usage: stallbench $c" "$TMP/h1" || fail "help $c: no usage line"
done
# getopt_long everywhere but run: --opt=value and unambiguous prefixes
"$I" doctor --format=json > "$TMP/doc.json"
python3 -c 'import json,sys; json.load(open(sys.argv[1]))["can_run"]' "$TMP/doc.json" ||
	fail "doctor --format=json: not JSON"
"$I" doctor --mach > "$TMP/mach" || fail "doctor --mach (a prefix of --machine): exit $?"
[[ $(wc -l < "$TMP/mach") == 1 ]] || fail "doctor --mach: not one line"
"$I" parse --he > /dev/null || fail "parse --he (a prefix of --help): exit $?"
# completion: the installed script, its function called as bash calls it
CS=$P/share/bash-completion/completions/stallbench
[[ -s $CS ]] || fail "no bash completion installed"
complete_words() { # complete_words WORD...: what TAB offers for the last word
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _stallbench
		printf "%s\n" "${COMPREPLY[@]}" | sort | paste -sd" "' _ "$CS" "$@"
}
got=$(complete_words stallbench r)
[[ $got == "report run" ]] || fail "stallbench r<TAB>: '$got' (want run and report)"
got=$(complete_words stallbench help do)
[[ $got == doctor ]] || fail "stallbench help do<TAB>: '$got'"
want=$("$I" run --help | sed -n '/^workloads:/,${s/^  \([a-z][a-z-]*\) .*/\1/p}' | sort | paste -sd" ")
got=$(complete_words stallbench run --workload "")
[[ -n $want && $got == "$want" ]] || fail "run --workload <TAB>: '$got' (want '$want')"
got=$(complete_words stallbench run --workload memhog --hog-)
[[ $got == *--hog-size* ]] || fail "run --workload memhog --hog-<TAB>: '$got'"
got=$(complete_words stallbench run --glo)
[[ $got == --global-pressure ]] || fail "run --glo<TAB>: '$got'"
got=$(complete_words stallbench report --format "")
[[ $got == "json text" ]] || fail "report --format <TAB>: '$got'"
got=$(complete_words stallbench compare --format m)
[[ $got == markdown ]] || fail "compare --format m<TAB>: '$got'"
got=$(complete_words stallbench parse "")
[[ $got == "duration size" ]] || fail "parse <TAB>: '$got'"

# a small real run, plotted by the installed binary from its own share/
need_root
command -v gnuplot >/dev/null || skip "gnuplot not installed"
"$I" run --workload truncate-storm --cap 64M --duration 2s --out "$TMP/r" 2> "$TMP/err" ||
	fail "installed run failed: $(cat "$TMP/err")"
no_stale_cgroups
unshare -m bash -c 'mount -t tmpfs sb-hide "$1/plots" && env -u STALLBENCH_PLOTS "$2" plot "$3" --out "$4"' \
	_ "$TOP" "$I" "$TMP/r" "$TMP/plots" > "$TMP/plot.log" 2>&1 ||
	fail "installed plot with the source plots/ hidden: $(tail -3 "$TMP/plot.log")"
n_svg=$(find "$TMP/plots" -name '*.svg' | wc -l); n_txt=$(find "$TMP/plots" -name '*.txt' | wc -l)
[[ $n_svg -ge 2 && $n_txt -ge 2 ]] || fail "installed plot made $n_svg SVGs and $n_txt texts"
grep -q '<svg' "$(find "$TMP/plots" -name '*.svg' | head -1)" || fail "not an SVG"
echo "PASS: installed to $P: $(wc -w <<< "$cmds") commands with man pages, completion, plot ($n_svg SVGs)"
