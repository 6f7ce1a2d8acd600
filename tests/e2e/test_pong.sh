#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_pong.sh: pong attached by xdpkit answers pings for an address no stack owns (the peer sends
# to it through a static neighbour entry), IPv4 and IPv6, from the driver: the replies come back
# with valid checksums (the peer's stack accepts them), the host's stack never sees the requests,
# pong counts them as TX; other traffic (TCP) still passes; clean detach. Generic (skb) mode first;
# then native mode, where veth sends an XDP_TX frame only if its peer runs an XDP program too
# (veth's rule, not pong's), so the peer gets count for that part.
. "$(dirname "$0")/lib.sh"
xk_private "$@"
xk_env_setup pong
export XDPKIT_PROG_DIR=$XK_BUILD
xk_cleanup on_host "$XDPKIT" detach veth0 --all --purge
N=4

# The spare addresses belong to nobody; the peer sends to them as if veth0 owned them.
on_peer ip neigh replace "$XK_SPARE_IP4" lladdr "$XK_MAC" dev veth1 nud permanent
on_peer ip neigh replace "$XK_SPARE_IP6" lladdr "$XK_MAC" dev veth1 nud permanent
# snmp NS FILE FIELD: a counter of the namespace's stack (/proc/net follows the caller's network
# namespace).
snmp4() { "$1" awk -v f="$2" '$1 == "Icmp:" { if (!n) { for (i = 1; i <= NF; i++) c[$i] = i; n = 1 } else print $c[f] }' /proc/net/snmp; }
snmp6() { "$1" awk -v f="$2" '$1 == f { print $2 }' /proc/net/snmp6; }
replies() { on_peer ping "-$1" -q -c $N -i 0.1 -W 1 "$2" 2>/dev/null | sed -n 's/.* \([0-9]*\) received.*/\1/p'; }

check_eq "without pong nobody answers $XK_SPARE_IP4" 0 "$(replies 4 "$XK_SPARE_IP4")"
check "xdpkit attach veth0 pong --mode skb" on_host "$XDPKIT" attach veth0 pong --mode skb
id=$(xdp_prog_id)
check_eq "pong runs in generic mode" 2 "$(xdp_mode)"
in4=$(snmp4 on_host InEchos)
in6=$(snmp6 on_host Icmp6InEchos)
csum4=$(snmp4 on_peer InCsumErrors)
csum6=$(snmp6 on_peer Icmp6InCsumErrors)

check_eq "IPv4: pong answers all $N pings to $XK_SPARE_IP4" $N "$(replies 4 "$XK_SPARE_IP4")"
check_eq "IPv6: pong answers all $N pings to $XK_SPARE_IP6" $N "$(replies 6 "$XK_SPARE_IP6")"
check_match "the reply comes from the address pinged" "bytes from $XK_SPARE_IP4: icmp_seq=1" \
	"$(on_peer ping -c 1 -W 1 "$XK_SPARE_IP4")"
check_eq "IPv4: pong also answers for the host's own address" $N "$(replies 4 "$XK_IP4")"
check_eq "the host's stack saw no IPv4 echo request" "$in4" "$(snmp4 on_host InEchos)"
check_eq "the host's stack saw no IPv6 echo request" "$in6" "$(snmp6 on_host Icmp6InEchos)"
check_eq "the peer found no bad ICMPv4 checksum" "$csum4" "$(snmp4 on_peer InCsumErrors)"
check_eq "the peer found no bad ICMPv6 checksum" "$csum6" "$(snmp6 on_peer Icmp6InCsumErrors)"
check_eq "pong counted every answer as XDP_TX" $((3 * N + 1)) "$(verdicts "$id" 3)"
# Port 9 has no listener: "refused" means the SYN reached the host's stack, which answered with a
# reset. (The outer timeout guards a stuck socat only: socat's start-up alone can take seconds in a
# loaded VM guest.)
check_match "TCP passes to the host's stack (it answers: connection refused)" "Connection refused" \
	"$(on_peer timeout 30 socat -u /dev/null "TCP4:$XK_IP4:9,connect-timeout=2" 2>&1)"
check "xdpkit detach veth0 pong" on_host "$XDPKIT" detach veth0 pong

check "native: an XDP program on the peer's veth1 (ip link ... xdp obj count.bpf.o)" \
	on_peer ip link set dev veth1 xdp obj "$XK_BUILD/count.bpf.o" sec xdp
check "xdpkit attach veth0 pong --mode native" on_host "$XDPKIT" attach veth0 pong --mode native
check_eq "pong runs in native mode" 1 "$(xdp_mode)"
check_eq "native: IPv4: pong answers all $N pings to $XK_SPARE_IP4" $N "$(replies 4 "$XK_SPARE_IP4")"
check_eq "native: IPv6: pong answers all $N pings to $XK_SPARE_IP6" $N "$(replies 6 "$XK_SPARE_IP6")"
check "peer: ip link set dev veth1 xdp off" on_peer ip link set dev veth1 xdp off
check "xdpkit detach veth0 --all --purge" on_host "$XDPKIT" detach veth0 --all --purge
check_clean "after detach --purge"
check_eq "after detach nobody answers $XK_SPARE_IP4 again" 0 "$(replies 4 "$XK_SPARE_IP4")"
xk_done
