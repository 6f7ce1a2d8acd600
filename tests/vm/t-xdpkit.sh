# SPDX-License-Identifier: GPL-2.0-only
# Guest tests of `xdpkit attach/detach/status` on libxdp's dispatcher: order, detach, reorder, limits.

# Three programs, attached one call each, run under one dispatcher in the order of their own priorities.
test_chain_three() {
	must xdpkit attach "$IF" blocklist
	must xdpkit attach "$IF" ratelimit
	must xdpkit attach "$IF" count
	st=$(xdpkit status "$IF")
	echo "$st" | sed 's/^/      /'
	assert_grep "dispatcher" "libxdp dispatcher id [0-9]+ \(xdp_dispatcher" "$st"
	assert_eq "xdpkit status order" "10 blocklist $(id_of blocklist)
20 ratelimit $(id_of ratelimit)
60 count $(id_of count)" "$(xk_chain)"
	assert_eq "chain actions" 3 "$(echo "$st" | grep -c '=> .* chain XDP_PASS$')"
	assert_eq "xdp-loader sees the same order" "10 blocklist
20 ratelimit
60 count" "$(loader_chain)"
	must xdpkit map set blocklist/blocklist_v4 "$SRC_B"
	blocked_before_count || fail "count saw packets of a source blocklist drops: blocklist does not run first"
}

# The order check is sensitive: with count put in front of blocklist by --prio, count DOES see the blocked source.
test_order_check_can_fail() {
	must xdpkit attach "$IF" blocklist
	must xdpkit attach "$IF" count --prio 5
	assert_eq "count runs first" "5 count
10 blocklist" "$(loader_chain)"
	must xdpkit map set blocklist/blocklist_v4 "$SRC_B"
	if blocked_before_count; then
		fail "the order check passed with count in front of blocklist: it cannot detect a wrong order"
	fi
}

# Taking the middle program away leaves the other two running with the same ids; --prio moves a program.
test_detach_middle_and_reorder() {
	must xdpkit attach "$IF" blocklist ratelimit count
	bl=$(id_of blocklist)
	co=$(id_of count)
	must xdpkit detach "$IF" ratelimit
	assert_eq "two left, ids unchanged" "10 blocklist $bl
60 count $co" "$(xk_chain)"
	must xdpkit map set blocklist/blocklist_v4 "$SRC_B"
	blocked_before_count || fail "after detaching ratelimit, count saw blocked packets"
	# Re-attach ratelimit in front of everything.
	must xdpkit attach "$IF" ratelimit --prio 1
	assert_eq "ratelimit moved to the front" "1 ratelimit
10 blocklist
60 count" "$(loader_chain)"
}

# detach --all takes the dispatcher away with its libxdp state; --purge takes our pin root too.
test_detach_all_purge() {
	must xdpkit attach "$IF" blocklist ratelimit count
	must xdpkit map set blocklist/blocklist_v4 "$SRC_B"
	[ -n "$(ls /sys/fs/bpf/xdp 2>/dev/null)" ] || fail "no libxdp state under /sys/fs/bpf/xdp while attached"
	[ -e /sys/fs/bpf/xdpkit/blocklist_v4 ] || fail "blocklist_v4 not pinned under /sys/fs/bpf/xdpkit"
	must xdpkit detach "$IF" --all
	assert_no_grep "no XDP on $IF" "prog/xdp|xdp(generic)? id" "$(ip link show dev "$IF")"
	[ -z "$(ls /sys/fs/bpf/xdp 2>/dev/null)" ] || fail "libxdp state left: $(ls -R /sys/fs/bpf/xdp)"
	[ -e /sys/fs/bpf/xdpkit/blocklist_v4 ] || fail "detach without --purge removed the rule map"
	# The rule survives a re-attach, then everything goes with --purge.
	must xdpkit attach "$IF" blocklist count
	blocked_before_count || fail "the kept rule does not block after re-attach"
	must xdpkit detach "$IF" --all --purge
	[ -z "$(ls /sys/fs/bpf/xdp 2>/dev/null)" ] || fail "libxdp state left: $(ls -R /sys/fs/bpf/xdp)"
	[ ! -e /sys/fs/bpf/xdpkit ] || fail "pin root left after --purge: $(ls -R /sys/fs/bpf/xdpkit)"
	assert_eq "replies once everything is gone" 3 "$(ping_from "$SRC_B" 3)"
}

