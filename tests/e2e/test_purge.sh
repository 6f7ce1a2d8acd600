#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_purge.sh: nothing xdpkit keeps in bpffs is hidden. Pins no loaded program uses (rules kept by a
# detach, left by an interface that was deleted) show in `status` and `map show`; `purge --dry-run`
# names them and removes nothing; `purge` removes them and never a map a loaded program uses, whoever
# loaded it (attached elsewhere, or loaded by bpftool and attached nowhere).
. "$(dirname "$0")/lib.sh"
xk_private "$@"
xk_env_setup purge

X=${XK_XDPKIT:-$XDPKIT}
export XDPKIT_PROG_DIR=$XK_BUILD
ROOT=/sys/fs/bpf/xdpkit
HOLDER=/sys/fs/bpf/xk-holder-$$
xk_cleanup rm -rf "$HOLDER"
xk_cleanup on_host "$X" purge
xk_cleanup on_host "$X" detach lo --all
xk_cleanup on_host "$X" detach veth0 --all --purge

pins() { (cd $ROOT 2>/dev/null && ls | sort | tr '\n' ' '); }
BL_PINS=$(obj_pinned_maps "$XK_BUILD/blocklist.bpf.o" | sort | tr '\n' ' ')

# Two copies of blocklist share its pins: one on veth0 (XDP), one on lo (TC egress).
check "attach veth0 blocklist" on_host "$X" attach veth0 blocklist
check "attach lo blocklist --tc egress (a second user of the same pins)" \
	on_host "$X" attach lo blocklist --tc egress
check "a rule" on_host "$X" map set blocklist_v4 10.9.9.9
check_eq "the pins are blocklist's" "$BL_PINS" "$(pins)"
out=$(on_host "$X" purge --dry-run)
check_eq "purge --dry-run with every pin in use: exit 0" 0 $?
check_match "... says there is nothing to purge" "nothing to purge" "$out"

# Detached everywhere without --purge: the rules stay pinned, used by no loaded program.
check "detach veth0 blocklist (keeps the pins)" on_host "$X" detach veth0 blocklist
check "detach lo --all" on_host "$X" detach lo --all
check_eq "the pins are still there" "$BL_PINS" "$(pins)"
st=$(on_host "$X" status)
check_match "status says which pins no program shown uses" \
	"pinned under $ROOT, used by no program shown above:" "$st"
for p in $BL_PINS; do
	check_match "status lists $p as used by no loaded program" \
		"pinned map $p: $ROOT/$p \(map id [0-9]+\), used by no loaded program" "$st"
done
check_match "status names the way to clean up" "xdpkit purge" "$st"
ms=$(on_host "$X" map show)
check_match "map show lists the unused blocklist_v4 with its rule and no program" \
	"^[0-9]+ +blocklist_v4 +hash .* 1 +[0-9]+  - +$ROOT/blocklist_v4$" "$ms"
check_eq "map show --json: every pin, each with no program" "$BL_PINS" \
	"$(on_host "$X" --json map show | jq -r '.[] | select((.progs | length) == 0) | .pin' |
		xargs -n1 basename | sort | tr '\n' ' ')"
out=$(on_host "$X" purge --dry-run)
check_eq "purge --dry-run: exit 0" 0 $?
for p in $BL_PINS; do
	check_match "purge --dry-run names $p" "would remove $ROOT/$p \(map $p, id [0-9]+\)" "$out"
done
check_eq "purge --dry-run removed nothing" "$BL_PINS" "$(pins)"

# A program loaded by bpftool and attached nowhere uses blocklist_v4: purge keeps that one.
# (Its other maps pinned by name land in /sys/fs/bpf itself, as bpftool pins them.)
check "bpftool loads a blocklist that reuses the pinned blocklist_v4" \
	bpftool prog loadall "$XK_BUILD/blocklist.bpf.o" "$HOLDER" map name blocklist_v4 pinned $ROOT/blocklist_v4
xk_cleanup "rm -f /sys/fs/bpf/blocklist_*"
holder_id=$(bpftool -j prog show pinned "$HOLDER/blocklist" | jq .id)
check "the holder uses the pinned map" prog_uses_map "$holder_id" "$(pinned_map_id $ROOT/blocklist_v4)"
out=$(on_host "$X" purge)
check_eq "purge: exit 0" 0 $?
check_eq "purge kept only blocklist_v4, which the holder uses" "blocklist_v4 " "$(pins)"
check_nomatch "purge did not claim to remove blocklist_v4" "removed $ROOT/blocklist_v4" "$out"
check_eq "the rule is still in it" 0 "$(on_host "$X" map get blocklist_v4 10.9.9.9)"

# The holder gone, the last pin and the root go.
rm -rf "$HOLDER" /sys/fs/bpf/blocklist_*
check "purge" on_host "$X" purge
check_eq "no pin and no root left" "" "$(ls -d $ROOT 2>/dev/null)"

# The interface deleted under attached programs: their rules stay pinned and visible, and purge
# cleans them up (detach cannot: the interface is gone).
# Where libxdp chains programs (the VM guests), its dispatcher state outlives the interface and its
# pins keep blocklist (and so the maps) loaded: status names that state, and purge removes it first.
check "attach veth0 blocklist again" on_host "$X" attach veth0 blocklist
check "a rule" on_host "$X" map set blocklist_v4 10.9.9.8
chained=no
[[ $(on_host ip link show dev veth0) == *xdp_dispatcher* ]] && chained=yes
check "ip link del veth0" on_host ip link del veth0
if [ $chained = yes ]; then
	held='[0-9]+'
	check_match "status names libxdp's state of the dispatcher that runs nowhere" \
		"libxdp's state of dispatcher [0-9]+, which runs on no interface .*/sys/fs/bpf/xdp/dispatch-" \
		"$(on_host "$X" status)"
	check_match "purge --dry-run names it" "would remove /sys/fs/bpf/xdp/dispatch-" \
		"$(on_host "$X" purge --dry-run)"
	check_match "... and the pins only its programs use" "would remove $ROOT/blocklist_v4 " \
		"$(on_host "$X" purge --dry-run)"
	check "... removing nothing" test -n "$(ls /sys/fs/bpf/xdp | grep ^dispatch-)"
else
	held='-'
	check_eq "no libxdp state without a dispatcher" "" "$(ls /sys/fs/bpf/xdp 2>/dev/null | grep ^dispatch-)"
fi
check_match "map show still lists blocklist_v4 with its rule" \
	"^[0-9]+ +blocklist_v4 +hash .* 1 +[0-9]+  $held +$ROOT/blocklist_v4$" "$(on_host "$X" map show)"
check_eq "the rule reads back by name" 0 "$(on_host "$X" map get blocklist_v4 10.9.9.8)"
check "purge" on_host "$X" purge
check_eq "nothing left under the root" "" "$(ls -d $ROOT 2>/dev/null)"
check_eq "no libxdp state left" "" "$(ls /sys/fs/bpf/xdp 2>/dev/null | grep ^dispatch-)"

xk_done
