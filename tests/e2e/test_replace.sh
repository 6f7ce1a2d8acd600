#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_replace.sh: `xdpkit attach IF PROG --replace` swaps the running copy for the object on disk in
# one step, in its place, with its maps. Proven with traffic: two UDP streams from the peer, one from
# a source blocklist blocks and one from a source it lets through, run while blocklist is replaced
# 10 times on XDP, then 10 times on TC ingress: no datagram of the blocked source arrives, every one
# of the allowed source does, each replace gives a new id in the old one's place, the pinned maps
# stay the same maps and the rule's hit counter counts every blocked datagram. Then --replace of the
# copies ip, tc and xdp-loader attached (their maps, wherever pinned, carry over), and the refusals:
# nothing of that name there (exit 3), two copies (exit 1, both named), several PROGs or --prio
# (exit 2).
. "$(dirname "$0")/lib.sh"
xk_private "$@"
xk_env_setup replace
export XDPKIT_PROG_DIR=$XK_BUILD
xk_cleanup on_host "$XDPKIT" detach veth0 --all --purge
X() { on_host "$XDPKIT" "$@"; }
PIN=/sys/fs/bpf/xdpkit
NET4=${XK_PEER_IP4%.*}
BLOCKED=$NET4.3 # the peer's second address: blocked
HOST2=$NET4.4   # a second address of the host: what the blocked stream is sent to
PORT=7777
REPLACES=10
W=$(mktemp -d)
xk_cleanup rm -rf "$W"

# The blocked stream leaves the peer from $BLOCKED because its route to $HOST2 says so (bash's
# /dev/udp cannot bind a source); static neighbours keep ARP out of the picture.
on_host ip addr add "$HOST2/24" dev veth0
on_peer ip addr add "$BLOCKED/24" dev veth1
on_peer ip route add "$HOST2/32" dev veth1 src "$BLOCKED"
for a in "$XK_IP4" "$HOST2"; do on_peer ip neigh replace "$a" lladdr "$XK_MAC" dev veth1 nud permanent; done
for a in "$XK_PEER_IP4" "$BLOCKED"; do
	on_host ip neigh replace "$a" lladdr "$XK_PEER_MAC" dev veth0 nud permanent
done

# The receiver: every datagram to $PORT on the host, appended to $W/recv (each is one "TAG N" line).
# A receive buffer big enough that a slow moment of socat loses nothing (SO_RCVBUFFORCE, 8 MiB, set
# before bind: socat's setsockopt-int applies only to connected sockets).
nsenter --net="/run/netns/$XK_NS" socat -u "UDP4-RECV:$PORT,setsockopt-listen=1:33:x00008000" \
	"OPEN:$W/recv,creat,append" 2>"$W/socat.err" &
