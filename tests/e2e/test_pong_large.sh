#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_pong_large.sh: pong verifies the checksums of the largest echo requests a 64 KiB MTU carries.
# On the test host's own lo (MTU 65536, generic XDP, the whole frame linear), with the stack's echo
# answers switched off so only pong can answer: pings of every size around frame offset 0xffff,
# where pong's sum stops using packet pointers and reads the rest with bpf_xdp_load_bytes, up to
# the largest IPv4 and IPv6 echo lo carries, are all answered. Then a TC program on lo's egress
# (tests/e2e/objs/pong_corrupt.bpf.c) flips a bit in the last byte of each large request: pong
# passes them (PASS, not TX), and the stack counts a checksum error for each.
. "$(dirname "$0")/lib.sh"
xk_private "$@"
xk_env_setup pong-large

snmp4() { on_host awk -v f="$1" '$1 == "Icmp:" { if (!n) { for (i = 1; i <= NF; i++) c[$i] = i; n = 1 } else print $c[f] }' /proc/net/snmp; }
snmp6() { on_host awk -v f="$1" '$1 == f { print $2 }' /proc/net/snmp6; }
# replies FAMILY ADDR SIZE: replies to one ping of SIZE payload bytes (0 or 1).
replies() { on_host ping "-$1" -q -c 1 -W 2 -s "$3" "$2" 2>/dev/null | sed -n 's/.* \([0-9]*\) received.*/\1/p'; }

check "the stack answers no echo (icmp_echo_ignore_all)" \
	on_host sysctl -qw net.ipv4.icmp_echo_ignore_all=1 net.ipv6.icmp.echo_ignore_all=1
check_eq "without pong nobody answers 127.0.0.1" 0 "$(replies 4 127.0.0.1 56)"
check "ip link set dev lo xdpgeneric obj pong.bpf.o sec xdp" \
	on_host ip link set dev lo xdpgeneric obj "$XK_BUILD/pong.bpf.o" sec xdp
xk_cleanup on_host ip link set dev lo xdpgeneric off
id=$(xdp_prog_id lo)
check_ne "pong is on lo" "" "$id"

# The ICMP message ends at frame offset 14 + 20 + 8 + SIZE (IPv4), 14 + 40 + 8 + SIZE (IPv6):
# 65493 / 65473 end exactly at 0xffff, one more crosses it; 65507 is the largest IPv4 echo, 65488
# the largest IPv6 echo in lo's MTU.
n=0
for s in 56 1400 65492 65493 65494 65495 65506 65507; do
	check_eq "IPv4: pong answers a ping of $s bytes" 1 "$(replies 4 127.0.0.1 $s)"
	n=$((n + 1))
done
for s in 56 1400 65472 65473 65474 65475 65487 65488; do
	check_eq "IPv6: pong answers a ping of $s bytes" 1 "$(replies 6 ::1 $s)"
	n=$((n + 1))
done
check_eq "pong counted each answer as XDP_TX" $n "$(verdicts "$id" 3)"

check "tc: a bit-flipper on lo's egress (pong_corrupt.bpf.o)" on_host tc qdisc add dev lo clsact
xk_cleanup on_host tc qdisc del dev lo clsact
check "tc filter add dev lo egress bpf da obj pong_corrupt.bpf.o sec tc" \
	on_host tc filter add dev lo egress bpf da obj "$XK_BUILD/test-objs/pong_corrupt.bpf.o" sec tc
pass=$(verdicts "$id" 2)
csum4=$(snmp4 InCsumErrors)
csum6=$(snmp6 Icmp6InCsumErrors)
# 65493: the flipped byte is the last one pong reads through a packet pointer (offset 0xfffe);
# 65507 / 65488: it lies past 0xffff, where pong reads with bpf_xdp_load_bytes.
for s in 65493 65507; do
	check_eq "IPv4: no answer to a ping of $s bytes with its last byte flipped" 0 \
		"$(replies 4 127.0.0.1 $s)"
done
for s in 65473 65488; do
	check_eq "IPv6: no answer to a ping of $s bytes with its last byte flipped" 0 \
		"$(replies 6 ::1 $s)"
done
check_eq "pong passed the 4 corrupted requests to the stack" $((pass + 4)) "$(verdicts "$id" 2)"
check_eq "pong answered none of them" $n "$(verdicts "$id" 3)"
check_eq "the stack counted 2 ICMP checksum errors" $((csum4 + 2)) "$(snmp4 InCsumErrors)"
check_eq "the stack counted 2 ICMPv6 checksum errors" $((csum6 + 2)) "$(snmp6 Icmp6InCsumErrors)"
check_eq "small pings are left alone by the flipper and answered" 1 "$(replies 4 127.0.0.1 56)"
check "tc qdisc del dev lo clsact" on_host tc qdisc del dev lo clsact
check_eq "without the flipper the largest IPv4 ping is answered again" 1 \
	"$(replies 4 127.0.0.1 65507)"
check "ip link set dev lo xdpgeneric off" on_host ip link set dev lo xdpgeneric off
check_eq "lo has no XDP program left" "" "$(xdp_prog_id lo)"
xk_done
