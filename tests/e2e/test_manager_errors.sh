#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_manager_errors.sh: bad input to attach/detach/status — each case prints one line naming the thing and the fix,
# exits with its documented code, and changes nothing (XDP, TC filters, clsact, bpffs). Also the refusal of a
# second XDP program where the kernel refuses freplace, and all-or-nothing multi-program attach.
. "$(dirname "$0")/lib.sh"
xk_private "$@"
xk_env_setup mgrerr

X=${XK_XDPKIT:-$XDPKIT}
export XDPKIT_PROG_DIR=$XK_BUILD
TMP=$(mktemp -d /tmp/xk-mgrerr.XXXXXX)
xk_cleanup rm -rf "$TMP"
xk_cleanup on_host "$X" detach veth0 --all --purge

# Everything a failed call must leave as it was (raw ip/tc output: cheaper than jq, and nothing is left out).
# One ip and one tc process in batch mode (run twice per case, and a process costs ~0.1 s in the VM guest).
snapshot()
{
	on_host ip -batch - <<<$'link show dev veth0\nlink show dev lo' 2>&1 | grep -o 'prog/xdp.*'
	on_host tc -batch - <<<$'qdisc show dev veth0\nfilter show dev veth0 ingress\nfilter show dev veth0 egress'
	bpffs_files
}

# expect_err WHAT EXIT REGEX CMD...: exit code, a one-line message matching REGEX, and no change.
expect_err()
{
	local what=$1 code=$2 re=$3 before after out rc
	shift 3
	before=$(snapshot)
	out=$(on_host "$@" 2>&1 >/dev/null)
	rc=$?
	after=$(snapshot)
	check_eq "$what: exit $code" "$code" "$rc"
	check_match "$what: says what and how to fix" "$re" "$out"
	check_eq "$what: first line starts 'xdpkit:'" 1 "$([[ ${out%%$'\n'*} == "xdpkit: "* ]] && echo 1 || echo 0)"
	check_eq "$what: nothing changed" "$before" "$after"
}

# --- bad command lines (exit 2) ---
expect_err "attach without PROG" 2 "needs an interface and a program" "$X" attach veth0
expect_err "attach --mode bogus" 2 "not a mode; use native or skb" "$X" attach veth0 count --mode bogus
expect_err "attach --tc sideways" 2 "not a direction; use ingress or egress" "$X" attach veth0 count --tc sideways
expect_err "attach --mode with --tc" 2 "TC has no modes" "$X" attach veth0 count --mode skb --tc ingress
expect_err "attach unknown option" 2 "attach: unknown option '--bogus'" "$X" attach veth0 count --bogus
expect_err "attach --prio out of range" 2 "not a number from 0 to 65535" "$X" attach veth0 count --prio 70000
expect_err "detach without selector" 2 "PROG\.\.\., --id N or --all" "$X" detach veth0
expect_err "status with two interfaces" 2 "at most one interface" "$X" status veth0 lo

# --- missing things (exit 3) ---
expect_err "missing interface" 3 "no interface 'nosuch0'.*ip link" "$X" attach nosuch0 count
expect_err "missing object file" 3 "'$TMP/none.bpf.o' does not exist" "$X" attach veth0 "$TMP/none.bpf.o"
expect_err "unknown collection name" 3 "'nosuchprog' is neither a program of the collection.*xdpkit list" \
	"$X" attach veth0 nosuchprog
expect_err "status of a missing interface" 3 "no interface 'nosuch0'" "$X" status nosuch0
expect_err "detach a program that is not attached" 3 "'count' is not attached to veth0 XDP" "$X" detach veth0 count
expect_err "detach an unknown id" 3 "no program with id 999999 on veth0" "$X" detach veth0 --id 999999

# --- files that are not what we need ---
echo "not an object" >"$TMP/text.bpf.o"
expect_err "text file as object" 2 "not a BPF object \(not an ELF file\).*clang -target bpf" \
	"$X" attach veth0 "$TMP/text.bpf.o"
expect_err "ELF that is not BPF" 2 "ELF file but not for BPF" "$X" attach veth0 "$(readlink -f "$(type -P true)")"
expect_err "object without a tc program" 2 "has no tc program \(section 'tc'\)" \
	"$X" attach veth0 ratelimit --tc ingress
