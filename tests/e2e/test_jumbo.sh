#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_jumbo.sh: a 9000-byte MTU on both ends of the veth pair. Every XDP program of the collection
# goes on in native mode with `xdpkit attach` (with multi-buffer support, under its plain name) and
# counts a real 8000-byte UDP datagram with its whole length; blocklist drops jumbo pings from a
# blocked source; pong leaves an 8000-byte ping to the stack; plain `ip ... sec xdp.frags` works
# where `sec xdp` is refused with the kernel's message; a foreign object without multi-buffer
# support is refused by xdpkit with the kernel's words, an MTU hint, exit 1 and nothing left; a TC
# refusal shows the kernel's words too.
. "$(dirname "$0")/lib.sh"
xk_private "$@"
xk_env_setup jumbo
export XDPKIT_PROG_DIR=$XK_BUILD
X=$XDPKIT
xk_cleanup on_host "$X" detach veth0 --all --purge
xk_cleanup on_host ip link set dev veth0 xdp off
xk_cleanup on_host tc qdisc del dev veth0 clsact
MTU=9000
# An 8000-byte UDP payload or ICMP echo: 14 + 20 + 8 + 8000 bytes on the wire, several pages.
FRAME=8042

check "MTU $MTU on veth0" on_host ip link set dev veth0 mtu $MTU
check "MTU $MTU on veth1" on_peer ip link set dev veth1 mtu $MTU
# Exact counts: no neighbour discovery (static entries) and no IPv6 chatter (router
# solicitations, MLD) during the test.
on_host sysctl -qw net.ipv6.conf.all.disable_ipv6=1
on_peer sysctl -qw net.ipv6.conf.all.disable_ipv6=1
on_peer ip neigh replace "$XK_IP4" lladdr "$XK_MAC" dev veth1 nud permanent
on_host ip neigh replace "$XK_PEER_IP4" lladdr "$XK_PEER_MAC" dev veth0 nud permanent

# One UDP datagram of 8000 bytes from the peer to port 9 (no listener: the host's stack answers
# with an ICMP error, which leaves on egress, where no XDP program looks).
send_udp() { head -c 8000 /dev/zero | on_peer socat -u - "UDP4-SENDTO:$XK_IP4:9"; }
# How many frames veth1 has sent (its /proc/net/dev tx packets).
peer_tx() { on_peer sed -n 's/^ *veth1: *//p' /proc/net/dev | awk '{ print $10 }'; }
# send_counted LABEL PROG_ID SLOT: send the datagram; the program counted one frame of its whole
# $FRAME bytes. A stray frame from the peer's stack in the same moment (seen once in a VM guest: 42
# bytes) would count too: then veth1 sent two, and the datagram goes again (3 tries).
send_counted()
{
	local w0 p0 b0 sent try
	for try in 1 2 3; do
		w0=$(peer_tx)
		p0=$(stat_of "$2" "$3" packets)
		b0=$(stat_of "$2" "$3" bytes)
		send_udp || break
		sent=$(($(peer_tx) - w0))
		[ "$sent" = 1 ] && break
		echo "  note  $1: veth1 sent $sent frames with the datagram (try $try)"
	done
	check_eq "$1: sent one 8000-byte UDP datagram, nothing else" 1 "$sent"
	check_eq "$1: counted one frame" $((p0 + 1)) "$(stat_of "$2" "$3" packets)"
	check_eq "$1: counted its whole $FRAME bytes" $((b0 + FRAME)) "$(stat_of "$2" "$3" bytes)"
}
# stat_of PROG_ID SLOT FIELD: what the program counted in its xdpkit_stats slot (1 drop, 2 pass,
# 3 tx, 5 malformed), summed over CPUs.
stat_of() { percpu_sum id "$(map_of "$1" xdpkit_stats)" key "$2" 0 0 0 -- "$3"; }
# ip -d link's program line on veth0: "prog/xdp id N name NAME".
ip_prog() { on_host ip -d link show dev veth0 2>/dev/null | grep -o 'prog/xdp id [0-9]* name [^ ]*'; }

