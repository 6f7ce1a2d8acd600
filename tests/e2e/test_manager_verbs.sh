#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_manager_verbs.sh: list, attach, status, detach against what the kernel and the objects say — status and
# --json agree with ip/tc/bpftool, pins are 0600 under the root and survive detach + attach, --purge keeps maps
# another program uses, programs attached by plain ip/tc are shown and detached, --pin-root tc/globals shares
# rule maps with a copy attached by tc, and detach --all --purge leaves nothing behind.
. "$(dirname "$0")/lib.sh"
xk_private "$@"
xk_env_setup mgrverbs

X=${XK_XDPKIT:-$XDPKIT}
export XDPKIT_PROG_DIR=$XK_BUILD
ROOT=/sys/fs/bpf/xdpkit
GLOBALS=/sys/fs/bpf/tc/globals
xk_cleanup on_host "$X" --pin-root $GLOBALS detach veth0 --all --purge
xk_cleanup on_host "$X" detach veth0 --all --purge

# --- list: every object of the collection, hooks and summary as the object itself has them ---
# One jq for the whole listing (each jq costs a third of a second in the VM guest); the objects are read
# with od (lib.sh), not readelf or llvm-objdump, which the guest does not have.
declare -A summary hooks
while IFS=$'\x1f' read -r n s h; do
	summary[$n]=$s
	hooks[$n]=$h