# An object with only a socket filter: built by make (the VM guest has no clang), or here if make did not.
sock=$XK_BUILD/test-objs/socket_filter.bpf.o
if [ ! -e "$sock" ] && command -v clang >/dev/null; then
	clang -target bpf -O2 -g -I"/usr/include/$(uname -m)-linux-gnu" -c "$XK_ROOT/tests/e2e/objs/socket_filter.bpf.c" \
		-o "$TMP/sock.bpf.o" && sock=$TMP/sock.bpf.o
fi
if [ -e "$sock" ]; then
	expect_err "object with neither xdp nor tc" 2 "has no xdp program \(section 'xdp'\)" "$X" attach veth0 "$sock"
else
	_xk_fail "object with neither xdp nor tc: $sock is missing; run 'make test-e2e' (or make $sock)"
fi

# --- --pin-root: a plain path on bpffs (exit 2); `detach --purge` removes pins under it ---
expect_err "--pin-root with '..'" 2 \
	"^xdpkit: --pin-root '/sys/fs/bpf/\.\./\.\./tmp' has a '\.\.' component; give a directory on bpffs as a plain path under /sys/fs/bpf, e\.g\. /sys/fs/bpf/mine$" \
	"$X" --pin-root /sys/fs/bpf/../../tmp detach veth0 --all --purge
expect_err "--pin-root beside /sys/fs/bpf" 2 "'/sys/fs/bpfx' is not under /sys/fs/bpf \(pins live only on bpffs\)" \
	"$X" --pin-root /sys/fs/bpfx status
expect_err "--pin-root with an empty component" 2 "'/sys/fs/bpf//mine' has an empty component" \
	"$X" --pin-root /sys/fs/bpf//mine status
ln -s /tmp /sys/fs/bpf/xk-out
expect_err "--pin-root through a symlink out of bpffs" 2 \
	"'/sys/fs/bpf/xk-out/mine' leads to /tmp, which is not under /sys/fs/bpf; give a directory on bpffs" \
	"$X" --pin-root /sys/fs/bpf/xk-out/mine detach veth0 --all --purge
rm /sys/fs/bpf/xk-out
mkdir /sys/fs/bpf/xk-tmpfs && mount -t tmpfs tmpfs /sys/fs/bpf/xk-tmpfs
expect_err "--pin-root on another file system below /sys/fs/bpf" 2 \
	"'/sys/fs/bpf/xk-tmpfs' is not on bpffs \(/sys/fs/bpf/xk-tmpfs is another file system\)" \
	"$X" --pin-root /sys/fs/bpf/xk-tmpfs status
umount /sys/fs/bpf/xk-tmpfs && rmdir /sys/fs/bpf/xk-tmpfs
check "--pin-root to a directory yet to be made is fine" on_host "$X" --pin-root /sys/fs/bpf/xk-new/root status veth0

# --- environment (exit 4) ---
chmod o+x "$TMP"
expect_err "not root" 4 "needs root.*sudo" setpriv --reuid=65534 --regid=65534 --clear-groups "$X" attach veth0 count
# bpffs missing and /sys/fs read-only: nothing to mount on, so say why and how. (Our mount namespace may hold
# the host's bpffs under the private one: take both away, here only.)
while findmnt -n -t bpf /sys/fs/bpf >/dev/null; do umount /sys/fs/bpf || break; done
mount -t tmpfs -o ro tmpfs /sys/fs
out=$(on_host "$X" attach veth0 count 2>&1)
check_eq "no bpffs and no place to mount it: exit 4" 4 $?
check_match "no bpffs: names the mount to do" "/sys/fs/bpf.*mount" "$out"
check_eq "no bpffs: nothing attached" "" "$(xdp_prog_id veth0)"
umount /sys/fs
# bpffs not mounted but mountable: attach mounts it and goes on.
check_eq "bpffs is unmounted for the next case" 0 "$(findmnt -n -t bpf /sys/fs/bpf | wc -l)"
check "attach with bpffs unmounted mounts it" on_host "$X" attach veth0 count
check_eq "bpffs is mounted again" 1 "$(findmnt -n -t bpf /sys/fs/bpf | wc -l)"
check "detach count" on_host "$X" detach veth0 count

