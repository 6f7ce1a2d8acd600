# Item e, sourced by run.sh: native XDP on a veth between two namespaces. trafgen sends 64-byte UDP frames from
# 192.0.2.1 as fast as it can for RATE_SECS; the receiving veth1 runs either a bare XDP_DROP (build/bench/drop.bpf.o)
# or blocklist with one rule for 192.0.2.1, RATE_ROUNDS pairs of rounds, the first of a pair alternating. Each pair
# gives one ratio (blocklist's rate over the bare drop's, a moment apart): the median of those is the figure, their
# spread is reported, so a slow spell of this shared machine shows instead of deciding. Frames the XDP program saw
# are veth1's rx packets (veth counts them before XDP); blocklist's rule hit counter must agree (within the few
# frames the kernel itself sends on a new link). Last, one more blocklist round with `xdpkit stats` reading the
# kernel's run time of the program (the live cost per packet an operator sees).

e_rx() { in_ns "$1" ip -s -j link show dev veth1 | jq '.[0].stats64.rx.packets'; }

# e_round NS_TX NS_RX: packets per second received (and dropped by XDP) in the steady part of one trafgen burst:
# the rx counter read twice while trafgen runs, RATE_SECS apart, so its start and end are not in the figure.
e_round()
{
	local tx=$1 rx=$2 a b t0 t1 gen
	in_ns "$tx" timeout -s INT "$(awk -v s="$RATE_SECS" 'BEGIN { print s + 0.6 }')" trafgen --dev veth0 --conf "$OUT/e_frame.cfg" \
		--cpus 1 --no-sock-mem --notouch-irq -C >/dev/null 2>&1 &
	gen=$!
	sleep 0.3
	a=$(e_rx "$rx")
	t0=$(date +%s%N)
	sleep "$RATE_SECS"
	b=$(e_rx "$rx")
	t1=$(date +%s%N)
	wait $gen
	echo $(((b - a) * 1000000000 / (t1 - t0)))
}

e_drop_round()
{
	e_attach "$2" "$OUT/drop.bpf.o" || { warn "e: cannot attach the bare drop"; return 1; }
	drops+=("$(e_round "$1" "$2")")
}

e_blocklist_round()
{
	local hits0 hits1 before after
	e_attach "$2" "$ROOT/build/blocklist.bpf.o" || { warn "e: cannot attach blocklist"; return 1; }
	hits0=$(rule_hits 192 0 2 1)
	before=$(e_rx "$2")
	bls+=("$(e_round "$1" "$2")")
	after=$(e_rx "$2")
	hits1=$(rule_hits 192 0 2 1)
	# The kernel's own IPv6 neighbour and router messages on the link add a frame now and then.
	[ $((after - before - hits1 + hits0)) -le 10 ] && [ $((after - before - hits1 + hits0)) -ge 0 ] ||
		warn "e: blocklist's hit counter rose by $((hits1 - hits0)), veth1 saw $((after - before)) frames"
	sent=$((sent + hits1 - hits0))
}

e_attach()
{
	in_ns "$1" ip link set dev veth1 xdp off 2>/dev/null
	in_ns "$1" ip link set dev veth1 xdpdrv obj "$2" sec xdp
}

