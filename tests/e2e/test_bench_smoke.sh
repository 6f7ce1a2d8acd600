#!/bin/bash
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
# counts exactly repeat x runs.
# bpftool loads the object with libbpf's default pin root, so the rule maps land as /sys/fs/bpf/<name>.
root=/sys/fs/bpf
bpftool prog loadall "$XK_BUILD/blocklist.bpf.o" /sys/fs/bpf/xkbench-progs >/dev/null 2>&1
rm -rf /sys/fs/bpf/xkbench-progs
bpftool map update pinned $root/blocklist_v4 key 192 0 2 1 value 0 0 0 0 0 0 0 0
js=$("$XDPKIT" --pin-root $root --json bench blocklist --frame match,miss --repeat 10 --runs 3)
check_eq "blocklist with the rule: match dropped, miss passed" "XDP_DROP XDP_PASS" \
	"$(jq -r '[.frames[].verdict] | join(" ")' <<<"$js")"
check_eq "hit counter of 192.0.2.1 = 10 repeats x 3 runs" 30 \
	"$(percpu_sum pinned $root/blocklist_v4 key 192 0 2 1 -- hits)"
rm -f $root/blocklist_*

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
