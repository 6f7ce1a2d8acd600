#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_attach_idempotent.sh: the same attach twice changes nothing. A program already on the hook
# (the same name, tag and read-only data) is left alone: "already attached (id N)", exit 0, the same
# id, no pin, filter or program more (the load that tells the tag leaves nothing behind). On XDP and
# on TC. Another build of it (other instructions; the same instructions with other .rodata; the same
# object loaded by ip without the multi-buffer switch) is refused without --replace, and nothing
# changes. 8 identical attaches at once leave exactly one program (XDP) or filter (TC), every call
# exits 0 and names the same id.
. "$(dirname "$0")/lib.sh"
xk_private "$@"
xk_env_setup attach_idem
export XDPKIT_PROG_DIR=$XK_BUILD
xk_cleanup on_host "$XDPKIT" detach veth0 --all --purge
X() { on_host "$XDPKIT" "$@"; }
PIN=/sys/fs/bpf/xdpkit
NOSTATS=$XK_BUILD/test-objs/blocklist_nostats.bpf.o
RODATA=$XK_BUILD/test-objs/blocklist_rodata.bpf.o
[ -e "$NOSTATS" ] && [ -e "$RODATA" ] || xk_abort "test objects missing: make build/test-objs/blocklist_nostats.bpf.o build/test-objs/blocklist_rodata.bpf.o"

# Programs in the kernel that use the map pinned at PATH: the attached copies, and any program a
# call loaded and left behind (this bpffs is ours alone, so nothing else uses these maps).
users() {
	local m
	m=$(pinned_map_id "$1")
	[ -n "$m" ] || { echo "no map pinned at $1"; return; }
	bpftool prog list | grep -cE "map_ids ([0-9]+,)*$m(,|$| )"
}
state() { echo "xdp: $(xdp_prog_id | tr '\n' ' ')"; echo "tc ingress: $(k_ids ingress)"; bpffs_files; }
k_ids() { _tc_bpf_lines "$1" | grep -o ' id [0-9]*' | cut -d' ' -f3 | tr '\n' ' '; }

# --- XDP: the same attach twice --------------------------------------------------------------------
check "attach veth0 blocklist" X attach veth0 blocklist
id=$(xdp_prog_id)
before=$(state)
out=$(X attach veth0 blocklist 2>&1)
check_eq "XDP: the same attach again exits 0" 0 $?
check_match "XDP: ... says already attached, with the running id" \
	"^veth0: blocklist already attached \(id $id\) on XDP, native mode" "$out"
check_eq "XDP: ... one line" 1 "$(grep -c . <<<"$out")"
check_eq "XDP: ... the same program runs (same id), no pin, filter or program more" "$before" "$(state)"
check_eq "XDP: ... one program uses the rule map (the probe load left nothing)" 1 "$(users $PIN/blocklist_v4)"

# Another build of it: refused without --replace, nothing changes.
out=$(X attach veth0 "$NOSTATS" 2>&1)
rc=$?
check_eq "XDP: another build (other instructions) is refused: exit 1" 1 $rc
check_match "XDP: ... says what runs and why it differs" \
	"^xdpkit: veth0 XDP already runs blocklist \(id $id\), another build of it: other instructions \(tag [0-9a-f]{16}; .*blocklist_nostats.bpf.o' loads as tag [0-9a-f]{16}\); attach with --replace" "$out"
check_eq "XDP: ... one line" 1 "$(grep -c . <<<"$out")"
check_eq "XDP: ... nothing changed" "$before" "$(state)"
out=$(X attach veth0 "$RODATA" 2>&1)
check_eq "XDP: the same instructions with other .rodata are refused: exit 1" 1 $?
check_match "XDP: ... names the read-only data" \
	"^xdpkit: veth0 XDP already runs blocklist \(id $id\), another build of it: the same instructions \(tag [0-9a-f]{16}\), other read-only data" "$out"
check_eq "XDP: ... nothing changed" "$before" "$(state)"
check_eq "XDP: ... no program left using the rule map" 1 "$(users $PIN/blocklist_v4)"

# Where it runs counts: the same program asked for in another mode is not already there.
out=$(X attach veth0 blocklist --mode skb 2>&1)
check_eq "XDP: the same program in another mode (--mode skb): exit 1" 1 $?
check_match "XDP: ... says where it runs" "already runs blocklist \(id $id\) in native mode, not skb as asked" "$out"
check "XDP: --mode native names where it runs: already attached" X attach veth0 blocklist --mode native
check_eq "XDP: nothing changed" "$before" "$(state)"

