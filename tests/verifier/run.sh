#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Verifier tests: `xdpkit check` on each deliberately broken object in tests/verifier/ must name the right class,
# cause and source line (the line marked /* BAD */ in the source), and pass the good one while pinning nothing.
# Usage: tests/verifier/run.sh   (root; after `make test-verifier` built build/verifier/*.bpf.o)
# XDPKIT=path overrides the binary under test; V=1 shows each check's output.
set -u
cd "$(dirname "$0")/../.."
XK=${XDPKIT:-build/xdpkit}
export XDPKIT_PROG_DIR=${XDPKIT_PROG_DIR:-build} # `check hello` finds the collection of this tree
OBJ=build/verifier
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

# The line number of the /* BAD */ marker, found in the source itself rather than kept here.
bad_line() { grep -n '/\* BAD \*/' "tests/verifier/$1.bpf.c" | head -1 | cut -d: -f1; }

# rejected NAME CLASS CAUSE-WORDS: exit 1, the class, the cause, the marked line, the verifier's own words.
rejected() {
	local name=$1 class=$2 cause=$3 out err rc line
	out=$("$XK" check "$OBJ/$name.bpf.o" 2>/tmp/xkv-err.$$)
	rc=$?
	err=$(cat /tmp/xkv-err.$$)
	[ "${V:-0}" = 1 ] && printf '%s\n%s\n' "$out" "$err"
	line=$(bad_line "$name")
	[ "$rc" = 1 ] && ok "$name: exit 1" || bad "$name: exit $rc, expected 1"
	grep -q "^    class    $class: " <<<"$out" && ok "$name: class $class" ||
		bad "$name: class $class not reported: $(grep class <<<"$out")"
	grep -q "^    cause    .*$cause" <<<"$out" && ok "$name: cause mentions '$cause'" ||
		bad "$name: cause lacks '$cause'"
	grep -q "^    fix      ." <<<"$out" && ok "$name: a fix is given" || bad "$name: no fix line"
	grep -q "^    at       $name.bpf.c:$line: .*/\* BAD \*/" <<<"$out" && ok "$name: source line $line" ||
		bad "$name: expected at $name.bpf.c:$line, got: $(grep '^    at' <<<"$out")"
	grep -q "^    verifier ." <<<"$out" && ok "$name: verifier message shown" || bad "$name: no verifier message"
	[ "$(wc -l <<<"$err")" = 1 ] && grep -q "did not load" <<<"$err" && ok "$name: one error line" ||
		bad "$name: stderr is not one line: $err"
}

if [ "$(id -u)" != 0 ]; then
	echo "tests/verifier: needs root"
	echo "0 passed, 1 failed"
	exit 1
fi
trap 'rm -f /tmp/xkv-err.$$' EXIT

rejected gpl_only gpl-only "GPL-compatible"
rejected not_a_map not-a-map "got something else"
rejected null_check map-null "NULL"
rejected map_oob map-bounds "outside the map value"
rejected packet_bounds packet-bounds "data_end"
rejected unbounded unbounded-offset "no known bounds"
rejected loop loop "without making progress"
rejected too_large too-large "1,000,000"

# The verifier's own words survive next to the explanation.
out=$("$XK" check "$OBJ/null_check.bpf.o" 2>/dev/null)
grep -q "^    verifier R0 invalid mem access 'map_value_or_null'" <<<"$out" && ok "null_check: kernel message verbatim" ||
	bad "null_check: kernel message missing"

# -v adds the whole verifier log (on stderr), with instructions before the failing one.
err=$("$XK" -v check "$OBJ/null_check.bpf.o" 2>&1 >/dev/null)
grep -q "call bpf_map_lookup_elem" <<<"$err" && grep -q "^processed [0-9]* insns" <<<"$err" &&
	ok "-v prints the whole log" || bad "-v does not print the whole log"

# JSON: same facts, machine-readable.
json=$("$XK" --json check "$OBJ/packet_bounds.bpf.o" 2>/dev/null)
if jq -e --argjson line "$(bad_line packet_bounds)" '.rejected == 1 and (.programs[0] | .loaded == false and
	.error.class == "packet-bounds" and .error.file == "packet_bounds.bpf.c" and .error.line == $line and
	any(.error.message[]; test("invalid access to packet")))' <<<"$json" >/dev/null; then
	ok "--json reports class, file, line, message"
