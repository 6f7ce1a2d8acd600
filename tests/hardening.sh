#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# tests/hardening.sh [BINARY...]: the hardening the Makefile asks for is in the binaries (default
# build/xdpkit and build/unit-tests), read back with readelf as Debian's hardening-check does:
# PIE, full RELRO (relro + bindnow), stack protector, fortified libc calls. Ends with
# "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- build/xdpkit build/unit-tests
passed=0
failed=0
check()
{
	if eval "$2"; then
		passed=$((passed + 1))
		echo "ok   $1"
	else
		failed=$((failed + 1))
		echo "FAIL $1"
	fi
}
for bin in "$@"; do
	if [ ! -x "$bin" ]; then
		check "$bin exists (run make)" false
		continue
	fi
	hdr=$(readelf -h "$bin" 2>/dev/null)
	seg=$(readelf -lW "$bin" 2>/dev/null)
	dyn=$(readelf -dW "$bin" 2>/dev/null)
	syms=$(readelf -sW --dyn-syms "$bin" 2>/dev/null)
	check "$bin: PIE (ELF type DYN with an interpreter)" \
		'grep -q "Type:.*DYN" <<<"$hdr" && grep -q "INTERP" <<<"$seg"'
	check "$bin: RELRO (GNU_RELRO segment)" 'grep -q GNU_RELRO <<<"$seg"'
	check "$bin: BIND_NOW (full RELRO)" 'grep -qE "BIND_NOW|FLAGS_1.*NOW" <<<"$dyn"'
	check "$bin: stack protector (__stack_chk_fail)" 'grep -q __stack_chk_fail <<<"$syms"'
	check "$bin: fortify (__*_chk calls)" 'grep -qE "__[a-z_]+_chk@" <<<"$syms"'
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
