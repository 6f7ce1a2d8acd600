#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_capacity.sh: how big blocklist's maps are and who chooses. A plain load gets the object's
# sizes (and at most 8 MiB of kernel memory for all its maps); `xdpkit attach --capacity MAP=N`
# makes a pin of another size, a later attach without the option keeps it, one asking another
# size is refused with one line naming the pin, its size and the fix, and nothing is attached;
# bad --capacity words are refused before anything changes; TC takes the option too; a full map
# says how to grow it; and the documented way for plain tools (bpftool map create, bpftool prog
# loadall ... map name ... pinned ..., ip link set ... xdp pinned) drops by a rule in a bigger map.
. "$(dirname "$0")/lib.sh"
xk_private "$@"
xk_env_setup capacity
export XDPKIT_PROG_DIR=$XK_BUILD
xk_cleanup on_host "$XDPKIT" detach veth0 --all --purge
xk_cleanup on_host ip link set dev veth0 xdp off
PIN=/sys/fs/bpf/xdpkit
OBJ=$XK_BUILD/blocklist.bpf.o
XK_TMP=$(mktemp -d /tmp/xk-capacity-$$.XXXX)
xk_cleanup rm -rf "$XK_TMP"

# map_max PATH: max_entries of the pinned map.
map_max()
{
	local out re='max_entries ([0-9]+)'
	out=$(bpftool map show pinned "$1" 2>/dev/null)
	[[ $out =~ $re ]] && echo "${BASH_REMATCH[1]}"
	return 0
}
dropped() { on_peer ping -4 -q -c 2 -i 0.1 -W 0.5 "$XK_IP4" >/dev/null 2>&1; }
pings() { on_peer ping -4 -q -c 2 -i 0.1 -W 2 "$XK_IP4" >/dev/null 2>&1; }
on_host ip neigh replace "$XK_PEER_IP4" lladdr "$XK_PEER_MAC" dev veth0 nud permanent
on_peer ip neigh replace "$XK_IP4" lladdr "$XK_MAC" dev veth1 nud permanent
# The object's own sizes, from its BTF: what a plain load creates.
obj_max()
{
	bpftool -j btf dump file "$OBJ" | jq -r --arg m "$1" '
		(.types | map({key: (.id | tostring), value: .}) | from_entries) as $t
		| .types[] | select(.kind == "DATASEC" and .name == ".maps") | .vars[]
		| $t[(.type_id | tostring)] as $v | select($v.name == $m) | $t[($v.type_id | tostring)]
		| .members[] | select(.name == "max_entries") | $t[($t[(.type_id | tostring)].type_id | tostring)].nr_elems'
}
V4_DEFAULT=$(obj_max blocklist_v4)
check_ne "the object declares blocklist_v4's size" "" "$V4_DEFAULT"

# 1. The defaults, and what they cost: the memory the kernel charges for every map of the program
# (bpftool's memlock: the maps' own usage on this kernel), after a plain ip load.
check "ip link set ... xdp obj blocklist" on_host ip link set dev veth0 xdp obj "$OBJ" sec xdp
id=$(xdp_prog_id)
mem=0
for m in $(bpftool -j prog show id "$id" | jq '.map_ids[]'); do
	mem=$((mem + $(bpftool -j map show id "$m" | jq .bytes_memlock)))
done
check_le "blocklist's maps as a plain load makes them: at most 8 MiB of kernel memory ($mem bytes)" \
	$((8 * 1024 * 1024)) "$mem"
check_eq "blocklist_v4 as ip made it has the object's size" "$V4_DEFAULT" \
	"$(map_max /sys/fs/bpf/tc/globals/blocklist_v4)"
check "ip link set ... xdp off" on_host ip link set dev veth0 xdp off

# 2. --capacity on a fresh pin root: the pin is made with that size, and a rule in it applies.
BIG=$((V4_DEFAULT * 2))
check "xdpkit attach veth0 blocklist --capacity blocklist_v4=$BIG" \
	on_host "$XDPKIT" attach veth0 blocklist --capacity "blocklist_v4=$BIG"
