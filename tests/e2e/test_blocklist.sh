#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_blocklist.sh: blocklist attached by xdpkit drops pings from a blocked source and not from
# another, IPv4 and IPv6, with exact rules and a prefix rule written by bpftool into the pinned
# maps; per-rule hit counters count the drops; the rules survive detach + attach; on TC egress
# (destination match) it drops the replies to a blocked address; status/--json before and after;
# detach --purge leaves nothing behind.
. "$(dirname "$0")/lib.sh"
xk_private "$@"
xk_env_setup blocklist
export XDPKIT_PROG_DIR=$XK_BUILD
xk_cleanup on_host "$XDPKIT" detach veth0 --all --purge
PIN=/sys/fs/bpf/xdpkit
NET4=${XK_PEER_IP4%.*}
NET6=${XK_PEER_IP6%::*}

# The peer gets a second address of each family (.3, ::3) and one inside the prefix rule (.5);
# static neighbour entries on both sides keep neighbour discovery (which a blocked source could not
# do) out of the picture.
on_peer ip addr add "$NET4.3/24" dev veth1
on_peer ip addr add "$NET4.5/24" dev veth1
on_peer ip addr add "$NET6::3/64" dev veth1 nodad
on_peer ip neigh replace "$XK_IP4" lladdr "$XK_MAC" dev veth1 nud permanent
on_peer ip neigh replace "$XK_IP6" lladdr "$XK_MAC" dev veth1 nud permanent
for a in "$XK_PEER_IP4" "$NET4.3" "$NET4.5" "$XK_PEER_IP6" "$NET6::3"; do
	on_host ip neigh replace "$a" lladdr "$XK_PEER_MAC" dev veth0 nud permanent
done

# pings FAMILY SOURCE DEST: 0 when 2 pings from SOURCE to DEST are answered (waiting up to 2 s for a
# reply); dropped: the same with a short wait, for pings that are expected to go unanswered.
pings() { on_peer ping "-$1" -q -c 2 -i 0.1 -W 2 -I "$2" "$3" >/dev/null 2>&1; }
dropped() { on_peer ping "-$1" -q -c 2 -i 0.1 -W 0.5 -I "$2" "$3" >/dev/null 2>&1; }
# hits MAP ADDR: the rule's hit counter (one shared u64 per rule, not per CPU).
hits() { map_value pinned "$PIN/$1" key $(ip_bytes "$2"); }

check_eq "status --json before: nothing" "[]" "$(on_host "$XDPKIT" --json status | jq -c .)"
check "xdpkit attach veth0 blocklist" on_host "$XDPKIT" attach veth0 blocklist
id=$(xdp_prog_id)
js=$(on_host "$XDPKIT" --json status veth0)
check_eq "status --json: blocklist on XDP" "blocklist $id" "$(jq -r '.[0].xdp.programs[0] | "\(.name) \(.id)"' <<<"$js")"
check_eq "status --json: its pinned rule maps under $PIN" \
	"$PIN/blocklist_cfg $PIN/blocklist_cidr4 $PIN/blocklist_cidr6 $PIN/blocklist_v4 $PIN/blocklist_v6" \
	"$(jq -r '[.[0].xdp.programs[0].pinned_maps[].path] | sort | join(" ")' <<<"$js")"
check_match "status (plain) lists blocklist_v4's pin" "pinned map blocklist_v4: $PIN/blocklist_v4" \
	"$(on_host "$XDPKIT" status veth0)"
check "no rules yet: IPv4 from .2 passes" pings 4 "$XK_PEER_IP4" "$XK_IP4"
check "no rules yet: IPv6 from ::2 passes" pings 6 "$XK_PEER_IP6" "$XK_IP6"

# Exact rules: key = the address in network order, value = hit counter.
check "bpftool: block $XK_PEER_IP4" \
	bpftool map update pinned $PIN/blocklist_v4 key $(ip_bytes "$XK_PEER_IP4") value $(le64 0)
check "bpftool: block $XK_PEER_IP6" \
	bpftool map update pinned $PIN/blocklist_v6 key $(ip_bytes "$XK_PEER_IP6") value $(le64 0)
