/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Attachment points and their chains of transparent cubes.
 *
 * A point is where packets can meet transparent cubes: the ingress or the
 * egress of a standard cube's port, or of an interface no port owns.
 * Packets enter a point by its entry slot in the patch panel, which holds
 * the first transparent cube, or the standard cube when none is attached
 * at a port's ingress. Each transparent cube's "next" slot holds what
 * follows it: the chain is a linked list in the patch panel, rewired one
 * slot write at a time (see transparent.c). The list as the user set it
 * is a record in the chains map, the canonical configuration.
 */
#ifndef __PCN_CHAIN_H
#define __PCN_CHAIN_H

#include <stdbool.h>
#include <linux/types.h>

#include "pcn_shared.h"

int point_get(__u32 id, struct pcn_point *pt);
int point_put(__u32 id, const struct pcn_point *pt);
/* All PCN_MAX_POINTS records, in one read where the kernel batches. */
int points_read_all(struct pcn_point *all);
/* Take a free point for @pt; its id in *id. */
int point_alloc(const struct pcn_point *pt, __u32 *id);
int point_release(__u32 id);
/* The point of interface @ifindex in direction @dir, -ENOENT if none. */
int point_find_dev(const struct pcn_point *all, __u32 ifindex, __u32 dir);

int chain_get(__u32 rec, struct pcn_chain *ch);
/* The chain in force at point @id. */
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
 */
int chain_store(__u32 id, const struct pcn_chain *ch, struct chain_undo *undo);
/* Put back the record and cursor (the point must no longer use it). */
void chain_undo(const struct chain_undo *undo);

/* Put the program in panel slot @from also in slot @to. */
int panel_copy(enum pcn_mode mode, __u32 from, __u32 to);

/*
 * The slots of @mode's patch panel that the state of the netns gives an
 * owner to (cubes' ranges, ports' entry slots, interface points, the
 * finals while a chain can end in them), in @used[PCN_MAX_SLOTS].
 */
int slots_mark(enum pcn_mode mode, bool *used);
/* Empty the finals of @mode's panel if no chain can end in them. */
int finals_gc(enum pcn_mode mode);
/* @n consecutive free slots, the first in *base (nothing is written). */
int panel_alloc(enum pcn_mode mode, __u32 n, __u32 *base);

/* Position of @slot in @ch, or -1. */
int chain_find(const struct pcn_chain *ch, __u32 slot);
/* Insert @slot at @pos (0..n) / remove position @pos. */
int chain_insert(struct pcn_chain *ch, __u32 pos, __u32 slot);
void chain_remove(struct pcn_chain *ch, __u32 pos);

#endif /* __PCN_CHAIN_H */
