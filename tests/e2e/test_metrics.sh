#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_metrics.sh: `xdpkit stats --prometheus` and `xdpkit exporter` (issue 12, metrics). ratelimit on
# XDP and blocklist on TC ingress see real pings; every verdict counter in the Prometheus text equals
# what `stats --json` says, rule hits and ratelimit drops equal `map get`, --top keeps the rules with
# most hits and counts the rest, label values are escaped, `promtool check metrics` passes on
# `stats --prometheus`, on --output FILE (written atomically: readers never see part of it) and on a
# scrape of the exporter, which reads the kernel on each scrape, turns run-time statistics on for its
# lifetime, answers 404/405 elsewhere, refuses a bad --listen (2) and a port in use (1), and stops
# cleanly on SIGTERM and SIGINT, and works with only the capabilities its unit keeps (refusing to
# start without CAP_SYS_ADMIN). Then `systemd-analyze verify` on every unit in systemd/. Host only:
# the VM guests have no curl, promtool or systemd-analyze.
. "$(dirname "$0")/lib.sh"
xk_host_only curl promtool systemd-analyze
xk_private "$@"
xk_env_setup metrics
X=$XDPKIT
TMP=$(mktemp -d /tmp/xk-metrics-$$.XXXXXX)
xk_cleanup rm -rf "$TMP"
xs() { on_host "$X" "$@"; }
# The interface name holds a double quote and a backslash: both must come out escaped.
ODD='xk"q\1'
ODD_LABEL='xk\"q\\1'
PORT=9435 # the test host's own loopback: no other test's exporter can be there

# The verdict counters of `stats --json` as the Prometheus lines they must appear as, sorted.
json_as_prom()
{
	jq -r 'def esc: gsub("(?<c>[\\\\\"])"; "\\\(.c)");
		.programs[] | select(.actions != null) | . as $p | .actions | to_entries[] | . as $a
		| ("packets", "bytes") as $w
		| "xdpkit_\($w)_total{interface=\"\($p.iface | esc)\",hook=\"\($p.hook | sub(" "; "_"))\",program=\"\($p.name | esc)\",id=\"\($p.prog_id)\",action=\"\($a.key)\"} \($a.value[$w])"' \
		"$1" | sort
}
prom_counters() { grep -E '^xdpkit_(packets|bytes)_total\{' "$1" | sort; }
# A reading with stats --json on both sides of it, taken again until nothing moved in between (a
# stray neighbour solicitation may arrive): CMD... > $TMP/got.prom, the --json view in $TMP/want.
consistent_read()
{
	local i
	for i in 1 2 3 4 5 6; do
		xs --json stats --interval 0.05 --no-run-time >"$TMP/a.json"
		"$@" >"$TMP/got.prom"
		xs --json stats --interval 0.05 --no-run-time >"$TMP/b.json"
		json_as_prom "$TMP/a.json" >"$TMP/want"
		json_as_prom "$TMP/b.json" | cmp -s - "$TMP/want" && return 0
	done
	return 1
}
# metric_value FILE REGEX: the value of the one sample line matching REGEX.
metric_value() { grep -E "$2" "$1" | awk '{ print $NF }'; }

check "attach ratelimit (xdp)" xs attach "$XK_IF" ratelimit
check "attach blocklist on TC ingress" xs attach "$XK_IF" blocklist --tc ingress
check "a veth named $ODD in the test host" on_host ip link add "$ODD" type veth peer name xkq1
on_host ip link set dev "$ODD" up
on_host ip link set dev xkq1 up
check "attach count to $ODD (skb mode)" xs attach "$ODD" count --mode skb
check "ratelimit: 1 packet/s, burst 2" "$X" map set ratelimit_cfg 0 rate_pps=1,burst=2
check "block the peer" "$X" map set blocklist_v4 "$XK_PEER_IP4"
for a in 192.0.2.1 192.0.2.2 192.0.2.3 192.0.2.4; do
	"$X" map set blocklist_v4 "$a"
done
check "a prefix rule" "$X" map set blocklist_cidr6 2001:db8::/32
check_eq "20 quick pings from the peer: the first ones pass ratelimit, blocklist drops them all" 0 \
	"$(ping_replies 4 "$XK_IP4" 20)"