# --- every XDP program of the collection, native mode, a real jumbo datagram ---
for obj in "$XK_BUILD"/*.bpf.o; do
	n=$(basename "$obj" .bpf.o)
	# The kernel's name is the object's xdp function (hello_drop is hello built with -DHELLO_DROP).
	kname=${n%_drop}
	slot=2
	[ "$n" = hello_drop ] && slot=1
	check "$n: xdpkit attach veth0 $n --mode native (MTU $MTU)" \
		on_host "$X" attach veth0 "$n" --mode native
	id=$(xdp_prog_id)
	check_eq "$n: native mode in ip link" 1 "$(xdp_mode)"
	# (Where libxdp chains programs, ip shows its dispatcher and the id is the component's.)
	check_eq "$n: the kernel runs it under its plain name" "name $kname" \
		"$(bpftool prog show id "$id" 2>/dev/null | grep -o 'name [^ ]*')"
	check_match "$n: xdpkit status names it" "id $id +$kname " "$(on_host "$X" status veth0)"
	send_counted "$n" "$id" $slot
	check_eq "$n: not malformed" 0 "$(stat_of "$id" 5 packets)"
	check "$n: xdpkit detach veth0 $n" on_host "$X" detach veth0 "$n"
done
check_eq "the MTU is still $MTU" $MTU "$(on_host ip -o link show dev veth0 | sed -n 's/.* mtu \([0-9]*\) .*/\1/p')"

# --- count's per-protocol map and xdpkit stats agree on the jumbo frame ---
check "attach count" on_host "$X" attach veth0 count --mode native
id=$(xdp_prog_id)
check "send an 8000-byte UDP datagram" send_udp
check_match "count_proto: one IPv4 UDP frame of $FRAME bytes" \
	"^ethertype=ipv4,ip_proto=udp packets=1 bytes=$FRAME$" "$(on_host "$X" map dump count/count_proto)"
check_eq "xdpkit stats --json: PASS bytes of count are $FRAME" $FRAME \
	"$(on_host "$X" --json stats count --interval 0.1 | jq '.programs[0].actions.pass.bytes')"
check "detach count" on_host "$X" detach veth0 count

# --- blocklist drops jumbo pings from a blocked source, counting whole frames ---
check "attach blocklist" on_host "$X" attach veth0 blocklist --mode native
id=$(xdp_prog_id)
check_eq "a jumbo ping passes before the rule" 2 "$(on_peer ping -q -c 2 -i 0.2 -W 1 -s 8000 "$XK_IP4" |
	sed -n 's/.* \([0-9]*\) received.*/\1/p')"
check "block the peer" on_host "$X" map set blocklist_v4 "$XK_PEER_IP4"
d0=$(stat_of "$id" 1 bytes)
check_eq "3 jumbo pings from the blocked peer: no reply" 0 \
	"$(on_peer ping -q -c 3 -i 0.2 -W 1 -s 8000 "$XK_IP4" | sed -n 's/.* \([0-9]*\) received.*/\1/p')"
check_eq "DROP bytes rose by 3 x $FRAME" $((d0 + 3 * FRAME)) "$(stat_of "$id" 1 bytes)"
check_eq "the rule's hit counter says 3" 3 "$(on_host "$X" map get blocklist_v4 "$XK_PEER_IP4")"
check "detach blocklist --purge" on_host "$X" detach veth0 blocklist --purge

# --- pong leaves a jumbo echo request to the stack ---
snmp4() { "$1" awk -v f="$2" '$1 == "Icmp:" { if (!n) { for (i = 1; i <= NF; i++) c[$i] = i; n = 1 } else print $c[f] }' /proc/net/snmp; }
check "attach pong" on_host "$X" attach veth0 pong --mode native
id=$(xdp_prog_id)
in0=$(snmp4 on_host InEchos)
check_eq "3 pings of 8000 bytes are answered" 3 "$(on_peer ping -q -c 3 -i 0.2 -W 1 -s 8000 "$XK_IP4" |
	sed -n 's/.* \([0-9]*\) received.*/\1/p')"
check_eq "by the host's stack (3 echo requests reached it)" $((in0 + 3)) "$(snmp4 on_host InEchos)"
check_eq "pong sent nothing back (TX 0)" 0 "$(stat_of "$id" 3 packets)"
check_eq "pong passed the 3 requests with their whole bytes" $((3 * FRAME)) "$(stat_of "$id" 2 bytes)"
check_eq "and called none malformed" 0 "$(stat_of "$id" 5 packets)"
check "detach pong" on_host "$X" detach veth0 --all --purge
check_clean "after the collection"

# --- plain iproute2: sec xdp.frags is the jumbo way, sec xdp is refused with the kernel's words ---
out=$(on_host ip link set dev veth0 xdp obj "$XK_BUILD/blocklist.bpf.o" sec xdp 2>&1)
check_ne "ip ... sec xdp on MTU $MTU: refused" 0 "$?"
check_match "ip prints the kernel's message" "Error: veth: Peer MTU is too large to set XDP" "$out"
check_eq "nothing attached" "" "$(xdp_prog_id)"
check "ip link set dev veth0 xdp obj blocklist.bpf.o sec xdp.frags" \
	on_host ip link set dev veth0 xdp obj "$XK_BUILD/blocklist.bpf.o" sec xdp.frags
