# Item e, sourced by run.sh: native XDP on a veth between two namespaces. trafgen sends 64-byte UDP frames from
# 192.0.2.1 as fast as it can for RATE_SECS; the receiving veth1 runs either a bare XDP_DROP (build/bench/drop.bpf.o)
# or blocklist with one rule for 192.0.2.1, alternating, RATE_ROUNDS rounds each. Frames the XDP program saw are
# veth1's rx packets (veth counts them before XDP); blocklist's rule hit counter must agree (within the few
# frames the kernel itself sends on a new link).

e_rx() { in_ns "$1" ip -s -j link show dev veth1 | jq '.[0].stats64.rx.packets'; }

# e_round NS_TX NS_RX: packets per second received (and dropped by XDP) during one trafgen burst.
e_round()
{
	local tx=$1 rx=$2 a b t0 t1
	a=$(e_rx "$rx")
	t0=$(date +%s%N)
	in_ns "$tx" timeout -s INT "$RATE_SECS" trafgen --dev veth0 --conf "$OUT/e_frame.cfg" --cpus 1 \
		--no-sock-mem --notouch-irq -C >/dev/null 2>&1
	t1=$(date +%s%N)
	b=$(e_rx "$rx")
	echo $(((b - a) * 1000000000 / (t1 - t0)))
}

e_attach()
{
	in_ns "$1" ip link set dev veth1 xdp off 2>/dev/null
	in_ns "$1" ip link set dev veth1 xdpdrv obj "$2" sec xdp
}

item_e()
{
	local tx=${NS_PREFIX}etx rx=${NS_PREFIX}erx r drop bl drops=() bls=() hits0 hits1 sent=0 before after

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
		progress "e: round $r/$RATE_ROUNDS: ${RATE_SECS}s of trafgen into bare XDP_DROP, then into blocklist"
		e_attach "$rx" "$OUT/drop.bpf.o" || { warn "e: cannot attach the bare drop"; return 1; }
		drops+=("$(e_round "$tx" "$rx")")
		e_attach "$rx" "$ROOT/build/blocklist.bpf.o" || return 1
		hits0=$(rule_hits 192 0 2 1)
		before=$(e_rx "$rx")
		bls+=("$(e_round "$tx" "$rx")")
		after=$(e_rx "$rx")
		hits1=$(rule_hits 192 0 2 1)
		# The kernel's own IPv6 neighbour and router messages on the link add a frame now and then.
		[ $((after - before - hits1 + hits0)) -le 10 ] && [ $((after - before - hits1 + hits0)) -ge 0 ] ||
			warn "e: blocklist's hit counter rose by $((hits1 - hits0)), veth1 saw $((after - before)) frames"
		sent=$((sent + hits1 - hits0))
	done
	in_ns "$rx" ip link set dev veth1 xdp off
	jq -n --argjson d "$(printf '%s\n' "${drops[@]}" | jq -s .)" --argjson b "$(printf '%s\n' "${bls[@]}" | jq -s .)" \
		--argjson secs "$RATE_SECS" --argjson hits "$sent" '
		def med: sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
		{seconds_per_round: $secs, sender: "trafgen, 1 CPU, 64-byte UDP", mode: "native XDP on veth",
		 bare_drop_pps: {median: ($d | med), min: ($d | min), max: ($d | max), runs: $d},
		 blocklist_pps: {median: ($b | med), min: ($b | min), max: ($b | max), runs: $b},
		 blocklist_rule_hits: $hits,
		 ratio: ((($b | med) / ($d | med) * 1000 | round) / 1000),
		 extra_ns_per_packet: ((1e9 / ($b | med) - 1e9 / ($d | med)) * 10 | round / 10)}' >"$PARTS/e.json"
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
