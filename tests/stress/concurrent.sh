#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# concurrent.sh: 8 xdpkit managers at once on one interface (issue 9, hardening).
#
# The storm: each manager runs a random mix of XDP attach/detach (one XDP slot here: the kernel
# refuses freplace, so they contend for it; in the VM guests libxdp chains them), TC attach/detach
# (several filters per side), and map set/del/get/load on the pinned rule maps, each on keys of its
# own (10.M.0.x, 10.M.x.0/24). The managers start each round together. Every call's exit code and
# output is logged, and the final state derived from the successful ones is compared with what ip,
# tc and bpftool report:
#   XDP          the ids attached minus the ids detached (at most one without the dispatcher)
#   TC           per side, the ids attached minus the ids detached
#   blocklist_v4, blocklist_cidr4   the union of the managers' own models, which every read and
#                "not found" of a manager is checked against on the spot
# then: no filter without a program, no program detached left in the kernel, every attached program
# uses the maps pinned under their names, status shows exactly what exists.
# Duels: 8 calls of one kind started at once (identical XDP attaches with the pins absent, identical
# TC attaches: all exit 0 and leave one program; the last filter's detach against 7 attaches), and
# 8 free-running writers of one LPM trie.
# Windows (where strace is): one call held open by strace's delay injection inside the window where
# another call must not come in, the other call run meanwhile (pins noted by an attach, a purge that
# found no user, a clsact clean-up).
# At the end one `detach --all --purge` leaves nothing, and the kernel frees every program and map.
# Usage: concurrent.sh [short|full]   short: 8 rounds, 2 duel rounds; full: 60 s, 10 duel rounds.
# XK_STRESS_OPS, XK_STRESS_ROUNDS, XK_STRESS_WRITES shorten it further (the VM guest).
. "$(dirname "$0")/lib.sh"
xk_private "$@"
stress_mode "$@"
xk_env_setup concurrent
xk_cleanup on_host "$X" detach veth0 --all --purge

MANAGERS=8
ONE_EACH=(1 2 3 4 5 6 7 8)                   # a word per manager, for duels
OPS=${XK_STRESS_OPS:-$(by_mode 8 0)}         # rounds of the storm (short)
DURATION=$(by_mode 0 60)                     # seconds of the storm (full)
ROUNDS=${XK_STRESS_ROUNDS:-$(by_mode 2 10)}  # rounds of duels
WRITES=${XK_STRESS_WRITES:-$(by_mode 10 60)} # prefixes set by each free-running writer
HOLD=8                                       # seconds a window is held open
XDP_PROGS=(hello count blocklist portfilter ratelimit)
TC_PROGS=(count blocklist portfilter)
W=$STRESS_TMP

x() { on_host "$X" "$@" >/dev/null 2>&1; }

# Where the kernel allows freplace (the VM guests) libxdp chains XDP programs under its dispatcher:
# XDP attaches then add programs instead of contending for one slot.
DISPATCHER=0
if x attach veth0 hello count; then
	DISPATCHER=1
	x detach veth0 --all
	echo "XDP: libxdp's dispatcher chains programs"
else
	echo "XDP: one program per interface"
fi

# The holder keeps blocklist's rule maps in use all along, so the map writers always find them. It
# sits on lo, so veth0's clsact qdisc comes and goes with the managers' filters.
out=$(on_host "$X" attach lo blocklist --tc egress 2>&1)
check "holder: blocklist on lo TC egress" test $? = 0
HOLDER=$(sed -n 's/.*(id \([0-9]*\)).*/\1/p' <<<"$out")
track_prog "$HOLDER"
xk_cleanup on_host "$X" detach lo --all

# --- the storm ------------------------------------------------------------------------------------

