#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# run.sh: the hardening suite (issue 9): every tests/stress/*.sh but this runner and lib.sh, or the
# ones named, one after the other (each loads the machine on its own: 8 managers, kills, 1M-line
# files), in short mode (make test) or full mode (make stress). One line per script with its figures
# in its log, then the total. Usage: tests/stress/run.sh short|full [name...]   V=1 streams output.
set -u

DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$DIR/../.." && pwd)
MODE=${1:-short}
shift
case $MODE in
short | full) ;;
*)
	echo "run.sh: mode '$MODE' is neither short nor full; run.sh short|full [name...]" >&2
	exit 2
	;;
esac
if [ "$(id -u)" != 0 ]; then
	echo "run.sh: the cases make namespaces, attach programs, kill processes; run as root" >&2
	exit 4
fi
if [ ! -x "$ROOT/build/xdpkit" ]; then
	echo "run.sh: build/xdpkit is missing; run 'make' first" >&2
	exit 4
fi
LOGDIR=${XK_STRESS_LOGS:-$ROOT/build/stress-logs/$(date +%Y%m%d-%H%M%S)-$$}
mkdir -p "$LOGDIR"
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
	for t in "$DIR"/*.sh; do
		case ${t##*/} in run.sh | lib.sh) continue ;; esac
		tests+=("$t")
	done
fi

pass=0
fail=0
for t in "${tests[@]}"; do
	name=$(basename "$t" .sh)
	log=$LOGDIR/$name.log
	start=$(cut -d' ' -f1 /proc/uptime)
	if [ "${V:-0}" = 1 ]; then
		timeout -k 10 "${XK_STRESS_TIMEOUT:-3600}" bash "$t" "$MODE" 2>&1 | tee "$log"
		rc=${PIPESTATUS[0]}
	else
		timeout -k 10 "${XK_STRESS_TIMEOUT:-3600}" bash "$t" "$MODE" >"$log" 2>&1
		rc=$?
	fi
	end=$(cut -d' ' -f1 /proc/uptime)
	secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.0f", b - a }')
	summary=$(tail -n 1 "$log")
	if [ "$rc" = 0 ]; then
		pass=$((pass + 1))
		printf 'PASS  %-14s %5ss  %s\n' "$name" "$secs" "$summary"
	else
		fail=$((fail + 1))
		printf 'FAIL  %-14s %5ss  %s (exit %d; log %s)\n' "$name" "$secs" "$summary" "$rc" \
			"$log"
		[ "${V:-0}" = 1 ] || grep -a -A4 "^  FAIL" "$log" | head -40 | sed 's/^/      /'
	fi
	# The figures block of the log, between "figures (" and the last line.
	[ "${V:-0}" = 1 ] || sed -n '/^figures (/,$p' "$log" | sed '$d' | sed 's/^/      /'
done
echo "$pass passed, $fail failed"
[ $fail = 0 ]
