#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Run CMD in a mount namespace of its own whose mounts never propagate back (private bpffs, tracefs for tests).
# Usage: scripts/private-mounts.sh CMD [ARGS...]
# Why not `unshare -m --propagation private`: that remounts "/" private, which fails where / is not a mount point
# (a chroot, as on a fresh build root); making /sys private is all our mounts need (/sys/fs/bpf, /sys/kernel/tracing).
# bash, not sh: in the VM guest sh is busybox, whose built-in unshare applet (run before $PATH) lacks --propagation.
exec unshare -m --propagation unchanged sh -c '
	mount --make-rprivate / 2>/dev/null || mount --make-rprivate /sys || {
		echo "private-mounts: cannot make / or /sys private in a new mount namespace" >&2
		exit 4
	}
	exec "$@"' sh "$@"
