# SPDX-License-Identifier: GPL-2.0-only
# Item g, sourced by run.sh: what pong's checksum verification costs. build/pong.bpf.o against the same source
# built without it (build/bench/pong_noverify.bpf.o, -DPONG_NO_VERIFY), on ICMP and ICMPv6 echo requests of 64 and
# 1400 bytes; invocations alternate so a slow spell of this shared machine hits both. ns above the floor.

G_FRAMES=ipv4-icmp,ipv4-icmp-1400,ipv6-icmp,ipv6-icmp-1400

item_g()
{
	local obj=$ROOT/build/pong.bpf.o nov=$OUT/pong_noverify.bpf.o p pairs

	[ -e "$nov" ] || { warn "g: $nov is missing; run 'make bench'"; return 1; }
	pairs=$([ "$QUICK" = 1 ] && echo 1 || echo 3)
	progress "g: pong with and without checksum verification ($G_FRAMES, $pairs pairs)"
	rm -f "$PARTS"/g_*.json
	for ((p = 1; p <= pairs; p++)); do
		bench_json "$PARTS/g_verify_$p.json" "$obj" --frame "$G_FRAMES" --repeat "$REPEAT" \
			--runs "$RUNS" || return 1
		bench_json "$PARTS/g_noverify_$p.json" "$nov" --frame "$G_FRAMES" --repeat "$REPEAT" \
			--runs "$RUNS" || return 1
	done
	pool "$PARTS/g_verify.json" "$PARTS"/g_verify_[0-9]*.json
	pool "$PARTS/g_noverify.json" "$PARTS"/g_noverify_[0-9]*.json
	# Both must answer every frame: otherwise one of them measured something else.
	jq -e -s '[.[].frames[].verdict] | all(. == "XDP_TX")' "$PARTS/g_verify.json" "$PARTS/g_noverify.json" \
		>/dev/null || { warn "g: pong did not answer every frame (see $PARTS/g_*.json)"; return 1; }
	jq -n --slurpfile v "$PARTS/g_verify.json" --slurpfile n "$PARTS/g_noverify.json" '
		{program: "pong", baseline: "pong_noverify (-DPONG_NO_VERIFY, same source)",
		 repeat: $v[0].repeat, runs: $v[0].runs, invocations: $v[0].invocations,
		 frames: [$v[0].frames[] | .frame as $f | ($n[0].frames[] | select(.frame == $f)) as $b
			| {frame: $f, frame_bytes: (if ($f | endswith("-1400")) then 1400 else 64 end),
			   verify_above_floor_ns: .above_floor_ns, noverify_above_floor_ns: $b.above_floor_ns,
			   verify_cost_ns: (.above_floor_ns.median - $b.above_floor_ns.median)}]}' >"$PARTS/g.json"
}
