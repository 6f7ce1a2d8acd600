# SPDX-License-Identifier: GPL-2.0-only
# Item e, sourced by run.sh: native XDP on a veth between two namespaces. trafgen sends 64-byte UDP frames from
# 192.0.2.1 as fast as it can, in one run for the whole item; the receiving veth1 runs either a bare XDP_DROP
# (build/bench/drop.bpf.o) or blocklist with one rule for 192.0.2.1 (the object as a plain load makes it). Both
# are loaded once; veth1 is switched from one to the other (one netlink message: bpftool net attach ...
# overwrite), RATE_ROUNDS pairs of windows of RATE_SECS each, the first of a pair alternating. Each window is the
# steady rate after a switch (the rx counter read twice, a settling pause after the switch); each pair gives one
# ratio, blocklist's rate over the bare drop's a moment apart, and the median of those is the figure, with its
# spread, so a slow spell of this shared machine shows instead of deciding. Frames the XDP program saw are
# veth1's rx packets (veth counts them before XDP); blocklist's rule hit counter must have counted at least the
# frames of its windows. The physical floor of a filter that looks the source up: the bare one-lookup program of
# build/bench/bare.bpf.o (bare_hash, blocklist_v4 itself) in a third window of each round. Last, one more
# blocklist window read by `xdpkit stats`: the kernel's run time of the program per packet, the live cost an
# operator sees.

E_SETTLE=0.2

# veth1's received packets, from /proc/PID/net/dev of a process living in the receiving namespace: no fork.
e_rx() { awk '$1 == "veth1:" { print $3 }' "/proc/$E_HOLDER/net/dev"; }

# e_window PIN: switch veth1 to the program pinned at PIN, let it settle, then packets per second over RATE_SECS.
e_window()
{
	local a b t0 t1
	in_ns "$E_RX" bpftool net attach xdpdrv pinned "$1" dev veth1 overwrite || return 1
	sleep "$E_SETTLE"
	a=$(e_rx)
	t0=$(date +%s%N)
	sleep "$RATE_SECS"
	b=$(e_rx)
	t1=$(date +%s%N)
	echo $(((b - a) * 1000000000 / (t1 - t0))) $((b - a))
}

# blocklist's hit counter for one IPv4 rule (one u64 shared by all CPUs): the raw little-endian value bytes,
# which bpftool prints whether or not the map has BTF.
rule_hits()
{
	bpftool -j map lookup pinned /sys/fs/bpf/blocklist_v4 key "$@" | jq '
		def byte: ascii_downcase | ltrimstr("0x") | explode | map(if . >= 97 then . - 87 else . - 48 end)
			| .[0] * 16 + .[1];
		.value | reverse | reduce (.[] | byte) as $b (0; . * 256 + $b)'
}