# --- TC: the same attach twice; several programs in one call ----------------------------------------
check "attach veth0 blocklist --tc ingress" X attach veth0 blocklist --tc ingress
tid=$(tc_prog_id ingress)
pref=$(_tc_bpf_lines ingress | sed -n 's/.* pref \([0-9]*\) .*/\1/p' | head -n 1)
before=$(state)
out=$(X attach veth0 blocklist --tc ingress 2>&1)
check_eq "TC: the same attach again exits 0" 0 $?
check_match "TC: ... already attached, with its id, pref and handle" \
	"^veth0: blocklist already attached \(id $tid\) on TC ingress, pref $pref handle 0x1$" "$out"
check_eq "TC: ... one filter, the same program, no pin more" "$before" "$(state)"
check_eq "TC: ... programs using the rule map: the XDP and the TC copy" 2 "$(users $PIN/blocklist_v4)"
out=$(X attach veth0 "$NOSTATS" --tc ingress 2>&1)
check_eq "TC: another build of it is refused (no second filter): exit 1" 1 $?
check_match "TC: ... names it and the way on" \
	"^xdpkit: veth0 TC ingress already runs blocklist_tc \(id $tid\), another build of it: other instructions .*--replace to swap it in place \(same pref and handle\)" "$out"
check_eq "TC: ... nothing changed" "$before" "$(state)"
out=$(X attach veth0 blocklist --tc ingress --prio 7 2>&1)
check_eq "TC: the same program asked at another pref: exit 1" 1 $?
check_match "TC: ... says where it runs" "already runs blocklist \(id $tid\) at pref $pref, not 7 as asked" "$out"
# count pins nothing: the second call finds it by name and tag alone.
out=$(X attach veth0 count blocklist --tc ingress 2>&1)
check_eq "TC: count and blocklist in one call, blocklist already there: exit 0" 0 $?
check_match "TC: ... count attached" "^veth0: attached count \(id [0-9]+\) on TC ingress" "$out"
check_match "TC: ... blocklist left alone" "^veth0: blocklist already attached \(id $tid\) on TC ingress" "$out"
cid=$(sed -n 's/^veth0: attached count (id \([0-9]*\)).*/\1/p' <<<"$out")
before=$(state)
for i in 1 2 3; do
	X attach veth0 count --tc ingress >/dev/null 2>&1 || _xk_fail "TC: attach count again ($i) failed"
done
check_eq "TC: count attached 3 times more: still one filter of it" "$before" "$(state)"
check_eq "TC: the filters: blocklist and count" "$(printf '%s\n' "$tid" "$cid" | sort -n | tr '\n' ' ')" \
	"$(k_ids ingress | tr ' ' '\n' | grep . | sort -n | tr '\n' ' ')"

# --- the multi-buffer switch: ip's copy of the same object -------------------------------------------
check "detach veth0 --all" X detach veth0 --all
check "ip link set dev veth0 xdpgeneric obj blocklist.bpf.o sec xdp" \
	on_host ip link set dev veth0 xdpgeneric obj "$XK_BUILD/blocklist.bpf.o" sec xdp
ipid=$(xdp_prog_id)
before=$(state)
out=$(X attach veth0 blocklist 2>&1)
check_eq "the same object attached by ip (no multi-buffer switch): refused, exit 1" 1 $?
check_match "... says only the switch differs" \
	"^xdpkit: veth0 XDP already runs blocklist \(id $ipid\), the same instructions \(tag [0-9a-f]{16}\) with another multi-buffer switch" "$out"
check_eq "... nothing changed (no pin under the root either)" "$before" "$(state)"
check "ip link set dev veth0 xdpgeneric off" on_host ip link set dev veth0 xdpgeneric off
rm -rf /sys/fs/bpf/tc /sys/fs/bpf/ip /sys/fs/bpf/xdp/globals # ip's pins (this bpffs is ours)

