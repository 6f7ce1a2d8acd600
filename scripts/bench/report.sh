#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The table and chart of `make bench`: reads build/bench/results.json, prints the plain table (every figure with its
# same-run baseline, and the issue's targets), and draws the PNG with gnuplot.
# Usage: scripts/bench/report.sh [RESULTS.json [CHART.png]]
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RES=${1:-$ROOT/build/bench/results.json}
PNG=${2:-${RES%.json}.png}
[ -s "$RES" ] || { echo "report: $RES is missing; run 'make bench'" >&2; exit 3; }

has() { jq -e --arg i "$1" '.items[$i] != null' "$RES" >/dev/null; }
# "median (min..max)" of a {median, min, max} object, one decimal.
J_MM='def mm: if . == null then "-" else "\(.median * 10 | round / 10) (\(.min * 10 | round / 10)..\(.max * 10 | round / 10))" end;
      def n1: if . == null then "-" else (. * 10 | round / 10 | tostring) end;'

jq -r '.machine | "xdpkit benchmarks: \(.cpu), \(.cpus) CPUs (\(.virtualization)), kernel \(.kernel), libbpf \(.libbpf), xdp-tools \(.xdp_tools)",
	"run \(.date), commit \(.commit)\(if .quick then ", QUICK=1 (wiring check, not figures to quote)" else "" end)"' "$RES"
echo "ns figures: median over the runs (min..max) of the kernel's ns/packet (BPF_PROG_TEST_RUN) above the floor, an"
echo "empty program measured interleaved in the same invocation; each table says what its baseline is."

if has a; then
	echo
	echo "a. every program on every frame kind: ns above the floor; [stats] = with minus without the verdict counting"
	jq -r "$J_MM"'
		(.items.a.programs[0].frames | map(.frame)) as $fr
		| (["program"] + $fr + ["floor"] | @tsv),
		  (.items.a.programs[] | ([.program] + [.frames[] | "\(.above_floor_ns.median | n1) \(.verdict | ltrimstr("XDP_") | .[0:4])"]
			+ [[.frames[].floor_ns] | add / length | n1] | @tsv),
			(select(.frames[0].stats_cost_ns != null) | ["  [stats]"] + [.frames[] | .stats_cost_ns | n1] | @tsv))' \
		"$RES" | awk -F'\t' '{ printf "%-11s", $1; for (i = 2; i <= NF; i++) printf " %-10s", $i; printf "\n" }'
fi

