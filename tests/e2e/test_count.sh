#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_count.sh: count attached by xdpkit on XDP (frames in) and TC egress (frames out) of veth0
# counts pings both ways, exactly for ICMPv4 (packets and bytes); status and --json show it; detach
# leaves nothing.
. "$(dirname "$0")/lib.sh"
xk_private "$@"
xk_env_setup count
export XDPKIT_PROG_DIR=$XK_BUILD
xk_cleanup on_host "$XDPKIT" detach veth0 --all --purge

# counts MAP_ID: count_proto as "ethertype ip_proto packets bytes" lines, summed over CPUs (one jq
# per map: jq costs a third of a second in the VM guest).
counts()
{
	bpftool -j map dump id "$1" | jq -r '.[].formatted
		| "\(.key.ethertype) \(.key.ip_proto) \([.values[].value.packets] | add) \([.values[].value.bytes] | add)"'
}
# proto_count COUNTS ETHERTYPE PROTO packets|bytes: one key's number from those lines (0 if absent).
proto_count()
{
	local e p pk by
	while read -r e p pk by; do
		[ "$e $p" = "$2 $3" ] || continue
		[ "$4" = packets ] && echo "$pk" || echo "$by"
		return
	done <<<"$1"
	echo 0
}

check_nomatch "status before: nothing on veth0" "veth0" "$(on_host "$XDPKIT" status 2>&1)"
check_eq "status --json before: no interface" "[]" "$(on_host "$XDPKIT" --json status | tr -d "[:space:]")"

check "xdpkit attach veth0 count" on_host "$XDPKIT" attach veth0 count
check "xdpkit attach veth0 count --tc egress" on_host "$XDPKIT" attach veth0 count --tc egress
xid=$(xdp_prog_id)
eid=$(tc_prog_id egress)
st=$(on_host "$XDPKIT" status veth0)
check_match "status shows count on XDP with its id" "id $xid +count " "$st"
check_match "status shows count_tc on TC egress" "tc egress:" "$st"
js=$(on_host "$XDPKIT" --json status veth0)
check_eq "status --json: XDP program" "count $xid" "$(jq -r '.[0].xdp.programs[0] | "\(.name) \(.id)"' <<<"$js")"
check_eq "status --json: TC egress filter" "count_tc $eid" "$(jq -r '.[0].tc.egress[0] | "\(.name) \(.id)"' <<<"$js")"
check_eq "status --json: nothing on TC ingress" 0 "$(jq '.[0].tc.ingress | length' <<<"$js")"

xmap=$(map_of "$xid" count_proto)
emap=$(map_of "$eid" count_proto)
# 3 requests in + 3 replies out, then 2 requests out + 2 replies in; each ICMPv4 echo frame is 98
# bytes.
check "ping peer -> host (IPv4)" ping4 "$XK_IP4" 3
check "ping host -> peer (IPv4)" on_host ping -q -c 2 -i 0.2 -W 1 "$XK_PEER_IP4"
check "ping peer -> host (IPv6)" ping6 "$XK_IP6" 3
check "ping host -> peer (IPv6)" on_host ping -6 -q -c 2 -i 0.2 -W 1 "$XK_PEER_IP6"
sleep 0.1
xc=$(counts "$xmap")
ec=$(counts "$emap")
check_eq "XDP counted 5 ICMPv4 frames in (3 requests, 2 replies)" 5 "$(proto_count "$xc" 2048 1 packets)"
check_eq "XDP counted 5 x 98 ICMPv4 bytes" 490 "$(proto_count "$xc" 2048 1 bytes)"
check_eq "TC egress counted 5 ICMPv4 frames out (3 replies, 2 requests)" 5 \
	"$(proto_count "$ec" 2048 1 packets)"
check_eq "TC egress counted 5 x 98 ICMPv4 bytes" 490 "$(proto_count "$ec" 2048 1 bytes)"
# ICMPv6 also carries neighbour discovery: at least the 5 echo frames each way.
check_ge "XDP counted ICMPv6 frames in" 5 "$(proto_count "$xc" 34525 58 packets)"
check_ge "TC egress counted ICMPv6 frames out" 5 "$(proto_count "$ec" 34525 58 packets)"
check_ge "XDP counted the peer's ARP" 1 "$(proto_count "$xc" 2054 0 packets)"
check_eq "count passed everything (no drops)" 0 "$(verdicts "$xid" 1)"
check_match "xdpkit map dump reads the same map" "ethertype=ipv4,ip_proto=icmp packets=5 bytes=490" \
	"$(on_host "$XDPKIT" map dump "id" "$xmap" 2>&1)"

check "xdpkit detach veth0 --all --purge" on_host "$XDPKIT" detach veth0 --all --purge
check_eq "status --json after: no interface" "[]" "$(on_host "$XDPKIT" --json status | tr -d "[:space:]")"
check_clean "after detach"
check "pings pass after detach" ping4 "$XK_IP4" 1
xk_done