# --- the kernel refuses (exit 1) ---
expect_err "native XDP on lo" 1 "lo does not support native XDP.*try --mode skb" "$X" attach lo count --mode native

# Second XDP program on an interface: refused in one sentence where freplace is refused; the first keeps running.
empty=$(snapshot)
check "attach blocklist" on_host "$X" attach veth0 blocklist
id=$(xdp_prog_id veth0)
check_ne "the snapshot sees an attached program (so 'nothing changed' means something)" "$empty" "$(snapshot)"
before=$(snapshot)
out=$(on_host "$X" attach veth0 count 2>&1)
rc=$?
if [ $rc = 0 ]; then
	# A kernel with freplace (the VM suite covers this): libxdp chained both.
	check_match "second program chained by libxdp's dispatcher" "dispatcher" "$(on_host "$X" status veth0)"
else
	check_eq "second XDP program: exit 1" 1 $rc
	check_eq "second XDP program: one line" 1 "$(printf '%s\n' "$out" | wc -l)"
	check_match "second XDP program: the plain sentence" \
		"^xdpkit: cannot add 'count' to veth0: this kernel refuses BPF program extensions \(freplace\), which libxdp's dispatcher needs, so only one XDP program per interface here; detach 'blocklist' first or attach 'count' on TC \(--tc ingress\)$" \
		"$out"
	check_eq "the first program keeps running, same id" "$id" "$(xdp_prog_id veth0)"
	check_eq "second XDP program: nothing else changed" "$before" "$(snapshot)"
fi
check "detach all" on_host "$X" detach veth0 --all --purge
check_eq "clean after detach --all --purge" "" "$(bpffs_files)"

# Several XDP programs in one call on an empty interface: all or nothing.
before=$(snapshot)
out=$(on_host "$X" attach veth0 portfilter blocklist 2>&1)
rc=$?
if [ $rc != 0 ]; then
	check_match "two XDP programs at once: why" "cannot attach 2 programs together to veth0.*freplace" "$out"
	check_eq "two XDP programs at once: nothing attached, no pins" "$before" "$(snapshot)"
else
	check_eq "two XDP programs at once: both chained" 2 \
		"$(on_host "$X" --json status veth0 | jq '.[0].xdp.programs | length')"
	on_host "$X" detach veth0 --all --purge >/dev/null
fi

# One good and one missing PROG: nothing attached.
expect_err "attach count + missing object" 3 "'nosuch' is neither" "$X" attach veth0 count nosuch --tc ingress

# A pin left by another build of the object (same name, other shape) is named before anything is loaded.
mkdir -p /sys/fs/bpf/xdpkit
bpftool map create /sys/fs/bpf/xdpkit/portfilter_ports type hash key 4 value 4 entries 1 name portfilter_ports
expect_err "TC attach, a pinned map of another shape" 1 \
	"pinned map /sys/fs/bpf/xdpkit/portfilter_ports does not match map 'portfilter_ports' .*remove the old pin" \
	"$X" attach veth0 count portfilter --tc ingress
rm -f /sys/fs/bpf/xdpkit/portfilter_ports

# TC: the second object cannot load (a directory stands where its map must be pinned); the first filter, the
# clsact qdisc it created and any new pins are taken away again.
mkdir /sys/fs/bpf/xdpkit/portfilter_ports
expect_err "TC attach, second object fails to load" 1 "cannot load 'portfilter'" \
	"$X" attach veth0 count portfilter --tc ingress
check_eq "no clsact qdisc left behind" 0 "$(on_host tc qdisc show dev veth0 | grep -c clsact)"
rmdir /sys/fs/bpf/xdpkit/portfilter_ports
rmdir /sys/fs/bpf/xdpkit

# --help of every verb: exit 0 and a usage line.
for v in attach detach status list; do
	out=$("$X" "$v" --help 2>&1)
	check_eq "$v --help exits 0" 0 $?
	check_match "$v --help shows usage" "^Usage: xdpkit.*$v" "$out"
done
check_match "help lists the exit codes" "4 environment" "$("$X" help)"

xk_done
