#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# badinput.sh: the bad-input matrix of issue 9 (hardening): over 100 wrong calls across every verb
# (list, attach, detach, status, map show/dump/get/set/del/load, stats, trace, check, bench, global
# options): bad interfaces, bad objects built on the spot (truncated ELF, an ELF that is not BPF,
# an object without BTF, one whose xdp or .maps section is renamed away, a 200 MB sparse file, an
# empty file, a directory), bad keys and values, bad `map load` files (a million good lines and a
# bad last one, binary junk, a NUL byte, a bad value, an array index out of range). Each case
# asserts: the documented exit code, nothing on stdout, exactly one stderr line "xdpkit: ..." that
# names the thing (plus at most one "hint: ..." line), all printable, and a state snapshot (bpffs
# entries with their inodes and the maps' contents, ip -d link, tc qdiscs and filters both ways)
# equal before and after. Then CRLF line ends: accepted, as trimmed line ends.
# Usage: badinput.sh [short|full]   the same cases; the long map file has 20k lines (short) or 1M.
. "$(dirname "$0")/lib.sh"
xk_private "$@"
stress_mode "$@"
xk_env_setup badinput
xk_cleanup on_host "$X" detach veth0 --all --purge
W=$STRESS_TMP
O=$W/objs
mkdir -p "$O"
LINES=$(by_mode 20000 1000000)
CASES=0
SNAP=""

# --- a state worth keeping: programs on XDP and both TC sides, rules in pinned maps -------------
check "attach blocklist (XDP)" on_host "$X" attach veth0 blocklist
check "attach count (TC ingress)" on_host "$X" attach veth0 count --tc ingress
check "attach portfilter (TC egress)" on_host "$X" attach veth0 portfilter --tc egress
check "rule 10.0.0.1 = 3" on_host "$X" map set blocklist_v4 10.0.0.1 3
check "rule 10.0.0.0/8" on_host "$X" map set blocklist_cidr4 10.0.0.0/8
check "rule port 53" on_host "$X" map set portfilter_ports 53
FILTERS="$(k_tc_ids ingress) $(k_tc_ids egress)"
# A case that wrongly attached something (a [R<n>] case before its fix) must not spoil the next
# cases' snapshots: take away any filter that was not there at the start.
restore()
{
	local d id
	for d in ingress egress; do
		for id in $(k_tc_ids $d); do
			[[ " $FILTERS " == *" $id "* ]] ||
				on_host "$X" detach veth0 --id "$id" --tc $d >/dev/null
		done
	done
	SNAP=""
}

# --- the bad things -----------------------------------------------------------------------------
head -c 3000 "$XK_BUILD/count.bpf.o" >"$O/trunc.bpf.o"
cp "$(readlink -f "$(type -P true)")" "$O/true.o"
clang -target bpf -O2 -I"/usr/include/$(uname -m)-linux-gnu" -I"$XK_ROOT/include" \
	-c "$XK_ROOT/progs/count.bpf.c" -o "$O/nobtf.bpf.o" || xk_abort "clang without -g failed"
llvm-objcopy --rename-section=xdp=notxdp --rename-section=xdp.frags=notxdp.frags \
	"$XK_BUILD/blocklist.bpf.o" "$O/noxdp.bpf.o"
llvm-objcopy --rename-section=.maps=.nomaps "$XK_BUILD/blocklist.bpf.o" "$O/nomaps.bpf.o"
truncate -s 200M "$O/huge.bpf.o"
: >"$O/empty.bpf.o"
echo "not an object" >"$O/text.bpf.o"
mkdir "$O/dir.bpf.o"
SOCK=$XK_BUILD/test-objs/socket_filter.bpf.o
if [ ! -e "$SOCK" ]; then
	SOCK=$O/sock.bpf.o
	clang -target bpf -O2 -g -I"/usr/include/$(uname -m)-linux-gnu" \
		-c "$XK_ROOT/tests/e2e/objs/socket_filter.bpf.c" -o "$SOCK" ||
		xk_abort "cannot build $SOCK"
