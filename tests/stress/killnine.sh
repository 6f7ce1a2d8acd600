#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# killnine.sh: SIGKILL at random points of attach, detach and map load (issue 9, hardening). Each
# round builds a state, starts one xdpkit command on it and kills it with -9, either after a random
# delay (0 to 1.2 times what that command took uninterrupted in this run) or right before its K-th
# call of one system call (strace's signal injection: K-th bpf() of a load, pin or batch write, the
# netlink message that attaches, an unlink of a purge, ...). Afterwards:
#   - the next command is not wedged (a stale lock would hang it: `timeout` says so),
#   - `xdpkit status` shows exactly the programs, filters and pins that ip, tc and bpffs show,
#   - after a killed `map load`, the map holds only keys of the file (and those it had before),
#   - one `xdpkit detach veth0 --all --purge` leaves nothing: no XDP program, no filter, no clsact
#     qdisc, no pin, nothing in libxdp's state directory, and the kernel frees every program and
#     map seen.
# Also: a libxdp lock held by a process killed with -9 does not block the next attach.
# Usage: killnine.sh [short|full]   short: 6 kills, 200k-line map file; full: 100 kills, 1M lines.
. "$(dirname "$0")/lib.sh"
xk_private "$@"
stress_mode "$@"
xk_env_setup killnine
xk_cleanup on_host "$X" detach veth0 --all --purge
command -v strace >/dev/null || xk_abort "strace is missing (scripts/deps.sh test installs it)"

KILLS=$(by_mode 6 100)
LINES=$(by_mode 200000 1000000)
W=$STRESS_TMP
OPS=(xdp-attach xdp-detach tc-attach tc-detach map-load purge)
KILLED=0
COMPLETED=0
declare -A N_KILLED=() N_DONE=() DUR=() CALLS=()

# The map file: LINES distinct addresses in 10.0.0.0/12, one a line.
awk -v n="$LINES" 'BEGIN {
	for (i = 0; i < n; i++) printf "10.%d.%d.%d\n", i / 65536, i / 256 % 256, i % 256 }' \
	>"$W/rules.txt"

x() { on_host "$X" "$@" >/dev/null 2>&1; }
# An xdpkit command that may not hang: a stale lock would show as exit 124 after 60 s.
x_timed() { timeout 60 nsenter --net="/run/netns/$XK_NS" -- "$X" "$@"; }

# base OP: the state the command of OP works on (built uninterrupted).
base()
{
	case $1 in
	xdp-attach | tc-attach)
		# Half the time with rules kept from an earlier attach (pins that the load reuses).
		VAR=${FORCE_VAR:-$((RANDOM % 2))}
		if [ "$VAR" = 1 ]; then
			x attach veth0 blocklist && x map set blocklist_v4 192.0.2.1 5 &&
				x detach veth0 blocklist
		fi
		;;
	xdp-detach)
		x attach veth0 blocklist && x map set blocklist_v4 192.0.2.1 5
		;;
	map-load)
		# Half the time into a map that holds a rule: then the load first reads every key it
		# will write (for a rollback), and its batch writes come after those look-ups.
		VAR=${FORCE_VAR:-$((RANDOM % 2))}
		RULE=$VAR
		# Room for the whole file (the default holds 32k rules).
		x attach veth0 blocklist --capacity blocklist_v4=1048576 &&
			{ [ $RULE = 0 ] || x map set blocklist_v4 192.0.2.1 5; }
		;;
	tc-detach)
		x attach veth0 blocklist portfilter --tc ingress &&
			x attach veth0 count --tc egress &&
			x map set portfilter_ports 53
		;;
	purge)
		x attach veth0 blocklist && x attach veth0 blocklist portfilter --tc ingress &&
			x attach veth0 count --tc egress && x map set blocklist_v4 192.0.2.1 5
		;;
	esac
}

