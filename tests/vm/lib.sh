# SPDX-License-Identifier: GPL-2.0-only
# Helpers for the guest tests (busybox sh): real tools, a veth topology, assertions, reading program counters.
# Sourced by tests/vm/run-in-guest.sh; every test function runs in its own subshell with `set -e`.

OBJ=/xdpkit/build
XK=/xdpkit/build/xdpkit
IF=veth0   # where programs are attached: receives what the peer namespace sends
PEER=xkpeer
ADDR=10.11.0.1
SRC_A=10.11.0.2 # the peer's first address: stays allowed
SRC_B=10.11.0.3 # the peer's second address: the one tests block

# busybox sh runs its own applets before $PATH for bare names; these must be the real tools.
ip() { /usr/sbin/ip "$@"; }
tc() { /usr/sbin/tc "$@"; }
ping() { /usr/bin/ping "$@"; }
nsenter() { /usr/bin/nsenter "$@"; }
xdpkit() { "$XK" "$@"; }

fail() {
	echo "    FAIL: $*"
	exit 1
}

note() {
	echo "    $*"
}

assert_eq() { # what expected got
	[ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
}

assert_gt() { # what bound got
	[ "$3" -gt "$2" ] || fail "$1: expected more than $2, got $3"
}

assert_grep() { # what pattern text
	echo "$3" | grep -Eq -- "$2" || {
		echo "$3" | sed 's/^/      | /'
		fail "$1: no line matches /$2/"
	}
}

assert_no_grep() { # what pattern text
	if echo "$3" | grep -Eq -- "$2"; then
		echo "$3" | sed 's/^/      | /'
		fail "$1: a line matches /$2/"
	fi
}

# Run a command that must succeed; show its output when it does not.
must() {
	out=$("$@" 2>&1) || {
		echo "$out" | sed 's/^/      | /'
		fail "'$*' failed"
	}
}

# Run a command that must fail; its output (stderr included) is left in $out.
must_fail() {
	if out=$("$@" 2>&1); then
		echo "$out" | sed 's/^/      | /'
		fail "'$*' succeeded but should have failed"
	fi
}

# veth0 (10.11.0.1) here, veth1 (10.11.0.2 and 10.11.0.3) in namespace xkpeer.
net_setup() {
	ip netns add "$PEER"
	ip link add "$IF" type veth peer name veth1
	ip link set veth1 netns "$PEER"
	# No IPv6 on the pair: its neighbour discovery and MLD frames would reach the programs and blur the counts.
	echo 1 >/proc/sys/net/ipv6/conf/"$IF"/disable_ipv6
	nsenter --net=/run/netns/"$PEER" sh -c 'echo 1 >/proc/sys/net/ipv6/conf/veth1/disable_ipv6'
	ip addr add "$ADDR/24" dev "$IF"
	ip link set "$IF" up
	ip -n "$PEER" addr add "$SRC_A/24" dev veth1
	ip -n "$PEER" addr add "$SRC_B/24" dev veth1
	ip -n "$PEER" link set veth1 up
	ip -n "$PEER" link set lo up
	# Static neighbours: no ARP through the programs under test, so every frame they see is one we sent.
	ip -n "$PEER" neigh replace "$ADDR" lladdr "$(mac_of "" "$IF")" dev veth1 nud permanent
	ip neigh replace "$SRC_A" lladdr "$(mac_of "$PEER" veth1)" dev "$IF" nud permanent
	ip neigh replace "$SRC_B" lladdr "$(mac_of "$PEER" veth1)" dev "$IF" nud permanent
}

mac_of() { # netns-or-empty dev
	# Not /sys/class/net: sysfs shows the devices of the namespace that mounted it, not of the caller's.
	ip ${1:+-n "$1"} -o link show dev "$2" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'
}

# Leave nothing for the next test: interfaces, namespaces, every pin (the whole bpffs belongs to this VM).
net_teardown() {
	ip netns del "$PEER" 2>/dev/null || true
	ip link del "$IF" 2>/dev/null || true
	rm -rf /sys/fs/bpf/* 2>/dev/null || true
}

# Send N pings from the peer with source address SRC; prints how many replies came back.
ping_from() { # src count
	nsenter --net=/run/netns/"$PEER" ping -n -q -c "$2" -i 0.05 -W 1 -I "$1" "$ADDR" 2>/dev/null |
		sed -n 's/.* \([0-9]*\) received.*/\1/p' | grep . || echo 0
}

# Id of the program named NAME in `xdp-loader status IF` (dispatcher components and single programs alike).
loader_prog_id() { # name
	/usr/sbin/xdp-loader status "$IF" | awk -v n="$1" '
		$1 == "=>" && $3 == n { print $4; exit }
		$1 != "=>" && $2 == n { print $4; exit }'
}

# Packets a program counted in slot SLOT (1 drop, 2 pass) of its own xdpkit_stats map, summed over CPUs.
prog_stat() { # prog-id slot
	m=$(prog_map "$1" xdpkit_stats) || return 1
	bpftool map lookup id "$m" key "$2" 0 0 0 |
		awk -F: '/"packets"/ { gsub(/[ ,]/, "", $2); s += $2 } END { print s + 0 }'
}

# Id of the map named NAME that program PROG uses (pins aside: works however the program was attached).
# Two bpftool calls whatever the number of maps: every process costs under TCG.
prog_map() { # prog-id map-name
	ids=$(bpftool prog show id "$1" | sed -n 's/.*map_ids \([0-9,]*\).*/,\1,/p')
	m=$(bpftool map list | awk -v ids="$ids" -v n="$2" -F'[: ]+' \
		'$0 ~ /^[0-9]+:/ && index(ids, "," $1 ",") && / name / { for (i = 2; i < NF; i++) if ($i == "name" && $(i + 1) == n) { print $1; exit } }')
	[ -n "$m" ] || {
		echo "program $1 has no map $2" >&2
		return 1
	}
	echo "$m"
}

# Dispatcher components in run order as "prio name" lines, from xdp-loader (libxdp's own view).
loader_chain() {
	/usr/sbin/xdp-loader status "$IF" | awk '$1 == "=>" { print $2, $3 }'
}

# ICMP-over-IPv4 packets in count's count_proto map (key: ethertype 0x0800 in host order, protocol 1), over CPUs.
count_icmp() { # count-prog-id
	m=$(prog_map "$1" count_proto) || return 1
	bpftool map lookup id "$m" key 0 8 1 0 2>/dev/null |
		awk -F: '/"packets"/ { gsub(/[ ,]/, "", $2); s += $2 } END { print s + 0 }'
}

# Components of `xdpkit status IF` in run order as "prio name id" lines.
xk_chain() {
	xdpkit status "$IF" | awk '$1 == "=>" {
		for (i = 2; i < NF; i++) {
			if ($i == "id") id = $(i + 1)
			if ($i == "prio") p = $(i + 1)
		}
		print p, $4, id }'
}

