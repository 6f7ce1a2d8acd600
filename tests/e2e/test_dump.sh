#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_dump.sh: xdpkit dump with real traffic. Pings of a blocked source are captured with program,
# hook, verdict DROP and the exact rule (and the prefix of a CIDR rule); --verdict, -c and a pcap
# filter expression select frames; -w writes pcapng that tcpdump and tshark read back, with
# program and verdict in each packet's comment; portfilter on TC names the port; the capture switch
# is off after Ctrl-C, and after kill -9 a later status switches it off; a program replaced under a
# running dump is followed with a notice; portfilter's rule in allow-only mode and ratelimit's.
. "$(dirname "$0")/lib.sh"
xk_private "$@"
xk_env_setup dump
export XDPKIT_PROG_DIR=$XK_BUILD
xk_cleanup on_host "$XDPKIT" detach veth0 --all --purge
xk_cleanup on_host "$XDPKIT" detach veth0 --all --tc ingress --purge
NET4=${XK_PEER_IP4%.*}
TMP=$(mktemp -d)
xk_cleanup rm -rf "$TMP"

on_peer ip addr add "$NET4.3/24" dev veth1
on_peer ip addr add "$NET4.5/24" dev veth1
on_peer ip neigh replace "$XK_IP4" lladdr "$XK_MAC" dev veth1 nud permanent
for a in "$XK_PEER_IP4" "$NET4.3" "$NET4.5"; do
	on_host ip neigh replace "$a" lladdr "$XK_PEER_MAC" dev veth0 nud permanent
done
pings() { on_peer ping -4 -q -c "${3:-2}" -i 0.1 -W 0.5 -I "$1" "$2" >/dev/null 2>&1; }

# dump_bg WHAT NAME ARGS...: xdpkit dump in the host, stdout to $TMP/NAME.out, stderr to .err, its
# pid in DUMP_PID; passes when it says it captures (within 20 s). dump_wait WHAT: passes when it
# exits 0 (within 20 s). Not under check: the dump must be a child of this shell.
dump_bg()
{
	local what=$1 name=$2 i
	shift 2
	"$XDPKIT" -n "$XK_NS" dump "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
	DUMP_PID=$!
	xk_cleanup kill -9 $DUMP_PID
	for i in $(seq 200); do
		grep -q "capturing" "$TMP/$name.err" 2>/dev/null && { _xk_ok "$what"; return 0; }
		kill -0 $DUMP_PID 2>/dev/null || break
		sleep 0.1
	done
	_xk_fail "$what" "$(cat "$TMP/$name.err")"
}
dump_wait()
{
	local what=$1 i rc=124
	for i in $(seq 200); do
		kill -0 $DUMP_PID 2>/dev/null || { wait $DUMP_PID; rc=$?; break; }
		sleep 0.1
	done
	[ $rc = 124 ] && kill $DUMP_PID
	check_eq "$what" 0 $rc
}
# The capture switch of the program: "on owner_pid" from its .data.xk_capture map.
switch_of()
{
	local m
	m=$(map_of "$1" ".data.xk_captur")
	bpftool -j map lookup id "$m" key 0 0 0 0 | jq -r '.formatted.value[".data.xk_capture"][0].xk_capture | "\(.on) \(.owner_pid)"'
}

check "xdpkit attach veth0 blocklist" on_host "$XDPKIT" attach veth0 blocklist
id=$(xdp_prog_id)
check "block $XK_PEER_IP4" on_host "$XDPKIT" map set blocklist_v4 "$XK_PEER_IP4"
check "block $NET4.4/30 (holds .5)" on_host "$XDPKIT" map set blocklist_cidr4 "$NET4.4/30"
check_eq "capture switch off before any dump" "0 0" "$(switch_of "$id")"

