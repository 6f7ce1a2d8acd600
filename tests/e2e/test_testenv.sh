#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_testenv.sh: scripts/testenv.sh itself — setup makes two namespaces joined by veth0/veth1 with
# working IPv4 and IPv6 at once, exec sees the bpffs of its caller, env/status report it, bad names
# are refused, teardown is idempotent, and teardown --all removes environments of dead owners only.
# Uses a registry of its own.
. "$(dirname "$0")/lib.sh"
xk_private "$@"
export XK_TESTENV_DIR=$(mktemp -d /tmp/xkt-registry.XXXXXX)
xk_cleanup rm -rf "$XK_TESTENV_DIR"
A=xkt-te-a-$$
B=xkt-te-b-$$
xk_cleanup "$TESTENV" teardown $A
xk_cleanup "$TESTENV" teardown $B

# check runs its command in a subshell, whose pid would die at once: name the owner.
check "setup $A --owner $$" "$TESTENV" setup $A --owner $$
check "namespace $A exists" test -e /run/netns/$A
check "namespace $A-peer exists" test -e /run/netns/$A-peer
eval "$("$TESTENV" env $A)"
check_eq "env: names" "$A $A-peer veth0 veth1" "$XK_NS $XK_PEER_NS $XK_IF $XK_PEER_IF"
check_eq "env: owner as given" $$ "$XK_OWNER"
check_match "veth0 in $A is up with its IPv4 and IPv6" "UP .*$XK_IP4/24 $XK_IP6/64" \
	"$(on_host ip -br addr show dev veth0)"
check_match "veth1 in $A-peer is up with its addresses" "UP .*$XK_PEER_IP4/24 $XK_PEER_IP6/64" \
	"$(on_peer ip -br addr show dev veth1)"
check_eq "veth0's MAC is the one env reports" "$XK_MAC" "$(on_host ip -j link show dev veth0 | jq -r '.[0].address')"
check_eq "the veth pair is not in this (root) namespace" "" "$(ip -br link show dev veth0 2>/dev/null)"
check "ping peer -> host, IPv4 and IPv6, right after setup" "$TESTENV" ping $A 1
check_fails "nobody owns the spare address $XK_SPARE_IP4" ping4 "$XK_SPARE_IP4" 1

bpftool map create /sys/fs/bpf/xkt-te-probe type array key 4 value 4 entries 1 name xkt_te_probe
check "exec sees the caller's bpffs" "$TESTENV" exec $A test -e /sys/fs/bpf/xkt-te-probe
check_eq "exec runs in the namespace" "veth0" \
	"$("$TESTENV" exec $A ip -br link show type veth | awk '{sub("@.*", "", $1); print $1}')"
check_eq "exec NAME-peer runs in the peer" "veth1" \
	"$("$TESTENV" exec $A-peer ip -br link show type veth | awk '{sub("@.*", "", $1); print $1}')"
rm -f /sys/fs/bpf/xkt-te-probe

check_fails "setup $A again is refused" "$TESTENV" setup $A
check_match "... with a message naming the fix" "already exists; run '.*teardown $A' first" \
	"$("$TESTENV" setup $A 2>&1)"
check_fails "a bad name is refused" "$TESTENV" setup "bad name"
check_fails "a name ending in -peer is refused" "$TESTENV" setup xkt-x-peer
check_eq "a refused setup leaves no namespace" "" "$(ls /run/netns | grep -E '^(bad|xkt-x-peer)')"
check_match "status lists $A, owner alive" "^$A +$$ +yes +$XK_IP4" "$("$TESTENV" status)"

# An environment whose owner is gone is a leftover; a live one is not.
check "setup $B owned by a process that is gone" "$TESTENV" setup $B --owner 999999999
check "teardown --all" "$TESTENV" teardown --all
check "teardown --all removed $B (dead owner)" test ! -e /run/netns/$B
check "teardown --all removed $B-peer" test ! -e /run/netns/$B-peer
check "teardown --all kept $A (live owner)" test -e /run/netns/$A
check "teardown $A" "$TESTENV" teardown $A
check "namespaces of $A are gone" test ! -e /run/netns/$A -a ! -e /run/netns/$A-peer
check_eq "registry is empty" "" "$(ls "$XK_TESTENV_DIR")"
check "teardown $A again is fine (idempotent)" "$TESTENV" teardown $A
check_fails "env of a missing environment fails" "$TESTENV" env $A
xk_done