# run M KIND CMD...: one xdpkit call of manager M, logged as "KIND RC" in m.ops and its output in
# m.out. A failure must say why in one "xdpkit: ..." line, plus at most a "hint: ..." line.
run()
{
	local m=$1 kind=$2 rc err one='^xdpkit: [^'$'\n'']*('$'\n''hint: [^'$'\n'']*)?$'
	shift 2
	OUT=$(on_host "$X" "$@" 2>"$W/m$m.err")
	rc=$?
	err=$(<"$W/m$m.err")
	echo "$kind $rc" >>"$W/m$m.ops"
	[ -z "$OUT" ] || printf '%s\n' "$OUT" >>"$W/m$m.out"
	if [ $rc != 0 ]; then
		printf '%s %s: %s\n' "$kind" $rc "${err%%$'\n'*}" >>"$W/m$m.errs"
		[[ $err =~ $one ]] ||
			echo "m$m $kind ($*): exit $rc, not one error line: $err" >>"$W/m$m.fmt"
	fi
	return $rc
}

bad() { echo "m$M $*" >>"$W/m$M.bad"; }
pick() {
	local a=("$@")
	echo "${a[RANDOM % ${#a[@]}]}"
}

# barrier N: wait until every manager has reached round N, so the 8 calls of a round run at once
# (most of a call is process start-up and object loading, which would otherwise spread them out).
# False once a manager past the deadline has stopped everyone.
barrier()
{
	local n=$1 f
	: >"$W/b.$n.$M"
	while f=("$W"/b."$n".*) && [ ${#f[@]} -lt $MANAGERS ] && [ ! -e "$W/stop" ]; do
		read -rt 0.02 -u "$PAUSE" _
	done
	[ ! -e "$W/stop" ]
}

# more N: another round? Short: up to OPS rounds; full: until the deadline, when the first manager
# to see it stops everyone.
more()
{
	if [ "$OPS" -gt 0 ]; then
		[ "$1" -lt "$OPS" ]
	elif [ "$(mono_s)" -lt "$END" ]; then
		true
	else
		: >"$W/stop"
		false
	fi
}

# manager M: random calls, one per round. Its model of its own keys is exact (no other manager
# touches them): each read and each "not in map" is checked against it at once.
manager()
{
	M=$1
	local n=0 key val p id ids f k rc dir
	local -A v4=() cidr=() batch=()
	RANDOM=$((M * 7919 + ${XK_STRESS_SEED:-1}))
	exec {PAUSE}<> <(:)
	: >"$W/m$M.ops"
	: >"$W/m$M.out"
	: >"$W/m$M.bad"
	: >"$W/m$M.fmt"
	: >"$W/m$M.errs"
	while more $n; do
		n=$((n + 1))
		barrier $n || break
		key="10.$M.0.$((RANDOM % 16))"
		case $((RANDOM % 20)) in
		0 | 1)
			p=$(pick "${XDP_PROGS[@]}")
			if [ $((RANDOM % 4)) = 0 ]; then
				run "$M" xdp-attach attach veth0 "$p" --mode skb
			else
				run "$M" xdp-attach attach veth0 "$p"
			fi
			;;
		2 | 3)
			mapfile -t ids < <(xdp_prog_id)
			if [ ${#ids[@]} -gt 0 ] && [ $((RANDOM % 2)) = 0 ]; then
				run "$M" xdp-detach detach veth0 --id "${ids[RANDOM % ${#ids[@]}]}"
			else
				run "$M" xdp-detach detach veth0 "$(pick "${XDP_PROGS[@]}")"
			fi
			;;
		4 | 5 | 6)
			p=$(pick "${TC_PROGS[@]}")
			run "$M" tc-attach attach veth0 "$p" --tc "$(pick ingress egress)"
			;;
		7 | 8 | 9)
			dir=$(pick ingress egress)
			mapfile -t ids < <(k_tc_ids $dir)
			[ ${#ids[@]} -gt 0 ] || continue
			id=${ids[RANDOM % ${#ids[@]}]}
			if [ $((RANDOM % 4)) = 0 ]; then
				run "$M" tc-detach detach veth0 --id "$id" --tc $dir --purge
			else
				run "$M" tc-detach detach veth0 --id "$id" --tc $dir
			fi
			;;
		10 | 11)
			val=$((RANDOM % 1000))
			run "$M" map-set map set blocklist_v4 "$key" $val && v4[$key]=$val
			;;
		12 | 13)
			run "$M" map-del map del blocklist_v4 "$key"
			rc=$?
			if [ $rc = 0 ]; then
				[ -n "${v4[$key]:-}" ] || bad "del $key succeeded: not in the model"
				unset "v4[$key]"
			elif [ $rc = 3 ] && [ -n "${v4[$key]:-}" ]; then
				bad "del $key: 'not in map', but it was set to ${v4[$key]}"
			fi
			;;
		14)
			run "$M" map-get map get blocklist_v4 "$key"
			rc=$?
			if [ $rc = 0 ] && [ "$OUT" != "${v4[$key]:-absent}" ]; then
				bad "get $key: $OUT, model: ${v4[$key]:-absent}"
			elif [ $rc = 3 ] && [ -n "${v4[$key]:-}" ]; then
				bad "get $key: 'not in map', but it was set to ${v4[$key]}"
			fi
			;;
		15 | 16)
			f=$W/m$M.load.$n
			batch=()
			for ((k = RANDOM % 8 + 1; k > 0; k--)); do
				batch["10.$M.0.$((RANDOM % 16))"]=$((RANDOM % 1000))
			done
			for k in "${!batch[@]}"; do echo "$k ${batch[$k]}"; done >"$f"
			if run "$M" map-load map load blocklist_v4 "$f"; then
				for k in "${!batch[@]}"; do v4[$k]=${batch[$k]}; done
			fi
			;;
		*)
			key="10.$M.$((RANDOM % 4)).0/24"
			if [ $((RANDOM % 2)) = 0 ]; then
				run "$M" cidr-set map set blocklist_cidr4 "$key" && cidr[$key]=1
				continue
			fi
			run "$M" cidr-del map del blocklist_cidr4 "$key"
			rc=$?
			if [ $rc = 0 ]; then
				[ -n "${cidr[$key]:-}" ] ||
					bad "del $key succeeded: not in the model"
				unset "cidr[$key]"
			elif [ $rc = 3 ] && [ -n "${cidr[$key]:-}" ]; then
				bad "del $key: 'not in map', but it was set (a lost write)"
			fi
			;;
		esac
	done
	for k in "${!v4[@]}"; do echo "$k ${v4[$k]}"; done >"$W/m$M.v4"
	for k in "${!cidr[@]}"; do echo "$k"; done >"$W/m$M.cidr"
}

