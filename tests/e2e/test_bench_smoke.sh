#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_bench_smoke: `xdpkit bench` keeps working — fields in plain and JSON output, verdicts per program, a rule in a
# pinned map changes the verdict and its hit counter counts exactly the packets bench pushed, nothing left in bpffs.
. "$(dirname "$0")/lib.sh"
xk_private

FRAMES="ipv4-udp ipv4-tcp ipv4-icmp ipv6-udp vlan-udp match miss"
NFRAMES=$(echo $FRAMES | wc -w)

# Plain output: a header naming the floor, one row per frame kind with verdict and three "median (min..max)" columns.
out=$("$XDPKIT" bench hello --repeat 10 --runs 2 2>&1)
check_eq "bench hello exits 0" 0 $?
check_match "header names the floor program" '^bench: hello .*floor: empty XDP_PASS program \(id [0-9]+\)' "$out"
check_match "column header" '^frame +verdict +program +floor +above floor' "$out"
for f in $FRAMES; do
	check_match "row for $f: verdict and three median (min..max)" \
		"^$f +XDP_PASS +(-?[0-9.]+ \\(-?[0-9.]+\\.\\.-?[0-9.]+\\) +){2}-?[0-9.]+ \\(" "$out"
done

# JSON: the same fields, one record per frame, the per-run samples as long as --runs.
js=$("$XDPKIT" --json bench hello --repeat 10 --runs 2)
check_eq "bench --json exits 0" 0 $?
check_eq "JSON has one record per frame kind" "$NFRAMES" "$(jq '.frames | length' <<<"$js")"
check_eq "JSON repeat/runs echo the options" "10 2" "$(jq -r '"\(.repeat) \(.runs)"' <<<"$js")"
check_eq "every record has verdict, ns, floor_ns, above_floor_ns with numeric median/min/max and 2 runs" true \
	"$(jq '[.frames[] | .verdict != null and ([.ns, .floor_ns, .above_floor_ns][]
		| (.median|type) == "number" and (.min|type) == "number" and (.max|type) == "number"
		  and (.runs|length) == 2 and .min <= .median and .median <= .max)] | all' <<<"$js")"
check_eq "above floor is program minus floor, run by run" true \
	"$(jq '[.frames[] | [.ns.runs, .floor_ns.runs, .above_floor_ns.runs] | transpose[] | .[0] - .[1] == .[2]]
		| all' <<<"$js")"
check_ne "the floor is a program of its own" "$(jq .id <<<"$js")" "$(jq .floor_id <<<"$js")"

# The verdict is the program's: hello_drop drops every frame.
js=$("$XDPKIT" --json bench hello_drop --repeat 10 --runs 2)
check_eq "hello_drop: XDP_DROP on every frame" "XDP_DROP" "$(jq -r '[.frames[].verdict] | unique | join(",")' <<<"$js")"

# --id: a program loaded by another tool is measured the same way.
mkdir -p /sys/fs/bpf/xkbench
bpftool prog load "$XK_BUILD/hello_drop.bpf.o" /sys/fs/bpf/xkbench/prog >/dev/null 2>&1
id=$(bpftool -j prog show pinned /sys/fs/bpf/xkbench/prog 2>/dev/null | jq .id)
js=$("$XDPKIT" --json bench --id "$id" --frame match --repeat 10 --runs 2)
check_eq "bench --id measures that program" "$id XDP_DROP" "$(jq -r '"\(.id) \(.frames[0].verdict)"' <<<"$js")"
rm -rf /sys/fs/bpf/xkbench

# Rules come from pinned maps, never from bench: without pins blocklist passes `match`, and leaves no pin behind.
js=$("$XDPKIT" --json bench blocklist --frame match,miss --repeat 10 --runs 2)
check_eq "blocklist without rules passes both frames" "XDP_PASS XDP_PASS" \
	"$(jq -r '[.frames[].verdict] | join(" ")' <<<"$js")"
