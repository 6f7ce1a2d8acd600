# SPDX-License-Identifier: GPL-2.0-only
# Guest tests of xdpkit dump on kernels that let BPF trace BPF (the build host refuses fexit): a program built
# without xdpkit's verdict helpers is captured by fexit, as xdpdump does it; in libxdp's dispatcher the
# collection's hook and the fexit capture run side by side, each frame with the verdict of the program that gave it.

# dump_start PREFIX ARGS...: xdpkit dump in the background, output in PREFIX.out and PREFIX.err; returns once it
# captures. dump_end: waits for it to exit 0 (after its -c frames).
dump_start() {
	p=$1
	shift
	"$XK" dump "$@" >"$p.out" 2>"$p.err" &
	DUMP_PID=$!
	i=0
	while ! grep -q capturing "$p.err" 2>/dev/null; do
		kill -0 "$DUMP_PID" 2>/dev/null || {
			sed 's/^/      | /' "$p.err"
			fail "the dump exited before capturing"
		}
		[ $i -lt 600 ] || fail "the dump did not start in 60 s"
		sleep 0.1
		i=$((i + 1))
	done
}
dump_end() {
	i=0
	while kill -0 "$DUMP_PID" 2>/dev/null; do
		[ $i -lt 600 ] || {
			kill "$DUMP_PID"
			fail "the dump did not end in 60 s"
		}
		sleep 0.1
		i=$((i + 1))
	done
	wait "$DUMP_PID" || fail "the dump exited $?"
}

# A foreign program alone on the interface (attached by ip): every frame with its verdict, no rule.
test_dump_fexit_foreign() {
	must ip link set dev "$IF" xdpdrv obj "$OBJ/test-objs/no_frags.bpf.o" sec xdp
	dump_start /tmp/fx "$IF" -c 2 icmp
	assert_grep "the dump says how it captures" \
		"no_frags \(id [0-9]+\) on $IF xdp native has no capture hook: traced with fexit" "$(cat /tmp/fx.err)"
	ping_from "$SRC_A" 2 >/dev/null
	dump_end
	out=$(cat /tmp/fx.out)
	echo "$out" | sed 's/^/      /'
	assert_eq "two frames" 2 "$(echo "$out" | wc -l)"
	assert_grep "no_frags' verdict on the ping" \
		"^[0-9:.]+ $IF no_frags xdp PASS IP $SRC_A > $ADDR: ICMP echo request, id [0-9]+, seq 1, length 64$" "$out"
	ip link set dev "$IF" xdpdrv off
}

# blocklist (the hook) and the foreign program (fexit) under one dispatcher: the blocked ping is blocklist's DROP
# by its rule; the allowed one is blocklist's PASS, then no_frags' PASS.
test_dump_chain_hook_and_fexit() {
	must xdpkit attach "$IF" blocklist
	must /usr/sbin/xdp-loader load -m native "$IF" "$OBJ/test-objs/no_frags.bpf.o"
	must xdpkit map set blocklist/blocklist_v4 "$SRC_B"
	dump_start /tmp/ch "$IF" -c 3 icmp
	assert_grep "no_frags traced with fexit" "no_frags \(id [0-9]+\) on $IF .*traced with fexit" "$(cat /tmp/ch.err)"
	assert_eq "the blocked ping is dropped" 0 "$(ping_from "$SRC_B" 1)"
	assert_eq "the allowed one is answered" 1 "$(ping_from "$SRC_A" 1)"
	dump_end
	out=$(cat /tmp/ch.out)
	echo "$out" | sed 's/^/      /'
	assert_eq "three frames" 3 "$(echo "$out" | wc -l)"
	assert_grep "blocklist's drop by its rule" "$IF blocklist xdp DROP rule=$SRC_B IP $SRC_B > $ADDR: ICMP echo request" "$out"
	assert_grep "blocklist passes the other" "$IF blocklist xdp PASS IP $SRC_A > $ADDR: ICMP echo request" "$out"
	assert_grep "no_frags behind it passes it too" "$IF no_frags xdp PASS IP $SRC_A > $ADDR: ICMP echo request" "$out"
	assert_no_grep "no_frags never sees the blocked source" "no_frags .* IP $SRC_B " "$out"
	must xdpkit detach "$IF" --all --purge
}
