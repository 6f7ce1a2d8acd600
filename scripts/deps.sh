#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Install the Debian packages xdpkit needs to build, test, demo and benchmark; does nothing when all are present.
# Usage: scripts/deps.sh [build|test|vm|bench|all]   (default: all)
set -eu

BUILD="make gcc dpkg-dev build-essential debhelper fakeroot lintian go-md2man man-db python3 binutils libc6-dev libc6-dev-i386 clang llvm pkg-config libbpf-dev libxdp-dev libelf-dev zlib1g-dev linux-libc-dev libmicrohttpd-dev libyaml-dev libpcap-dev"
TEST="git clang-format iproute2 bpftool xdp-tools iputils-ping socat util-linux procps kmod jq libclang-rt-14-dev python3 python3-scapy strace bash-completion man-db bsdextrautils prometheus curl systemd tcpdump tshark debootstrap"
VM="qemu-system-x86 busybox-static cpio xz-utils zstd"
BENCH="netsniff-ng gnuplot-nox"

case "${1:-all}" in
build) want="$BUILD" ;;
test) want="$BUILD $TEST" ;;
vm) want="$BUILD $TEST $VM" ;;
bench) want="$BUILD $TEST $BENCH" ;;
all) want="$BUILD $TEST $VM $BENCH" ;;
*) echo "deps.sh: unknown set '$1'; use build, test, vm, bench or all" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages:$missing; run this as root (or: sudo apt-get install$missing)" >&2
	exit 4
fi
echo "deps.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
