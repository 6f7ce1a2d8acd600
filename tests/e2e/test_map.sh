#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_map.sh: `xdpkit map` on a blocklist attached by plain `ip`: typed rules (IPv4/IPv6 addresses and CIDRs)
# drop real pings and their hit counters rise; dump --json holds typed strings;
# every bad input exits 2 with one line and leaves the maps as they were; load is all-or-nothing.
. "$(dirname "$0")/lib.sh"
xk_private "$@"
xk_env_setup map
X=$XDPKIT
G=/sys/fs/bpf/tc/globals
TMP=$(mktemp -d /tmp/xk-map-$$.XXXX)
xk_cleanup rm -rf "$TMP"
xk_cleanup on_host ip link set dev "$XK_IF" xdp off
xk_cleanup on_host tc qdisc del dev "$XK_IF" clsact

xm() { on_host "$X" "$@"; }
# Everything bpftool sees in the maps, to prove a refused command changed nothing: one bpftool in
# batch mode (each dump ends in "Found N elements"; a missing map stops the batch and shows as an
# error). Twice per case, and a process costs ~0.1 s in the VM guest.
snapshot()
{
	local m
	for m in blocklist_v4 blocklist_v6 blocklist_cidr4 blocklist_cidr6 blocklist_cfg portfilter_ports; do
		echo "map dump pinned $G/$m"
	done | bpftool batch file - 2>&1
}
cfg_field() { xm --json map get blocklist_cfg 0 | jq -r ".value.$1"; }
# Entries a map holds now, from its dump (one line per entry after the header).
entries() { xm map dump "$1" | grep -vc '^#'; }
# bad_input WHAT REGEX CMD...: exit 2, one line on stderr matching REGEX, maps unchanged.
bad_input()
{
	local what=$1 re=$2 before after out rc
	shift 2
	before=$(snapshot)
	out=$("$@" 2>&1 >/dev/null)
	rc=$?
	after=$(snapshot)
	check_eq "$what: exit 2" 2 "$rc"
	check_match "$what: message" "$re" "$out"
	check_eq "$what: one line" 1 "$(printf '%s\n' "$out" | wc -l)"
	check_eq "$what: maps unchanged" "$before" "$after"
}

check "attach blocklist with ip (xdp)" on_host ip link set dev "$XK_IF" xdp obj "$XK_BUILD/blocklist.bpf.o" sec xdp
check "attach portfilter with tc (ingress)" on_host tc qdisc add dev "$XK_IF" clsact
check "tc filter add ... portfilter" on_host tc filter add dev "$XK_IF" ingress bpf da obj "$XK_BUILD/portfilter.bpf.o" sec tc
pid=$(xdp_prog_id)
check "pings pass before any rule" ping4 "$XK_IP4" 2

# --- map show ----------------------------------------------------------------------------------------
show=$(xm map show "$XK_IF")
check_match "show IFACE: blocklist_v4 typed, with its pin" "blocklist_v4 +hash +xk_ipv4 +xk_hits .* $G/blocklist_v4" "$show"
check_match "show IFACE: LPM trie keyed by struct xk_cidr6" "blocklist_cidr6 +lpm_trie +struct xk_cidr6" "$show"
check_match "show IFACE: the TC program's map too" "portfilter_port" "$show"
check_eq "show --json: blocklist_cfg value type" "struct blocklist_config" \
	"$(xm --json map show "$pid" | jq -r '.[] | select(.name == "blocklist_cfg") | .value_type')"

# --- exact IPv4 rule: pings dropped, hit counter rises ----------------------------------------------
check "set blocklist_v4 PEER (no value)" xm map set blocklist_v4 "$XK_PEER_IP4"
check_eq "get: new rule has 0 hits" 0 "$(xm map get blocklist_v4 "$XK_PEER_IP4")"
check_eq "bpftool sees the key in network order" "$(printf '0x%02x ' $(ip_bytes "$XK_PEER_IP4"))" \
	"$(bpftool -j map dump pinned $G/blocklist_v4 | jq -r '.[0].key | join(" ")') "
