/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ports of standard cubes: made when they are connected, to an
 * interface or to a port of another cube, and gone when disconnected.
 *
 * A port on an interface has its entry program attached there as a
 * bpf_link pinned at cubes/CUBE/link_PORT: that pin is the commit point
 * of the connection, and removing it detaches. A link between two cubes
 * is their port records naming each other; the first cube's record is
 * written last and is the commit point. Each step is staged with an
 * intent record (bpffs.h), so that the sweep finishes or undoes what a
 * killed pcn left. Nothing here reloads a cube: wiring is map updates.
 * Functions returning int return 0 or -errno; iface_in_use() and those
 * that connect or disconnect leave a reason.
 */
#ifndef __PCN_PORT_H
#define __PCN_PORT_H

#include <stdbool.h>
#include <linux/types.h>

#include "cube.h"

struct nl_link;

/*
 * What a cube's type does when one of its ports is made or goes. The
 * engine calls them; the command layer answers from its registry of
 * types (and may leave either NULL).
 */
struct port_hooks {
	/* a port was made (record written, not yet committed) */
	int (*added)(struct pcn_cube *c, __u32 idx, const struct pcn_port *p);
	/* a port goes away: drop the type's state that refers to it */
	int (*removed)(struct pcn_cube *c, __u32 idx);
	/* the port's record changed from @was to @p (committed): its
	 * peer, or the transparent cubes on its way out (p->eg_chain) */
	int (*changed)(struct pcn_cube *c, __u32 idx,
		       const struct pcn_port *was, const struct pcn_port *p);
};

/* Call @h's changed hook, if it has one. Return: its result, or 0. */
int port_hook_changed(const struct port_hooks *h, struct pcn_cube *c,
		      __u32 idx, const struct pcn_port *was,
		      const struct pcn_port *p);


/*
 * Interface @ifindex is taken by a port of a cube, or (with @chains) by
 * transparent cubes.
 * Return: 0 if it is free (or the state cannot be read); -EBUSY with
 * the reason.
 */
int iface_in_use(int ifindex, const char *ifname, bool chains);

/*
 * Is interface @ifname named by a port or a point (perhaps gone since)?
 * Return: true if so; false also when the state cannot be read.
 */
bool iface_recorded(const char *ifname);

/*
 * The port connected to interface @ifname (by its index if it exists,
 * else by the name recorded): its cube and name.
 * Return: 0, or -ENOENT (also when the cubes cannot be read); no
 * reason.
 */
int port_find_by_dev(const char *ifname, char *cube, char *port);

/*
 * Connect port @port of @c to interface @ifc: a new port, or one
 * connected to nothing (which keeps its settings and counters);
 * checked against the graph's budget, made, its entry program attached
 * and pinned.
 * Return: 0; -EINVAL if @c is transparent; -EBUSY if @ifc is taken;
 * -EEXIST if @c has a port @port connected; -ENOSPC if it has no free
 * one; -ELOOP or -E2BIG over the budget; another -errno; with the
 * reason.
 */
int port_connect_dev(struct pcn_cube *c, const char *port,
		     const struct nl_link *ifc, const struct port_hooks *h);

/*
 * Link port @pa of @a with port @pb of @b, each new or connected to
 * nothing: checked (standard cubes of one hook family, the budget),
 * made, the way out of each leading into the other.
 * Return: 0; -EEXIST if a port exists; -ENOSPC if a cube has no free
 * one; -EINVAL for a transparent cube or cubes at different hooks;
 * -ELOOP or -E2BIG over the budget; another -errno; with the reason.
 */
int port_connect_peer(struct pcn_cube *a, const char *pa, struct pcn_cube *b,
		      const char *pb, const struct port_hooks *h);

/*
 * Make port @port of @c, connected to nothing: what it sends is
 * dropped until it is connected (port_connect_dev/peer()).
 * Return: 0; -EINVAL if @c is transparent; -EEXIST if it has a port
 * @port; -ENOSPC if it has no free one; another -errno; with the
 * reason.
 */
int port_add(struct pcn_cube *c, const char *port,
	     const struct port_hooks *h);

/*
 * Disconnect port @idx of @c (record @p) and keep it, connected to
 * nothing, with its settings and counters: from its interface, or from
 * its peer cube's port (which stays too).
 * Return: 0 or -errno, with the reason.
 */
int port_unset(struct pcn_cube *c, int idx, const struct pcn_port *p,
	       const struct port_hooks *h);

/*
 * Write port @idx of @c (record @p) as connected to nothing: no
 * devmap entry, an empty way out (unless transparent cubes sit there),
 * the type told. Return: 0 or -errno, no reason.
 */
int port_unlinked(struct pcn_cube *c, int idx, const struct pcn_port *p,
		  const struct port_hooks *h);

/*
 * Disconnect port @idx of @c (record @p): from its interface, or both
 * ends of a link between cubes.
 * Return: 0 or -errno, with the reason.
 */
int port_disconnect(struct pcn_cube *c, int idx, const struct pcn_port *p,
		    const struct port_hooks *h);

/*
 * Remove a port: the type's state, the record (the commit), its
 * attachment points and slots, the devmap entry.
 * Return: 0 or -errno (also what @h->removed returned), no reason.
 */
int port_remove(struct pcn_cube *c, __u32 idx, const struct port_hooks *h);

/* What a cube pinned in @dir (being deleted, or damaged) left attached. */
void cube_detach_dir(const char *dir);

/* The pin of port @port's bpf_link, in @buf. */
void port_link_path(const struct pcn_cube *c, const char *port, char *buf,
		    size_t size);

#endif /* __PCN_PORT_H */
