#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# gone.sh: the interface, or the whole network namespace, deleted under attached XDP and TC programs
# with pinned rule maps (issue 9, hardening). Afterwards: status says the interface is gone and
# still lists every pin (used by no loaded program), the kernel has freed the programs, the pinned
# rules keep their values (and work again once re-attached elsewhere), and the cleanup the manager
# offers without an interface (`xdpkit detach --all --purge`) leaves nothing.
# Usage: gone.sh [short|full]   short: one round of each; full: 10 rounds of each.
. "$(dirname "$0")/lib.sh"
xk_private "$@"
stress_mode "$@"
xk_env_setup gone
xk_cleanup on_host "$X" detach --all --purge
ROUNDS=$(by_mode 1 10)
PINS_KEPT=0
FREED=0

# rules: the rule maps' contents as bpftool shows them (every pinned map under the root).
rules()
{
	local f
	for f in "$PIN_ROOT"/*; do
		[ -e "$f" ] || continue
		echo "$f $(bpftool -j map dump pinned "$f" | jq -c '[.[] | [.key, .value]]')"
	done
}

# alive IDS...: those of the program ids the kernel still has.
alive()
{
	both <(printf '%s\n' "$@") <(bpftool prog list | sed -n 's/^\([0-9]*\): .*/\1/p')
}
# wait_freed IDS...: wait (up to 30 s, a bound) until the kernel has freed these programs; prints
# those still there.
wait_freed()
{
	local i left
	for ((i = 0; i < 60; i++)); do
		left=$(alive "$@")
		[ -z "$left" ] && return 0
		sleep 0.5
	done
	echo $left
}

# attach_all NSRUN IFACE: blocklist on XDP, portfilter on TC ingress, count on TC egress, and rules;
# prints the ids of the three programs.
attach_all()
{
	local run=$1 dev=$2 ids=()
	$run "$X" attach "$dev" blocklist >/dev/null &&
		$run "$X" attach "$dev" portfilter --tc ingress >/dev/null &&
		$run "$X" attach "$dev" count --tc egress >/dev/null &&
		$run "$X" map set blocklist_v4 10.9.9.9 7 &&
		$run "$X" map set blocklist_v4 "$XK_PEER_IP4" &&
		$run "$X" map set blocklist_cidr4 10.77.0.0/16 3 &&
		$run "$X" map set portfilter_ports 5353 &&
		$run "$X" map set portfilter_cfg 0 mode=1 || return 1
}

# pins_all_unused WHAT: status lists every pin as used by no loaded program.
pins_all_unused()
{
	local st n
	st=$(on_host "$X" status 2>&1)
	n=$(bpffs_files | grep -c "^$PIN_ROOT/")
	check_eq "$1: status lists each of the $n pins as used by no loaded program" "$n" \
		"$(grep -c 'pinned map .* used by no loaded program$' <<<"$st")"
	check_status_truth "$1"
}

