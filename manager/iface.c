/* Interfaces and programs by name or id: the small look-ups every attach/detach/status verb makes.
 */
#include "hooks.h"
#include "xdpkit.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

int xk_ifindex(const char *name)
{
	unsigned int idx = if_nametoindex(name);

	if (!idx)
		xk_error(XK_EXIT_NOTFOUND,
			 "no interface '%s' in this network namespace; see 'ip link' for the names",
			 name);
	return (int)idx;
}

int xk_prog_info(__u32 id, char *name, size_t name_len, char *tag, size_t tag_len)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd, err, i;

	if (name_len)
		name[0] = '\0';
	if (tag_len)
		tag[0] = '\0';
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return -errno;
	err = bpf_obj_get_info_by_fd(fd, &info, &len);
	close(fd);
	if (err)
		return -errno;
	if (name_len)
		snprintf(name, name_len, "%s", info.name);
	for (i = 0; i < BPF_TAG_SIZE && tag_len >= 2 * BPF_TAG_SIZE + 1; i++)
		sprintf(tag + 2 * i, "%02x", info.tag[i]);
	return 0;
}
