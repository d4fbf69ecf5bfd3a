/* SPDX-License-Identifier: GPL-2.0 */
/* What pcn-bench and its eBPF programs (bench.bpf.c) both see. */
#ifndef __PCN_BENCH_H
#define __PCN_BENCH_H

#include <linux/types.h>

/* Longest chain of "pcn-bench prog tailcalls N" (bench_hop). */
#define BENCH_MAX_HOPS	16

/* Most measurements of one program in "pcn-bench prog ... runs K". */
#define BENCH_MAX_RUNS	100

/* The generator's frames, set in .rodata before load. */
struct gen_cfg {
	__u8 dmac[6];
	__u8 smac[6];
	__u32 saddr;		/* host order, first address */
	__u32 daddr;
	__u32 nsaddr;		/* how many consecutive addresses, >= 1 */
	__u32 ndaddr;
	__u16 sport;		/* host order, first port */
	__u16 dport;
	__u16 nsport;
	__u16 ndport;
	__u32 flows;		/* distinct 4-tuples cycled through, >= 1 */
	__u16 frame_len;	/* Ethernet header included */
	__u16 ipv6;		/* UDP/IPv6: addresses fd00::<the IPv4 one> */
};

/* bench_via_entry's pieces of a pcn forwarder ("via" in .rodata) */
#define VIA_TAIL	1	/* an entry program tail-calls the cube */
#define VIA_MD		2	/* metadata handed over in a per-CPU map */
#define VIA_COUNT	4	/* rx and tx counted per port, per CPU */
#define VIA_LOOKUP	8	/* the port's action and the out port read */

struct bench_counters {
	__u64 packets;
	__u64 bytes;
};

#endif /* __PCN_BENCH_H */
