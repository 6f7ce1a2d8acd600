# SPDX-License-Identifier: GPL-2.0-only
# Guest tests of the environment itself: libxdp's dispatcher chains our objects when loaded by xdp-loader alone.

# hello passes (chain on XDP_PASS), hello_drop drops: both run under one dispatcher, in order, and the drop bites.
test_loader_chain_hello() {
	must /usr/sbin/xdp-loader load -m native "$IF" "$OBJ/hello.bpf.o" "$OBJ/hello_drop.bpf.o"
	st=$(/usr/sbin/xdp-loader status "$IF")
	note "$(echo "$st" | grep -E "xdp_dispatcher|=>")"
	assert_grep "dispatcher on $IF" "^$IF +xdp_dispatcher +native" "$st"
	assert_eq "components" 2 "$(echo "$st" | grep -c '^ *=>')"
	assert_grep "hello runs on PASS" "=> +90 +hello +[0-9]+ +[0-9a-f]+ +XDP_PASS" "$st"

	id_hello=$(loader_prog_id hello)
	id_drop=$(loader_prog_id hello)
	# Both objects have the function name hello: take the second component for hello_drop.
	id_drop=$(echo "$st" | awk '$1 == "=>" { n++; if (n == 2) print $4 }')
	[ "$id_hello" != "$id_drop" ] || fail "both components have id $id_hello"

	got=$(ping_from "$SRC_A" 5)
	assert_eq "replies while hello_drop is chained" 0 "$got"
	pass_hello=$(prog_stat "$id_hello" 2)
	drop_hello=$(prog_stat "$id_drop" 1)
	[ "$pass_hello" -ge 5 ] || fail "hello passed $pass_hello packets, expected at least 5"
	[ "$drop_hello" -ge 5 ] || fail "hello_drop dropped $drop_hello packets, expected at least 5"

	# Unloading the dropper leaves hello alone under the dispatcher, and traffic flows.
	must /usr/sbin/xdp-loader unload "$IF" -i "$id_drop"
	st=$(/usr/sbin/xdp-loader status "$IF")
	assert_eq "components after unload" 1 "$(echo "$st" | grep -c '^ *=>')"
	assert_eq "hello id unchanged" "$id_hello" "$(loader_prog_id hello)"
	got=$(ping_from "$SRC_A" 5)
	assert_eq "replies after hello_drop is gone" 5 "$got"

	must /usr/sbin/xdp-loader unload "$IF" --all
	assert_no_grep "no XDP left" "xdp" "$(ip link show dev "$IF")"
	[ -z "$(ls /sys/fs/bpf/xdp 2>/dev/null)" ] || fail "libxdp state left: $(ls -R /sys/fs/bpf/xdp)"
}

