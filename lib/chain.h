/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Attachment points and their chains of transparent cubes.
 *
 * A point is where packets can meet transparent cubes: the ingress or the
 * egress of a standard cube's port, or of an interface no port owns.
 * Packets enter a point by its entry slot in the patch panel, which holds
 * the first transparent cube they meet, or the standard cube when none
 * is attached at a port's ingress. Each transparent cube's "next" slot
 * holds what follows it: the chain is a linked list in the patch panel,
 * rewired one slot write at a time (see transparent.c). The list as the
 * user set it, the stack from first (outermost) to last, is a record in
 * the chains map, the canonical configuration; packets walk an egress
 * stack from last to first (chain_walk()).
 *
 * Functions returning int return 0 (or an id, a position) or -errno and
 * leave no reason; chain_find() alone returns -1 for none.
 */
#ifndef __PCN_CHAIN_H
#define __PCN_CHAIN_H

#include <stdbool.h>
#include <linux/types.h>

#include "pcn_shared.h"

/* Read the record of point @id. Return: 0 or -errno. */
int point_get(__u32 id, struct pcn_point *pt);
/* Write the record of point @id. Return: 0 or -errno. */
int point_put(__u32 id, const struct pcn_point *pt);
/*
 * All PCN_MAX_POINTS records, in one read where the kernel batches.
 * Return: 0 or -errno.
 */
int points_read_all(struct pcn_point *all);
/*
 * How many transparent cubes each point's chain holds, by point id
 * (@hops: PCN_MAX_POINTS of them; 0 for a free point or an empty chain),
 * in one read of the points and a lookup per chain.
 * Return: 0 or -errno.
 */
int points_hops(__u32 *hops);
/*
 * Take a free point for @pt; its id in *id.
 * Return: 0; -ENOSPC when every point is taken; another -errno.
 */
int point_alloc(const struct pcn_point *pt, __u32 *id);
/* Free point @id. Return: 0 or -errno. */
int point_release(__u32 id);
/*
 * The point of interface @ifindex in direction @dir, among @all.
 * Return: its id, or -ENOENT if none.
 */
int point_find_dev(const struct pcn_point *all, __u32 ifindex, __u32 dir);

/*
 * The chain in force at point @id (a port's ingress without a record:
 * straight into the cube).
 * Return: 0; -ENOENT if the point is free; another -errno.
 */
int point_chain(__u32 id, struct pcn_chain *ch);

#include "bpffs.h"

/* What chain_publish() overwrote, for a command that fails after it. */
struct chain_undo {
	__u32 rec;
	struct pcn_chain old;
	struct pcn_ns_meta meta;
};

/*
 * Make @ch the chain of point @id in the canonical configuration: a fresh
 * record, and the point switched to it. (The datapath follows the patch
 * panel: see transparent.c.) With @undo, remember what the record and
 * the cursor were.
 * Return: 0; -ENOSPC when no chain record is free; another -errno.
 */
int chain_store(__u32 id, const struct pcn_chain *ch, struct chain_undo *undo);
/* Put back the record and cursor (the point must no longer use it). */
void chain_undo(const struct chain_undo *undo);

/*
 * The cubes of @ch, a chain of direction @dir, in the order packets
 * meet them, in @walk: the stack order (hops[0], the first, is the
 * outermost) on the way in, the reverse on the way out, so that a stack mirrors, as netfilter's
 * hooks do: the outermost cube is the first a packet meets coming in
 * and the last going out.
 * Return: how many (ch->n, at most PCN_MAX_HOPS).
 */
__u32 chain_walk(const struct pcn_chain *ch, __u32 dir, __u32 *walk);

/* Where @slot is in @ch. Return: its position, or -1 (not -errno). */
int chain_find(const struct pcn_chain *ch, __u32 slot);
/*
 * Insert @slot at @pos (0..n; past n: at the end) / remove position
 * @pos (nothing if there is none).
 * Return: 0, or -ENOSPC when @ch is full.
 */
int chain_insert(struct pcn_chain *ch, __u32 pos, __u32 slot);
void chain_remove(struct pcn_chain *ch, __u32 pos);

#endif /* __PCN_CHAIN_H */
