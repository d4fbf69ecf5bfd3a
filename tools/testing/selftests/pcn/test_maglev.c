// SPDX-License-Identifier: GPL-2.0
/*
 * Maglev tables (lib/maglev_table.c) and the flow hash the datapath
 * uses (bpf/maglev.h): how evenly a table is shared out, by weight,
 * and how many flows move when a backend goes or comes (the
 * disruption), measured on 100,000 simulated flows.
 *
 * The bounds are the documented ones (pcn-backend(8)): a backend's
 * share within 1% of its weight's share of the table; a backend removed
 * or added moves its own flows and at most 2% of the others on top.
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "harness.h"
#include "maglev_table.h"

#define FLOWS 100000

static __u16 table_a[PCN_MAGLEV_SIZE], table_b[PCN_MAGLEV_SIZE];
static __u16 flow_a[FLOWS];

/* backend i: 10.0.1.(i+1) port 80 */
static void backends(struct pcn_maglev_backend *b, int n)
{
	int i;

	memset(b, 0, n * sizeof(*b));
	for (i = 0; i < n; i++) {
		__be32 a = htonl(0x0a000101 + i);

		memcpy(b[i].key, &a, 4);
		b[i].key[16] = 0;
		b[i].key[17] = 80;
		b[i].weight = 1;
		b[i].id = 100 + i;
	}
}

/* a reproducible stream of clients: xorshift32 */
static __u32 rnd_state = 2463534242u;

static __u32 rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

static __u16 lookup(const __u16 *table, __u32 i)
{
	struct pcn_lb_flow f = {};
	__u32 saved = rnd_state;
	struct pcn_maglev_chunk c[1];
	__u32 chunk, pos;

	/* flow i: the same client each time it is asked for */
	rnd_state = 0x9e3779b9u * (i + 1);
	f.addr[0] = htonl(0xc0a80000 | (rnd() & 0xffff));
	f.port_proto = ((1024 + rnd() % 64000) << 8) | 6;
	rnd_state = saved;
	pcn_maglev_slot(pcn_lb_flow_hash(&f), &chunk, &pos);
	memcpy(c[0].slot, table + chunk * PCN_MAGLEV_CHUNK,
	       (chunk == PCN_MAGLEV_CHUNKS - 1 ?
		PCN_MAGLEV_SIZE % PCN_MAGLEV_CHUNK : PCN_MAGLEV_CHUNK) * 2);
	return c[0].slot[pos];
}

static void share(const __u16 *table, __u16 id0, int n, __u32 *count)
{
	int i;

	memset(count, 0, n * sizeof(*count));
	for (i = 0; i < PCN_MAGLEV_SIZE; i++)
		if (table[i] >= id0 && table[i] < id0 + n)
			count[table[i] - id0]++;
}

TEST(even_share)
{
	struct pcn_maglev_backend b[10];
	__u32 count[10], sum = 0;
	int i;

	backends(b, 10);
	ASSERT_EQ(0, pcn_maglev_build(b, 10, table_a));
	share(table_a, 100, 10, count);
	for (i = 0; i < 10; i++) {
		/* within 1% of the table of a tenth */
		EXPECT_GE(PCN_MAGLEV_SIZE / 100, abs((int)count[i] - PCN_MAGLEV_SIZE / 10));
		sum += count[i];
	}
	EXPECT_EQ(PCN_MAGLEV_SIZE, sum);
}

