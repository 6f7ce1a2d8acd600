# SPDX-License-Identifier: GPL-2.0-only
# lib.sh: what the hardening cases (tests/stress/*.sh) share, on top of tests/e2e/lib.sh (private
# bpffs, test hosts, assertions, cleanup traps): short/full mode, figures, the kernel's own view of
# what runs and what is pinned (ip, tc, bpftool: never xdpkit), the same view read from `xdpkit
# status`, and the "nothing lost, nothing leaked" checks.
#
#     . "$(dirname "$0")/lib.sh"
#     xk_private "$@"
#     stress_mode "$@"      # STRESS_MODE short|full: first argument, else $XK_STRESS, else short
#     xk_env_setup NAME
#     ... figure "what" N ...
#     stress_done           # the figures, then "N passed, N failed"
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	echo "lib.sh is sourced by the scripts of tests/stress (tests/stress/run.sh runs them)"
	echo "0 passed, 0 failed"
	exit 0
fi
. "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib.sh"

X=${XK_XDPKIT:-$XDPKIT}
export XDPKIT_PROG_DIR=$XK_BUILD
PIN_ROOT=/sys/fs/bpf/xdpkit
_FIGURES=()

stress_mode()
{
	STRESS_MODE=${1:-${XK_STRESS:-short}}
	case $STRESS_MODE in
	short | full) ;;
	*)
		echo "usage: $0 [short|full]  (or XK_STRESS=short|full)" >&2
		exit 2
		;;
	esac
	echo "$XK_TEST: $STRESS_MODE mode"
	STRESS_TMP=$(mktemp -d "/tmp/xk-$XK_TEST.XXXXXX")
	xk_cleanup rm -rf "$STRESS_TMP"
	: >"$STRESS_TMP/progs"
	: >"$STRESS_TMP/maps"
}

# by_mode SHORT FULL: the value for the current mode.
by_mode() { if [ "$STRESS_MODE" = full ]; then echo "$2"; else echo "$1"; fi; }

# figure WHAT VALUE: a figure of the run, printed by stress_done (and nowhere asserted on time).
figure() { _FIGURES+=("$(printf '%-52s %s' "$1" "$2")"); }

stress_done()
{
	local f
	echo "figures ($XK_TEST, $STRESS_MODE mode):"
	for f in "${_FIGURES[@]}"; do echo "  $f"; done
	xk_done
}

