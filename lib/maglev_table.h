/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Building Maglev lookup tables (bpf/maglev.h has their shape and the
 * datapath's lookup). Any load balancer cube builds its tables here.
 */
#ifndef __PCN_MAGLEV_TABLE_H
#define __PCN_MAGLEV_TABLE_H

#include <linux/types.h>
#include "maglev.h"

#define PCN_MAGLEV_KEY_LEN	20

struct pcn_maglev_backend {
	/*
	 * What names the backend for as long as it lives (its address
	 * and port): its permutation follows from it, not from where it
	 * sits in a list, so a table rebuilt without another backend
	 * keeps most of its entries.
	 */
	__u8 key[PCN_MAGLEV_KEY_LEN];
	__u32 weight;			/* 0: no entry (drained) */
	__u16 id;			/* what its entries hold */
};

/* the largest weight: a table of PCN_MAGLEV_SIZE shares it out finely */
#define PCN_MAGLEV_WEIGHT_MAX	1000

/*
 * Fill @table (PCN_MAGLEV_SIZE entries) from the @n backends @b: each
 * takes, in turn, @weight entries at the next free places of its own
 * permutation, so backend i holds about weight_i / sum(weights) of the
 * table. With no weight at all, every entry is PCN_MAGLEV_NONE.
 * Return: 0; -EINVAL for a weight above PCN_MAGLEV_WEIGHT_MAX; -ENOMEM.
 */
int pcn_maglev_build(const struct pcn_maglev_backend *b, int n, __u16 *table);

/*
 * The same table in the chunks the datapath's inner map holds
 * (PCN_MAGLEV_CHUNKS of them, the tail of the last one NONE).
 */
void pcn_maglev_chunks(const __u16 *table, struct pcn_maglev_chunk *chunks);

#endif /* __PCN_MAGLEV_TABLE_H */
