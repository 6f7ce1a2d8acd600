#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# run.sh: the e2e suite — runs every tests/e2e/test_*.sh (or the ones named), one line per test,
# then the total. Usage: tests/e2e/run.sh [test_name...]   J=N runs N tests at once (default 3); V=1
# runs them one by one and streams each test's output with its commands traced. Each test runs in a
# mount namespace of its own with a private bpffs, so the suite may run beside other suites.
# XK_E2E_TIMEOUT=S (default 600): a test still running after S seconds is stopped (its cleanup
# runs) and fails with exit 124, so one hung test shows in its log instead of stalling the suite.
set -u

DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$DIR/../.." && pwd)
# A log directory per run: several runs (other suites, other people) may go on at the same time.
LOGDIR=${XK_E2E_LOGS:-$ROOT/build/e2e-logs/$(date +%Y%m%d-%H%M%S)-$$}

if [ "$(id -u)" != 0 ]; then
	echo "run.sh: the e2e tests create namespaces and attach programs; run as root (sudo make test-e2e)" >&2
	exit 4
fi
for f in "$ROOT/build/hello.bpf.o"; do
	[ -e "$f" ] || { echo "run.sh: $f is missing; run 'make' first" >&2; exit 4; }
done
mkdir -p "$LOGDIR"
# Leftovers of earlier runs that crashed (their owner process is gone); live environments are left
# alone.
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

# Tests are independent (namespaces and bpffs of their own), so J of them run at once; V=1 runs one
# at a time.
J=${J:-3}
[ "${V:-0}" = 1 ] && J=1

# run_one TEST: runs it, then writes "rc seconds" to its .rc file.
run_one()
{
	local t=$1 name log start rc
	name=$(basename "$t" .sh)
	log=$LOGDIR/$name.log
	start=$(date +%s.%N)
	if [ "${V:-0}" = 1 ]; then
		timeout -k 10 "${XK_E2E_TIMEOUT:-600}" bash "$t" 2>&1 | tee "$log"
		rc=${PIPESTATUS[0]}
	else
		timeout -k 10 "${XK_E2E_TIMEOUT:-600}" bash "$t" >"$log" 2>&1
		rc=$?
	fi
	[ "$rc" = 124 ] && echo "run.sh: $name still running after ${XK_E2E_TIMEOUT:-600} s: stopped" >>"$log"
	echo "$rc $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')" >"$LOGDIR/$name.rc"
}

report()
{
	local name=$1 log=$LOGDIR/$1.log rc secs summary
	read -r rc secs <"$LOGDIR/$name.rc"
	summary=$(tail -n 1 "$log")
	if [ "$rc" = 0 ]; then
		pass=$((pass + 1))
		printf 'PASS  %-28s %6.1fs  %s\n' "$name" "$secs" "$summary"
		# What a test measured ("figure: ..." lines), shown on a pass too: the VM guests' logs
		# stay in the guest.
		grep '^figure: ' "$log" | sed 's/^/      /'
	else
		fail=$((fail + 1))
		printf 'FAIL  %-28s %6.1fs  %s (exit %d; log %s)\n' "$name" "$secs" "$summary" "$rc" "$log"
		[ "${V:-0}" = 1 ] || grep -A6 -E '^  FAIL|^[a-z_]+: ' "$log" | head -40 | sed 's/^/      /'
	fi
}

# Longest first (by the previous run's times), so a slow test does not start last and run alone.
prev=$(ls -1td "$ROOT"/build/e2e-logs/*/ 2>/dev/null | grep -v "/${LOGDIR##*/}/$" | head -1)
if [ -n "$prev" ] && [ ${#tests[@]} -gt 1 ]; then
	mapfile -t tests < <(for t in "${tests[@]}"; do
		secs=0
		f="$prev$(basename "$t" .sh).rc"
		[ -r "$f" ] && read -r _ secs <"$f"
		echo "$secs $t"
	done | sort -rn -k1,1 | cut -d' ' -f2-)
fi

pass=0
fail=0
declare -A running=()
for t in "${tests[@]}"; do
	name=$(basename "$t" .sh)
	rm -f "$LOGDIR/$name.rc"
	while [ ${#running[@]} -ge "$J" ]; do
		wait -n
		for n in "${!running[@]}"; do
			[ -e "$LOGDIR/$n.rc" ] && { report "$n"; unset "running[$n]"; }
		done
	done
	run_one "$t" &
	running[$name]=$!
done
wait
for n in "${!running[@]}"; do
	report "$n"
done
echo "$pass passed, $fail failed"
[ $fail = 0 ]