# Centiseconds since boot (CLOCK_BOOTTIME, /proc/uptime): only ever later minus earlier.
mono_cs()
{
	local up
	read -r up _ </proc/uptime
	echo $((10#${up%.*} * 100 + 10#${up#*.}))
}

# Set operations on files of lines (busybox in the VM guest has no comm): the lines of A that are
# not in B / that are in B, each once, sorted. (By file name, not NR == FNR: B may be empty.)
minus() { awk 'FILENAME == ARGV[1] { b[$0] = 1; next } !($0 in b)' "$2" "$1" | sort -u; }
both() { awk 'FILENAME == ARGV[1] { b[$0] = 1; next } $0 in b' "$2" "$1" | sort -u; }

# --- the kernel's view --------------------------------------------------------------------------

# Interfaces of the test host (names without the @peer suffix).
k_ifaces() { on_host ip -o link show 2>/dev/null | sed -n 's/^[0-9]*: \([^:@]*\)[:@].*/\1/p'; }
# Program ids of the bpf filters on one side, one a line: k_tc_ids ingress|egress [IFACE]
k_tc_ids() { _tc_bpf_lines "$1" "${2:-$XK_IF}" | grep -o ' id [0-9]*' | cut -d' ' -f3; }
# Number of clsact qdiscs on IFACE.
k_clsact() { on_host tc qdisc show dev "${1:-$XK_IF}" 2>/dev/null | grep -c clsact; }
# "pin PATH MAPID" for every file under the pin root (MAPID empty when it is no map).
k_pins()
{
	local f
	for f in "$PIN_ROOT"/*; do
		[ -e "$f" ] && echo "pin $f $(pinned_map_id "$f")"
	done
	return 0
}

# Everything that runs on the test host and everything pinned under the root, as the kernel says:
# "xdp IFACE ID", "tc IFACE DIR ID" and "pin PATH MAPID" lines, sorted.
kernel_view()
{
	local i id d
	{
		for i in $(k_ifaces); do
			for id in $(xdp_prog_id "$i"); do echo "xdp $i $id"; done
			for d in ingress egress; do
				for id in $(k_tc_ids $d "$i"); do echo "tc $i $d $id"; done
			done
		done
		k_pins
	} | sort
}

# The same lines read from `xdpkit status` (no IFACE: every interface, then the pins no program
# shown uses).
status_view()
{
	local line ifc="" dir="" out
	local re_if='^([^ ]+) \(ifindex [0-9]+\)$' re_tc='^  tc (ingress|egress):'
	local re_xdp='^    (=> )?id ([0-9]+) '
	local re_f='^    pref [0-9]+ +handle 0x[0-9a-f]+ +id ([0-9]+) '
	local re_pin='pinned map [^:]+: ([^ ]+) \(map id ([0-9]+)\)'
	out=$(on_host "$X" status 2>&1) || {
		echo "status failed: $out"
		return 1
	}
	while IFS= read -r line; do
		if [[ $line =~ $re_if ]]; then
			ifc=${BASH_REMATCH[1]}
			dir=xdp
		elif [[ $line =~ $re_tc ]]; then
			dir=${BASH_REMATCH[1]}
		elif [[ $line =~ $re_pin ]]; then
			echo "pin ${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
		elif [[ $line =~ $re_xdp ]] && [ "$dir" = xdp ]; then
			echo "xdp $ifc ${BASH_REMATCH[2]}"
		elif [[ $line =~ $re_f ]]; then
			echo "tc $ifc $dir ${BASH_REMATCH[1]}"
		fi
	done <<<"$out" | sort -u
}

# check_status_truth WHAT: `xdpkit status` shows every program, filter and pin that exists, and
# nothing else.
check_status_truth()
{
	local k s
	k=$(kernel_view)
	s=$(status_view)
	check_eq "$1: xdpkit status shows what ip, tc and bpffs hold" "$k" "$s"
}

# --- ids seen during a run, and whether the kernel still holds them -----------------------------

track_prog() { [ $# = 0 ] || printf '%s\n' "$@" >>"$STRESS_TMP/progs"; }
track_map() { [ $# = 0 ] || printf '%s\n' "$@" >>"$STRESS_TMP/maps"; }
# The map ids a program uses (from bpftool prog show), one a line.
prog_map_ids()
{
	local out re='map_ids ([0-9,]+)'
	out=$(bpftool prog show id "$1" 2>/dev/null)
	[[ $out =~ $re ]] && tr , '\n' <<<"${BASH_REMATCH[1]}"
	return 0
}
# Track everything attached on the test host now, and the maps those programs use and the pins.
track_now()
{
	local kind rest id
	while read -r kind rest; do
		case $kind in
		xdp | tc)
			id=${rest##* }
			track_prog "$id"
			track_map $(prog_map_ids "$id")
			;;
		pin) track_map "${rest##* }" ;;
		esac
	done < <(kernel_view)
}

# Ids of kind prog|map among the tracked ones that the kernel still has.
_alive()
{
	local kind=$1
	both "$STRESS_TMP/${kind}s" <(bpftool "$kind" list 2>/dev/null |
		sed -n 's/^\([0-9][0-9]*\): .*/\1/p')
}

# check_gone WHAT: no program and no map seen during the run is left in the kernel (nothing holds
# them: no attachment, no pin, no process). cls_bpf and the netns teardown free programs after an
# RCU grace period or a work item: wait for it (up to 30 s; a bound, not a measurement).
check_gone()
{
	local what=$1 i progs maps np nm
	for ((i = 0; i < 60; i++)); do
		progs=$(_alive prog)
		maps=$(_alive map)
		[ -z "$progs$maps" ] && break
		sleep 0.5
	done
	np=$(sort -u "$STRESS_TMP/progs" | grep -c .)
	nm=$(sort -u "$STRESS_TMP/maps" | grep -c .)
	check_eq "$what: none of the $np programs seen is left in the kernel" "" "$(echo $progs)"
	check_eq "$what: none of the $nm maps seen is left in the kernel" "" "$(echo $maps)"
	[ -z "$progs" ] || bpftool prog list | grep -A3 -E "^($(echo $progs | tr ' ' '|')):" |
		sed 's/^/      /'
	LEAKS=$((${LEAKS:-0} + $(echo $progs $maps | wc -w)))
}

# check_all_clean WHAT [IFACE]: nothing of ours on the interface or in bpffs: no XDP program, no
# filter, no clsact qdisc, no pin, no pin root, nothing in libxdp's state directory.
check_all_clean()
{
	local what=$1 dev=${2:-$XK_IF}
	check_eq "$what: no XDP program on $dev" "" "$(xdp_prog_id "$dev")"
	check_eq "$what: no TC filter on $dev ingress" "" "$(k_tc_ids ingress "$dev")"
	check_eq "$what: no TC filter on $dev egress" "" "$(k_tc_ids egress "$dev")"
	check_eq "$what: no clsact qdisc on $dev" 0 "$(k_clsact "$dev")"
	check_eq "$what: nothing pinned in bpffs" "" "$(bpffs_files)"
	check_eq "$what: no pin root left" "" "$(ls -d "$PIN_ROOT" 2>/dev/null)"
	check_eq "$what: libxdp's state directory is empty" "" \
		"$(ls -A /sys/fs/bpf/xdp 2>/dev/null)"
}

# --- pins and the programs that use them ---------------------------------------------------------

# Names of the maps the collection pins by name (blocklist_v4, portfilter_ports, ...), read once
# from the objects' BTF.
pinned_names()
{
	local p
	if [ -z "${_PINNED_NAMES:-}" ]; then
		_PINNED_NAMES=$(for p in blocklist portfilter ratelimit count hello pong; do
			obj_pinned_maps "$XK_BUILD/$p.bpf.o"
		done | sort -u)
	fi
	echo "$_PINNED_NAMES"
}

# check_pins_consistent WHAT: every attached program uses, for each map its object pins by name,
# the very map pinned under that name. A program whose rule map lost its pin (or got a second copy)
# would no longer see the rules written by name: "split brain". Counted in SPLIT.
check_pins_consistent()
{
	local what=$1 bad="" kind rest id m name pin line n
	local -A names=() full=()
	local re='^([0-9]+): [a-z_]+ +name ([^ ]+) '
	# The kernel keeps 15 characters of a name (portfilter_port): back to the pinned name.
	for n in $(pinned_names); do full[${n:0:15}]=$n; done
	while read -r line; do
		[[ $line =~ $re ]] && names[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
	done < <(bpftool map list 2>/dev/null)
	while read -r kind rest; do
		case $kind in xdp | tc) ;; *) continue ;; esac
		id=${rest##* }
		for m in $(prog_map_ids "$id"); do
			name=${full[${names[$m]:-none}]:-}
			[ -n "$name" ] || continue
			pin=$(pinned_map_id "$PIN_ROOT/$name")
			[ "$pin" = "$m" ] ||
				bad+="program $id ($rest) uses $name map $m, pinned: ${pin:-none}; "
		done
	done < <(kernel_view)
	check_eq "$what: every attached program uses the maps pinned under their names" "" "$bad"
	[ -z "$bad" ] || SPLIT=$((${SPLIT:-0} + 1))
}

# --- a snapshot of everything a failed command must leave as it was -------------------------------

# bpffs (every entry, its inode and mode; the contents of every pinned map), ip -d link of the test
# host (XDP state), tc qdiscs and filters both ways on veth0 and lo. Five processes: it runs once
# per case of the bad-input matrix.
state_snapshot()
{
	local f batch=""
	while IFS= read -r f; do
		echo "$f"
		[ "${f%% *}" = file ] && batch+="map dump pinned ${f#file }"$'\n'
	done < <(
		shopt -s globstar nullglob dotglob
		for f in /sys/fs/bpf/**; do
			[[ $f == *.debug ]] && continue
			if [ -d "$f" ]; then echo "dir $f"; else echo "file $f"; fi
		done
	)
	# Inode numbers: a pin replaced by another (unlinked and pinned again) gets a new one.
	# Cheaper than map ids, which bpftool finds with a BPF iterator run per call.
	(
		shopt -s globstar nullglob dotglob
		f=(/sys/fs/bpf/**)
		stat -c '%i %a %n' "${f[@]}"
	)
	# bpftool stops a batch at the first command that fails: what it printed is the state.
	[ -z "$batch" ] || bpftool batch file - <<<"$batch" 2>&1
	# The link lines and the XDP program lines; not the peer's namespace, which ip names or
	# numbers depending on what other tests do in /run/netns at that moment.
	on_host ip -d link show 2>/dev/null | grep -E '^[0-9]+:|prog/xdp'
	on_host tc -batch - 2>&1 <<<$'qdisc show
filter show dev veth0 ingress\nfilter show dev veth0 egress
filter show dev lo ingress\nfilter show dev lo egress'
}
