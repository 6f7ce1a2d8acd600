#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_trace.sh: `xdpkit trace` follows bpf_printk output: hello attached with plain `ip` on the test host's lo
# prints "Hello World <n>" for each ping, and trace shows those lines, stops on --count / --timeout, filters with
# --grep, names the programs that could print, refuses bad options, and removes its trace instance on exit.
. "$(dirname "$0")/lib.sh"
xk_private "$@"
xk_env_setup trace

TR=/sys/kernel/tracing
[ -e $TR/events/bpf_trace/bpf_trace_printk/enable ] || xk_abort "no tracefs with the bpf_trace_printk event at $TR"

# Bad options: one line, exit 2, and no instance left behind.
for bad in "--count 0" "--count x" "--timeout -1" "--timeout 1s" "extra"; do
	out=$($XDPKIT trace $bad 2>&1)
	rc=$?
	check_eq "trace $bad: exit 2" 2 "$rc"
	check_eq "trace $bad: one line" 1 "$(printf '%s\n' "$out" | wc -l)"
done

# hello on the host namespace's lo (generic XDP): a ping to 127.0.0.1 passes it twice (request and reply).
on_host ip link set dev lo up
check "attach hello to lo with ip" on_host ip link set dev lo xdpgeneric obj "$XK_BUILD/hello.bpf.o" sec xdp
xk_cleanup on_host ip link set dev lo xdpgeneric off
prog_id=$(on_host ip -j link show dev lo | jq -r '.[0].xdp.prog.id // .[0].xdp.attached[0].prog.id // empty')
check_match "hello is attached to lo" '^[0-9]+$' "$prog_id"

# Pings run in the background for the whole test (up to a minute, killed at cleanup: a slow machine must not
# run out of traffic before the last check); nsenter (not the on_host function, which would fork a subshell) execs ping, so
# $! is ping's pid, which trace shows for the lines that
# ran in its context (lo delivers in the sender's softirq).
nsenter --net="/run/netns/$XK_NS" ping -q -c 600 -i 0.1 127.0.0.1 >/dev/null 2>&1 &
ping_pid=$!
xk_cleanup kill $ping_pid

start=$(mono_s)
# The count ends it, not the timeout: a long timeout, so that a slow machine tells them apart (8 s
# seen in a loaded VM guest).
out=$($XDPKIT trace --count 3 --timeout 60)
rc=$?
check_eq "trace --count 3: exit 0" 0 "$rc"
check_eq "trace --count 3: exactly 3 lines" 3 "$(printf '%s\n' "$out" | grep -c .)"
check_eq "trace --count 3: all are Hello World lines" 3 "$(printf '%s\n' "$out" | grep -Ec ': Hello World [0-9]+$')"
check_le "trace --count 3 stopped before its 60 s timeout (seconds)" 59 $(($(mono_s) - start))

# Which of these lines are ours: other tests may have a hello printing at the same time; ours ran as $ping_pid.
json=$($XDPKIT --json trace --timeout 2)
mine=$(printf '%s\n' "$json" | jq -c "select(.pid == $ping_pid and .comm == \"ping\")" | grep -c 'Hello World')
check_ge "trace --json shows Hello World lines from our ping (pid $ping_pid)" 3 "$mine"
check_eq "trace --json: every line parses as an object with time/cpu/comm/pid/message" 0 \
	"$(printf '%s\n' "$json" | jq -e 'has("time") and has("cpu") and has("comm") and has("pid") and has("message")' |
		grep -vc true)"

# --grep for text nobody prints: nothing comes, exit 1 after the timeout, and the message names our hello as a
# program that could have printed (found from its instructions).
start=$(mono_s)
err=$($XDPKIT trace --grep "xk-nothing-$$" --timeout 2 2>&1 >/dev/null)
rc=$?
check_eq "trace --grep nothing: exit 1" 1 "$rc"
check_ge "trace --grep nothing: waited the timeout" 2 $(($(mono_s) - start))
check_match "trace --grep nothing: says no output came" "no bpf_printk output matching --grep in 2 s" "$err"
check_match "trace --grep nothing: names hello (id $prog_id) as a printer" "hello \\(id $prog_id\\)" "$err"

# --grep keeps only matching messages.
out=$($XDPKIT trace --grep "Hello World" --count 2 --timeout 10)
check_eq "trace --grep 'Hello World' --count 2: 2 matching lines" 2 "$(printf '%s\n' "$out" | grep -c 'Hello World')"

# --raw: the kernel's own line format.
out=$($XDPKIT trace --raw --count 1 --timeout 10)
check_match "trace --raw keeps the kernel format" '\[[0-9]+\].*bpf_trace_printk: Hello World' "$out"

# Its own trace instance exists while it runs and is gone after Ctrl-C (SIGINT), which exits 0.
$XDPKIT trace >/dev/null 2>&1 &
tpid=$!
# (Up to 20 s: starting takes seconds in the VM guest. The SIGINT must not come before trace handles it:
# a background job starts with SIGINT ignored, and trace sets its handler before making the instance.)
for ((i = 0; i < 100; i++)); do
	[ -d "$TR/instances/xdpkit-trace-$tpid" ] && break
	sleep 0.2
done
check "trace uses an instance of its own while running" test -d "$TR/instances/xdpkit-trace-$tpid"
kill -INT $tpid
wait $tpid
check_eq "trace stopped by SIGINT: exit 0" 0 "$?"
check_fails "trace removed its instance on exit" test -e "$TR/instances/xdpkit-trace-$tpid"

xk_done