id=$(xdp_prog_id)
check_eq "native mode" 1 "$(xdp_mode)"
check_eq "ip -d link shows the twin" "prog/xdp id $id name blocklist_frags" "$(ip_prog)"
send_counted "the twin" "$id" 2
check_match "xdpkit status shows it" "id $id +blocklist_frags " "$(on_host "$X" status veth0)"
check "xdpkit detach veth0 blocklist takes the twin off too" on_host "$X" detach veth0 blocklist
check_eq "nothing attached" "" "$(xdp_prog_id)"
# ip pins by name in tc/globals, or xdp/globals once libxdp made /sys/fs/bpf/xdp a directory.
rm -f /sys/fs/bpf/tc/globals/blocklist_* /sys/fs/bpf/xdp/globals/blocklist_*
# Every object's twin, the same way (the kernel keeps 15 characters of a name: portfilter_frag).
for obj in "$XK_BUILD"/*.bpf.o; do
	n=$(basename "$obj" .bpf.o)
	twin=${n%_drop}_frags
	twin=${twin:0:15}
	slot=2
	[ "$n" = hello_drop ] && slot=1
	check "$n: ip ... sec xdp.frags on MTU $MTU" on_host ip link set dev veth0 xdp obj "$obj" sec xdp.frags
	id=$(xdp_prog_id)
	check_eq "$n: ip -d link shows $twin in native mode" "prog/xdp id $id name $twin 1" "$(ip_prog) $(xdp_mode)"
	send_counted "$n: the twin" "$id" $slot
	check "$n: ip link set dev veth0 xdp off" on_host ip link set dev veth0 xdp off
	rm -f /sys/fs/bpf/tc/globals/* /sys/fs/bpf/xdp/globals/*
done

# --- xdp-loader without a section takes the plain program ---
check "xdp-loader load -m skb veth0 blocklist.bpf.o" xdp_loader load -m skb veth0 "$XK_BUILD/blocklist.bpf.o"
check_eq "xdp-loader loaded blocklist, not its twin" "name blocklist" \
	"$(bpftool prog show id "$(xdp_prog_id)" 2>/dev/null | grep -o 'name [^ ]*')"
check "xdp-loader unload --all" xdp_loader unload veth0 --all

# --- a foreign object without multi-buffer support: the kernel's words, an MTU hint, nothing left ---
before=$(bpffs_files)
out=$(on_host "$X" attach veth0 "$XK_BUILD/test-objs/no_frags.bpf.o" --mode native 2>&1 >/dev/null)
check_eq "no_frags: exit 1" 1 "$?"
check_match "no_frags: our line with the kernel's message" \
	"^xdpkit: cannot attach '.*no_frags.bpf.o' to veth0: Numerical result out of range \(kernel: veth: Peer MTU is too large to set XDP\)$" \
	"$(head -n 1 <<<"$out")"
check_match "no_frags: the hint names the MTU and the missing xdp.frags program" \
	"^hint: veth0 has MTU $MTU .*declares none \(no xdp.frags program\).*--mode skb" "$(sed -n 2p <<<"$out")"
check_nomatch "no_frags: no word of the verifier" "verifier" "$out"
check_eq "no_frags: two lines" 2 "$(wc -l <<<"$out")"
check_eq "no_frags: nothing attached" "" "$(xdp_prog_id)"
check_eq "no_frags: bpffs as before" "$before" "$(bpffs_files)"
check "no_frags goes on in skb mode" on_host "$X" attach veth0 "$XK_BUILD/test-objs/no_frags.bpf.o" --mode skb
check "detach it" on_host "$X" detach veth0 --all --purge

# --- a TC refusal shows the kernel's words too ---
check "tc: a filter at pref 5, protocol ip" on_host tc qdisc add dev veth0 clsact
# Another program than the one xdpkit brings: the same one there would be "already attached".
check "tc filter add ... prio 5 protocol ip bpf (portfilter)" \
	on_host tc filter add dev veth0 ingress prio 5 protocol ip bpf da obj "$XK_BUILD/portfilter.bpf.o" sec tc
out=$(on_host "$X" attach veth0 count --tc ingress --prio 5 2>&1 >/dev/null)
check_eq "xdpkit attach --tc ingress --prio 5: exit 1" 1 "$?"
check_match "TC: our line with the kernel's message" "^xdpkit: cannot attach 'count' to veth0 TC ingress: .* \(kernel: .+\)$" \
	"$(head -n 1 <<<"$out")"
check_match "TC: the hint names the taken priority" "^hint: a filter with priority 5 is already there" "$out"
check_eq "TC: only tc's own filter is there" "portfilter.bpf.o:[tc]" "$(tc_filters ingress)"
check "tc qdisc del clsact" on_host tc qdisc del dev veth0 clsact
rm -f /sys/fs/bpf/tc/globals/* /sys/fs/bpf/xdp/globals/*

check_clean "at the end"
xk_done
