#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_apply_unit.sh: systemd/xdpkit.service (issue 12 item 4). `systemd-analyze verify` passes on
# the unit with its /usr/sbin/xdpkit pointing at the built one and fails on a
# broken copy (so the check can fail); then the unit's own ExecStart and ExecReload command lines,
# taken from the file with /etc/xdpkit/xdpkit.yaml replaced by a test file, run in a test host:
# ExecStart waits for an interface that appears a second after it started (--wait) and applies the
# file, ExecReload applies a changed one. The VM guests have no systemd: there it says so and checks
# the command lines alone.
. "$(dirname "$0")/lib.sh"
xk_private "$@"
xk_env_setup applyunit
export XDPKIT_PROG_DIR=$XK_BUILD
xk_cleanup on_host "$XDPKIT" detach late0 --all --purge
UNIT=$XK_ROOT/systemd/xdpkit.service
W=$(mktemp -d /tmp/xk-unit-$$.XXXX)
xk_cleanup rm -rf "$W"
sed "s|/usr/sbin/xdpkit|$XK_BUILD/xdpkit|g" "$UNIT" >"$W/xdpkit.service"

if command -v systemd-analyze >/dev/null; then
	# --man=no: the man page is installed by make install, not present in the tree.
	out=$(systemd-analyze verify --man=no "$W/xdpkit.service" 2>&1)
	check_eq "systemd-analyze verify: exit 0" 0 $?
	check_eq "systemd-analyze verify: nothing to say" "" "$out"
	mkdir "$W/broken"
	sed 's/^Type=oneshot/Type=oneshoot/; s|^ExecReload=.*|ExecReload=/nonexistent/xdpkit|' \
		"$W/xdpkit.service" >"$W/broken/xdpkit.service"
	out=$(systemd-analyze verify --man=no "$W/broken/xdpkit.service" 2>&1)
	check_ne "systemd-analyze verify of a broken copy: fails" 0 $?
	check_match "... names what is wrong" "nonexistent/xdpkit is not executable" "$out"
	VERIFY="passed (and refused a broken copy)"
else
	VERIFY="not run: no systemd-analyze here"
fi
check_match "the unit: oneshot, stays active, applies the file at start and on reload" \
	"Type=oneshot RemainAfterExit=yes ExecStart=$XK_BUILD/xdpkit apply --wait [0-9]+ /etc/xdpkit/xdpkit.yaml ExecReload=$XK_BUILD/xdpkit apply /etc/xdpkit/xdpkit.yaml" \
	"$(grep -E '^(Type|RemainAfterExit|ExecStart|ExecReload)=' "$W/xdpkit.service" | tr '\n' ' ')"

# Names of the XDP programs on IFACE in run order, as the kernel (ip link) or, behind libxdp's
# dispatcher (the VM guests), as xdp-loader lists its components.
xdp_names()
{
	local dev=${1:-veth0} out re='prog/xdp[a-z]* id [0-9]+ name ([^ ]+)'
	out=$(on_host ip link show dev "$dev" 2>/dev/null)
	[[ $out =~ $re ]] || return 0
	if [ "${BASH_REMATCH[1]}" = xdp_dispatcher ]; then
		xdp_loader status "$dev" 2>/dev/null | awk '$1 == "=>" { print $3 }' | tr '\n' ' ' | sed 's/ $//'
	else
		echo "${BASH_REMATCH[1]}"
	fi
}
# The unit's command lines, run as systemd would run them (no shell), on a test file.
cmdline() { sed -n "s|^$1=||p" "$W/xdpkit.service" | sed "s|/etc/xdpkit/xdpkit.yaml|$W/xdpkit.yaml|"; }
cat >"$W/xdpkit.yaml" <<EOF
interfaces:
  late0:
    netns: $XK_NS
    xdp:
      programs: [count]
maps: {}
EOF
read -r -a start <<<"$(cmdline ExecStart)"
"${start[@]}" >"$W/start.out" 2>&1 &
pid=$!
sleep 1
on_host ip link add late0 type veth peer name late1
on_host ip link set late0 up
on_host ip link set late1 up
wait $pid
check_eq "ExecStart with an interface that appears 1 s later: exit 0" 0 $?
check_match "... it waited for it" "waiting up to [0-9]+ s for interface late0" "$(cat "$W/start.out")"
check_eq "... count runs on it" count "$(xdp_names late0)"
read -r -a reload <<<"$(cmdline ExecReload)"
sed -i 's/programs: \[count\]/programs: [blocklist]/' "$W/xdpkit.yaml"
out=$("${reload[@]}" 2>&1)
check_eq "ExecReload of a changed file: exit 0" 0 $?
check_eq "... blocklist runs instead" blocklist "$(xdp_names late0)"
check_eq "ExecReload again: no changes" "no changes" "$("${reload[@]}" 2>&1)"
echo "figure: systemd-analyze verify: $VERIFY"
xk_done
