#!/usr/bin/env bash
# bench/lab/mkdocs.sh STALLBENCH OUTDIR: the man pages and the bash completion,
# written from the binary itself (run by the build, installed by
# cmake --install): man1/stallbench.1 from `stallbench --help`, one
# man1/stallbench-CMD.1 per row of the command table from `stallbench help
# CMD` (help2man), and completion/stallbench from `stallbench completion`.
# Without help2man only the completion is written (and a note says so).
set -euo pipefail
SB=$1 OUT=$2
mkdir -p "$OUT/man1" "$OUT/completion"
"$SB" completion > "$OUT/completion/stallbench.new"
mv "$OUT/completion/stallbench.new" "$OUT/completion/stallbench"
if ! command -v help2man >/dev/null; then
	echo "mkdocs: help2man not installed (apt-get install help2man): no man pages" >&2
	exit 0
fi
ver=$("$SB" --version | awk '{print $2}')
# The command table as `stallbench --help` prints it: "  NAME   what it does".
cmds=$("$SB" --help | sed -n '/^commands:/,/^$/{/^  [a-z]/p}')
see=$(awk '{printf "%sstallbench-%s(1)", (NR > 1 ? ", " : ""), $1}' <<< "$cmds")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
inc=$tmp/include
# help2man reads GNU-style help: "Usage:" opens the synopsis and a blank line
# parts the description from the options below it. The binary's help keeps
# its own style; this wrapper only adds those marks for help2man (and joins a usage
# that runs over two lines).
cat > "$tmp/stallbench" <<WRAP
#!/usr/bin/env bash
set -o pipefail
"$SB" "\$@" | awk 'NR == 1 { sub(/^usage:/, "Usage:"); u = \$0; next }
	u != "" && /^      +\[/ { sub(/^ +/, " "); u = u \$0; next }
	u != "" { print u; prev = u; u = "" }
	/^ +-/ && (prev ~ /^  [^ -]/ || prev ~ /^Usage:/) { print "" }
	{ print; prev = \$0 }
	END { if (u != "") print u }'
WRAP
chmod +x "$tmp/stallbench"
printf '[SEE ALSO]\n%s\n' "$see" > "$inc"
help2man --no-info --no-discard-stderr --section 1 --include "$inc" \
	--name "memory-pressure benchmark and reclaim-stall profiler" \
	--output "$OUT/man1/stallbench.1" "$tmp/stallbench"
while read -r name what; do
	printf '[SEE ALSO]\nstallbench(1)\n' > "$inc"
	help2man --no-info --no-discard-stderr --section 1 --include "$inc" \
		--help-option "help $name" --version-string "stallbench-$name $ver" \
		--name "$what" --output "$OUT/man1/stallbench-$name.1" "$tmp/stallbench"
done <<< "$cmds"
