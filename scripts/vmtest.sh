#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Boot Debian's stock kernels under QEMU (TCG) with a busybox initramfs, run tests/vm inside, report the result.
#
# Usage: scripts/vmtest.sh [KERNEL|6.1|6.12|all] [TEST...]
#   KERNEL   a kernel package name or glob, e.g. linux-image-6.1.0-56-amd64, 'linux-image-6.12.*-amd64-unsigned'
#   6.1      the newest linux-image-6.1.0-*-amd64 (bookworm); 6.12: the newest linux-image-6.12.*-amd64-unsigned
#   all      both (default)
#   TEST     guest tests (default: every test_* of tests/vm/t-*.sh, also named "vm"), e.g. chain_three;
#            "e2e" the tests/e2e suite, "e2e:test_count" one test of it; `vm e2e` both in one boot
#            (what make test-vm runs)
# Environment: VMTEST_TIMEOUT (seconds per kernel; 480, 1500 with e2e), VMTEST_CACHE (default .cache/vm),
#   V=1 (kernel log on the console; V is also passed to the guest, where tests/e2e/run.sh streams each test),
#   VMTEST_JOBS (kernels booted side by side, console lines then prefixed [6.1]/[6.12]; default 2 with 2+ CPUs)
#
# Why QEMU: the build machines refuse freplace, which libxdp's multi-program dispatcher needs; Debian's kernels in a
# VM allow it. Why TCG: /dev/kvm exists on these machines but a KVM guest hangs.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${VMTEST_CACHE:-$ROOT/.cache/vm}
ARCH_LIB=/usr/lib/$(uname -m)-linux-gnu
# Modules the guest tests need that Debian builds as modules (BPF, BTF, netns and XDP are built in).
MODULES="veth sch_ingress cls_bpf act_bpf"
# Host tools copied into the guest with their shared libraries. iproute2, ping and friends must be the real ones:
# busybox's ip cannot make veth pairs and has no XDP/TC BPF support.
TOOLS="/usr/sbin/ip /usr/sbin/tc /usr/sbin/bpftool /usr/sbin/xdp-loader /usr/bin/ping /usr/bin/bash
	/usr/bin/socat /usr/bin/nsenter /usr/bin/unshare /usr/bin/timeout /usr/bin/jq /usr/bin/cksum
	/usr/bin/setpriv /usr/bin/findmnt /usr/bin/flock"

die() {
	echo "vmtest: $*" >&2
	exit 4
}

# The generic flavour unless the pattern asks for another: '6.12.*-amd64' also matches the -rt- and -cloud- builds.
flavour_ok() { # pattern name
	for f in -rt- -cloud-; do
		case $2 in *"$f"*) case $1 in *"$f"*) ;; *) return 1 ;; esac ;; esac
	done
	return 0
}

# Newest package whose name matches the glob and that the archive can deliver; empty if none.
resolve_pkg() {
	pattern=$1
	prefix=${pattern%%[*?]*}
	apt-cache pkgnames "$prefix" 2>/dev/null | while read -r name; do
		# shellcheck disable=SC2254 # the pattern is meant to glob
		case $name in $pattern) flavour_ok "$pattern" "$name" && echo "$name" ;; esac
	done | sort -V -r | while read -r name; do
		if apt-cache policy "$name" 2>/dev/null | grep -q 'Candidate: [0-9]'; then
			echo "$name"
			break
		fi
	done
}