TEST(weights)
{
	struct pcn_maglev_backend b[3];
	__u32 count[3];
	int i;

	backends(b, 3);
	b[0].weight = 1;
	b[1].weight = 2;
	b[2].weight = 3;
	ASSERT_EQ(0, pcn_maglev_build(b, 3, table_a));
	share(table_a, 100, 3, count);
	for (i = 0; i < 3; i++) {
		int want = PCN_MAGLEV_SIZE * (i + 1) / 6;

		TH_LOG("weight %d: %u entries (%d for its share)", i + 1,
		       count[i], want);
		EXPECT_GE(PCN_MAGLEV_SIZE / 100, abs((int)count[i] - want));
	}
	/* a drained backend has no entry, the others all of them */
	b[1].weight = 0;
	ASSERT_EQ(0, pcn_maglev_build(b, 3, table_a));
	share(table_a, 100, 3, count);
	EXPECT_EQ(0, count[1]);
	EXPECT_EQ(PCN_MAGLEV_SIZE, count[0] + count[2]);
	/* out of range; nothing at all */
	b[0].weight = PCN_MAGLEV_WEIGHT_MAX + 1;
	EXPECT_EQ(-EINVAL, pcn_maglev_build(b, 3, table_a));
	b[0].weight = b[2].weight = 0;
	ASSERT_EQ(0, pcn_maglev_build(b, 3, table_a));
	for (i = 0; i < PCN_MAGLEV_SIZE; i++)
		if (table_a[i] != PCN_MAGLEV_NONE)
			break;
	EXPECT_EQ(PCN_MAGLEV_SIZE, i);
}

/*
 * Flows that change backend between @a and @b: those of backend
 * @gone (removed) must, the others should not; the excess is those.
 */
static void disruption(const __u16 *a, const __u16 *b, __u16 gone,
		       __u32 *moved_own, __u32 *moved_other, __u32 *own)
{
	__u32 i;

	*moved_own = *moved_other = *own = 0;
	for (i = 0; i < FLOWS; i++) {
		__u16 x = lookup(a, i), y = lookup(b, i);

		if (x == gone)
			(*own)++;
		if (x == y)
			continue;
		if (x == gone || y == gone)
			(*moved_own)++;
		else
			(*moved_other)++;
	}
}

TEST(remove_one_of_ten)
{
	struct pcn_maglev_backend b[10];
	__u32 own, moved_own, moved_other, i;

	backends(b, 10);
	ASSERT_EQ(0, pcn_maglev_build(b, 10, table_a));
	for (i = 0; i < FLOWS; i++)
		flow_a[i] = lookup(table_a, i);
	/* backend 105 goes: the list without it */
	memmove(&b[5], &b[6], 4 * sizeof(b[0]));
	ASSERT_EQ(0, pcn_maglev_build(b, 9, table_b));
	disruption(table_a, table_b, 105, &moved_own, &moved_other, &own);
	TH_LOG("remove 1 of 10: %u of %d flows were on it (1/N = %d), %u others moved: excess %.3f%% of all flows",
	       own, FLOWS, FLOWS / 10, moved_other,
	       100.0 * moved_other / FLOWS);
	/* every flow of the removed backend moved, and only where it must */
	EXPECT_EQ(own, moved_own);
	EXPECT_GE(FLOWS / 100, abs((int)own - FLOWS / 10));
	EXPECT_GE(FLOWS * 2 / 100, moved_other);
	for (i = 0; i < FLOWS; i++)
		if (flow_a[i] != lookup(table_a, i))
			break;
	EXPECT_EQ(FLOWS, i);	/* the lookup is a function of the flow */
}

TEST(add_one_to_nine)
{
	struct pcn_maglev_backend b[10];
	__u32 own, moved_own, moved_other;

	backends(b, 10);
	ASSERT_EQ(0, pcn_maglev_build(b, 9, table_a));
	ASSERT_EQ(0, pcn_maglev_build(b, 10, table_b));
	/* the flows that move to the new one, against those that move between others */
	disruption(table_b, table_a, 109, &moved_own, &moved_other, &own);
	TH_LOG("add 1 to 9: %u of %d flows go to it, %u others moved: excess %.3f%%",
	       own, FLOWS, moved_other, 100.0 * moved_other / FLOWS);
	EXPECT_EQ(own, moved_own);
	EXPECT_GE(FLOWS * 2 / 100, moved_other);
}

TEST_HARNESS_MAIN