check_eq "5 pings from the blocked peer: no reply" 0 "$(ping_replies 4 "$XK_IP4" 5)"
check_eq "hit counter = 5" 5 "$(xm map get blocklist_v4 "$XK_PEER_IP4")"
check_eq "same through PROG/MAPNAME" 5 "$(xm map get blocklist/blocklist_v4 "$XK_PEER_IP4")"
v4id=$(map_of "$pid" blocklist_v4)
check_eq "same through 'id N'" 5 "$(xm map get id "$v4id" "$XK_PEER_IP4")"
check_eq "same through the pin path" 5 "$(xm map get "$G/blocklist_v4" "$XK_PEER_IP4")"
check_eq "--per-cpu on a map shared by all CPUs: just the value" 5 "$(xm map get blocklist_v4 "$XK_PEER_IP4" --per-cpu)"
check "set blocklist_v4 10.9.9.9 (a second rule)" xm map set blocklist_v4 10.9.9.9
js=$(xm --json map dump blocklist_v4)
check_eq "dump --json: typed keys" "$XK_PEER_IP4 10.9.9.9" "$(jq -r '[.entries[].key] | sort | join(" ")' <<<"$js")"
check_eq "dump --json: hits as numbers" 5 "$(jq --arg k "$XK_PEER_IP4" '.entries[] | select(.key == $k) | .value' <<<"$js")"
check "del blocklist_v4 PEER" xm map del blocklist_v4 "$XK_PEER_IP4"
check "pings pass again" ping4 "$XK_IP4" 2
check_fails "get of a deleted key fails" xm map get blocklist_v4 "$XK_PEER_IP4"
xm map get blocklist_v4 "$XK_PEER_IP4" >/dev/null 2>&1
check_eq "get of an absent key: exit 3" 3 "$?"

# --- exact IPv6 rule -----------------------------------------------------------------------------------
check "set blocklist_v6 PEER6" xm map set blocklist_v6 "$XK_PEER_IP6"
check_eq "IPv6 pings from the blocked peer: no reply" 0 "$(ping_replies 6 "$XK_IP6" 3)"
# (neighbour solicitations from the peer are dropped too, so the peer may not even send every echo)
check_ge "IPv6 hit counter rose" 1 "$(xm map get blocklist_v6 "$XK_PEER_IP6")"
check_eq "dump --json: IPv6 key in text form" "$XK_PEER_IP6" "$(xm --json map dump blocklist_v6 | jq -r '.entries[0].key')"
check "del blocklist_v6 PEER6" xm map del blocklist_v6 "$XK_PEER_IP6"

# --- CIDR rules --------------------------------------------------------------------------------
net4=${XK_PEER_IP4%.*}.0/24
net6=${XK_PEER_IP6%::*}::/64
check_eq "cidr4 holds no prefix at first" 0 "$(entries blocklist_cidr4)"
check "set blocklist_cidr4 $net4" xm map set blocklist_cidr4 "$net4"
check_eq "cidr4 holds 1 prefix" 1 "$(entries blocklist_cidr4)"
check "set blocklist_cidr4 192.168.0.0/16 7 (with a value)" xm map set blocklist_cidr4 192.168.0.0/16 7
check_eq "cidr4 holds 2 prefixes" 2 "$(entries blocklist_cidr4)"
check "set again an existing prefix" xm map set blocklist_cidr4 192.168.0.0/16 8
check_eq "re-setting a prefix does not add one" 2 "$(entries blocklist_cidr4)"
check_eq "get the exact prefix" 8 "$(xm map get blocklist_cidr4 192.168.0.0/16)"
xm map get blocklist_cidr4 192.168.1.0/24 >/dev/null 2>&1
check_eq "get is exact on an LPM trie (a longer prefix is not there): exit 3" 3 "$?"
check_eq "pings from inside $net4: no reply" 0 "$(ping_replies 4 "$XK_IP4" 4)"
check_eq "prefix hit counter = 4" 4 "$(xm map get blocklist_cidr4 "$net4")"
check "set blocklist_cidr6 $net6" xm map set blocklist_cidr6 "$net6"
check_eq "cidr6 holds 1 prefix" 1 "$(entries blocklist_cidr6)"
check_eq "IPv6 pings from inside $net6: no reply" 0 "$(ping_replies 6 "$XK_IP6" 3)"
check "set blocklist_cidr6 2001:db8::/32" xm map set blocklist_cidr6 2001:db8::/32
js=$(xm --json map dump blocklist_cidr6)
check_eq "dump --json: CIDR6 keys as text" "2001:db8::/32 $net6" "$(jq -r '[.entries[].key] | sort | join(" ")' <<<"$js")"
check_eq "dump --json: blocklist_cfg is an object" '{"match":0}' \
	"$(xm --json map dump blocklist_cfg | jq -c '.entries[0].value')"