# Newest matching .deb already in the cache: lets the script run offline once it has run online.
cached_pkg() {
	pattern=$1
	for f in "$CACHE"/debs/*.deb; do
		[ -e "$f" ] || continue
		name=$(basename "$f")
		name=${name%%_*}
		# shellcheck disable=SC2254
		case $name in $pattern) flavour_ok "$pattern" "$name" && echo "$name" ;; esac
	done | sort -V -r | head -n 1
}

kernel_pattern() {
	case $1 in
	6.1) echo 'linux-image-6.1.0-*-amd64' ;;
	6.12) echo 'linux-image-6.12.*-amd64-unsigned' ;;
	*) echo "$1" ;;
	esac
}

# Fetch the package (once) and unpack vmlinuz plus the modules we need, decompressed for busybox insmod.
# Prints the directory holding vmlinuz, modules/ and load-order.
prepare_kernel() {
	pkg=$1
	mkdir -p "$CACHE/debs"
	deb=$(ls "$CACHE"/debs/"${pkg}"_*.deb 2>/dev/null | sort -V | tail -n 1 || true)
	if [ -z "$deb" ]; then
		echo "vmtest: downloading $pkg" >&2
		(cd "$CACHE/debs" && apt-get -q download -o APT::Sandbox::User=root "$pkg" >&2) ||
			die "apt-get download $pkg failed; check network and apt sources (apt-get update)"
		deb=$(ls "$CACHE"/debs/"${pkg}"_*.deb | sort -V | tail -n 1)
	fi
	kdir=$CACHE/$(basename "$deb" .deb)
	if [ ! -s "$kdir/load-order" ]; then
		rm -rf "$kdir" "$kdir.tmp"
		mkdir -p "$kdir.tmp/x" "$kdir.tmp/modules"
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$kdir.tmp/x" --wildcards './boot/vmlinuz-*' \
			'./lib/modules/*/modules.order' './lib/modules/*/kernel/net/*' './lib/modules/*/kernel/drivers/net/*'
		cp "$kdir.tmp"/x/boot/vmlinuz-* "$kdir.tmp/vmlinuz"
		mdir=$(echo "$kdir.tmp"/x/lib/modules/*)
		: >"$kdir.tmp/load-order"
		for m in $MODULES; do
			add_module "$mdir" "$kdir.tmp" "$m"
		done
		rm -rf "$kdir.tmp/x"
		mv "$kdir.tmp" "$kdir"
	fi
	echo "$kdir"
}

# Append module $3 after its dependencies (modinfo's depends field) to load-order, decompressed into modules/.
add_module() {
	mdir=$1 out=$2 name=$3
	grep -qx "$name.ko" "$out/load-order" && return 0
	rel=$(grep -E "/$name\.ko$" "$mdir/modules.order" | head -n 1 || true)
	[ -n "$rel" ] || return 0 # built in: nothing to load
	src=$(ls "$mdir/$rel"* 2>/dev/null | head -n 1) || true
	[ -n "$src" ] || die "module $name listed in modules.order but missing from the package"
	for dep in $(modinfo -F depends "$src" | tr ',' ' '); do
		add_module "$mdir" "$out" "$dep"
	done
	case $src in
	*.xz) xz -dc "$src" >"$out/modules/$name.ko" ;;
	*.zst) zstd -qdc "$src" >"$out/modules/$name.ko" ;;
	*.gz) gzip -dc "$src" >"$out/modules/$name.ko" ;;
	*) cp "$src" "$out/modules/$name.ko" ;;
	esac
	echo "$name.ko" >>"$out/load-order"
}

# Copy a file to the same path under the initramfs root.
put() {
	mkdir -p "$STAGE$(dirname "$1")"
	cp -L "$1" "$STAGE$1"
}

# Copy every shared library ldd names for an executable.
put_libs() {
	ldd "$1" 2>/dev/null | awk '/=> \//{print $3} /^[ \t]*\/[^ ]+ \(/{print $1}' | while read -r lib; do
		[ -e "$STAGE$lib" ] || put "$lib"
	done
}

# Copy an executable to the same path, with its libraries.
put_binary() {
	put "$1"
	put_libs "$1"
}

# The part of the initramfs that is the same for every kernel.
build_common() {
	[ -x /bin/busybox ] || die "/bin/busybox missing; run scripts/deps.sh vm"
	# It runs before any library is in place: it must be the static build.
	ldd /bin/busybox >/dev/null 2>&1 &&
		die "/bin/busybox is not static; install busybox-static (scripts/deps.sh vm)"
	mkdir -p "$STAGE"/bin "$STAGE"/sbin "$STAGE"/usr/bin "$STAGE"/usr/sbin "$STAGE"/proc "$STAGE"/sys \
		"$STAGE"/dev "$STAGE"/run "$STAGE"/tmp "$STAGE"/etc "$STAGE"/var "$STAGE"/lib/modules
	ln -s /run "$STAGE"/var/run
	cp /bin/busybox "$STAGE"/bin/busybox
	cp "$ROOT"/scripts/vm/init "$STAGE"/init
	chmod 0755 "$STAGE"/init
	echo 'root:x:0:0:root:/root:/bin/sh' >"$STAGE"/etc/passwd
	echo 'root:x:0:' >"$STAGE"/etc/group
	for t in $TOOLS; do
		[ -x "$t" ] || die "$t missing; run scripts/deps.sh vm"
		put_binary "$t"
	done
	# Scripts start with #!/bin/bash or #!/usr/bin/env; busybox installs its applets into /bin only.
	ln -s /usr/bin/bash "$STAGE"/bin/bash
	ln -s /bin/busybox "$STAGE"/usr/bin/env
	# libxdp loads its dispatcher from here; without it there is no multi-program chaining.
	for o in "$ARCH_LIB"/bpf/*.o; do
		put "$o"
	done
	# Our tree as the tests expect it: the manager and objects in build/, the test scripts beside them.
	mkdir -p "$STAGE"/xdpkit/build
	put_libs "$ROOT"/build/xdpkit
	cp "$ROOT"/build/xdpkit "$STAGE"/xdpkit/build/xdpkit
	cp "$ROOT"/build/*.bpf.o "$STAGE"/xdpkit/build/
	# Objects the e2e tests use (make test-vm-e2e builds them; the guest has no clang).
	[ -d "$ROOT"/build/test-objs ] && cp -r "$ROOT"/build/test-objs "$STAGE"/xdpkit/build/
	cp -r "$ROOT"/tests "$STAGE"/xdpkit/tests
	# The systemd unit, whose command lines test_apply_unit runs.
	[ -d "$ROOT"/systemd ] && cp -r "$ROOT"/systemd "$STAGE"/xdpkit/systemd
	mkdir -p "$STAGE"/xdpkit/scripts
	cp "$ROOT"/scripts/*.sh "$STAGE"/xdpkit/scripts/
}

# The initramfs for one kernel: the common tree plus that kernel's modules.
pack() { # kernel-dir output
	rm -rf "$STAGE/lib/modules"
	mkdir -p "$STAGE/lib/modules"
	cp "$1"/modules/*.ko "$1"/load-order "$STAGE/lib/modules/" 2>/dev/null || true
	(cd "$STAGE" && find . | cpio -o -H newc -R 0:0 --quiet) >"$2"
}

# Boot one kernel and stream its console (each line prefixed when kernels run side by side). Writes
# "passed failed status seconds" to $WORK/result-LABEL.
boot() { # kernel-dir label prefix
	kdir=$1 label=$2 prefix=$3
	log=$WORK/console-$label.log
	quiet=quiet
	[ "${V:-0}" = 1 ] && quiet=
	# The init reads xktests= and V= from its environment (the kernel passes unknown key=value words there).
	tests=$(echo "$TESTS" | tr ' ' ',')
	start=$(date +%s)
	# Line by line all the way (sed -u, not tr, which holds 4 KB back): a long guest run streams as it goes.
	{
		qrc=0
		# One vCPU: the tests are sequential, and a second TCG thread only competes for the host's CPUs.
		timeout -k 5 "$TIMEOUT" qemu-system-x86_64 -accel tcg,thread=multi -cpu max -m 1024 -smp 1 -nic none \
			-nographic -no-reboot -kernel "$kdir/vmlinuz" -initrd "$WORK/initrd-$label.cpio" \
			-append "console=ttyS0 $quiet panic=-1 xktests=$tests V=${V:-0}" </dev/null || qrc=$?
		echo "$qrc" >"$WORK/qemu-$label.rc"
	} | sed -u 's/\r//g; s/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1bc//g' | tee "$log" | sed -u "s/^/$prefix/"
	end=$(date +%s)
	qrc=$(cat "$WORK/qemu-$label.rc")
	result=$(sed -n 's/^VMTEST-RESULT: rc=\([0-9]*\).*/\1/p' "$log" | tail -n 1)
	counts=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1 || true)
	passed=${counts%% passed*}
	failed=${counts#*, }
	failed=${failed%% failed}
	if [ -z "$counts" ]; then
		# No summary (hung or crashed guest): count what finished, plus one failure for the run itself.
		passed=$(grep -c '^PASS test_' "$log" || true)
		failed=$(($(grep -c '^FAIL test_' "$log" || true) + 1))
	fi
	if [ -z "$result" ]; then
		[ "$qrc" = 124 ] && reason="timed out after ${TIMEOUT}s" || reason="qemu exited $qrc"
		echo "vmtest: $label: no result from the guest ($reason); console log above" >&2
		result=1
	fi
	# A failing guest whose tests all passed still fails the run.
	[ "$result" = 0 ] || [ "$failed" -gt 0 ] || failed=1
	echo "vmtest: $label: guest status $result, $passed passed, $failed failed, $((end - start)) s wall"
	echo "$passed $failed $result $((end - start))" >"$WORK/result-$label"
}

