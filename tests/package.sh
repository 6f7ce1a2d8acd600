#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# tests/package.sh: the Debian package. In a temporary copy of the tree (the files git tracks or would
# track, as they are now; never the worktree itself) `dpkg-buildpackage -b -us -uc` builds
# xdpkit_VERSION_ARCH.deb, VERSION being the Makefile's and debian/changelog's alike; the package holds
# exactly what `make install PREFIX=/usr` puts in place (man pages and docs compressed by dh_compress),
# its BPF objects unstripped, byte for byte the build's; its dependencies are declared; lintian reports
# no error; apt accepts it on this host (--simulate). Then, in a fresh bookworm root
# (/var/tmp/fresh-root.tar.gz from ../shared/tools/fresh-debian.sh, else debootstrap's, cached in
# .cache/package; XK_PACKAGE_ROOT=no skips this part), apt installs it with what it depends on; there
# `xdpkit --version` prints the version, `xdpkit list` finds the objects, man shows the pages, the
# completion loads; apt purges it and no file is left.
# Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
TOP=$PWD
TMP=$(mktemp -d /tmp/xk-package-XXXXXX)
ROOT=
cleanup() {
	if [ -n "$ROOT" ]; then
		umount -R "$ROOT/proc" "$ROOT/dev" 2>/dev/null
		rm -rf --one-file-system "$ROOT"
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "  ok    $1"; }
fail() { failed=$((failed + 1)); printf '  FAIL  %s\n' "$1"; [ -z "${2:-}" ] || printf '          %s\n' "$2"; }
check() { local what=$1; shift; if "$@" >"$TMP/out" 2>&1; then ok "$what"; else fail "$what" "$(tail -c 800 "$TMP/out")"; fi; }
check_eq() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "expected: $2 | got: $3"; fi; }
finish() { echo "$passed passed, $failed failed"; [ "$failed" = 0 ]; exit; }

VERSION=$(sed -n 's/^VERSION := //p' Makefile)
ARCH=$(dpkg --print-architecture)
check_eq "debian/changelog's version is the Makefile's VERSION" "$VERSION" "$(dpkg-parsechangelog -S Version)"

# Every library's -dev package the build needs (scripts/deps.sh's build set) is a Build-Depends
# (libc6-dev and dpkg-dev are build-essential): a clean build root has only what debian/control names.
builddeps=$(sed -n '/^Build-Depends:/,/^[A-Z][a-z-]*: /p' debian/control | sed '$d' | sed 's/^Build-Depends://')
missing=
for p in $(sed -n 's/^BUILD="\(.*\)"$/\1/p' scripts/deps.sh); do
	case "$p" in libc6-dev | dpkg-dev) continue ;; *-dev) ;; *) continue ;; esac
	grep -qE "(^|[ ,])$p([ ,(\[]|\$)" <<<"$builddeps" || missing="$missing $p"
done
check_eq "debian/control's Build-Depends has every -dev package of scripts/deps.sh's build set" "" "$missing"

# The tree as git sees it (tracked and new files, with today's changes), without build/.
SRC=$TMP/xdpkit-$VERSION
mkdir -p "$SRC"
command -v git >/dev/null || { echo "package.sh: git is missing: run scripts/deps.sh test"; exit 1; }
git ls-files -z --cached --others --exclude-standard | grep -zv '^\.cache' |
	xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
	tar -c --null -T - | tar -x -C "$SRC"
check "the copy has no build/" test ! -e "$SRC/build"
check "dpkg-buildpackage -b -us -uc" sh -c 'cd "$1" && dpkg-buildpackage -b -us -uc' sh "$SRC"
DEB=$TMP/xdpkit_${VERSION}_$ARCH.deb
check "it made xdpkit_${VERSION}_$ARCH.deb" test -f "$DEB"
[ -f "$DEB" ] || finish

# What the package should hold: make install's files for PREFIX=/usr from the same build, with
# /usr/share/doc/xdpkit's copyright and changelog.gz and the lintian overrides; compression (.gz) is dh_compress's to choose, so
# names are compared without it, and man pages must be compressed.
check "make install PREFIX=/usr DESTDIR=... in the built copy" \
	make -s -C "$SRC" install PREFIX=/usr DESTDIR="$TMP/want"
want=$( {
	(cd "$TMP/want" && find . -type f | sed 's|^\.||')
	echo /usr/share/doc/xdpkit/copyright
	echo /usr/share/doc/xdpkit/changelog
	echo /usr/share/lintian/overrides/xdpkit
} | sort)
got=$(dpkg-deb -c "$DEB" | awk '$1 !~ /^d/ { print $6 }' | sed 's|^\.||; s|\.gz$||' | sort)
check_eq "the package holds make install's files and no other" "$want" "$got"
for m in $(dpkg-deb -c "$DEB" | awk '$1 !~ /^d/ { print $6 }' | grep '/share/man/man'); do
	case "$m" in *.gz) ;; *) fail "man page $m is compressed" ;; esac
done
dpkg-deb -x "$DEB" "$TMP/deb"
check_eq "the manager in /usr/sbin is 0755" "755" "$(stat -c %a "$TMP/deb/usr/sbin/xdpkit")"
for o in "$SRC"/build/*.bpf.o; do
	check "${o##*/} is the build's, byte for byte (not stripped)" cmp "$o" "$TMP/deb/usr/lib/xdpkit/${o##*/}"
done
check "the objects keep their BTF (.BTF and .BTF.ext sections)" sh -c \
	'readelf -SW "$1" | grep -q " .BTF " && readelf -SW "$1" | grep -q " .BTF.ext "' sh "$TMP/deb/usr/lib/xdpkit/blocklist.bpf.o"