echo "the storm: $MANAGERS managers, $(by_mode "$OPS rounds" "$DURATION s")"
start=$(mono_cs)
END=$(($(mono_s) + DURATION))
pids=()
for ((m = 1; m <= MANAGERS; m++)); do
	manager $m &
	pids+=($!)
done
wait "${pids[@]}"
elapsed=$(($(mono_cs) - start))
cat "$W"/m*.ops >"$W/ops"
cat "$W"/m*.out >"$W/out"

# What the successful calls imply: "SIDE ID" lines of what they attached and detached.
re_att='^veth0: attached [^ ]+ \(id ([0-9]+)\) on (XDP|TC (ingress|egress))'
re_det='^veth0: detached [^ ]+ \(id ([0-9]+)\) from (XDP|TC (ingress|egress))'
: >"$W/att"
: >"$W/det"
while IFS= read -r line; do
	if [[ $line =~ $re_att ]]; then
		echo "${BASH_REMATCH[3]:-xdp} ${BASH_REMATCH[1]}" >>"$W/att"
	elif [[ $line =~ $re_det ]]; then
		echo "${BASH_REMATCH[3]:-xdp} ${BASH_REMATCH[1]}" >>"$W/det"
	fi
done <"$W/out"
# expected SIDE: the ids attached on that side minus the ids detached from it.
expected()
{
	minus <(grep "^$1 " "$W/att") <(grep "^$1 " "$W/det") | cut -d' ' -f2 | sort -n
}
check_eq "XDP: the programs left are those attached and not detached" "$(expected xdp)" \
	"$(xdp_prog_id | sort -n)"
[ $DISPATCHER = 1 ] ||
	check_le "XDP: at most one program implied at the end" 1 "$(expected xdp | grep -c .)"
for d in ingress egress; do
	check_eq "TC $d: the filters are the ids attached minus the ids detached" "$(expected $d)" \
		"$(k_tc_ids $d | sort -n)"
