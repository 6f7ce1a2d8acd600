# SPDX-License-Identifier: GPL-2.0-only
# Item a, sourced by run.sh: every program of build/ on every frame kind, ns above the floor, and the same program
# built with -DXK_NO_STATS (build/bench/*_nostats.bpf.o), so the difference is what the shared stats counting costs.

# Rules for the `match` frame (IPv4 UDP 192.0.2.1 -> port 9), written into the pinned maps with bpftool.
a_rules()
{
	local name=$1 obj=$2 zero8="0 0 0 0 0 0 0 0"

	case $name in
	blocklist)
		make_pins "$obj" && bpftool map update pinned /sys/fs/bpf/blocklist_v4 key 192 0 2 1 value $zero8 ;;
	portfilter)
		make_pins "$obj" && bpftool map update pinned /sys/fs/bpf/portfilter_ports key 0 9 value $zero8 ;;
	ratelimit)
		# 1e9 packets/s, burst 1e9: every frame does the bucket arithmetic and passes.
		make_pins "$obj" && bpftool map update pinned /sys/fs/bpf/ratelimit_cfg key 0 0 0 0 \
			value 0x00 0xca 0x9a 0x3b 0 0 0 0 0x00 0xca 0x9a 0x3b 0 0 0 0 ;;
	*) true ;;
	esac
}

# Medians of the per-frame, per-run samples of several invocations taken together.
A_MERGE='def med: sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
	def mm: {median: med, min: min, max: max, runs: .};'

item_a()
{
	local obj name ns repeat p np pairs parts=()

	pairs=$([ "$QUICK" = 1 ] && echo 1 || echo 3)
	for obj in "$ROOT"/build/*.bpf.o; do
		name=$(basename "$obj" .bpf.o)
		ns=""
		[ -e "$OUT/${name}_nostats.bpf.o" ] && ns=$OUT/${name}_nostats.bpf.o
		repeat=$REPEAT
		llvm-objdump -d "$obj" 2>/dev/null | grep -q 'trace_printk\|call 6$' && repeat=$REPEAT_PRINTK
		progress "a: $name on every frame kind (repeat $repeat x $RUNS runs)${ns:+, with and without stats, $pairs pairs}"
		clear_pins
		a_rules "$name" "$obj" || { warn "a: cannot write the rules of $name"; continue; }
		rm -f "$PARTS"/a_"$name"_[0-9]*.json "$PARTS"/a_"$name"_nostats_[0-9]*.json
		# With and without counting take turns, so a slow spell of this shared machine hits both.
		np=1
		[ -n "$ns" ] && np=$pairs
		for ((p = 1; p <= np; p++)); do
			bench_json "$PARTS/a_${name}_$p.json" "$obj" --repeat "$repeat" --runs "$RUNS" || continue
			[ -n "$ns" ] && bench_json "$PARTS/a_${name}_nostats_$p.json" "$ns" --repeat "$repeat" --runs "$RUNS"
		done
		ls "$PARTS"/a_"$name"_[0-9]*.json >/dev/null 2>&1 && parts+=("$name")
	done
	clear_pins
	for name in "${parts[@]}"; do
		jq -s --arg name "$name" "$A_MERGE"'
			(.[0].frames | map(.frame)) as $fr
			| . as $all
			| {program: $name, object: .[0].object, repeat: .[0].repeat, runs: .[0].runs, invocations: length,
			   frames: [$fr[] as $f | [$all[].frames[] | select(.frame == $f)] as $x
				| {frame: $f, verdict: $x[0].verdict, fresh_frame: $x[0].fresh_frame,
				   ns: ([$x[].ns.runs[]] | med), floor_ns: ([$x[].floor_ns.runs[]] | med),
				   above_floor_ns: ([$x[].above_floor_ns.runs[]] | mm)}]}' "$PARTS"/a_"$name"_[0-9]*.json \
			>"$PARTS/a_${name}_merged.json"
		if ls "$PARTS"/a_"$name"_nostats_[0-9]*.json >/dev/null 2>&1; then
			# stats cost: the median of every run with counting minus the median of every run without
			jq -s --slurpfile m "$PARTS/a_${name}_merged.json" "$A_MERGE"'
				. as $ns | $m[0] | .frames |= [.[] | .frame as $f
				| ([$ns[].frames[] | select(.frame == $f) | .above_floor_ns.runs[]] | mm) as $n
				| . + {nostats_above_floor_ns: $n, stats_cost_ns: (.above_floor_ns.median - $n.median)}]' \
				"$PARTS"/a_"$name"_nostats_[0-9]*.json
		else
			jq '.frames |= map(. + {stats_cost_ns: null})' "$PARTS/a_${name}_merged.json"
		fi
	done | jq -s '{programs: .}' >"$PARTS/a.json"
}
