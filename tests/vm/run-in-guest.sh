#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Runs inside the vmtest guest: every test_* function of tests/vm/t-*.sh, or those named (and "e2e": tests/e2e).
# Usage: sh tests/vm/run-in-guest.sh [TEST...]   TEST: a function name (test_ optional), "vm" (all
# of them, the default), "e2e" (the whole e2e suite) or "e2e:NAME" (one e2e test: e2e:test_count)
cd "$(dirname "$0")/../.." || exit 1
. tests/vm/lib.sh
for f in tests/vm/t-*.sh; do
	. "$f"
done

all=$(sed -n 's/^\(test_[a-z0-9_]*\)() *{.*/\1/p' tests/vm/t-*.sh)
want=""
for t in "$@"; do
	case $t in
	e2e:*) e2e_tests="${e2e_tests:-} ${t#e2e:}" want="$want e2e" ;;
	vm) want="$want $all" ;;
	e2e | test_*) want="$want $t" ;;
	*) want="$want test_$t" ;;
	esac
done
[ -n "$want" ] || want="$all"

passed=0
failed=0
for t in $want; do
	[ "$t" = e2e ] && continue
	if ! echo "$all" | grep -qx "$t"; then
		echo "FAIL $t: no such test"
		failed=$((failed + 1))
		continue
	fi
	echo "RUN  $t"
	net_teardown
	start=$(date +%s)
	rc=0
	(
		set -e
		net_setup
		"$t"
	) || rc=$?
	net_teardown
	if [ "$rc" = 0 ]; then
		echo "PASS $t ($(($(date +%s) - start)) s)"
		passed=$((passed + 1))
	else
		echo "FAIL $t ($(($(date +%s) - start)) s)"
		failed=$((failed + 1))
	fi
done

# The e2e suite of the manager issue, as it runs on the host (bash, namespaces, real traffic).
if echo "$want" | grep -qw e2e; then
	if [ -x tests/e2e/run.sh ]; then
		echo "RUN  e2e (tests/e2e/run.sh)"
		# shellcheck disable=SC2086 # a list of names
		# XK_VM_GUEST: tests that need tools the guest does not carry skip (lib.sh, xk_host_only).
		XK_VM_GUEST=1 /usr/bin/bash tests/e2e/run.sh ${e2e_tests:-} 2>&1 | tee /tmp/e2e.log
		# The host cannot read the guest's log files: show the end of each failing test's log here.
		sed -n 's/^FAIL .*(exit [0-9]*; log \(.*\))$/\1/p' /tmp/e2e.log | while read -r f; do
			echo "---- tail of $f"
			tail -n 25 "$f" | sed 's/^/      | /'
		done
		line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' /tmp/e2e.log | tail -n 1)
		if [ -n "$line" ]; then
			passed=$((passed + ${line%% passed*}))
			f=${line#*, }
			failed=$((failed + ${f%% failed}))
		else
			echo "FAIL e2e: no summary line"
			failed=$((failed + 1))
		fi
	else
		echo "SKIP e2e: tests/e2e/run.sh not present"
	fi
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