# libxdp's dispatcher holds 10 programs: the 11th is refused in one line and nothing changes.
test_eleventh_program() {
	# One call, one dispatcher build: ten separate calls would rebuild it (and reload every component) ten times.
	must xdpkit attach "$IF" hello hello hello hello hello hello hello hello hello hello
	before=$(loader_chain; /usr/sbin/xdp-loader status "$IF" | awk '$1 == "=>" { print $4 }')
	assert_eq "ten components" 10 "$(loader_chain | wc -l)"
	pins=$(find /sys/fs/bpf | sort)
	# ratelimit pins two maps by name: a refusal must take them away again.
	must_fail xdpkit attach "$IF" ratelimit
	note "refusal: $out"
	assert_eq "one line" 1 "$(echo "$out" | wc -l)"
	assert_grep "says why" "10 programs" "$out"
	assert_eq "chain unchanged" "$before" "$(loader_chain; /usr/sbin/xdp-loader status "$IF" | awk '$1 == "=>" { print $4 }')"
	assert_eq "bpffs unchanged" "$pins" "$(find /sys/fs/bpf | sort)"
	[ ! -e /sys/fs/bpf/xdpkit/ratelimit_cfg ] || fail "the refused attach left its map pinned"
}

# The JSON status and the stats verb see the chain as the kernel runs it; a mode mismatch is refused without change;
# detach --id takes a component by id.
test_json_stats_mode_and_id() {
	must xdpkit attach "$IF" blocklist count
	must xdpkit map set blocklist/blocklist_v4 "$SRC_B"
	assert_eq "blocked pings" 0 "$(ping_from "$SRC_B" 4)"
	assert_eq "allowed pings" 3 "$(ping_from "$SRC_A" 3)"
	js=$(xdpkit --json status "$IF")
	kernel=$(ip -j link show dev "$IF" | /usr/bin/jq -r '.[0].xdp.prog.id')
	assert_eq "JSON dispatcher = what ip link runs" "$kernel" "$(echo "$js" | /usr/bin/jq -r '.[0].xdp.dispatcher.id')"
	assert_eq "JSON components" "1 blocklist 10 XDP_PASS
2 count 60 XDP_PASS" "$(echo "$js" | /usr/bin/jq -r '.[0].xdp.programs[] |
		"\(.position) \(.name) \(.priority) \(.chain_actions | join(","))"')"
	st=$(xdpkit --json stats "$IF")
	assert_eq "stats: blocklist dropped the blocked pings" 4 \
		"$(echo "$st" | /usr/bin/jq '.programs[] | select(.name == "blocklist") | .actions.drop.packets')"
	assert_eq "stats: count passed only the allowed ones" 3 \
		"$(echo "$st" | /usr/bin/jq '.programs[] | select(.name == "count") | .actions.pass.packets')"
	# The kernel times the dispatcher, not the programs it jumps to (freplace): each component's
	# run time is the chain's, said so.
	assert_eq "stats: run time counted by the dispatcher for both" "true $kernel true $kernel" \
		"$(echo "$st" | /usr/bin/jq -r '[.programs[] | select(.name == "blocklist" or .name == "count")
			| "\(.run_time.dispatcher) \(.run_time.counted_id)"] | join(" ")')"

	# libxdp cannot mix modes on one interface: refused, and nothing of ratelimit is left behind.
	before=$(/usr/sbin/xdp-loader status "$IF")
	must_fail xdpkit attach "$IF" ratelimit --mode skb
	note "refusal: $out"
	assert_eq "one line" 1 "$(echo "$out" | wc -l)"
	assert_grep "names the running mode and the fix" "$IF runs XDP in native mode.*use --mode native" "$out"
	assert_eq "chain unchanged" "$before" "$(/usr/sbin/xdp-loader status "$IF")"
	[ ! -e /sys/fs/bpf/xdpkit/ratelimit_cfg ] || fail "the refused attach left ratelimit_cfg pinned"

	bl=$(id_of blocklist)
	must xdpkit detach "$IF" --id "$(id_of count)"
	assert_eq "count gone by id, blocklist kept" "10 blocklist $bl" "$(xk_chain)"
	assert_eq "still blocking" 0 "$(ping_from "$SRC_B" 2)"
}