done
check_eq "no program was reported detached twice" "" "$(sort "$W/det" | uniq -d)"
check_eq "every program reported detached had been reported attached" "" \
	"$(minus "$W/det" "$W/att")"
check_eq "no TC filter without a program" "" \
	"$({ _tc_bpf_lines ingress; _tc_bpf_lines egress; } | grep -v ' id [0-9]')"

# Exit codes each kind may give under contention: attach 1 (slot taken, a mode that differs),
# detach 1 (the hook changed meanwhile) or 3 (already gone), get/del 3 (not in map); nothing else.
unexpected=$(awk '
	$1 ~ /attach/ && ($2 == 0 || $2 == 1) { next }
	$1 ~ /detach/ && ($2 == 0 || $2 == 1 || $2 == 3) { next }
	($1 == "map-get" || $1 == "map-del" || $1 == "cidr-del") && ($2 == 0 || $2 == 3) { next }
	$2 == 0 { next }
	{ print }' "$W/ops" | sort | uniq -c)
check_eq "every exit code is one the contention explains" "" "$unexpected"
[ -z "$unexpected" ] || cat "$W"/m*.errs | sort | uniq -c | sed 's/^/      /'
check_eq "every failure said why in one line (and a hint)" "" "$(cat "$W"/m*.fmt)"
check_eq "every read and 'not in map' agreed with the manager's own writes" "" "$(cat "$W"/m*.bad)"

# The maps, from bpftool: the union of the managers' models (their keys only).
kernel_v4()
{
	bpftool -j map dump pinned "$PIN_ROOT/blocklist_v4" |
		jq -r '.[] | "\(.key | join(" ")) \(.formatted.value)"' |
		while read -r a b c d v; do
			printf '%d.%d.%d.%d %s\n' "$a" "$b" "$c" "$d" "$v"
		done | grep -E "^10\.[1-$MANAGERS]\." | sort
}
kernel_cidr4()
{
	bpftool -j map dump pinned "$PIN_ROOT/blocklist_cidr4" | jq -r '.[] | .key | join(" ")' |
		while read -r l _ _ _ a b c d; do
			printf '%d.%d.%d.%d/%d\n' "$a" "$b" "$c" "$d" "$l"
		done | grep -E "^10\.[1-$MANAGERS]\." | sort
}
check_eq "blocklist_v4 holds what the managers' writes imply" "$(cat "$W"/m*.v4 | sort)" \
	"$(kernel_v4)"
check_eq "blocklist_cidr4 holds what the managers' writes imply" "$(cat "$W"/m*.cidr | sort)" \
	"$(kernel_cidr4)"

# Nothing leaked: pins are maps the collection pins by name, each the one its users use; status
# shows exactly what exists; the programs detached are gone from the kernel.
check_pins_consistent "after the storm"
names=$(pinned_names)
check_eq "every pin under the root is a map the collection pins by name" "" \
	"$(for f in "$PIN_ROOT"/*; do
		[ -e "$f" ] || continue
		[ -n "$(pinned_map_id "$f")" ] && grep -qx "${f##*/}" <<<"$names" || echo "$f"
	done)"
# A pin no loaded program uses is a rule map kept by a detach without --purge: its object must have
# been attached successfully at some point. Pins of an object no attach succeeded with were left by
# a failed one (orphans).
grep -o '^veth0: attached [^ ]*' "$W/out" | cut -d' ' -f3 | sort -u >"$W/attached_objs"
echo blocklist >>"$W/attached_objs" # the holder
orphan_pins=""
progs=$(bpftool prog list)
for f in "$PIN_ROOT"/*; do
	[ -e "$f" ] || continue
	m=$(pinned_map_id "$f")
	[ -n "$m" ] && grep -qE "map_ids ([0-9]+,)*$m(,| |$)" <<<"$progs" && continue
	owner=""
	for o in blocklist portfilter ratelimit; do
		obj_pinned_maps "$XK_BUILD/$o.bpf.o" | grep -qx "${f##*/}" && owner=$o
	done
	grep -qx "$owner" "$W/attached_objs" || orphan_pins+="$f (of ${owner:-no object}) "
