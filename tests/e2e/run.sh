#!/bin/bash
# run.sh: the e2e suite — runs every tests/e2e/test_*.sh (or the ones named), one line per test, then the total.
# Usage: tests/e2e/run.sh [test_name...]   V=1 streams each test's output with its commands traced.
# Each test runs in a mount namespace of its own with a private bpffs, so the suite may run beside other suites.
set -u

DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$DIR/../.." && pwd)
LOGDIR=${XK_E2E_LOGS:-$ROOT/build/e2e-logs}

if [ "$(id -u)" != 0 ]; then
	echo "run.sh: the e2e tests create namespaces and attach programs; run as root (sudo make test-e2e)" >&2
	exit 4
fi
for f in "$ROOT/build/hello.bpf.o"; do
	[ -e "$f" ] || { echo "run.sh: $f is missing; run 'make' first" >&2; exit 4; }
done
mkdir -p "$LOGDIR"
# Leftovers of earlier runs that crashed (their owner process is gone); live environments are left alone.
"$ROOT/scripts/testenv.sh" teardown --all >/dev/null 2>&1

tests=()
if [ $# -gt 0 ]; then
	for t in "$@"; do
		t=${t%.sh}
		t=${t##*/}
		[ -e "$DIR/$t.sh" ] || { echo "run.sh: no test $DIR/$t.sh" >&2; exit 2; }
		tests+=("$DIR/$t.sh")
	done
else
	for t in "$DIR"/test_*.sh; do
		[ -e "$t" ] && tests+=("$t")
	done
fi

pass=0
fail=0
for t in "${tests[@]}"; do
	name=$(basename "$t" .sh)
	log=$LOGDIR/$name.log
	start=$(date +%s.%N)
	if [ "${V:-0}" = 1 ]; then
		bash "$t" 2>&1 | tee "$log"
		rc=${PIPESTATUS[0]}
	else
		bash "$t" >"$log" 2>&1
		rc=$?
	fi
	secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
	summary=$(tail -n 1 "$log")
	if [ $rc = 0 ]; then
		pass=$((pass + 1))
		printf 'PASS  %-28s %6.1fs  %s\n' "$name" "$secs" "$summary"
	else
		fail=$((fail + 1))
		printf 'FAIL  %-28s %6.1fs  %s (exit %d; log %s)\n' "$name" "$secs" "$summary" "$rc" "$log"
		[ "${V:-0}" = 1 ] || grep -A6 -E '^  FAIL|^[a-z_]+: ' "$log" | head -40 | sed 's/^/      /'
	fi
done
echo "$pass passed, $fail failed"
[ $fail = 0 ]
