// SPDX-License-Identifier: GPL-2.0-only
/* Interfaces by name: the look-up every attach/detach/status verb makes. */
#include "hooks.h"
#include "xdpkit.h"

#include <net/if.h>

int xk_ifindex(const char *name)
{
	unsigned int idx = if_nametoindex(name);

	if (!idx)
		xk_error(XK_EXIT_NOTFOUND,
			 "no interface '%s' in this network namespace; see 'ip link' for the names",
			 name);
	return (int)idx;
}
