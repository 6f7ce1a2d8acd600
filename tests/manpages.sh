#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# tests/manpages.sh: every program of progs/ has a page xdpkit-<prog>(7) built from docs/<prog>.md;
# `man --warnings` prints nothing for it (nor for any other page in build/man); man-db reads its NAME line;
# it has the sections NAME, SYNOPSIS, DESCRIPTION, MAPS, VERDICTS, ATTACHING and SEE ALSO, the attach
# recipes for ip, xdp-loader and xdpkit (tc when the object has a tc section), every map of the object in
# MAPS, and the doc's map table agrees with the object's BTF (tests/doc_maps.py). Expects `make man`.
# Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
# The prefix the pages were built for (make test-man passes the Makefile's).
PREFIX=${PREFIX:-/usr/local}
TMP=$(mktemp -d /tmp/xk-man-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "  ok    $1"; }
fail() { failed=$((failed + 1)); printf '  FAIL  %s\n' "$1"; [ -z "${2:-}" ] || printf '          %s\n' "$2"; }
check() { local what=$1; shift; if "$@" >"$TMP/out" 2>&1; then ok "$what"; else fail "$what" "$(head -c 600 "$TMP/out")"; fi; }
check_eq() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "expected: $2 | got: $3"; fi; }

# The text of section $2 (a heading at column 0) of rendered page $1.
section() { awk -v s="$2" '/^[A-Z]/ { on = ($0 == s); next } on' "$1"; }

for src in progs/*.bpf.c; do
	prog=$(basename "$src" .bpf.c)
	page=build/man/xdpkit-$prog.7
	[ -f "docs/$prog.md" ] || { fail "$prog: docs/$prog.md exists"; continue; }
	[ -f "$page" ] || { fail "$prog: $page was built (make man)"; continue; }
	# The objects on the page: the program's own and its variants built from the same source.
	objs=build/$prog.bpf.o
	[ "$prog" = hello ] && objs="$objs build/hello_drop.bpf.o"
	warn=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
	# Read wide and with single spaces, so a command is on one line to grep.
	LC_ALL=C.UTF-8 MANWIDTH=300 man -l "$page" 2>/dev/null | tr -s ' ' >"$TMP/$prog.txt"
	check_eq "$prog: man --warnings prints nothing" "" "$warn"
	check_eq "$prog: man-db reads the NAME line (lexgrog)" \
		"$page: \"xdpkit-$prog - $(sed -n '1s/^# [^ ]* — //p' "docs/$prog.md")\"" "$(lexgrog "$page")"
	heads=$(grep -E '^[A-Z][A-Z ]+$' "$TMP/$prog.txt" | head -7 | tr '\n' ,)
	check_eq "$prog: the sections, in order" "NAME,SYNOPSIS,DESCRIPTION,MAPS,VERDICTS,ATTACHING," \
		"$(echo "$heads" | cut -d, -f1-6),"
	section "$TMP/$prog.txt" 'SEE ALSO' >"$TMP/see"
	check "$prog: SEE ALSO names xdpkit(8)" grep -q 'xdpkit(8)' "$TMP/see"
	section "$TMP/$prog.txt" ATTACHING >"$TMP/attach"
	section "$TMP/$prog.txt" SYNOPSIS >"$TMP/synopsis"
	for o in $objs; do
		inst=$PREFIX/lib/xdpkit/${o##*/}
		check "$prog: SYNOPSIS: ip link ... obj $inst (the installed path)" \
			grep -q "ip link set dev IFACE .* obj $inst" "$TMP/synopsis"
		check "$prog: SYNOPSIS: xdpkit attach IFACE $(basename "$o" .bpf.o)" \
			grep -q "xdpkit attach IFACE $(basename "$o" .bpf.o)" "$TMP/synopsis"
	done
	check "$prog: ATTACHING: ip link set ... xdp obj" grep -q 'ip link set dev .* xdp.* obj ' "$TMP/attach"
	check "$prog: ATTACHING: xdp-loader load" grep -q 'xdp-loader load' "$TMP/attach"
	check "$prog: ATTACHING: xdpkit attach" grep -q "xdpkit attach .* $prog" "$TMP/attach"
	if readelf -SW "build/$prog.bpf.o" | grep -qE '\] tc +PROGBITS'; then
		check "$prog: ATTACHING: tc filter add ... sec tc (the object has a tc section)" \
			grep -q 'tc filter add dev .* bpf da obj .* sec tc' "$TMP/attach"
	fi
	section "$TMP/$prog.txt" MAPS >"$TMP/maps"
	for o in $objs; do
		for map in $(scripts/btf-maps.py "$o" | cut -f1); do
			grep -qE "^ $map\$" "$TMP/maps" || fail "$prog: MAPS lists $map (a map of $o)"
		done
	done
	ok "$prog: MAPS lists every map of its objects"
	check "$prog: the doc's map table agrees with the objects' BTF" tests/doc_maps.py "docs/$prog.md" $objs
	if grep -qE 'build/[a-z_]+\.bpf\.o' "$TMP/$prog.txt"; then
		fail "$prog: the objects' installed paths, not build/" "$(grep -nE 'build/[a-z_]+\.bpf\.o' "$TMP/$prog.txt" | head -3)"
	else
		ok "$prog: the objects' installed paths, not build/"
	fi
done

# xdpkit(8), when built, points at every program's page.
if [ -f build/man/xdpkit.8 ]; then
	LC_ALL=C.UTF-8 MANWIDTH=300 man -l build/man/xdpkit.8 2>/dev/null | tr -s ' ' >"$TMP/xdpkit.txt"
	section "$TMP/xdpkit.txt" 'SEE ALSO' >"$TMP/see"
	for src in progs/*.bpf.c; do
		prog=$(basename "$src" .bpf.c)
		check "xdpkit(8): SEE ALSO names xdpkit-$prog(7)" grep -q "xdpkit-$prog(7)" "$TMP/see"
	done
	check "xdpkit(8): FILES names the installed collection, $PREFIX/lib/xdpkit" \
		grep -q "$PREFIX/lib/xdpkit/\*\.bpf\.o" "$TMP/xdpkit.txt"
fi

# Every other page the build made (the manager's xdpkit.8, when its generator is there).
for page in build/man/*.[1-8]; do
	case "$page" in build/man/xdpkit-*.7) continue ;; esac
	[ -e "$page" ] || continue
	check_eq "${page##*/}: man --warnings prints nothing" "" \
		"$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)"
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
