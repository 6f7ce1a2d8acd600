#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make demo: the main job on a built-in demo — two test hosts, count + blocklist on one of them, traffic, status and
# stats, a rule typed as an address, its hits rising, the metrics for Prometheus, then everything taken away again.
set -u
cd "$(dirname "$0")/.."

NAME=xkdemo-$$
ROOT=/sys/fs/bpf/xdpkit-demo-$$
TESTENV=scripts/testenv.sh
XDPKIT=build/xdpkit

bold() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# Show each xdpkit command as a person would type it, then run it inside the host namespace.
xk() {
	printf '$ xdpkit %s\n' "$*"
	nsenter --net=/run/netns/$NAME $XDPKIT --pin-root $ROOT "$@"
}
peer_ping() { # peer_ping ADDR COUNT: ping from the peer host, report received count
	local out
	out=$($TESTENV exec $NAME-peer ping -c "$2" -i 0.2 -W 1 "$1" 2>&1 | grep -o '[0-9]* received')
	printf '$ ping -c %s %s   (from the peer)   -> %s\n' "$2" "$1" "${out:-0 received}"
}
cleanup() {
	bold "Clean up"
	xk detach veth0 --all --purge >/dev/null 2>&1
	$TESTENV teardown $NAME
	rmdir $ROOT 2>/dev/null
	echo "removed test hosts $NAME and $NAME-peer; nothing of the demo is left in bpffs, ip link or tc"
}

[ "$(id -u)" = 0 ] || { echo "demo: needs root (namespaces, BPF); run: sudo make demo" >&2; exit 4; }
[ -x $XDPKIT ] || { echo "demo: $XDPKIT is missing; run 'make' first" >&2; exit 3; }

bold "Two test hosts: $NAME (runs the programs on veth0) and $NAME-peer (veth1)"
$TESTENV setup $NAME >/dev/null || exit 1
trap cleanup EXIT
eval "$($TESTENV env $NAME)"
echo "host $XK_IP4 $XK_IP6   peer $XK_PEER_IP4 $XK_PEER_IP6"

bold "The collection"
xk list

bold "Attach blocklist (XDP) and count (TC ingress) to veth0"
xk attach veth0 blocklist --mode skb || exit 1
xk attach veth0 count --tc ingress || exit 1
xk status veth0

bold "Traffic: the peer pings the host"
peer_ping $XK_IP4 5
peer_ping $XK_IP6 5
xk stats veth0 --interval 0.5
xk map dump count_tc/count_proto

bold "Block the peer's IPv4 address, typed as an address"
xk map set blocklist_v4 $XK_PEER_IP4 || exit 1
peer_ping $XK_IP4 5
peer_ping $XK_IP6 3
echo "(IPv4 from the peer is dropped at XDP; its IPv6 still passes)"
xk map get blocklist_v4 $XK_PEER_IP4
xk map dump blocklist_v4
xk stats blocklist --interval 0.5

bold "Metrics for Prometheus: stats --prometheus, and the exporter serving /metrics"
printf '$ xdpkit stats --prometheus | grep -E "drop|rule_hits"\n'
nsenter --net=/run/netns/$NAME $XDPKIT --pin-root $ROOT stats --prometheus |
	grep -E '^xdpkit_(packets_total.*"drop"|rule_hits_total)'
nsenter --net=/run/netns/$NAME $XDPKIT --pin-root $ROOT exporter --listen 127.0.0.1:9435 >/dev/null &
exporter=$!
for _ in $(seq 50); do
	$TESTENV exec $NAME curl -s -o /dev/null http://127.0.0.1:9435/metrics 2>/dev/null && break
	sleep 0.1
done
echo '$ xdpkit exporter --listen 127.0.0.1:9435 &   (it times program runs while it runs)'
peer_ping $XK_IP4 3
printf '$ curl -s http://127.0.0.1:9435/metrics | grep run\n'
$TESTENV exec $NAME curl -s http://127.0.0.1:9435/metrics | grep -E '^xdpkit_(bpf_stats|program_run)'
kill -TERM $exporter
wait $exporter

bold "Remove the rule: pings pass again"
xk map del blocklist_v4 $XK_PEER_IP4
peer_ping $XK_IP4 3

bold "The same setup as a file: xdpkit apply"
DEMO_DIR=$(mktemp -d /tmp/xkdemo-$$.XXXX)
cat >$DEMO_DIR/xdpkit.yaml <<EOF
interfaces:
  veth0:
    xdp:
      mode: skb
      programs: [blocklist]
    tc:
      ingress: [count]
maps:
  blocklist_v4:
    entries: [192.0.2.1, 192.0.2.7]
EOF
printf '$ cat xdpkit.yaml\n'
cat $DEMO_DIR/xdpkit.yaml
xk apply $DEMO_DIR/xdpkit.yaml
echo "(blocklist and count were running already: only the rules changed)"
xk apply $DEMO_DIR/xdpkit.yaml

bold "A changed file: portfilter on egress, another rule set; the diff first"
sed -e 's/192.0.2.7/192.0.2.9/' -e 's/ingress: \[count\]/ingress: [count]\n      egress: [portfilter]/' \
	$DEMO_DIR/xdpkit.yaml >$DEMO_DIR/xdpkit2.yaml
printf '  portfilter_ports:\n    entries: ["53"]\n' >>$DEMO_DIR/xdpkit2.yaml
printf '$ diff xdpkit.yaml xdpkit2.yaml\n'
diff $DEMO_DIR/xdpkit.yaml $DEMO_DIR/xdpkit2.yaml
xk apply $DEMO_DIR/xdpkit2.yaml --dry-run
xk apply $DEMO_DIR/xdpkit2.yaml
xk apply $DEMO_DIR/xdpkit2.yaml
xk status veth0
bold "xdpkit save: what runs, as a file apply takes"
xk save
rm -rf $DEMO_DIR

bold "Detach"
xk detach veth0 --all --purge
xk status veth0