# cmd OP: the command that gets killed.
cmd()
{
	case $1 in
	xdp-attach) echo attach veth0 blocklist ;;
	xdp-detach) echo detach veth0 blocklist $([ $((RANDOM % 2)) = 0 ] && echo --purge) ;;
	tc-attach) echo attach veth0 blocklist portfilter --tc ingress ;;
	tc-detach)
		echo detach veth0 --all --tc ingress $([ $((RANDOM % 2)) = 0 ] && echo --purge)
		;;
	map-load) echo map load blocklist_v4 "$W/rules.txt" ;;
	purge) echo detach veth0 --all --purge ;;
	esac
}

cleanup_all() { x detach veth0 --all --purge; }

# Calibration, uninterrupted: how long each command takes here and how often it makes each system
# call where a kill is interesting (bpf: loads, pins, batch writes; sendto/sendmsg: netlink attach
# and detach; unlink: purge; flock: locks; mmap: reading the map file).
SYSCALLS=bpf,sendto,sendmsg,unlink,flock,mkdir
# calibrate KEY OP: DUR[KEY] and the kill points $W/points.KEY of OP's command on its base state.
calibrate()
{
	local key=$1 op=$2 c t0
	base "$op"
	read -r -a c <<<"$(cmd "$op")"
	t0=$(mono_cs)
	on_host "$X" "${c[@]}" >/dev/null 2>&1
	DUR[$key]=$(($(mono_cs) - t0))
	cleanup_all
	base "$op"
	on_host strace -f -qq -o "$W/strace.$key" -e trace=$SYSCALLS "$X" "${c[@]}" >/dev/null 2>&1
	# Kill points: "SYSCALL K LABEL", the K-th call of SYSCALL; every call but the look-ups a
	# load makes per key (200k of them would crowd out the batch writes and the pins), up to the
	# 65535th (strace's limit: batch writes after a million look-ups are left to the delays).
	sed -n 's/^[0-9]* *\([a-z]*\)(\([A-Z_]*\)\{0,1\}\([^,)]*\).*/\1 \2\3/p' "$W/strace.$key" |
		awk '{ n[$1]++ }
		$2 != "BPF_MAP_LOOKUP_ELEM" && $2 != "BPF_MAP_GET_NEXT_KEY" && n[$1] <= 65535 {
			print $1, n[$1], $1 == "bpf" ? "bpf(" $2 ")" : $1 "()" }' >"$W/points.$key"
	cleanup_all
	echo "calibration: $key takes $((DUR[$key] * 10)) ms; kill points:" \
		"$(awk '{ print $3 }' "$W/points.$key" | sort | uniq -c |
			awk '{ printf "%s x%d  ", $2, $1 }')"
}
# The kind of round: the command and, where the base state has two variants, which one (attach:
# pins kept from before or not; map-load: a rule in the map before or not).
has_variants() { case $1 in xdp-attach | tc-attach | map-load) true ;; *) false ;; esac; }
key_of() { if has_variants "$1"; then echo "$1.$VAR"; else echo "$1"; fi; }
for op in "${OPS[@]}"; do
	if has_variants "$op"; then
		FORCE_VAR=0 calibrate "$op.0" "$op"
		FORCE_VAR=1 calibrate "$op.1" "$op"
	else
		calibrate "$op" "$op"
	fi
done
check_all_clean "after calibration"