# --- the interface deleted ------------------------------------------------------------------------
for ((r = 1; r <= ROUNDS; r++)); do
	w="interface deleted ($r)"
	on_host ip link add xkg0 type veth peer name xkg1 &&
		on_host ip link set xkg0 up && on_host ip link set xkg1 up
	check "$w: attach blocklist (XDP), portfilter (TC ingress), count (TC egress), rules" \
		attach_all on_host xkg0
	ids=$(xdp_prog_id xkg0; k_tc_ids ingress xkg0; k_tc_ids egress xkg0)
	check_eq "$w: three programs on xkg0" 3 "$(echo $ids | wc -w)"
	track_now
	track_prog $ids
	pins=$(k_pins)
	before=$(rules)
	check "$w: ip link del xkg0" on_host ip link del xkg0

	out=$(on_host "$X" status xkg0 2>&1)
	check_eq "$w: status xkg0 exits 3" 3 $?
	msg="xdpkit: no interface 'xkg0' in this network namespace; see 'ip link' for the names"
	check_eq "$w: status says the interface is not there" "$msg" "$out"
	out=$(on_host "$X" detach xkg0 --all --purge 2>&1)
	check_eq "$w: detach xkg0 --all --purge exits 3" 3 $?
	check_match "$w: ... and points at the cleanup without an interface" \
		"^xdpkit: no interface 'xkg0'.*"$'\n'"hint: .*'xdpkit detach --all --purge' with" \
		"$out"
	left=$(wait_freed $ids)
	check_eq "$w: the kernel freed the three programs" "" "$left"
	[ -z "$left" ] && FREED=$((FREED + 3))
	check_eq "$w: every pin kept, same maps" "$pins" "$(k_pins)"
	check_eq "$w: the pinned rules kept their values" "$before" "$(rules)"
	PINS_KEPT=$((PINS_KEPT + $(grep -c . <<<"$pins")))
	check_eq "$w: xdpkit map get blocklist_v4 10.9.9.9" 7 \
		"$(on_host "$X" map get blocklist_v4 10.9.9.9)"
	pins_all_unused "$w"

	# The kept rules are live again once blocklist is attached elsewhere: the peer is blocked.
	check "$w: re-attach blocklist on veth0" on_host "$X" attach veth0 blocklist
	check_eq "$w: it uses the pinned blocklist_v4" "$(pinned_map_id "$PIN_ROOT/blocklist_v4")" \
		"$(map_of "$(xdp_prog_id)" blocklist_v4)"
	check_fails "$w: the kept rule drops the peer's pings" ping4 "$XK_IP4" 2
	check "$w: detach veth0 blocklist (rules kept)" on_host "$X" detach veth0 blocklist
	check_eq "$w: pins still there" "$(cut -d' ' -f2 <<<"$pins")" "$(k_pins | cut -d' ' -f2)"

	check "$w: detach --all --purge without an interface" on_host "$X" detach --all --purge
	check_all_clean "$w: after detach --all --purge"
	check "$w: pings pass again" ping4 "$XK_IP4" 2
done

# --- the namespace deleted ------------------------------------------------------------------------
for ((r = 1; r <= ROUNDS; r++)); do
	w="namespace deleted ($r)"
	ns2="xkt-gone2-$$-$r"
	"$TESTENV" setup "$ns2" --owner $$ >/dev/null || xk_abort "testenv setup $ns2 failed"
	xk_cleanup "$TESTENV" teardown "$ns2"
	in2() { nsenter --net="/run/netns/$ns2" -- "$@"; }
	check "$w: attach blocklist, portfilter, count in $ns2, rules" attach_all in2 veth0
	ids=$(XK_NS=$ns2; xdp_prog_id veth0; k_tc_ids ingress veth0; k_tc_ids egress veth0)
	check_eq "$w: three programs in $ns2" 3 "$(echo $ids | wc -w)"
	track_prog $ids
	for id in $ids; do track_map $(prog_map_ids "$id"); done
	pins=$(k_pins)
	before=$(rules)
	check "$w: ip netns del $ns2" ip netns del "$ns2"

	left=$(wait_freed $ids)
	check_eq "$w: the kernel freed the three programs" "" "$left"
	[ -z "$left" ] && FREED=$((FREED + 3))
	check_eq "$w: every pin kept, same maps" "$pins" "$(k_pins)"
	check_eq "$w: the pinned rules kept their values" "$before" "$(rules)"
	PINS_KEPT=$((PINS_KEPT + $(grep -c . <<<"$pins")))
	pins_all_unused "$w: status from another namespace"
	check_eq "$w: the rules read from another namespace" "3" \
		"$(on_host "$X" map get blocklist_cidr4 10.77.0.0/16)"

	check "$w: detach --all --purge without an interface" on_host "$X" detach --all --purge
	check_all_clean "$w: after detach --all --purge"
	check "$w: testenv teardown still works" "$TESTENV" teardown "$ns2"
	check_eq "$w: no namespace left" "" "$(ls /run/netns | grep -x -e "$ns2" -e "$ns2-peer")"
done

check_gone "at the end"
figure "rounds: interface deleted / namespace deleted" "$ROUNDS / $ROUNDS"
figure "pins kept across deletions (and purged after)" "$PINS_KEPT"
figure "programs freed by the kernel after a deletion" "$FREED"
figure "leaked programs and maps" "${LEAKS:-0}"
stress_done
