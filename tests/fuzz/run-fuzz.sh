#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for a
# bounded time. usage: run-fuzz.sh SRCDIR WORKDIR [SECONDS]
set -u
src=$1 work=$2 secs=${3:-30}
command -v clang >/dev/null || { echo "SKIP: clang not installed (apt-get install clang)" >&2; exit 4; }
mkdir -p "$work"
cflags=(-g -O1 -std=gnu11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined
	-fno-sanitize-recover=undefined -I"$src/bench/data" -I"$src/bench/schema" -I"$src/bench/clock"
	-I"$src/bench/lib" -I"$src/workloads" $(pkg-config --cflags jansson))
libs=($(pkg-config --libs jansson libzstd) -lm)
# Only a clang without libFuzzer's runtime is a skip; our targets failing to
# build is a failure (a missing source once turned this test into a skip).
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return (int)(d && n) * 0; }\n' \
	>"$work/probe.c"
clang -fsanitize=fuzzer,address,undefined -o "$work/probe" "$work/probe.c" 2>"$work/build.log" ||
	{ echo "SKIP: clang cannot link libFuzzer (apt-get install libclang-rt-14-dev): $(tail -1 "$work/build.log")" >&2; exit 4; }
# the data part whole (its files split and move; a list here broke twice)
data=("$src"/bench/data/*.c)
clang "${cflags[@]}" -o "$work/fuzz_parse" "$src/tests/fuzz/fuzz_parse.c" "${data[@]}" \
	"${libs[@]}" 2>"$work/build.log" ||
	{ echo "FAIL: build fuzz_parse" >&2; tail "$work/build.log"; exit 1; }
clang "${cflags[@]}" -o "$work/fuzz_resread" "$src/tests/fuzz/fuzz_resread.c" "${data[@]}" \
	"${libs[@]}" 2>>"$work/build.log" || { echo "FAIL: build fuzz_resread" >&2; tail "$work/build.log"; exit 1; }
total=0
for t in fuzz_parse fuzz_resread; do
	mkdir -p "$work/corpus-$t"
	out=$("$work/$t" -max_total_time="$secs" -max_len=4096 -rss_limit_mb=1024 -artifact_prefix="$work/" \
		"$work/corpus-$t" 2>&1) || { echo "$out" | tail -30; echo "FAIL: $t found a crash" >&2; exit 1; }
	n=$(echo "$out" | grep -oE 'Done [0-9]+ runs' | grep -oE '[0-9]+')
	echo "$t: ${n:-?} inputs in ${secs}s, no crash"
	total=$((total + ${n:-0}))
done
echo "fuzzed inputs: $total"