check "the manager was stripped (its symbols are in the -dbgsym package)" sh -c \
	'! readelf -SW "$1" | grep -q " .symtab "' sh "$TMP/deb/usr/sbin/xdpkit"
depends=$(dpkg-deb -f "$DEB" Depends)
for lib in libbpf1 libxdp1 libelf1 libc6; do
	check "Depends names $lib" grep -qw "$lib" <<<"$depends"
done
check "xdpkit --version of the package's binary prints $VERSION" sh -c \
	'XDPKIT_PROG_DIR=$2/usr/lib/xdpkit "$2/usr/sbin/xdpkit" --version | grep -q "^xdpkit $1 "' sh "$VERSION" "$TMP/deb"

lintian --tag-display-limit 0 "$DEB" >"$TMP/lintian" 2>&1
lintian_rc=$?
grep -v '^running with root' "$TMP/lintian" | sed 's/^/          lintian: /'
check_eq "lintian: exit 0 (it fails on errors), no error" "0 " "$lintian_rc $(grep '^E:' "$TMP/lintian")"

check "apt-get install --simulate ./xdpkit_${VERSION}_$ARCH.deb on this host" \
	apt-get install --simulate -q "$DEB"

# A real install, with apt, into a fresh bookworm root: the one ../shared/tools/fresh-debian.sh caches,
# else one of our own (debootstrap minbase from this host's Debian mirror, made once, cached in .cache/package).
# XK_PACKAGE_ROOT_TAR names another root tarball, XK_PACKAGE_CACHE another cache directory.
TAR=${XK_PACKAGE_ROOT_TAR:-/var/tmp/fresh-root.tar.gz}
if [ "${XK_PACKAGE_ROOT:-yes}" = no ]; then
	echo "  (no install into a fresh root: XK_PACKAGE_ROOT=no)"
	finish
fi
if [ ! -s "$TAR" ]; then
	TAR=${XK_PACKAGE_CACHE:-$TOP/.cache/package}/bookworm-minbase.tar.gz
	if [ ! -s "$TAR" ]; then
		mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null)
		mk=$(mktemp -d /var/tmp/xk-debootstrap.XXXXXX)
		mkdir -p "${TAR%/*}"
		check "debootstrap --variant=minbase bookworm (once; cached in ${TAR#$TOP/})" sh -c \
			'debootstrap --variant=minbase bookworm "$1" "$2" && tar -C "$1" -czf "$3.tmp" . && mv "$3.tmp" "$3"' \
			sh "$mk" "${mirror:-http://deb.debian.org/debian}" "$TAR"
		rm -rf --one-file-system "$mk"
		[ -s "$TAR" ] || finish
	fi
fi
ROOT=$(mktemp -d /var/tmp/xk-package-root.XXXXXX)
tar -C "$ROOT" -xzf $TAR
chmod 755 "$ROOT"
cp /etc/resolv.conf "$ROOT/etc/"
rm -f "$ROOT/etc/apt/sources.list"
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
	cp /etc/apt/sources.list.d/debian.sources "$ROOT/etc/apt/sources.list.d/"
else
	cp /etc/apt/sources.list "$ROOT/etc/apt/"
fi
cp "$DEB" "$ROOT/tmp/"
mount -t proc proc "$ROOT/proc" && mount --rbind /dev "$ROOT/dev"
in_root() { chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
	DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 sh -c "$1"; }
check "the fresh root has no xdpkit, libxdp1 or clang" in_root \
	'! dpkg -s xdpkit >/dev/null 2>&1 && ! dpkg -s libxdp1 >/dev/null 2>&1 && ! command -v clang'
check "apt-get install ./$(basename "$DEB") man-db (with what it depends on)" in_root \
	"apt-get update -qq && apt-get install -y -qq --no-install-recommends /tmp/${DEB##*/} man-db"
check_eq "xdpkit --version there" "xdpkit $VERSION" "$(in_root 'xdpkit --version' 2>&1 | cut -d' ' -f1-2)"
check_eq "xdpkit list there finds every object in /usr/lib/xdpkit" "$(ls "$SRC"/build/*.bpf.o | wc -l)" \
	"$(in_root 'xdpkit --json list' 2>/dev/null | jq length)"
for page in "$SRC"/build/man/*.[1-8]; do
	name=$(basename "$page"); name=${name%.*}
	check "man $name there" in_root "man -w $name && MANWIDTH=80 man $name | grep -q '^NAME'"
done
if [ -e "$SRC/build/man/xdpkit.8" ]; then
	check "man xdpkit there names /usr/lib/xdpkit, where the objects are" in_root \
		"MANWIDTH=200 man xdpkit | grep -q '/usr/lib/xdpkit/\*\.bpf\.o'"
fi
if [ -e "$SRC/build/completion/xdpkit" ]; then
	check "the bash completion there defines one for xdpkit" in_root \
		"bash -c '. /usr/share/bash-completion/completions/xdpkit && complete -p xdpkit'"
fi
check "apt-get purge xdpkit" in_root 'apt-get purge -y -qq xdpkit'
check_eq "no file of the package left" "" \
	"$(cd "$TMP/deb" && find . -type f | sed 's|^\.||; s|\.gz$||' | while read -r f; do
		ls -d "$ROOT$f" "$ROOT$f.gz" 2>/dev/null; done)"
check_eq "nor its directories" "" "$(ls -d "$ROOT/usr/lib/xdpkit" "$ROOT/usr/include/xdpkit" "$ROOT/usr/share/doc/xdpkit" 2>/dev/null)"
finish