check_eq "the pin holds $BIG entries" "$BIG" "$(map_max $PIN/blocklist_v4)"
check_eq "blocklist_v6 kept the object's size" "$(obj_max blocklist_v6)" "$(map_max $PIN/blocklist_v6)"
check "xdpkit map set blocklist_v4 $XK_PEER_IP4" on_host "$XDPKIT" map set blocklist_v4 "$XK_PEER_IP4"
check_fails "the peer's pings are dropped" dropped
# More rules than the object's size: only a map made bigger takes them all.
seq 0 $((V4_DEFAULT)) | awk '{ printf "10.77.%d.%d\n", int($1 / 256), $1 % 256 }' >"$XK_TMP/rules.txt"
check "xdpkit map load of $((V4_DEFAULT + 1)) rules into the bigger map" \
	on_host "$XDPKIT" map load blocklist_v4 "$XK_TMP/rules.txt"

# 3. A re-attach without the option keeps the pin and its size (the operator's earlier choice).
check "detach (pins stay)" on_host "$XDPKIT" detach veth0 blocklist
check "attach again without --capacity" on_host "$XDPKIT" attach veth0 blocklist
check_eq "the pin still holds $BIG entries" "$BIG" "$(map_max $PIN/blocklist_v4)"
check_eq "the program uses the pinned map" "$(pinned_map_id $PIN/blocklist_v4)" \
	"$(map_of "$(xdp_prog_id)" blocklist_v4)"
check_fails "the rule still applies" dropped
check "detach (pins stay)" on_host "$XDPKIT" detach veth0 blocklist

# 4. Asking another size than the pin has: one line naming the pin, its size and the fix, exit 1,
# nothing attached, the pin unchanged.
out=$(on_host "$XDPKIT" attach veth0 blocklist --capacity "blocklist_v4=$((BIG * 2))" 2>&1)
check_eq "another size than the pin: exit 1" 1 "$?"
check_match "the error names the pin, its size, the size asked for and the fix" \
	"^xdpkit: pinned map $PIN/blocklist_v4 holds $BIG entries, not the $((BIG * 2)) that --capacity asks for; .*attach without --capacity blocklist_v4 .*move its rules" \
	"$(head -1 <<<"$out")"
check_match "the hint gives the commands" "^hint: xdpkit map dump $PIN/blocklist_v4 > rules.txt; .*rm $PIN/blocklist_v4; .*--capacity blocklist_v4=$((BIG * 2))" \
	"$(sed -n 2p <<<"$out")"
check_eq "nothing attached" "" "$(xdp_prog_id)"
check_eq "the pin is as it was" "$BIG" "$(map_max $PIN/blocklist_v4)"

# 5. Bad words: exit 2 before anything is loaded.
for bad in "blocklist_v4" "blocklist_v4=" "blocklist_v4=0" "blocklist_v4=12x" "=5" \
	"blocklist_v4=4294967296" "blocklist_v4=8,blocklist_v4=16"; do
	on_host "$XDPKIT" attach veth0 blocklist --capacity "$bad" >/dev/null 2>&1
	check_eq "--capacity '$bad' is refused (exit 2)" 2 "$?"
done
out=$(on_host "$XDPKIT" attach veth0 blocklist --capacity nosuch=10 2>&1)
check_eq "a map the object does not have: exit 2" 2 "$?"
check_match "... named" "^xdpkit: --capacity names map 'nosuch', and no map of blocklist has that name" "$out"
out=$(on_host "$XDPKIT" attach veth0 blocklist --capacity blocklist_cfg=4 2>&1)
check_eq "an array: exit 2" 2 "$?"
check_match "... whose size is its index range" "blocklist_cfg.* is of type array, whose size is its index range" "$out"
check_eq "still nothing attached" "" "$(xdp_prog_id)"

