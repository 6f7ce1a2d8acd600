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

item_a()
{
	local obj name ns repeat parts=()

	for obj in "$ROOT"/build/*.bpf.o; do
		name=$(basename "$obj" .bpf.o)
		ns=""
		[ -e "$OUT/${name}_nostats.bpf.o" ] && ns=$OUT/${name}_nostats.bpf.o
		repeat=$REPEAT
		llvm-objdump -d "$obj" 2>/dev/null | grep -q 'trace_printk\|call 6$' && repeat=$REPEAT_PRINTK
		progress "a: $name on every frame kind (repeat $repeat x $RUNS runs)${ns:+, and without stats}"
		clear_pins
		a_rules "$name" "$obj" || { warn "a: cannot write the rules of $name"; continue; }
		bench_json "$PARTS/a_$name.json" "$obj" --repeat "$repeat" --runs "$RUNS" || continue
		if [ -n "$ns" ]; then
			bench_json "$PARTS/a_${name}_nostats.json" "$ns" --repeat "$repeat" --runs "$RUNS" ||
				rm -f "$PARTS/a_${name}_nostats.json"
		fi
		parts+=("$name")
	done
	clear_pins
	for name in "${parts[@]}"; do
		if [ -e "$PARTS/a_${name}_nostats.json" ]; then
			jq --arg name "$name" --slurpfile n "$PARTS/a_${name}_nostats.json" '
				{program: $name, object: .object, repeat: .repeat, runs: .runs,
				 frames: [.frames[] as $f | ($n[0].frames[] | select(.frame == $f.frame)) as $g
					| {frame: $f.frame, verdict: $f.verdict, ns: $f.ns.median,
					   floor_ns: $f.floor_ns.median, above_floor_ns: $f.above_floor_ns,
					   nostats_verdict: $g.verdict, nostats_above_floor_ns: $g.above_floor_ns,
					   stats_cost_ns: ($f.above_floor_ns.median - $g.above_floor_ns.median)}]}' \
				"$PARTS/a_$name.json"
		else
			jq --arg name "$name" '{program: $name, object: .object, repeat: .repeat, runs: .runs,
			     frames: [.frames[] | {frame, verdict, ns: .ns.median, floor_ns: .floor_ns.median,
						 above_floor_ns, stats_cost_ns: null}]}' "$PARTS/a_$name.json"
		fi
	done | jq -s '{programs: .}' >"$PARTS/a.json"
}