check "del blocklist_cidr4 $net4" xm map del blocklist_cidr4 "$net4"
check_eq "cidr4 holds 1 prefix again" 1 "$(entries blocklist_cidr4)"
check "del blocklist_cidr6 $net6" xm map del blocklist_cidr6 "$net6"
check_eq "cidr6 holds 1 prefix again" 1 "$(entries blocklist_cidr6)"
xm map del blocklist_cidr6 "$net6" >/dev/null 2>&1
check_eq "deleting an absent prefix: exit 3" 3 "$?"
check_eq "... and the other prefix stays" 1 "$(entries blocklist_cidr6)"
check "pings pass once the prefixes are gone" ping4 "$XK_IP4" 2
check "set a struct field by name (match=dst)" xm map set blocklist_cfg 0 match=1
check_eq "match=dst is in the map" '{"match":1}' "$(xm --json map get blocklist_cfg 0 | jq -c .value)"
check "set it back" xm map set blocklist_cfg 0 match=0

# --- ports: network byte order ---------------------------------------------------------------------
check "set portfilter_ports 53" xm map set portfilter_ports 53
check_eq "port stored in network order (bpftool: 0x00 0x35)" "0x00 0x35" \
	"$(bpftool -j map dump pinned $G/portfilter_ports | jq -r '.[0].key | join(" ")')"
check_eq "and read back as 53" "53 0" "$(xm map dump portfilter_ports | grep -v '^#')"
check_match "--per-cpu shows each CPU of a per-CPU map" "^  cpu0 0" "$(xm map get portfilter_ports 53 --per-cpu)"

check_eq "PROG/MAPNAME with a name the kernel cut to 15 chars (portfilter_port)" "53 0" \
	"$(xm map dump portfilter_tc/portfilter_ports | grep -v '^#')"

# --- bad input: exit 2, one line, nothing changed --------------------------------------------------
bad_input "IPv4 300.1.1.1" "'300\.1\.1\.1' is not an IPv4 address; expected a\.b\.c\.d" xm map set blocklist_v4 300.1.1.1
bad_input "prefix /33" "10\.0\.0\.0/33.*out of range; expected 0-32" xm map set blocklist_cidr4 10.0.0.0/33
bad_input "IPv6 prefix /129" "/129.*expected 0-128" xm map set blocklist_cidr6 2001:db8::/129
bad_input "host bits past the prefix" "bits set past the /8 prefix; did you mean 10\.0\.0\.0/8" xm map set blocklist_cidr4 10.0.0.1/8
bad_input "port 70000" "'70000' is not a port; expected a number 0-65535" xm map set portfilter_ports 70000
bad_input "key of the wrong type (IPv6 for an IPv4 map)" "key for map blocklist_v4 \(xk_ipv4\): '2001:db8::1' is not an IPv4 address" \
	xm map set blocklist_v4 2001:db8::1
bad_input "missing key" "missing KEY|missing argument" xm map set blocklist_v4
bad_input "struct field that does not exist" "'nosuch' is not a field of struct blocklist_config; its fields are match\$" \
	xm map set blocklist_cfg 0 nosuch=1
bad_input "struct field value out of range" "'4294967296' is not a __u32; expected an integer 0-4294967295" \
	xm map set blocklist_cfg 0 match=4294967296