check_fails "IPv4 ping from blocked $XK_PEER_IP4 is dropped" dropped 4 "$XK_PEER_IP4" "$XK_IP4"
check "IPv4 ping from $NET4.3 passes" pings 4 "$NET4.3" "$XK_IP4"
check_fails "IPv6 ping from blocked $XK_PEER_IP6 is dropped" dropped 6 "$XK_PEER_IP6" "$XK_IP6"
check "IPv6 ping from $NET6::3 passes" pings 6 "$NET6::3" "$XK_IP6"
check_eq "hit counter of the IPv4 rule = 2 dropped requests" 2 "$(hits blocklist_v4 "$XK_PEER_IP4")"
check_eq "hit counter of the IPv6 rule = 2 dropped requests" 2 "$(hits blocklist_v6 "$XK_PEER_IP6")"
check_eq "blocklist counted 4 drops" 4 "$(verdicts "$id" 1)"
check_match "xdpkit map dump shows the rule and its hits" "^$XK_PEER_IP4 +2$" \
	"$(on_host "$XDPKIT" map dump $PIN/blocklist_v4 2>&1)"

# A prefix rule written with plain bpftool, nothing else: LPM key {prefixlen (host order),
# address}. It applies at once (no count or flag in blocklist_cfg to keep in step).
check "bpftool: block $NET4.4/30" bpftool map update pinned $PIN/blocklist_cidr4 \
	key $(le32 30) $(ip_bytes "$NET4.4") value $(le64 0)
check_fails "IPv4 ping from $NET4.5 (inside $NET4.4/30) is dropped" dropped 4 "$NET4.5" "$XK_IP4"
check "IPv4 ping from $NET4.3 (outside the prefix) still passes" pings 4 "$NET4.3" "$XK_IP4"
check_eq "hit counter of the prefix rule = 2" 2 \
	"$(map_value pinned $PIN/blocklist_cidr4 key $(le32 30) $(ip_bytes "$NET4.4"))"

# Rules live in the pinned maps, not in the program: detach (no --purge) and attach again, they
# still hold.
check "xdpkit detach veth0 blocklist (keeps the pins)" on_host "$XDPKIT" detach veth0 blocklist
check_eq "detached: no XDP program" "" "$(xdp_prog_id)"
check "IPv4 ping from $XK_PEER_IP4 passes while detached" pings 4 "$XK_PEER_IP4" "$XK_IP4"
check "xdpkit attach veth0 blocklist again" on_host "$XDPKIT" attach veth0 blocklist
check_fails "after re-attach the IPv4 rule still drops" dropped 4 "$XK_PEER_IP4" "$XK_IP4"
check_fails "after re-attach the IPv6 rule still drops" dropped 6 "$XK_PEER_IP6" "$XK_IP6"
check_eq "the hit counter went on from 2 to 4" 4 "$(hits blocklist_v4 "$XK_PEER_IP4")"
check "xdpkit detach veth0 blocklist" on_host "$XDPKIT" detach veth0 blocklist

# TC egress, destination match: the requests come in, the replies to the blocked address are shot.
check "bpftool: config match = destination" bpftool map update pinned $PIN/blocklist_cfg \
	key 0 0 0 0 value $(le32 1)
check "xdpkit attach veth0 blocklist --tc egress" on_host "$XDPKIT" attach veth0 blocklist --tc egress
eid=$(tc_prog_id egress)
check_eq "tc filter show lists blocklist on egress" "$eid" \
	"$(on_host "$XDPKIT" --json status veth0 | jq -r '.[0].tc.egress[0].id')"
check_fails "TC egress: replies to $XK_PEER_IP4 are dropped" dropped 4 "$XK_PEER_IP4" "$XK_IP4"
check "TC egress: replies to $NET4.3 pass" pings 4 "$NET4.3" "$XK_IP4"
check_fails "TC egress: replies to $XK_PEER_IP6 are dropped" dropped 6 "$XK_PEER_IP6" "$XK_IP6"
check "TC egress: replies to $NET6::3 pass" pings 6 "$NET6::3" "$XK_IP6"
check_fails "TC egress: the host's own ping to $XK_PEER_IP4 is dropped" \
	on_host ping -q -c 1 -W 1 "$XK_PEER_IP4"
check_ge "TC egress blocklist counted its drops (TC_ACT_SHOT)" 5 "$(verdicts "$eid" 1)"
check_eq "TC egress: XDP untouched" "" "$(xdp_prog_id)"

check "xdpkit detach veth0 --all --purge" on_host "$XDPKIT" detach veth0 --all --purge
check_eq "status --json after: nothing" "[]" "$(on_host "$XDPKIT" --json status | jq -c .)"
check_clean "after detach --purge"
check "IPv4 ping from $XK_PEER_IP4 passes again" pings 4 "$XK_PEER_IP4" "$XK_IP4"
xk_done
