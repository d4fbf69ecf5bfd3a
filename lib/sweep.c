// SPDX-License-Identifier: GPL-2.0
/*
 * Finish or undo the mutations of killed pcn runs (see sweep.h), then
 * collect what nothing refers to any more: patch-panel slots and
 * attachment points.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "attach.h"
#include "bpffs.h"
#include "chain.h"
#include "cube.h"
#include "panel.h"
#include "port.h"
#include "sweep.h"
#include "transparent.h"
#include "utils.h"

static bool link_pinned(const struct pcn_intent *in)
{
	char path[PATH_MAX];

	pcn_ns_path(path, sizeof(path), "cubes/%s/link_%s", in->cube,
		    in->port_name);
	return pcn_path_exists(path);
}

/* Remove port @port (at index @idx) of @cube if it is still there. */
static void port_undo(const char *cube, const char *port, __u32 idx,
		      const struct port_hooks *h)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	struct pcn_cube c;
	int i;

	if (cube_open(cube, &c))
		return;
	if (!cube_ports_read(&c, ports)) {
		i = cube_port_find(ports, PCN_MAX_PORTS, port);
		if (i >= 0 && (__u32)i == idx)
			port_remove(&c, i, h);
	}
	cube_close(&c);
}

/* Does port @port of @cube exist, connected to @peer (any if NULL)? */
static bool port_there(const char *cube, const char *port, const char *peer)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	struct pcn_cube c;
	bool there = false;
	int i;

	if (cube_open(cube, &c))
		return false;
	if (!cube_ports_read(&c, ports)) {
		i = cube_port_find(ports, PCN_MAX_PORTS, port);
		there = i >= 0 &&
			(!peer || !strncmp(ports[i].peer_name, peer, PCN_NAME_LEN));
	}
	cube_close(&c);
	return there;
}

static bool cube_owns_slot(const struct pcn_intent *in)
{
	struct pcn_cube c;
	bool owns;

	if (cube_open(in->cube, &c))
		return false;
	owns = c.meta.slot == in->slot && c.meta.mode == in->mode;
	cube_close(&c);
	return owns;
}

/*
 * A port kept while its peer changed: connected to an interface only if
 * its link was pinned, to a cube only if both ends say so; else left
 * connected to nothing.
 */
static void port_set_undo(const struct pcn_intent *in,
			  const struct port_hooks *h)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	struct pcn_cube c;
	int i;

	if (in->ifindex && in->mode == PCN_MODE_TC && !link_pinned(in))
		port_detach_nolink(PCN_ATTACH_CLSACT, in->ifindex, false);
	if (cube_open(in->cube, &c))
		return;
	if (!cube_ports_read(&c, ports)) {
		i = cube_port_find(ports, PCN_MAX_PORTS, in->port_name);
		if (i >= 0 && ports[i].peer == PCN_PEER_IFACE &&
		    ports[i].ifindex == in->ifindex && !link_pinned(in))
			port_unlinked(&c, i, &ports[i], h);
	}
	cube_close(&c);
	/* the other end of a link half made or half undone */
	if (in->cube2[0] &&
	    !port_there(in->cube, in->port_name, in->cube2) &&
	    !cube_open(in->cube2, &c)) {
		if (!cube_ports_read(&c, ports)) {
			i = cube_port_find(ports, PCN_MAX_PORTS,
					   in->port2_name);
			if (i >= 0 && ports[i].peer == PCN_PEER_CUBE &&
			    !strncmp(ports[i].peer_name, in->cube,
				     PCN_NAME_LEN))
				port_unlinked(&c, i, &ports[i], h);
		}
		cube_close(&c);
	}
}

struct sweep {
	const struct port_hooks *h;
	int found;
};

