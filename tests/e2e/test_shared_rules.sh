#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_shared_rules.sh: one set of blocklist rules, several loaders, in every order. iproute2 pins
# by-name maps of TC programs in /sys/fs/bpf/tc/globals and of XDP programs in xdp/globals, which is
# the same directory only when iproute2 made /sys/fs/bpf/xdp (its link to tc/); once libxdp
# (xdp-loader, xdpkit's dispatcher) made it a directory, ip's XDP maps land apart. With
# `--pin-root /sys/fs/bpf/tc/globals` xdpkit keeps iproute2's layout whole, so a rule written once
# applies to the copy attached by plain ip (XDP), by tc and by xdpkit, whichever came first. Each
# order runs in a fresh bpffs:
#   A. ip first: xdpkit status shows and detaches ip's program; its rules go on dropping in xdpkit's
#      copy; a rule typed into xdpkit drops in a tc copy.
#   B. xdp-loader first (xdp/ a directory), then xdpkit, then ip and tc.
#   C. xdpkit first, nothing there yet (it makes iproute2's link, as ip would), then ip and tc; the
#      default pin root makes nothing of iproute2's (checked first, then a fresh bpffs again).
#   D. xdp-loader, then ip (its maps apart, found by a bare name), then xdpkit: ip's maps move to
#      tc/globals under the running program, and every copy shares them.
#   E. ip's XDP maps and tc's are already two maps of one name: xdpkit says so, changes nothing.
. "$(dirname "$0")/lib.sh"
xk_private "$@"
xk_env_setup shared
export XDPKIT_PROG_DIR=$XK_BUILD
B=/sys/fs/bpf
G=$B/tc/globals
OBJ=$XK_BUILD/blocklist.bpf.o
xk_cleanup on_host "$XDPKIT" --pin-root $G detach veth0 --all --purge
xk_cleanup on_host ip link set dev veth0 xdpgeneric off
xk_cleanup xdp_loader unload veth0 --all
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
link_of() { readlink "$1" 2>/dev/null || echo "(not a link)"; }
is_dir() { [ -d "$1" ] && [ ! -L "$1" ]; }

# One blocklist copy on veth0's ingress, attached and detached by plain ip (XDP), tc or xdpkit.
attach_copy()
{
	case $1 in
	ip) on_host ip link set dev veth0 xdpgeneric obj "$OBJ" sec xdp ;;
	tc) on_host tc qdisc add dev veth0 clsact &&
		on_host tc filter add dev veth0 ingress bpf da obj "$OBJ" sec tc ;;
	xdpkit) on_host "$XDPKIT" --pin-root $G attach veth0 blocklist ;;
	esac
}
detach_copy()
{
	case $1 in
	ip) on_host ip link set dev veth0 xdpgeneric off ;;
	tc) on_host tc qdisc del dev veth0 clsact ;;
	xdpkit) on_host "$XDPKIT" --pin-root $G detach veth0 blocklist ;;
	esac
}
copy_id() { if [ "$1" = tc ]; then tc_prog_id ingress; else xdp_prog_id; fi; }

# every_copy_drops LABEL KIND...: with the rule for $XK_PEER_IP4 written once in $G/blocklist_v4,
# each copy in turn uses that very map and drops the address (and passes another); the rule's hit
# counter counts them all.
every_copy_drops()
{
	local label=$1 k mid before n=0
	shift
	mid=$(pinned_map_id $G/blocklist_v4)
	before=$(hits blocklist_v4 "$XK_PEER_IP4")
	for k in "$@"; do
		check "$label: $k attaches blocklist" attach_copy "$k"
		check "$label: $k's copy uses the one rule map (id $mid)" prog_uses_map "$(copy_id "$k")" "$mid"
		check_fails "$label: $k's copy drops $XK_PEER_IP4" dropped 4 "$XK_PEER_IP4" "$XK_IP4"
		check "$label: $k's copy passes $NET4.3" pings 4 "$NET4.3" "$XK_IP4"
		check "$label: $k detaches" detach_copy "$k"
		n=$((n + 2))
	done
	check_eq "$label: the rule's hit counter counted every copy's drops" "$((before + n))" \
		"$(hits blocklist_v4 "$XK_PEER_IP4")"
}

# Nothing attached, no pin left, then a fresh bpffs for the next order (mounted over the last one,
# not in its place: the test's private mount namespace never uncovers the machine's).
fresh_bpffs()
{
	check "$1: xdpkit --pin-root $G detach veth0 --all --purge" \
		on_host "$XDPKIT" --pin-root $G detach veth0 --all --purge
	check_clean "$1: after detach --all --purge"
	mount -t bpf bpf $B || xk_abort "cannot mount a fresh bpffs on $B"
}