done
check_eq "every pin no program uses belongs to an object that was attached (rules kept)" "" \
	"$orphan_pins"
check_status_truth "after the storm"
track_prog $(cut -d' ' -f2 "$W/att")
track_now
attached_now=$(kernel_view | awk '$1 == "xdp" || $1 == "tc" { print $NF }' | sort -u)
for ((i = 0; i < 60; i++)); do
	orphans=$(both <(minus <(cut -d' ' -f2 "$W/att") <(echo "$attached_now")) \
		<(bpftool prog list | sed -n 's/^\([0-9]*\): .*/\1/p'))
	[ -z "$orphans" ] && break
	sleep 0.5
done
check_eq "every program detached is gone from the kernel (no orphan program)" "" "$(echo $orphans)"

# --- duels: 8 calls of one kind started at the same instant --------------------------------------
DUELS=0

# at_once CMD...: one xdpkit call per argument (a command line), all started together; exit codes
# and output in $W/d.N.rc and $W/d.N.out, N from 0.
at_once()
{
	local i=0 c pids=()
	rm -f "$W"/d.*
	for c in "$@"; do
		(
			read -r -a a <<<"$c"
			on_host "$X" "${a[@]}" >"$W/d.$i.out" 2>"$W/d.$i.err"
			echo $? >"$W/d.$i.rc"
		) &
		pids+=($!)
		i=$((i + 1))
	done
	wait "${pids[@]}"
	DUELS=$((DUELS + 1))
}
ok_count() { cat "$W"/d.*.rc | grep -cx 0; }
ids_in() { sed -n 's/^veth0: attached [^ ]* (id \([0-9]*\)).*/\1/p' "$@"; }
duel_ids() { ids_in "$W"/d.*.out | sort -u; }

# named_ids FILE...: the ids the calls name, attached now or already there.
named_ids() { sed -n 's/^veth0: \(attached [^ ]*\|[^ ]* already attached\) (id \([0-9]*\)).*/\2/p' "$@"; }
all_named() { named_ids "$W"/d.*.out | sort -u; }

for ((r = 1; r <= ROUNDS; r++)); do
	# 1. Eight identical XDP attaches of portfilter at once, its pins absent. Attach is idempotent:
	# every call exits 0, one program runs (dispatcher or not) and every call names it; the others'
	# undo must not take away pins its program uses.
	x detach veth0 --all --purge
	check_eq "duel $r: no portfilter pin to start with" "" "$(ls "$PIN_ROOT" | grep portfilter)"
	at_once "${ONE_EACH[@]/*/attach veth0 portfilter}"
	check_eq "duel $r: 8 identical XDP attaches at once: all exit 0" 8 "$(ok_count)"
	[ "$(ok_count)" = 8 ] || cat "$W"/d.*.err | sort | uniq -c | sed 's/^/      /'
	track_prog $(all_named)
	check_eq "duel $r: ... one program on XDP, the one every call names" "$(all_named)" \
		"$(xdp_prog_id | sort -u)"
	check_eq "duel $r: ... one of them attached it" 1 "$(duel_ids | grep -c .)"
	check_pins_consistent "duel $r, 8 XDP attaches"

	# 2. Eight identical TC attaches of portfilter at once, its pins absent: one filter, named by
	# every call.
	x detach veth0 --all --purge
	at_once "${ONE_EACH[@]/*/attach veth0 portfilter --tc ingress}"
	check_eq "duel $r: 8 identical TC attaches at once: all exit 0" 8 "$(ok_count)"
	[ "$(ok_count)" = 8 ] || cat "$W"/d.*.err | sort | uniq -c | sed 's/^/      /'
	track_prog $(all_named)
	check_eq "duel $r: ... one filter, the one every call names" "$(all_named)" \
		"$(k_tc_ids ingress | sort -u)"
	check_eq "duel $r: ... one of them attached it" 1 "$(duel_ids | grep -c .)"
	check_pins_consistent "duel $r, 8 TC attaches"

	# 3. The last filter detached while seven identical attaches go on: those before the detach
	# find it there, the first after it attaches a new one that the others find. The detach's
	# clean-up of the clsact qdisc must not take the new filter with it.
	x detach veth0 --all --purge
	x attach veth0 count --tc ingress
	f=$(k_tc_ids ingress)
	seven=("${ONE_EACH[@]:1}")
	at_once "detach veth0 --id $f --tc ingress" "${seven[@]/*/attach veth0 count --tc ingress}"
	check_eq "duel $r: a detach and 7 identical attaches at once: all exit 0" 8 "$(ok_count)"
	track_prog "$f" $(duel_ids)
	check_eq "duel $r: TC filters = the one attached after the detach (if one came after it)" \
		"$(duel_ids)" "$(k_tc_ids ingress | sort -u)"
	check_le "duel $r: ... at most one" 1 "$(duel_ids | grep -c .)"