static int sweep_one(const char *stage, void *arg)
{
	struct sweep *sw = arg;
	struct pcn_intent in;
	char path[PATH_MAX];

	sw->found++;
	if (pcn_intent_read(stage, &in) == 0) {
		switch (in.op) {
		case PCN_INTENT_CUBE_ADD:
			if (!cube_owns_slot(&in))
				panel_clear_range(in.mode, in.slot, in.port);
			break;
		case PCN_INTENT_CUBE_DEL:
			snprintf(path, sizeof(path), "%s/cube", stage);
			if (pcn_path_exists(path)) {
				cube_detach_dir(path);
				if (in.slot != PCN_SLOT_NONE)
					panel_clear_range(in.mode, in.slot,
							  in.port);
			}
			break;
		case PCN_INTENT_LINK_ADD:
		case PCN_INTENT_LINK_DEL:
			if (link_pinned(&in))
				break;
			/* clsact has no link to die with the process */
			if (in.mode == PCN_MODE_TC && in.ifindex)
				port_detach_nolink(PCN_ATTACH_CLSACT,
						   in.ifindex, false);
			port_undo(in.cube, in.port_name, in.port, sw->h);
			break;
		case PCN_INTENT_PEER_ADD:
		case PCN_INTENT_PEER_DEL:
			/* the first end is the commit: without it, no link */
			if (!port_there(in.cube, in.port_name, in.cube2) &&
			    port_there(in.cube2, in.port2_name, in.cube))
				port_undo(in.cube2, in.port2_name, in.port2,
					  sw->h);
			break;
		case PCN_INTENT_PORT_SET:
			port_set_undo(&in, sw->h);
			break;
		case PCN_INTENT_CHAIN:
			/* the record is the truth: write it into the panel */
			if (in.point != PCN_POINT_NONE)
				point_apply(in.point);
			break;
		}
	}
	/* unpinning what is left detaches and frees it */
	pcn_rmtree(stage);
	return 0;
}

int pcn_sweep(const struct port_hooks *h)
{
	struct sweep sw = { .h = h };
	int err;

	err = pcn_fault_err("sweep");
	if (!err)
		err = pcn_for_each_stage(sweep_one, &sw);
	if (!err && sw.found)
		err = pcn_gc();
	return err;
}

/* Is point @id, of kind PORT, still the in or eg point of its port? */
static bool port_point_alive(__u32 id, const struct pcn_point *pt)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	struct pcn_cube c;
	bool alive = false;
	int i;

	if (cube_open(pt->cube, &c))
		return false;
	if (!cube_ports_read(&c, ports)) {
		i = cube_port_find(ports, PCN_MAX_PORTS, pt->port);
		alive = i >= 0 &&
			(ports[i].in_point == id || ports[i].eg_point == id);
	}
	cube_close(&c);
	return alive;
}

/* Empty the slots of @mode's panel that hold a program and no owner. */
static int panel_gc(enum pcn_mode mode)
{
	static bool used[PCN_MAX_SLOTS];
	__u32 i;
	int err;

	err = slots_mark(mode, used);
	for (i = 0; i < PCN_MAX_SLOTS && !err; i++)
		if (!used[i] && panel_prog_id(mode, i))
			panel_clear(mode, i);
	return err;
}

int pcn_gc(void)
{
	static struct pcn_point all[PCN_MAX_POINTS];
	char path[PATH_MAX];
	int i, err;

	err = points_read_all(all);
	if (err)
		return err;
	for (i = 0; i < PCN_MAX_POINTS; i++) {
		const struct pcn_point *pt = &all[i];
		bool alive;

		if (pt->kind == PCN_POINT_PORT) {
			alive = port_point_alive(i, pt);
		} else if (pt->kind == PCN_POINT_DEV) {
			pcn_ns_path(path, sizeof(path), "links/point%d", i);
			alive = pcn_path_exists(path);
			if (!alive)
				port_detach_nolink(pt->attach, pt->ifindex,
						   pt->dir == PCN_DIR_EGRESS);
		} else {
			continue;
		}
		if (!alive)
			point_release(i);
	}
	err = panel_gc(PCN_MODE_XDP);
	if (!err)
		err = panel_gc(PCN_MODE_TC);
	return err;
}