# --- A. ip first ---------------------------------------------------------------------------------
# 1. Plain ip; the rule goes in with bpftool where iproute2 pinned the map.
check "A: ip link set dev veth0 xdpgeneric obj blocklist.bpf.o sec xdp" attach_copy ip
check_eq "A: iproute2 made $B/xdp its link to tc/" "$B/tc/" "$(link_of $B/xdp)"
ipid=$(xdp_prog_id)
js=$(on_host "$XDPKIT" --json status veth0)
check_eq "A: xdpkit status --json shows the ip-attached program" "blocklist $ipid" \
	"$(jq -r '.[0].xdp.programs[0] | "\(.name) \(.id)"' <<<"$js")"
check_match "A: xdpkit status shows it in generic mode" "skb|generic" "$(jq -r '.[0].xdp.mode' <<<"$js")"
check_match "A: xdpkit status (plain) lists it by id" "id $ipid +blocklist" "$(on_host "$XDPKIT" status veth0)"
check "A: bpftool: block $XK_PEER_IP4 in $G/blocklist_v4" \
	bpftool map update pinned $G/blocklist_v4 key $(ip_bytes "$XK_PEER_IP4") value $(le64 0)
v4map=$(map_id $G/blocklist_v4)
check_fails "A: ip-attached: ping from $XK_PEER_IP4 dropped" dropped 4 "$XK_PEER_IP4" "$XK_IP4"
check "A: ip-attached: ping from $NET4.3 passes" pings 4 "$NET4.3" "$XK_IP4"

# 2. xdpkit takes away what ip attached, and leaves the rules where they are.
check "A: xdpkit detach veth0 blocklist (attached by ip)" on_host "$XDPKIT" detach veth0 blocklist
check_eq "A: no XDP program left" "" "$(xdp_prog_id)"
check "A: the rule map is still pinned in $G" test -e $G/blocklist_v4
check "A: detached: ping from $XK_PEER_IP4 passes" pings 4 "$XK_PEER_IP4" "$XK_IP4"

# 3. xdpkit with the pin root where iproute2 pins: the same map, the same rule, no rewriting.
check "A: xdpkit --pin-root $G attach veth0 blocklist" attach_copy xdpkit
xid=$(xdp_prog_id)
check_eq "A: xdpkit's copy reuses the pinned map (same map id)" "$v4map" "$(map_id $G/blocklist_v4)"
check "A: xdpkit's program uses that map" prog_uses_map "$xid" "$v4map"
check_fails "A: xdpkit-attached: the ip-era rule drops $XK_PEER_IP4" dropped 4 "$XK_PEER_IP4" "$XK_IP4"
check "A: xdpkit-attached: ping from $NET4.3 passes" pings 4 "$NET4.3" "$XK_IP4"
check_eq "A: the rule's hit counter went on (2 + 2)" 4 "$(hits blocklist_v4 "$XK_PEER_IP4")"
check "A: xdpkit detach veth0 blocklist" detach_copy xdpkit

# 4. The other way: a rule typed into xdpkit, honoured by a copy attached by plain tc.
check "A: xdpkit --pin-root $G map set blocklist_v6 $XK_PEER_IP6" \
	on_host "$XDPKIT" --pin-root $G map set blocklist_v6 "$XK_PEER_IP6"
check "A: tc filter add dev veth0 ingress bpf da obj blocklist.bpf.o sec tc" attach_copy tc
check_fails "A: tc-attached: ping from $XK_PEER_IP6 dropped by the xdpkit-made rule" \
	dropped 6 "$XK_PEER_IP6" "$XK_IP6"
check "A: tc-attached: ping from $NET6::3 passes" pings 6 "$NET6::3" "$XK_IP6"
check_fails "A: tc-attached: the IPv4 rule holds too" dropped 4 "$XK_PEER_IP4" "$XK_IP4"
check_match "A: xdpkit status shows the tc-attached filter" "tc ingress:" "$(on_host "$XDPKIT" status veth0)"
check "A: tc qdisc del clsact" detach_copy tc
every_copy_drops A ip xdpkit tc
fresh_bpffs A

# --- B. xdp-loader first, then xdpkit, then ip and tc --------------------------------------------
check "B: xdp-loader load -m skb veth0 blocklist.bpf.o" xdp_loader load -m skb veth0 "$OBJ"
check "B: xdp-loader unload veth0 --all" xdp_loader unload veth0 --all
check "B: libxdp made $B/xdp a directory" is_dir $B/xdp
check "B: xdpkit --pin-root $G attach veth0 blocklist" attach_copy xdpkit
check_eq "B: xdp/globals is now a link to tc/globals" "$G/" "$(link_of $B/xdp/globals)"
check "B: xdpkit --pin-root $G map set blocklist_v4 $XK_PEER_IP4 (the rule, once)" \
	on_host "$XDPKIT" --pin-root $G map set blocklist_v4 "$XK_PEER_IP4"
