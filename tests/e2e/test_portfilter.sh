#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_portfilter.sh: portfilter attached by xdpkit drops UDP and TCP to a listed port and passes
# another (deny mode), then the reverse in allow-only mode; rules and mode written by bpftool;
# per-port hits; clean detach.
. "$(dirname "$0")/lib.sh"
xk_private "$@"
xk_env_setup portfilter
export XDPKIT_PROG_DIR=$XK_BUILD
xk_cleanup on_host "$XDPKIT" detach veth0 --all --purge
PIN=/sys/fs/bpf/xdpkit
TMP=$(mktemp -d /tmp/xkt-portfilter.XXXXXX)
xk_cleanup rm -rf "$TMP"
A=7001 # the listed port
B=7002 # not listed

# Listeners on the host: every UDP datagram and TCP connection's data to port P ends up in
# $TMP/udpP, $TMP/tcpP. nsenter execs socat, so $! is socat itself; no output descriptor of ours
# stays open in the background.
for p in $A $B; do
	nsenter --net="/run/netns/$XK_NS" socat -u "UDP4-RECV:$p" "OPEN:$TMP/udp$p,creat,append" \
		</dev/null >/dev/null 2>&1 &
	xk_cleanup kill $!
	nsenter --net="/run/netns/$XK_NS" socat -u "TCP4-LISTEN:$p,reuseaddr,fork" "OPEN:$TMP/tcp$p,creat,append" \
		</dev/null >/dev/null 2>&1 &
	xk_cleanup kill $!
done
for i in $(seq 50); do
	[ "$(on_host ss -Htuln "( sport = :$A or sport = :$B )" | wc -l)" -ge 4 ] && break
	sleep 0.1
done

# send_udp PORT WORD; send_tcp PORT WORD (fails when the SYN is dropped); got PROTO PORT: words
# received. The connection attempt is bounded from connect() on (SYNs at 0 and 1 s); the outer
# timeout only guards a stuck socat: one that counted socat's start-up ended it before its first
# SYN in a loaded VM guest, and "cannot connect" passed with no SYN sent.
send_udp() { echo "$2" | on_peer socat -u - "UDP4-SENDTO:$XK_IP4:$1"; }
send_tcp()
{
	echo "$2" | on_peer timeout 30 socat -u - "TCP4:$XK_IP4:$1,connect-timeout=2" 2>/dev/null
}
got() { sleep 0.2; cat "$TMP/$1$2" 2>/dev/null | tr '\n' ' '; }
hits() { percpu_sum pinned $PIN/portfilter_ports key $(be16 "$1") -- x; }

check "xdpkit attach veth0 portfilter" on_host "$XDPKIT" attach veth0 portfilter
id=$(xdp_prog_id)
send_udp $A one
send_udp $B one
check "no rules: TCP to $A connects" send_tcp $A one
check_eq "no rules: UDP to $A arrives" "one " "$(got udp $A)"
check_eq "no rules: UDP to $B arrives" "one " "$(got udp $B)"

check "bpftool: list port $A (deny mode)" \
	bpftool map update pinned $PIN/portfilter_ports key $(be16 $A) value $(le64 0)
send_udp $A two
send_udp $B two
check_eq "deny: UDP to listed port $A is dropped" "one " "$(got udp $A)"
check_eq "deny: UDP to port $B arrives" "one two " "$(got udp $B)"
check_fails "deny: TCP to listed port $A cannot connect" send_tcp $A two
check "deny: TCP to port $B connects" send_tcp $B two
check_eq "deny: TCP data reached port $B" "two " "$(got tcp $B)"
check_ge "hits of port $A: the datagram and the SYN(s)" 2 "$(hits $A)"
check_eq "ICMP is not a port's business: ping passes" 0 "$(ping4 "$XK_IP4" 1; echo $?)"

check "bpftool: allow-only mode" bpftool map update pinned $PIN/portfilter_cfg key 0 0 0 0 value $(le32 1)
send_udp $A three
send_udp $B three
check_eq "allow-only: UDP to listed port $A arrives" "one three " "$(got udp $A)"
check_eq "allow-only: UDP to port $B is dropped" "one two " "$(got udp $B)"
check "allow-only: TCP to listed port $A connects" send_tcp $A three
check_fails "allow-only: TCP to port $B cannot connect" send_tcp $B three
check_ge "portfilter counted its drops" 4 "$(verdicts "$id" 1)"

check "xdpkit detach veth0 --all --purge" on_host "$XDPKIT" detach veth0 --all --purge
check_clean "after detach --purge"
send_udp $B four
check_eq "after detach: UDP to $B arrives again" "one two four " "$(got udp $B)"
xk_done