# Id of the component NAME in `xdp-loader status IF`, failing when absent.
id_of() { # name
	i=$(loader_prog_id "$1")
	[ -n "$i" ] || fail "no program '$1' on $IF: $(/usr/sbin/xdp-loader status "$IF")"
	echo "$i"
}

# The ordering property of the chain: with SRC_B blocked in blocklist, count must not see SRC_B's pings, and must
# see SRC_A's. Returns 1 (printing why) when count saw a blocked packet; fails the test on anything else.
blocked_before_count() {
	bl=$(id_of blocklist)
	co=$(id_of count)
	c0=$(count_icmp "$co")
	d0=$(prog_stat "$bl" 1)
	assert_eq "replies to blocked $SRC_B" 0 "$(ping_from "$SRC_B" 5)"
	assert_eq "blocklist drops of $SRC_B" $((d0 + 5)) "$(prog_stat "$bl" 1)"
	c1=$(count_icmp "$co")
	assert_eq "replies to allowed $SRC_A" 5 "$(ping_from "$SRC_A" 5)"
	c2=$(count_icmp "$co")
	assert_eq "count saw the allowed pings" $((c1 + 5)) "$c2"
	if [ "$c1" != "$c0" ]; then
		note "count saw $((c1 - c0)) packets of the blocked source"
		return 1
	fi
	return 0
}
