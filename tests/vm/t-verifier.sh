# SPDX-License-Identifier: GPL-2.0-only
# Guest tests: every object of the collection passes this kernel's verifier (older verifiers are stricter: a
# byte-swapped length is unbounded on 6.1/6.12), checked with xdpkit check, which loads every program of an object.

test_collection_verifies() {
	n=0
	for o in "$OBJ"/*.bpf.o; do
		out=$(xdpkit check "$o" 2>&1) || fail "$(basename "$o") is rejected by this kernel: $out"
		n=$((n + 1))
	done
	[ "$n" -ge 7 ] || fail "only $n objects found in $OBJ"
	note "$n objects verified"
}
