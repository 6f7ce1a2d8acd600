#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# test_ratelimit.sh: ratelimit attached by xdpkit drops what one source sends above rate + burst,
# keeps a bucket per source (another source still gets its burst), passes everything with the rate
# set to 0; config written by bpftool into the pinned ratelimit_cfg; the bucket's drop counter
# agrees; clean detach.
. "$(dirname "$0")/lib.sh"
xk_private "$@"
xk_env_setup ratelimit
export XDPKIT_PROG_DIR=$XK_BUILD
xk_cleanup on_host "$XDPKIT" detach veth0 --all --purge
PIN=/sys/fs/bpf/xdpkit
NET4=${XK_PEER_IP4%.*}
RATE=5
BURST=5
N=40 # pings at 10 ms: 0.4 s, so about BURST + RATE * 0.4 = 7 may pass
TMPF=$(mktemp /tmp/xkt-ratelimit.XXXXXX)
xk_cleanup rm -f "$TMPF"

on_peer ip addr add "$NET4.3/24" dev veth1
# Static neighbours: ARP does not compete for the bucket or fail when dropped.
on_peer ip neigh replace "$XK_IP4" lladdr "$XK_MAC" dev veth1 nud permanent
for a in "$XK_PEER_IP4" "$NET4.3"; do
	on_host ip neigh replace "$a" lladdr "$XK_PEER_MAC" dev veth0 nud permanent
done
# replies FROM COUNT: echo replies received by COUNT pings from address FROM, 10 ms apart; sets MS
# to the time ping took from first to last request (a loaded machine stretches it, and the bucket
# refills meanwhile).
replies()
{
	local out
	out=$(on_peer ping -q -c "$2" -i 0.01 -W 1 -I "$1" "$XK_IP4" 2>/dev/null)
	MS=$(sed -n 's/.* time \([0-9]*\)ms.*/\1/p' <<<"$out")
	sed -n 's/.* \([0-9]*\) received.*/\1/p' <<<"$out"
}
bucket_dropped()
{
	bpftool -j map lookup pinned $PIN/ratelimit_buckets key $(ip_bytes "::ffff:$1") |
		jq '.formatted.value.dropped // empty'
}

check "xdpkit attach veth0 ratelimit" on_host "$XDPKIT" attach veth0 ratelimit
id=$(xdp_prog_id)
check_eq "rate 0 (the default): all $N pings answered" $N "$(replies "$XK_PEER_IP4" $N)"

check "bpftool: rate $RATE/s, burst $BURST" bpftool map update pinned $PIN/ratelimit_cfg key 0 0 0 0 \
	value $(le64 $RATE) $(le64 $BURST)
# A new bucket starts full; the one made while the rate was 0 did not exist (rate 0 takes no bucket)
# — either way the source may send its burst, then RATE per second.
replies "$XK_PEER_IP4" $N >"$TMPF"
got=$(cat "$TMPF")
# At most the burst, plus RATE per second of the time the pings took, plus one for a partly refilled
# token.
max=$((BURST + RATE * (MS + 999) / 1000 + 1))
echo "# limited: $got of $N pings answered in $MS ms (allowed at most $max)"
check_ge "limited: at least the burst ($BURST) answered" $BURST "$got"
check_le "limited: no more than burst + rate x time answered" $max "$got"
dropped=$(verdicts "$id" 1)
check_eq "ratelimit's DROP verdicts = pings not answered" $((N - got)) "$dropped"
check_eq "the source's bucket counts the same drops" "$dropped" "$(bucket_dropped "$XK_PEER_IP4")"

check_eq "another source has its own bucket: $BURST pings all answered" $BURST "$(replies "$NET4.3" $BURST)"

check "bpftool: rate 0 turns limiting off" bpftool map update pinned $PIN/ratelimit_cfg key 0 0 0 0 \
	value $(le64 0) $(le64 $BURST)
check_eq "rate 0: all $N pings answered again" $N "$(replies "$XK_PEER_IP4" $N)"

check "xdpkit detach veth0 --all --purge" on_host "$XDPKIT" detach veth0 --all --purge
check_clean "after detach --purge"
xk_done