item_e()
{
	local tx=${NS_PREFIX}etx rx=${NS_PREFIX}erx r drops=() bls=() sent=0

	veth_ns "$tx" "$rx" || return 1
	# The `match` frame of xdpkit bench: IPv4 UDP 192.0.2.1:40000 -> 203.0.113.1:9, 64 bytes.
	cat >"$OUT/e_frame.cfg" <<'CFG'
{ 0x02, 0, 0, 0, 0, 0x02,  0x02, 0, 0, 0, 0, 0x01,  c16(0x0800),
  0x45, 0, c16(50), c16(1), c16(0), 64, 17, csumip(14, 33),
  192, 0, 2, 1,  203, 0, 113, 1,
  c16(40000), c16(9), c16(30), c16(0),
  fill(0, 22) }
CFG
	# ip puts pinned maps in tc/globals; write the rule there once, it survives the re-attaches.
	e_attach "$rx" "$ROOT/build/blocklist.bpf.o" || { warn "e: cannot attach blocklist natively on veth"; return 1; }
	bpftool map update pinned /sys/fs/bpf/tc/globals/blocklist_v4 key 192 0 2 1 value 0 0 0 0 0 0 0 0 || return 1
	for ((r = 1; r <= RATE_ROUNDS; r++)); do
		progress "e: pair $r/$RATE_ROUNDS: ${RATE_SECS}s of trafgen into bare XDP_DROP and into blocklist"
		if ((r % 2)); then
			e_drop_round "$tx" "$rx" || return 1
			e_blocklist_round "$tx" "$rx" || return 1
		else
			e_blocklist_round "$tx" "$rx" || return 1
			e_drop_round "$tx" "$rx" || return 1
		fi
	done
	progress "e: one more blocklist round, read by xdpkit stats (the kernel's run time per packet)"
	e_attach "$rx" "$ROOT/build/blocklist.bpf.o" || return 1
	in_ns "$rx" "$XDPKIT" --json stats veth1 --interval "$RATE_SECS" >"$PARTS/e_stats.json" 2>"$PARTS/e_stats.err" &
	local st=$!
	sleep 0.2
	e_round "$tx" "$rx" >/dev/null
	wait $st || warn "e: xdpkit stats failed: $(head -c 300 "$PARTS/e_stats.err")"
	in_ns "$rx" ip link set dev veth1 xdp off
	jq -n --argjson d "$(printf '%s\n' "${drops[@]}" | jq -s .)" --argjson b "$(printf '%s\n' "${bls[@]}" | jq -s .)" \
		--argjson secs "$RATE_SECS" --argjson hits "$sent" \
		--argjson rt "$(jq -c '[.programs[] | select(.name == "blocklist")][0].run_time // null' "$PARTS/e_stats.json" \
			2>/dev/null || echo null)" '
		def med: sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
		def q($p): sort | .[((length - 1) * $p) | round];
		def r3: . * 1000 | round / 1000;
		[range(0; [$d, $b] | map(length) | min) | $b[.] / $d[.]] as $ratios
		| {seconds_per_round: $secs, sender: "trafgen, 1 CPU, 64-byte UDP", mode: "native XDP on veth",
		 pairs: ($ratios | length),
		 bare_drop_pps: {median: ($d | med), min: ($d | min), max: ($d | max), runs: $d},
		 blocklist_pps: {median: ($b | med), min: ($b | min), max: ($b | max), runs: $b},
		 blocklist_rule_hits: $hits,
		 pair_ratios: {median: ($ratios | med | r3), min: ($ratios | min | r3), max: ($ratios | max | r3),
			p25: ($ratios | q(0.25) | r3), p75: ($ratios | q(0.75) | r3), runs: ($ratios | map(r3))},
		 ratio: ($ratios | med | r3),
		 extra_ns_per_packet: ((1e9 / ($b | med) - 1e9 / ($d | med)) * 10 | round / 10),
		 stats_run_time: $rt}' >"$PARTS/e.json"
}

# blocklist's hit counter for one IPv4 rule (one u64 shared by all CPUs), read from the pin ip made: the raw
# little-endian value bytes, which bpftool prints whether or not the map has BTF.
rule_hits()
{
	bpftool -j map lookup pinned /sys/fs/bpf/tc/globals/blocklist_v4 key "$@" | jq '
		def byte: ascii_downcase | ltrimstr("0x") | explode | map(if . >= 97 then . - 87 else . - 48 end)
			| .[0] * 16 + .[1];
		.value | reverse | reduce (.[] | byte) as $b (0; . * 256 + $b)'
}