else
	bad "--json: $json"
fi

# The good object: every program loads, with a real instruction count, and nothing is pinned or left loaded.
# A private bpffs shows whether anything was pinned (the object's map asks for pin-by-name; maps.debug and
# progs.debug are bpffs's own preloaded iterators, present on every mount).
out=$("$(dirname "$0")/../../scripts/private-mounts.sh" sh -c '
	mount -t bpf bpf /sys/fs/bpf || exit 9
	"$1" check "$2"; rc=$?
	echo "pins: $(ls -A /sys/fs/bpf | grep -Ev "^(maps|progs)\.debug$" | wc -l)"
	exit $rc' sh "$XK" "$OBJ/good.bpf.o" 2>&1)
rc=$?
[ "${V:-0}" = 1 ] && echo "$out"
[ "$rc" = 0 ] && ok "good: exit 0" || bad "good: exit $rc: $out"
for p in xkv_good_xdp:xdp:xdp xkv_good_tc:tc:sched_cls; do
	IFS=: read -r name sec type <<<"$p"
	grep -Eq "^$name +$sec +$type +[1-9][0-9]*  ok$" <<<"$out" && ok "good: $name loads ($sec, $type, insns > 0)" ||
		bad "good: no ok line for $name: $out"
done
grep -q "^pins: 0$" <<<"$out" && ok "good: nothing pinned" || bad "good: something was pinned: $out"
bpftool prog show name xkv_good_xdp 2>/dev/null | grep -q . && bad "good: program left loaded" ||
	ok "good: nothing left loaded"

# Each program is judged on its own: a rejected first program does not hide the verdict of the second.
out=$("$XK" check "$OBJ/mixed.bpf.o" 2>/dev/null)
rc=$?
[ "$rc" = 1 ] && ok "mixed: exit 1" || bad "mixed: exit $rc, expected 1"
grep -Eq "^xkv_mixed_bad +xdp +xdp +[0-9]+  rejected$" <<<"$out" && ok "mixed: first program rejected" ||
	bad "mixed: no rejected line for xkv_mixed_bad: $out"
grep -q "^    at       mixed.bpf.c:$(bad_line mixed): " <<<"$out" && ok "mixed: source line of the bad one" ||
	bad "mixed: wrong source line: $(grep '^    at' <<<"$out")"
grep -Eq "^xkv_mixed_good +xdp +xdp +[1-9][0-9]*  ok$" <<<"$out" && ok "mixed: second program still checked, ok" ||
	bad "mixed: no ok line for xkv_mixed_good: $out"

# A collection name works as well as a path.
out=$("$XK" check hello 2>&1)
grep -Eq "^hello +xdp +xdp +[1-9][0-9]*  ok$" <<<"$out" && ok "collection name 'hello' resolves and loads" ||
	bad "check hello: $out"

# Bad input: one clear line, the right exit code.
expect_exit() {
	local want=$1 words=$2 out rc
	shift 2
	out=$("$XK" "$@" 2>&1 >/dev/null)
	rc=$?
	[ "$rc" = "$want" ] && [ "$(wc -l <<<"$out")" = 1 ] && grep -q "$words" <<<"$out" &&
		ok "'check ${*:2}': exit $want, one line" || bad "'check ${*:2}': exit $rc (want $want): $out"
}
expect_exit 3 "does not exist" check "$OBJ/no-such-$$.bpf.o"
printf 'not elf' >/tmp/xkv-notelf.$$.o
expect_exit 2 "not a BPF object" check /tmp/xkv-notelf.$$.o
rm -f /tmp/xkv-notelf.$$.o
# Built without -g: no BTF, so libbpf cannot even open its BTF-defined maps; libbpf's reason is passed on.
clang -target bpf -O2 -Iinclude -I/usr/include/"$(uname -m)"-linux-gnu -c tests/verifier/null_check.bpf.c \
	-o /tmp/xkv-nobtf.$$.bpf.o && expect_exit 2 "BTF is required" check /tmp/xkv-nobtf.$$.bpf.o
rm -f /tmp/xkv-nobtf.$$.bpf.o
expect_exit 2 "which object" check
expect_exit 2 "one object at a time" check "$OBJ/good.bpf.o" "$OBJ/loop.bpf.o"
"$XK" check --help | grep -q "map-null" && ok "check --help lists the classes" || bad "check --help"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
