# Item b, sourced by run.sh: blocklist against xdp-filter (xdp-tools) holding the same IPv4 source rules, on the same
# `match` (source 192.0.2.1, a rule) and `miss` (192.0.2.2) frames, each against the floor of its own invocation.

ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

item_b()
{
	local ns=${NS_PREFIX}b n t xf_id xf_name xf_max cli_ms bl xf row rows=() fill_ms

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
		progress "b: $n IPv4 source rules: blocklist and xdp-filter on match and miss"
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
		bench_json "$PARTS/b_bl_$n.json" blocklist --frame match,miss --repeat "$REPEAT" --runs "$RUNS" || continue
		bl=$PARTS/b_bl_$n.json
		xf=null
		if [ "$n" -le "$xf_max" ] &&
			bench_json "$PARTS/b_xf_$n.json" --id "$xf_id" --frame match,miss --repeat "$REPEAT" --runs "$RUNS"; then
			xf=$PARTS/b_xf_$n.json
		fi
		row=$(jq -n --argjson n "$n" --slurpfile b "$bl" --argjson max "$xf_max" --argjson fill "$fill_ms" \
			--slurpfile x "$([ "$xf" = null ] && echo /dev/null || echo "$xf")" '
			def f($j; $k): [$j.frames[] | select(.frame == $k)][0];
			def side($j): {match: f($j; "match") | {verdict, above_floor_ns, floor_ns: .floor_ns.median},
				       miss: f($j; "miss") | {verdict, above_floor_ns, floor_ns: .floor_ns.median}};
			def ratio($a; $b): if $b > 0 then ($a / $b * 100 | round) / 100 else null end;
			{rules: $n, blocklist: side($b[0]),
			 xdp_filter: (if ($x | length) > 0 then side($x[0]) else null end),
			 xdp_filter_fill_ms: $fill,
			 note: (if $n > $max then "xdp-filter holds at most \($max) IPv4 rules" else null end)}
			| .ratio_match = (if .xdp_filter then ratio(.blocklist.match.above_floor_ns.median;
							      .xdp_filter.match.above_floor_ns.median) else null end)
			| .ratio_miss = (if .xdp_filter then ratio(.blocklist.miss.above_floor_ns.median;
							     .xdp_filter.miss.above_floor_ns.median) else null end)')
		rows+=("$row")
	done
	printf '%s\n' "${rows[@]}" | jq -s --argjson id "$xf_id" --arg name "$xf_name" --argjson max "$xf_max" \
		--argjson cli "$cli_ms" '{xdp_filter_program: $name, xdp_filter_id: $id, xdp_filter_max_rules: $max,
		xdp_filter_cli_one_rule_ms: $cli, rows: .}' >"$PARTS/b.json"
}
