# SPDX-License-Identifier: GPL-2.0-only
# Item j, sourced by run.sh: what xdpkit dump's capture hook costs blocklist. Off: build/blocklist.bpf.o against
# the same source built without the hook (build/bench/blocklist_nocapture.bpf.o, -DXK_NO_CAPTURE), invocations
# alternating, ns above the floor (the empty XDP_PASS program bench loads). On: blocklist attached on a veth
# (xdpkit, so it is the object as an operator runs it), measured by id with no dump and with `xdpkit dump ID -s 128
# -w /dev/null` running, alternating; the dump's own count of captured and lost records is kept beside.

J_FRAMES=ipv4-udp,match,ipv4-icmp-1400
# Frames per BPF_PROG_TEST_RUN call in the on/idle pairs: 3 frames x RUNS x J_REPEAT records must fit the dump's
# buffer (about 150 bytes each).
J_REPEAT=20000

# j_dump_start NS ID ERRFILE: xdpkit dump of program ID at snaplen 128 into /dev/null, with 64 MiB of buffer per
# CPU: room for every record of one bench invocation (repeat J_REPEAT), so what is measured is the send, not a
# full buffer refusing it; J_DUMP_PID. Returns when it captures.
j_dump_start()
{
	local i
	# Started directly (not through a function, whose subshell would get the signal): kill reaches it.
	"$XDPKIT" -n "$1" --pin-root /sys/fs/bpf dump "$2" -s 128 -B 65536 -w /dev/null 2>"$3" &
	J_DUMP_PID=$!
	cleanup_add kill -9 $J_DUMP_PID
	for i in $(seq 100); do
		grep -q capturing "$3" 2>/dev/null && return 0
		kill -0 $J_DUMP_PID 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

item_j()
{
	local obj=$ROOT/build/blocklist.bpf.o noc=$OUT/blocklist_nocapture.bpf.o ns=${NS_PREFIX}j id p pairs
	local captured=0 lost=0 c l

	[ -e "$noc" ] || { warn "j: $noc is missing; run 'make bench'"; return 1; }
	# The switch costs about a nanosecond, less than this shared machine's drift between invocations:
	# more pairs than other items.
	pairs=$([ "$QUICK" = 1 ] && echo 1 || echo 6)
	rm -f "$PARTS"/j_*.json
	clear_pins
	make_pins "$obj" && bpftool map update pinned /sys/fs/bpf/blocklist_v4 key 192 0 2 1 value 0 0 0 0 0 0 0 0 ||
		{ warn "j: cannot write blocklist's rule"; return 1; }
	progress "j: blocklist with and without the capture hook, switched off ($J_FRAMES, $pairs pairs)"
	for ((p = 1; p <= pairs; p++)); do
		bench_json "$PARTS/j_off_hook_$p.json" "$obj" --frame "$J_FRAMES" --repeat "$REPEAT" --runs "$RUNS" ||
			return 1
		bench_json "$PARTS/j_off_nohook_$p.json" "$noc" --frame "$J_FRAMES" --repeat "$REPEAT" --runs "$RUNS" ||
			return 1
	done
	progress "j: blocklist attached, without and with a dump at snaplen 128 ($pairs pairs)"
	veth_ns "$ns" || return 1
	in_ns "$ns" "$XDPKIT" --pin-root /sys/fs/bpf attach veth0 blocklist >/dev/null || return 1
	id=$(in_ns "$ns" ip -j link show dev veth0 | jq '.[0].xdp.prog.id // empty')
	[ -n "$id" ] || { warn "j: blocklist is not on veth0"; return 1; }
	for ((p = 1; p <= pairs; p++)); do
		bench_json "$PARTS/j_idle_$p.json" --id "$id" --frame "$J_FRAMES" --repeat "$J_REPEAT" --runs "$RUNS" ||
			return 1
		j_dump_start "$ns" "$id" "$PARTS/j_dump_$p.err" || { warn "j: the dump did not start"; return 1; }
		bench_json "$PARTS/j_on_$p.json" --id "$id" --frame "$J_FRAMES" --repeat "$J_REPEAT" --runs "$RUNS"
		kill -TERM $J_DUMP_PID
		wait $J_DUMP_PID
		c=$(sed -n 's/^\([0-9]*\) packets\{0,1\} captured.*/\1/p' "$PARTS/j_dump_$p.err")
		l=$(sed -n 's/.*, \([0-9]*\) lost.*/\1/p' "$PARTS/j_dump_$p.err")
		captured=$((captured + ${c:-0}))
		lost=$((lost + ${l:-0}))
		[ -s "$PARTS/j_on_$p.json" ] || return 1
	done
	in_ns "$ns" "$XDPKIT" --pin-root /sys/fs/bpf detach veth0 --all >/dev/null
	for p in off_hook off_nohook idle on; do
		pool "$PARTS/j_$p.json" "$PARTS"/j_${p}_[0-9]*.json
	done
	jq -n --slurpfile h "$PARTS/j_off_hook.json" --slurpfile n "$PARTS/j_off_nohook.json" \
		--slurpfile i "$PARTS/j_idle.json" --slurpfile o "$PARTS/j_on.json" \
		--argjson captured "$captured" --argjson lost "$lost" '
		def f($x; $fr): [$x[0].frames[] | select(.frame == $fr)][0];
		{program: "blocklist", baseline: "blocklist_nocapture (-DXK_NO_CAPTURE, same source)", snaplen: 128,
		 repeat: $h[0].repeat, on_repeat: $o[0].repeat, runs: $h[0].runs, invocations: $h[0].invocations,
		 dump_captured: $captured, dump_lost: $lost,
		 frames: [$h[0].frames[] | .frame as $fr
			| {frame: $fr, verdict: .verdict,
			   hook_off_above_floor_ns: .above_floor_ns.median,
			   nohook_above_floor_ns: f($n; $fr).above_floor_ns.median,
			   off_cost_ns: (.above_floor_ns.median - f($n; $fr).above_floor_ns.median),
			   attached_idle_above_floor_ns: f($i; $fr).above_floor_ns.median,
			   capturing_above_floor_ns: f($o; $fr).above_floor_ns.median,
			   on_cost_ns: (f($o; $fr).above_floor_ns.median - f($i; $fr).above_floor_ns.median)}]}' >"$PARTS/j.json"
}
