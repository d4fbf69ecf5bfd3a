/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ddos cube: what user space and the datapath share.
 *
 * The block list is kept twice in the datapath's LPM tries: generation 0
 * and 1 (set = gen * 2 + side, the first byte of every key, so that one
 * trie per family holds both generations of both sides). A change is
 * written into the generation not in use, then ddos_state.gen is switched
 * in one write: a packet reads the state once and looks up one
 * generation whole, the old list or the new, never a mix. Once no packet
 * can still be in the old generation, the same change is written there
 * too, so the next change again only writes its own difference.
 *
 * The canonical list is ddos_list (a hash: entry -> id): what "show"
 * and "save" read, and what a generation is rebuilt from when a change
 * was cut short (ddos_state.spare_ok 0). The id of an entry picks its
 * drop counter in ddos_hits.
 */
#ifndef __PCN_DDOS_H
#define __PCN_DDOS_H

#include <linux/types.h>

#define DDOS_MAX		(1 << 20)	/* list entries of a cube */
#define DDOS_SETS		4		/* 2 generations x 2 sides */
#define DDOS_BUCKETS		65536		/* sources rate-limited at once */
#define DDOS_LIMITS		8		/* limits per protocol and port */
#define DDOS_SYN_PORTS		8		/* port ranges of the SYN proxy */
#define DDOS_FLOWS		65536		/* connections it let through */

enum ddos_side {
	DDOS_SRC = 0,			/* the packet's source address */
	DDOS_DST = 1,
};

/* ddos_lpm4 / ddos_lpm6 keys: prefixlen = 8 (the set) + the prefix's */
struct ddos_lpm4_key {
	__u32 prefixlen;
	__u8 set;
	__u8 addr[4];
} __attribute__((packed));

struct ddos_lpm6_key {
	__u32 prefixlen;
	__u8 set;
	__u8 addr[16];
} __attribute__((packed));

/* ddos_list: BPF_MAP_TYPE_HASH, an entry of the list -> its id */
struct ddos_entry {
	__u8 family;			/* 4 or 6 */
	__u8 side;			/* enum ddos_side */
	__u8 plen;
	__u8 pad;
	__u8 addr[16];			/* IPv4 in the first 4; host bits 0 */
};

/* the lists a generation holds, in ddos_state.nonempty[gen] */
#define DDOS_HAS(family, side)	(1u << (((family) == 6) * 2 + (side)))

/*
 * A rate limit of one protocol, or of TCP/UDP to a range of destination
 * ports (dport_lo 0 and dport_hi 0: every port), per source: a packet
 * it matches takes tokens from the source's bucket of this limit, then
 * from the source's bucket of the cube's own limit if it has one. A
 * limit with ports comes before the one of its protocol without; no two
 * limits of a protocol have ports in common (user space sees to it).
 */
struct ddos_limit {
	__u8 proto;			/* IPPROTO_* as in the packet */
	__u8 pad;
	__u16 dport_lo;			/* host order */
	__u16 dport_hi;
	__u16 pad2;
	__u64 rate_pps;			/* 0: none */
	__u64 burst_pkts;
	__u64 rate_bps;			/* 0: none */
	__u64 burst_bytes;
};

/*
 * TCP destination ports (host order, lo to hi) whose SYNs the datapath
 * answers with a SYN cookie (bpf/ddos_syn.h): the SYN-ACK announces
 * @mss (IPv4; IPv6 20 less) and, to a client that offers window
 * scaling and timestamps, @wscale. No two ranges overlap.
 */
struct ddos_syn_range {
	__u16 lo;
	__u16 hi;
	__u16 mss;
	__u8 wscale;
	__u8 pad;
};

/*
 * ddos_state: BPF_MAP_TYPE_ARRAY, one entry: the generation in use and
 * the rate limits. Written whole, in one update.
 */
struct ddos_state {
	__u32 gen;			/* 0 or 1 */
	__u32 spare_ok;			/* the other generation = the list */
	__u32 nonempty[2];		/* [gen]: DDOS_HAS() bits */
	__u32 count;			/* entries of the list */
	__u32 next_id;			/* where the search for a free id starts */
	/* rate limit per source, 0: none */
	__u64 rate_pps;			/* packets per second */
	__u64 burst_pkts;
	__u64 rate_bps;			/* bytes per second */
	__u64 burst_bytes;
	__u32 plen4;			/* a source is an IPv4 /plen4 */
	__u32 plen6;			/* ... an IPv6 /plen6 */
	__u32 limits_used;		/* bit i: limits[i] is in force */
	__u32 pad;
	struct ddos_limit limits[DDOS_LIMITS];
	__u32 syn_used;			/* bit i: syn[i] is in force */
	__u32 pad3;
	struct ddos_syn_range syn[DDOS_SYN_PORTS];
};

/* ddos_buckets: BPF_MAP_TYPE_LRU_HASH, a source's token buckets */
struct ddos_bucket_key {
	__u8 family;
	__u8 limit;			/* 0: the cube's; i + 1: limits[i] */
	__u8 pad[2];
	__u8 addr[16];			/* masked to plen4 / plen6 */
};

struct ddos_bucket {
	__u64 stamp_ns;			/* last refill */
	__u64 pkt_tokens;		/* packets * 1e9 */
	__u64 byte_tokens;		/* bytes * 1e9 */
	__u64 dropped;
	/* packets of the source this bucket met first: a packet under a
	 * limit per protocol counts on that limit's bucket only, so the
	 * sum over a source's buckets is what it sent */
	__u64 packets;
};

/* ddos_hits: BPF_MAP_TYPE_ARRAY by id: packets an entry dropped */
struct ddos_hit {
	__u64 packets;
	__u64 bytes;
};

/* ddos_stats: BPF_MAP_TYPE_PERCPU_ARRAY, one entry per direction */
struct ddos_stats {
	__u64 packets;			/* seen */
	__u64 passed;
	__u64 list;			/* dropped by the block list */
	__u64 rate;			/* dropped by the rate limit */
	__u64 malformed;		/* dropped: cut short or wrong */
	__u64 sources;			/* new sources in ddos_buckets */
	__u64 syn;			/* SYNs answered with a cookie */
	__u64 cookie_ok;		/* ACKs with a valid cookie: passed */
	__u64 cookie_bad;		/* dropped: not a SYN, no valid cookie,
					 * not of a connection let through */
};

/*
 * ddos_flows: BPF_MAP_TYPE_LRU_HASH, the connections to a protected
 * port whose handshake ended with a valid cookie: their packets pass
 */
struct ddos_flow_key {
	__u8 family;
	__u8 pad;
	__u16 sport;			/* network order */
	__u16 dport;
	__u16 pad2;
	__u8 src[16];
	__u8 dst[16];
};

/*
 * ddos_limit_stats: BPF_MAP_TYPE_PERCPU_ARRAY, one entry per limit slot:
 * what it matched and dropped since it was set
 */
struct ddos_limit_stat {
	__u64 packets;
	__u64 dropped;
};

#endif /* __PCN_DDOS_H */
