/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Transparent cubes: cubes without ports (firewall, NAT, monitor, ...)
 * that sit on a packet's way at an attachment point, in a chosen order.
 * The order is a stack, from the outermost (first) to the innermost
 * (last), and mirrors: packets meet it first to last on the way in,
 * last to first on the way out (chain_walk()).
 *
 * At a port, the ingress chain runs before the cube, the egress chain
 * after it, before the peer. On an interface no port owns, the ingress
 * chain runs on what the interface receives and ends in the host stack;
 * the egress chain (tc only: XDP has no egress hook) on what it sends,
 * the host's own traffic included. Attaching and detaching publish a new
 * chain record (chain.h), then write the chain into the patch panel as
 * a linked list, from its tail: a packet takes the old list or the new.
 * Cubes are never reloaded.
 *
 * Functions returning int return 0 (or a point id) or -errno; attaching
 * and detaching leave a reason.
 */
#ifndef __PCN_TRANSPARENT_H
#define __PCN_TRANSPARENT_H

#include <stdbool.h>
#include <stddef.h>
#include <net/if.h>
#include <linux/types.h>

#include "cube.h"

/* "ingress", "egress": by enum pcn_dir */
extern const char *const pcn_dir_names[2];

/* An attachment point as the user names it. */
struct where {
	bool dev;
	char ifname[IF_NAMESIZE];
	__u32 ifindex;			/* 0: the interface is gone */
	char cube[PCN_NAME_LEN];
	char port[PCN_NAME_LEN];
};

/* "dev IFNAME" or "port CUBE:PORT", in @buf. Return: @buf. */
const char *where_str(const struct where *w, char *buf, size_t len);

/* Where in a chain a cube goes. */
enum pos_kind { POS_LAST, POS_FIRST, POS_BEFORE, POS_AFTER };

/*
 * Is cube @name (that exists) transparent? Opens the state to read.
 * Return: true if so; false also if it cannot be opened.
 */
bool cube_is_transparent(const char *name);

/*
 * Attach transparent cube @t at @w in direction @dir, at position @k
 * (@rel: the cube it goes before or after).
 * Return: 0; -EEXIST if @t is already at a point in @dir; -ENOENT if
 * @w or @rel is not there; -EINVAL for a transparent @w or another
 * hook; -EOPNOTSUPP for XDP at an interface's egress; -EBUSY if a port
 * owns the interface; -ENOSPC for a full chain; -E2BIG over the
 * budget; another -errno; with the reason.
 */
struct port_hooks;

int transparent_attach(struct pcn_cube *t, const struct where *w, __u32 dir,
		       enum pos_kind k, const char *rel,
		       const struct port_hooks *h);

/*
 * Take @t out of the chain of point @id (@place names it for errors);
 * the last one out ends an interface's point.
 * Return: 0; -ENOENT if @t is not in that chain; another -errno; with
 * the reason.
 */
int transparent_detach(struct pcn_cube *t, __u32 id, const char *place,
		       const struct port_hooks *h);

/*
 * Detach @t from every point it is at.
 * Return: 0 or the first -errno, with its reason.
 */
int transparent_detach_all(struct pcn_cube *t, const struct port_hooks *h);

/*
 * Return: the point @w names in direction @dir, or -ENOENT (also when
 * it cannot be read).
 */
int point_of(const struct where *w, __u32 dir);
/* Return: the same, if its chain holds @t, else -ENOENT. */
int point_holding(const struct pcn_cube *t, const struct where *w, __u32 dir);

/* @fn for every point whose chain holds @t (at position @pos). */
typedef void (*point_fn)(const struct pcn_cube *t, __u32 id,
			 const struct pcn_point *pt, const struct pcn_chain *ch,
			 int pos, void *arg);
void for_each_point_of(const struct pcn_cube *t, point_fn fn, void *arg);

/*
 * Write the chain of point @id into the patch panel, from its tail; a
 * port's ingress is also what its peer's way out leads to: refreshed.
 * Return: 0 or -errno, no reason.
 */
int point_apply(__u32 id);

/*
 * Point the way out of port @port of @cube where its record says: its
 * egress chain applied again, or the peer's entry in its out slot.
 * Return: 0 (also if the cube or port is gone) or -errno, no reason.
 */
int port_out_refresh(const char *cube, const char *port);

/* The pin of an interface point's entry link, in @buf. */
void point_links_path(__u32 id, char *buf, size_t len);

/* The name of the cube in @slot of @mode's panel, for display. */
void slot_name(enum pcn_mode mode, __u32 slot, char *name);

#endif /* __PCN_TRANSPARENT_H */
