// SPDX-License-Identifier: GPL-2.0-only
/* xdpkit dump's filter expression: compiled by libpcap, as tcpdump compiles it, and run on each
 * record in user space before it is decoded or written. (Running it in the kernel would mean
 * translating libpcap's classic BPF into each program: not done.) */
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

/* Only the prototypes: dump.h brings libbpf's headers, whose struct bpf_insn is libpcap's name
 * too. */
struct xk_filter {
	pcap_t *pcap;
	struct bpf_program prog;
};

struct xk_filter *xk_filter_new(const char *expr, unsigned int snaplen, char *err, size_t errlen);
bool xk_filter_match(const struct xk_filter *f, const void *data, unsigned int caplen,
		     unsigned int len);
void xk_filter_free(struct xk_filter *f);

struct xk_filter *xk_filter_new(const char *expr, unsigned int snaplen, char *err, size_t errlen)
{
	struct xk_filter *f = calloc(1, sizeof(*f));

	if (f)
		f->pcap = pcap_open_dead(DLT_EN10MB, (int)snaplen);
	if (!f || !f->pcap) {
		snprintf(err, errlen, "out of memory");
		free(f);
		return NULL;
	}
	if (pcap_compile(f->pcap, &f->prog, expr, 1, PCAP_NETMASK_UNKNOWN)) {
		snprintf(err, errlen, "%s", pcap_geterr(f->pcap));
		pcap_close(f->pcap);
		free(f);
		return NULL;
	}
	return f;
}

bool xk_filter_match(const struct xk_filter *f, const void *data, unsigned int caplen,
		     unsigned int len)
{
	struct pcap_pkthdr h = { .caplen = caplen, .len = len };

	return pcap_offline_filter(&f->prog, &h, data) != 0;
}

void xk_filter_free(struct xk_filter *f)
{
	if (!f)
		return;
	pcap_freecode(&f->prog);
	pcap_close(f->pcap);
	free(f);
}