fi
awk -v n="$LINES" 'BEGIN {
	for (i = 0; i < n; i++) printf "10.%d.%d.%d %d\n", i / 65536 + 1, i / 256 % 256, i % 256, i
	print "10.300.0.1 1" }' >"$W/long.txt"
{ printf '\377'; head -c 4095 /dev/urandom; } >"$W/junk.bin"
printf '10.1.1.1 1\n10.1.1.2 lots\n' >"$W/badval.txt"
printf '10.1.0.0/16\n10.2.0.0/16\n10.3.0.1/16\n' >"$W/hostbits.txt"
printf '0 match=1\n5 match=1\n' >"$W/index.txt"
printf '10.1.1.1\n10.1.1.1\000junk\n' >"$W/nul.txt"

# bad CODE REGEX CMD...: one case of the matrix (see the top). REGEX is matched against the
# error line.
bad()
{
	local code re before after out err rc what
	code=$1 re=$2
	shift 2
	CASES=$((CASES + 1))
	what="case $CASES: xdpkit $*"
	[ ${#what} -gt 110 ] && what="${what:0:107}..."
	# A case changes nothing, so the state after one case is the state before the next.
	before=${SNAP:-$(state_snapshot)}
	out=$(on_host "$X" "$@" 2>"$W/err")
	rc=$?
	err=$(<"$W/err")
	after=$(state_snapshot)
	SNAP=$after
	check_eq "$what: exit $code" "$code" "$rc"
	check_eq "$what: nothing on stdout" "" "$out"
	if [[ $err =~ ^xdpkit:\ [^$'\n']*($'\n'hint:\ [^$'\n']*)?$ ]] &&
		[[ $err != *[![:print:]$'\n']* ]]; then
		_xk_ok "$what: one printable line (and a hint)"
	else
		_xk_fail "$what: one printable line (and a hint)" "got: $(cat -v <<<"$err")"
	fi
	check_match "$what: names the thing" "$re" "${err%%$'\n'*}"
	if [ "$before" = "$after" ]; then
		_xk_ok "$what: state unchanged"
	else
		_xk_fail "$what: state unchanged" "$(diff <(echo "$before") <(echo "$after"))"
		restore
	fi
}

# global options
bad 2 "'/tmp' is not under /sys/fs/bpf" --pin-root /tmp status
bad 2 "--pin-root needs a directory" --pin-root
bad 2 "'/sys/fs/bpfx'.*bpffs" --pin-root /sys/fs/bpfx attach veth0 blocklist --tc ingress
bad 2 "'/sys/fs/bpf/\.\./\.\./tmp/x'.*bpffs" \
	--pin-root /sys/fs/bpf/../../tmp/x attach veth0 count --tc ingress
bad 2 "'/sys/fs/bpf/maps.debug'.*not a directory" \
	--pin-root /sys/fs/bpf/maps.debug attach veth0 count --tc ingress
bad 2 "unknown verb 'bogus'" bogus
bad 2 "'s' is ambiguous" s
bad 2 "unknown map command 'bogus'" map bogus
# list
bad 2 "list takes no arguments" list extra
bad 2 "list: unknown option '--bogus'" list --bogus
# attach: interfaces and options
bad 3 "no interface 'nosuch0'" attach nosuch0 count
bad 3 "no interface ''" attach "" count
long=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
bad 3 "no interface '$long'" attach $long count
bad 2 "needs an interface and a program" attach veth0
bad 2 "'bogus' is not a mode" attach veth0 count --mode bogus
bad 2 "'sideways' is not a direction" attach veth0 count --tc sideways
bad 2 "'70000' is not a number from 0 to 65535" attach veth0 count --prio 70000
bad 2 "'-1' is not a number" attach veth0 count --prio -1
bad 2 "--prio 0 is not a TC filter priority" attach veth0 count --tc ingress --prio 0
bad 2 "TC has no modes" attach veth0 count --mode skb --tc ingress
bad 2 "attach: unknown option '--bogus'" attach veth0 count --bogus
bad 2 "incomplete option '--mode'" attach veth0 count --mode
# attach: objects
bad 3 "'nosuchprog' is neither a program of the collection" attach veth0 nosuchprog
bad 3 "'' is neither a program of the collection" attach veth0 ""
bad 3 "'/nonexistent.bpf.o' does not exist" attach veth0 /nonexistent.bpf.o
bad 2 "trunc.bpf.o.*(truncated|invalid|not a valid)" attach veth0 "$O/trunc.bpf.o" --tc ingress
bad 2 "trunc.bpf.o.*(truncated|invalid|not a valid)" attach veth0 "$O/trunc.bpf.o"
bad 2 "true.o' is an ELF file but not for BPF" attach veth0 "$O/true.o"
bad 2 "nobtf.bpf.o.*BTF" attach veth0 "$O/nobtf.bpf.o" --tc ingress
bad 2 "nomaps.bpf.o.*(\.maps|map)" attach veth0 "$O/nomaps.bpf.o" --tc egress
bad 2 "noxdp.bpf.o.*has no xdp program \(section 'xdp'\)" attach veth0 "$O/noxdp.bpf.o"
bad 2 "huge.bpf.o' is not a BPF object \(not an ELF file\)" attach veth0 "$O/huge.bpf.o"
bad 2 "empty.bpf.o' is not a BPF object \(not an ELF file\)" attach veth0 "$O/empty.bpf.o"
bad 2 "text.bpf.o' is not a BPF object \(not an ELF file\)" attach veth0 "$O/text.bpf.o"
bad 3 "dir.bpf.o' is a directory" attach veth0 "$O/dir.bpf.o"
bad 2 "has no tc program \(section 'tc'\)" attach veth0 ratelimit --tc ingress
bad 2 "has no xdp program \(section 'xdp'\)" attach veth0 "$SOCK"
bad 3 "'nosuch' is neither a program of the collection" attach veth0 count nosuch --tc ingress
if [ "$(on_host "$X" --json status veth0 | jq '.[0].xdp.dispatcher')" = null ]; then
	bad 1 "cannot add 'count' to veth0: this kernel refuses BPF program extensions" \
		attach veth0 count
	bad 1 "cannot attach 2 programs together to lo" attach lo count hello
fi
bad 1 "cannot attach 'count' to lo: .*\(kernel: Underlying driver does not support XDP in native mode\)" \
	attach lo count --mode native
# detach
bad 2 "say what to detach from veth0" detach veth0
bad 2 "detach needs an interface" detach
bad 2 "detach needs an interface" detach --all
bad 3 "no interface 'nosuch0'" detach nosuch0 --all
bad 2 "--id 'abc' is not a program id" detach veth0 --id abc
bad 2 "--id '0' is not a program id" detach veth0 --id 0
bad 2 "--id '-1' is not a program id" detach veth0 --id -1
bad 2 "--id '99999999999' is not a program id" detach veth0 --id 99999999999
bad 3 "no program with id 999999 on veth0" detach veth0 --id 999999
bad 3 "'hello' is not attached to veth0 XDP" detach veth0 hello
bad 3 "'ratelimit' is not attached to veth0 TC egress" detach veth0 ratelimit --tc egress
bad 3 "dir.bpf.o' is not attached to veth0 XDP" detach veth0 "$O/dir.bpf.o"
bad 2 "'sideways' is not a direction" detach veth0 count --tc sideways
bad 2 "detach: unknown option '--bogus'" detach veth0 --all --bogus
bad 2 "say what to detach from veth0" detach veth0 --all --id 5
# status
bad 2 "at most one interface" status veth0 lo
bad 3 "no interface 'nosuch0'" status nosuch0
bad 2 "unknown option '--bogus'" status --bogus
# map show / dump
bad 3 "'nosuch' is neither an interface nor a loaded program" map show nosuch
bad 2 "unexpected 'lo'" map show veth0 lo
bad 2 "map dump: missing argument" map dump
bad 3 "no map 'nosuchmap'" map dump nosuchmap
bad 2 "'abc' is not a map id" map dump id abc
bad 3 "no map with id 999999999" map dump id 999999999
bad 3 "program 'blocklist' has no map 'nosuchmap'" map dump blocklist/nosuchmap
bad 3 "no loaded program 'nosuchprog'" map dump nosuchprog/blocklist_v4
mkdir -p /sys/fs/bpf/xk-a-dir && SNAP= # a directory of its own (the snapshot taken again)
bad 3 "'/sys/fs/bpf/xk-a-dir' is a directory" map dump /sys/fs/bpf/xk-a-dir
bad 2 "unknown option '--bogus'" map dump blocklist_v4 --bogus
# map get
bad 2 "'300.1.1.1' is not an IPv4 address" map get blocklist_v4 300.1.1.1
bad 3 "key 10.9.9.9 is not in map blocklist_v4" map get blocklist_v4 10.9.9.9
bad 2 "blocklist_v4.*an empty value" map get blocklist_v4 ""
bad 2 "prefix length '33' is out of range" map get blocklist_cidr4 10.0.0.0/33
bad 2 "map get: missing argument" map get blocklist_v4
bad 2 "'-1' is not a port" map get portfilter_ports -1
bad 2 "unknown option '--bogus'" map get blocklist_v4 10.0.0.1 --per-cpu --bogus
# map set
bad 2 "'notanumber' is not a xk_hits" map set blocklist_v4 10.0.0.1 notanumber
bad 2 "'10.0.0.1/8' has bits set past the /8 prefix; did you mean 10.0.0.0/8" \
	map set blocklist_cidr4 10.0.0.1/8
bad 2 "key 1: map blocklist_cfg is an array with indexes 0-0" map set blocklist_cfg 1 match=1
bad 2 "'bogus' is not a field of struct blocklist_config" map set blocklist_cfg 0 bogus=1
bad 2 "field 'match': '99999999999' is not a __u32" map set blocklist_cfg 0 match=99999999999
bad 2 "'match' is not a field=value pair" map set blocklist_cfg 0 match
bad 2 "'match'.*(twice|more than once)" map set blocklist_cfg 0 match=1,match=2
bad 2 "'2001:db8::g' is not an IPv6 address" map set blocklist_v6 2001:db8::g
bad 2 "prefix length '129' is out of range" map set blocklist_cidr6 2001:db8::/129
bad 2 "'70000' is not a port" map set portfilter_ports 70000
bad 2 "'10.0.0.1 extra' is not an IPv4 address" map set blocklist_v4 "10.0.0.1 extra"
bad 2 "'0x' is not a xk_hits" map update blocklist_v4 10.0.0.1 0x
bad 2 "map set: missing argument" map set blocklist_v4
bad 3 "no map 'nosuchmap'" map set nosuchmap 1
# map del
bad 2 "map blocklist_cfg is an array: its entries cannot be deleted" map del blocklist_cfg 0
bad 3 "key 10.9.9.9 is not in map blocklist_v4" map del blocklist_v4 10.9.9.9
bad 2 "map del: missing argument" map del blocklist_v4
bad 2 "'10.0.0.1/33'.*out of range" map del blocklist_cidr4 10.0.0.1/33
# map load
bad 2 "map load needs MAP and FILE" map load blocklist_v4
bad 3 "cannot read '/nonexistent.txt'" map load blocklist_v4 /nonexistent.txt
bad 3 "cannot read '$O': Is a directory" map load blocklist_v4 "$O"
bad 2 "long.txt:$((LINES + 1)): key for map blocklist_v4.*'10.300.0.1'.*nothing was written" \
	map load blocklist_v4 "$W/long.txt"
bad 2 "junk.bin:1: (key for map blocklist_v4|a NUL byte at column [0-9]+).*nothing was written" \
	map load blocklist_v4 "$W/junk.bin"
bad 2 "badval.txt:2: value for map blocklist_v4.*'lots'.*nothing was written" \
	map load blocklist_v4 "$W/badval.txt"
bad 2 "hostbits.txt:3: key for map blocklist_cidr4.*did you mean 10.3.0.0/16" \
	map load blocklist_cidr4 "$W/hostbits.txt"
bad 2 "index.txt:2: key 5: map blocklist_cfg is an array with indexes 0-0" \
	map load blocklist_cfg "$W/index.txt"
bad 2 "nul.txt:2: a NUL byte at column 9" map load blocklist_v4 "$W/nul.txt"
bad 3 "no map 'nosuchmap'" map load nosuchmap "$W/badval.txt"
# stats
bad 3 "'nosuch0' is neither an interface here nor a loaded program" stats nosuch0
bad 2 "--interval '0'" stats --interval 0
bad 2 "--interval '99999'" stats --interval 99999
bad 2 "--count '-1'" stats --count -1
bad 2 "unknown option '--bogus'" stats --bogus
bad 2 "unexpected 'lo'" stats veth0 lo
# trace
bad 2 "--count 'abc' is not a positive number" trace --count abc
bad 2 "--timeout '-5' is not a positive number" trace --timeout -5
bad 2 "--timeout '0' is not a positive number" trace --timeout 0
bad 2 "'--bogus'" trace --bogus
bad 2 "'--grep'" trace --grep
# check
bad 2 "check: which object" check
bad 3 "'/nonexistent.o' does not exist" check /nonexistent.o
bad 2 "trunc.bpf.o' is not a BPF object libbpf can open" check "$O/trunc.bpf.o"
bad 2 "nobtf.bpf.o.*BTF" check "$O/nobtf.bpf.o"
bad 2 "true.o' is not a BPF object" check "$O/true.o"
bad 3 "dir.bpf.o' is a directory" check "$O/dir.bpf.o"
bad 2 "one object at a time; 'extra' is extra" check hello extra
bad 2 "'--bogus'" check --bogus
# bench
bad 2 "name one program" bench
bad 3 "'nosuch' is neither a program of the collection" bench nosuch
bad 2 "unknown frame kind 'bogus'" bench count --frame bogus
bad 2 "--repeat '0' is not a number" bench count --repeat 0
bad 2 "--runs 'abc' is not a number" bench count --runs abc
bad 2 "--id 'abc' is not a number" bench --id abc
bad 3 "no loaded program has id 999999" bench --id 999999
bad 2 "name one program.*not both" bench count --id 5
bad 2 "trunc.bpf.o.*(truncated|invalid|not a valid)" bench "$O/trunc.bpf.o"
bad 2 "'--frame'" bench count --frame
check_ge "at least 60 cases" 60 "$CASES"

# --- CRLF line ends: accepted, as a trimmed line end (values read without the CR) -----------------
printf '10.5.5.1\r\n10.5.5.2 7\r\n# a comment\r\n\r\n' >"$W/crlf.txt"
out=$(on_host "$X" map load blocklist_v4 "$W/crlf.txt" 2>&1)
check_eq "CRLF file: accepted" "loaded 2 entries from $W/crlf.txt into blocklist_v4" "$out"
v4=$PIN_ROOT/blocklist_v4
check_eq "CRLF file: 10.5.5.2 = 7 (bpftool)" 7 "$(map_value pinned "$v4" key 10 5 5 2)"
check_eq "CRLF file: 10.5.5.1 = 0 (bpftool)" 0 "$(map_value pinned "$v4" key 10 5 5 1)"
check "remove them" on_host "$X" map del blocklist_v4 10.5.5.1
check "remove them" on_host "$X" map del blocklist_v4 10.5.5.2

check "detach --all --purge" on_host "$X" detach veth0 --all --purge
check_all_clean "at the end"
figure "cases" "$CASES"
figure "long map file" "$LINES good lines and a bad last one"
stress_done