# 1. Drops of the blocked source, only drops, two of them.
dump_bg "dump veth0 --verdict drop -c 2 starts" drop veth0 --verdict drop -c 2
check_eq "while it runs: switch on, owned by the dump" "1" "$(switch_of "$id" | cut -d' ' -f1)"
pings "$NET4.3" "$XK_IP4" 2
check_fails "pings from blocked $XK_PEER_IP4 go unanswered" pings "$XK_PEER_IP4" "$XK_IP4"
dump_wait "the dump exits 0 after 2 frames"
out=$(cat "$TMP/drop.out")
check_eq "2 lines" 2 "$(wc -l <<<"$out")"
check_match "a line: time, veth0 blocklist xdp DROP, the rule, the decoded ping" \
	"^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6} veth0 blocklist xdp DROP rule=$XK_PEER_IP4 IP $XK_PEER_IP4 > $XK_IP4: ICMP echo request, id [0-9]+, seq 1, length 64$" \
	"$(head -1 <<<"$out")"
check_nomatch "no frame of the allowed source (--verdict drop)" "IP $NET4.3 " "$out"
check_match "stderr: 2 packets captured" "^2 packets captured$" "$(cat "$TMP/drop.err")"
check_eq "after it: switch off" "0 0" "$(switch_of "$id")"

# 2. A prefix rule is shown as the prefix; a passed frame has no rule.
dump_bg "dump veth0 -c 2 icmp starts" cidr veth0 -c 2 icmp
pings "$NET4.5" "$XK_IP4" 1
pings "$NET4.3" "$XK_IP4" 1
dump_wait "the dump exits 0"
out=$(cat "$TMP/cidr.out")
check_match "drop by the prefix rule names $NET4.4/30" \
	"veth0 blocklist xdp DROP rule=$NET4.4/30 IP $NET4.5 > $XK_IP4: ICMP echo request" "$out"
check_match "an allowed ping: PASS, no rule" "veth0 blocklist xdp PASS IP $NET4.3 > $XK_IP4: ICMP echo request" "$out"

# 2b. IPv6: the exact rule and the decoded echo request.
on_peer ip neigh replace "$XK_IP6" lladdr "$XK_MAC" dev veth1 nud permanent
on_host ip neigh replace "$XK_PEER_IP6" lladdr "$XK_PEER_MAC" dev veth0 nud permanent
check "block $XK_PEER_IP6" on_host "$XDPKIT" map set blocklist_v6 "$XK_PEER_IP6"
dump_bg "dump veth0 --verdict drop -c 1 icmp6 starts" v6 veth0 --verdict drop -c 1 icmp6
on_peer ping -6 -q -c 1 -W 1 "$XK_IP6" >/dev/null 2>&1
dump_wait "the dump exits 0"
check_match "IPv6: blocklist xdp DROP rule=$XK_PEER_IP6 and the ICMP6 echo request" \
	"veth0 blocklist xdp DROP rule=$XK_PEER_IP6 IP6 $XK_PEER_IP6 > $XK_IP6: ICMP6, echo request, id [0-9]+, seq 1, length 64$" \
	"$(cat "$TMP/v6.out")"

# 3. A filter expression: only frames of .3, though the blocked source pings too.
dump_bg "dump with 'icmp and src host $NET4.3' starts" expr veth0 -c 2 icmp and src host "$NET4.3"
pings "$XK_PEER_IP4" "$XK_IP4" 3
pings "$NET4.3" "$XK_IP4" 2
dump_wait "the dump exits 0"
out=$(cat "$TMP/expr.out")
check_eq "expression: 2 frames, all from $NET4.3" "2 2" \
	"$(wc -l <<<"$out") $(grep -c "IP $NET4.3 > $XK_IP4" <<<"$out")"
check_fails "a bad expression is refused" on_host "$XDPKIT" dump veth0 "src hots 1.2.3.4"
check_eq "... with exit code 2" 2 "$(on_host "$XDPKIT" dump veth0 nonsense words here >/dev/null 2>&1; echo $?)"

