# SPDX-License-Identifier: GPL-2.0-only
# Guest tests of xdpkit in network namespaces: the same ifindex in two namespaces, each with a chain of
# two programs under a dispatcher of its own, managed independently. libxdp keeps a dispatcher's state
# in /sys/fs/bpf/xdp/dispatch-IFINDEX-PROGID (xdp-tools issue 287: by ifindex, which namespaces
# share): two namespaces get two directories, told apart by the dispatcher's program id.

NS_IFINDEX=42

# Test host NS: veth0 (index 42, 10.12.0.1) in NS, veth1 (10.12.0.2 and .3) in NS-peer.
ns_host() { # ns
	ip netns add "$1"
	ip netns add "$1-peer"
	ip -n "$1" link add veth0 index "$NS_IFINDEX" type veth peer name veth1 netns "$1-peer"
	nsenter --net=/run/netns/"$1" sh -c 'echo 1 >/proc/sys/net/ipv6/conf/veth0/disable_ipv6'
	nsenter --net=/run/netns/"$1-peer" sh -c 'echo 1 >/proc/sys/net/ipv6/conf/veth1/disable_ipv6'
	ip -n "$1" addr add 10.12.0.1/24 dev veth0
	ip -n "$1-peer" addr add 10.12.0.2/24 dev veth1
	ip -n "$1-peer" addr add 10.12.0.3/24 dev veth1
	ip -n "$1" link set veth0 up
	ip -n "$1-peer" link set veth1 up
	ip -n "$1-peer" neigh replace 10.12.0.1 lladdr "$(mac_of "$1" veth0)" dev veth1 nud permanent
	for a in 10.12.0.2 10.12.0.3; do
		ip -n "$1" neigh replace "$a" lladdr "$(mac_of "$1-peer" veth1)" dev veth0 nud permanent
	done
}

ns_teardown() {
	for n in xkA xkA-peer xkB xkB-peer; do
		ip netns del "$n" 2>/dev/null || true
	done
}

# xdpkit in namespace NS, each with a pin root of its own (rules apart): xkA through -n, xkB under
# `ip netns exec` (a fresh /sys: xdpkit brings the guest's bpffs back for itself).
xk_ns() { # ns args...
	ns=$1
	shift
	if [ "$ns" = xkA ]; then
		"$XK" -n xkA --pin-root /sys/fs/bpf/xk-xkA "$@"
	else
		ip netns exec "$ns" "$XK" --pin-root "/sys/fs/bpf/xk-$ns" "$@"
	fi
}

# "id NAME" lines of the chain on NS's veth0 (in run order), and its dispatcher's id.
ns_chain() { # ns
	xk_ns "$1" status veth0 | awk '$1 == "=>" { print $3, $4 }'
}
ns_dispatcher() { # ns
	xk_ns "$1" status veth0 | sed -n 's/.*libxdp dispatcher id \([0-9]*\) .*/\1/p'
}

# Replies to 4 pings from SRC in NS-peer to NS's veth0.
ns_ping() { # ns src
	nsenter --net=/run/netns/"$1-peer" ping -n -q -c 4 -i 0.05 -W 1 -I "$2" 10.12.0.1 2>/dev/null |
		sed -n 's/.* \([0-9]*\) received.*/\1/p' | grep . || echo 0
}

# ICMP packets count (id) counted in NS: 8 pings from .2 must add 8 (its counter sees only its own
# namespace's traffic).
ns_count_sees() { # ns count-id
	c0=$(count_icmp "$2")
	assert_eq "$1: replies to 10.12.0.2" 4 "$(ns_ping "$1" 10.12.0.2)"
	assert_eq "$1: count (id $2) saw those 4 pings" $((c0 + 4)) "$(count_icmp "$2")"
}