check "B: xdpkit detach veth0 blocklist" detach_copy xdpkit
every_copy_drops B ip tc xdpkit
fresh_bpffs B

# --- C. xdpkit first in an empty bpffs -----------------------------------------------------------
check "C: xdpkit attach veth0 blocklist (default pin root)" on_host "$XDPKIT" attach veth0 blocklist
check_fails "C: the default pin root makes nothing of iproute2's ($B/tc)" test -e $B/tc
check "C: xdpkit detach veth0 --all --purge" on_host "$XDPKIT" detach veth0 --all --purge
# Where the kernel allows the dispatcher (the VM) libxdp made $B/xdp a directory just now: B's case.
mount -t bpf bpf $B || xk_abort "cannot mount a fresh bpffs on $B"
check_fails "C: an empty bpffs again" test -e $B/xdp
check "C: xdpkit --pin-root $G attach veth0 blocklist (the first to pin there)" attach_copy xdpkit
check_eq "C: xdpkit made $B/xdp iproute2's link to tc/" "$B/tc/" "$(link_of $B/xdp)"
check "C: xdpkit --pin-root $G map set blocklist_v4 $XK_PEER_IP4 (the rule, once)" \
	on_host "$XDPKIT" --pin-root $G map set blocklist_v4 "$XK_PEER_IP4"
check "C: xdpkit detach veth0 blocklist" detach_copy xdpkit
every_copy_drops C ip tc xdpkit
fresh_bpffs C

# --- D. xdp-loader, then ip: ip's maps apart; then xdpkit joins them ------------------------------
check "D: xdp-loader load -m skb veth0 blocklist.bpf.o" xdp_loader load -m skb veth0 "$OBJ"
check "D: xdp-loader unload veth0 --all" xdp_loader unload veth0 --all
check "D: ip attaches blocklist on XDP" attach_copy ip
ipid=$(xdp_prog_id)
check "D: ip pinned its maps in a directory of their own, $B/xdp/globals" is_dir $B/xdp/globals
ipmap=$(pinned_map_id $B/xdp/globals/blocklist_v4)
check "D: ... which ip's program uses" prog_uses_map "$ipid" "$ipmap"
check "D: xdpkit map set blocklist_v4 $XK_PEER_IP4 (a bare name, found in xdp/globals)" \
	on_host "$XDPKIT" map set blocklist_v4 "$XK_PEER_IP4"
check_fails "D: ip's copy drops $XK_PEER_IP4" dropped 4 "$XK_PEER_IP4" "$XK_IP4"
check "D: xdpkit --pin-root $G map get blocklist_v4 $XK_PEER_IP4" \
	on_host "$XDPKIT" --pin-root $G map get blocklist_v4 "$XK_PEER_IP4"
check_eq "D: ip's map moved to tc/globals" "$ipmap" "$(pinned_map_id $G/blocklist_v4)"
check_eq "D: xdp/globals is now a link to tc/globals" "$G/" "$(link_of $B/xdp/globals)"
check_eq "D: the old path names the same map" "$ipmap" "$(pinned_map_id $B/xdp/globals/blocklist_v4)"
check_eq "D: ip's program runs on, untouched" "$ipid" "$(xdp_prog_id)"
check "D: ip detaches" detach_copy ip
every_copy_drops D tc xdpkit ip
fresh_bpffs D

# --- E. two maps of one name already: said, nothing changed --------------------------------------
check "E: xdp-loader load -m skb veth0 blocklist.bpf.o" xdp_loader load -m skb veth0 "$OBJ"
check "E: xdp-loader unload veth0 --all" xdp_loader unload veth0 --all
check "E: ip attaches blocklist on XDP (maps in xdp/globals)" attach_copy ip
check "E: tc attaches blocklist (maps in tc/globals)" attach_copy tc
before=$(find $B | sort)
err=$(on_host "$XDPKIT" --pin-root $G map get blocklist_v4 "$XK_PEER_IP4" 2>&1 >/dev/null)
check_match "E: xdpkit names the maps it cannot join" \
	"note: $B/xdp/globals .* and $G hold different maps named blocklist_.* \(and 4 more\)" "$err"
check_eq "E: ... in one line" 1 "$(printf '%s\n' "$err" | grep -c note:)"
check_eq "E: bpffs unchanged" "$before" "$(find $B | sort)"
check "E: ip detaches" detach_copy ip
check "E: tc detaches" detach_copy tc
rm -f $B/xdp/globals/blocklist_*

check "xdpkit --pin-root $G detach veth0 --all --purge" on_host "$XDPKIT" --pin-root $G detach veth0 --all --purge
check_clean "after detach --all --purge"
check "ping from $XK_PEER_IP4 passes again" pings 4 "$XK_PEER_IP4" "$XK_IP4"
xk_done
