#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make bench: runs the benchmark items a-f of issue 6, g (what pong's checksum verification costs), h (prefixes
# against the kernel's LPM trie) and i (memory), writes build/bench/results.json with the targets of issue 11
# ("targets": name, value, goal, met), prints the table and draws build/bench/results.png.
# Usage: scripts/bench/run.sh [ITEM...]  (items: a b c d e f g h i j; default all; j: the capture hook of xdpkit dump)
# QUICK=1 shrinks repeats, runs and rule counts (a fast check that everything is wired, not numbers to quote).
# V=1 traces commands. Every figure is measured against a baseline of the same run; see README "Benchmarks".
set -u

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$BENCH_DIR/../.." && pwd)
OUT=$ROOT/build/bench
PARTS=$OUT/parts
XDPKIT=$ROOT/build/xdpkit
FILL=$OUT/xk-fill
export XDPKIT_PROG_DIR=$ROOT/build

if [ "$(id -u)" != 0 ]; then
	echo "bench: needs root (BPF_PROG_TEST_RUN, namespaces, XDP attach); run 'sudo make bench'" >&2
	exit 4
fi
for f in "$XDPKIT" "$FILL" "$OUT/drop.bpf.o" "$OUT/bare.bpf.o" "$ROOT/build/blocklist.bpf.o"; do
	[ -e "$f" ] || { echo "bench: $f is missing; run 'make bench' (it builds what the benchmarks need)" >&2; exit 4; }
done
for t in bpftool jq gnuplot trafgen xdp-filter xdp-loader ip; do
	command -v $t >/dev/null || { echo "bench: '$t' is not installed; run 'scripts/deps.sh bench'" >&2; exit 4; }
done

# Everything runs in a mount namespace of its own with a private bpffs: pins by name (blocklist_v4, filter_ipv4,
# tc/globals) never meet those of tests running beside us, and vanish with the namespace even after a crash.
if [ -z "${XK_BENCH_PRIVATE:-}" ]; then
	XK_BENCH_PRIVATE=1 exec "$(dirname "$0")/../private-mounts.sh" "$BASH" "$0" "$@"
fi
mount -t bpf bpf /sys/fs/bpf || { echo "bench: cannot mount a private bpffs" >&2; exit 4; }

QUICK=${QUICK:-0}
if [ "$QUICK" = 1 ]; then
	REPEAT=2000 RUNS=3 PAIRS=1 B_PAIRS=2 SCALES="10 1000 10000" XF_SCALES="1 100 1000" LOAD_RULES=20000 LOAD_ROUNDS=1
	RATE_SECS=1 RATE_ROUNDS=2 CYCLES=3 CIDRS=1000 CAPACITY=65536
else
	REPEAT=100000 RUNS=7 PAIRS=5 B_PAIRS=8 SCALES="10 1000 100000 1000000" XF_SCALES="1 1000 10000" LOAD_RULES=1000000
	LOAD_ROUNDS=5 RATE_SECS=1 RATE_ROUNDS=15 CYCLES=10 CIDRS=100000 CAPACITY=1048576
fi
# bpf_printk floods the trace buffer other tools read: programs that print get fewer repeats.
REPEAT_PRINTK=2000
NS_PREFIX=xkb$$
T0=$(date +%s)

progress() { printf '[bench %3ds] %s\n' $(($(date +%s) - T0)) "$*" >&2; }
warn() { printf '[bench %3ds] warning: %s\n' $(($(date +%s) - T0)) "$*" >&2; }