# 4. pcapng: tcpdump and tshark read it; each packet's comment names program, verdict and rule.
dump_bg "dump -w FILE --verdict drop -c 2 starts" png veth0 --verdict drop -c 2 -s 128 -w "$TMP/d.pcapng"
pings "$XK_PEER_IP4" "$XK_IP4" 2
dump_wait "the dump exits 0"
check_eq "file type: pcapng" "0a0d0d0a" "$(od -An -tx1 -N4 "$TMP/d.pcapng" | tr -d ' ')"
# The VM guests carry no tcpdump or tshark: there the files are written and their type checked
# (the host run reads the same writer's files back); on the host a missing reader fails.
readers=1
if [ "${XK_VM_GUEST:-0}" = 1 ] && ! { command -v tcpdump && command -v tshark; } >/dev/null; then
	readers=0
	echo "  skip  tcpdump/tshark read-back: the VM guest has neither"
fi
if [ $readers = 1 ]; then
	td=$(tcpdump -n -r "$TMP/d.pcapng" 2>/dev/null)
	check_eq "tcpdump -r: 2 packets" 2 "$(wc -l <<<"$td")"
	check_match "tcpdump -r: the blocked ping" "IP $XK_PEER_IP4 > $XK_IP4: ICMP echo request" "$td"
	ts=$(tshark -r "$TMP/d.pcapng" -T fields -e frame.comment -e ip.src -e frame.cap_len 2>/dev/null)
	check_eq "tshark: comments, sources and the 98-byte frames" \
		"prog=blocklist hook=xdp verdict=drop rule=$XK_PEER_IP4	$XK_PEER_IP4	98" "$(sort -u <<<"$ts")"
	check_eq "tshark: 2 packets" 2 "$(wc -l <<<"$ts")"
fi
dump_bg "snaplen 40: frames cut to 40 bytes" snap veth0 --verdict drop -c 1 -s 40 -w "$TMP/s.pcapng"
pings "$XK_PEER_IP4" "$XK_IP4" 1
dump_wait "the dump exits 0"
if [ $readers = 1 ]; then
	check_eq "tshark: cap_len 40, len 98" "40 98" \
		"$(tshark -r "$TMP/s.pcapng" -T fields -e frame.cap_len -e frame.len 2>/dev/null | tr '\t' ' ')"
fi

# 5. Ctrl-C and kill -9: nothing stays on; status switches a dead dump's capture off.
dump_bg "dump for Ctrl-C starts" int veth0
kill -INT $DUMP_PID
dump_wait "SIGINT: exits 0"
check_eq "SIGINT: switch off" "0 0" "$(switch_of "$id")"
dump_bg "dump for kill -9 starts" kill veth0
kill -9 $DUMP_PID
wait $DUMP_PID 2>/dev/null
check_eq "kill -9: the switch stays on, owned by the dead dump" "1 $DUMP_PID" "$(switch_of "$id")"
# The kernel emptied the perf event array with the dead dump's fds (user space cannot read that
# map's entries): the stale switch costs a failing send per frame, and verdicts go on.
drops=$(verdicts "$id" 1)
check_fails "kill -9, switch still on: the blocked source is still dropped" pings "$XK_PEER_IP4" "$XK_IP4"
check_eq "... and counted" $((drops + 2)) "$(verdicts "$id" 1)"
# Any status clears any stale switch on the machine, and the e2e tests run side by side: another
# test's status may get there first (then it says so, not this one). The message is checked when
# the switch was still on just before this status.
before=$(switch_of "$id")
st=$(on_host "$XDPKIT" status 2>&1)
if [ "$before" = "1 $DUMP_PID" ] || [ "$(switch_of "$id")" != "0 0" ]; then
	check_match "status says it switched the stale capture off" \
		"switched off the capture of blocklist \(id $id\): the dump that started it \(pid $DUMP_PID\) is gone" "$st"
else
	echo "  note  another test's xdpkit status switched the stale capture off first"
fi
check_eq "after status: switch off" "0 0" "$(switch_of "$id")"
dump_bg "another dump for kill -9 starts" kill2 veth0
kill -9 $DUMP_PID
wait $DUMP_PID 2>/dev/null
dead=$DUMP_PID
dump_bg "the next dump starts over the stale switch" next veth0
check_match "... saying it switched the stale one off" \
	"switched off the capture of blocklist \(id $id\): the dump that started it \(pid $dead\) is gone" \
	"$(cat "$TMP/next.err")"
