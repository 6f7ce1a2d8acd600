#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_stats.sh: `xdpkit stats` counts real pings per verdict (exactly, with a blocklist rule that drops them),
# shows rates and thousands separators, covers TC filters, --json, --watch --count, and follows a program that
# is replaced on the interface; each program's run time per packet comes from the kernel's BPF run-time
# statistics, which stats turns on only while it runs (--no-run-time: not at all) and leaves as they were.
. "$(dirname "$0")/lib.sh"
xk_private "$@"
xk_env_setup stats
X=$XDPKIT
TMP=$(mktemp -d /tmp/xk-stats-$$.XXXXXX) # six X: busybox's mktemp (the VM guests) wants them
xk_cleanup rm -rf "$TMP"
xk_cleanup on_host ip link set dev "$XK_IF" xdp off
xk_cleanup on_host tc qdisc del dev "$XK_IF" clsact

xs() { on_host "$X" "$@"; }
# xdp_action ACTION FIELD: what `stats --json` says the XDP program on veth0 counted.
xdp_action() { xs --json stats "$XK_IF" --interval 0.1 | jq ".programs[] | select(.hook | startswith(\"xdp\")) | .actions.$1.$2"; }

check "attach blocklist with ip (xdp)" on_host ip link set dev "$XK_IF" xdp obj "$XK_BUILD/blocklist.bpf.o" sec xdp
check "attach count on TC egress" on_host tc qdisc add dev "$XK_IF" clsact
check "tc filter add ... egress count" on_host tc filter add dev "$XK_IF" egress bpf da obj "$XK_BUILD/count.bpf.o" sec tc
pid=$(xdp_prog_id)

# Run time per packet (the kernel's run_time_ns / run_cnt). First, before any stats: does anything else
# on this machine have the statistics on (the sysctl, or another tool such as bpftop)? Then the check that
# stats leaves them off again cannot be made.
run_cnt() { bpftool -j prog show id "$1" | jq '.run_cnt // 0'; }
sysctl0=$(cat /proc/sys/kernel/bpf_stats_enabled)
ping_replies 4 "$XK_IP4" 3 >/dev/null
elsewhere=$(run_cnt "$pid")
# A ping every 20 ms until the checks are done; they start once the host has seen some arrive (the
# VM guests emulate the CPU: a process may take a second to start there).
rx() { on_host awk -v dev="$XK_IF:" '$1 == dev { print $3 }' /proc/net/dev; }
rx0=$(rx)
# (nsenter itself, not on_peer: $! is then ping, which nsenter becomes, and kill stops it)
nsenter --net="/run/netns/$XK_PEER_NS" ping -q -i 0.02 -W 1 "$XK_IP4" >/dev/null 2>&1 &
pinger=$!
xk_cleanup kill $pinger
for _ in $(seq 100); do
	[ $(($(rx) - rx0)) -ge 5 ] && break
	sleep 0.1
done
js=$(xs --json stats "$XK_IF" --interval 1)
rt=$(jq -c '.programs[] | select(.hook | startswith("xdp")) | .run_time' <<<"$js")
check_eq "--json run_time: counting, by the program itself" "true $pid false" \
	"$(jq -r '"\(.counting) \(.counted_id) \(.dispatcher)"' <<<"$rt")"
check_ge "--json run_time: ns per run measured over the interval (> 0)" 1 "$(jq '.ns_per_run | ceil' <<<"$rt")"
# (Rates depend on the machine: a VM guest on a busy host may send a few pings a second.)
check_ge "--json run_time: runs per second while pinging (> 0)" 1 "$(jq '.runs_per_s | ceil' <<<"$rt")"
check_ge "--json run_time: the kernel's run_cnt counted those runs" 1 "$(jq '.run_cnt' <<<"$rt")"
out=$(xs stats "$XK_IF" --interval 1)
check_match "plain: a run time line under the program" "^  run time: [0-9]+\.[0-9] ns per run, [0-9,]+ runs/s$" "$out"
kill $pinger
wait $pinger 2>/dev/null
check_eq "the sysctl kernel.bpf_stats_enabled is as it was" "$sysctl0" "$(cat /proc/sys/kernel/bpf_stats_enabled)"
if [ "$sysctl0" = 0 ] && [ "$elsewhere" = 0 ]; then
	c1=$(run_cnt "$pid")
	ping_replies 4 "$XK_IP4" 3 >/dev/null
	check_eq "after stats, runs are no longer timed (run_cnt stays)" "$c1" "$(run_cnt "$pid")"
	on_peer ping -q -c 20 -i 0.02 -W 1 "$XK_IP4" >/dev/null 2>&1 &
	pinger=$!
	rt=$(xs --json stats "$XK_IF" --interval 0.3 --no-run-time | jq -c '.programs[0].run_time')
	wait $pinger
	check_eq "--no-run-time: not counting, no figure" "false null" "$(jq -r '"\(.counting) \(.ns_per_run)"' <<<"$rt")"
	check_eq "--no-run-time: the program's run_cnt did not move" "$c1" "$(run_cnt "$pid")"
else
	echo "  skip  run-time statistics are on elsewhere (sysctl $sysctl0, run_cnt $elsewhere before stats ran): not checking that stats turns them off again"
fi

out=$(xs stats --interval 0.2)
check_match "plain: the XDP program with its id" "^$XK_IF xdp native \[1\] prog $pid blocklist" "$out"
check_match "plain: the TC egress filter too" "^$XK_IF tc egress \[prio [0-9]+ handle [0-9]+\] prog [0-9]+ count" "$out"
check_match "plain: a MALFORMED row" "^  MALFORMED +[0-9,]+ +[0-9,]+ +[0-9,]+ +[0-9,]+$" "$out"
check_match "plain: header with rates" "ACTION +PACKETS +BYTES +PPS +BIT/S" "$out"

