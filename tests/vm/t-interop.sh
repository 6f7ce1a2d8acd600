# SPDX-License-Identifier: GPL-2.0-only
# Guest tests: xdpkit and xdp-loader share one dispatcher, each sees and detaches the other's programs.

test_interop_xdp_loader() {
	must xdpkit attach "$IF" blocklist count
	must /usr/sbin/xdp-loader load -m native "$IF" "$OBJ/hello.bpf.o"
	he=$(id_of hello)
	assert_eq "xdpkit status shows the loader's program in the chain" "10 blocklist $(id_of blocklist)
60 count $(id_of count)
90 hello $he" "$(xk_chain)"
	st=$(/usr/sbin/xdp-loader status "$IF")
	assert_grep "xdp-loader shows ours" "=> +10 +blocklist" "$st"
	assert_grep "xdp-loader shows ours" "=> +60 +count" "$st"
	# Each tool takes the other's program away; the rest keeps running.
	co=$(id_of count)
	must xdpkit detach "$IF" hello
	must /usr/sbin/xdp-loader unload "$IF" -i "$co"
	assert_eq "only blocklist left" "10 blocklist" "$(loader_chain)"
	assert_eq "xdpkit agrees" "10 blocklist $(id_of blocklist)" "$(xk_chain)"
	must xdpkit map set blocklist/blocklist_v4 "$SRC_B"
	assert_eq "blocklist still drops" 0 "$(ping_from "$SRC_B" 3)"
	assert_eq "and passes the rest" 3 "$(ping_from "$SRC_A" 3)"
	must xdpkit detach "$IF" --all --purge
	[ -z "$(ls /sys/fs/bpf/xdp 2>/dev/null)" ] || fail "libxdp state left: $(ls -R /sys/fs/bpf/xdp)"
}