check_eq "bench created nothing in bpffs" "" "$(bpffs_files)"

# With a rule for the match frame's source in the pinned map, match drops, miss passes, and the rule's hit counter
# counts exactly repeat x runs, plus the one probe run per frame that checks whether the program rewrites it.
# bpftool loads the object with libbpf's default pin root, so the rule maps land as /sys/fs/bpf/<name>.
root=/sys/fs/bpf
# A rule's hit counter: one u64 shared by all CPUs (blocklist_v4 is a plain hash).
rule_hits() { map_value pinned $root/blocklist_v4 key "$@"; }
bpftool prog loadall "$XK_BUILD/blocklist.bpf.o" /sys/fs/bpf/xkbench-progs >/dev/null 2>&1
rm -rf /sys/fs/bpf/xkbench-progs
bpftool map update pinned $root/blocklist_v4 key 192 0 2 1 value 0 0 0 0 0 0 0 0
js=$("$XDPKIT" --pin-root $root --json bench blocklist --frame match,miss --repeat 10 --runs 3)
check_eq "blocklist with the rule: match dropped, miss passed" "XDP_DROP XDP_PASS" \
	"$(jq -r '[.frames[].verdict] | join(" ")' <<<"$js")"
check_eq "hit counter of 192.0.2.1 = 10 repeats x 3 runs + 1 probe" 31 \
	"$(rule_hits 192 0 2 1)"
check_eq "blocklist does not rewrite frames: no fresh copy needed" "false false" \
	"$(jq -r '[.frames[].fresh_frame] | join(" ")' <<<"$js")"

# --src-count rotates the source packet by packet: 30 packets over 10.0.0.0..10.0.0.2 hit each rule 10 times.
for a in 0 1 2; do
	bpftool map update pinned $root/blocklist_v4 key 10 0 0 $a value 0 0 0 0 0 0 0 0
done
js=$("$XDPKIT" --pin-root $root --json bench blocklist --frame ipv4-udp --src 10.0.0.0 --src-count 3 \
	--repeat 30 --runs 1)
check_eq "rotated sources: verdict" "XDP_DROP 3" "$(jq -r '"\(.frames[0].verdict) \(.src_count)"' <<<"$js")"
for a in 0 1 2; do
	check_eq "rotated sources: rule 10.0.0.$a hit 10 times" 10 \
		"$(rule_hits 10 0 0 $a)"
done
out=$("$XDPKIT" bench blocklist --frame ipv6-udp --src-count 3 2>&1)
check_eq "--src-count on an IPv6 frame: exit 2" 2 $?
check_match "--src-count on an IPv6 frame: says why" "no IPv4 header" "$out"
rm -f $root/blocklist_*

# A program that rewrites the frame gets it back before every run: pong answers every echo request (XDP_TX),
# not only the first; frames it does not touch are run as they are.
js=$("$XDPKIT" --json bench pong --frame ipv4-icmp,ipv4-udp --repeat 10 --runs 2)
check_eq "pong: XDP_TX with a fresh frame on ipv4-icmp, XDP_PASS untouched on ipv4-udp" \
	"XDP_TX true XDP_PASS false" "$(jq -r '[.frames[] | .verdict, .fresh_frame] | join(" ")' <<<"$js")"

# Bad input: one line, exit 2, nothing run.
out=$("$XDPKIT" bench hello --frame nosuch 2>&1)
check_eq "unknown frame kind: exit 2" 2 $?
check_match "unknown frame kind: says which and where the list is" "unknown frame kind 'nosuch'.*--help" "$out"
out=$("$XDPKIT" bench 2>&1)
check_eq "no program: exit 2" 2 $?
out=$("$XDPKIT" bench --id 4294967295 2>&1)
check_eq "unknown id: exit 3" 3 $?
check_match "unknown id: names it" "no loaded program has id 4294967295" "$out"
check_eq "bpffs empty at the end" "" "$(bpffs_files)"

xk_done
