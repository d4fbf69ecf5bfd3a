/* SPDX-License-Identifier: GPL-2.0 */
/* capture: the file writer (pcapng or classic pcap) and the clock. */
#ifndef __PCN_CAP_H
#define __PCN_CAP_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

#define CAP_LINKTYPE_ETHERNET	1

struct cap_writer {
	FILE *f;
	bool pcapng;
	__u32 snaplen;
};

/*
 * The file's header: for pcapng a section and one interface block per
 * capture point, named @names[i] (interface id i); for pcap the global
 * header (nanosecond timestamps), names unused.
 * Return: 0 or -errno.
 */
int cap_write_header(struct cap_writer *w, const char *const *names, int n);
/*
 * One packet seen at interface @ifid, at @ts_ns (ns since the epoch),
 * @len bytes on the wire of which @caplen in @data; @egress: on the way
 * out (pcapng says so in the block's flags).
 * Return: 0 or -errno (-EPIPE: the reader of a pipe is gone).
 */
int cap_write_packet(struct cap_writer *w, __u32 ifid, __u64 ts_ns,
		     const void *data, __u32 caplen, __u32 len, bool egress);

/*
 * What to add to a CLOCK_BOOTTIME time (the datapath's) to make it a
 * CLOCK_REALTIME one, from the two clocks read together: the pair read
 * closest in time of a few tries. Read it again as time goes: the wall
 * clock may be stepped (NTP, date -s), and then moves alone.
 */
__s64 cap_boot_to_real(void);

/*
 * A libpcap filter expression (pcap-filter(7)), compiled for Ethernet
 * frames of @snaplen bytes at most, into *@prog; why it is wrong in @why.
 * Return: 0; -EINVAL for a bad expression; -EOPNOTSUPP without libpcap.
 */
int cap_expr_compile(const char *expr, unsigned int snaplen, void **prog,
		     char *why, size_t len);
/* Return: true if the frame @pkt (@caplen of @len bytes) matches @prog. */
bool cap_expr_match(const void *prog, const void *pkt, unsigned int caplen,
		    unsigned int len);
void cap_expr_free(void *prog);

#endif /* __PCN_CAP_H */
