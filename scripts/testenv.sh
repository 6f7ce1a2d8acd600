#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# testenv.sh: throwaway test hosts for xdpkit — two network namespaces joined by a veth pair.
#
#   NAME       the "host" that runs programs; its end of the pair is veth0
#   NAME-peer  the other end (veth1), the traffic source: ping, socat, ...
#
# Neither end lives in the root namespace, so tests running at the same time never see each other's
# interfaces and nothing is ever attached to a real interface. Commands run in a namespace through
# `nsenter --net` (not `ip netns exec`, which remounts /sys and hides bpffs), so pins stay visible.
#
# A registry entry in $XK_TESTENV_DIR/NAME.env records the addresses and the owner pid; `teardown
# --all` removes the environments whose owner is gone (crashed runs) and leaves live ones alone.
set -u

REG=${XK_TESTENV_DIR:-/run/xdpkit-testenv}
PROG=${0##*/}

usage()
{
	cat <<EOF
Usage: $PROG COMMAND [ARGS]

  setup NAME [--owner PID]   create namespaces NAME and NAME-peer, veth0 <-> veth1, IPv4 + IPv6, links up
  teardown NAME              remove them (no error if already gone)
  teardown --all [--force]   remove environments whose owner process is gone (--force: every one)
  exec NAME CMD...           run CMD in namespace NAME (or NAME-peer) with the host's bpffs visible
  ping NAME [COUNT]          ping from NAME-peer to NAME, IPv4 and IPv6 (default 2 each)
  env NAME                   print the environment's variables (eval "\$($PROG env NAME)")
  status                     list environments

Addresses of environment NAME (N derived from NAME, 1..250; namespaces keep equal N apart anyway):
  NAME veth0: 10.200.N.1/24 fd00:200:0:N::1/64   NAME-peer veth1: 10.200.N.2/24 fd00:200:0:N::2/64
  .99 / ::99 in the same subnets is owned by nobody (for programs that answer in place of a host, like pong).
Variables from 'env': XK_NS XK_PEER_NS XK_IF XK_PEER_IF XK_IP4 XK_PEER_IP4 XK_SPARE_IP4 XK_IP6 XK_PEER_IP6
  XK_SPARE_IP6 XK_MAC XK_PEER_MAC XK_OWNER
Owner: the process that called setup, or --owner PID (give it when calling from a \$(...) subshell, which
  exits at once: pass the script's \$\$); the registry lives in $REG (XK_TESTENV_DIR).
EOF
}

die()
{
	echo "$PROG: $*" >&2
	exit 1
}

need_root()
{
	[ "$(id -u)" = 0 ] || die "namespaces need root; run: sudo $PROG $*"
}

check_name()
{
	case "$1" in
	'' | -* | *[!A-Za-z0-9_.-]*) die "bad environment name '$1'; use letters, digits, '_', '.', '-' (e.g. xkt-demo)" ;;
	esac
	[ ${#1} -le 40 ] || die "environment name '$1' is longer than 40 characters; pick a shorter one"
	case "$1" in *-peer) die "environment name '$1' must not end in -peer (that suffix names the peer namespace)" ;; esac
}

ns_exists()
{
	[ -e "/run/netns/$1" ]
}

# N in 1..250 from the name, so two environments side by side also differ in their addresses (easier
# to read in traces); correctness does not depend on it since every environment has namespaces of
# its own.
subnet_of()
{
	local sum
	sum=$(printf '%s' "$1" | cksum | cut -d' ' -f1)
	echo $((sum % 250 + 1))
}

in_ns()
{
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" -- "$@"
}

cmd_setup()
{
	local name="" owner=$PPID n
	while [ $# -gt 0 ]; do
		case "$1" in
		--owner)
			[ $# -ge 2 ] || die "--owner needs a process id"
			owner=$2
			shift
			;;
		*) [ -z "$name" ] || die "setup takes one NAME, got '$name' and '$1'"; name=$1 ;;
		esac
		shift
	done
	[ -n "$name" ] || die "setup needs a NAME, e.g. $PROG setup xkt-demo"
	check_name "$name"
	need_root setup "$name"
	if [ -e "$REG/$name.env" ] || ns_exists "$name" || ns_exists "$name-peer"; then
		die "environment '$name' already exists; run '$PROG teardown $name' first"
	fi
	n=$(subnet_of "$name")
	mkdir -p "$REG"
	# Registry first, so a setup that dies half-way is still found by teardown --all.
	cat >"$REG/$name.env" <<EOF
XK_NS=$name
XK_PEER_NS=$name-peer
XK_IF=veth0
XK_PEER_IF=veth1
XK_IP4=10.200.$n.1
XK_PEER_IP4=10.200.$n.2
XK_SPARE_IP4=10.200.$n.99
XK_IP6=fd00:200:0:$n::1
XK_PEER_IP6=fd00:200:0:$n::2
XK_SPARE_IP6=fd00:200:0:$n::99
XK_OWNER=$owner
EOF
	if ! setup_links "$name" "$n"; then
		cmd_teardown "$name" >/dev/null 2>&1
		die "could not set up environment '$name' (see the ip error above); nothing is left behind"
	fi
	{
		echo "XK_MAC=$(in_ns "$name" ip -br link show veth0 | awk '{print $3}')"
		echo "XK_PEER_MAC=$(in_ns "$name-peer" ip -br link show veth1 | awk '{print $3}')"
	} >>"$REG/$name.env"
}

setup_links()
{
	local name=$1 n=$2 peer="$1-peer" ns
	ip netns add "$name" || return 1
	ip netns add "$peer" || return 1
	# Created inside NAME and moved straight to the peer: the pair never appears in the root
	# namespace, where its names could clash with another test's.
	in_ns "$name" ip link add veth0 type veth peer name veth1 netns "$peer" || return 1
	for ns in "$name" "$peer"; do
		# No duplicate address detection: addresses (link-local too) are usable at once.
		in_ns "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 || return 1
		in_ns "$ns" ip link set lo up || return 1
	done
	in_ns "$name" ip addr add "10.200.$n.1/24" dev veth0 || return 1
	in_ns "$name" ip addr add "fd00:200:0:$n::1/64" dev veth0 nodad || return 1
	in_ns "$peer" ip addr add "10.200.$n.2/24" dev veth1 || return 1
	in_ns "$peer" ip addr add "fd00:200:0:$n::2/64" dev veth1 nodad || return 1
	in_ns "$name" ip link set veth0 up || return 1
	in_ns "$peer" ip link set veth1 up || return 1
}

teardown_one()
{
	local name=$1
	# Deleting a namespace deletes the veth pair with it.
	ns_exists "$name-peer" && ip netns del "$name-peer"
	ns_exists "$name" && ip netns del "$name"
	rm -f "$REG/$name.env"
	return 0
}

cmd_teardown()
{
	local f name owner force=0 all=0
	for a in "$@"; do
		case "$a" in
		--all) all=1 ;;
		--force) force=1 ;;
		esac
	done
	if [ $all = 0 ]; then
		[ $# = 1 ] || die "teardown needs NAME or --all, e.g. $PROG teardown xkt-demo"
		check_name "$1"
		need_root teardown "$1"
		teardown_one "$1"
		return 0
	fi
	need_root teardown --all
	for f in "$REG"/*.env; do
		[ -e "$f" ] || continue
		name=$(basename "$f" .env)
		owner=$(sed -n 's/^XK_OWNER=//p' "$f")
		if [ $force = 1 ] || [ -z "$owner" ] || ! kill -0 "$owner" 2>/dev/null; then
			teardown_one "$name"
			echo "removed $name"
		fi
	done
}

load_env()
{
	check_name "$1"
	[ -r "$REG/$1.env" ] || die "no test environment '$1'; create it with '$PROG setup $1'"
	. "$REG/$1.env"
}

cmd_exec()
{
	local ns=${1:-}
	[ $# -ge 2 ] || die "exec needs NAME and a command, e.g. $PROG exec xkt-demo ip link"
	shift
	ns_exists "$ns" || die "no namespace '$ns' (visible here); create it with '$PROG setup ${ns%-peer}'"
	exec nsenter --net="/run/netns/$ns" -- "$@"
}

cmd_ping()
{
	local count=${2:-2} rc=0
	[ $# -ge 1 ] || die "ping needs NAME, e.g. $PROG ping xkt-demo"
	load_env "$1"
	in_ns "$XK_PEER_NS" ping -q -c "$count" -i 0.2 -W 1 "$XK_IP4" || rc=1
	in_ns "$XK_PEER_NS" ping -6 -q -c "$count" -i 0.2 -W 1 "$XK_IP6" || rc=1
	return $rc
}

cmd_env()
{
	[ $# = 1 ] || die "env needs NAME, e.g. eval \"\$($PROG env xkt-demo)\""
	load_env "$1"
	cat "$REG/$1.env"
}

cmd_status()
{
	local f name owner alive xdp
	printf '%-28s %-8s %-6s %-16s %-22s %s\n' NAME OWNER ALIVE IPV4 IPV6 VETH0
	for f in "$REG"/*.env; do
		[ -e "$f" ] || continue
		name=$(basename "$f" .env)
		(
			. "$f"
			alive=no
			kill -0 "$XK_OWNER" 2>/dev/null && alive=yes
			if ns_exists "$name" && in_ns "$name" true 2>/dev/null; then
				xdp=$(in_ns "$name" ip -br -d link show veth0 2>/dev/null | grep -o 'xdp[a-z]*' | head -1)
				xdp=${xdp:-"no xdp"}
			else
				xdp="namespace not visible here (private mount namespace or gone)"
			fi
			printf '%-28s %-8s %-6s %-16s %-22s %s\n' "$name" "$XK_OWNER" "$alive" "$XK_IP4" "$XK_IP6" "$xdp"
		)
	done
}

[ $# -ge 1 ] || { usage >&2; exit 2; }
cmd=$1
shift
case "$cmd" in
setup) cmd_setup "$@" ;;
teardown) cmd_teardown "$@" ;;
exec) cmd_exec "$@" ;;
ping) cmd_ping "$@" ;;
env) cmd_env "$@" ;;
status) cmd_status ;;
-h | --help | help) usage ;;
*) echo "$PROG: unknown command '$cmd'; see '$PROG help'" >&2; exit 2 ;;
esac
