# SPDX-License-Identifier: GPL-2.0-only
# Item b, sourced by run.sh: blocklist (the object's own map sizes, as a plain load gets them) against xdp-filter
# (xdp-tools) holding the same IPv4 source rules, on the same `match` (source 192.0.2.1, a rule) and `miss`
# (192.0.2.2) frames, each against the floor of its own invocation; then the everyday case: a miss from 65,536
# rotated sources (the targets), and a hit rotated over the rules. The two programs take turns, pair by pair, the
# first of a pair alternating, so a slow spell of this shared machine hits both.

ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

# b_measure TAG N TARGET...: the hot match and miss frames in one invocation, then the miss over 65,536 rotated
# sources (10.128.0.0 up: no rule) and a hit rotated over the N-1 rules of 10.0.0.0 up. TAG ends in the pair number.
b_measure()
{
	local tag=$1 n=$2 cnt
	shift 2
	bench_json "$PARTS/b_${tag}_hot.json" "$@" --frame match,miss --repeat "$REPEAT" --runs "$RUNS" || return 1
	bench_json "$PARTS/b_${tag}_missrot.json" "$@" --frame miss --src 10.128.0.0 --src-count 65536 \
		--repeat "$REPEAT" --runs "$RUNS"
	cnt=$((n - 1 < 65536 ? n - 1 : 65536))
	if [ "$cnt" -ge 2 ]; then
		bench_json "$PARTS/b_${tag}_hitrot.json" "$@" --frame ipv4-udp --src 10.0.0.0 --src-count "$cnt" \
			--src-step $(((n - 1) / cnt)) --repeat "$REPEAT" --runs "$RUNS"
	fi
	return 0
}

# b_side TAG: pool the pairs of one side and print {match, miss, miss_rotated, hit_rotated}.
b_side()
{
	local tag=$1 kind files
	for kind in hot missrot hitrot; do
		files=$(ls "$PARTS"/b_"${tag}"_[0-9]*_$kind.json 2>/dev/null)
		rm -f "$PARTS/b_${tag}_$kind.json"
		# shellcheck disable=SC2086
		[ -n "$files" ] && pool "$PARTS/b_${tag}_$kind.json" $files
	done
	[ -e "$PARTS/b_${tag}_hot.json" ] || return 1
	jq -n --slurpfile h "$PARTS/b_${tag}_hot.json" \
		--slurpfile mr "$([ -e "$PARTS/b_${tag}_missrot.json" ] && echo "$PARTS/b_${tag}_missrot.json" || echo /dev/null)" \
		--slurpfile hr "$([ -e "$PARTS/b_${tag}_hitrot.json" ] && echo "$PARTS/b_${tag}_hitrot.json" || echo /dev/null)" '
		def pick($j; $k): [$j.frames[] | select(.frame == $k)][0] | {verdict, above_floor_ns, floor_ns: .floor_ns.median};
		{program: $h[0].name, id: $h[0].id, invocations: $h[0].invocations,
		 match: pick($h[0]; "match"), miss: pick($h[0]; "miss"),
		 miss_rotated: (if ($mr | length) > 0 then pick($mr[0]; "miss") else null end),
		 hit_rotated: (if ($hr | length) > 0 then pick($hr[0]; "ipv4-udp") else null end)}'
}

item_b()
{
	local ns=${NS_PREFIX}b n p t xf_id xf_name xf_max cli_ms bl xf row rows=() fill_ms

	veth_ns "$ns" || return 1
	if ! in_ns "$ns" xdp-filter load -f ipv4,ipv6 veth0 >/dev/null 2>&1; then
		warn "b: xdp-filter load failed on a veth"
		return 1
	fi
	xf_id=$(in_ns "$ns" ip -j link show dev veth0 | jq '.[0].xdp.prog.id // .[0].xdp.attached[0].prog.id')
	xf_name=$(bpftool -j prog show id "$xf_id" | jq -r .name)
	xf_max=$(bpftool -j map show pinned /sys/fs/bpf/xdp-filter/filter_ipv4 | jq .max_entries)
	progress "b: xdp-filter runs as program $xf_id ($xf_name); its filter_ipv4 holds at most $xf_max rules"

	t=$(date +%s%N)
	in_ns "$ns" xdp-filter ip 192.0.2.1 -m src >/dev/null || { warn "b: xdp-filter ip failed"; return 1; }
	cli_ms=$(ms_since "$t")
	make_pins "$ROOT/build/blocklist.bpf.o" || return 1
	bpftool map update pinned /sys/fs/bpf/blocklist_v4 key 192 0 2 1 value 0 0 0 0 0 0 0 0 || return 1

	for n in $XF_SCALES; do
		progress "b: $n IPv4 source rules: blocklist and xdp-filter, match and miss, hot and rotated, $B_PAIRS pairs"
		# The other n-1 rules: 10.0.0.0 upwards, the same keys in both maps. xdp-filter's value is MAP_FLAG_SRC.
		if [ "$n" -gt 1 ]; then
			"$FILL" /sys/fs/bpf/blocklist_v4 hash4 10.0.0.0 $((n - 1)) || { warn "b: fill blocklist $n"; continue; }
		fi
		fill_ms=null
		if [ "$n" -le "$xf_max" ] && [ "$n" -gt 1 ]; then
			t=$(date +%s%N)
			"$FILL" /sys/fs/bpf/xdp-filter/filter_ipv4 hash4 10.0.0.0 $((n - 1)) --value 1 || warn "b: fill xdp-filter $n"
			fill_ms=$(ms_since "$t")
		fi
		rm -f "$PARTS"/b_bl_"${n}"_* "$PARTS"/b_xf_"${n}"_*
		for ((p = 1; p <= B_PAIRS; p++)); do
			if ((p % 2)) || [ "$n" -gt "$xf_max" ]; then
				b_measure "bl_${n}_$p" "$n" blocklist
				[ "$n" -le "$xf_max" ] && b_measure "xf_${n}_$p" "$n" --id "$xf_id"
			else
				b_measure "xf_${n}_$p" "$n" --id "$xf_id"
				b_measure "bl_${n}_$p" "$n" blocklist
			fi
		done
		bl=$(b_side "bl_$n") || continue
		xf=null
		[ "$n" -le "$xf_max" ] && { xf=$(b_side "xf_$n") || xf=null; }
		row=$(jq -n --argjson n "$n" --argjson b "$bl" --argjson x "$xf" --argjson max "$xf_max" \
			--argjson fill "$fill_ms" '
			def ratio($k): if $x != null and ($x[$k].above_floor_ns.median // 0) > 0 and $b[$k] != null
				then ($b[$k].above_floor_ns.median / $x[$k].above_floor_ns.median * 100 | round) / 100
				else null end;
			{rules: $n, blocklist: $b, xdp_filter: $x, xdp_filter_fill_ms: $fill,
			 note: (if $n > $max then "xdp-filter holds at most \($max) IPv4 rules" else null end),
			 ratio_match: ratio("match"), ratio_miss: ratio("miss"),
			 ratio_hit_rotated: ratio("hit_rotated"), ratio_miss_rotated: ratio("miss_rotated")}')
		rows+=("$row")
	done
	printf '%s\n' "${rows[@]}" | jq -s --argjson id "$xf_id" --arg name "$xf_name" --argjson max "$xf_max" \
		--argjson cli "$cli_ms" '{xdp_filter_program: $name, xdp_filter_id: $id, xdp_filter_max_rules: $max,
		xdp_filter_cli_one_rule_ms: $cli, rows: .}' >"$PARTS/b.json"
}
