# SPDX-License-Identifier: GPL-2.0-only
# Item h, sourced by run.sh: prefixes. CIDRS (100k) /24 prefixes, every other /24 from 11.0.0.0 (11.0.0.0/24,
# 11.0.2.0/24, ...), in blocklist's prefix map; blocklist's exact map as a plain load makes it, holding 10 rules.
# Against the physical floor: a bare program doing one lookup in the same LPM trie (build/bench/bare.bpf.o,
# bare_trie), measured in turns with blocklist, PAIRS times each. Three kinds of source, each rotated over 65,536
# addresses: a hit (one address in each of 65,536 prefixes), a miss inside the prefixes' span (the /24 between
# two prefixes: the trie walks to its bottom to say no) and a miss outside it (10.128.0.0 up: the trie says no
# at its root).

h_frames()
{
	local step=$((2 * 256 * (CIDRS / H_CNT)))
	case $1 in
	hit) echo "--src 11.0.0.1 --src-count $H_CNT --src-step $step" ;;
	miss_inside) echo "--src 11.0.1.1 --src-count $H_CNT --src-step $step" ;;
	miss_outside) echo "--src 10.128.0.0 --src-count 65536" ;;
	esac
}

# h_one TAG KIND P: one invocation of blocklist (TAG bl) or the bare lookup (TAG bare) on one kind of source.
h_one()
{
	local args
	read -r -a args <<<"$(h_frames "$2")"
	if [ "$1" = bl ]; then
		bench_json "$PARTS/h_bl_$2_$3.json" blocklist --frame ipv4-udp "${args[@]}" --repeat "$REPEAT" --runs "$RUNS"
	else
		bench_json "$PARTS/h_bare_$2_$3.json" "$OUT/bare.bpf.o" --prog bare_trie --frame ipv4-udp "${args[@]}" \
			--repeat "$REPEAT" --runs "$RUNS"
	fi
}

item_h()
{
	local kind p rows=() f H_CNT

	H_CNT=$((CIDRS < 65536 ? CIDRS : 65536))
	make_pins "$ROOT/build/blocklist.bpf.o" || return 1
	"$FILL" /sys/fs/bpf/blocklist_v4 hash4 10.0.0.0 10 || return 1
	progress "h: $CIDRS /24 prefixes, every other /24 from 11.0.0.0, into blocklist_cidr4"
	"$FILL" /sys/fs/bpf/blocklist_cidr4 lpm4 11.0.0.0 "$CIDRS" 24 --step 2 || { warn "h: cannot fill the prefixes"; return 1; }
	rm -f "$PARTS"/h_*
	for kind in hit miss_inside miss_outside; do
		progress "h: $kind: blocklist and the bare trie lookup, $PAIRS pairs"
		for ((p = 1; p <= PAIRS; p++)); do
			if ((p % 2)); then
				h_one bl $kind $p
				h_one bare $kind $p
			else
				h_one bare $kind $p
				h_one bl $kind $p
			fi
		done
		for f in bl bare; do
			# shellcheck disable=SC2046
			pool "$PARTS/h_${f}_$kind.json" $(ls "$PARTS"/h_"${f}"_"${kind}"_[0-9]*.json 2>/dev/null) 2>/dev/null ||
				rm -f "$PARTS/h_${f}_$kind.json"
		done
		rows+=("$(jq -n --arg k "$kind" \
			--slurpfile b "$([ -s "$PARTS/h_bl_$kind.json" ] && echo "$PARTS/h_bl_$kind.json" || echo /dev/null)" \
			--slurpfile t "$([ -s "$PARTS/h_bare_$kind.json" ] && echo "$PARTS/h_bare_$kind.json" || echo /dev/null)" '
			def pick($j): if ($j | length) > 0 then $j[0].frames[0] | {verdict, above_floor_ns, floor_ns: .floor_ns.median}
				else null end;
			{kind: $k, blocklist: pick($b), bare_trie: pick($t)}
			| .ratio = (if (.bare_trie.above_floor_ns.median // 0) > 0 and .blocklist != null
				then ((.blocklist.above_floor_ns.median / .bare_trie.above_floor_ns.median) * 100 | round) / 100
				else null end)')")
	done
	printf '%s\n' "${rows[@]}" | jq -s --argjson c "$CIDRS" '{prefixes: $c, layout: "every other /24 from 11.0.0.0",
		exact_rules: 10, kinds: .}' >"$PARTS/h.json"
}
