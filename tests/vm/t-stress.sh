# SPDX-License-Identifier: GPL-2.0-only
# Guest test of the hardening suite: tests/stress/concurrent.sh (8 xdpkit managers at once on one
# interface) where libxdp's dispatcher chains XDP programs, so the XDP attaches add to one chain
# instead of contending for a single slot. Shortened for an emulated CPU: 3 rounds of 8 calls, one
# round of duels, 2 writes per free-running writer; no strace here, so no windows held open.
test_stress_concurrent() {
	rc=0
	out=$(XK_STRESS_OPS=3 XK_STRESS_ROUNDS=1 XK_STRESS_WRITES=2 \
		/usr/bin/bash tests/stress/concurrent.sh short 2>&1) || rc=$?
	echo "$out" | grep -E '^XDP: |FAIL|^          |^figures|^  [a-z]' | grep -v '^  ok' |
		sed 's/^/      /'
	echo "$out" | tail -n 1 | sed 's/^/      /'
	assert_grep "concurrent.sh ran with the dispatcher" "^XDP: libxdp's dispatcher chains" "$out"
	[ "$rc" = 0 ] || fail "tests/stress/concurrent.sh short: exit $rc"
}
