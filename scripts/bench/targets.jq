# SPDX-License-Identifier: GPL-2.0-only
# The targets of issue 11, from the items of build/bench/results.json: [{name, value, goal, met, detail}]. A target
# whose item did not run (or did not finish) has value null and is not met.
def r2: if . == null then null else . * 100 | round / 100 end;
def t($name; $value; $goal; $ok; $detail):
	{name: $name, value: $value, goal: $goal, met: ($value != null and $ok), detail: $detail};
# The chart's label of each target.
def short($s): . + {short: $s};
def ns($x): if $x == null then "-" else "\($x * 10 | round / 10) ns" end;
.items as $i
| [
	($i.b.rows[]?
	 | t("rotated-source miss, \(.rules) exact rules: blocklist / xdp-filter, above the floor"; .ratio_miss_rotated;
		"<= 1.0"; .ratio_miss_rotated <= 1.0;
		"\(ns(.blocklist.miss_rotated.above_floor_ns.median)) vs \(ns(.xdp_filter.miss_rotated.above_floor_ns.median))")
	 | short("miss, \(.name | capture("miss, (?<n>[0-9]+) ").n) rules")),
	($i.i.plain_ip_load.total_mib as $m
	 | t("memory of blocklist's maps as a plain ip load makes them, MiB"; $m; "<= 8"; $m <= 8;
		"with --capacity blocklist_v4=\($i.i.capacity // "-"): \($i.i.xdpkit_capacity.total_mib // "-") MiB")
	 | short("memory")),
	($i.c.rows[-1]? // null | if . == null then t("exact hit, rotated sources, 1M rules: blocklist / bare lookup in the same map"; null; "<= 1.3"; false; "item c missing")
	 else t("exact hit, rotated sources, \(.exact_rules) rules: blocklist / bare lookup in the same map"; .hit_varied_vs_bare;
		"<= 1.3"; .hit_varied_vs_bare <= 1.3;
		"\(ns(.hit_varied.above_floor_ns.median)) vs \(ns(.bare_hit_varied.above_floor_ns.median)), capacity \(.capacity)") end
	 | short("hit, largest set")),
	($i.h.kinds[]? | t("prefixes (\($i.h.prefixes)), \(.kind | sub("_"; " ")): blocklist / bare LPM-trie lookup"; .ratio;
		"<= 0.5"; .ratio <= 0.5;
		"\(ns(.blocklist.above_floor_ns.median)) vs \(ns(.bare_trie.above_floor_ns.median))")
	 | short("prefix \(.name | capture("\\), (?<k>.*):").k)")),
	($i.d.xdpkit_vs_raw as $x
	 | t("\($i.d.rows[0].rules // "-") rules loaded: xdpkit map load / raw batch fill of the same map"; $x; "<= 1.3";
		$x <= 1.3; "median of \($i.d.pair_ratios.runs | length) pair ratios (\($i.d.pair_ratios.min // "-")..\($i.d.pair_ratios.max // "-")); medians \($i.d.median_seconds.xdpkit_map_load // "-") s vs \($i.d.median_seconds.raw_batch // "-") s")
	 | short("map load")),
	($i.f as $f | ($f.tools // []) as $tl
	 | ([$tl[] | select(.tool == "xdpkit")][0].cycle_ms.median) as $x
	 | (t("attach + detach: xdpkit / ip link set ... xdp obj + off"; $f.xdpkit_vs_ip; "<= 1.0"; $f.xdpkit_vs_ip <= 1.0;
		"\($x // "-") ms vs \([$tl[] | select(.tool == "ip")][0].cycle_ms.median // "-") ms") | short("cycle / ip")),
	   (t("attach + detach: xdpkit / xdp-loader"; $f.xdpkit_vs_xdp_loader; "<= 0.5"; $f.xdpkit_vs_xdp_loader <= 0.5;
		"\($x // "-") ms vs \([$tl[] | select(.tool == "xdp-loader")][0].cycle_ms.median // "-") ms")
	   | short("cycle / xdp-loader"))),
	($i.e | t("veth native drop: blocklist / bare XDP_DROP, median of \(.pairs // 0) pair ratios"; .ratio; ">= 0.97";
		.ratio >= 0.97; "spread \(.pair_ratios.min // "-")..\(.pair_ratios.max // "-"), middle half \(.pair_ratios.p25 // "-")..\(.pair_ratios.p75 // "-"); the bare one-lookup program \(.bare_lookup_vs_drop.median // "-")x of the drop")
	 | short("veth drop")),
	($i.e.stats_run_time | t("live cost per program: xdpkit stats shows blocklist's run time per packet (kernel BPF statistics)";
		(.ns_per_run // null | r2); "shown"; (.ns_per_run // 0) > 0;
		"ns per run during the veth flood, \(.runs_per_s // 0 | floor) runs/s") | short("live cost")),
	# Item j: xdpkit dump's capture hook, off (the most over the frames) and on at snaplen 128.
	($i.j as $j | ([$j.frames[]?.off_cost_ns] | max) as $off
	 | t("capture hook switched off: blocklist / the same source without the hook, the most over its frames, ns";
		($off | r2); "<= 1"; $off <= 1;
		([$j.frames[]? | "\(.frame) \(.off_cost_ns | r2)"] | join(", ")))
	 | short("dump off")),
	($i.j as $j | ([$j.frames[]? | select(.frame == "match")][0].on_cost_ns) as $on
	 | t("xdpkit dump running at snaplen 128: ns per packet above no dump (blocklist, dropped frame)"; ($on | r2);
		"shown"; $on != null;
		"\([$j.frames[]? | "\(.frame) \(.on_cost_ns | r2)"] | join(", ")); the dump captured \($j.dump_captured // 0), lost \($j.dump_lost // 0)")
	 | short("dump on"))
  ]
