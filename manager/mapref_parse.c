// SPDX-License-Identifier: GPL-2.0-only
/* Reading the MAP argument (see mapref_parse.h): the four forms, strictly. */
#include "mapref_parse.h"
#include "number.h"

#include <errno.h>
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define ERR(...) (snprintf(err, errlen, __VA_ARGS__), -EINVAL)

bool xk_kname_matches(const char *kname, const char *typed)
{
	size_t kl = strlen(kname), tl = strlen(typed);

	if (!strcmp(kname, typed))
		return true;
	/* The kernel keeps BPF_OBJ_NAME_LEN - 1 characters of a name: a full 15 may be the start of
	 * a longer one. */
	if (kl == BPF_OBJ_NAME_LEN - 1 && tl > kl && !strncmp(kname, typed, kl))
		return true;
	/* Global data maps are "<object>.bss" with the object name cut to fit: ".bss" names them.
	 */
	if (typed[0] == '.' && kl > tl && !strcmp(kname + kl - tl, typed))
		return true;
	return false;
}

bool xk_ref_prog_id(const char *what, __u32 *id)
{
	__u64 v;

	/* All digits in the u32 range is an id (as bpftool reads it); "-12" or "99999999999" is
	 * not, and can only match a name. */
	if (xk_num_u64(what, strlen(what), XK_NUM_DEC, UINT32_MAX, &v))
		return false;
	*id = v;
	return true;
}

int xk_ref_parse(int argc, char *const *argv, int *argi, struct xk_ref *r, char *err, size_t errlen)
{
	const char *arg, *slash;
	__u64 id;

	memset(r, 0, sizeof(*r));
	if (*argi >= argc)
		return ERR("missing MAP: give a pin path, PROG/MAPNAME, a pinned map's name, or "
			   "'id N'");
	arg = r->text = argv[(*argi)++];
	if (!strcmp(arg, "id")) {
		if (*argi >= argc)
			return ERR("'id' needs a map id, e.g. 'id 42' (see 'bpftool map')");
		arg = r->text = argv[(*argi)++];
		/* Decimal digits in the u32 range: no sign, no hex, no wrap to a small id. */
		if (xk_num_u64(arg, strlen(arg), XK_NUM_DEC, UINT32_MAX, &id) || !id)
			return ERR("'%.64s' is not a map id; expected a decimal number 1-%u (see "
				   "'xdpkit map show')",
				   arg, UINT32_MAX);
		r->kind = XK_REF_ID;
		r->id = id;
		return 0;
	}
	if (!*arg)
		return ERR("an empty MAP; give a pin path, PROG/MAPNAME, a pinned map's name, or "
			   "'id N'");
	if (arg[0] == '/') {
		r->kind = XK_REF_PIN;
		return 0;
	}
	slash = strchr(arg, '/');
	if (slash) {
		if (slash == arg || !slash[1] || strchr(slash + 1, '/'))
			return ERR("'%.64s' is not PROG/MAPNAME (one '/' between a program and a "
				   "map name, e.g. blocklist/blocklist_v4); a pin path starts "
				   "with '/'",
				   arg);
		if (slash - arg > XK_REF_NAME_MAX || strlen(slash + 1) > XK_REF_NAME_MAX)
			return ERR("'%.64s...' is too long for PROG/MAPNAME (at most %d characters "
				   "each)",
				   arg, XK_REF_NAME_MAX);
		r->kind = XK_REF_PROG;
		memcpy(r->prog, arg, slash - arg);
		r->prog[slash - arg] = '\0';
		r->map = slash + 1;
		return 0;
	}
	if (strlen(arg) > XK_REF_NAME_MAX)
		return ERR("'%.64s...' is too long for a map name (at most %d characters)", arg,
			   XK_REF_NAME_MAX);
	r->kind = XK_REF_NAME;
	return 0;
}