_CLEANUP=()
cleanup_add() { _CLEANUP+=("$*"); }
_cleanup()
{
	local i
	set +x
	for ((i = ${#_CLEANUP[@]} - 1; i >= 0; i--)); do
		eval "${_CLEANUP[$i]}" >/dev/null 2>&1
	done
	_CLEANUP=()
}
trap _cleanup EXIT
trap 'exit 130' INT TERM

# Remove every pin of the private bpffs (not the kernel's *.debug iterators), so each item starts empty.
clear_pins() { find /sys/fs/bpf -mindepth 1 -maxdepth 1 ! -name '*.debug' -exec rm -rf {} + 2>/dev/null; true; }

# Load an object once with bpftool so its pinned-by-name maps exist under /sys/fs/bpf; then drop the program pin.
make_pins()
{
	bpftool prog loadall "$1" /sys/fs/bpf/xkb-load >/dev/null 2>&1 || return 1
	rm -rf /sys/fs/bpf/xkb-load
}

# capacity_pins ENTRIES: blocklist's pinned maps under /sys/fs/bpf, blocklist_v4 with ENTRIES entries, made as an
# operator makes them: `xdpkit attach --capacity blocklist_v4=ENTRIES` (on a scratch veth, then detached; the pins
# stay), so they carry their BTF and xdpkit map reads and writes them typed.
capacity_pins()
{
	local ns=${NS_PREFIX}cap
	[ -e "/run/netns/$ns" ] || veth_ns "$ns" || return 1
	in_ns "$ns" "$XDPKIT" --pin-root /sys/fs/bpf attach veth0 blocklist --mode skb \
		--capacity "blocklist_v4=$1" >/dev/null &&
		in_ns "$ns" "$XDPKIT" --pin-root /sys/fs/bpf detach veth0 --all >/dev/null
}

# bench_json OUTFILE ARGS...: one `xdpkit bench` invocation, JSON to OUTFILE; a failure is warned and leaves no file.
bench_json()
{
	local out=$1 err
	shift
	if ! err=$("$XDPKIT" --json --pin-root /sys/fs/bpf bench "$@" 2>&1 >"$out.tmp"); then
		warn "xdpkit bench $*: $err"
		rm -f "$out.tmp"
		return 1
	fi
	mv "$out.tmp" "$out"
}

# pool OUTFILE INFILE...: one bench JSON out of several invocations of the same program and options, every frame's
# runs taken together (median, min, max over all of them). The driver alternates invocations of the programs it
# compares, so a slow spell of this shared machine hits both sides, then pools each side.
pool()
{
	local out=$1
	shift
	jq -s 'def med: sort | if length % 2 == 1 then .[length / 2 | floor] else (.[length / 2 - 1] + .[length / 2]) / 2 end;
		def mm: {median: med, min: min, max: max, runs: .};
		. as $all | .[0] + {invocations: length, frames: [.[0].frames[].frame as $f
			| [$all[].frames[] | select(.frame == $f)] as $x
			| $x[0] + {ns: ([$x[].ns.runs[]] | mm), floor_ns: ([$x[].floor_ns.runs[]] | mm),
				   above_floor_ns: ([$x[].above_floor_ns.runs[]] | mm)}]}' "$@" >"$out"
}

# above OUTFILE FRAME: median ns above the floor of one frame in a bench JSON ("null" when absent).
above() { jq -r --arg f "$2" '[.frames[] | select(.frame == $f)][0].above_floor_ns.median // "null"' "$1" 2>/dev/null || echo null; }

# A network namespace pair joined by a veth: NAME-a holds veth0, NAME-b holds veth1 (or one namespace with both).
veth_ns()
{
	local a=$1 b=${2:-$1}
	ip netns add "$a" || return 1
	cleanup_add ip netns del "$a"
	if [ "$b" != "$a" ]; then
		ip netns add "$b" || return 1
		cleanup_add ip netns del "$b"
	fi
	nsenter --net="/run/netns/$a" ip link add veth0 type veth peer name veth1 netns "$b" || return 1
	nsenter --net="/run/netns/$a" ip link set veth0 up && nsenter --net="/run/netns/$b" ip link set veth1 up
}
in_ns() { local ns=$1; shift; nsenter --net="/run/netns/$ns" -- "$@"; }

machine_json()
{
	jq -n --arg kernel "$(uname -r)" --arg cpu "$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)" \
		--argjson cpus "$(nproc)" --arg virt "$(systemd-detect-virt 2>/dev/null || echo unknown)" \
		--arg libbpf "$(dpkg-query -W -f='${Version}' libbpf1 2>/dev/null)" \
		--arg xdptools "$(dpkg-query -W -f='${Version}' xdp-tools 2>/dev/null)" \
		--arg clang "$(clang --version | head -1)" --arg date "$(date -u +%FT%TZ)" \
		--arg commit "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)" \
		--argjson quick "$QUICK" \
		'{kernel: $kernel, cpu: $cpu, cpus: $cpus, virtualization: $virt, libbpf: $libbpf,
		  xdp_tools: $xdptools, clang: $clang, date: $date, commit: $commit, quick: ($quick == 1)}'
}

items=("$@")
[ ${#items[@]} = 0 ] && items=(a b c d e f g h i j)
rm -rf "$PARTS"
mkdir -p "$PARTS"
[ "${V:-0}" = 1 ] && set -x

for item in "${items[@]}"; do
	case $item in
	a | b | c | d | e | f | g | h | i | j) ;;
	*) echo "bench: unknown item '$item'; items are a b c d e f g h i j" >&2; exit 2 ;;
	esac
	clear_pins
	# shellcheck source=/dev/null
	. "$BENCH_DIR/item_$item.sh"
	"item_$item" || warn "item $item did not finish; its figures are missing from the results"
	_cleanup
done

clear_pins
machine_json >"$PARTS/machine.json"
jq -n --slurpfile m "$PARTS/machine.json" '{machine: $m[0], items: {}}' >"$OUT/results.json.tmp"
for item in a b c d e f g h i j; do
	[ -s "$PARTS/$item.json" ] || continue
	jq --arg i "$item" --slurpfile p "$PARTS/$item.json" '.items[$i] = $p[0]' "$OUT/results.json.tmp" \
		>"$OUT/results.json.tmp2" && mv "$OUT/results.json.tmp2" "$OUT/results.json.tmp"
done
jq --argjson t "$(jq -f "$BENCH_DIR/targets.jq" "$OUT/results.json.tmp")" '.targets = $t' "$OUT/results.json.tmp" \
	>"$OUT/results.json"
rm -f "$OUT/results.json.tmp"
progress "wrote $OUT/results.json"
"$BENCH_DIR/report.sh" "$OUT/results.json" "$OUT/results.png"
