#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# tests/fuzz/run.sh: run every libFuzzer target of tests/fuzz/ (built by `make fuzz-build` into
# build/fuzz/) on its seed corpus, then for a while.
#   tests/fuzz/run.sh [--seconds S | --runs N] [TARGET...]
# --seconds S (default $FUZZ_SECONDS or 60): fuzz each target S seconds (`make fuzz`).
# --runs N: N inputs each, seed 1 (`make test-fuzz`, the short run of `make test` and CI).
# New inputs go to build/fuzz/corpus/<target>, crashes to build/fuzz/<target>-crash-*: fix the
# bug, then add the input to tests/fuzz/corpus/<target>/ so every later run tries it first.
# Ends with "N passed, N failed"; exit 1 when a target crashed, leaked or timed out.
set -u
cd "$(dirname "$0")/../.."
BUILD=build/fuzz
limit=(-max_total_time="${FUZZ_SECONDS:-60}")
targets=()
while [ $# -gt 0 ]; do
	case $1 in
	--seconds) limit=(-max_total_time="$2"); shift 2 ;;
	--runs) limit=(-runs="$2" -seed=1); shift 2 ;;
	*) targets+=("$1"); shift ;;
	esac
done
if [ ${#targets[@]} = 0 ]; then
	for f in tests/fuzz/fuzz_*.c; do targets+=("$(basename "$f" .c)"); done
fi
passed=0
failed=0
for t in "${targets[@]}"; do
	bin=$BUILD/$t
	if [ ! -x "$bin" ]; then
		echo "FAIL $t: $bin is missing; run 'make fuzz-build'"
		failed=$((failed + 1))
		continue
	fi
	mkdir -p "$BUILD/corpus/$t"
	log=$BUILD/$t.log
	# The writable corpus first (libFuzzer adds new inputs to it), the seeds of the tree after.
	"$bin" "${limit[@]}" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
		-artifact_prefix="$BUILD/$t-" "$BUILD/corpus/$t" "tests/fuzz/corpus/$t" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	if [ $rc = 0 ]; then
		echo "ok   $t: ${runs:-?} runs"
		passed=$((passed + 1))
	else
		echo "FAIL $t (exit $rc, ${runs:-?} runs): see $log"
		grep -m5 -E 'ERROR|failed at|SUMMARY|does not|changed' "$log" | sed 's/^/    /'
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
