# SPDX-License-Identifier: GPL-2.0-only
# lib.sh: sourced by every tests/e2e/test_*.sh — private bpffs, test hosts, assertions, cleanup.
#
# A test script does:
#     . "$(dirname "$0")/lib.sh"
#     xk_private            # re-runs the script in its own mount namespace with a private bpffs
#     xk_env_setup          # test host: namespaces $XK_NS and $XK_PEER_NS, veth0 <-> veth1
# (scripts/testenv.sh)
#     check_eq "what" expected got ...
#     xk_done               # prints "N passed, N failed", exit status 1 on any failure
# V=1 traces every command of the test body.
set -u

XK_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
XK_BUILD=$XK_ROOT/build
XDPKIT=$XK_BUILD/xdpkit
TESTENV=$XK_ROOT/scripts/testenv.sh
XK_TEST=$(basename "$0" .sh)
PASSED=0
FAILED=0
_XK_CLEANUP=()

# Re-run this script under `unshare -m` with a bpffs of its own on /sys/fs/bpf (and tracefs if the
# host has none mounted), so pins by name never meet another test's. The mounts vanish with the
# namespace, even on a crash.
xk_private()
{
	if [ -z "${XK_E2E_PRIVATE:-}" ]; then
		XK_E2E_PRIVATE=1 exec "$(dirname "${BASH_SOURCE[0]}")/../../scripts/private-mounts.sh" "$BASH" "$0" "$@"
	fi
	mount -t bpf bpf /sys/fs/bpf || xk_abort "cannot mount a private bpffs on /sys/fs/bpf"
	if [ ! -e /sys/kernel/tracing/trace ]; then
		mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || true
	fi
}