item_e()
{
	local tx=${NS_PREFIX}etx r w side drops=() bls=() bares=() seen=0 hits0 hits1 gen total order c0
	E_RX=${NS_PREFIX}erx

	veth_ns "$tx" "$E_RX" || return 1
	# The `match` frame of xdpkit bench: IPv4 UDP 192.0.2.1:40000 -> 203.0.113.1:9, 64 bytes.
	cat >"$OUT/e_frame.cfg" <<'CFG'
{ 0x02, 0, 0, 0, 0, 0x02,  0x02, 0, 0, 0, 0, 0x01,  c16(0x0800),
  0x45, 0, c16(50), c16(1), c16(0), 64, 17, csumip(14, 33),
  192, 0, 2, 1,  203, 0, 113, 1,
  c16(40000), c16(9), c16(30), c16(0),
  fill(0, 22) }
CFG
	bpftool prog load "$OUT/drop.bpf.o" /sys/fs/bpf/xkb-e-drop type xdp || return 1
	# blocklist's maps pinned by name where bpftool puts them (/sys/fs/bpf/<map>).
	bpftool prog loadall "$ROOT/build/blocklist.bpf.o" /sys/fs/bpf/xkb-e-bl >/dev/null 2>&1 || return 1
	bpftool prog loadall "$OUT/bare.bpf.o" /sys/fs/bpf/xkb-e-bare >/dev/null 2>&1 || return 1
	cleanup_add rm -rf /sys/fs/bpf/xkb-e-drop /sys/fs/bpf/xkb-e-bl /sys/fs/bpf/xkb-e-bare
	bpftool map update pinned /sys/fs/bpf/blocklist_v4 key 192 0 2 1 value 0 0 0 0 0 0 0 0 || return 1
	nsenter --net="/run/netns/$E_RX" sleep 100000 &
	E_HOLDER=$!
	cleanup_add kill $E_HOLDER
	in_ns "$E_RX" bpftool net attach xdpdrv pinned /sys/fs/bpf/xkb-e-drop dev veth1 || return 1
	cleanup_add in_ns "$E_RX" ip link set dev veth1 xdp off
	total=$(awk -v n="$RATE_ROUNDS" -v s="$RATE_SECS" -v w="$E_SETTLE" 'BEGIN { print (3 * n + 1) * (s + w + 0.3) + 3 }')
	# trafgen, checked to be sending before any window counts (started again once if not).
	for r in 1 2; do
		in_ns "$tx" timeout -s INT "$total" trafgen --dev veth0 --conf "$OUT/e_frame.cfg" --cpus 1 \
			--no-sock-mem --notouch-irq -C >/dev/null 2>"$PARTS/e_trafgen.err" &
		gen=$!
		sleep 1
		c0=$(e_rx)
		sleep 0.3
		[ "$(e_rx)" -gt "$c0" ] && break
		warn "e: trafgen sends nothing (try $r): $(head -c 300 "$PARTS/e_trafgen.err")"
		kill -INT $gen 2>/dev/null
		wait $gen
		[ $r = 2 ] && return 1
	done
	hits0=$(rule_hits 192 0 2 1)
	for ((r = 1; r <= RATE_ROUNDS; r++)); do
		progress "e: round $r/$RATE_ROUNDS: ${RATE_SECS}s windows of bare XDP_DROP, blocklist and the bare lookup"
		case $((r % 3)) in
		1) order="drop bl bare" ;;
		2) order="bl bare drop" ;;
		0) order="bare drop bl" ;;
		esac
		for side in $order; do
			case $side in
			drop) w=$(e_window /sys/fs/bpf/xkb-e-drop) ;;
			bl) w=$(e_window /sys/fs/bpf/xkb-e-bl/blocklist) ;;
			bare) w=$(e_window /sys/fs/bpf/xkb-e-bare/bare_hash) ;;
			esac || { warn "e: cannot switch veth1 to $side"; kill $gen; return 1; }
			case $side in
			drop) drops+=("${w% *}") ;;
			bl) bls+=("${w% *}"); seen=$((seen + ${w#* })) ;;
			bare) bares+=("${w% *}") ;;
			esac
		done
	done
	hits1=$(rule_hits 192 0 2 1)
	[ $((hits1 - hits0)) -ge "$seen" ] ||
		warn "e: blocklist's hit counter rose by $((hits1 - hits0)), fewer than the $seen frames of its windows"
	progress "e: one more blocklist window, read by xdpkit stats (the kernel's run time per packet)"
	in_ns "$E_RX" bpftool net attach xdpdrv pinned /sys/fs/bpf/xkb-e-bl/blocklist dev veth1 overwrite
	sleep "$E_SETTLE"
	in_ns "$E_RX" "$XDPKIT" --json stats veth1 --interval "$RATE_SECS" >"$PARTS/e_stats.json" 2>"$PARTS/e_stats.err" ||
		warn "e: xdpkit stats failed: $(head -c 300 "$PARTS/e_stats.err")"
	kill -INT $gen 2>/dev/null
	wait $gen
	in_ns "$E_RX" ip link set dev veth1 xdp off
	jq -n --argjson d "$(printf '%s\n' "${drops[@]}" | jq -s .)" --argjson b "$(printf '%s\n' "${bls[@]}" | jq -s .)" \
		--argjson h "$(printf '%s\n' "${bares[@]}" | jq -s .)" \
		--argjson secs "$RATE_SECS" --argjson hits "$((hits1 - hits0))" --argjson seen "$seen" \
		--argjson rt "$(jq -c '[.programs[] | select(.name == "blocklist")][0].run_time // null' "$PARTS/e_stats.json" \
			2>/dev/null || echo null)" '
		def med: sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
		def q($p): sort | .[((length - 1) * $p) | round];
		def r3: . * 1000 | round / 1000;
		def spread($x): {median: ($x | med | r3), min: ($x | min | r3), max: ($x | max | r3), p25: ($x | q(0.25) | r3),
			p75: ($x | q(0.75) | r3), runs: ($x | map(r3))};
		[range(0; [$d, $b] | map(length) | min) | $b[.] / $d[.]] as $ratios
		| [range(0; [$d, $h] | map(length) | min) | $h[.] / $d[.]] as $hr
		| [range(0; [$h, $b] | map(length) | min) | $b[.] / $h[.]] as $bh
		| {seconds_per_window: $secs, sender: "trafgen, 1 CPU, 64-byte UDP, one run", mode: "native XDP on veth",
		 switch: "bpftool net attach xdpdrv ... overwrite, then a \('"$E_SETTLE"') s pause",
		 pairs: ($ratios | length),
		 bare_drop_pps: {median: ($d | med), min: ($d | min), max: ($d | max), runs: $d},
		 blocklist_pps: {median: ($b | med), min: ($b | min), max: ($b | max), runs: $b},
		 blocklist_rule_hits: $hits, blocklist_window_frames: $seen,
		 bare_lookup_pps: {median: ($h | med), min: ($h | min), max: ($h | max), runs: $h},
		 pair_ratios: spread($ratios),
		 bare_lookup_vs_drop: spread($hr),
		 blocklist_vs_bare_lookup: spread($bh),
		 ratio: ($ratios | med | r3),
		 extra_ns_per_packet: ((1e9 / ($b | med) - 1e9 / ($d | med)) * 10 | round / 10),
		 stats_run_time: $rt}' >"$PARTS/e.json"
}