check_eq "... and owns the switch now" "1 $DUMP_PID" "$(switch_of "$id")"
kill -TERM $DUMP_PID
dump_wait "SIGTERM: exits 0"
check_eq "SIGTERM: switch off" "0 0" "$(switch_of "$id")"
dump_bg "two dumps at once: the first starts" first veth0
first=$DUMP_PID
check_fails "the second is refused" on_host "$XDPKIT" dump veth0 -c 1
check_match "... naming the first's pid" "being captured by another xdpkit dump \(pid $first\)" \
	"$(on_host "$XDPKIT" dump veth0 -c 1 2>&1)"
kill -INT $first
DUMP_PID=$first
dump_wait "the first exits 0 on SIGINT"

# 6. A program replaced under a running dump is followed.
dump_bg "dump veth0 for the replace starts" repl veth0 -c 1 --verdict pass
check "ip replaces blocklist by count on veth0" on_host ip -force link set dev veth0 xdpdrv obj "$XK_BUILD/count.bpf.o" sec xdp
cid=$(xdp_prog_id)
for i in $(seq 30); do
	grep -q replaced "$TMP/repl.err" && break
	sleep 0.2
done
pings "$XK_PEER_IP4" "$XK_IP4" 1
dump_wait "the dump ends after count's frame"
check_match "one-line notice of the replace" \
	"veth0 xdp native: program $id was replaced by $cid \(count\); following the new one" "$(cat "$TMP/repl.err")"
check_match "count's verdict on the once blocked source" "veth0 count xdp PASS IP $XK_PEER_IP4 > $XK_IP4: ICMP echo request" \
	"$(cat "$TMP/repl.out")"
check "ip: XDP off" on_host ip link set dev veth0 xdpdrv off

# 7. TC: portfilter names the port, listed or not.
check "attach portfilter on TC ingress" on_host "$XDPKIT" attach veth0 portfilter --tc ingress
check "deny port 9999" on_host "$XDPKIT" map set portfilter_ports 9999
dump_bg "dump veth0 --prog portfilter starts" tc veth0 --prog portfilter -c 1 udp
on_peer bash -c "echo hi >/dev/udp/$XK_IP4/9999"
dump_wait "the dump ends after one frame"
check_match "portfilter tc DROP rule=dport=9999 and the UDP datagram" \
	"veth0 portfilter tc DROP rule=dport=9999 IP $XK_PEER_IP4\.[0-9]+ > $XK_IP4\.9999: UDP, length 3$" \
	"$(cat "$TMP/tc.out")"

check "portfilter allow-only" on_host "$XDPKIT" map set portfilter_cfg 0 mode=1
dump_bg "dump for allow-only starts" tc2 veth0 --prog portfilter -c 1 udp
on_peer bash -c "echo hi >/dev/udp/$XK_IP4/7777"
dump_wait "the dump ends after one frame"
check_match "an unlisted port: rule=dport=7777,unlisted" \
	"veth0 portfilter tc DROP rule=dport=7777,unlisted IP $XK_PEER_IP4\.[0-9]+ > $XK_IP4\.7777: UDP" "$(cat "$TMP/tc2.out")"

# 8. ratelimit: the source and its limits.
check "attach ratelimit" on_host "$XDPKIT" attach veth0 ratelimit
check "1 packet/s, burst 1" on_host "$XDPKIT" map set ratelimit_cfg 0 rate_pps=1,burst=1
dump_bg "dump --verdict drop -c 1 starts" rl veth0 --verdict drop -c 1
pings "$NET4.3" "$XK_IP4" 3
dump_wait "the dump ends after one drop"
check_match "ratelimit xdp DROP rule=src=$NET4.3,rate=1pps,burst=1" \
	"veth0 ratelimit xdp DROP rule=src=$NET4.3,rate=1pps,burst=1 IP $NET4.3 > $XK_IP4: ICMP echo request" "$(cat "$TMP/rl.out")"

check_eq "nothing to capture: exit 3" 3 "$(on_host "$XDPKIT" dump lo -c 1 >/dev/null 2>&1; echo $?)"
xk_done
