#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_netns.sh: xdpkit in a network namespace, both ways. Under `ip netns exec`, which gives the
# command a mount namespace with a fresh /sys and so no bpffs, xdpkit pins in the bpffs its caller
# sees: the rule maps are there outside, a rule set in there survives detach + attach, status
# lists the pins, and the caller's and the namespace's mounts are unchanged afterwards; trace works
# there too. With -n/--netns NAME, any verb runs in that namespace (names from /run/netns, or a
# namespace file's path); bad names are refused in one line.
. "$(dirname "$0")/lib.sh"
xk_private "$@"
xk_env_setup netns
export XDPKIT_PROG_DIR=$XK_BUILD
R=/sys/fs/bpf/xdpkit
xk_cleanup "$XDPKIT" -n "$XK_NS" detach lo --all
xk_cleanup "$XDPKIT" -n "$XK_NS" detach veth0 --all --purge

# xdpkit under `ip netns exec` in the test host.
nx() { ip netns exec "$XK_NS" "$XDPKIT" "$@"; }
on_peer ip neigh replace "$XK_IP4" lladdr "$XK_MAC" dev veth1 nud permanent
on_host ip neigh replace "$XK_PEER_IP4" lladdr "$XK_PEER_MAC" dev veth0 nud permanent
# pings: answered (waiting up to 2 s); dropped: a short wait, expected to go unanswered.
pings() { on_peer ping -q -c 2 -i 0.1 -W 2 "$XK_IP4" >/dev/null 2>&1; }
dropped() { on_peer ping -q -c 2 -i 0.1 -W 0.5 "$XK_IP4" >/dev/null 2>&1; }
rule() { map_value pinned $R/blocklist_v4 key $(ip_bytes "$XK_PEER_IP4"); }
fstype() { ip netns exec "$XK_NS" stat -f -c %T /sys/fs/bpf; }
mounts() { cut -d' ' -f5,9 /proc/self/mountinfo; }

# --- under ip netns exec: the caller's bpffs -----------------------------------------------------
# `ip netns exec` makes / a slave mount first, which fails where / is not a mount point (a chroot,
# as a fresh build root is): there this part cannot run at all, and says so; -n below still runs.
if ! why=$(ip netns exec "$XK_NS" true 2>&1); then
	echo "  skip  ip netns exec cannot run here: ${why%%$'\n'*}"
	check "-n NAME attach veth0 blocklist (what the part above leaves for the one below)" \
		"$XDPKIT" -n "$XK_NS" attach veth0 blocklist
else
	check_eq "under ip netns exec /sys/fs/bpf is the fresh sysfs (no bpffs)" sysfs "$(fstype)"
	mounts_before=$(mounts)
	check "ip netns exec: xdpkit attach veth0 blocklist" nx attach veth0 blocklist
	check "its rule maps are pinned in the bpffs the caller sees ($R)" test -e $R/blocklist_v4
	mid=$(pinned_map_id $R/blocklist_v4)
	check "the attached program uses the map pinned there" prog_uses_map "$(xdp_prog_id)" "$mid"
	check "ip netns exec: map set blocklist_v4 $XK_PEER_IP4" nx map set blocklist_v4 "$XK_PEER_IP4"
	check_eq "the rule is in the pinned map (bpftool, outside)" 0 "$(rule)"
	check_fails "ping from $XK_PEER_IP4 dropped" dropped
	check_match "ip netns exec: status lists the pinned maps" \
		"pinned map blocklist_v4: $R/blocklist_v4 \(map id $mid\)" "$(nx status veth0)"

	check "ip netns exec: detach veth0 blocklist" nx detach veth0 blocklist
	check "detached: ping passes" pings
	check "ip netns exec: attach veth0 blocklist again" nx attach veth0 blocklist
	check_eq "re-attached: the same pinned map" "$mid" "$(pinned_map_id $R/blocklist_v4)"
	check "ip netns exec: the rule survived detach + attach (map get)" \
		nx map get blocklist_v4 "$XK_PEER_IP4"
	check_fails "re-attached: ping from $XK_PEER_IP4 dropped again" dropped
	check_eq "its hit counter went on (2 + 2)" 4 "$(rule)"

	check_eq "the caller's mounts are unchanged" "$mounts_before" "$(mounts)"
	check_eq "ip netns exec still has no bpffs: xdpkit's mount was its own" sysfs "$(fstype)"

	# trace: tracefs is one instance for the whole machine, mounted in xdpkit's namespace when missing.
	on_host ip link set dev lo up
	check "ip netns exec: attach hello on lo (skb)" nx attach lo hello --mode skb
	nsenter --net="/run/netns/$XK_NS" ping -q -c 600 -i 0.1 127.0.0.1 >/dev/null 2>&1 &
	xk_cleanup kill $!
	out=$(nx trace --count 1 --timeout 60)
	check_match "ip netns exec: trace shows hello's output" ": Hello World [0-9]+$" "$out"
	check "ip netns exec: detach lo hello" nx detach lo hello
fi

# --- -n / --netns NAME ---------------------------------------------------------------------------
id=$(xdp_prog_id)
check_match "-n NAME status veth0: the program in NAME" "id $id +blocklist" \
	"$("$XDPKIT" -n "$XK_NS" status veth0)"
check_match "--netns=PATH (a namespace file) works as NAME" "id $id +blocklist" \
	"$("$XDPKIT" --netns="/run/netns/$XK_NS" status veth0)"
check "--netns NAME attach veth0 count --tc ingress" \
	"$XDPKIT" --netns "$XK_NS" attach veth0 count --tc ingress
check_match "tc shows the filter in NAME" "^count_tc" "$(tc_filters ingress)"
check_match "-n NAME map show veth0: the pinned rule map" "blocklist_v4 .* $R/blocklist_v4" \
	"$("$XDPKIT" -n "$XK_NS" map show veth0)"
check_match "-n NAME stats veth0: the program's counters" "veth0 xdp .* prog $id blocklist" \
	"$("$XDPKIT" -n "$XK_NS" stats veth0 --interval 0.2 --no-run-time)"
check_match "-n PEER status veth1: the peer's interface" "^veth1 \(ifindex" \
	"$("$XDPKIT" -n "$XK_PEER_NS" status veth1)"
out=$("$XDPKIT" -n "$XK_NS" status veth1 2>&1)
check_eq "-n NAME: veth1 is not in NAME (exit 3)" 3 "$?"
check_match "... and the error names it" "no interface 'veth1'" "$out"

# Bad -n: one line, the documented exit code, nothing on stdout.
bad()
{
	local want=$1 re=$2 out err rc
	shift 2
	err=$("$XDPKIT" "$@" 2>&1 >/dev/null)
	rc=$?
	out=$("$XDPKIT" "$@" 2>/dev/null)
	check_eq "xdpkit $*: exit $want" "$want" "$rc"
	check_eq "xdpkit $*: one line" 1 "$(printf '%s\n' "$err" | wc -l)"
	check_match "xdpkit $*: says why" "$re" "$err"
	check_eq "xdpkit $*: nothing on stdout" "" "$out"
}
bad 3 "cannot open network namespace 'xk-none-$$'.*ip netns list" -n "xk-none-$$" status
bad 2 "-n needs a network namespace" status -n
bad 2 "not a namespace name" --netns ../x status
bad 2 "not a network namespace" -n /proc/self/ns/mnt status

check "-n NAME detach veth0 --all --purge" "$XDPKIT" -n "$XK_NS" detach veth0 --all --purge
check_clean "after -n NAME detach --all --purge"
xk_done
