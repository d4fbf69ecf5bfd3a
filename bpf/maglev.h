/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Maglev consistent hashing (Eisenbud et al., NSDI 2016), the part user
 * space and the datapath share: the table's shape and the flow hash.
 * lib/maglev.c builds a table; a load balancer's datapath looks a flow
 * up in it with pcn_maglev_slot().
 *
 * A table has PCN_MAGLEV_SIZE entries (a prime: every skip of a
 * backend's permutation is then coprime with it), each the index of a
 * backend, or PCN_MAGLEV_NONE. The datapath holds it as an array map of
 * PCN_MAGLEV_CHUNKS elements of PCN_MAGLEV_CHUNK entries: 2 bytes an
 * entry (the kernel rounds an array's values up to 8 bytes, so one
 * entry per element would take four times the memory), one lookup a
 * packet. A new table is built aside in a new inner map and put in its
 * service's slot of a map of maps with one write: a packet sees the old
 * table or the new one.
 */
#ifndef __PCN_MAGLEV_H
#define __PCN_MAGLEV_H

#include <linux/types.h>

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#define PCN_MAGLEV_SIZE		65537
#define PCN_MAGLEV_CHUNK	32
#define PCN_MAGLEV_CHUNKS	((PCN_MAGLEV_SIZE + PCN_MAGLEV_CHUNK - 1) / \
				 PCN_MAGLEV_CHUNK)
#define PCN_MAGLEV_NONE		0xffff

struct pcn_maglev_chunk {
	__u16 slot[PCN_MAGLEV_CHUNK];
};

/* One round of MurmurHash3 (x86_32) over the word @k. */
static __always_inline __u32 pcn_hash_round(__u32 h, __u32 k)
{
	k *= 0xcc9e2d51;
	k = (k << 15) | (k >> 17);
	k *= 0x1b873593;
	h ^= k;
	h = (h << 13) | (h >> 19);
	return h * 5 + 0xe6546b64;
}

/* MurmurHash3's finalizer: every input bit reaches every output bit. */
static __always_inline __u32 pcn_hash_final(__u32 h, __u32 len)
{
	h ^= len;
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	return h ^ (h >> 16);
}

/* The hash of @n words (n a constant: the loop unrolls). */
static __always_inline __u32 pcn_hash_words(const __u32 *w, int n, __u32 seed)
{
	__u32 h = seed;
	int i;

	for (i = 0; i < n; i++)
		h = pcn_hash_round(h, w[i]);
	return pcn_hash_final(h, n * 4);
}

/*
 * What a load balancer hashes a flow by: the client's address and
 * port, and the protocol. The service (VIP, port) is the same for every
 * flow of a table, so it adds nothing. Source affinity hashes the
 * address alone (port and proto 0).
 */
struct pcn_lb_flow {
	__u32 addr[4];			/* IPv4: the first word, the rest 0 */
	__u32 port_proto;		/* port << 8 | proto */
};

#define PCN_LB_HASH_SEED	0x5eed1b5u

static __always_inline __u32 pcn_lb_flow_hash(const struct pcn_lb_flow *f)
{
	return pcn_hash_words((const __u32 *)f, 5, PCN_LB_HASH_SEED);
}

/* The table entry a hash falls on: its chunk and its place in it. */
static __always_inline void pcn_maglev_slot(__u32 hash, __u32 *chunk,
					    __u32 *pos)
{
	__u32 e = hash % PCN_MAGLEV_SIZE;

	*chunk = e / PCN_MAGLEV_CHUNK;
	*pos = e % PCN_MAGLEV_CHUNK;
}

#endif /* __PCN_MAGLEV_H */
