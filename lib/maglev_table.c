// SPDX-License-Identifier: GPL-2.0
/*
 * Maglev lookup tables. Each backend has a permutation of the table's
 * entries, (offset + j * skip) mod M, from two hashes of its key; the
 * backends take turns, each the next free entries of its permutation,
 * until the table is full. A backend removed frees its entries, which
 * the others' permutations share out; the entries of the others mostly
 * stay where they were (the paper's measure, and test_maglev's).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "maglev_table.h"

#define SEED_OFFSET	0x243f6a88u
#define SEED_SKIP	0x85a308d3u

static __u32 key_hash(const __u8 *key, __u32 seed)
{
	__u32 w[PCN_MAGLEV_KEY_LEN / 4];

	memcpy(w, key, sizeof(w));
	return pcn_hash_words(w, PCN_MAGLEV_KEY_LEN / 4, seed);
}

int pcn_maglev_build(const struct pcn_maglev_backend *b, int n, __u16 *table)
{
	const __u64 m = PCN_MAGLEV_SIZE;
	__u64 *offset, *skip, *next;
	__u64 filled = 0, total = 0;
	int i;
	__u32 k;

	for (i = 0; i < (int)m; i++)
		table[i] = PCN_MAGLEV_NONE;
	for (i = 0; i < n; i++) {
		if (b[i].weight > PCN_MAGLEV_WEIGHT_MAX)
			return -EINVAL;
		total += b[i].weight;
	}
	if (!total)
		return 0;
	offset = calloc(3 * n, sizeof(*offset));
	if (!offset)
		return -ENOMEM;
	skip = offset + n;
	next = skip + n;
	for (i = 0; i < n; i++) {
		offset[i] = key_hash(b[i].key, SEED_OFFSET) % m;
		skip[i] = key_hash(b[i].key, SEED_SKIP) % (m - 1) + 1;
	}
	while (filled < m) {
		for (i = 0; i < n && filled < m; i++) {
			for (k = 0; k < b[i].weight && filled < m; k++) {
				__u64 e;

				/* m is prime: the permutation reaches all */
				do {
					e = (offset[i] + next[i] * skip[i]) % m;
					next[i]++;
				} while (table[e] != PCN_MAGLEV_NONE);
				table[e] = b[i].id;
				filled++;
			}
		}
	}
	free(offset);
	return 0;
}

void pcn_maglev_chunks(const __u16 *table, struct pcn_maglev_chunk *chunks)
{
	__u32 i;

	for (i = 0; i < PCN_MAGLEV_CHUNKS * PCN_MAGLEV_CHUNK; i++)
		chunks[i / PCN_MAGLEV_CHUNK].slot[i % PCN_MAGLEV_CHUNK] =
			i < PCN_MAGLEV_SIZE ? table[i] : PCN_MAGLEV_NONE;
}