done

# 4. Eight writers set and delete prefixes of blocklist_cidr4, each its own, free-running: the trie
# must end holding exactly what each writer's own sequence leaves.
x detach veth0 --all --purge
cidr_writer()
{
	local m=$1 i
	for ((i = 0; i < WRITES; i++)); do
		x map set blocklist_cidr4 "10.$m.$((i % 4)).0/24"
		[ $((i % 3)) = 2 ] && x map del blocklist_cidr4 "10.$m.$(((i - 1) % 4)).0/24"
	done
}
# What writer m leaves: the same sequence on a set.
cidr_expected()
{
	local m=$1 i
	declare -A set=()
	for ((i = 0; i < WRITES; i++)); do
		set["10.$m.$((i % 4)).0/24"]=1
		[ $((i % 3)) = 2 ] && unset "set[10.$m.$(((i - 1) % 4)).0/24]"
	done
	printf '%s\n' "${!set[@]}"
}
pids=()
for ((m = 1; m <= MANAGERS; m++)); do
	cidr_writer $((m + 100)) &
	pids+=($!)
done
wait "${pids[@]}"
want=$(for ((m = 1; m <= MANAGERS; m++)); do cidr_expected $((m + 100)); done | sort)
# (The trie may hold other prefixes: the holder program on lo keeps it, and the storm's with it.)
check_eq "8 free-running writers of blocklist_cidr4: the trie holds what their sequences leave" \
	"$want" "$(on_host "$X" map dump blocklist_cidr4 | grep -E '^10\.10[1-8]\.' | cut -d' ' -f1 | sort)"

# --- windows held open on purpose ---------------------------------------------------------------
# One call is held for HOLD seconds right before one of its system calls (strace's delay injection),
# inside the window where no other call may come in, while the other call runs; then both finish.
# Whatever order a lock imposes, the end state must be consistent.

# slow WHEN SYSCALL CMD...: start xdpkit CMD in the background, held right before its WHEN-th
# SYSCALL (strace prints that call's entry when the hold begins); returns once it is held there.
slow()
{
	local when=$1 sc=$2 i n
	shift 2
	rm -f "$W/slow.st"
	on_host strace -f -qq -o "$W/slow.st" -e trace="$sc" \
		-e inject="$sc:delay_enter=$((HOLD * 1000000)):when=$when" "$X" "$@" \
		>"$W/slow.out" 2>"$W/slow.err" &
	SLOW=$!
	for ((i = 0; i < 600; i++)); do
		n=$(grep -c " $sc(" "$W/slow.st" 2>/dev/null)
		[ "${n:-0}" -ge "$when" ] && return 0
		kill -0 $SLOW 2>/dev/null || break
		sleep 0.05
	done
	echo "slow: '$*' never reached $sc() call $when" >>"$W/slow.err"
	return 1
}
# calls SYSCALL [PATTERN] -- CMD...: the number of CMD's last SYSCALL call (matching PATTERN).
calls()
{
	local sc=$1 pat=${2:-}
	shift 3
	on_host strace -f -qq -o "$W/calls.st" -e trace="$sc" "$X" "$@" >/dev/null 2>&1
	grep " $sc(" "$W/calls.st" | grep -n -- "$pat" | tail -1 | cut -d: -f1
}