# --- stats --prometheus ---------------------------------------------------------------------------
check "stats --prometheus, with stats --json before and after it agreeing" \
	consistent_read on_host "$X" stats --prometheus
cp "$TMP/got.prom" "$TMP/stats.prom"
out=$(promtool check metrics <"$TMP/stats.prom" 2>&1)
check_eq "promtool check metrics: exit 0, nothing to say" "0 " "$? $out"
check_eq "every verdict counter equals stats --json (packets and bytes, per interface, hook, program, id, action)" \
	"$(cat "$TMP/want")" "$(prom_counters "$TMP/stats.prom")"
check_eq "... 3 programs x 6 actions x 2" 36 "$(prom_counters "$TMP/stats.prom" | wc -l)"
rl_drop=$(metric_value "$TMP/stats.prom" '^xdpkit_packets_total\{interface="veth0",hook="xdp_native",program="ratelimit",.*action="drop"\}')
check_ge "ratelimit dropped some of the pings" 1 "$rl_drop"
check_match "the label value of $ODD is escaped" "^xdpkit_packets_total\{interface=\"$(sed 's/[\\]/\\&/g' <<<"$ODD_LABEL")\",hook=\"xdp_skb\",program=\"count\"," \
	"$(cat "$TMP/stats.prom")"
for fam in packets_total:counter bytes_total:counter bpf_stats_enabled:gauge program_run_time_seconds_total:counter \
	program_runs_total:counter map_entries:gauge map_entries_omitted:gauge rule_hits_total:counter \
	ratelimit_dropped_packets_total:counter build_info:gauge; do
	check_eq "HELP and TYPE of xdpkit_${fam%:*}" "1 1" \
		"$(grep -c "^# HELP xdpkit_${fam%:*} " "$TMP/stats.prom") $(grep -cx "# TYPE xdpkit_${fam%:*} ${fam#*:}" "$TMP/stats.prom")"
done
hits=$("$X" map get blocklist_v4 "$XK_PEER_IP4")
check_ge "the peer's rule has hits" 1 "$hits"
check_eq "xdpkit_rule_hits_total of the peer's rule = map get" "$hits" \
	"$(metric_value "$TMP/stats.prom" "^xdpkit_rule_hits_total\{map=\"blocklist_v4\",map_id=\"[0-9]+\",rule=\"$XK_PEER_IP4\"\}")"
check_eq "a rule without hits is there with 0" 0 \
	"$(metric_value "$TMP/stats.prom" '^xdpkit_rule_hits_total\{map="blocklist_cidr6",map_id="[0-9]+",rule="2001:db8::/32"\}')"
dropped=$("$X" map get ratelimit_buckets "::ffff:$XK_PEER_IP4" | sed -n 's/.*dropped=\([0-9]*\).*/\1/p')
check_ge "ratelimit_buckets: the peer's drops" 1 "$dropped"
check_eq "xdpkit_ratelimit_dropped_packets_total of the peer = map get" "$dropped" \
	"$(metric_value "$TMP/stats.prom" "^xdpkit_ratelimit_dropped_packets_total\{map=\"ratelimit_buckets\",map_id=\"[0-9]+\",source=\"::ffff:$XK_PEER_IP4\"\}")"
check_eq "xdpkit_map_entries of blocklist_v4: 5 rules" 5 \
	"$(metric_value "$TMP/stats.prom" '^xdpkit_map_entries\{map="blocklist_v4",')"
check_eq "maps without xk_hits or ratelimit_bucket values are not read (cfg, count_proto)" "" \
	"$(grep -E '^xdpkit_map_entries\{map="(blocklist_cfg|ratelimit_cfg|count_proto|xdpkit_stats)' "$TMP/stats.prom")"