RECV=$!
xk_cleanup kill $RECV
# send TAG N DEST: one datagram "TAG N" from the peer.
send() { on_peer bash -c 'printf "%s %s\n" "$1" "$2" >"/dev/udp/$3/$4"' _ "$1" "$2" "$3" $PORT 2>/dev/null; }
got() { grep -c "^$1 " "$W/recv" 2>/dev/null; }
# wait_for PATTERN: until a received line matches (20 s at most). Not a timing assertion: a line
# that never comes fails a later check anyway.
wait_for() {
	local i
	for ((i = 0; i < 200; i++)); do
		grep -q -- "$1" "$W/recv" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
for ((i = 1; i <= 100; i++)); do
	send P $i "$XK_IP4"
	grep -q '^P ' "$W/recv" 2>/dev/null && break
	sleep 0.1
done
check_match "the receiver gets datagrams from the peer" '^P ' "$(cat "$W/recv" 2>/dev/null)"
grep -q '^P ' "$W/recv" 2>/dev/null || xk_abort "no receiver: $(cat "$W/socat.err")"

# A sender in the peer: one datagram "TAG N" to DEST per turn (N = 1, 2, ...), about 500 a second,
# until STOP exists; then the number it sent (a failed send stops it: it would not count).
sender_body='
	tag=$1 dst=$2 stop=$3 port=$4 i=0
	exec {pause}<> <(:)
	exec 3>"/dev/udp/$dst/$port" || exit 1
	while [ ! -e "$stop" ]; do
		printf "%s %d\n" "$tag" $((i + 1)) >&3 || break
		i=$((i + 1))
		read -rt 0.002 -u "$pause" _
	done
	echo "$i"'

hits() { map_value pinned "$PIN/blocklist_v4" key $(ip_bytes "$BLOCKED"); }
pinned_ids() { for f in $(bpffs_files | grep "^$PIN/"); do echo "$f $(pinned_map_id "$f")"; done; }

# streams NAME PROG_ID_FN HOOK_ARGS...: replace blocklist REPLACES times while both streams run.
streams() {
	local name=$1 idfn=$2 a b id0 id prev out rc r a0 a1 during=0 ids okr=0 chain=1 pins hits0
	shift 2
	local tag=${name:0:1}
	pins=$(pinned_ids)
	hits0=$(hits)
	id0=$($idfn)
	rm -f "$W/stop"
	on_peer bash -c "$sender_body" _ "${tag}A" "$XK_IP4" "$W/stop" $PORT >"$W/sentA" &
	a=$!
	on_peer bash -c "$sender_body" _ "${tag}B" "$HOST2" "$W/stop" $PORT >"$W/sentB" &
	b=$!
	wait_for "^${tag}A " || _xk_fail "$name: the allowed stream does not arrive before the replaces"
	prev=$id0
	ids=" $id0 "
	for ((r = 1; r <= REPLACES; r++)); do
		a0=$(got "${tag}A")
		out=$(X attach veth0 blocklist "$@" --replace 2>&1)
		rc=$?
		a1=$(got "${tag}A")
		during=$((during + a1 - a0))
		id=$(sed -n "s/^veth0: replaced blocklist (id $prev -> id \([0-9]*\)) on .*/\1/p" <<<"$out")
		if [ $rc = 0 ] && [ -n "$id" ] && [[ $ids != *" $id "* ]] && [ "$($idfn)" = "$id" ]; then
			okr=$((okr + 1))
			ids+="$id "
			prev=$id
		else
			chain=0
			echo "replace $r: exit $rc, running $($idfn): $out"
		fi
		# Let the streams go on past this replace before the next one.
		wait_for "^${tag}A $((a1 + 1))\$" || _xk_fail "$name: the allowed stream stopped after replace $r"
	done
	: >"$W/stop"
	wait $a $b
	local sa sb ra rb ua
	sa=$(<"$W/sentA")
	sb=$(<"$W/sentB")
	# The blocked stream ended before this marker left on the other path: when it is in, every
	# datagram sent before it has been through the programs.
	send "${tag}END" 1 "$XK_IP4"
	wait_for "^${tag}END " || _xk_fail "$name: the end marker never arrived"
	ra=$(got "${tag}A")
	rb=$(got "${tag}B")
	ua=$(grep "^${tag}A " "$W/recv" | sort -u | grep -c .)
	check_eq "$name: $REPLACES replaces, each exit 0 with a new id in the old one's place (ids $ids)" \
		"$REPLACES 1" "$okr $chain"
	check_ge "$name: the streams ran (datagrams sent from each source)" 1 "$((sa < sb ? sa : sb))"
	check_eq "$name: datagrams of the blocked source $BLOCKED delivered" 0 "$rb"
	check_eq "$name: datagrams of the allowed source $XK_PEER_IP4 delivered: every one sent, once" \
		"$sa $sa" "$ra $ua"
	check_ge "$name: allowed datagrams delivered while a replace ran" 1 "$during"
	check_eq "$name: the rule's hit counter went up by every blocked datagram" \
		$((hits0 + sb)) "$(hits)"
	check_eq "$name: the pins are the same maps" "$pins" "$(pinned_ids)"
	check "$name: the last copy uses the pinned rule map" \
		prog_uses_map "$prev" "$(pinned_map_id "$PIN/blocklist_v4")"
	FIGURES+=("$name: $okr replaces; sent allowed $sa / blocked $sb; received allowed $ra / blocked $rb; allowed received during the replaces $during")
}
FIGURES=()
tc_id() { tc_prog_id ingress; }
k_tc_ids() { _tc_bpf_lines "$1" | grep -o ' id [0-9]*' | cut -d' ' -f3; }

check "attach veth0 blocklist" X attach veth0 blocklist
check "map set blocklist_v4 $BLOCKED" X map set blocklist_v4 "$BLOCKED"
streams XDP xdp_prog_id
check "detach veth0 blocklist (rules stay)" X detach veth0 blocklist
check "attach veth0 blocklist --tc ingress" X attach veth0 blocklist --tc ingress
pref=$(_tc_bpf_lines ingress | sed -n 's/.* pref \([0-9]*\) .*handle \(0x[0-9a-f]*\) .*/\1 \2/p')
streams TC-ingress tc_id --tc ingress
check_eq "TC: the filter kept its pref and handle" "$pref" \
	"$(_tc_bpf_lines ingress | sed -n 's/.* pref \([0-9]*\) .*handle \(0x[0-9a-f]*\) .*/\1 \2/p')"
check_eq "TC: one filter" 1 "$(_tc_bpf_lines ingress | grep -c .)"

# --- libxdp's dispatcher: two programs chained, one replaced ------------------------------------------
# Where the kernel allows freplace (the VM guests), count (run priority 60) and blocklist (given 70,
# so it runs second, not at its object's 10) chained; blocklist replaced 10 times under the streams:
# count stays the same program in the same place, blocklist keeps its slot and priority. Where the
# kernel refuses freplace the second attach is refused and the case says it did not run.
# comp_id NAME: the id of dispatcher component NAME; chain: "PRIO NAME" of each component in run order
# (xdp-loader's view, libxdp's own: " =>  PRIO  NAME  ID  TAG  ACTIONS").
comp_id() { xdp_loader status veth0 2>/dev/null | awk -v n="$1" '$1 == "=>" && $3 == n { print $4 }'; }
chain() { xdp_loader status veth0 2>/dev/null | awk '$1 == "=>" { printf "%s %s, ", $2, $3 }'; }
bl_id() { comp_id blocklist; }
check "detach veth0 blocklist --tc ingress" X detach veth0 blocklist --tc ingress
check "attach veth0 count" X attach veth0 count
out=$(X attach veth0 blocklist --prio 70 2>&1)
if [ $? = 0 ]; then
	check_eq "dispatcher: count then blocklist, at 60 and 70" "60 count, 70 blocklist, " "$(chain)"
	cid=$(comp_id count)
	streams dispatcher bl_id
	check_eq "dispatcher: the order and priorities kept" "60 count, 70 blocklist, " "$(chain)"
	check_eq "dispatcher: count is the same program (id $cid)" "$cid" "$(comp_id count)"
	check_match "dispatcher: status shows both under the dispatcher" \
		"dispatcher" "$(X status veth0)"
	check "dispatcher: detach veth0 --all" X detach veth0 --all
else
	check_match "no dispatcher here: the second XDP program is refused (freplace)" "freplace" "$out"
	echo "dispatcher case not run: this kernel refuses freplace (the VM guests run it)"
	check "detach veth0 count" X detach veth0 count
fi

# --- the refusals -------------------------------------------------------------------------------------
before=$(bpffs_files; xdp_prog_id; _tc_bpf_lines ingress; _tc_bpf_lines egress)
out=$(X attach veth0 blocklist --replace 2>&1)
check_eq "--replace with nothing of that name on XDP: exit 3" 3 $?
check_eq "... one line" "xdpkit: veth0 XDP runs no blocklist, so there is nothing to replace; attach it without --replace (see 'xdpkit status veth0')" "$out"
out=$(X attach veth0 blocklist count --tc ingress --replace 2>&1)
check_eq "--replace with two PROGs: exit 2" 2 $?
check_match "... one line" "^xdpkit: --replace swaps one program at a time" "$out"
out=$(X attach veth0 blocklist --tc ingress --replace --prio 3 2>&1)
check_eq "--replace with --prio: exit 2" 2 $?
on_host tc qdisc replace dev veth0 clsact # gone with the last filter xdpkit detached
on_host tc filter add dev veth0 egress pref 5 bpf da obj "$XK_BUILD/count.bpf.o" sec tc
on_host tc filter add dev veth0 egress pref 6 bpf da obj "$XK_BUILD/count.bpf.o" sec tc
two=$(k_tc_ids egress | sort -n | tr '\n' ' ')
out=$(X attach veth0 count --tc egress --replace 2>&1)
check_eq "--replace where two copies run: exit 1" 1 $?
check_match "... names both" "^xdpkit: veth0 TC egress runs 2 copies of count_tc \(ids $(echo $two | sed 's/ /, /')\)" "$out"
check_eq "... nothing changed" "$two" "$(k_tc_ids egress | sort -n | tr '\n' ' ')"
on_host tc filter del dev veth0 egress
check_eq "the refusals changed nothing else" "$before" \
	"$(bpffs_files; xdp_prog_id; _tc_bpf_lines ingress; _tc_bpf_lines egress)"
check "detach veth0 --all (the rules stay)" X detach veth0 --all

# --- copies attached by ip, tc and xdp-loader -------------------------------------------------------
pings() { on_peer ping -q -c 2 -i 0.1 -W 2 -I "$1" "$XK_IP4" >/dev/null 2>&1; }
dropped() { on_peer ping -q -c 2 -i 0.1 -W 0.5 -I "$1" "$XK_IP4" >/dev/null 2>&1; }
# The pins, libxdp's dispatcher state directory (dispatch-IFINDEX-DISPATCHER_ID, renamed with each
# new dispatcher) under one name.
pins() { bpffs_files | sed 's|/xdp/dispatch-[0-9]*-[0-9]*/|/xdp/dispatch-N-N/|'; }
# foreign WHAT OLD_ID NEW_ID_FN HOOK_ARGS...: replace that copy, check the new one runs in its place
# with the same rule map (holding a rule written into the old copy's map).
foreign() {
	local what=$1 old=$2 idfn=$3 m out new
	shift 3
	m=$(map_of "$old" blocklist_v4)
	check "$what: a rule in its own map" bpftool map update id "$m" key $(ip_bytes "$BLOCKED") \
		value $(le64 0)
	check_fails "$what: it drops the blocked source" dropped "$BLOCKED"
	before=$(pins)
	out=$(X attach veth0 blocklist "$@" --replace 2>&1)
	check_eq "$what: --replace exits 0" 0 $?
	new=$($idfn)
	check_match "$what: ... replaced it, in its place" "^veth0: replaced blocklist \(id $old -> id $new\) on " "$out"
	check_ne "$what: ... a new program" "$old" "$new"
	check_eq "$what: ... it uses the old copy's rule map" "$m" "$(map_of "$new" blocklist_v4)"
	check_fails "$what: ... which still drops the blocked source" dropped "$BLOCKED"
	check "$what: ... and lets the other through" pings "$XK_PEER_IP4"
	check_eq "$what: ... no pin made or moved" "$before" "$(pins)"
}
check "ip link set dev veth0 xdpgeneric obj blocklist.bpf.o sec xdp" \
	on_host ip link set dev veth0 xdpgeneric obj "$XK_BUILD/blocklist.bpf.o" sec xdp
foreign "ip's XDP copy" "$(xdp_prog_id)" xdp_prog_id
check_match "ip's XDP copy: ... in skb mode, as ip put it" "xdpgeneric" "$(on_host ip link show dev veth0)"
check "tc qdisc add dev veth0 clsact" on_host tc qdisc add dev veth0 clsact
check "tc filter add dev veth0 ingress bpf da obj blocklist.bpf.o sec tc" \
	on_host tc filter add dev veth0 ingress bpf da obj "$XK_BUILD/blocklist.bpf.o" sec tc
tpref=$(_tc_bpf_lines ingress | sed -n 's/.* pref \([0-9]*\) .*handle \(0x[0-9a-f]*\) .*/\1 \2/p')
check "ip link set dev veth0 xdpgeneric off" on_host ip link set dev veth0 xdpgeneric off
foreign "tc's copy" "$(tc_id)" tc_id --tc ingress
check_eq "tc's copy: ... the same pref and handle" "$tpref" \
	"$(_tc_bpf_lines ingress | sed -n 's/.* pref \([0-9]*\) .*handle \(0x[0-9a-f]*\) .*/\1 \2/p')"
check "tc filter del dev veth0 ingress" on_host tc filter del dev veth0 ingress
check "xdp-loader load -m skb veth0 blocklist.bpf.o" xdp_loader load -m skb veth0 "$XK_BUILD/blocklist.bpf.o"
foreign "xdp-loader's copy" "$(xdp_prog_id)" xdp_prog_id
check_match "xdp-loader's copy: xdp-loader sees the new one" "blocklist +[a-z ]*$(xdp_prog_id) " \
	"$(xdp_loader status veth0 2>&1)"
check "xdp-loader unload veth0 --all" xdp_loader unload veth0 --all
check_eq "xdp-loader's copy: nothing left on XDP" "" "$(xdp_prog_id)"

for f in "${FIGURES[@]}"; do echo "figure: $f"; done
check "detach veth0 --all --purge" X detach veth0 --all --purge
rm -rf /sys/fs/bpf/tc /sys/fs/bpf/ip /sys/fs/bpf/xdp /sys/fs/bpf/blocklist_* # ip's, tc's, xdp-loader's
check_clean "at the end"
xk_done
