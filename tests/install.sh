#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# tests/install.sh: `make install` into a temporary DESTDIR puts exactly the manager, the collection's
# objects, the public headers, xdpkit.pc, the man pages (each renders without a warning), the bash
# completion and the systemd units (when the build made them) and the docs there, each with its mode; a program of one's own built with
# `clang $(pkg-config --cflags xdpkit)` against the installed headers is counted by the installed
# xdpkit's stats (in a network namespace of its own, with a private bpffs); `make uninstall` leaves no
# file behind. Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
if [ -z "${XK_INSTALL_PRIVATE:-}" ]; then
	XK_INSTALL_PRIVATE=1 exec scripts/private-mounts.sh "$BASH" "$0" "$@"
fi
mount -t bpf bpf /sys/fs/bpf || { echo "install.sh: cannot mount a private bpffs"; exit 1; }

PREFIX=/usr/local
TMP=$(mktemp -d /tmp/xk-install-XXXXXX)
DEST=$TMP/dest
NS=xkinst-$$
trap 'ip netns del $NS 2>/dev/null; rm -rf "$TMP"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "  ok    $1"; }
fail() { failed=$((failed + 1)); printf '  FAIL  %s\n' "$1"; [ -z "${2:-}" ] || printf '          %s\n' "$2"; }
check() { local what=$1; shift; if "$@" >"$TMP/out" 2>&1; then ok "$what"; else fail "$what" "$(head -c 600 "$TMP/out")"; fi; }
check_eq() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "expected: $2 | got: $3"; fi; }

check "make install DESTDIR=... PREFIX=$PREFIX" make -s install DESTDIR="$DEST" PREFIX="$PREFIX"
# Every file with its mode: the manager 0755, everything else 0644. The pages of the collection always;
# the manager's xdpkit.8, the completion and the units when the build (and the tree) has them.
want=$( {
	echo "$PREFIX/sbin/xdpkit 755"
	echo "$PREFIX/share/pkgconfig/xdpkit.pc 644"
	for o in build/*.bpf.o; do echo "$PREFIX/lib/xdpkit/${o##*/} 644"; done
	for h in include/xdpkit/*.h; do echo "$PREFIX/include/xdpkit/${h##*/} 644"; done
	for p in progs/*.bpf.c; do p=${p##*/}; echo "$PREFIX/share/man/man7/xdpkit-${p%.bpf.c}.7 644"; done
	for m in build/man/*.[1-8]; do
		[ -e "$m" ] && echo "$PREFIX/share/man/man${m##*.}/${m##*/} 644"
	done
	[ -e build/completion/xdpkit ] && echo "$PREFIX/share/bash-completion/completions/xdpkit 644"
	for u in systemd/*.service systemd/*.socket systemd/*.timer; do
		[ -e "$u" ] && echo "$PREFIX/lib/systemd/system/${u##*/} 644"
	done
	echo "$PREFIX/share/doc/xdpkit/README.md 644"
	for d in docs/*.md; do echo "$PREFIX/share/doc/xdpkit/docs/${d##*/} 644"; done
} | sort -u)
got=$(cd "$DEST" && find . -type f -printf '%p %m\n' | sed 's|^\.||' | sort)
check_eq "every installed file with its mode, and nothing else" "$want" "$got"
check_eq "no symlink or other non-file" "" "$(cd "$DEST" && find . ! -type f ! -type d)"
check "the installed headers are the tree's" diff -r include/xdpkit "$DEST$PREFIX/include/xdpkit"
check "the installed docs are the tree's docs/*.md" sh -c 'for d in docs/*.md; do cmp "$d" "$1/${d##*/}" || exit 1; done' \
	sh "$DEST$PREFIX/share/doc/xdpkit/docs"

# Every installed page renders without a warning, and man finds it by name under the installed MANPATH.
for page in "$DEST$PREFIX"/share/man/man*/*; do
	name=${page##*/}
	check_eq "man --warnings $name prints nothing" "" "$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)"
	check "man -M ... ${name%.*}: found by name, and says what it is" \
		sh -c 'MANPATH= man -M "$1" -w "$2" | grep -qx "$3" && MANWIDTH=80 man -M "$1" "$2" | grep -q "^NAME"' \
		sh "$DEST$PREFIX/share/man" "${name%.*}" "$page"