# target KEY WHAT: a kill point "SYSCALL K LABEL" picked from KEY's calibration trace:
#   pinned   the first netlink message after the first pins: maps pinned, nothing attached
#   batch    the middle one of a load's batch writes
#   locked   the first bpf() after the flock: inside xdpkit's lock
#   unlink2  the second unlink of a purge: half purged
target()
{
	awk -v what="$2" '
	!match($0, /^[0-9]+ +[a-z]+\(/) { next }
	{
		sc = $2; sub(/\(.*/, "", sc); n[sc]++
		cmd = $2; sub(/^[a-z]+\(/, "", cmd); sub(/,.*/, "", cmd)
	}
	what == "pinned" && cmd == "BPF_OBJ_PIN" { pinned = 1 }
	what == "pinned" && sc == "sendto" && pinned && !k {
		k = n[sc]
		label = "the netlink message after the first pins"
	}
	what == "batch" && cmd == "BPF_MAP_UPDATE_BATCH" { b[++nb] = n[sc] }
	what == "locked" && sc == "flock" { locked = 1 }
	what == "locked" && sc == "bpf" && locked && !k {
		k = n[sc]
		label = "the first bpf() in the lock"
	}
	what == "unlink2" && sc == "unlink" && n[sc] == 2 {
		k = 2
		label = "the second unlink of the purge"
	}
	END {
		if (what == "batch" && nb) {
			k = b[int((nb + 1) / 2)]
			label = "the middle batch write"
		}
		sc = what == "pinned" ? "sendto" : what == "unlink2" ? "unlink" : "bpf"
		if (k) print sc, k, label
	}' "$W/strace.$1"
}

# kill_at KEY CMD...: run CMD, kill -9 it at a random point (or at POINT, "SYSCALL K LABEL", when
# set); sets HOW (what killed it) and RC.
kill_at()
{
	local op=$1 pid ms points name k label
	shift
	if [ -z "$POINT" ] && [ $((RANDOM % 2)) = 0 ]; then
		ms=$((RANDOM * 12 * (DUR[$op] * 10 + 10) / 327670))
		on_host "$X" "$@" >/dev/null 2>&1 &
		pid=$!
		sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
		kill -9 $pid 2>/dev/null
		wait $pid 2>/dev/null
		RC=$?
		HOW="after ${ms} ms"
	else
		# A kind of call first (each as likely: the 4 batch writes of a load weigh as much
		# as its 40 look-ups of objects), then one of its calls.
		mapfile -t points < <(cut -d' ' -f3 "$W/points.$op" | sort -u)
		label=${points[RANDOM % ${#points[@]}]}
		mapfile -t points < <(grep -F " $label" "$W/points.$op")
		read -r name k label <<<"${POINT:-${points[RANDOM % ${#points[@]}]}}"
		on_host strace -f -qq -o "$W/kill.st" -e trace="$name" \
			-e inject="$name:signal=KILL:when=$k" \
			"$X" "$@" >/dev/null 2>"$W/kill.err"
		RC=$?
		grep -q '^strace:' "$W/kill.err" &&
			_xk_fail "strace ran the kill" "$(<"$W/kill.err")"
		HOW="right before $label, $name() call $k"
	fi
}

# check_map_partial WHAT: after a killed load, blocklist_v4 holds keys of the file and the one rule
# it had before, nothing else.
check_map_partial()
{
	local out n stray
	out=$(on_host "$X" map dump blocklist_v4 2>/dev/null | grep -v '^#')
	n=$(grep -c . <<<"$out")
	stray=$(awk '$1 != "192.0.2.1" { split($1, o, "."); if (o[1] != 10 || o[2] > 15) print }' \
		<<<"$out" | head -3)
	check_le "$1: blocklist_v4 holds at most the file and the earlier rule ($n entries)" \
		$((LINES + RULE)) "$n"
	check_eq "$1: blocklist_v4 holds no key from elsewhere" "" "$stray"
	if [ "$RULE" = 1 ]; then
		check_eq "$1: the earlier rule kept its value" 5 \
			"$(on_host "$X" map get blocklist_v4 192.0.2.1 2>&1)"
	fi
	figure "map load killed $HOW: entries written" \
		"$((n - RULE)) of $LINES$([ "$RULE" = 1 ] && echo " (and the rule from before)")"
}

# The first rounds kill at points chosen on purpose; the others at random ones, until KILLS commands
# were killed (a command may end before its kill comes).
TARGETS=("xdp-attach 0 pinned" "tc-attach 0 pinned" "map-load 0 batch" "xdp-attach 1 locked"
	"purge - unlink2")
for ((r = 1; KILLED < KILLS && r <= 3 * KILLS; r++)); do
	op=${OPS[(r - 1) % ${#OPS[@]}]}
	[ "$STRESS_MODE" = full ] && op=${OPS[RANDOM % ${#OPS[@]}]}
	POINT=""
	what=""
	unset FORCE_VAR
	if [ $r -le ${#TARGETS[@]} ]; then
		read -r op FORCE_VAR what <<<"${TARGETS[r - 1]}"
		[ "$FORCE_VAR" = - ] && unset FORCE_VAR
		VAR=${FORCE_VAR:-}
		POINT=$(target "$(key_of "$op")" "$what")
		[ -n "$POINT" ] ||
			_xk_fail "round $r: no '$what' point in the trace of $(key_of "$op")"
	fi
	base "$op"
	track_now
	read -r -a c <<<"$(cmd "$op")"
	kill_at "$(key_of "$op")" "${c[@]}"
	if [ -n "$POINT" ]; then
		check_eq "round $r: $op killed at $what" 137 "$RC"
		case $what in
		pinned)
			check_eq "round $r: nothing attached" "" \
				"$(xdp_prog_id; k_tc_ids ingress; k_tc_ids egress)"
			check_ne "round $r: the maps are pinned" "" "$(k_pins)"
			;;
		unlink2)
			check_ne "round $r: some pins are left" "" "$(k_pins)"
			;;
		esac
	fi
	if [ "$RC" = 137 ]; then
		KILLED=$((KILLED + 1))
		N_KILLED[$op]=$((${N_KILLED[$op]:-0} + 1))
	else
		COMPLETED=$((COMPLETED + 1))
		N_DONE[$op]=$((${N_DONE[$op]:-0} + 1))
	fi
	if [ "$RC" = 137 ]; then
		echo "round $r: $op killed $HOW: ${c[*]}"
	else
		echo "round $r: $op done before the kill ($HOW, exit $RC): ${c[*]}"
	fi
	track_now
	out=$(x_timed status 2>&1)
	check_eq "round $r: the next command is not wedged" 0 $?
	check_status_truth "round $r"
	[ "$op" = map-load ] && [ "$RC" = 137 ] && check_map_partial "round $r"
	if [ "$what" = batch ] && [ -n "$POINT" ]; then
		n=$(on_host "$X" map dump blocklist_v4 2>/dev/null | grep -vc '^#')
		check_ge "round $r: killed between batch writes: some entries written" 1 "$n"
		check_le "round $r: ... but not all" $((LINES - 1)) "$n"
	fi
	check "round $r: detach veth0 --all --purge" on_host "$X" detach veth0 --all --purge
	check_all_clean "round $r"
	[ $((r % 10)) = 0 ] && check_gone "round $r"
done
ROUNDS=$((r - 1))
check_eq "$KILLS commands killed" "$KILLS" "$KILLED"
check_gone "after $ROUNDS rounds"

# A libxdp lock whose holder was killed: flock goes with the process, so the next attach goes on.
mkdir -p /sys/fs/bpf/xdp
flock /sys/fs/bpf/xdp sleep 600 &
holder=$!
for ((i = 0; i < 100; i++)); do
	flock -n /sys/fs/bpf/xdp true || break
	sleep 0.1
done
check_eq "the lock is held by the process about to be killed" 1 \
	"$(flock -n /sys/fs/bpf/xdp true; echo $?)"
{
	kill -9 $holder
	wait $holder
} 2>/dev/null
x_timed attach veth0 blocklist >/dev/null 2>&1
check_eq "a libxdp lock left by a process killed with -9: the next attach goes through" 0 $?
check "... and the next detach --all --purge" x_timed detach veth0 --all --purge
check_all_clean "after the stale lock"

for op in "${OPS[@]}"; do
	figure "$op: killed / completed before the kill" "${N_KILLED[$op]:-0} / ${N_DONE[$op]:-0}"
done
figure "kills done / rounds" "$KILLED / $ROUNDS"
figure "map file" "$LINES lines"
figure "leaked programs and maps" "${LEAKS:-0}"
stress_done
