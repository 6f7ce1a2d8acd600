#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_apply.sh: `xdpkit apply FILE [--dry-run]` and `xdpkit save [FILE]` (issue 12 items 1, 2).
# Checked against what ip, tc, bpftool and the maps report: a dry run prints the diff and changes
# nothing; an apply makes exactly the file's programs run on each hook it lists and exactly its
# rules be in each map it lists; a second apply prints "no changes" and changes nothing (same
# program ids); a changed file changes only what differs (a kept rule keeps its hit counter, an
# unlisted interface, hook or map is left alone, another build of a program is replaced in place);
# bad files are one line FILE:LINE, exit 2, nothing changed; a failure half-way is undone; an apply
# killed with SIGKILL part way is finished by the next one; save, clean up, apply the saved file
# gives the same state. Where the kernel runs libxdp's dispatcher (the VM guests) a file's XDP chain
# is built, reordered and cut; on the host that same file is refused (freplace) and rolled back.
. "$(dirname "$0")/lib.sh"
xk_private "$@"
xk_env_setup apply
export XDPKIT_PROG_DIR=$XK_BUILD
xk_cleanup on_host "$XDPKIT" detach veth0 --all --purge
xk_cleanup on_host "$XDPKIT" detach lo --all
X() { "$XDPKIT" "$@"; }
XH() { on_host "$XDPKIT" "$@"; }
PIN=/sys/fs/bpf/xdpkit
NOSTATS=$XK_BUILD/test-objs/blocklist_nostats.bpf.o
[ -e "$NOSTATS" ] || xk_abort "test object missing: make build/test-objs/blocklist_nostats.bpf.o"
W=$(mktemp -d /tmp/xk-apply-$$.XXXX)
xk_cleanup rm -rf "$W"
on_host ip neigh replace "$XK_PEER_IP4" lladdr "$XK_PEER_MAC" dev veth0 nud permanent
on_peer ip neigh replace "$XK_IP4" lladdr "$XK_MAC" dev veth1 nud permanent

# Names of the XDP programs on IFACE in run order, as the kernel (ip link) or, behind libxdp's
# dispatcher (the VM guests), as xdp-loader lists its components.
xdp_names()
{
	local dev=${1:-veth0} out re='prog/xdp[a-z]* id [0-9]+ name ([^ ]+)'
	out=$(on_host ip link show dev "$dev" 2>/dev/null)
	[[ $out =~ $re ]] || return 0
	if [ "${BASH_REMATCH[1]}" = xdp_dispatcher ]; then
		xdp_loader status "$dev" 2>/dev/null | awk '$1 == "=>" { print $3 }' | tr '\n' ' ' | sed 's/ $//'
	else
		echo "${BASH_REMATCH[1]}"
	fi
}
# What the kernel holds, as ip, tc and bpffs say: compared before and after.
state()
{
	echo "xdp: $(xdp_prog_id | tr '\n' ' ')"
	echo "ingress: $(tc_filters ingress | tr '\n' ' ') $(tc_prog_id ingress)"
	echo "egress: $(tc_filters egress | tr '\n' ' ') $(tc_prog_id egress)"
	echo "lo: $(xdp_prog_id lo | tr '\n' ' ')"
	bpffs_files | grep -v '^/sys/fs/bpf/xdp/'
	for m in blocklist_v4 blocklist_v6 blocklist_cfg; do
		[ -e $PIN/$m ] && X map dump $m 2>/dev/null | grep -v '^#' | sort
	done
}
keys() { X map dump "$1" 2>/dev/null | grep -v '^#' | awk '{ print $1 }' | sort | tr '\n' ' '; }
hits() { X map get blocklist_v4 "$1" 2>/dev/null | awk '{ print $NF }'; }
# Filter names on a TC direction, without tc's ":[id]".
tcnames() { tc_filters "$1" | sed 's/:\[[0-9]*\]//' | tr '\n' ' ' | sed 's/ $//'; }
blocked() { ! on_peer ping -4 -q -c 2 -i 0.1 -W 0.5 "$XK_IP4" >/dev/null 2>&1; }

cat >"$W/a.yaml" <<EOF
# the first state: blocklist on XDP, count on TC ingress, portfilter on TC egress
interfaces:
  veth0:
    netns: $XK_NS
    xdp:
      programs: [blocklist]
    tc:
      ingress: [count]
      egress: [portfilter]
maps:
  blocklist_v4:
    entries:
      - 192.0.2.1
      - 192.0.2.7
      - $XK_PEER_IP4
  blocklist_cfg:
    entries: ["0 match=0"]
