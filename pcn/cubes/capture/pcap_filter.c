// SPDX-License-Identifier: GPL-2.0
/*
 * capture: "pcap-filter EXPRESSION", libpcap's filter language, run in
 * user space on what the datapath copied. Apart from the rest of the
 * type: libpcap's headers and the kernel's both define struct bpf_insn.
 * Built with libpcap where the build finds it (PCN_HAVE_PCAP).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "cap.h"

#ifdef PCN_HAVE_PCAP
#include <pcap/pcap.h>

int cap_expr_compile(const char *expr, unsigned int snaplen, void **prog,
		     char *why, size_t len)
{
	struct bpf_program *p;
	pcap_t *dead;
	int err = 0;

	*prog = NULL;
	p = calloc(1, sizeof(*p));
	dead = pcap_open_dead(DLT_EN10MB, snaplen);
	if (!p || !dead) {
		free(p);
		if (dead)
			pcap_close(dead);
		snprintf(why, len, "out of memory");
		return -ENOMEM;
	}
	if (pcap_compile(dead, p, expr, 1, PCAP_NETMASK_UNKNOWN)) {
		snprintf(why, len, "%s", pcap_geterr(dead));
		free(p);
		err = -EINVAL;
	} else {
		*prog = p;
	}
	pcap_close(dead);
	return err;
}

bool cap_expr_match(const void *prog, const void *pkt, unsigned int caplen,
		    unsigned int len)
{
	struct pcap_pkthdr h = { .caplen = caplen, .len = len };

	return pcap_offline_filter(prog, &h, pkt) != 0;
}

void cap_expr_free(void *prog)
{
	if (prog)
		pcap_freecode(prog);
	free(prog);
}

#else

int cap_expr_compile(const char *expr, unsigned int snaplen, void **prog,
		     char *why, size_t len)
{
	*prog = NULL;
	snprintf(why, len, "this pcn is built without libpcap");
	return -EOPNOTSUPP;
}

bool cap_expr_match(const void *prog, const void *pkt, unsigned int caplen,
		    unsigned int len)
{
	return true;
}

void cap_expr_free(void *prog)
{
}

#endif