# A jumbo MTU (9000 on both ends) in native mode: libxdp loads its dispatcher with multi-buffer support when every
# program in the chain has it (xdpkit turns it on for each collection program), else veth refuses it (ERANGE). Jumbo
# pings run through the chain in order, counted with their whole length; a foreign object without multi-buffer
# support is refused with the kernel's words and an MTU hint, and the chain stays as it was.
test_jumbo_chain() {
	must ip link set dev "$IF" mtu 9000
	must ip -n "$PEER" link set dev veth1 mtu 9000
	must xdpkit attach "$IF" blocklist ratelimit count --mode native
	st=$(xdpkit status "$IF")
	assert_grep "dispatcher in native mode" "xdp: native mode, libxdp dispatcher id [0-9]+" "$st"
	assert_eq "chain order" "10 blocklist
20 ratelimit
60 count" "$(loader_chain)"
	must xdpkit map set blocklist/blocklist_v4 "$SRC_B"
	bl=$(id_of blocklist)
	co=$(id_of count)
	c0=$(count_icmp "$co")
	# 8000-byte echo requests: 14 + 20 + 8 + 8000 bytes on the wire.
	assert_eq "jumbo pings from the allowed source answered" 3 "$(nsenter --net=/run/netns/"$PEER" ping -n -q -c 3 \
		-i 0.05 -W 2 -s 8000 -I "$SRC_A" "$ADDR" 2>/dev/null | sed -n 's/.* \([0-9]*\) received.*/\1/p')"
	assert_eq "count saw them" $((c0 + 3)) "$(count_icmp "$co")"
	m=$(prog_map "$co" count_proto)
	assert_eq "count_proto counted 3 whole frames" $((3 * 8042)) "$(bpftool map lookup id "$m" key 0 8 1 0 |
		awk -F: '/"bytes"/ { gsub(/[ ,]/, "", $2); s += $2 } END { print s + 0 }')"
	assert_eq "jumbo pings from the blocked source dropped" 0 "$(nsenter --net=/run/netns/"$PEER" ping -n -q -c 2 \
		-i 0.05 -W 1 -s 8000 -I "$SRC_B" "$ADDR" 2>/dev/null | sed -n 's/.* \([0-9]*\) received.*/\1/p' | grep . ||
		echo 0)"
	assert_eq "by blocklist" 2 "$(prog_stat "$bl" 1)"
	assert_eq "before count" $((c0 + 3)) "$(count_icmp "$co")"

	before=$(/usr/sbin/xdp-loader status "$IF")
	pins=$(find /sys/fs/bpf | sort)
	must_fail xdpkit attach "$IF" "$OBJ"/test-objs/no_frags.bpf.o
	note "refusal: $out"
	assert_grep "the kernel's words" "^xdpkit: cannot attach .*no_frags.bpf.o' to $IF: .*\(kernel: .*MTU.*\)$" "$out"
	assert_grep "an MTU hint naming the object" "^hint: $IF has MTU 9000.*no_frags.bpf.o' declares none" "$out"
	assert_no_grep "no word of the verifier" "verifier" "$out"
	assert_eq "chain unchanged" "$before" "$(/usr/sbin/xdp-loader status "$IF")"
	assert_eq "bpffs unchanged" "$pins" "$(find /sys/fs/bpf | sort)"
}
