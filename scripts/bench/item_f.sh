# SPDX-License-Identifier: GPL-2.0-only
# Item f, sourced by run.sh: one attach + detach cycle of blocklist (native XDP on a veth) with xdpkit, with
# xdp-loader load/unload and with ip link set ... xdpdrv obj / xdp off; CYCLES cycles, the three tools taking turns.
# Only the two commands are timed; between them the attachment is checked with ip, so a cycle that did not
# attach or detach is reported, not counted.

f_prog() { in_ns "$1" ip -j link show dev veth0 | jq -r '.[0].xdp.prog.id // .[0].xdp.attached[0].prog.id // empty'; }

# f_cycle NS TOOL: milliseconds of one attach + detach, or "fail".
f_cycle()
{
	local ns=$1 tool=$2 obj=$ROOT/build/blocklist.bpf.o t0 t1 t2 t3 a d
	case $tool in
	xdpkit) a=("$XDPKIT" attach veth0 blocklist --mode native) d=("$XDPKIT" detach veth0 --all) ;;
	xdp-loader) a=(xdp-loader load -m native veth0 "$obj") d=(xdp-loader unload veth0 --all) ;;
	ip) a=(ip link set dev veth0 xdpdrv obj "$obj" sec xdp) d=(ip link set dev veth0 xdp off) ;;
	esac
	t0=$(date +%s%N)
	in_ns "$ns" "${a[@]}" >/dev/null 2>&1 || { echo fail; return; }
	t1=$(date +%s%N)
	[ -n "$(f_prog "$ns")" ] || { echo fail; return; }
	t2=$(date +%s%N)
	in_ns "$ns" "${d[@]}" >/dev/null 2>&1 || { echo fail; return; }
	t3=$(date +%s%N)
	[ -z "$(f_prog "$ns")" ] || { echo fail; return; }
	echo $(((t1 - t0 + t3 - t2) / 100000)) | awk '{ printf "%.1f\n", $1 / 10 }'
}

item_f()
{
	local ns=${NS_PREFIX}f c tool v
	declare -A ms=([xdpkit]="" [xdp-loader]="" [ip]="")

	veth_ns "$ns" || return 1
	for ((c = 1; c <= CYCLES; c++)); do
		progress "f: attach + detach cycle $c/$CYCLES: xdpkit, xdp-loader, ip"
		for tool in xdpkit xdp-loader ip; do
			v=$(f_cycle "$ns" "$tool")
			[ "$v" = fail ] && { warn "f: $tool cycle $c failed"; continue; }
			ms[$tool]+="$v "
		done
	done
	for tool in xdpkit xdp-loader ip; do
		jq -n --arg t "$tool" --argjson v "[$(echo ${ms[$tool]} | tr ' ' ,)]" '
			def med: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor]
				else (.[length / 2 - 1] + .[length / 2]) / 2 end;
			{tool: $t, cycle_ms: {median: ($v | med), min: ($v | min), max: ($v | max), runs: $v}}'
	done | jq -s '{program: "blocklist", mode: "native XDP on veth", tools: .}
		| .xdpkit_vs_xdp_loader = ((.tools[0].cycle_ms.median / .tools[1].cycle_ms.median * 100 | round) / 100)
		| .ip_vs_xdp_loader = ((.tools[2].cycle_ms.median / .tools[1].cycle_ms.median * 100 | round) / 100)
		| .xdpkit_vs_ip = ((.tools[0].cycle_ms.median / .tools[2].cycle_ms.median * 100 | round) / 100)' \
		>"$PARTS/f.json"
}