if has b; then
	echo
	jq -r '.items.b | "b. blocklist vs xdp-filter (\(.xdp_filter_program), at most \(.xdp_filter_max_rules) rules; one rule by its CLI: \(.xdp_filter_cli_one_rule_ms) ms): ns above the floor"' "$RES"
	printf '%-8s %-18s %-18s %-6s %-18s %-18s %-6s %-18s %-18s %-6s %-18s %-18s %-6s\n' rules \
		"blocklist match" "xdp-filter match" ratio "blocklist miss" "xdp-filter miss" ratio \
		"bl hit, rotated" "xf hit, rotated" ratio "bl miss, rotated" "xf miss, rotated" ratio
	jq -r "$J_MM"'.items.b.rows[] | [(.rules | tostring),
		(.blocklist.match.above_floor_ns | mm), (.xdp_filter.match.above_floor_ns | mm), (.ratio_match // "-" | tostring),
		(.blocklist.miss.above_floor_ns | mm), (.xdp_filter.miss.above_floor_ns | mm), (.ratio_miss // "-" | tostring),
		(.blocklist.hit_rotated.above_floor_ns | mm), (.xdp_filter.hit_rotated.above_floor_ns | mm),
		(.ratio_hit_rotated // "-" | tostring),
		(.blocklist.miss_rotated.above_floor_ns | mm), (.xdp_filter.miss_rotated.above_floor_ns | mm),
		(.ratio_miss_rotated // "-" | tostring), (.note // "")] | @tsv' "$RES" |
		awk -F'\t' '{ printf "%-8s %-18s %-18s %-6s %-18s %-18s %-6s %-18s %-18s %-6s %-18s %-18s %-6s %s\n",
			$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14 }'
fi

if has c; then
	echo
	jq -r '.items.c.rows[0] | "c. blocklist at scale, blocklist_v4 made with \(.capacity) entries, \(.prefixes) /24 prefixes in the trie; ns above the floor (a rotator + empty program)"' "$RES"
	printf '%-9s %-22s %-22s %-6s %-20s %-22s %-22s %-22s %s\n' "exact" "hit, rotated sources" "bare lookup, same" \
		"ratio" "hit, one source" "miss, rotated" "miss, hash only" "prefix hit, rotated" "added in"
	jq -r "$J_MM"'.items.c.rows[] | [(.exact_rules | tostring), (.hit_varied.above_floor_ns | mm),
		(.bare_hit_varied.above_floor_ns | mm), (.hit_varied_vs_bare // "-" | tostring),
		(.hit_hot.above_floor_ns | mm), (.miss_varied.above_floor_ns | mm), (.miss_exact_only.above_floor_ns | mm),
		(.cidr_hit_varied.above_floor_ns | mm), "\(.added_in_ms) ms"] | @tsv' "$RES" |
		awk -F'\t' '{ printf "%-9s %-22s %-22s %-6s %-20s %-22s %-22s %-22s %s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9 }'
	jq -r '.items.c.largest_vs_smallest | "   \(.exact_rules[1]) vs \(.exact_rules[0]) rules: hit rotated \(.hit_varied)x, hit one source \(.hit_hot)x, miss \(.miss_varied)x"' "$RES"
fi

if has d; then
	echo
	jq -r '.items.d | "d. loading rules into an empty blocklist_v4 made with \(.capacity) entries (baseline: xk-fill, raw bpf_map_update_batch)"' "$RES"
	jq -r '.items.d.rows[] | if .available == false then "   \(.method): \(.note)"
		else "   \(.method | .[0:16] | . + " " * (16 - length)) \(.rules) rules in \(.seconds) s\(if .all_loaded then "" else " (INCOMPLETE)" end)" end' "$RES"
	jq -r '.items.d | "   medians: xdpkit map load \(.median_seconds.xdpkit_map_load // "-") s, raw \(.median_seconds.raw_batch // "-") s; xdpkit / raw, median of pair ratios: \(.xdpkit_vs_raw // "-")x (\(.pair_ratios.min // "-")..\(.pair_ratios.max // "-")); xdpkit map load / bpftool batch: \(.xdpkit_vs_bpftool // "-")x",
		"   bare maps of \(.capacity) entries, create + raw fill (blocklist_v4 is hash):",
		(.raw_fill_by_map_type[] | ("\(.map_type)\(if .no_prealloc then "+no_prealloc" else "" end)" | . + " " * (24 - length))
			as $n | "     \($n) create \(.create_seconds // "-") s, fill \(.seconds) s")' "$RES"
fi

if has e; then
	echo
	jq -r "$J_MM"'.items.e | "e. \(.mode), \(.sender), \(.seconds_per_window) s windows (\(.switch)), packets/s (min..max)",
		"   bare XDP_DROP  \(.bare_drop_pps | mm)",
		"   blocklist      \(.blocklist_pps | mm)   (rule hits \(.blocklist_rule_hits), at least the \(.blocklist_window_frames) frames of its windows)",
		"   bare lookup    \(.bare_lookup_pps | mm)   (one hash lookup in blocklist_v4 and nothing else: \(.bare_lookup_vs_drop.median)x of the bare drop; blocklist \(.blocklist_vs_bare_lookup.median)x of it)",
		"   ratio (median of \(.pairs) pair ratios) \(.ratio)x of the bare drop; pairs \(.pair_ratios.min)..\(.pair_ratios.max), middle half \(.pair_ratios.p25)..\(.pair_ratios.p75); \(.extra_ns_per_packet) ns more per packet",
		"   xdpkit stats during one more blocklist window: \(if .stats_run_time.ns_per_run == null then "no run time" else "\(.stats_run_time.ns_per_run * 10 | round / 10) ns per run (kernel BPF statistics), \(.stats_run_time.runs_per_s | floor) runs/s" end)"' "$RES"
fi

if has f; then
	echo
	jq -r "$J_MM"'.items.f | "f. one attach + detach of \(.program), \(.mode): ms (min..max)",
		(.tools[] | "   \(.tool | . + " " * (11 - length)) \(.cycle_ms | mm)"),
		"   xdpkit / xdp-loader \(.xdpkit_vs_xdp_loader)x, xdpkit / ip \(.xdpkit_vs_ip // "-")x, ip / xdp-loader \(.ip_vs_xdp_loader)x"' "$RES"
fi

if has g; then
	echo
	jq -r '.items.g | "g. pong: what verifying the checksums costs (baseline \(.baseline)): ns above the floor"' "$RES"
	printf '%-16s %-7s %-22s %-22s %s\n' frame bytes "verifying" "not verifying" "verification"
	jq -r "$J_MM"'.items.g.frames[] | [.frame, (.frame_bytes | tostring), (.verify_above_floor_ns | mm),
		(.noverify_above_floor_ns | mm), "\(.verify_cost_ns | n1) ns"] | @tsv' "$RES" |
		awk -F'\t' '{ printf "%-16s %-7s %-22s %-22s %s\n", $1, $2, $3, $4, $5 }'
fi

if has h; then
	echo
	jq -r '.items.h | "h. prefixes: \(.prefixes) /24, \(.layout), \(.exact_rules) exact rules; ns above the floor, against one bare LPM-trie lookup"' "$RES"
	printf '%-14s %-22s %-22s %s\n' "source" "blocklist" "bare trie lookup" "ratio"
	jq -r "$J_MM"'.items.h.kinds[] | [.kind, (.blocklist.above_floor_ns | mm), (.bare_trie.above_floor_ns | mm),
		(.ratio // "-" | tostring)] | @tsv' "$RES" | awk -F'\t' '{ printf "%-14s %-22s %-22s %s\n", $1, $2, $3, $4 }'
fi

if has i; then
	echo
	echo "i. kernel memory of blocklist's maps (bytes_memlock), no rules yet"
	jq -r '.items.i | "   plain ip load: \(.plain_ip_load.total_mib) MiB (\([.plain_ip_load.maps[] | "\(.name) \(.max_entries)"] | join(", ")))",
		"   xdpkit attach --capacity blocklist_v4=\(.capacity): \(.xdpkit_capacity.total_mib) MiB"' "$RES"
fi

echo
echo "targets (issue 11):"
jq -r '.targets[]? | "   \(if .met then "met   " else "MISSED" end) \(.name): \(.value // "not measured") (goal \(.goal)); \(.detail)"' "$RES"

# The chart: one panel per item that ran.
command -v gnuplot >/dev/null || { echo "report: gnuplot is not installed; no chart" >&2; exit 0; }
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
panels=0
plot=""
if has a; then
	# hello and hello_drop spend ~100x more in bpf_printk: they would flatten every other bar.
	jq -r '.items.a.programs | (["program"] + (.[0].frames | map(.frame)) | @tsv),
		(.[] | select(.program | startswith("hello") | not) | [.program] + [.frames[].above_floor_ns.median] | @tsv)' \
		"$RES" >"$D/a.tsv"
	n=$(head -1 "$D/a.tsv" | awk -F'\t' '{ print NF }')
	plot+="set title 'a. ns above the floor per frame kind (hello*: bpf_printk, off scale)'
set style data histograms; set style histogram clustered gap 1; set style fill solid 0.8 border -1
set ylabel 'ns/packet'; set xtics rotate by -30; set key top left font ',8'; set yrange [*:*]
plot for [i=2:$n] '$D/a.tsv' using i:xtic(1) title columnheader(i)
unset xtics; set xtics; set yrange [0:*]
"
	panels=$((panels + 1))
fi
if has b; then
	jq -r '.items.b.rows[] | [.rules, .blocklist.match.above_floor_ns.median, (.xdp_filter.match.above_floor_ns.median // "NaN"),
		.blocklist.miss.above_floor_ns.median, (.xdp_filter.miss.above_floor_ns.median // "NaN"),
		(.blocklist.miss_rotated.above_floor_ns.median // "NaN"), (.xdp_filter.miss_rotated.above_floor_ns.median // "NaN")]
		| @tsv' "$RES" >"$D/b.tsv"
	plot+="set title 'b. blocklist vs xdp-filter, ns above the floor'
set style data histograms; set style histogram clustered gap 1; set style fill solid 0.8 border -1
set xlabel 'IPv4 source rules'; set ylabel 'ns/packet'; set key outside below horizontal font ',8'
plot '$D/b.tsv' using 2:xtic(1) title 'blocklist match', '' using 3 title 'xdp-filter match', '' using 4 title 'blocklist miss', '' using 5 title 'xdp-filter miss', '' using 6 title 'blocklist miss, rotated sources', '' using 7 title 'xdp-filter miss, rotated sources'
unset xlabel; set key inside top left
"
	panels=$((panels + 1))
fi
if has c; then
	jq -r '.items.c.rows[] | [.exact_rules, .hit_varied.above_floor_ns.median, .hit_hot.above_floor_ns.median,
		.miss_varied.above_floor_ns.median, .cidr_hit_varied.above_floor_ns.median,
		(.miss_exact_only.above_floor_ns.median // "NaN"), (.bare_hit_varied.above_floor_ns.median // "NaN")] | @tsv' \
		"$RES" >"$D/c.tsv"
	plot+="set title 'c. blocklist at scale, ns above the floor'
set style data linespoints; set logscale xy; set format x '%.0s%c'; set xlabel 'exact rules'
set ylabel 'ns/packet (log)'; set yrange [1:*]; set key outside below horizontal font ',8'
plot '$D/c.tsv' using 1:2 title 'hit, rotated sources' lw 2, '' using 1:3 title 'hit, one source' lw 2, '' using 1:4 title 'miss (hash + trie), rotated' lw 2, '' using 1:5 title 'prefix hit, rotated' lw 2, '' using 1:6 title 'miss, hash only' lw 2, '' using 1:7 title 'one bare lookup, rotated' lw 2 dt 2
unset logscale xy; set format x '%g'; unset xlabel; set yrange [0:*]; set key inside top left
"
	panels=$((panels + 1))
fi
if has d; then
	jq -r '.items.d.rows[] | select(.seconds != null) | [.method, .seconds] | @tsv' "$RES" >"$D/d.tsv"
	jq -r '.items.d.raw_fill_by_map_type[] | ["raw into \(.map_type)\(if .no_prealloc then "+noprealloc" else "" end)", .seconds] | @tsv' \
		"$RES" >>"$D/d.tsv"
	rules=$(jq '.items.d.rows[0].rules' "$RES")
	plot+="set title 'd. loading $rules IPv4 rules, seconds'
set style data histograms; set style histogram clustered; set style fill solid 0.8 border -1
set ylabel 's'; set xtics rotate by -25 font ',8'; set key off
plot '$D/d.tsv' using 2:xtic(1) notitle
unset xtics; set xtics; set key
"
	panels=$((panels + 1))
fi
if has e; then
	jq -r '.items.e | ["bare XDP_DROP", .bare_drop_pps.median, .bare_drop_pps.min, .bare_drop_pps.max],
		["blocklist", .blocklist_pps.median, .blocklist_pps.min, .blocklist_pps.max],
		(select(.bare_lookup_pps != null) | ["one bare lookup", .bare_lookup_pps.median, .bare_lookup_pps.min,
			.bare_lookup_pps.max]) | @tsv' "$RES" >"$D/e.tsv"
	plot+="set title 'e. native XDP on veth: packets/s (min..max)'
set style data histograms; set style histogram errorbars gap 2 lw 1; set style fill solid 0.8 border -1
set ylabel 'packets/s'; set key off
plot '$D/e.tsv' using 2:3:4:xtic(1) notitle
set key
"
	panels=$((panels + 1))
fi
if has f; then
	jq -r '.items.f.tools[] | [.tool, .cycle_ms.median, .cycle_ms.min, .cycle_ms.max] | @tsv' "$RES" >"$D/f.tsv"
	plot+="set title 'f. one attach + detach cycle, ms (min..max)'
set style data histograms; set style histogram errorbars gap 2 lw 1; set style fill solid 0.8 border -1
set ylabel 'ms'; set key off
plot '$D/f.tsv' using 2:3:4:xtic(1) notitle
set key
"
	panels=$((panels + 1))
fi
if has g; then
	jq -r '.items.g.frames[] | [.frame, .verify_above_floor_ns.median, .noverify_above_floor_ns.median] | @tsv' \
		"$RES" >"$D/g.tsv"
	plot+="set title 'g. pong with and without checksum verification, ns above the floor'
set style data histograms; set style histogram clustered gap 1; set style fill solid 0.8 border -1
set ylabel 'ns/packet'; set key top left
plot '$D/g.tsv' using 2:xtic(1) title 'verifying', '' using 3 title 'not verifying (-DPONG_NO_VERIFY)'
"
	panels=$((panels + 1))
fi
if has h; then
	jq -r '.items.h.kinds[] | [.kind, (.blocklist.above_floor_ns.median // "NaN"), (.bare_trie.above_floor_ns.median // "NaN")]
		| @tsv' "$RES" >"$D/h.tsv"
	plot+="set title 'h. prefixes: blocklist vs one bare LPM-trie lookup, ns above the floor'
set style data histograms; set style histogram clustered gap 1; set style fill solid 0.8 border -1
set ylabel 'ns/packet'; set key top right
plot '$D/h.tsv' using 2:xtic(1) title 'blocklist', '' using 3 title 'bare trie lookup'
"
	panels=$((panels + 1))
fi
if jq -e '(.targets // []) | length > 0' "$RES" >/dev/null; then
	# Each target as value / limit (limit / value for an at-least goal): at or under 1 is met.
	jq -r '.targets[] | select((.value | type) == "number" and (.goal | test("^[<>]= *[0-9.]+$")))
		| (.goal | capture("^(?<op>[<>])= *(?<n>[0-9.]+)$")) as $g | ($g.n | tonumber) as $n
		| [(.short // (.name | .[0:30])), (if $g.op == "<" then .value / $n else $n / .value end)] | @tsv' \
		"$RES" >"$D/t.tsv"
	plot+="set title 'targets of issue 11: value / goal (at or under the line: met)'
set style data histograms; set style histogram clustered gap 1; set style fill solid 0.8 border -1
set ylabel 'value / goal'; set xtics rotate by -35 font ',7'; set key off; set logscale y
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead lw 2 lc rgb 'red'
plot '$D/t.tsv' using 2:xtic(1) notitle
unset arrow 1; unset logscale y; unset xtics; set xtics; set key
"
	panels=$((panels + 1))
fi
[ $panels = 0 ] && exit 0
cols=$((panels < 3 ? panels : 3))
rows=$(((panels + cols - 1) / cols))
title=$(jq -r '.machine | "xdpkit benchmarks: \(.cpu), \(.cpus) CPUs, kernel \(.kernel), \(.date)"' "$RES")
gnuplot <<EOF || { echo "report: gnuplot failed; no chart" >&2; exit 0; }
set terminal pngcairo size $((cols * 640)),$((rows * 480 + 30)) font 'DejaVu Sans,10'
set output '$PNG'
set termoption noenhanced
set datafile separator '\t'
set grid ytics
set yrange [0:*]
set multiplot layout $rows,$cols title '$title'
$plot
unset multiplot
EOF
echo "chart: $PNG"
