#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_hello_walkthrough.sh: the learner's first steps, as in the lab notes — attach hello with
# plain `ip`, ping across it, see "Hello World <n>" in the trace, read the global counter with
# bpftool; then hello_drop makes the ping fail, and detaching makes it pass again.
. "$(dirname "$0")/lib.sh"
xk_private "$@"
xk_env_setup hello

# bpf_printk lines go to the bpf_trace_printk event. A trace instance of our own records that event,
# so other tests reading (and consuming) the global trace_pipe at the same time take nothing away
# from us.
TR=/sys/kernel/tracing
INST=$TR/instances/xkt-hello-$$
[ -e $TR/events/bpf_trace/bpf_trace_printk/enable ] || xk_abort "no tracefs with the bpf_trace_printk event at $TR"
mkdir "$INST" || xk_abort "cannot create trace instance $INST"
xk_cleanup rmdir "$INST"
echo 1 >"$INST/events/bpf_trace/bpf_trace_printk/enable"

# The .bss map (hello.bss; hello_dr.bss for hello_drop) of the program on veth0, found through the
# program, not by name: another test may have a hello loaded too, and `bpftool map dump name
# hello.bss` would show both.
# (Plain bpftool and ip output read in bash: jq costs a third of a second in the VM guest.)
bss_map_of() { map_of "$1" '*.bss'; }
counter_of()
{
	local out re='"counter":([0-9]+)'
	out=$(bpftool -j map dump id "$1")
	[[ $out =~ $re ]] && echo "${BASH_REMATCH[1]}"
}
stat_of() { verdicts "$@"; }
# Packets veth1 sent: the number under "TX: bytes packets" in ip -s link.
peer_tx()
{
	local out re='TX: +bytes +packets[^0-9]+[0-9]+ +([0-9]+)'
	out=$(on_peer ip -s link show veth1)
	[[ $out =~ $re ]] && echo "${BASH_REMATCH[1]}"
}

# Neighbour discovery and ARP may send a frame at any moment: read counter, the peer's tx count and
# the PASS verdicts until no frame arrived while we read them. Sets C (counter), TX, PASS.
snapshot()
{
	local i c2 tx2
	for ((i = 0; i < 20; i++)); do
		C=$(counter_of "$bss")
		TX=$(peer_tx)
		PASS=$(stat_of "$id" 2)
		c2=$(counter_of "$bss")
		tx2=$(peer_tx)
		[ "$C" = "$c2" ] && [ "$TX" = "$tx2" ] && return 0
		sleep 0.1
	done
}

check "ping works before anything is attached" ping4 "$XK_IP4" 1

# Step 1: hello passes everything and says hello.
check "ip link set dev veth0 xdp obj hello.bpf.o sec xdp" \
	on_host ip link set dev veth0 xdp obj "$XK_BUILD/hello.bpf.o" sec xdp
id=$(xdp_prog_id)
check_eq "ip link shows program 'hello' on veth0" hello "$(bpftool -j prog show id "${id:-0}" | jq -r .name)"
bss=$(bss_map_of "$id")
check_match "hello has a hello.bss map" '^[0-9]+$' "$bss"
snapshot
c0=$C tx0=$TX
check "IPv4 ping passes through hello" ping4 "$XK_IP4" 3
check "IPv6 ping passes through hello" ping6 "$XK_IP6" 3
sleep 0.1
snapshot
c1=$C tx1=$TX
check_ge "hello counted at least the 6 echo requests" $((c0 + 6)) "$c1"
check_eq "counter (bpftool map dump) = frames the peer sent" $((tx1 - tx0)) $((c1 - c0))
check_eq "hello's PASS verdicts = counter" "$c1" "$PASS"

# Every value the counter took must have been printed; others' lines in the same event do not
# matter.
declare -A seen
for i in $(grep -o 'Hello World [0-9]*' "$INST/trace" | awk '{print $3}'); do
	seen[$i]=1
done
missing=0
for ((i = 0; i < c1; i++)); do
	[ -n "${seen[$i]-}" ] || missing=$((missing + 1))
done
check_ge "trace shows Hello World lines" 1 "$(grep -c 'Hello World' "$INST/trace")"
check_eq "trace has 'Hello World n' for every n in 0..$((c1 - 1))" 0 "$missing"
check "ip link set dev veth0 xdp off" on_host ip link set dev veth0 xdp off

# Step 2: hello_drop drops everything.
check "ip link set dev veth0 xdp obj hello_drop.bpf.o sec xdp" \
	on_host ip link set dev veth0 xdp obj "$XK_BUILD/hello_drop.bpf.o" sec xdp
id=$(xdp_prog_id)
check_fails "IPv4 ping fails through hello_drop" ping4 "$XK_IP4" 2
check_fails "IPv6 ping fails through hello_drop" ping6 "$XK_IP6" 2
check_ge "hello_drop counted the dropped requests as DROP" 4 "$(stat_of "$id" 1)"
check_eq "hello_drop passed nothing" 0 "$(stat_of "$id" 2)"
check_ge "hello_drop still says hello" 4 "$(counter_of "$(bss_map_of "$id")")"

# Step 3: detach, and the ping passes again.
check "ip link set dev veth0 xdp off" on_host ip link set dev veth0 xdp off
check_eq "no XDP program on veth0" "" "$(xdp_prog_id)"
check "IPv4 ping passes again" ping4 "$XK_IP4" 2
check "IPv6 ping passes again" ping6 "$XK_IP6" 2
xk_done
