# SPDX-License-Identifier: GPL-2.0-only
# Item d, sourced by run.sh: loading LOAD_RULES (1M) IPv4 rules into a fresh blocklist_v4 made with CAPACITY
# entries (as `xdpkit attach --capacity blocklist_v4=1048576` makes it) from a file, with `xdpkit map load`
# against the fastest user space can be (build/bench/xk-fill: bpf_map_update_batch in 64k chunks, no parsing) as
# the same-run baseline, LOAD_ROUNDS times each in turns, and `bpftool batch file` of the same updates once. Then
# the same raw fill into maps of other definitions, to show what the map type itself costs.

# d_time NAME CMD...: run CMD on a fresh blocklist_v4, check the first and last rule are in, print a JSON row.
d_time()
{
	local name=$1 t ms ok=true last
	shift
	clear_pins
	capacity_pins "$CAPACITY" || return 1
	progress "d: $name"
	t=$(date +%s%N)
	if ! "$@" >/dev/null 2>"$PARTS/d_$name.err"; then
		warn "d: $name failed: $(head -c 300 "$PARTS/d_$name.err")"
		ok=false
	fi
	ms=$((($(date +%s%N) - t) / 1000000))
	last=$(ip_add 10.0.0.0 $((LOAD_RULES - 1)) | tr . ' ')
	bpftool map lookup pinned /sys/fs/bpf/blocklist_v4 key 10 0 0 0 >/dev/null 2>&1 &&
		bpftool map lookup pinned /sys/fs/bpf/blocklist_v4 key $last >/dev/null 2>&1 || ok=false
	jq -n --arg m "$name" --argjson ms "$ms" --argjson ok $ok --argjson n "$LOAD_RULES" \
		'{method: $m, rules: $n, seconds: ($ms / 1000), all_loaded: $ok}'
}

# d_alt TYPE FLAGS: creating a bare map of that definition (blocklist_v4 at CAPACITY entries, 4 B keys, 8 B values;
# what an attach pays when the pin does not exist yet) and the raw fill into it. blocklist_v4 is "hash 0"; it was
# "percpu_hash 1" (no prealloc), whose inserts allocate per-CPU memory one by one.
d_alt()
{
	local t ms cms ok=true
	clear_pins
	progress "d: create a $1 map (flags $2), then a raw fill into it"
	t=$(date +%s%N)
	bpftool map create /sys/fs/bpf/xkb_alt type "$1" key 4 value 8 entries "$CAPACITY" name xkb_alt flags "$2" ||
		return 1
	cms=$((($(date +%s%N) - t) / 1000000))
	t=$(date +%s%N)
	"$FILL" /sys/fs/bpf/xkb_alt hash4 10.0.0.0 "$LOAD_RULES" || ok=false
	ms=$((($(date +%s%N) - t) / 1000000))
	jq -n --arg ty "$1" --argjson f "$2" --argjson ms "$ms" --argjson cms "$cms" --argjson ok $ok \
		'{map_type: $ty, no_prealloc: ($f == 1), create_seconds: ($cms / 1000), seconds: ($ms / 1000),
		  all_loaded: $ok}'
}

item_d()
{
	local list=$OUT/d_rules.txt batch=$OUT/d_rules.bpftool rows=() alts=() xk_load=false r
	. "$BENCH_DIR/item_c.sh" # ip_add

	progress "d: writing $LOAD_RULES rules as a rule file and as a bpftool batch file"
	awk -v n="$LOAD_RULES" 'BEGIN { for (i = 0; i < n; i++)
		printf "10.%d.%d.%d\n", int(i / 65536) % 256, int(i / 256) % 256, i % 256 }' >"$list"
	awk '{ split($1, o, "."); printf "map update pinned /sys/fs/bpf/blocklist_v4 key %s %s %s %s value 0 0 0 0 0 0 0 0\n",
		o[1], o[2], o[3], o[4] }' "$list" >"$batch"
	"$XDPKIT" map --help 2>/dev/null | grep -q '^ *load ' && xk_load=true

	# Rounds of one raw fill and one xdpkit map load, the first of a round alternating.
	for ((r = 1; r <= LOAD_ROUNDS; r++)); do
		((r % 2)) && rows+=("$(d_time raw_batch "$FILL" /sys/fs/bpf/blocklist_v4 hash4 10.0.0.0 "$LOAD_RULES")")
		if $xk_load; then
			rows+=("$(d_time xdpkit_map_load "$XDPKIT" --pin-root /sys/fs/bpf map load blocklist_v4 "$list")")
		else
			rows+=("$(jq -n '{method: "xdpkit_map_load", available: false, note: "xdpkit map load not available"}')")
		fi
		((r % 2)) || rows+=("$(d_time raw_batch "$FILL" /sys/fs/bpf/blocklist_v4 hash4 10.0.0.0 "$LOAD_RULES")")
	done
	rows+=("$(d_time bpftool_batch bpftool batch file "$batch")")

	alts+=("$(d_alt hash 0)")
	alts+=("$(d_alt percpu_hash 0)")
	alts+=("$(d_alt hash 1)")
	alts+=("$(d_alt percpu_hash 1)")
	clear_pins
	rm -f "$list" "$batch"
	jq -n --argjson rows "$(printf '%s\n' "${rows[@]}" | jq -s .)" \
		--argjson alts "$(printf '%s\n' "${alts[@]}" | jq -s .)" \
		'def med: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor]
			else (.[length / 2 - 1] + .[length / 2]) / 2 end;
		 def secs($m): [$rows[] | select(.method == $m and .seconds != null and .all_loaded) | .seconds];
		 def r2: . * 100 | round / 100;
		 (secs("raw_batch")) as $r | (secs("xdpkit_map_load")) as $x
		 | [range(0; [$r, $x] | map(length) | min) | $x[.] / $r[.]] as $pr
		 | {capacity: '"$CAPACITY"', rows: $rows, raw_fill_by_map_type: $alts,
		  pair_ratios: {median: ($pr | med | if . == null then null else r2 end), min: ($pr | min | if . == null then null else r2 end),
			max: ($pr | max | if . == null then null else r2 end), runs: ($pr | map(r2))},
		  median_seconds: {raw_batch: (secs("raw_batch") | med), xdpkit_map_load: (secs("xdpkit_map_load") | med),
			bpftool_batch: (secs("bpftool_batch") | med)}}
		 | .xdpkit_vs_raw = .pair_ratios.median
		 | .xdpkit_vs_bpftool = (if (.median_seconds.bpftool_batch // 0) > 0 and .median_seconds.xdpkit_map_load != null
			then ((.median_seconds.xdpkit_map_load / .median_seconds.bpftool_batch) * 100 | round) / 100 else null end)' \
		>"$PARTS/d.json"
}
