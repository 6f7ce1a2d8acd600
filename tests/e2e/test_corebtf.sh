#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_corebtf.sh: `xdpkit attach` of a collection object relocates its CO-RE reads (blocklist: the
# kernel LPM trie's entry count) against a minimal copy of the kernel BTF kept per boot under
# /run/xdpkit/core-btf, made by bpftool gen min_core_btf, instead of parsing all of
# /sys/kernel/btf/vmlinux each time: the copy holds the field at the kernel's own offset, libbpf
# takes it from there, and the relocated program reads the right field (a prefix rule in the trie
# applies; an empty trie is skipped).
. "$(dirname "$0")/lib.sh"
xk_private "$@"
xk_env_setup corebtf
export XDPKIT_PROG_DIR=$XK_BUILD
xk_cleanup on_host "$XDPKIT" detach veth0 --all --purge
DIR=/run/xdpkit/core-btf
BOOT=$(tr -d '-' </proc/sys/kernel/random/boot_id)

# The bit offset of struct lpm_trie's n_entries in a BTF file (the kernel's, or a copy).
n_entries_bits()
{
	bpftool btf dump file "$1" 2>/dev/null | awk '
		/^\[[0-9]+\] STRUCT .lpm_trie. / { s = 1; next }
		/^\[/ { s = 0 }
		s && /.n_entries./ { for (i = 1; i <= NF; i++) if ($i ~ /^bits_offset=/) { sub("bits_offset=", "", $i); print $i; exit } }'
}
kbits=$(n_entries_bits /sys/kernel/btf/vmlinux)
check_ne "the kernel's BTF has struct lpm_trie.n_entries" "" "$kbits"

out=$(on_host "$XDPKIT" -v attach veth0 blocklist 2>&1)
check_match "attached" "attached blocklist" "$out"
check_match "libbpf relocated n_entries to the kernel's offset ($((kbits / 8)))" \
	"relo #0: matching candidate #0 <byte_off> \[[0-9]+\] struct lpm_trie.n_entries \(0:0 @ offset $((kbits / 8))\)" "$out"
found=0
for f in "$DIR/$BOOT"-*.btf; do
	[ -f "$f" ] || continue
	[ "$(n_entries_bits "$f")" = "$kbits" ] && found=1
done
check_eq "a copy for this boot under $DIR holds n_entries at the kernel's offset" 1 "$found"
small=$(stat -c %s "$(ls -t "$DIR/$BOOT"-*.btf | head -1)")
check_le "... and is small (not the kernel's $(stat -c %s /sys/kernel/btf/vmlinux) bytes)" 4096 "$small"

# The relocated program reads the right field: a prefix written into the trie applies.
on_host ip neigh replace "$XK_PEER_IP4" lladdr "$XK_PEER_MAC" dev veth0 nud permanent
on_peer ip neigh replace "$XK_IP4" lladdr "$XK_MAC" dev veth1 nud permanent
check "no prefix: pings pass" on_peer ping -4 -q -c 2 -i 0.1 -W 2 "$XK_IP4"
check "xdpkit map set blocklist_cidr4 ${XK_PEER_IP4%.*}.0/24" on_host "$XDPKIT" map set blocklist_cidr4 "${XK_PEER_IP4%.*}.0/24"
check_fails "the prefix drops the peer's pings" on_peer ping -4 -q -c 2 -i 0.1 -W 0.5 "$XK_IP4"
check_eq "its hit counter counted them" 2 "$(on_host "$XDPKIT" map get blocklist_cidr4 "${XK_PEER_IP4%.*}.0/24")"

# A second attach finds the copy made by the first: it is not made again.
before=$(stat -c %Y "$(ls -t "$DIR/$BOOT"-*.btf | head -1)")
check "detach" on_host "$XDPKIT" detach veth0 --all
check "attach again" on_host "$XDPKIT" attach veth0 blocklist
check_eq "the copy was reused" "$before" "$(stat -c %Y "$(ls -t "$DIR/$BOOT"-*.btf | head -1)")"

xk_done
