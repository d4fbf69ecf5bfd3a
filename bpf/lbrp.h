/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lbrp cube (the reverse proxy): the records user space and the
 * datapath share. The services and backends are bpf/lb.h's.
 */
#ifndef __PCN_LBRP_H
#define __PCN_LBRP_H

#include <linux/types.h>
#include "lb.h"

#define LBRP_REPLIES_MAX	LB_FLOWS_MAX	/* lbrp_replies (LRU) */

/*
 * lbrp_replies: LRU hash, the packets a backend sends back on a
 * balanced flow (its address and port to the client's) -> the service
 * they must seem to come from. Entered when a client's packet is sent
 * to the backend.
 */
struct lbrp_reply_key {
	__u8 src[16];		/* the backend */
	__u8 dst[16];		/* the client */
	__u16 sport;		/* the backend's port, host order */
	__u16 dport;		/* the client's */
	__u8 proto;
	__u8 family;
	__u16 pad;
};

struct lbrp_reply {
	__u8 vip[16];
	__u16 port;		/* the service's, host order */
	__u16 pad;
	__u32 svc_id;
	__u32 backend;
};

/*
 * lbrp_frags: LRU hash, the fragmented replies of balanced flows: the
 * first fragment's backend, client, protocol and IP identification ->
 * the VIP the later ones (which have no ports) must come from too.
 */
#define LBRP_FRAGS_MAX		4096

struct lbrp_frag_key {
	__u8 src[16];		/* the backend */
	__u8 dst[16];		/* the client */
	__u32 id;		/* IPv4: 16 bits; IPv6: the fragment header's */
	__u8 proto;
	__u8 family;
	__u16 pad;
};

struct lbrp_frag {
	__u8 vip[16];
	__u32 svc_id;
	__u32 backend;
};

/* lbrp_stats[direction], per CPU (PCN_DIR_INGRESS, PCN_DIR_EGRESS) */
struct lbrp_stats {
	__u64 balanced;		/* to a VIP: sent to a backend */
	__u64 replied;		/* a backend's reply: from the VIP again */
	__u64 passed;		/* neither: unchanged */
	__u64 no_backend;	/* to a VIP: no service, or no backend */
	__u64 fragments;	/* ingress: later fragments to a VIP,
				 * dropped; egress: later fragments of a
				 * reply, from the VIP */
	__u64 icmp_errors;	/* ICMP errors about no balanced flow
				 * (to a VIP), or to someone else: dropped */
	__u64 bad_header;
	__u64 errors;		/* a rewrite that failed: dropped */
	__u64 icmp_translated;	/* ICMP errors about a balanced flow,
				 * their quote (and address) rewritten */
};

#endif /* __PCN_LBRP_H */