# 6. A full map says how to grow it.
check "purge the pins" on_host "$XDPKIT" detach veth0 --all --purge
check "attach with the object's sizes" on_host "$XDPKIT" attach veth0 blocklist
out=$(on_host "$XDPKIT" map load blocklist_v4 "$XK_TMP/rules.txt" 2>&1)
check_eq "$((V4_DEFAULT + 1)) rules into the object's $V4_DEFAULT: exit 1" 1 "$?"
check_match "the hint says how to get a bigger map" "^hint: .*--capacity blocklist_v4=" "$out"
check "detach --purge" on_host "$XDPKIT" detach veth0 --all --purge

# 7. TC takes the option too.
check "xdpkit attach veth0 blocklist --tc ingress --capacity blocklist_v6=$BIG" \
	on_host "$XDPKIT" attach veth0 blocklist --tc ingress --capacity "blocklist_v6=$BIG"
check_eq "blocklist_v6's pin holds $BIG entries" "$BIG" "$(map_max $PIN/blocklist_v6)"
check "detach --purge" on_host "$XDPKIT" detach veth0 --all --tc ingress --purge

# 8. Plain tools (docs/blocklist.md, "Capacity"): make the map at the size wanted, load the object
# with bpftool using that map, attach the pinned program with ip.
P=/sys/fs/bpf/blocklist
check "bpftool map create blocklist_v4 with $BIG entries" \
	bpftool map create /sys/fs/bpf/blocklist_v4 type hash key 4 value 8 entries "$BIG" name blocklist_v4
check "bpftool prog loadall ... map name blocklist_v4 pinned /sys/fs/bpf/blocklist_v4" \
	bpftool prog loadall "$OBJ" $P map name blocklist_v4 pinned /sys/fs/bpf/blocklist_v4
xk_cleanup rm -rf $P /sys/fs/bpf/blocklist_v4 /sys/fs/bpf/blocklist_v6 /sys/fs/bpf/blocklist_cidr4 \
	/sys/fs/bpf/blocklist_cidr6 /sys/fs/bpf/blocklist_cfg
check "ip link set dev veth0 xdp pinned $P/blocklist" on_host ip link set dev veth0 xdp pinned $P/blocklist
check_eq "the program uses the $BIG-entry map" "$(pinned_map_id /sys/fs/bpf/blocklist_v4)" \
	"$(map_of "$(xdp_prog_id)" blocklist_v4)"
check "no rule: pings pass" pings
check "bpftool map update: block the peer" bpftool map update pinned /sys/fs/bpf/blocklist_v4 \
	key $(ip_bytes "$XK_PEER_IP4") value $(le64 0)
check_fails "the rule applies" dropped
# A map made by bpftool has no BTF: the counter as its eight little-endian value bytes.
hex=$(bpftool -j map lookup pinned /sys/fs/bpf/blocklist_v4 key $(ip_bytes "$XK_PEER_IP4") |
	jq -r '.value | reverse | map(ltrimstr("0x")) | join("")')
check_ge "its hit counter counts the drops" 2 "$((16#${hex:-x}))"
check "ip link set dev veth0 xdp off" on_host ip link set dev veth0 xdp off
check "no XDP program: pings pass" pings
# The same program set as a TC filter from its pin.
check "tc qdisc add dev veth0 clsact" on_host tc qdisc add dev veth0 clsact
xk_cleanup on_host tc qdisc del dev veth0 clsact
check "tc filter add ... bpf da object-pinned $P/blocklist_tc" \
	on_host tc filter add dev veth0 ingress bpf da object-pinned $P/blocklist_tc
check_eq "the TC program uses the $BIG-entry map" "$(pinned_map_id /sys/fs/bpf/blocklist_v4)" \
	"$(map_of "$(tc_prog_id ingress)" blocklist_v4)"
check_fails "the rule applies on TC too" dropped
check "tc qdisc del dev veth0 clsact" on_host tc qdisc del dev veth0 clsact

xk_done