# --top: the rules with most hits, the others counted.
xs stats --prometheus --top 2 >"$TMP/top.prom"
check_eq "--top 2: two blocklist_v4 rules, the peer's first" "$XK_PEER_IP4 192.0.2.1" \
	"$(sed -n 's/^xdpkit_rule_hits_total{map="blocklist_v4",map_id="[0-9]*",rule="\([^"]*\)"} .*/\1/p' "$TMP/top.prom" | tr '\n' ' ' | sed 's/ $//')"
check_eq "--top 2: 3 of blocklist_v4 left out" 3 "$(metric_value "$TMP/top.prom" '^xdpkit_map_entries_omitted\{map="blocklist_v4",')"
check_eq "--top 2: promtool" 0 "$(promtool check metrics <"$TMP/top.prom" >/dev/null 2>&1; echo $?)"
xs stats --prometheus --top 0 >"$TMP/top0.prom"
check_eq "--top 0: no rule series" 0 "$(grep -c '^xdpkit_rule_hits_total{' "$TMP/top0.prom")"
check_eq "--top 0: all 5 counted as left out" 5 "$(metric_value "$TMP/top0.prom" '^xdpkit_map_entries_omitted\{map="blocklist_v4",')"
out=$(on_peer "$X" stats --prometheus 2>&1)
check_eq "nothing attached (the peer): still a valid document" 0 "$(promtool check metrics <<<"$out" >/dev/null 2>&1; echo $?)"

# Bad command lines: one line, exit 2.
for bad in "--top -1" "--top x" "veth0" "--watch" "--count 2"; do
	# shellcheck disable=SC2086 # the words are meant to split
	out=$(xs stats --prometheus $bad 2>&1)
	check_eq "stats --prometheus $bad: exit 2, one line" "2 1" "$? $(wc -l <<<"$out")"
done
out=$(xs stats --output "$TMP/x.prom" 2>&1)
check_eq "--output without --prometheus: exit 2" 2 "$?"
out=$(xs stats --prometheus --output "$TMP/nosuchdir/x.prom" 2>&1)
check_eq "--output into a missing directory: exit 3, one line naming it" "3 1" "$? $(wc -l <<<"$out")"
check_match "... names the file" "nosuchdir/x.prom" "$out"

# --output FILE: for node_exporter's textfile collector.
mkdir "$TMP/textfile"
F=$TMP/textfile/xdpkit.prom
check "--output FILE" xs stats --prometheus --output "$F"
check_eq "the file is there, alone (no temporary file left)" "xdpkit.prom" "$(ls -A "$TMP/textfile")"
check_eq "... mode 644 (the collector need not be root)" 644 "$(stat -c %a "$F")"
check_eq "... promtool" 0 "$(promtool check metrics <"$F" >/dev/null 2>&1; echo $?)"
check_eq "... the same series as stdout" "$(grep -v '^#' "$TMP/stats.prom" | sed 's/ [^ ]*$//' | sort)" \
	"$(grep -v '^#' "$F" | sed 's/ [^ ]*$//' | sort)"
ino=$(stat -c %i "$F")
xs stats --prometheus --output "$F"
check_ne "a second write puts a new file in its place (rename)" "$ino" "$(stat -c %i "$F")"
# Readers while it is rewritten 20 times: each sees a whole document (first and last family there).
(for _ in $(seq 20); do on_host "$X" stats --prometheus --output "$F"; done) &
writer=$!
partial=0 reads=0
while kill -0 $writer 2>/dev/null; do
	doc=$(<"$F")
	reads=$((reads + 1))
	[[ $doc == "# HELP xdpkit_build_info"* && $doc == *"# TYPE xdpkit_ratelimit_dropped_packets_total counter"* ]] ||
		partial=$((partial + 1))
done
wait $writer
check_ge "readers read while it was rewritten" 2 "$reads"
check_eq "... never part of a document ($reads reads)" 0 "$partial"
check_eq "... and no temporary file left" "xdpkit.prom" "$(ls -A "$TMP/textfile")"

# --- the exporter ---------------------------------------------------------------------------------
URL=http://127.0.0.1:$PORT
sysctl0=$(cat /proc/sys/kernel/bpf_stats_enabled)
# (nsenter itself, not on_host: $! is then the exporter, which nsenter becomes, and kill reaches it)
nsenter --net="/run/netns/$XK_NS" -- "$X" exporter --listen "127.0.0.1:$PORT" >"$TMP/exporter.log" 2>&1 &
exp=$!
xk_cleanup kill $exp
for _ in $(seq 100); do
	on_host curl -s -o /dev/null "$URL/metrics" && break
	sleep 0.1
done
check_match "it says where it serves" "^xdpkit exporter: serving http://127.0.0.1:$PORT/metrics$" "$(cat "$TMP/exporter.log")"
code=$(on_host curl -sS -D "$TMP/headers" -o "$TMP/scrape1.prom" -w '%{http_code}' "$URL/metrics")
check_eq "GET /metrics: 200" 200 "$code"
check_match "... Content-Type of the text format 0.0.4" "^Content-Type: text/plain; version=0.0.4; charset=utf-8"$'\r'"?$" \
	"$(cat "$TMP/headers")"
out=$(promtool check metrics <"$TMP/scrape1.prom" 2>&1)
check_eq "... promtool check metrics: exit 0, nothing to say" "0 " "$? $out"
check_eq "... run-time statistics on while it runs" 1 "$(metric_value "$TMP/scrape1.prom" '^xdpkit_bpf_stats_enabled ')"
check "a scrape agrees with stats --json on every verdict counter" \
	consistent_read on_host curl -sS "$URL/metrics"
check_eq "... (the counters)" "$(cat "$TMP/want")" "$(prom_counters "$TMP/got.prom")"

# Each scrape reads the kernel: a program attached since, traffic since.
before=$(metric_value "$TMP/scrape1.prom" '^xdpkit_packets_total\{interface="veth0",hook="xdp_native",program="ratelimit",.*action="(pass|drop)"\}' | awk '{ s += $1 } END { print s + 0 }')
check "attach portfilter on TC egress" xs attach "$XK_IF" portfilter --tc egress
ping_replies 4 "$XK_IP4" 5 >/dev/null
on_host curl -sS "$URL/metrics" >"$TMP/scrape2.prom"
after=$(metric_value "$TMP/scrape2.prom" '^xdpkit_packets_total\{interface="veth0",hook="xdp_native",program="ratelimit",.*action="(pass|drop)"\}' | awk '{ s += $1 } END { print s + 0 }')
check_ge "the next scrape counts the 5 pings sent since" $((before + 5)) "$after"
check_match "... and shows the program attached since" '^xdpkit_packets_total\{interface="veth0",hook="tc_egress",program="portfilter_tc",' \
	"$(cat "$TMP/scrape2.prom")"
runs=$(metric_value "$TMP/scrape2.prom" '^xdpkit_program_runs_total\{interface="veth0",hook="xdp_native",program="ratelimit",')
check_ge "run time: ratelimit's runs timed since the exporter started (>= the 5 pings)" 5 "$runs"
check_match "run time: seconds, a decimal" '^xdpkit_program_run_time_seconds_total\{interface="veth0",hook="xdp_native",program="ratelimit",id="[0-9]+"\} [0-9]+\.[0-9]{9}$' \
	"$(cat "$TMP/scrape2.prom")"

code=$(on_host curl -s -o "$TMP/body" -w '%{http_code}' "$URL/nope")
check_eq "GET /nope: 404" 404 "$code"
code=$(on_host curl -s -o /dev/null -w '%{http_code}' "$URL/")
check_eq "GET /: 404" 404 "$code"
code=$(on_host curl -s -o /dev/null -w '%{http_code}' -X POST "$URL/metrics")
check_eq "POST /metrics: 405" 405 "$code"

out=$(xs exporter --listen "127.0.0.1:$PORT" 2>&1)
check_eq "a second exporter on the same port: exit 1, one line" "1 1" "$? $(wc -l <<<"$out")"
check_match "... naming the address and the cause" "127.0.0.1:$PORT: the address is in use" "$out"
for bad in nope 127.0.0.1 127.0.0.1:0 127.0.0.1:70000 ::1:9435 "[::1]9435" 127.0.0.1:http; do
	out=$(xs exporter --listen "$bad" 2>&1)
	check_eq "--listen '$bad': exit 2, one line" "2 1" "$? $(wc -l <<<"$out")"
done
out=$(xs exporter --bogus 2>&1)
check_eq "exporter --bogus: exit 2" 2 "$?"
check_match "exporter --help" "Usage: xdpkit exporter" "$(xs exporter --help)"

kill -TERM $exp
wait $exp
check_eq "SIGTERM: exit 0" 0 "$?"
check_match "... it says so" "^xdpkit exporter: stopped by Terminated after [0-9]+ scrapes$" "$(cat "$TMP/exporter.log")"
check_fails "... and the port is closed" on_host curl -s -o /dev/null "$URL/metrics"
check_eq "the sysctl kernel.bpf_stats_enabled is as it was" "$sysctl0" "$(cat /proc/sys/kernel/bpf_stats_enabled)"
nsenter --net="/run/netns/$XK_NS" -- "$X" exporter --listen "[::1]:$PORT" --no-run-time >"$TMP/exporter6.log" 2>&1 &
exp=$!
xk_cleanup kill $exp
for _ in $(seq 100); do
	on_host curl -s -o "$TMP/scrape6.prom" "http://[::1]:$PORT/metrics" && break
	sleep 0.1
done
check_eq "IPv6 [::1]:PORT: promtool" 0 "$(promtool check metrics <"$TMP/scrape6.prom" >/dev/null 2>&1; echo $?)"
kill -INT $exp
wait $exp
check_eq "SIGINT: exit 0" 0 "$?"

# The unit's capabilities (CapabilityBoundingSet, NoNewPrivileges) are enough: root with only those.
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$XK_ROOT/systemd/xdpkit-exporter.service" | tr 'A-Z ' 'a-z,' | sed 's/cap_/+/g')
check_match "the unit names its capabilities" '^\+[a-z_]+(,\+[a-z_]+)*$' "$caps"
nsenter --net="/run/netns/$XK_NS" -- setpriv --no-new-privs --bounding-set=-all,"$caps" --inh-caps=-all \
	"$X" exporter --listen "127.0.0.1:$PORT" >"$TMP/exporter-caps.log" 2>&1 &
exp=$!
xk_cleanup kill $exp
for _ in $(seq 100); do
	on_host curl -s -o "$TMP/scrape-caps.prom" "$URL/metrics" && break
	sleep 0.1
done
check_match "with the unit's capabilities ($caps): ratelimit's counters" \
	'^xdpkit_packets_total\{interface="veth0",hook="xdp_native",program="ratelimit",' "$(cat "$TMP/scrape-caps.prom")"
check_eq "... and run-time statistics on" 1 "$(metric_value "$TMP/scrape-caps.prom" '^xdpkit_bpf_stats_enabled ')"
check_match "... and the rule hits" '^xdpkit_rule_hits_total\{map="blocklist_v4",' "$(cat "$TMP/scrape-caps.prom")"
kill -TERM $exp
wait $exp
check_eq "... exit 0 on SIGTERM" 0 "$?"
out=$(timeout 20 nsenter --net="/run/netns/$XK_NS" -- setpriv --no-new-privs --bounding-set=-all,+bpf,+perfmon \
	--inh-caps=-all "$X" exporter --listen "127.0.0.1:$PORT" 2>&1)
check_eq "without CAP_SYS_ADMIN: exit 4 at start (not empty scrapes), one line" "4 1" "$? $(wc -l <<<"$out")"
check_match "... saying what it needs" "CAP_SYS_ADMIN" "$out"

# --- systemd units ---------------------------------------------------------------------------------
# Each unit of systemd/ with its ExecStart on the binary just built (verify wants it to exist);
# --man=no: the man pages come with the package, not with the tree.
units=0
for u in "$XK_ROOT"/systemd/*.service; do
	[ -e "$u" ] || continue
	units=$((units + 1))
	sed "s|/usr/sbin/xdpkit|$X|g" "$u" >"$TMP/$(basename "$u")"
	out=$(systemd-analyze verify --man=no "$TMP/$(basename "$u")" 2>&1)
	check_eq "systemd-analyze verify $(basename "$u"): exit 0, nothing to say" "0 " "$? $out"
done
check_ge "the exporter's unit is among them" 1 "$units"
check_match "the exporter's unit runs xdpkit exporter" '^ExecStart=/usr/sbin/xdpkit exporter --listen ' \
	"$(cat "$XK_ROOT/systemd/xdpkit-exporter.service")"

xk_done
