/* SPDX-License-Identifier: GPL-2.0-only */
/* Checking --pin-root: a plain directory path on bpffs under /sys/fs/bpf. */
#ifndef XDPKIT_PINROOT_H
#define XDPKIT_PINROOT_H

/* 0, or XK_EXIT_USAGE after one line naming the path and the fix. */
int xk_pin_root_check(const char *dir);

#endif
