#!/usr/bin/env bash
# The module is kernel coding style: checkpatch.pl --strict finds nothing
# (BIT() excepted: a UAPI header cannot use it). checkpatch.pl comes from
# Debian's linux-source-6.1, fetched once into /var/cache/stallbench.
set -u
src=$(cd "$(dirname "$0")/../.." && pwd)
cache=${STALLBENCH_CACHE:-/var/cache/stallbench}/checkpatch
cp=${CHECKPATCH:-$cache/scripts/checkpatch.pl}
if [[ ! -f $cp ]]; then
	command -v apt-get >/dev/null || { echo "SKIP: no checkpatch.pl and no apt-get" >&2; exit 4; }
	tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && apt-get download linux-source-6.1 >/dev/null 2>&1) ||
		{ echo "SKIP: cannot download linux-source-6.1 for checkpatch.pl" >&2; exit 4; }
	dpkg-deb --fsys-tarfile "$tmp"/linux-source-6.1_*.deb | tar -x -C "$tmp" --wildcards '*.tar.xz' ||
		{ echo "SKIP: cannot unpack linux-source-6.1" >&2; exit 4; }
	mkdir -p "$cache"
	tar -xJf "$tmp"/usr/src/linux-source-6.1.tar.xz -C "$cache" --strip-components=1 \
		--wildcards '*/scripts/checkpatch.pl' '*/scripts/spelling.txt' '*/scripts/const_structs.checkpatch' ||
		{ echo "SKIP: checkpatch.pl not in linux-source-6.1" >&2; exit 4; }
fi
# every source and header of the module, as Kbuild builds it
files=()
for f in "$src"/workloads/kmod/*.[ch]; do
	[[ $f == *.mod.c ]] || files+=("$f")	# not modpost's, after an in-tree make
done
((${#files[@]} > 1)) || { echo "FAIL: no module sources in $src/workloads/kmod"; exit 1; }
out=$(perl "$cp" --no-tree --strict --terse --ignore BIT_MACRO -f "${files[@]}" 2>&1)
rc=$?
bad=$(grep -E ': (ERROR|WARNING|CHECK):' <<<"$out")
[[ -z $bad ]] || { echo "$bad"; echo "FAIL: checkpatch --strict"; exit 1; }
# its own exit too: a checkpatch that could not run (perl error, a file
# missing) prints no finding yet exits non-zero
((rc == 0)) || { echo "$out" | tail -5; echo "FAIL: checkpatch.pl exit $rc"; exit 1; }
echo "checkpatch --strict: the module's ${#files[@]} files clean (${files[*]##*/})"