bad_input "array index out of range" "array with indexes 0-0" xm map set blocklist_cfg 1 match=1
bad_input "a value that is not a number" "'lots' is not a xk_hits" xm map set blocklist_v4 10.1.1.1 lots
bad_input "unknown map command" "unknown map command" xm map frobnicate
check_match "map --help" "Usage: xdpkit map COMMAND" "$(xm map --help)"
check_match "map set --help" "Usage: xdpkit map set MAP KEY \[VALUE\]" "$(xm map set --help)"

# --- load: all or nothing --------------------------------------------------------------------------
printf '# three good lines, then a bad one\n10.50.0.1\n10.50.0.2 3\n10.50.0.300\n10.50.0.4\n' >"$TMP/bad.txt"
bad_input "load: bad line 3 (of data) is reported, nothing written" "$TMP/bad.txt:4: key .*'10\.50\.0\.300' is not an IPv4 address" \
	xm map load blocklist_v4 "$TMP/bad.txt"
: >"$TMP/v4.txt"
for i in $(seq 1 300); do echo "10.60.$((i / 250)).$((i % 250 + 1)) $i" >>"$TMP/v4.txt"; done
echo "# a comment line and a blank one" >>"$TMP/v4.txt"
echo >>"$TMP/v4.txt"
check "load 300 exact rules" xm map load blocklist_v4 "$TMP/v4.txt"
check_eq "300 rules + the earlier one" 301 "$(xm map dump blocklist_v4 | grep -vc '^#')"
check_eq "a loaded value reads back" 123 "$(xm map get blocklist_v4 10.60.0.124)"
load_ports() { printf '80 7\n' | xm map load portfilter_ports -; }
check "load into a per-CPU map (portfilter_ports)" load_ports
ncpu=$(xm map get portfilter_ports 80 --per-cpu | grep -c '^  cpu')
check_ge "--per-cpu lists the CPUs" 1 "$ncpu"
check_eq "a loaded per-CPU value is on every CPU" "$ncpu" "$(xm map get portfilter_ports 80 --per-cpu | grep -c '^  cpu[0-9]* 7$')"
check_eq "... and reads back summed over the $ncpu CPUs" $((7 * ncpu)) "$(xm map get portfilter_ports 80 | head -1)"
check "del portfilter_ports 80" xm map del portfilter_ports 80
printf '10.70.0.0/16\n10.71.0.0/16 # trailing comment\n10.72.0.0/16 9\n' >"$TMP/c4.txt"
check "load 3 prefixes" xm map load blocklist_cidr4 "$TMP/c4.txt"
check_eq "cidr4 holds the 3 loaded prefixes and the earlier one" 4 "$(entries blocklist_cidr4)"
check "load the same prefixes again" xm map load blocklist_cidr4 "$TMP/c4.txt"
check_eq "loading them again adds none" 4 "$(entries blocklist_cidr4)"
check_eq "load from stdin, --json summary" '{"map":"blocklist_v4","file":"-","loaded":2}' \
	"$(printf '10.80.0.1\n10.80.0.2 4\n' | xm --json map load blocklist_v4 - | jq -c .)"
check_eq "... both there" "0 4" "$(xm map get blocklist_v4 10.80.0.1) $(xm map get blocklist_v4 10.80.0.2)"
# round trip: what dump prints, load reads back
xm map dump blocklist_cidr4 >"$TMP/c4dump.txt"
for p in $(grep -v '^#' "$TMP/c4dump.txt" | cut -d' ' -f1); do xm map del blocklist_cidr4 "$p"; done
check_eq "all prefixes deleted" 0 "$(entries blocklist_cidr4)"
check "load what dump printed" xm map load blocklist_cidr4 "$TMP/c4dump.txt"
check_eq "dump -> load round trip" "$(sort "$TMP/c4dump.txt")" "$(xm map dump blocklist_cidr4 | sort)"
# a write that fails part way is rolled back (a 3-entry map without BTF: keys and values are hex)
check "bpftool map create small hash" bpftool map create /sys/fs/bpf/xk_small type hash key 4 value 4 entries 3 name xk_small
check "set a hex key (map without BTF)" xm map set /sys/fs/bpf/xk_small 0a000001 01000000
printf '0a000001 02000000\n0a000002\n0a000003\n0a000004\n' >"$TMP/small.txt"
before=$(xm map dump /sys/fs/bpf/xk_small)
out=$(xm map load /sys/fs/bpf/xk_small "$TMP/small.txt" 2>&1)
check_eq "load into a map too small: exit 1" 1 "$?"
check_match "... says it is full and rolled back" "full .*rolled back" "$(echo $out)"
check_eq "... and the map is as before (old value restored, new keys gone)" "$before" "$(xm map dump /sys/fs/bpf/xk_small)"
bad_input "hex key of the wrong size" "'0a01' is not 4 bytes of hex" xm map set /sys/fs/bpf/xk_small 0a01