done < <("$X" --json list | jq -r '.[] | "\(.name)\u001f\(.summary)\u001f\(.hooks | sort | map(. + " ") | add // "")"')
for obj in "$XK_BUILD"/*.bpf.o; do
	n=$(basename "$obj" .bpf.o)
	check_eq "list: $n summary from its .xdpkit.summary" "$(obj_section_text "$obj" .xdpkit.summary)" \
		"${summary[$n]-}"
	check_eq "list: $n hooks from its sections" "$(obj_sections "$obj" | sort | tr '\n' ' ')" "${hooks[$n]-}"
done
check_match "list: plain form has the table" "^PROGRAM +HOOKS +SUMMARY" "$("$X" list)"

# --- attach XDP + TC both ways; status and --json agree with the kernel ---
check "attach blocklist (XDP)" on_host "$X" attach veth0 blocklist
check "attach count (TC ingress)" on_host "$X" attach veth0 count --tc ingress
check "attach portfilter (TC egress)" on_host "$X" attach veth0 portfilter --tc egress
st=$(on_host "$X" --json status veth0)
check_eq "status --json: XDP program id is ip link's" "$(xdp_prog_id)" "$(jq '.[0].xdp.programs[0].id' <<<"$st")"
check_eq "status --json: XDP program name" blocklist "$(jq -r '.[0].xdp.programs[0].name' <<<"$st")"
check_eq "status --json: XDP mode is ip link's" \
	"$([ "$(xdp_mode)" = 1 ] && echo native || echo skb)" "$(jq -r '.[0].xdp.mode' <<<"$st")"
check_eq "status --json: priority from the object's XDP_RUN_CONFIG" 10 "$(jq '.[0].xdp.programs[0].priority' <<<"$st")"
check_eq "status --json: ingress filter id is tc's" \
	"$(on_host tc -j filter show dev veth0 ingress | jq '[.[].options.prog.id // empty][0]')" \
	"$(jq '.[0].tc.ingress[0].id' <<<"$st")"
check_eq "status --json: egress filter id is tc's" \
	"$(on_host tc -j filter show dev veth0 egress | jq '[.[].options.prog.id // empty][0]')" \
	"$(jq '.[0].tc.egress[0].id' <<<"$st")"
check_eq "status --json: blocklist's pinned maps are the object's pin-by-name maps" \
	"$(obj_pinned_maps "$XK_BUILD/blocklist.bpf.o" | sort | tr '\n' ' ')" \
	"$(jq -r '.[0].xdp.programs[0].pinned_maps[].name' <<<"$st" | sort | tr '\n' ' ')"
plain=$(on_host "$X" status veth0)
check_match "status: XDP line" "id $(xdp_prog_id) +blocklist +tag [0-9a-f]{16} +prio 10" "$plain"
check_match "status: ingress line" "tc ingress:" "$plain"
check_match "status: egress filter line" "pref [0-9]+ +handle 0x[0-9a-f]+ +id [0-9]+ +portfilter_tc" "$plain"
check_eq "status without IFACE shows veth0" veth0 "$(on_host "$X" --json status | jq -r '.[].ifname')"

# --- pins: under the root, mode 0600 ---
check_eq "pins are the pin-by-name maps of blocklist and portfilter" \
	"$( (obj_pinned_maps "$XK_BUILD/blocklist.bpf.o"; obj_pinned_maps "$XK_BUILD/portfilter.bpf.o") | sort | tr '\n' ' ')" \
	"$(ls $ROOT | tr '\n' ' ')"
check_eq "every pin is mode 0600" "" "$(find $ROOT -type f ! -perm 0600)"

# --- a rule survives detach + attach ---
check "add a blocklist rule with bpftool" bpftool map update pinned $ROOT/blocklist_v4 key 10 9 9 9 value 0 0 0 0 0 0 0 0
mid=$(bpftool -j map show pinned $ROOT/blocklist_v4 | jq .id)
check "detach blocklist (no purge)" on_host "$X" detach veth0 blocklist
check_eq "XDP gone from ip link" "" "$(xdp_prog_id)"
check_eq "rule map still pinned" "$mid" "$(bpftool -j map show pinned $ROOT/blocklist_v4 | jq .id)"
check "attach blocklist again" on_host "$X" attach veth0 blocklist
check_eq "the new program uses the same map" true \
	"$(bpftool -j prog show id "$(xdp_prog_id)" | jq ".map_ids | index($mid) != null")"
check "the rule is still there" bpftool map lookup pinned $ROOT/blocklist_v4 key 10 9 9 9

# --- --purge keeps what another program uses ---
check "attach a second portfilter (TC ingress)" on_host "$X" attach veth0 portfilter --tc ingress
out=$(on_host "$X" detach veth0 portfilter --tc egress --purge)
check_match "purge says what it kept" "kept $ROOT/portfilter_ports: still used by program [0-9]+" "$out"
check_eq "portfilter maps still pinned" 2 "$(ls $ROOT | grep -c '^portfilter_')"
check_eq "egress filter gone" "" "$(tc_filters egress)"

# --- detach --all --purge: nothing left ---
check "detach --all --purge" on_host "$X" detach veth0 --all --purge
check_eq "no XDP program" "" "$(xdp_prog_id)"
check_eq "no ingress filter" "" "$(tc_filters ingress)"
check_eq "no egress filter" "" "$(tc_filters egress)"
check_eq "no clsact qdisc" 0 "$(on_host tc qdisc show dev veth0 | grep -c clsact)"
check_eq "nothing in bpffs" "" "$(bpffs_files)"
check_eq "the pin root is gone" no "$([ -e $ROOT ] && echo yes || echo no)"

# --- programs attached by plain ip and tc ---
check "ip link set xdp obj hello" on_host ip link set dev veth0 xdp obj "$XK_BUILD/hello.bpf.o" sec xdp
check "tc filter add ingress count" on_host tc qdisc add dev veth0 clsact
check "tc filter add ingress count" on_host tc filter add dev veth0 ingress bpf da obj "$XK_BUILD/count.bpf.o" sec tc
st=$(on_host "$X" --json status veth0)
check_eq "status shows ip's XDP program" "$(xdp_prog_id)" "$(jq '.[0].xdp.programs[0].id' <<<"$st")"
check_eq "status shows it as a single program" null "$(jq '.[0].xdp.dispatcher' <<<"$st")"
check_eq "status shows tc's filter" "count.bpf.o:[tc]" "$(jq -r '.[0].tc.ingress[0].filter_name' <<<"$st")"
check "xdpkit detach hello" on_host "$X" detach veth0 hello
check_eq "ip's program is gone" "" "$(xdp_prog_id)"
check "xdpkit detach count --tc ingress" on_host "$X" detach veth0 count --tc ingress
check_eq "tc's filter is gone" "" "$(tc_filters ingress)"
check_eq "the emptied clsact qdisc is gone" 0 "$(on_host tc qdisc show dev veth0 | grep -c clsact)"

# --- --pin-root tc/globals: xdpkit's copy shares rule maps with tc's copy ---
check "tc attaches portfilter (pins in tc/globals)" on_host tc qdisc add dev veth0 clsact
check "tc filter add ingress portfilter" \
	on_host tc filter add dev veth0 ingress bpf da obj "$XK_BUILD/portfilter.bpf.o" sec tc
gid=$(bpftool -j map show pinned $GLOBALS/portfilter_ports | jq .id)
check "xdpkit --pin-root tc/globals attach portfilter (XDP)" \
	on_host "$X" --pin-root $GLOBALS attach veth0 portfilter
check_eq "xdpkit's copy uses tc's pinned portfilter_ports" true \
	"$(bpftool -j prog show id "$(xdp_prog_id)" | jq ".map_ids | index($gid) != null")"
check "detach --all --purge with that root" on_host "$X" --pin-root $GLOBALS detach veth0 --all --purge
check_eq "tc/globals emptied" "" "$(find $GLOBALS -type f 2>/dev/null)"
check_eq "nothing attached" "|" "$(xdp_prog_id)|$(tc_filters ingress)"

xk_done