EOF

# --- dry run on a clean host: the diff, nothing changed --------------------------------------------
before=$(state)
out=$(X apply "$W/a.yaml" --dry-run 2>&1)
check_eq "dry run: exit 0" 0 $?
check_eq "dry run: one line per program and rule" \
	"+ $XK_NS/veth0 xdp blocklist|+ $XK_NS/veth0 tc ingress count|+ $XK_NS/veth0 tc egress portfilter|+ blocklist_v4 $XK_PEER_IP4|+ blocklist_v4 192.0.2.1|+ blocklist_v4 192.0.2.7|+ blocklist_cfg 0 match=0" \
	"$(echo "$out" | tr '\n' '|' | sed 's/|$//')"
check_eq "dry run: nothing changed (ip, tc, bpffs)" "$before" "$(state)"

# --- apply, then apply again ------------------------------------------------------------------------
out=$(X apply "$W/a.yaml" 2>&1)
check_eq "apply: exit 0" 0 $?
check_match "apply: says how many changes" "^applied 7 changes$" "$out"
check_eq "apply: blocklist on XDP" blocklist "$(xdp_names)"
check_eq "apply: count on TC ingress, portfilter on egress (tc)" "count_tc portfilter_tc" \
	"$(tcnames ingress) $(tcnames egress)"
check_eq "apply: blocklist_v4 holds exactly the file's rules" "$XK_PEER_IP4 192.0.2.1 192.0.2.7 " "$(keys blocklist_v4)"
check "apply: the peer's source is dropped" blocked
ids=$(state)
out=$(X apply "$W/a.yaml" 2>&1)
check_eq "second apply: exit 0" 0 $?
check_eq "second apply: 'no changes'" "no changes" "$out"
check_eq "second apply: nothing reloaded (same ids, same pins, same rules)" "$ids" "$(state)"
SECOND_APPLY=$out

# --- a changed file: only the difference -----------------------------------------------------------
hit0=$(hits "$XK_PEER_IP4")
check_ge "the peer's rule counted its drops" 1 "$hit0"
XH attach lo count --mode skb >/dev/null
X map set blocklist_v6 2001:db8::1
lo_id=$(xdp_prog_id lo)
xdp_id=$(xdp_prog_id)
in_id=$(tc_prog_id ingress)
sed -e 's/192.0.2.1$/192.0.2.9/' -e 's/egress: \[portfilter\]/egress: []/' "$W/a.yaml" >"$W/b.yaml"
before=$(state)
out=$(X apply "$W/b.yaml" --dry-run 2>&1)
check_eq "changed file, dry run: the diff" \
	"- $XK_NS/veth0 tc egress portfilter (id $(tc_prog_id egress))|- blocklist_v4 192.0.2.1|+ blocklist_v4 192.0.2.9" \
	"$(echo "$out" | tr '\n' '|' | sed 's/|$//')"
DRY_DIFF=$out
check_eq "changed file, dry run: nothing changed" "$before" "$(state)"
out=$(X apply "$W/b.yaml" 2>&1)
check_eq "changed file: exit 0" 0 $?
check_eq "changed file: TC egress emptied, ingress kept" "count_tc $in_id|" \
	"$(tcnames ingress) $(tc_prog_id ingress)|$(tcnames egress)"
check_eq "changed file: XDP program not reloaded (same id)" "$xdp_id" "$(xdp_prog_id)"
check_eq "changed file: rules are the new file's" "$XK_PEER_IP4 192.0.2.7 192.0.2.9 " "$(keys blocklist_v4)"
check_ge "changed file: the kept rule kept its hit counter" "$hit0" "$(hits "$XK_PEER_IP4")"
check_eq "changed file: unlisted interface lo untouched" "$lo_id" "$(xdp_prog_id lo)"
check_eq "changed file: unlisted map blocklist_v6 untouched" "2001:db8::1 " "$(keys blocklist_v6)"

# --- another build of a program: replaced in place, rules kept -------------------------------------
map_id=$(pinned_map_id $PIN/blocklist_v4)
sed -e "s|programs: \[blocklist\]|programs: [$NOSTATS]|" "$W/b.yaml" >"$W/c.yaml"
out=$(X apply "$W/c.yaml" --dry-run 2>&1)
check_eq "another build, dry run: ~ replace in place" \
	"~ $XK_NS/veth0 xdp $NOSTATS (object changed: replace in place)" "$out"
