#!/bin/sh
# make fuzz: build every tests/fuzz/fuzz_*.c with libFuzzer, ASan and
# UBSan, and run each for FUZZ_SECONDS (default 60) on a work corpus seeded
# from tests/fuzz/corpus/<name>. Crashes are left in build-fuzz/ as
# crash-*; the script exits non-zero if any target found one. Flags and
# libraries come from the GNUmakefile (FUZZ_CFLAGS, FUZZ_LIBS).
set -eu
secs=${FUZZ_SECONDS:-60}
out=build-fuzz
status=0
for src in tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	# shellcheck disable=SC2086 # word splitting is meant
	clang -g -O1 $FUZZ_CFLAGS -fsanitize=fuzzer,address,undefined \
	    -o "$out/$name" "$src" "$out/libdindex.a" $FUZZ_LIBS
	mkdir -p "$out/corpus/$name" "tests/fuzz/corpus/${name#fuzz_}"
	echo "== $name: $secs s"
	if ! (cd "$out" && ./"$name" -max_total_time="$secs" \
	    -max_len=65536 -print_final_stats=1 "corpus/$name" \
	    "../tests/fuzz/corpus/${name#fuzz_}" 2>&1 |
	    grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss|==[0-9]+==ERROR|SUMMARY)'); then
		:
	fi
	ls "$out"/crash-* "$out"/leak-* 2>/dev/null && status=1
done
exit $status