done
# The units point at the installed manager: no @SBINDIR@ left, ExecStart under $PREFIX/sbin.
for u in "$DEST$PREFIX"/lib/systemd/system/*; do
	[ -e "$u" ] || continue
	check "${u##*/}: runs $PREFIX/sbin/xdpkit (no @SBINDIR@ or /usr/sbin left)" \
		sh -c '! grep -q @SBINDIR@ "$1" && grep -q "^ExecStart=$2/sbin/xdpkit " "$1" && { [ "$2" = /usr ] || ! grep -q "/usr/sbin/xdpkit" "$1"; }' sh "$u" "$PREFIX"
	check "${u##*/}: systemd-analyze verify" sh -c 'command -v systemd-analyze >/dev/null || exit 0;
		out=$(systemd-analyze verify --man=no "$1" 2>&1 | grep -v "not executable\|No such file"); [ -z "$out" ] || { echo "$out"; exit 1; }' sh "$u"
done
# The completion, when there, loads in bash and registers a function for xdpkit.
if [ -e "$DEST$PREFIX/share/bash-completion/completions/xdpkit" ]; then
	check "the installed completion defines a completion for xdpkit" bash -c \
		'source "$1" && complete -p xdpkit' sh "$DEST$PREFIX/share/bash-completion/completions/xdpkit"
fi

# pkg-config finds the installed xdpkit.pc, its prefix moved into DESTDIR.
pc() { PKG_CONFIG_PATH="$DEST$PREFIX/share/pkgconfig" pkg-config --define-variable=prefix="$DEST$PREFIX" "$@"; }
check_eq "pkg-config --modversion xdpkit" "$(sed -n 's/^VERSION := //p' Makefile)" "$(pc --modversion xdpkit)"
check_eq "pkg-config --cflags xdpkit: the installed include directory" "-I$DEST$PREFIX/include" "$(echo $(pc --cflags xdpkit))"

# A program of one's own, the way the README shows it.
cat >"$TMP/mine.bpf.c" <<'EOF'
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <xdpkit/stats.bpf.h>

SEC("xdp")
int mine(struct xdp_md *ctx)
{
	return xk_xdp_verdict(ctx, XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";
EOF
check "clang -target bpf \$(pkg-config --cflags xdpkit) builds it against the installed headers only" \
	${CLANG:-clang} -target bpf -O2 -g -nostdinc -isystem "$(${CLANG:-clang} -print-resource-dir)/include" \
	-I/usr/include -I"/usr/include/$(uname -m)-linux-gnu" $(pc --cflags xdpkit) \
	-MD -MF "$TMP/mine.d" -c "$TMP/mine.bpf.c" -o "$TMP/mine.bpf.o"
# The tree's include/ is not on that command line: the headers came from DESTDIR.
check "the object was built from the installed stats.bpf.h" grep -q "$DEST$PREFIX/include/xdpkit/stats.bpf.h" "$TMP/mine.d"

X="$DEST$PREFIX/sbin/xdpkit"
check_eq "xdpkit --version: the version xdpkit.pc gives" "xdpkit $(pc --modversion xdpkit)" \
	"$("$X" --version | cut -d' ' -f1-2)"
export XDPKIT_PROG_DIR="$DEST$PREFIX/lib/xdpkit"
check_eq "the installed xdpkit lists the installed collection" "$(ls build/*.bpf.o | wc -l)" \
	"$("$X" --json list | jq length)"
check "ip netns add $NS" ip netns add "$NS"
# nsenter, not `ip -n`/`ip netns exec`: those make / a slave mount first, which fails where / is not a
# mount point (a chroot, as a fresh build root is).
check "lo up in it" nsenter --net="/run/netns/$NS" ip link set lo up
check "the installed xdpkit attaches the program (xdpkit -n $NS attach lo mine.bpf.o)" \
	"$X" -n "$NS" attach lo "$TMP/mine.bpf.o" --mode skb
check "3 pings on its loopback" nsenter --net="/run/netns/$NS" ping -q -c 3 -i 0.2 -W 1 127.0.0.1
# Each ping is an echo request and a reply, both received on lo: 6 frames passed.
pass=$("$X" -n "$NS" --json stats lo --interval 0.1 --no-run-time |
	jq '[.programs[] | select(.name == "mine") | .actions.pass.packets] | add // 0')
check_eq "xdpkit stats counts its frames as XDP_PASS" 6 "$pass"
check "detach" "$X" -n "$NS" detach lo mine

check "make uninstall DESTDIR=..." make -s uninstall DESTDIR="$DEST" PREFIX="$PREFIX"
check_eq "no file left behind" "" "$(cd "$DEST" && find . -type f)"
check_eq "nor xdpkit's own directories" "" "$(cd "$DEST" && find . -path '*xdpkit*')"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