# --- issue 9 item 5: input parsers ----------------------------------------------------------------
# Every VALUE word counts, however many (the 7th and later were dropped) and however long in all (over
# 4 KiB overflowed a stack buffer); past 1 MiB in all, one line says so.
# (Separators alone make words that carry no pair, so the one pair can come last.)
check "set with 7 value words: the last one counts" xm map set blocklist_cfg 0 , , , , , , match=1
check_eq "... match=1 (the 7th word)" 1 "$(cfg_field match)"
check "set it back" xm map set blocklist_cfg 0 match=0
long=$(head -c 3000 /dev/zero | tr '\0' ,)
check "set with 3 value words of 3000 characters (a stack overflow before)" \
	xm map set blocklist_cfg 0 "$long" "$long" "$long" match=1
check_eq "... the last word counts" 1 "$(cfg_field match)"
check "set it back" xm map set blocklist_cfg 0 match=0
words=()
for i in $(seq 1 700); do words+=(,); done
check "set with 700 value words" xm map set blocklist_cfg 0 "${words[@]}" match=1
check_eq "... the last of them counts" 1 "$(cfg_field match)"
bad_input "a field given twice" "field 'match' is given twice \(also as 'match'\); give each field once" \
	xm map set blocklist_cfg 0 match=0 match=1
check "set it back" xm map set blocklist_cfg 0 match=0
big=$(head -c 100000 /dev/zero | tr '\0' 0)
words=()
for i in $(seq 1 11); do words+=("match=$big"); done
bad_input "VALUE words over 1 MiB in all" \
	"^xdpkit: map set: the VALUE words of map blocklist_cfg are longer than 1048576 characters in all; give fewer or shorter ones$" \
	xm map set blocklist_cfg 0 "${words[@]}"
bad_input "0x0x50 is not a port" "'0x0x50' is not a port; expected a number 0-65535" xm map set portfilter_ports 0x0x50
bad_input "id with a sign (strtoul wrapped it to 12)" \
	"^xdpkit: '-18446744073709551604' is not a map id; expected a decimal number 1-4294967295 \(see 'xdpkit map show'\)$" \
	xm map get id -18446744073709551604 10.0.0.1
bad_input "id in hex" "'0xc' is not a map id" xm map get id 0xc 10.0.0.1
bad_input "id over 32 bits" "'4294967308' is not a map id" xm map get id 4294967308 10.0.0.1
bad_input "PROG/MAPNAME with two slashes" "'a/b/c' is not PROG/MAPNAME" xm map get a/b/c 10.0.0.1
printf '10.90.0.1 1\n10.90.0.2\0junk 5\n' >"$TMP/nul.txt"
bad_input "load: a NUL byte in a line" \
	"^xdpkit: $TMP/nul.txt:2: a NUL byte at column 10; the file must be text, one 'KEY \[VALUE\]' a line; nothing was written$" \
	xm map load blocklist_v4 "$TMP/nul.txt"
bad_input "load: enum-like field out of range" "'4294967296' is not a __u32" \
	xm map load blocklist_cfg <(echo '0 match=4294967296')

