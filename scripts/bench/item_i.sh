# SPDX-License-Identifier: GPL-2.0-only
# Item i, sourced by run.sh: the kernel memory blocklist's maps take (bytes_memlock of every map the program uses:
# the kernel's own account of each map), attached by plain `ip link set ... xdp obj` with the object's sizes, and
# by `xdpkit attach --capacity blocklist_v4=CAPACITY` (the size item c and d use), each with no rule yet.

# i_maps NS: one JSON object per map of the XDP program on veth0: {name, type, max_entries, bytes}.
i_maps()
{
	local id m
	id=$(in_ns "$1" ip -j link show dev veth0 | jq '.[0].xdp.prog.id // empty')
	[ -n "$id" ] || return 1
	for m in $(bpftool -j prog show id "$id" | jq '.map_ids[]'); do
		bpftool -j map show id "$m" | jq -c '{name, type, max_entries, bytes: .bytes_memlock}'
	done
}

item_i()
{
	local ns=${NS_PREFIX}i plain big

	veth_ns "$ns" || return 1
	progress "i: memory of blocklist's maps: plain ip load, then xdpkit attach --capacity blocklist_v4=$CAPACITY"
	in_ns "$ns" ip link set dev veth0 xdp obj "$ROOT/build/blocklist.bpf.o" sec xdp || return 1
	plain=$(i_maps "$ns" | jq -s .) || return 1
	in_ns "$ns" ip link set dev veth0 xdp off
	clear_pins
	in_ns "$ns" "$XDPKIT" --pin-root /sys/fs/bpf/xkb-i attach veth0 blocklist \
		--capacity "blocklist_v4=$CAPACITY" >/dev/null || return 1
	big=$(i_maps "$ns" | jq -s .) || return 1
	in_ns "$ns" "$XDPKIT" --pin-root /sys/fs/bpf/xkb-i detach veth0 --all --purge >/dev/null
	jq -n --argjson p "$plain" --argjson b "$big" --argjson cap "$CAPACITY" '
		def mib: . / 1048576 * 100 | round / 100;
		{plain_ip_load: {maps: $p, total_mib: ([$p[].bytes] | add | mib)},
		 capacity: $cap, xdpkit_capacity: {maps: $b, total_mib: ([$b[].bytes] | add | mib)}}' >"$PARTS/i.json"
}
