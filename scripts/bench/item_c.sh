# SPDX-License-Identifier: GPL-2.0-only
# Item c, sourced by run.sh: blocklist at scale, with blocklist_v4 made at the capacity a million rules need
# (CAPACITY entries: what `xdpkit attach --capacity blocklist_v4=1048576` makes; bench takes the pin as it is).
# Exact IPv4 rules 10.0.0.0 upwards (10 ... 1M) next to 100k /24 prefixes from 11.0.0.0 in the LPM trie; sources
# rotated packet by packet over up to 65,536 rules spread across the whole set (xdpkit bench --src-count/--src-step),
# one hot source for comparison, and the miss path (10.128.0.0 upwards: no exact rule, no prefix, so both the hash
# and the trie are searched; then once more with an empty trie, for the hash alone: blocklist skips a trie that
# holds no prefix). The physical floor of the rotated hit: a bare program doing that one lookup in the same map
# (build/bench/bare.bpf.o, bare_hash), measured in turns with blocklist, PAIRS times each.

ip_add()
{
	local a b c d v
	IFS=. read -r a b c d <<<"$1"
	v=$(((a << 24 | b << 16 | c << 8 | d) + $2))
	echo "$((v >> 24 & 255)).$((v >> 16 & 255)).$((v >> 8 & 255)).$((v & 255))"
}

# c_case NAME N ARGS...: one bench invocation on ipv4-udp; prints {NAME: {verdict, above_floor_ns, floor_ns}}.
c_case()
{
	local name=$1 n=$2
	shift 2
	bench_json "$PARTS/c_${n}_$name.json" blocklist --frame ipv4-udp --repeat "$REPEAT" --runs "$RUNS" "$@" ||
		{ echo "{\"$name\": null}"; return; }
	c_pick "$name" "$PARTS/c_${n}_$name.json"
}
c_pick()
{
	jq --arg k "$1" '{($k): (.frames[0] | {verdict, above_floor_ns, floor_ns: .floor_ns.median})}
		+ {("\($k)_sources"): .src_count}' "$2"
}

# c_hit_pairs N CNT STEP: the rotated hit of blocklist and of bare_hash, in turns, PAIRS times each; prints
# {hit_varied, bare_hit_varied, hit_varied_vs_bare}.
c_hit_pairs()
{
	local n=$1 cnt=$2 step=$3 p rot=(--frame ipv4-udp --src 10.0.0.0 --src-count "$2" --src-step "$3"
		--repeat "$REPEAT" --runs "$RUNS")
	rm -f "$PARTS"/c_"${n}"_pair_*
	for ((p = 1; p <= PAIRS; p++)); do
		if ((p % 2)); then
			bench_json "$PARTS/c_${n}_pair_bl_$p.json" blocklist "${rot[@]}"
			bench_json "$PARTS/c_${n}_pair_bare_$p.json" "$OUT/bare.bpf.o" --prog bare_hash "${rot[@]}"
		else
			bench_json "$PARTS/c_${n}_pair_bare_$p.json" "$OUT/bare.bpf.o" --prog bare_hash "${rot[@]}"
			bench_json "$PARTS/c_${n}_pair_bl_$p.json" blocklist "${rot[@]}"
		fi
	done
	# shellcheck disable=SC2046
	pool "$PARTS/c_${n}_hit_varied.json" $(ls "$PARTS"/c_"${n}"_pair_bl_*.json) || { echo '{"hit_varied": null}'; return; }
	# shellcheck disable=SC2046
	pool "$PARTS/c_${n}_bare_hit_varied.json" $(ls "$PARTS"/c_"${n}"_pair_bare_*.json) ||
		{ c_pick hit_varied "$PARTS/c_${n}_hit_varied.json"; return; }
	jq -s '.[0] + .[1] | .hit_varied_vs_bare = (if (.bare_hit_varied.above_floor_ns.median // 0) > 0
		then ((.hit_varied.above_floor_ns.median / .bare_hit_varied.above_floor_ns.median) * 100 | round) / 100
		else null end)' <(c_pick hit_varied "$PARTS/c_${n}_hit_varied.json") \
		<(c_pick bare_hit_varied "$PARTS/c_${n}_bare_hit_varied.json")
}

# The same exact rules without the prefixes: a second pin root holding only blocklist_v4 (the same map,
# pinned twice), so bench creates an empty trie of its own there.
EXACT_ONLY=/sys/fs/bpf/xkb-exact-only
c_exact_only_root()
{
	mkdir -p "$EXACT_ONLY" && rm -f "$EXACT_ONLY/blocklist_v4" &&
		bpftool map pin pinned /sys/fs/bpf/blocklist_v4 "$EXACT_ONLY/blocklist_v4"
}

item_c()
{
	local n have=0 t fill_ms cnt step ccnt cstep rows=() row

	capacity_pins "$CAPACITY" || { warn "c: xdpkit attach --capacity blocklist_v4=$CAPACITY failed"; return 1; }
	progress "c: blocklist_v4 made with $CAPACITY entries; $CIDRS /24 prefixes into blocklist_cidr4"
	"$FILL" /sys/fs/bpf/blocklist_cidr4 lpm4 11.0.0.0 "$CIDRS" 24 || { warn "c: cannot fill the trie"; return 1; }
	c_exact_only_root || { warn "c: cannot pin blocklist_v4 in $EXACT_ONLY"; return 1; }
	ccnt=$((CIDRS < 65536 ? CIDRS : 65536))
	cstep=$((256 * (CIDRS / ccnt)))

	for n in $SCALES; do
		progress "c: $n exact rules (adding $((n - have)))"
		t=$(date +%s%N)
		if ! "$FILL" /sys/fs/bpf/blocklist_v4 hash4 "$(ip_add 10.0.0.0 $have)" $((n - have)); then
			warn "c: cannot fill $n exact rules; stopping the scale series here"
			break
		fi
		fill_ms=$((($(date +%s%N) - t) / 1000000))
		have=$n
		cnt=$((n < 65536 ? n : 65536))
		step=$((n / cnt))
		progress "c: $n exact rules: hit over $cnt sources (blocklist and the bare lookup, $PAIRS pairs), one hot source, miss, prefix hit"
		row=$(
			{
				c_hit_pairs "$n" "$cnt" "$step"
				c_case hit_hot "$n" --src 10.0.0.0
				c_case miss_varied "$n" --src 10.128.0.0 --src-count 65536
				c_case cidr_hit_varied "$n" --src 11.0.0.1 --src-count "$ccnt" --src-step "$cstep"
				# The same miss with an empty trie: what the hash alone costs.
				c_case miss_exact_only "$n" --src 10.128.0.0 --src-count 65536 \
					--pin-root "$EXACT_ONLY"
			} | jq -s --argjson n "$n" --argjson fill "$fill_ms" --argjson c "$CIDRS" --argjson cap "$CAPACITY" \
				'add + {exact_rules: $n, capacity: $cap, prefixes: $c, added_in_ms: $fill}'
		)
		rows+=("$row")
	done
	printf '%s\n' "${rows[@]}" | jq -s '
		def r($k): if (.[0][$k].above_floor_ns.median // 0) > 0 and (.[-1][$k] != null)
			then ((.[-1][$k].above_floor_ns.median / .[0][$k].above_floor_ns.median) * 100 | round) / 100
			else null end;
		{rows: ., largest_vs_smallest: {exact_rules: [.[0].exact_rules, .[-1].exact_rules],
			hit_varied: r("hit_varied"), hit_hot: r("hit_hot"), miss_varied: r("miss_varied")}}' >"$PARTS/c.json"
}