main() {
	what=${1:-all}
	[ $# -gt 0 ] && shift
	TESTS="$*"
	# tests/vm alone takes about a minute; with e2e 5 to 10 minutes under TCG on a busy machine.
	case " $TESTS" in
	*" e2e"*) TIMEOUT=${VMTEST_TIMEOUT:-1500} ;;
	*) TIMEOUT=${VMTEST_TIMEOUT:-480} ;;
	esac
	case $what in
	-h | --help)
		sed -n '3,15p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	all) kernels="6.1 6.12" ;;
	*) kernels=$what ;;
	esac
	command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing; run scripts/deps.sh vm"
	[ -x "$ROOT/build/xdpkit" ] || die "build/xdpkit missing; run make first"

	WORK=$(mktemp -d /tmp/xk-vmtest.XXXXXX)
	STAGE=$WORK/root
	trap 'rm -rf "$WORK"' EXIT INT TERM
	build_common

	: >"$WORK/kernels"
	for k in $kernels; do
		pattern=$(kernel_pattern "$k")
		pkg=$(resolve_pkg "$pattern")
		if [ -z "$pkg" ] && [ "$(id -u)" = 0 ]; then
			apt-get update -qq >&2 || true
			pkg=$(resolve_pkg "$pattern")
		fi
		[ -n "$pkg" ] || pkg=$(cached_pkg "$pattern")
		[ -n "$pkg" ] || die "no package matches '$pattern' in apt sources or $CACHE/debs; 6.12 comes from" \
			"bookworm-security (or bookworm-backports): add one to the apt sources and run apt-get update"
		kdir=$(prepare_kernel "$pkg")
		pack "$kdir" "$WORK/initrd-$k.cpio"
		echo "$k $pkg $kdir" >>"$WORK/kernels"
	done

	n=$(wc -l <"$WORK/kernels")
	# Side by side by default where there are two CPUs: about half the wall time (each guest uses one).
	jobs=${VMTEST_JOBS:-$(($(nproc) >= 2 ? 2 : 1))}
	if [ "$jobs" -gt 1 ] && [ "$n" -gt 1 ]; then
		while read -r k pkg kdir; do
			echo "vmtest: booting $pkg ($(basename "$kdir")), console lines prefixed [$k]"
			boot "$kdir" "$k" "[$k] " &
		done <"$WORK/kernels"
		wait
	else
		while read -r k pkg kdir; do
			echo "vmtest: booting $pkg ($(basename "$kdir"))"
			boot "$kdir" "$k" ""
		done <"$WORK/kernels"
	fi

	total_pass=0 total_fail=0
	echo "vmtest: per kernel:"
	while read -r k pkg kdir; do
		read -r passed failed result secs <"$WORK/result-$k" || {
			passed=0 failed=1 secs='?'
		}
		echo "  $pkg: $passed passed, $failed failed, $secs s"
		total_pass=$((total_pass + passed))
		total_fail=$((total_fail + failed))
	done <"$WORK/kernels"
	echo "$total_pass passed, $total_fail failed"
	[ "$total_fail" = 0 ]
}

main "$@"