REPLACE_DIFF=$out
out=$(X apply "$W/c.yaml" 2>&1)
check_eq "another build: exit 0" 0 $?
new_id=$(xdp_prog_id)
check_ne "another build: a new program on XDP" "$xdp_id" "$new_id"
check_eq "another build: the same rule map" "$map_id" "$(pinned_map_id $PIN/blocklist_v4)"
check "another build: the peer is still dropped" blocked
check_eq "another build: apply again: no changes" "no changes" "$(X apply "$W/c.yaml" 2>&1)"

# --- bad files: FILE:LINE, exit 2, nothing changed --------------------------------------------------
before=$(state)
bad()
{
	local what=$1 line=$2 pattern=$3 f=$W/bad.yaml out rc
	cat >"$f"
	out=$(X apply "$f" 2>&1 >/dev/null)
	rc=$?
	check_eq "bad file, $what: exit 2" 2 "$rc"
	check_match "bad file, $what: one line FILE:$line: ..." "^$f:$line: $pattern" "$out"
	check_eq "bad file, $what: one line" 1 "$(printf '%s\n' "$out" | grep -c .)"
	out=$(X apply "$f" --dry-run 2>&1 >/dev/null)
	check_eq "bad file, $what: dry run exit 2 too" 2 $?
}
bad "YAML syntax" 4 "YAML syntax" <<EOF
interfaces:
  veth0:
    xdp: [blocklist
maps: {}
EOF
bad "unknown field" 4 "unknown field 'prgrams' under xdp" <<EOF
interfaces:
  veth0:
    xdp:
      prgrams: [blocklist]
EOF
bad "unknown program" 5 "unknown program 'blocklistt'" <<EOF
interfaces:
  veth0:
    netns: $XK_NS
    tc:
      ingress: [count, blocklistt]
EOF
bad "bad key" 5 "key for map blocklist_v4 \(xk_ipv4\)" <<EOF
maps:
  blocklist_v4:
    entries:
      - 192.0.2.1
      - 300.1.1.1
EOF
bad "type mismatch (a list wanted)" 3 "entries must be a list" <<EOF
maps:
  blocklist_v4:
    entries: 192.0.2.1
EOF
bad "type mismatch (a number wanted)" 4 "prio 'first' is not a number" <<EOF
interfaces:
  veth0:
    xdp:
      programs: [{program: count, prio: first}]
EOF
bad "a program twice on a hook" 4 "program 'count' is listed twice on this hook \(also line 4\)" <<EOF
interfaces:
  veth0:
    tc:
      ingress: [count, count]
EOF
bad "bad value" 3 "value for map blocklist_cfg" <<EOF
maps:
  blocklist_cfg:
    entries: ["0 match=maybe"]
EOF
printf '10.0.0.0/8\n# comment\n10.1.0.0/33\n' >"$W/cidr4.txt"
printf 'maps:\n  blocklist_cidr4:\n    file: %s\n' "$W/cidr4.txt" >"$W/bad.yaml"
out=$(X apply "$W/bad.yaml" 2>&1 >/dev/null)
check_eq "bad line in a rules file: exit 2" 2 $?
check_match "bad line in a rules file: names the rules file and its line" \
	"^$W/cidr4.txt:3: key for map blocklist_cidr4" "$out"
check_eq "bad files: nothing changed" "$before" "$(state)"

# --- a failure half-way is undone ------------------------------------------------------------------
# On veth0 the TC egress filter is replaced (another build runs there), count leaves its TC ingress
# and, on the host, the XDP program is replaced too; then lo is to run count in native mode, which
# lo has not: refused, and all of it put back (the old programs in the same places, count on lo in
# skb mode). Behind libxdp's dispatcher (the VM guests) veth0's XDP program stays out of it: a
# replaced component of the dispatcher is not swapped back.
if on_host ip link show dev veth0 | grep -q 'name xdp_dispatcher'; then
	xdp_part=""
	steps="- .*veth0 tc ingress count .*~ .*veth0 tc egress blocklist .*- .*lo xdp count .*\+ .*lo xdp count \(native mode\)"
	HALFWAY_RESULT="behind libxdp's dispatcher: 3 steps done (TC replace, TC removal, removal of a dispatcher component), the 4th refused, all 3 undone"
else
	xdp_part="    xdp:
      programs: [blocklist]"
	steps="^~ .*veth0 xdp blocklist .*- .*veth0 tc ingress count .*~ .*veth0 tc egress blocklist .*- .*lo xdp count .*\+ .*lo xdp count \(native mode\)"
	HALFWAY_RESULT="4 steps done (XDP and TC replace, TC and XDP removal), the 5th refused, all 4 undone: the same program ids on every hook"
fi
cat >"$W/fail.yaml" <<EOF
interfaces:
  veth0:
    netns: $XK_NS
$xdp_part
    tc:
      ingress: []
      egress: [blocklist]
  lo:
    netns: $XK_NS
    xdp:
      mode: native
      programs: [count]
EOF
XH attach veth0 "$NOSTATS" --tc egress >/dev/null
before=$(state)
out=$(X apply "$W/fail.yaml" 2>&1)
check_eq "failure half-way: exit 1" 1 $?
check_match "failure half-way: the steps planned" "$steps" "$(echo "$out" | tr '\n' ' ')"
check_match "failure half-way: the refusal, then rolled back" "native XDP.*rolled back: nothing was changed" \
	"$(echo "$out" | tr '\n' ' ')"
check_eq "failure half-way: XDP, TC, pins and rules as before (same ids)" "$before" "$(state)"
XH detach veth0 --tc egress --all >/dev/null

# --- save, clean up, apply the saved file ----------------------------------------------------------
X apply "$W/a.yaml" >/dev/null
check "save FILE" X -n "$XK_NS" save "$W/saved.yaml"
# save writes the interfaces of the namespace it runs in, with its name as their netns: the file
# applies from anywhere.
check_eq "save -n NS: each interface with netns NS" "2 2" \
	"$(grep -c '^  [a-z0-9]*:$' "$W/saved.yaml" | head -1) $(grep -c "^    netns: $XK_NS$" "$W/saved.yaml")"
XH detach veth0 --all --purge >/dev/null
XH detach lo --all >/dev/null
X -n "$XK_NS" save "$W/empty.yaml"
check_match "save of a clean host: no interfaces, no maps" "^interfaces: \{\}.*maps: \{\}" \
	"$(grep -v '^#' "$W/empty.yaml" | tr '\n' ' ')"
out=$(X apply "$W/saved.yaml" 2>&1)
check_eq "apply of the saved file: exit 0" 0 $?
check_eq "apply of the saved file: blocklist on XDP" blocklist "$(xdp_names)"
check_eq "apply of the saved file: count on TC ingress, portfilter on egress" "count_tc|portfilter_tc" \
	"$(tcnames ingress)|$(tcnames egress)"
check_eq "apply of the saved file: count on lo again" "prog/xdp" "$(on_host ip link show dev lo | grep -o 'prog/xdp')"
check_eq "apply of the saved file: the rules" "$XK_PEER_IP4 192.0.2.1 192.0.2.7 " "$(keys blocklist_v4)"
check_eq "apply of the saved file: blocklist_v6 too (a map of a running program)" "2001:db8::1 " "$(keys blocklist_v6)"
check_eq "apply of the saved file, again: no changes" "no changes" "$(X apply "$W/saved.yaml" 2>&1)"
X -n "$XK_NS" save "$W/saved2.yaml"
check_eq "save after apply of a save: the same file" "$(grep -v '^#' "$W/saved.yaml")" "$(grep -v '^#' "$W/saved2.yaml")"

# --- kill -9 in the middle of an apply: the next apply converges ------------------------------------
# 20000 prefixes (an LPM trie takes them one write at a time) and every hook changing; killed at
# several points, then applied to the end.
for i in $(seq 0 19999); do echo "10.$((i / 256)).$((i % 256)).0/24"; done >"$W/big.txt"
cat >"$W/big.yaml" <<EOF
interfaces:
  veth0:
    netns: $XK_NS
    xdp:
      programs: [count]
    tc:
      ingress: [blocklist]
      egress: [portfilter]
maps:
  blocklist_cidr4:
    capacity: 32768
    file: $W/big.txt
  blocklist_v4:
    entries: [192.0.2.50]
EOF
# Each round starts from a clean interface, kills the apply after 0.01-0.19 s (it takes ~0.2 s
# here), then applies to the end: exit 0, and the apply after that has nothing left to do.
killed=0
converged=0
for delay in 0.01 0.03 0.05 0.07 0.09 0.11 0.13 0.15 0.17 0.19; do
	XH detach veth0 --all --purge >/dev/null 2>&1
	X apply "$W/big.yaml" >/dev/null 2>&1 &
	pid=$!
	sleep $delay
	kill -9 $pid 2>/dev/null && killed=$((killed + 1))
	wait $pid 2>/dev/null
	X apply "$W/big.yaml" >/dev/null 2>"$W/kill.err" &&
		[ "$(X apply "$W/big.yaml" 2>&1)" = "no changes" ] && converged=$((converged + 1))
done
check_ge "kill -9: at least 3 of 10 applies killed part way" 3 "$killed"
check_eq "kill -9: after each, apply exits 0, then 'no changes'" 10 "$converged"
check_eq "after kill -9: count on XDP" count "$(xdp_names)"
check_eq "after kill -9: blocklist on ingress, portfilter on egress" "blocklist_tc portfilter_tc" \
	"$(tcnames ingress) $(tcnames egress)"
check_eq "after kill -9: every prefix there" 20000 "$(X map dump blocklist_cidr4 | grep -vc '^#')"
check_eq "after kill -9: blocklist_v4 exactly the file's" "192.0.2.50 " "$(keys blocklist_v4)"
KILL_RESULT="$killed of 10 applies killed part way; after each the next apply exit 0 ($converged of 10), then 'no changes'"

# --- two applies at once: one after the other ---------------------------------------------------
# From a clean interface, a.yaml and b.yaml (other egress, other rules) applied at the same instant,
# 3 times: both exit 0 and the machine is then exactly one of the two files (its apply has no
# changes), never a mix of both plans.
together=0
for round in 1 2 3; do
	XH detach veth0 --all --purge >/dev/null 2>&1
	X apply "$W/a.yaml" >/dev/null 2>&1 &
	p1=$!
	X apply "$W/b.yaml" >/dev/null 2>&1 &
	p2=$!
	wait $p1
	r1=$?
	wait $p2
	r2=$?
	da=$(X apply "$W/a.yaml" --dry-run 2>&1)
	db=$(X apply "$W/b.yaml" --dry-run 2>&1)
	[ "$r1 $r2" = "0 0" ] && { [ "$da" = "no changes" ] || [ "$db" = "no changes" ]; } &&
		together=$((together + 1))
done
check_eq "two applies at once, 3 rounds: both exit 0, the result one whole file" 3 "$together"

# --- an XDP chain (libxdp's dispatcher; the VM guests) --------------------------------------------
XH detach veth0 --all --purge >/dev/null
cat >"$W/chain.yaml" <<EOF
interfaces:
  veth0:
    netns: $XK_NS
    xdp:
      programs: [blocklist, {program: count, prio: 60}]
EOF
X apply "$W/chain.yaml" >"$W/chain.out" 2>&1
rc=$?
if [ $rc = 0 ]; then
	chain() { xdp_loader status veth0 2>/dev/null | awk '$1 == "=>" { printf "%s %s, ", $2, $3 }'; }
	check_eq "chain: blocklist then count under the dispatcher" "10 blocklist, 60 count, " "$(chain)"
	check_eq "chain: apply again: no changes" "no changes" "$(X apply "$W/chain.yaml" 2>&1)"
	sed -e 's/prio: 60/prio: 5/' "$W/chain.yaml" >"$W/chain2.yaml"
	out=$(X apply "$W/chain2.yaml" --dry-run 2>&1)
	check_match "chain: a new prio is a move" "^\+ $XK_NS/veth0 xdp count \(prio 5\)" "$out"
	check "chain: apply the new prio" X apply "$W/chain2.yaml"
	check_eq "chain: count now first" "5 count, 10 blocklist, " "$(chain)"
	printf 'interfaces:\n  veth0:\n    netns: %s\n    xdp:\n      programs: [{program: count, prio: 5}]\n' \
		"$XK_NS" >"$W/chain3.yaml"
	check "chain: cut blocklist" X apply "$W/chain3.yaml"
	check_eq "chain: count alone" "5 count, " "$(chain)"
	CHAIN_RESULT="built, reordered and cut under libxdp's dispatcher"
else
	check_eq "no dispatcher here: the chain is refused, exit 1" 1 $rc
	check_match "no dispatcher here: ... says why (freplace)" "freplace" "$(cat "$W/chain.out")"
	check_match "no dispatcher here: ... rolled back" "rolled back" "$(cat "$W/chain.out")"
	check_eq "no dispatcher here: ... nothing left on XDP" "" "$(xdp_prog_id)"
	CHAIN_RESULT="not run: this kernel refuses freplace (the VM guests run it); refused and rolled back"
fi

echo "figure: second apply: $SECOND_APPLY"
echo "figure: dry-run diff of a changed file:"
printf '%s\n' "$DRY_DIFF" "$REPLACE_DIFF" | sed 's/^/    /'
echo "figure: kill -9: $KILL_RESULT"
echo "figure: failure half-way: $HALFWAY_RESULT"
echo "figure: chain: $CHAIN_RESULT"
xk_done
