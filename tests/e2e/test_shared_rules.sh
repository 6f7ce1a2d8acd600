#!/bin/bash
# test_shared_rules.sh: one set of blocklist rules, several loaders. A blocklist attached by plain
# `ip` shows in `xdpkit status` and is detached by `xdpkit detach`; its rules (pinned by iproute2 in
# /sys/fs/bpf/tc/globals) go on dropping traffic when `xdpkit --pin-root /sys/fs/bpf/tc/globals`
# attaches the program again, and a rule written by `xdpkit map set` drops traffic in a copy
# attached by plain `tc`. detach --all --purge cleans up.
. "$(dirname "$0")/lib.sh"
xk_private "$@"
xk_env_setup shared
export XDPKIT_PROG_DIR=$XK_BUILD
G=/sys/fs/bpf/tc/globals
xk_cleanup on_host "$XDPKIT" --pin-root $G detach veth0 --all --purge
NET4=${XK_PEER_IP4%.*}
NET6=${XK_PEER_IP6%::*}

on_peer ip addr add "$NET4.3/24" dev veth1
on_peer ip addr add "$NET6::3/64" dev veth1 nodad
on_peer ip neigh replace "$XK_IP4" lladdr "$XK_MAC" dev veth1 nud permanent
on_peer ip neigh replace "$XK_IP6" lladdr "$XK_MAC" dev veth1 nud permanent
for a in "$XK_PEER_IP4" "$NET4.3" "$XK_PEER_IP6" "$NET6::3"; do
	on_host ip neigh replace "$a" lladdr "$XK_PEER_MAC" dev veth0 nud permanent
done
# pings: answered (waiting up to 2 s); dropped: the same pings with a short wait, expected to go
# unanswered.
pings() { on_peer ping "-$1" -q -c 2 -i 0.1 -W 2 -I "$2" "$3" >/dev/null 2>&1; }
dropped() { on_peer ping "-$1" -q -c 2 -i 0.1 -W 0.5 -I "$2" "$3" >/dev/null 2>&1; }
# hits MAP ADDR: the rule's hit counter (one shared u64 per rule, not per CPU).
hits() { map_value pinned "$G/$1" key $(ip_bytes "$2"); }
map_id() { bpftool -j map show pinned "$1" | jq .id; }

# 1. Plain ip; the rule goes in with bpftool where iproute2 pinned the map.
check "ip link set dev veth0 xdpgeneric obj blocklist.bpf.o sec xdp" \
	on_host ip link set dev veth0 xdpgeneric obj "$XK_BUILD/blocklist.bpf.o" sec xdp
ipid=$(xdp_prog_id)
js=$(on_host "$XDPKIT" --json status veth0)
check_eq "xdpkit status --json shows the ip-attached program" "blocklist $ipid" \
	"$(jq -r '.[0].xdp.programs[0] | "\(.name) \(.id)"' <<<"$js")"
check_match "xdpkit status shows it in generic mode" "skb|generic" "$(jq -r '.[0].xdp.mode' <<<"$js")"
check_match "xdpkit status (plain) lists it by id" "id $ipid +blocklist" "$(on_host "$XDPKIT" status veth0)"
check "bpftool: block $XK_PEER_IP4 in $G/blocklist_v4" \
	bpftool map update pinned $G/blocklist_v4 key $(ip_bytes "$XK_PEER_IP4") value $(le64 0)
v4map=$(map_id $G/blocklist_v4)
check_fails "ip-attached: ping from $XK_PEER_IP4 dropped" dropped 4 "$XK_PEER_IP4" "$XK_IP4"
check "ip-attached: ping from $NET4.3 passes" pings 4 "$NET4.3" "$XK_IP4"

# 2. xdpkit takes away what ip attached, and leaves the rules where they are.
check "xdpkit detach veth0 blocklist (attached by ip)" on_host "$XDPKIT" detach veth0 blocklist
check_eq "no XDP program left" "" "$(xdp_prog_id)"
check "the rule map is still pinned in $G" test -e $G/blocklist_v4
check "detached: ping from $XK_PEER_IP4 passes" pings 4 "$XK_PEER_IP4" "$XK_IP4"

# 3. xdpkit with the pin root where iproute2 pins: the same map, the same rule, no rewriting.
check "xdpkit --pin-root $G attach veth0 blocklist" on_host "$XDPKIT" --pin-root $G attach veth0 blocklist
xid=$(xdp_prog_id)
check_eq "xdpkit's copy reuses the pinned map (same map id)" "$v4map" "$(map_id $G/blocklist_v4)"
check "xdpkit's program uses that map" \
	sh -c "bpftool -j prog show id $xid | jq -e '.map_ids | index($v4map) != null'"
check_fails "xdpkit-attached: the ip-era rule drops $XK_PEER_IP4" dropped 4 "$XK_PEER_IP4" "$XK_IP4"
check "xdpkit-attached: ping from $NET4.3 passes" pings 4 "$NET4.3" "$XK_IP4"
check_eq "the rule's hit counter went on (2 + 2)" 4 "$(hits blocklist_v4 "$XK_PEER_IP4")"
check "xdpkit detach veth0 blocklist" on_host "$XDPKIT" --pin-root $G detach veth0 blocklist

# 4. The other way: a rule typed into xdpkit, honoured by a copy attached by plain tc.
check "xdpkit --pin-root $G map set blocklist_v6 $XK_PEER_IP6" \
	on_host "$XDPKIT" --pin-root $G map set blocklist_v6 "$XK_PEER_IP6"
check "tc qdisc add clsact" on_host tc qdisc add dev veth0 clsact
check "tc filter add dev veth0 ingress bpf da obj blocklist.bpf.o sec tc" \
	on_host tc filter add dev veth0 ingress bpf da obj "$XK_BUILD/blocklist.bpf.o" sec tc
check_fails "tc-attached: ping from $XK_PEER_IP6 dropped by the xdpkit-made rule" \
	dropped 6 "$XK_PEER_IP6" "$XK_IP6"
check "tc-attached: ping from $NET6::3 passes" pings 6 "$NET6::3" "$XK_IP6"
check_fails "tc-attached: the IPv4 rule holds too" dropped 4 "$XK_PEER_IP4" "$XK_IP4"
check_match "xdpkit status shows the tc-attached filter" "tc ingress:" "$(on_host "$XDPKIT" status veth0)"

check "xdpkit --pin-root $G detach veth0 --all --purge" on_host "$XDPKIT" --pin-root $G detach veth0 --all --purge
check_clean "after detach --all --purge"
check "ping from $XK_PEER_IP4 passes again" pings 4 "$XK_PEER_IP4" "$XK_IP4"
xk_done