test_netns_same_ifindex() {
	trap ns_teardown EXIT
	ns_host xkA
	ns_host xkB
	assert_eq "veth0 in xkA has index $NS_IFINDEX" "$NS_IFINDEX" \
		"$(ip -n xkA -o link show dev veth0 | cut -d: -f1)"
	assert_eq "veth0 in xkB has index $NS_IFINDEX" "$NS_IFINDEX" \
		"$(ip -n xkB -o link show dev veth0 | cut -d: -f1)"

	must xk_ns xkA attach veth0 blocklist count
	must xk_ns xkB attach veth0 blocklist count
	da=$(ns_dispatcher xkA)
	db=$(ns_dispatcher xkB)
	note "dispatchers: xkA $da, xkB $db"
	[ -n "$da" ] && [ -n "$db" ] && [ "$da" != "$db" ] || fail "two dispatchers expected, got '$da' and '$db'"
	chain_a=$(ns_chain xkA)
	chain_b=$(ns_chain xkB)
	assert_eq "xkA: blocklist then count" "blocklist
count" "$(echo "$chain_a" | awk '{ print $2 }')"
	assert_eq "xkB: blocklist then count" "blocklist
count" "$(echo "$chain_b" | awk '{ print $2 }')"
	# The components are different programs; libxdp sees each chain in its own namespace.
	[ "$chain_a" != "$chain_b" ] || fail "both namespaces list the same program ids: $chain_a"
	assert_eq "xdp-loader in xkB lists xkB's chain" "$(echo "$chain_b" | awk '{ print $1 }')" \
		"$(nsenter --net=/run/netns/xkB /usr/sbin/xdp-loader status veth0 | awk '$1 == "=>" { print $4 }')"
	for d in "$da" "$db"; do
		[ -d "/sys/fs/bpf/xdp/dispatch-$NS_IFINDEX-$d" ] ||
			fail "no libxdp state for dispatcher $d: $(ls /sys/fs/bpf/xdp)"
	done
	# Each chain runs in order: a rule in xkA drops .3 there (count never sees it), not in xkB.
	must xk_ns xkA map set blocklist_v4 10.12.0.3
	co_a=$(echo "$chain_a" | awk '$2 == "count" { print $1 }')
	co_b=$(echo "$chain_b" | awk '$2 == "count" { print $1 }')
	c0=$(count_icmp "$co_a")
	assert_eq "xkA: .3 blocked" 0 "$(ns_ping xkA 10.12.0.3)"
	assert_eq "xkA: count saw none of the blocked pings" "$c0" "$(count_icmp "$co_a")"
	assert_eq "xkB: .3 passes (its rules are its own)" 4 "$(ns_ping xkB 10.12.0.3)"
	ns_count_sees xkA "$co_a"
	ns_count_sees xkB "$co_b"

	# Detach in one namespace: the other keeps its dispatcher, its programs and its state.
	must xk_ns xkA detach veth0 count
	assert_eq "xkA: blocklist left" "blocklist" "$(ns_chain xkA | awk '{ print $2 }')"
	assert_eq "xkB: chain unchanged" "$chain_b" "$(ns_chain xkB)"
	assert_eq "xkB: same dispatcher" "$db" "$(ns_dispatcher xkB)"
	must xk_ns xkB attach veth0 ratelimit
	assert_eq "xkB: ratelimit joined between them" "blocklist
ratelimit
count" "$(ns_chain xkB | awk '{ print $2 }')"
	assert_eq "xkA: unchanged by xkB's attach" "blocklist" "$(ns_chain xkA | awk '{ print $2 }')"
	db=$(ns_dispatcher xkB)
	chain_b=$(ns_chain xkB)

	must xk_ns xkA detach veth0 --all --purge
	assert_no_grep "xkA: no XDP left" "prog/xdp|xdp(generic)? id" "$(ip -n xkA link show dev veth0)"
	[ ! -e /sys/fs/bpf/xk-xkA ] || fail "xkA's pin root left: $(ls /sys/fs/bpf/xk-xkA)"
	assert_eq "xkB: chain unchanged" "$chain_b" "$(ns_chain xkB)"
	[ -d "/sys/fs/bpf/xdp/dispatch-$NS_IFINDEX-$db" ] ||
		fail "xkA's detach took xkB's libxdp state: $(ls /sys/fs/bpf/xdp)"
	assert_eq "libxdp state: xkB's dispatcher only" "dispatch-$NS_IFINDEX-$db" \
		"$(ls /sys/fs/bpf/xdp | grep '^dispatch-')"
	ns_count_sees xkB "$(ns_chain xkB | awk '$2 == "count" { print $1 }')"
	must xk_ns xkB detach veth0 --all --purge
	[ -z "$(ls /sys/fs/bpf/xdp 2>/dev/null | grep '^dispatch-')" ] ||
		fail "libxdp state left: $(ls /sys/fs/bpf/xdp)"
	[ ! -e /sys/fs/bpf/xk-xkB ] || fail "xkB's pin root left: $(ls /sys/fs/bpf/xk-xkB)"
}