# xk_host_only TOOL...: a test that needs tools the vmtest guests do not carry (curl, promtool,
# systemd-analyze). In a guest (XK_VM_GUEST=1, set by tests/vm/run-in-guest.sh) it says so and ends
# with nothing run; on the host a missing tool is a failure (scripts/deps.sh test installs them).
xk_host_only()
{
	local t missing=()
	for t in "$@"; do
		command -v "$t" >/dev/null || missing+=("$t")
	done
	[ ${#missing[@]} = 0 ] && return 0
	if [ "${XK_VM_GUEST:-0}" = 1 ]; then
		echo "  skip  host-only: the VM guest has no ${missing[*]}"
		xk_done
	fi
	xk_abort "missing ${missing[*]}: run scripts/deps.sh test"
}

xk_abort()
{
	echo "$XK_TEST: $*" >&2
	FAILED=$((FAILED + 1))
	xk_done
}

# Commands run on exit in reverse order, whether the test passed, failed or was interrupted.
xk_cleanup()
{
	_XK_CLEANUP+=("$*")
}

_xk_run_cleanup()
{
	local i
	set +x
	for ((i = ${#_XK_CLEANUP[@]} - 1; i >= 0; i--)); do
		eval "${_XK_CLEANUP[$i]}" >/dev/null 2>&1
	done
	_XK_CLEANUP=()
}
trap _xk_run_cleanup EXIT
trap 'exit 130' INT TERM

# A test host named after the test and this process: xkt-<tag>-<pid>. Sets the XK_* variables of
# testenv.sh.
xk_env_setup()
{
	local tag=${1:-${XK_TEST#test_}}
	local name="xkt-${tag:0:16}-$$"
	"$TESTENV" setup "$name" --owner $$ || xk_abort "testenv setup $name failed"
	xk_cleanup "$TESTENV" teardown "$name"
	eval "$("$TESTENV" env "$name")"
	[ "${V:-0}" = 1 ] && set -x
	return 0
}

# Run in the test host / in its peer, with the private bpffs visible.
on_host() { nsenter --net="/run/netns/$XK_NS" -- "$@"; }
on_peer() { nsenter --net="/run/netns/$XK_PEER_NS" -- "$@"; }

_xk_ok()
{
	PASSED=$((PASSED + 1))
	echo "  ok    $1"
}

_xk_fail()
{
	FAILED=$((FAILED + 1))
	echo "  FAIL  $1"
	shift
	local l
	for l in "$@"; do
		printf '%s\n' "$l" | sed 's/^/          /'
	done
}

check_eq()
{
	if [ "$2" = "$3" ]; then _xk_ok "$1"; else _xk_fail "$1" "expected: $2" "got:      $3"; fi
}

check_ne()
{
	if [ "$2" != "$3" ]; then _xk_ok "$1"; else _xk_fail "$1" "expected anything but: $2"; fi
}

# check_ge WHAT MIN GOT
check_ge()
{
	if [[ "$3" =~ ^-?[0-9]+$ ]] && [ "$3" -ge "$2" ]; then _xk_ok "$1"; else _xk_fail "$1" "expected: >= $2" "got:      $3"; fi
}

# check_le WHAT MAX GOT
check_le()
{
	if [[ "$3" =~ ^-?[0-9]+$ ]] && [ "$3" -le "$2" ]; then _xk_ok "$1"; else _xk_fail "$1" "expected: <= $2" "got:      $3"; fi
}

# Whole seconds since boot (CLOCK_BOOTTIME): for durations, which the wall clock gets wrong when a freshly
# booted machine steps its time. Only later minus earlier: nothing is subtracted from a reading.
mono_s()
{
	local up
	read -r up _ </proc/uptime
	echo "${up%.*}"
}

# check_match WHAT EXTENDED-REGEX TEXT
check_match()
{
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then _xk_ok "$1"; else _xk_fail "$1" "expected to match: $2" "got: $3"; fi
}

check_nomatch()
{
	if ! printf '%s\n' "$3" | grep -Eq -- "$2"; then _xk_ok "$1"; else _xk_fail "$1" "expected not to match: $2" "got: $3"; fi
}

# check WHAT CMD...: the command succeeds.   check_fails WHAT CMD...: it fails.
check()
{
	local what=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc = 0 ]; then _xk_ok "$what"; else _xk_fail "$what" "command: $*" "exit $rc: $out"; fi
}

check_fails()
{
	local what=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc != 0 ]; then _xk_ok "$what"; else _xk_fail "$what" "command: $*" "expected failure, got exit 0: $out"; fi
}

# Pings from the peer; return 0 when every one was answered. ping4/ping6 ADDR [COUNT]
ping4() { on_peer ping -q -c "${2:-3}" -i 0.2 -W 1 "$1" >/dev/null 2>&1; }
ping6() { on_peer ping -6 -q -c "${2:-3}" -i 0.2 -W 1 "$1" >/dev/null 2>&1; }
# Number of replies received from COUNT pings (pings that may partly fail).
ping_replies()
{
	local fam=$1 addr=$2 count=$3
	on_peer ping "-$fam" -q -c "$count" -i 0.05 -W 1 "$addr" 2>/dev/null |
		sed -n 's/.* \([0-9]*\) received.*/\1/p'
}

# --- what the kernel reports
# -------------------------------------------------------------------------

# xdp-loader, run in the test host. xdp-loader (xdp-tools 1.3.1) runs one instance per system: each
# takes /run/xdp-loader.lck with O_EXCL before doing anything, and a second one started meanwhile
# exits at once ("Unable to read PID from lockfile: File exists", "... Already held by pid N").
# Tests run side by side (J=3), so the suite's calls wait their turn on a flock; one that still
# meets the lock (someone else's xdp-loader on this machine) did nothing: run again, up to 20 s.
XK_LOADER_LOCK=/run/xdpkit-e2e-xdp-loader.lock
xdp_loader()
{
	local err rc
	for _ in $(seq 100); do
		{ err=$(flock "$XK_LOADER_LOCK" \
			nsenter --net="/run/netns/$XK_NS" -- xdp-loader "$@" 2>&1 >&3); } 3>&1
		rc=$?
		[ $rc != 0 ] && [[ $err =~ lockfile|"program lock" ]] || break
		sleep 0.2
	done
	[ -z "$err" ] || printf '%s\n' "$err" >&2
	return $rc
}

# XDP program on the host's IFACE (default veth0) as the kernel reports it, empty when none. Where
# libxdp chains programs (kernels that allow freplace, as in the VM guest) the kernel runs its
# dispatcher: then the ids of the dispatcher's components in run order, one a line, as xdp-loader
# (libxdp's own view, not xdpkit's) lists them. libxdp pins the dispatcher's state before it
# attaches it, so a dispatcher in ip link always has its components listed; if xdp-loader fails all
# the same, its message goes to the test log and the dispatcher's own id is returned (an XDP program
# is there). Plain text and bash matching, no jq: every process counts under an emulated CPU (~0.1 s
# each, jq 0.35 s).
xdp_prog_id()
{
	local dev=${1:-$XK_IF} out re='prog/xdp[a-z]* id ([0-9]+) name ([^ ]+)' line ids
	local comp='^=> +[0-9]+ +[^ ]+ +([0-9]+) '
	out=$(on_host ip link show dev "$dev" 2>/dev/null)
	[[ $out =~ $re ]] || return 0
	if [ "${BASH_REMATCH[2]}" != xdp_dispatcher ]; then
		echo "${BASH_REMATCH[1]}"
		return 0
	fi
	local did=${BASH_REMATCH[1]}
	# " =>  PRIO  NAME  ID  TAG  ACTIONS" under the dispatcher's line.
	out=$(xdp_loader status "$dev" 2>&1)
	ids=$(while read -r line; do
		[[ $line =~ $comp ]] && echo "${BASH_REMATCH[1]}"
	done <<<"$out")
	[ -n "$ids" ] || printf '%s: xdp-loader lists no component of dispatcher %s on %s:\n%s\n' \
		xdp_prog_id "$did" "$dev" "$out" >&2
	echo "${ids:-$did}"
}
# XDP attach mode as ip -j reports it: 1 native (xdp), 2 generic (xdpgeneric), 3 offload, 4 several.
xdp_mode()
{
	local out
	out=$(on_host ip link show dev "${1:-$XK_IF}" 2>/dev/null)
	case " ${out%%$'\n'*} " in
	*" xdp "*) echo 1 ;;
	*" xdpgeneric "*) echo 2 ;;
	*" xdpoffload "*) echo 3 ;;
	*" xdpmulti "*) echo 4 ;;
	esac
}
# TC filters on a direction as "name" lines (empty when none; "?" for a filter without a name):
# tc_filters ingress|egress [IFACE]. tc_prog_id ingress|egress [IFACE]: the first filter's
# program id. From tc's plain "... handle 0x1 [flowid X] NAME direct-action not_in_hw id N name P
# tag T" lines.
_tc_bpf_lines() { on_host tc filter show dev "${2:-$XK_IF}" "$1" 2>/dev/null | grep ' handle '; }
tc_filters()
{
	local line re='handle [0-9a-fx]+ (flowid [^ ]+ )?([^ ]+)'
	_tc_bpf_lines "$@" | while read -r line; do
		[[ $line =~ $re ]] || continue
		case ${BASH_REMATCH[2]} in
		direct-action | not_in_hw | in_hw | id | skip_hw | skip_sw) echo "?" ;;
		*) echo "${BASH_REMATCH[2]}" ;;
		esac
	done
}
tc_prog_id()
{
	local out re=' id ([0-9]+) '
	out=$(_tc_bpf_lines "$@")
	[[ $out =~ $re ]] && echo "${BASH_REMATCH[1]}"
	return 0
}
# Every file under the private bpffs, except the kernel's preloaded iterators (maps.debug,
# progs.debug), in glob order. A bash glob, not find | sort: called twice per case in some tests.
bpffs_files()
{
	local f
	(
		shopt -s globstar nullglob dotglob
		for f in /sys/fs/bpf/**; do
			[ -d "$f" ] || [ -L "$f" ] || [[ $f == *.debug ]] || echo "$f"
		done
	)
}

# The maps of an object that carry `pinning = LIBBPF_PIN_BY_NAME`, from its BTF (one name a line).
obj_pinned_maps()
{
	bpftool -j btf dump file "$1" | jq -r '
		(.types | map({key: (.id | tostring), value: .}) | from_entries) as $t
		| .types[] | select(.kind == "DATASEC" and .name == ".maps") | .vars[]
		| $t[(.type_id | tostring)] as $v | $t[($v.type_id | tostring)] as $s
		| select(any($s.members[]?; .name == "pinning"
			and $t[($t[(.type_id | tostring)].type_id | tostring)].nr_elems == 1))
		| $v.name'
}
# Sections of an ELF64 little-endian object as "name offset size" lines, read with od and bash
# alone (the VM guest has neither llvm-objdump nor readelf). Names are looked up in the section-name
# string table, where one string may end another's (LLVM stores "xdp" inside ".relxdp").
elf_sections()
{
	local f=$1 h=() w=() strs=() starts=() shoff shnum stridx i j s pos name
	read -r -a h <<<"$(od -An -v -tu2 -j 40 -N 24 "$f" | tr "\n" " ")"
	[ ${#h[@]} = 12 ] || return 1
	shoff=$((h[0] | h[1] << 16 | h[2] << 32))
	shnum=${h[10]}
	stridx=${h[11]}
	[ "${h[9]}" = 64 ] || return 1
	# 16 32-bit words per header: name at 0, offset at 6, size at 8 (the high words are 0 here).
	read -r -a w <<<"$(od -An -v -tu4 -j "$shoff" -N $((shnum * 64)) "$f" | tr '\n' ' ')"
	mapfile -t strs < <(tail -c +$((w[stridx * 16 + 6] + 1)) "$f" |
		head -c "${w[stridx * 16 + 8]}" | tr '\0' '\n')
	pos=0
	for s in "${strs[@]}"; do
		starts+=("$pos")
		pos=$((pos + ${#s} + 1))
	done
	for ((i = 0; i < shnum; i++)); do
		pos=${w[i * 16]}
		name=""
		for ((j = ${#starts[@]} - 1; j >= 0; j--)); do
			if [ "${starts[j]}" -le "$pos" ]; then
				name=${strs[j]:pos-starts[j]}
				break
			fi
		done
		echo "${name:-?} ${w[i * 16 + 6]} ${w[i * 16 + 8]}"
	done
}
# Entry sections of an object among xdp/tc (what iproute2's `sec` names).
obj_sections()
{
	local name off size
	elf_sections "$1" | while read -r name off size; do
		[ "$name" = xdp ] || [ "$name" = tc ] && echo "$name"
	done
	return 0
}
# The first string of section NAME of an object (what `readelf -p NAME` shows first); empty if none.
obj_section_text()
{
	local name off size
	elf_sections "$1" | while read -r name off size; do
		[ "$name" = "$2" ] || continue
		tail -c +$((off + 1)) "$1" | head -c "$size" | tr '\0' '\n' | head -n 1
		break
	done
}

# Sum of the per-CPU values of one __u64 field of a map entry (or of the values themselves when they
# are plain numbers), from the "formatted" part of `bpftool -j map lookup`; 0 for a map that is not
# per-CPU, nothing when the lookup fails (no such map or key), so that no check can pass on it.
# percpu_sum MAP_SPEC... -- FIELD   e.g.  percpu_sum pinned /sys/fs/bpf/x key 1 0 0 0 -- packets
percpu_sum()
{
	local args=() out re sum=0 n=0
	while [ "$1" != "--" ]; do
		args+=("$1")
		shift
	done
	out=$(bpftool -j map lookup "${args[@]}" 2>/dev/null) || return 1
	out=${out#*\"formatted\":}
	# Only the per-CPU list (as before: .formatted.values[]), in bash: jq costs 0.35 s in the VM.
	[[ $out == *\"values\":\[* ]] || { echo 0; return; }
	out=${out#*\"values\":\[}
	for re in "\"$2\":(-?[0-9]+)" '"value":(-?[0-9]+)'; do
		while [[ $out =~ $re ]]; do
			sum=$((sum + BASH_REMATCH[1]))
			n=$((n + 1))
			out=${out#*"${BASH_REMATCH[0]}"}
		done
		[ $n = 0 ] || break
	done
	echo $sum
}

# The value of one map entry as bpftool formats it, where that is a plain number (a rule's hit
# counter): map_value MAP_SPEC...  e.g. map_value pinned /sys/fs/bpf/x key 10 0 0 1. What `jq
# .formatted.value` gives, read in bash; nothing when the lookup fails.
map_value()
{
	local out re='"formatted":\{.*"value":(-?[0-9]+)\}'
	out=$(bpftool -j map lookup "$@" 2>/dev/null) || return 1
	[[ $out =~ $re ]] && echo "${BASH_REMATCH[1]}"
	return 0
}

# --- map access by program, and bytes for bpftool -------------------------------------------------

# map_of PROG_ID MAPNAME: the id of the program's map with that name, or names matching the glob
# MAPNAME (found through the program, so another test's copy of the same program never gets in the
# way). Two bpftool calls, no jq.
map_of()
{
	local ids line re='^([0-9]+): .* name ([^ ]+) ' mre='map_ids ([0-9,]+)'
	ids=$(bpftool prog show id "$1" 2>/dev/null)
	[[ $ids =~ $mre ]] || return 0
	ids=",${BASH_REMATCH[1]},"
	bpftool map list 2>/dev/null | while read -r line; do
		[[ $line =~ $re ]] && [[ ${BASH_REMATCH[2]} == $2 ]] && [[ $ids == *",${BASH_REMATCH[1]},"* ]] &&
			echo "${BASH_REMATCH[1]}"
	done
	return 0
}
# pinned_map_id PATH: the id of the map pinned there (empty if none). prog_uses_map PROG_ID MAP_ID:
# true when the program uses that map. prog_type PIN: the type of the program pinned there.
pinned_map_id()
{
	local out re='^([0-9]+):'
	out=$(bpftool map show pinned "$1" 2>/dev/null)
	[[ $out =~ $re ]] && echo "${BASH_REMATCH[1]}"
	return 0
}
prog_uses_map()
{
	local out re='map_ids ([0-9,]+)'
	out=$(bpftool prog show id "$1" 2>/dev/null)
	[ -n "$2" ] && [[ $out =~ $re ]] && [[ ",${BASH_REMATCH[1]}," == *",$2,"* ]]
}
prog_type()
{
	local out re='^[0-9]+: ([a-z_]+) '
	out=$(bpftool prog show pinned "$1" 2>/dev/null)
	[[ $out =~ $re ]] && echo "${BASH_REMATCH[1]}"
	return 0
}
# verdicts PROG_ID SLOT: packets the program counted in its xdpkit_stats slot (0 aborted, 1 drop, 2
# pass, 3 tx, 5 malformed), summed over CPUs.
verdicts() { percpu_sum id "$(map_of "$1" xdpkit_stats)" key "$2" 0 0 0 -- packets; }

# Address bytes in network order, as bpftool's "key"/"value" words: ip_bytes 10.0.0.1 -> 10 0 0 1
# (IPv6 with :: and a trailing dotted IPv4 as in ::ffff:10.0.0.1; plain bash, no python needed.)
ip_bytes()
{
	local a=$1 g o=() hg=() tg=() groups=() out=() i
	if [[ $a != *:* ]]; then
		IFS=. read -r -a o <<<"$a"
		echo "${o[@]}"
		return
	fi
	if [[ $a == *.* ]]; then
		IFS=. read -r -a o <<<"${a##*:}"
		a="${a%:*}:$(printf '%x:%x' $((o[0] << 8 | o[1])) $((o[2] << 8 | o[3])))"
	fi
	if [[ $a == *::* ]]; then
		[ -n "${a%%::*}" ] && IFS=: read -r -a hg <<<"${a%%::*}"
		[ -n "${a#*::}" ] && IFS=: read -r -a tg <<<"${a#*::}"
	else
		IFS=: read -r -a hg <<<"$a"
	fi
	groups=("${hg[@]}")
	for ((i = ${#hg[@]} + ${#tg[@]}; i < 8; i++)); do groups+=(0); done
	groups+=("${tg[@]}")
	for g in "${groups[@]}"; do out+=($((16#$g >> 8)) $((16#$g & 255))); done
	echo "${out[@]}"
}
# Little-endian integers (host order on x86/arm64): le32 N, le64 N, be16 N (a port as on the wire).
le32() { local v=$1; echo $((v & 255)) $((v >> 8 & 255)) $((v >> 16 & 255)) $((v >> 24 & 255)); }
le64() { echo "$(le32 $(($1 & 0xffffffff))) $(le32 $(($1 >> 32)))"; }
be16() { echo $(($1 >> 8 & 255)) $(($1 & 255)); }

# Nothing of ours left on veth0 and in bpffs: no XDP program, no TC filter either way, no pin.
check_clean()
{
	local what=$1
	check_eq "$what: no XDP program in ip link" "" "$(xdp_prog_id)"
	check_eq "$what: no TC filter on ingress" "" "$(tc_filters ingress)"
	check_eq "$what: no TC filter on egress" "" "$(tc_filters egress)"
	check_eq "$what: nothing pinned in bpffs" "" "$(bpffs_files)"
}

xk_done()
{
	set +x
	_xk_run_cleanup
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" = 0 ] || exit 1
	exit 0
}