# --- 8 identical attaches at once ---------------------------------------------------------------------
W=$(mktemp -d)
xk_cleanup rm -rf "$W"
# at_once CMD...: 8 calls of xdpkit CMD started together; exit codes in $W/N.rc, output in $W/N.out.
at_once() {
	local i pids=()
	rm -f "$W"/*
	for i in 1 2 3 4 5 6 7 8; do
		(
			X "$@" >"$W/$i.out" 2>&1
			echo $? >"$W/$i.rc"
		) &
		pids+=($!)
	done
	wait "${pids[@]}"
}
named_ids() { sed -n 's/^veth0: .*blocklist.* (id \([0-9]*\)).*/\1/p' "$W"/*.out | sort -u; }
check "detach veth0 --all --purge" X detach veth0 --all --purge

at_once attach veth0 blocklist
check_eq "8 XDP attaches at once: all exit 0" "0 0 0 0 0 0 0 0" "$(cat "$W"/*.rc | tr '\n' ' ' | sed 's/ $//')"
check_eq "... exactly one program on XDP" 1 "$(xdp_prog_id | grep -c .)"
check_eq "... every call names that program" "$(xdp_prog_id)" "$(named_ids)"
check_eq "... one attached it, 7 found it there" "1 7" \
	"$(cat "$W"/*.out | grep -c ': attached blocklist') $(cat "$W"/*.out | grep -c 'already attached')"
check_eq "... one program uses the rule map" 1 "$(users $PIN/blocklist_v4)"
XDP_RESULT="$(cat "$W"/*.rc | grep -cx 0)/8 exit 0, programs on XDP: $(xdp_prog_id | grep -c .), ids named: $(named_ids | tr '\n' ' ')"

at_once attach veth0 blocklist --tc ingress
check_eq "8 TC ingress attaches at once: all exit 0" "0 0 0 0 0 0 0 0" "$(cat "$W"/*.rc | tr '\n' ' ' | sed 's/ $//')"
check_eq "... exactly one filter" 1 "$(_tc_bpf_lines ingress | grep -c .)"
check_eq "... every call names its program" "$(tc_prog_id ingress)" "$(named_ids)"
check_eq "... the XDP copy and the filter use the rule map, nothing else" 2 "$(users $PIN/blocklist_v4)"
TC_RESULT="$(cat "$W"/*.rc | grep -cx 0)/8 exit 0, filters on ingress: $(_tc_bpf_lines ingress | grep -c .), ids named: $(named_ids | tr '\n' ' ')"

# --- libxdp's dispatcher: 8 identical attaches at once next to another program ----------------------
# Where the kernel allows freplace (the VM guests): count runs, 8 attaches of blocklist at once chain
# exactly one blocklist before it (libxdp orders by run priority: blocklist 10, count 60); the same
# attach again names it in the dispatcher and changes nothing. Where freplace is refused the second
# program is refused and the case says it did not run.
# comp_id NAME: dispatcher component NAME's id; chain: "PRIO NAME" of each component in run order, as
# xdp-loader (libxdp's own view) lists them (" =>  PRIO  NAME  ID  TAG  ACTIONS").
comp_id() { xdp_loader status veth0 2>/dev/null | awk -v n="$1" '$1 == "=>" && $3 == n { print $4 }'; }
chain() { xdp_loader status veth0 2>/dev/null | awk '$1 == "=>" { printf "%s %s, ", $2, $3 }'; }
check "detach veth0 --all" X detach veth0 --all
check "attach veth0 count" X attach veth0 count
cid=$(xdp_prog_id)
out=$(X attach veth0 blocklist 2>&1)
rc=$?
if [ $rc = 0 ]; then
	check "dispatcher: detach veth0 blocklist (count stays)" X detach veth0 blocklist
	check_eq "dispatcher: count alone, the same program" "$cid" "$(xdp_prog_id)"
	at_once attach veth0 blocklist
	check_eq "dispatcher: 8 attaches at once next to count: all exit 0" "0 0 0 0 0 0 0 0" \
		"$(cat "$W"/*.rc | tr '\n' ' ' | sed 's/ $//')"
	check_eq "dispatcher: ... one blocklist chained before count" "10 blocklist, 60 count, " "$(chain)"
	bid=$(comp_id blocklist)
	check_eq "dispatcher: ... every call names it" "$bid" "$(named_ids)"
	check_eq "dispatcher: ... count is the same program" "$cid" "$(comp_id count)"
	check_eq "dispatcher: ... one attached it, 7 found it there" "1 7" \
		"$(cat "$W"/*.out | grep -c ': attached blocklist') $(cat "$W"/*.out | grep -c 'already attached')"
	before=$(state)
	out=$(X attach veth0 blocklist 2>&1)
	check_eq "dispatcher: the same attach again: exit 0" 0 $?
	check_match "dispatcher: ... already attached, in the dispatcher" \
		"^veth0: blocklist already attached \(id $bid\) on XDP, [a-z]+ mode, run priority 10 in libxdp's dispatcher" "$out"
	check_eq "dispatcher: ... nothing changed" "$before" "$(state)"
	DISP_RESULT="$(cat "$W"/*.rc | grep -cx 0)/8 exit 0, chain: $(chain)ids named: $(named_ids | tr '\n' ' ')"
else
	check_match "no dispatcher here: the second XDP program is refused (freplace)" "freplace" "$out"
	DISP_RESULT="not run: this kernel refuses freplace (the VM guests run it)"
fi
echo "figure: concurrent attach, XDP: $XDP_RESULT"
echo "figure: concurrent attach, TC ingress: $TC_RESULT"
echo "figure: concurrent attach, XDP next to count (dispatcher): $DISP_RESULT"

check "detach veth0 --all --purge" X detach veth0 --all --purge
check_clean "at the end"
xk_done