windows()
{
	# Window 1: an XDP attach held right after it noted the pins it will create (at its first
	# bpf() after opening the object) while a second attach of the object completes. The loser
	# must not unlink pins that the winner's program uses.
	x detach veth0 --all --purge
	if slow 3 bpf attach veth0 portfilter; then
		on_host "$X" attach veth0 portfilter >"$W/fast.out" 2>&1
		wait $SLOW
		check_eq "window 1: a held and a fast XDP attach of portfilter: one on the slot" 1 \
			"$(ids_in "$W/fast.out" "$W/slow.out" | grep -c .)"
		track_prog $(ids_in "$W/fast.out" "$W/slow.out")
		check_pins_consistent "window 1 (an attach noted its pins, another came in)"
	else
		_xk_fail "window 1: the held attach got there" "$(<"$W/slow.err")"
	fi

	# Window 2: a detach --purge held right before its first unlink (it found no user), while
	# an attach reuses those pins: the purge must not unpin maps the new program uses.
	x detach veth0 --all --purge
	x attach veth0 portfilter --tc ingress
	if slow 1 unlink detach veth0 --all --tc ingress --purge; then
		on_host "$X" attach veth0 portfilter --tc egress >"$W/fast.out" 2>&1
		wait $SLOW
		check_eq "window 2: the attach during the held purge succeeded" 1 \
			"$(ids_in "$W/fast.out" | grep -c .)"
		track_prog $(ids_in "$W/fast.out")
		check_pins_consistent "window 2 (a purge found no user, an attach came in)"
	else
		_xk_fail "window 2: the held purge got there" "$(<"$W/slow.err")"
	fi

	# Window 3: the last filter's detach held right before it removes the clsact qdisc (its last
	# netlink message, after it counted no filter) while an attach puts a filter on that qdisc:
	# the filter the attach reported must be there afterwards.
	x detach veth0 --all --purge
	x attach veth0 count --tc ingress
	n=$(calls sendto '' -- detach veth0 --id "$(k_tc_ids ingress)" --tc ingress)
	x attach veth0 count --tc ingress
	if slow "$n" sendto detach veth0 --id "$(k_tc_ids ingress)" --tc ingress; then
		on_host "$X" attach veth0 count --tc ingress >"$W/fast.out" 2>&1
		wait $SLOW
		check_eq "window 3: the filter attached during the held clean-up is there" \
			"$(ids_in "$W/fast.out")" "$(k_tc_ids ingress)"
		track_prog $(ids_in "$W/fast.out")
	else
		_xk_fail "window 3: the held detach got there" "$(<"$W/slow.err")"
	fi
}
if command -v strace >/dev/null; then
	windows
else
	echo "no strace here (the VM guest): no windows held open"
fi

# --- the end: the holder off lo, one detach --all --purge, nothing left --------------------------
check "holder off lo" on_host "$X" detach lo --all
check "detach --all --purge" on_host "$X" detach veth0 --all --purge
check_all_clean "after detach --all --purge"
check_all_clean "after detach --all --purge" lo
check_gone "after detach --all --purge"

for kind in xdp-attach xdp-detach tc-attach tc-detach map-set map-del map-get map-load cidr-set \
	cidr-del; do
	figure "storm, $kind: attempted / succeeded" "$(awk -v k=$kind '$1 == k { n++; ok += !$2 }
		END { printf "%d / %d", n, ok }' "$W/ops")"
done
figure "storm: calls of all managers" \
	"$(grep -c . "$W/ops") in $((elapsed / 100)).$(printf '%02d' $((elapsed % 100))) s"
figure "storm: XDP attaches refused (exit 1: slot taken, mode)" "$(grep -c '^xdp-attach 1' "$W/ops")"
figure "storm: keys in blocklist_v4 / prefixes in blocklist_cidr4" \
	"$(cat "$W"/m*.v4 | grep -c .) / $(cat "$W"/m*.cidr | grep -c .)"
figure "duels (8 calls at once) / free-running prefix writes" \
	"$DUELS / $((MANAGERS * (WRITES + WRITES / 3)))"
figure "split pins found / programs and maps leaked" "${SPLIT:-0} / ${LEAKS:-0}"
stress_done
