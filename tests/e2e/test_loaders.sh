#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_loaders.sh: every build/*.bpf.o is accepted unchanged by the standard loaders — ip (xdp,
# xdpgeneric), tc (clsact ingress, when the object has a tc section), xdp-loader (skb) and bpftool
# prog loadall — and each detaches without leaving anything behind. Objects are discovered, never
# listed.
. "$(dirname "$0")/lib.sh"
xk_private "$@"
xk_env_setup loaders

GLOBALS=/sys/fs/bpf/tc/globals

# The pins a loader left: the names under DIR, one a line (a glob: busybox find in the VM guest has no
# -printf).
pins_in()
{
	local f
	for f in "$1"/*; do
		[ -e "$f" ] && [ ! -d "$f" ] && [ ! -L "$f" ] && [[ $f != *.debug ]] && echo "${f##*/}"
	done | sort
}

# XDP via ip, in mode native (ip keyword xdp, kernel mode 1) or generic (xdpgeneric, mode 2).
ip_xdp()
{
	local n=$1 obj=$2 kw=$3 mode=$4 pins=$5 id map_ok=1 p
	check "$n: ip link set dev veth0 $kw obj $n.bpf.o sec xdp" on_host ip link set dev veth0 "$kw" obj "$obj" sec xdp
	id=$(xdp_prog_id)
	check_match "$n: ip -j link shows an XDP program ($kw)" '^[0-9]+$' "$id"
	check_eq "$n: ip -j link shows XDP mode $mode ($kw)" "$mode" "$(xdp_mode)"
	check_eq "$n: pinned-by-name maps land in tc/globals ($kw)" "$pins" "$(pins_in $GLOBALS)"
	# The pins are the maps the running program uses, not copies.
	for p in $pins; do
		prog_uses_map "$id" "$(pinned_map_id "$GLOBALS/$p")" || map_ok=0
	done
	check_eq "$n: the program uses the pinned maps ($kw)" 1 $map_ok
	check "$n: ip link set dev veth0 $kw off" on_host ip link set dev veth0 "$kw" off
	check_eq "$n: no XDP program left after $kw off" "" "$(xdp_prog_id)"
}

tc_ingress()
{
	local n=$1 obj=$2 pins=$3
	check "$n: tc qdisc add clsact" on_host tc qdisc add dev veth0 clsact
	check "$n: tc filter add ingress bpf da obj sec tc" \
		on_host tc filter add dev veth0 ingress bpf da obj "$obj" sec tc
	check_eq "$n: tc -j filter show lists the filter" "$n.bpf.o:[tc]" "$(tc_filters ingress)"
	check_match "$n: the filter is direct-action" " direct-action " "$(_tc_bpf_lines ingress)"
	check_eq "$n: tc pins the same maps in tc/globals" "$pins" "$(pins_in $GLOBALS)"
	check "$n: tc filter del" on_host tc filter del dev veth0 ingress
	check_eq "$n: no tc filter left" "" "$(tc_filters ingress)"
	check "$n: tc qdisc del clsact" on_host tc qdisc del dev veth0 clsact
	check_nomatch "$n: no clsact qdisc left" clsact "$(on_host tc qdisc show dev veth0)"
}

# xdp-loader exactly as a person types it; it pins maps by name only when given -p, so that is tried too.
xdploader_skb()
{
	local n=$1 obj=$2 pins=$3 dir=/sys/fs/bpf/xkt-xl
	check "$n: xdp-loader load -m skb veth0 $n.bpf.o" xdp_loader load -m skb veth0 "$obj"
	check_match "$n: xdp-loader status shows it in skb mode" "^veth0 .* skb +[0-9]+ +[0-9a-f]{16}" \
		"$(xdp_loader status veth0)"
	check_eq "$n: ip -j link agrees (generic mode 2)" 2 "$(xdp_mode)"
	check "$n: xdp-loader unload --all" xdp_loader unload veth0 --all
	check_match "$n: xdp-loader status shows nothing loaded" "No XDP program loaded" \
		"$(xdp_loader status veth0)"
	check_eq "$n: no XDP program left after unload" "" "$(xdp_prog_id)"
	[ -n "$pins" ] || return 0
	mkdir -p $dir
	check "$n: xdp-loader load -m skb -p DIR" xdp_loader load -m skb -p $dir veth0 "$obj"
	check_eq "$n: xdp-loader pins the pinned-by-name maps under -p" "$pins" "$(pins_in $dir)"
	check "$n: xdp-loader unload --all (-p)" xdp_loader unload veth0 --all
	check_eq "$n: no XDP program left after unload (-p)" "" "$(xdp_prog_id)"
	rm -rf $dir
}

bpftool_loadall()
{
	local n=$1 obj=$2 pins=$3 secs=$4 dir=/sys/fs/bpf/xkt-loadall types want
	check "$n: bpftool prog loadall" bpftool prog loadall "$obj" $dir
	types=$(for f in $dir/*; do prog_type "$f"; done | sort -u | tr '\n' ' ')
	want=$(for s in $secs; do case $s in xdp) echo xdp ;; tc) echo sched_cls ;; esac; done | sort -u | tr '\n' ' ')
	check_eq "$n: loadall pinned one program per entry section" "$want" "$types"
	check_eq "$n: loadall pins pinned-by-name maps in /sys/fs/bpf" "$pins" "$(pins_in /sys/fs/bpf)"
	rm -rf $dir
	for p in $pins; do rm -f "/sys/fs/bpf/$p"; done
}

# XK_OBJ_DIR: try the loaders on objects elsewhere (default: build/).
objs=("${XK_OBJ_DIR:-$XK_BUILD}"/*.bpf.o)
check_ge "build/ holds BPF objects" 1 "${#objs[@]}"
for obj in "${objs[@]}"; do
	[ -e "$obj" ] || continue
	n=$(basename "$obj" .bpf.o)
	secs=$(obj_sections "$obj" | sort -u | tr '\n' ' ')
	pins=$(obj_pinned_maps "$obj" | sort)
	echo "# $n: sections: $secs pinned maps: ${pins//$'\n'/ }"
	check_match "$n: has an xdp section" '(^| )xdp ' "$secs"

	ip_xdp "$n" "$obj" xdp 1 "$pins"
	ip_xdp "$n" "$obj" xdpgeneric 2 "$pins"
	case " $secs" in *" tc "*) tc_ingress "$n" "$obj" "$pins" ;; esac
	for p in $(pins_in $GLOBALS); do rm -f "$GLOBALS/$p"; done
	xdploader_skb "$n" "$obj" "$pins"
	bpftool_loadall "$n" "$obj" "$pins" "$secs"

	# Everything that remains in bpffs is what the loaders keep for themselves (empty dirs,
	# symlinks).
	check_eq "$n: bpffs clean after all loaders" "" "$(bpffs_files)"
	check_eq "$n: veth0 clean in ip link" "" "$(xdp_prog_id)"
done
xk_done