# Every ping from a blocked source is dropped by the XDP program and counted once: exact numbers.
check "block the peer" "$X" map set blocklist_v4 "$XK_PEER_IP4"
p0=$(xdp_action drop packets)
b0=$(xdp_action drop bytes)
check_eq "7 pings from the blocked peer: no reply" 0 "$(ping_replies 4 "$XK_IP4" 7)"
check_eq "DROP packets rose by exactly 7" $((p0 + 7)) "$(xdp_action drop packets)"
check_eq "DROP bytes rose by 7 x 98 (ICMPv4 echo frames)" $((b0 + 7 * 98)) "$(xdp_action drop bytes)"
check_eq "the rule's hit counter agrees" 7 "$("$X" map get blocklist_v4 "$XK_PEER_IP4")"

# Rates: a reading over an interval while pings are dropped. How many a second depends on the
# machine (50 asked for, ~6 seen in a loaded TCG guest), so: some, and every one a 98-byte frame.
# The pinger runs until the reading is taken, and that starts once it had 4 pings dropped (then
# 11 x 98 bytes dropped in all: past 1,000 for the separator check below).
# (nsenter execs ping, so $! is the pinger itself; -w 60 ends it whatever happens.)
nsenter --net="/run/netns/$XK_PEER_NS" -- ping -q -i 0.02 -w 60 "$XK_IP4" >/dev/null 2>&1 &
pinger=$!
xk_cleanup kill $pinger
for _ in $(seq 100); do
	[ "$(xdp_action drop packets)" -ge $((p0 + 11)) ] && break
done
js=$(xs --json stats "$XK_IF" --interval 1)
kill $pinger
wait $pinger 2>/dev/null
check_ge "drop pps measured while pinging (> 0)" 1 \
	"$(jq '.programs[0].actions.drop.pps | ceil' <<<"$js")"
check_eq "drop bit/s = pps x 98 x 8" 784 \
	"$(jq '.programs[0].actions.drop | .bps / .pps | round' <<<"$js")"
total=$(xdp_action drop bytes)
check_ge "more than 1,000 bytes dropped by now" 1000 "$total"
check_match "plain: thousands separators in BYTES" "^  DROP +[0-9]+ +[0-9]{1,3},[0-9]{3} " "$(xs stats "$XK_IF" --interval 0.1)"

# --json: one document a round, every action.
js=$(xs --json stats --interval 0.1)
check_eq "--json: actions of the XDP program" "aborted drop malformed pass redirect tx" \
	"$(jq -r '.programs[] | select(.prog_id == '"$pid"') | .actions | keys | join(" ")' <<<"$js")"
check_eq "--json: TC filter listed" "tc egress" "$(jq -r '.programs[] | select(.name == "count_tc") | .hook' <<<"$js")"
check_eq "stats PROG selects by name" "$pid" "$(xs --json stats blocklist --interval 0.1 | jq '.programs[].prog_id')"
check_eq "stats PROG selects by id" "blocklist" "$(xs --json stats "$pid" --interval 0.1 | jq -r '.programs[].name')"

# --watch --count: N rounds, then exit 0.
out=$(xs stats "$XK_IF" --watch --count 2 --interval 0.2)
check_eq "--watch --count 2: exit 0" 0 "$?"
check_eq "--watch --count 2: two rounds (one header per program and round)" 4 "$(grep -c 'ACTION' <<<"$out")"
check_eq "--json --watch --count 3: three documents" 3 "$(xs --json stats --watch --count 3 --interval 0.1 | jq -c . | wc -l)"

# A program replaced under --watch: one notice, then the new program is followed.
xs stats "$XK_IF" --watch --count 10 --interval 0.3 >"$TMP/watch.txt" 2>&1 &
watcher=$!
xk_cleanup kill $watcher
# Replace once the watcher has shown the old program: starting it takes seconds in the VM guest (emulated CPU).
for ((i = 0; i < 100; i++)); do
	[[ $(<"$TMP/watch.txt") == *"prog $pid blocklist"* ]] && break
	sleep 0.1
done
check "replace blocklist by count on XDP (ip link set ... xdp obj)" on_host ip -force link set dev "$XK_IF" xdp obj "$XK_BUILD/count.bpf.o" sec xdp
nid=$(xdp_prog_id)
wait $watcher
check_eq "watch ended on its own" 0 "$?"
check_eq "the replacement is noticed once" 1 \
	"$(grep -c "$XK_IF xdp native: program $pid (blocklist) was replaced by $nid (count); following the new one" "$TMP/watch.txt")"
check_match "the rounds after the notice show the new program" "^$XK_IF xdp native \[1\] prog $nid count$" \
	"$(sed -n '/was replaced/,$p' "$TMP/watch.txt")"
check_nomatch "... and no longer the old one" "prog $pid blocklist" "$(sed -n '/was replaced/,$p' "$TMP/watch.txt")"

# Bad input: exit codes and one line.
out=$(xs stats nosuch0 2>&1)
check_eq "unknown IFACE|PROG: exit 3" 3 "$?"
check_match "... names it" "'nosuch0' is neither an interface here nor a loaded program" "$out"
out=$(xs stats --interval 0 2>&1)
check_eq "--interval 0: exit 2" 2 "$?"
check_match "... says what is expected" "expected seconds, more than 0" "$out"
out=$(xs stats --count x 2>&1)
check_eq "--count x: exit 2" 2 "$?"
out=$(xs stats --bogus 2>&1)
check_eq "unknown option: exit 2" 2 "$?"
check_match "help" "Usage: xdpkit stats" "$(xs stats --help)"

xk_done