# Round trip: for every map of the collection, `map dump` fed to `map load` gives the map back.
# ratelimit, count and hello are loaded (not attached) with bpftool for their maps.
RT=/sys/fs/bpf/xk-rt-$$
mkdir -p "$RT"
xk_cleanup rm -rf "$RT"
# (ratelimit's maps are pinned by name, in /sys/fs/bpf: pinmaps would clash with that; bpffs names
# have no '.', so hello's .bss is pinned as hello_bss)
check "bpftool prog loadall ratelimit" bpftool prog loadall "$XK_BUILD/ratelimit.bpf.o" "$RT/ratelimit"
for o in count hello; do
	check "bpftool prog loadall $o" bpftool prog loadall "$XK_BUILD/$o.bpf.o" "$RT/$o" pinmaps "$RT/$o-maps"
done
pin() { local p; for p in "$RT"/*-maps/$1 /sys/fs/bpf/$1 "$G/$1"; do [ -e "$p" ] && { echo "$p"; return; }; done; echo "no-pin-$1"; }
# clear_map MAP: hash-like maps lose every key, arrays get zero values.
clear_map()
{
	local k
	for k in $(xm map dump "$1" | grep -v '^#' | cut -d' ' -f1); do
		xm map del "$1" "$k" >/dev/null 2>&1 || xm map set "$1" "$k" >/dev/null
	done
}
# roundtrip MAP: dump, clear, load the dump: the same entries; per-CPU maps (values summed on read,
# written to every CPU) give back their keys with the dumped value on each CPU.
roundtrip()
{
	local m=$1 before after ncpu
	before=$(xm map dump "$m" | grep -v '^#' | sort)
	xm map dump "$m" >"$TMP/rt.txt"
	clear_map "$m"
	check_ne "round trip $m: cleared" "$before" "$(xm map dump "$m" | grep -v '^#' | sort)"
	check "round trip $m: load what dump printed" xm map load "$m" "$TMP/rt.txt"
	after=$(xm map dump "$m" | grep -v '^#' | sort)
	if xm map dump "$m" | grep -q '^# map .*values summed over CPUs'; then
		check_eq "round trip $m (per-CPU): the same keys" "$(cut -d' ' -f1 <<<"$before")" \
			"$(cut -d' ' -f1 <<<"$after")"
		check_eq "round trip $m (per-CPU): every CPU holds the dumped value" \
			"$(sed 's/ /\t/' <<<"$before" | sort -u)" \
			"$(xm map dump "$m" --per-cpu |
				awk '/^#/ {next} /^  cpu/ {sub(/^  cpu[0-9]+ /, ""); print key "\t" $0; next} {key = $1}' |
				sort -u)"
	else
		check_eq "round trip $m: the same entries" "$before" "$after"
	fi
}
check "fill blocklist_v6" xm map set blocklist_v6 2001:db8::7 9
check "fill blocklist_cfg" xm map set blocklist_cfg 0 match=1
check "fill portfilter_cfg" xm map set portfilter_cfg 0 mode=1
check "fill portfilter_ports" xm map set portfilter_ports 443 5
check "fill ratelimit_cfg" xm map set "$(pin ratelimit_cfg)" 0 rate_pps=100,burst=200
check "fill ratelimit_buckets" xm map set "$(pin ratelimit_buckets)" ::ffff:10.0.0.9 tokens_ns=5 last_ns=6 dropped=7
check "fill count_proto" xm map set "$(pin count_proto)" ethertype=ipv6,ip_proto=ipv6-icmp packets=3 bytes=4
check "fill hello .bss" xm map set "$(pin '*_bss')" 0 counter=41
check "fill xdpkit_stats" xm map set "$(pin xdpkit_stats)" 2 packets=5 bytes=600
for m in blocklist_v4 blocklist_v6 blocklist_cidr4 blocklist_cidr6 blocklist_cfg portfilter_ports portfilter_cfg \
	"$(pin ratelimit_cfg)" "$(pin ratelimit_buckets)" "$(pin count_proto)" "$(pin xdpkit_stats)" "$(pin '*_bss')"; do
	roundtrip "$m"
done
check "set blocklist_cfg back" xm map set blocklist_cfg 0 match=0
check "set portfilter_cfg back" xm map set portfilter_cfg 0 mode=0

xk_done
