// SPDX-License-Identifier: GPL-2.0
/* Ports of standard cubes: connected, and disconnected (port.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "attach.h"
#include "bpffs.h"
#include "chain.h"
#include "error.h"
#include "graph.h"
#include "netlink.h"
#include "panel.h"
#include "port.h"
#include "utils.h"

void port_link_path(const struct pcn_cube *c, const char *port, char *buf,
		    size_t size)
{
	snprintf(buf, size, "%s/link_%s", c->dir, port);
}

/* XDP: port @idx redirects to @ifindex (0: to nothing). */
static int devmap_set(struct pcn_cube *c, __u32 idx, __u32 ifindex)
{
	int fd, err;

	if (c->meta.mode == PCN_MODE_TC)
		return 0;
	fd = cube_obj_fd(c, "pcn_devmap");
	if (fd < 0)
		return -errno;
	if (ifindex)
		err = bpf_map_update_elem(fd, &idx, &ifindex, BPF_ANY);
	else
		err = bpf_map_delete_elem(fd, &idx) && errno != ENOENT;
	err = err ? -errno : 0;
	close(fd);
	return err;
}

static int zero_stats_and_devmap(struct pcn_cube *c, __u32 idx, __u32 ifindex)
{
	int err = cube_stats_reset(c, idx);

	return err ?: devmap_set(c, idx, ifindex);
}

/*
 * A new port's ingress point: a patch-panel slot holding the cube and a
 * point without a chain record (nothing is attached there yet). Fills
 * the port record's own fields; the caller adds the peer and writes it.
 * Undone by port_remove(), which puts the maps back as they were.
 */
static int port_create(struct pcn_cube *c, __u32 idx, const char *name,
		       struct pcn_port *rec)
{
	struct pcn_point pt = {
		.rec = PCN_REC_NONE,
		.kind = PCN_POINT_PORT,
		.dir = PCN_DIR_INGRESS,
		.mode = c->meta.mode,
		.cube_slot = c->meta.slot,
		.port_idx = idx,
	};
	__u32 slot, point;
	int err;

	err = panel_alloc(c->meta.mode, 1, &slot);
	if (err)
		return err;
	err = panel_copy(c->meta.mode, c->meta.slot, slot);
	if (err)
		goto err_slot;
	pt.entry_slot = slot;
	name_copy(pt.cube, c->name);
	name_copy(pt.port, name);
	err = point_alloc(&pt, &point);
	if (err)
		goto err_slot;
	memset(rec, 0, sizeof(*rec));
	name_copy(rec->name, name);
	rec->in_slot = slot;
	rec->in_point = point;
	rec->eg_chain = 0;
	rec->eg_point = PCN_POINT_NONE;
	return 0;
err_slot:
	panel_clear(c->meta.mode, slot);
	return err;
}

static int hook_added(const struct port_hooks *h, struct pcn_cube *c,
		      __u32 idx, const struct pcn_port *p)
{
	return h && h->added ? h->added(c, idx, p) : 0;
}

int port_hook_changed(const struct port_hooks *h, struct pcn_cube *c,
		      __u32 idx, const struct pcn_port *was,
		      const struct pcn_port *p)
{
	return h && h->changed ? h->changed(c, idx, was, p) : 0;
}

/* A new port's hook, or a port's that was there, connected to nothing. */
static int hook_made(const struct port_hooks *h, struct pcn_cube *c,
		     __u32 idx, const struct pcn_port *old,
		     const struct pcn_port *p)
{
	return old ? port_hook_changed(h, c, idx, old, p)
		   : hook_added(h, c, idx, p);
}

int port_remove(struct pcn_cube *c, __u32 idx, const struct port_hooks *h)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	struct pcn_port p;
	int err;

	err = cube_ports_read(c, ports);
	if (err)
		return err;
	p = ports[idx];
	if (h && h->removed)
		err = h->removed(c, idx);
	/* the commit: the cube forgets the port */
	if (!err)
		err = cube_port_clear(c, idx);
	if (!err)
		err = zero_stats_and_devmap(c, idx, 0);
	if (err || !p.name[0])
		return err;
	if (p.eg_point != PCN_POINT_NONE)
		point_release(p.eg_point);
	panel_clear(c->meta.mode, meta_out_slot(&c->meta, idx));
	point_release(p.in_point);
	panel_clear(c->meta.mode, p.in_slot);
	return 0;
}

int port_unlinked(struct pcn_cube *c, int idx, const struct pcn_port *p,
		  const struct port_hooks *h)
{
	struct pcn_port rec = *p;
	int err;

	rec.peer = PCN_PEER_NONE;
	rec.ifindex = 0;
	rec.attach = PCN_ATTACH_NONE;
	rec.peer_slot = 0;
	rec.peer_port = 0;
	rec.peer_point = 0;
	memset(rec.peer_name, 0, sizeof(rec.peer_name));
	memset(rec.peer_port_name, 0, sizeof(rec.peer_port_name));
	/* what goes out of it is dropped from here on */
	err = cube_port_write(c, idx, &rec);
	if (!err)
		err = devmap_set(c, idx, 0);
	if (!err && rec.eg_point == PCN_POINT_NONE)
		err = panel_clear(c->meta.mode, meta_out_slot(&c->meta, idx));
	if (!err)
		err = port_hook_changed(h, c, idx, p, &rec);
	return err;
}

/* The port of a cube of this netns on an interface (by index or name). */
struct iface_port {
	int ifindex;			/* 0: match the recorded name */
	const char *ifname;
	char cube[PCN_NAME_LEN];
	char port[PCN_NAME_LEN];
};

static int iface_port_cb(struct pcn_cube *c, void *arg)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	struct iface_port *ip = arg;
	int j;

	if (cube_ports_read(c, ports))
		return 0;
	for (j = 0; j < PCN_MAX_PORTS; j++) {
		const struct pcn_port *p = &ports[j];

		if (!p->name[0] || p->peer != PCN_PEER_IFACE)
			continue;
		if (ip->ifindex ? (int)p->ifindex == ip->ifindex
				: !strncmp(p->peer_name, ip->ifname,
					   PCN_NAME_LEN)) {
			name_copy(ip->cube, c->name);
			name_copy(ip->port, p->name);
			return 1;
		}
	}
	return 0;
}

int iface_in_use(int ifindex, const char *ifname, bool chains)
{
	static struct pcn_point all[PCN_MAX_POINTS];
	struct iface_port ip = { .ifindex = ifindex };

	if (cube_for_each(NULL, iface_port_cb, &ip) == 1)
		return pcn_fail(-EBUSY,
				"interface \"%s\" is already connected to %s:%s",
				ifname, ip.cube, ip.port);
	/* its way out may have them: a port takes the way in only */
	if (chains && !points_read_all(all) &&
	    point_find_dev(all, ifindex, PCN_DIR_INGRESS) >= 0)
		return pcn_fail(-EBUSY,
				"interface \"%s\" has transparent cubes attached on its way in: detach them first, or attach them to the port",
				ifname);
	return 0;
}

bool iface_recorded(const char *ifname)
{
	static struct pcn_point all[PCN_MAX_POINTS];
	struct iface_port ip = { .ifname = ifname };
	int i;

	if (cube_for_each(NULL, iface_port_cb, &ip) == 1)
		return true;
	if (points_read_all(all))
		return false;
	for (i = 0; i < PCN_MAX_POINTS; i++)
		if (all[i].kind == PCN_POINT_DEV &&
		    !strncmp(all[i].ifname, ifname, PCN_NAME_LEN))
			return true;
	return false;
}

int port_find_by_dev(const char *ifname, char *cube, char *port)
{
	struct iface_port ip = { .ifname = ifname };
	struct nl_link ifc;

	/* the interface may be gone: then match the name recorded */
	if (!nl_link_get(ifname, 0, &ifc))
		ip.ifindex = ifc.ifindex;
	if (cube_for_each(NULL, iface_port_cb, &ip) != 1)
		return -ENOENT;
	name_copy(cube, ip.cube);
	name_copy(port, ip.port);
	return 0;
}

/*
 * A free port index at @from or after, with no port named @port yet;
 * with @old, port @port itself if it is connected to nothing (its
 * record in *@old, else old->name[0] is 0).
 */
static int port_slot(struct pcn_cube *c, const struct pcn_port *ports,
		     const char *port, int from, int *slot,
		     struct pcn_port *old)
{
	int idx = cube_port_find(ports, c->meta.max_ports, port);

	if (old)
		memset(old, 0, sizeof(*old));
	if (idx >= 0 && old && ports[idx].peer == PCN_PEER_NONE) {
		*old = ports[idx];
		*slot = idx;
		return 0;
	}
	if (idx >= 0)
		return pcn_fail(-EEXIST, "port %s:%s exists (connected to %s%s%s)",
				c->name, port, ports[idx].peer_name,
				ports[idx].peer == PCN_PEER_CUBE ? ":" : "",
				ports[idx].peer == PCN_PEER_CUBE
					? ports[idx].peer_port_name
					: "");
	for (idx = from; idx < (int)c->meta.max_ports; idx++)
		if (!ports[idx].name[0]) {
			*slot = idx;
			return 0;
		}
	return pcn_fail(-ENOSPC, "cube \"%s\" has no free port (at most %u)",
			c->name, c->meta.max_ports);
}

static int port_free_check(struct pcn_cube *c, const char *port, int from,
			   int *idx, struct pcn_port *old)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	int err;

	err = cube_ports_read(c, ports);
	if (err)
		return pcn_fail_sys(err, "cannot read ports of \"%s\"", c->name);
	return port_slot(c, ports, port, from, idx, old);
}

struct endpoints {
	const char *a, *pa, *b, *pb;
};

static int add_iface_change(struct graph *g, void *arg)
{
	const struct endpoints *e = arg;

	return graph_add_iface(g, e->a, e->pa);
}

static int add_peer_change(struct graph *g, void *arg)
{
	const struct endpoints *e = arg;

	return graph_add_peer(g, e->a, e->pa, e->b, e->pb);
}

/*
 * Connect port @port (index @idx) of @c to @ifc: a new one, or with
 * @old (old->name set) one connected to nothing, which keeps its
 * settings and counters. The link's pin is the commit point.
 */
static int connect_dev(struct pcn_cube *c, const char *port, int idx,
		       const struct nl_link *ifc, const struct pcn_port *old,
		       const struct port_hooks *h)
{
	struct pcn_intent intent = { .op = PCN_INTENT_LINK_ADD };
	enum pcn_attach how = PCN_ATTACH_NONE;
	int prog_fd = -1, link_fd = -1, err;
	char path[PATH_MAX], what[2 * PCN_NAME_LEN + 1];
	struct pcn_port rec = {};
	struct pcn_stage stage;
	bool made = false;

	if (!old->name[0])
		old = NULL;
	snprintf(what, sizeof(what), "%s:%s", c->name, port);
	if (old)
		intent.op = PCN_INTENT_PORT_SET;
	intent.mode = c->meta.mode;
	intent.slot = c->meta.slot;
	intent.port = idx;
	intent.ifindex = ifc->ifindex;
	name_copy(intent.cube, c->name);
	name_copy(intent.port_name, port);
	err = pcn_stage_begin(&stage, &intent);
	if (err)
		return pcn_fail_sys(err, "cannot stage the link");

	if (old) {
		rec = *old;
	} else {
		err = port_create(c, idx, port, &rec);
		if (err) {
			err = pcn_fail_sys(err, "cannot make port %s", what);
			goto undo;
		}
		made = true;
	}
	prog_fd = port_prog_load(c->meta.mode, rec.in_slot, idx);
	if (prog_fd < 0) {
		err = pcn_fail_sys(prog_fd, "cannot load the entry program of %s",
				   what);
		goto undo;
	}
	err = port_attach(c->meta.mode, ifc->ifindex, false, prog_fd, port,
			  &link_fd, &how);
	if (err) {
		err = attach_fail(what, ifc->name, c->meta.mode, err);
		goto undo;
	}
	pcn_fault_point("link-add-attached");

	rec.peer = PCN_PEER_IFACE;
	rec.ifindex = ifc->ifindex;
	rec.attach = how;
	name_copy(rec.peer_name, ifc->name);
	err = old ? devmap_set(c, idx, ifc->ifindex)
		  : zero_stats_and_devmap(c, idx, ifc->ifindex);
	if (!err)
		err = cube_port_write(c, idx, &rec);
	if (!err)
		err = hook_made(h, c, idx, old, &rec);
	if (err) {
		err = pcn_fail_sys(err, "cannot write port %s", what);
		goto undo;
	}
	pcn_fault_point("link-add-port");

	/* the commit point; for clsact the entry program stands for a link */
	port_link_path(c, port, path, sizeof(path));
	if (bpf_obj_pin(link_fd >= 0 ? link_fd : prog_fd, path)) {
		err = pcn_fail_sys(-errno, "cannot pin %s", path);
		goto undo;
	}
	pcn_fault_point("link-add-pinned");
	err = 0;
	goto out;
undo:
	if (how == PCN_ATTACH_CLSACT)
		port_detach_nolink(how, ifc->ifindex, false);
	if (made) {
		cube_port_write(c, idx, &rec);
		port_remove(c, idx, h);
	} else if (old) {
		devmap_set(c, idx, 0);
		cube_port_write(c, idx, old);
		port_hook_changed(h, c, idx, &rec, old);
	}
out:
	if (link_fd >= 0)
		close(link_fd);
	if (prog_fd >= 0)
		close(prog_fd);
	pcn_stage_end(&stage);
	return err;
}

int port_connect_dev(struct pcn_cube *c, const char *port,
		     const struct nl_link *ifc, const struct port_hooks *h)
{
	struct endpoints e = { c->name, port, NULL, NULL };
	struct pcn_port old;
	char what[80];
	int idx, err;

	if (!c->meta.max_ports)
		return pcn_fail(-EINVAL,
				"cube \"%s\" is transparent: it has no port %s",
				c->name, port);
	err = iface_in_use(ifc->ifindex, ifc->name, true);
	/* a free port first: the graph has no room for a 65th */
	if (!err)
		err = port_free_check(c, port, 0, &idx, &old);
	if (err)
		return err;
	/* a new way in: the paths from it must fit the budget too */
	snprintf(what, sizeof(what), "connect %s:%s to %s", c->name, port,
		 ifc->name);
	err = budget_check(what, add_iface_change, &e);
	return err ? err : connect_dev(c, port, idx, ifc, &old, h);
}

/* Check a peer link before anything is made: kinds, modes, the budget. */
static int peer_check(struct pcn_cube *a, const char *pa, struct pcn_cube *b,
		      const char *pb)
{
	struct endpoints e = { a->name, pa, b->name, pb };
	char what[80];

	if (!a->meta.max_ports || !b->meta.max_ports)
		return pcn_fail(-EINVAL,
				"cube \"%s\" is transparent: attach it with \"pcn link add %s port %s:%s\"",
				a->meta.max_ports ? b->name : a->name,
				a->meta.max_ports ? b->name : a->name,
				a->meta.max_ports ? a->name : b->name,
				a->meta.max_ports ? pa : pb);
	if (!mode_same_hook(a->meta.mode, b->meta.mode))
		return pcn_fail(-EINVAL,
				"%s (mode %s) and %s (mode %s) run at different hooks: a link joins cubes that are both XDP or both tc",
				a->name, mode_name(a->meta.mode), b->name,
				mode_name(b->meta.mode));
	snprintf(what, sizeof(what), "link %s:%s to %s:%s", a->name, pa,
		 b->name, pb);
	return budget_check(what, add_peer_change, &e);
}

static void peer_fill(struct pcn_port *rec, const struct pcn_cube *peer,
		      const struct pcn_port *peer_rec, __u32 peer_idx)
{
	rec->peer = PCN_PEER_CUBE;
	rec->peer_slot = peer_rec->in_slot;
	rec->peer_point = peer_rec->in_point;
	rec->peer_port = peer_idx;
	name_copy(rec->peer_name, peer->name);
	name_copy(rec->peer_port_name, peer_rec->name);
}

int port_connect_peer(struct pcn_cube *a, const char *pa, struct pcn_cube *b,
		      const char *pb, const struct port_hooks *h)
{
	struct pcn_intent intent = { .op = PCN_INTENT_PEER_ADD };
	struct pcn_port rec_a = {}, rec_b = {}, old_a = {}, old_b = {};
	struct pcn_stage stage;
	bool made_a = false, made_b = false;
	int ia = -1, ib = -1, err = 0;

	/* free ports first (or ports connected to nothing): the graph has
	 * no room for a 65th */
	if (a->meta.max_ports && b->meta.max_ports) {
		err = port_free_check(a, pa, 0, &ia, &old_a);
		/* the same cube on both ends: two ports, two indexes */
		if (!err)
			err = port_free_check(b, pb,
					      strcmp(a->name, b->name) ? 0 : ia + 1,
					      &ib, &old_b);
		if (!err && !strcmp(a->name, b->name) && ia == ib)
			err = pcn_fail(-EINVAL, "a port cannot be its own peer");
	}
	if (!err)
		err = peer_check(a, pa, b, pb);
	if (err)
		return err;

	/* a port there before stays if the link is not made */
	if (old_a.name[0] || old_b.name[0])
		intent.op = PCN_INTENT_PORT_SET;
	intent.mode = a->meta.mode;
	intent.port = ia;
	intent.port2 = ib;
	name_copy(intent.cube, a->name);
	name_copy(intent.port_name, pa);
	name_copy(intent.cube2, b->name);
	name_copy(intent.port2_name, pb);
	err = pcn_stage_begin(&stage, &intent);
	if (err)
		return pcn_fail_sys(err, "cannot stage the link");
	if (old_b.name[0]) {
		rec_b = old_b;
	} else {
		err = port_create(b, ib, pb, &rec_b);
		made_b = !err;
	}
	if (!err && old_a.name[0]) {
		rec_a = old_a;
	} else if (!err) {
		err = port_create(a, ia, pa, &rec_a);
		made_a = !err;
	}
	if (err) {
		err = pcn_fail_sys(err, "cannot make the ports");
		goto undo;
	}
	peer_fill(&rec_b, a, &rec_a, ia);
	peer_fill(&rec_a, b, &rec_b, ib);
	/* each way out leads into the other's entry (through transparent
	 * cubes there: port_out_refresh() points them, until then what
	 * goes through them ends in a drop) */
	if (rec_b.eg_point == PCN_POINT_NONE)
		err = panel_copy(b->meta.mode, rec_a.in_slot,
				 meta_out_slot(&b->meta, ib));
	if (!err && rec_a.eg_point == PCN_POINT_NONE)
		err = panel_copy(a->meta.mode, rec_b.in_slot,
				 meta_out_slot(&a->meta, ia));
	if (!err && made_b)
		err = cube_stats_reset(b, ib);
	if (!err && made_a)
		err = cube_stats_reset(a, ia);
	if (!err)
		err = cube_port_write(b, ib, &rec_b);
	if (!err)
		err = hook_made(h, b, ib, made_b ? NULL : &old_b, &rec_b);
	pcn_fault_point("peer-add-half");
	/* the commit point */
	if (!err)
		err = cube_port_write(a, ia, &rec_a);
	if (!err)
		err = hook_made(h, a, ia, made_a ? NULL : &old_a, &rec_a);
	if (err) {
		err = pcn_fail_sys(err, "cannot write the ports");
		goto undo;
	}
	pcn_stage_end(&stage);
	return 0;
undo:
	if (made_b) {
		cube_port_write(b, ib, &rec_b);
		port_remove(b, ib, h);
	} else if (old_b.name[0]) {
		port_unlinked(b, ib, &rec_b, h);
	}
	if (made_a) {
		cube_port_write(a, ia, &rec_a);
		port_remove(a, ia, h);
	} else if (old_a.name[0]) {
		port_unlinked(a, ia, &rec_a, h);
	}
	pcn_stage_end(&stage);
	return err;
}

/* The intent of a change to port @idx (record @p) of @c, and its peer. */
static void port_intent(struct pcn_intent *in, enum pcn_intent_op op,
			const struct pcn_cube *c, int idx,
			const struct pcn_port *p)
{
	memset(in, 0, sizeof(*in));
	in->op = op;
	in->mode = c->meta.mode;
	in->slot = c->meta.slot;
	in->port = idx;
	name_copy(in->cube, c->name);
	name_copy(in->port_name, p->name);
	if (p->peer == PCN_PEER_IFACE)
		in->ifindex = p->ifindex;
	if (p->peer == PCN_PEER_CUBE) {
		name_copy(in->cube2, p->peer_name);
		name_copy(in->port2_name, p->peer_port_name);
		in->port2 = p->peer_port;
	}
}

typedef int (*end_fn)(struct pcn_cube *c, int idx, const struct pcn_port *p,
		      const struct port_hooks *h);

/* @fn on the other end of @c's link @p, if it still leads back to @c. */
static int peer_end(const struct pcn_cube *c, const struct pcn_port *p,
		    end_fn fn, const struct port_hooks *h)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	struct pcn_cube other;
	int err = 0, j;

	if (cube_open(p->peer_name, &other))
		return 0;
	if (!cube_ports_read(&other, ports)) {
		j = cube_port_find(ports, PCN_MAX_PORTS, p->peer_port_name);
		if (j >= 0 && ports[j].peer == PCN_PEER_CUBE &&
		    !strncmp(ports[j].peer_name, c->name, PCN_NAME_LEN))
			err = fn(&other, j, &ports[j], h);
	}
	cube_close(&other);
	return err;
}

static int end_remove(struct pcn_cube *c, int idx, const struct pcn_port *p,
		      const struct port_hooks *h)
{
	return port_remove(c, idx, h);
}

static int dev_disconnect(struct pcn_cube *c, int idx, const struct pcn_port *p,
			  const struct port_hooks *h)
{
	char src[PATH_MAX], dst[PATH_MAX];
	struct pcn_intent intent;
	struct pcn_stage stage;
	int err;

	port_intent(&intent, PCN_INTENT_LINK_DEL, c, idx, p);
	err = pcn_stage_begin(&stage, &intent);
	if (err)
		return pcn_fail_sys(err, "cannot stage the link");

	/* the commit point: the pin leaves the cube */
	port_link_path(c, p->name, src, sizeof(src));
	snprintf(dst, sizeof(dst), "%s/link", stage.path);
	if (rename(src, dst) && errno != ENOENT) {
		err = pcn_fail_sys(-errno, "cannot unpin %s", src);
		pcn_stage_end(&stage);
		return err;
	}
	pcn_fault_point("link-del-unpinned");
	port_detach_nolink(p->attach, p->ifindex, false);
	err = port_remove(c, idx, h);
	pcn_stage_end(&stage);
	if (err)
		return pcn_fail_sys(err, "cannot remove port %s:%s", c->name,
				    p->name);
	return 0;
}

/* Both ends of a link between cubes go; @c's end first (the commit). */
static int peer_disconnect(struct pcn_cube *c, int idx,
			   const struct pcn_port *p, const struct port_hooks *h)
{
	struct pcn_intent intent;
	struct pcn_stage stage;
	int err;

	port_intent(&intent, PCN_INTENT_PEER_DEL, c, idx, p);
	err = pcn_stage_begin(&stage, &intent);
	if (err)
		return pcn_fail_sys(err, "cannot stage the link");
	err = port_remove(c, idx, h);
	pcn_fault_point("peer-del-half");
	if (!err)
		err = peer_end(c, p, end_remove, h);
	pcn_stage_end(&stage);
	if (err)
		return pcn_fail_sys(err, "cannot remove the link %s:%s",
				    c->name, p->name);
	return 0;
}

int port_disconnect(struct pcn_cube *c, int idx, const struct pcn_port *p,
		    const struct port_hooks *h)
{
	if (p->peer == PCN_PEER_CUBE)
		return peer_disconnect(c, idx, p, h);
	return dev_disconnect(c, idx, p, h);
}

int port_add(struct pcn_cube *c, const char *port,
	     const struct port_hooks *h)
{
	struct pcn_intent intent = { .op = PCN_INTENT_PORT_SET };
	struct pcn_port rec;
	struct pcn_stage stage;
	int idx, err;

	if (!c->meta.max_ports)
		return pcn_fail(-EINVAL,
				"cube \"%s\" is transparent: it has no port %s",
				c->name, port);
	err = port_free_check(c, port, 0, &idx, NULL);
	if (err)
		return err;
	intent.mode = c->meta.mode;
	intent.port = idx;
	name_copy(intent.cube, c->name);
	name_copy(intent.port_name, port);
	err = pcn_stage_begin(&stage, &intent);
	if (err)
		return pcn_fail_sys(err, "cannot stage the port");
	err = port_create(c, idx, port, &rec);
	if (!err)
		err = cube_stats_reset(c, idx);
	if (!err)
		err = hook_added(h, c, idx, &rec);
	/* the commit point; before it the port is nothing (the sweep
	 * collects its slot and point) */
	if (!err)
		err = cube_port_write(c, idx, &rec);
	if (err) {
		cube_port_write(c, idx, &rec);
		port_remove(c, idx, h);
		err = pcn_fail_sys(err, "cannot make port %s:%s", c->name, port);
	}
	pcn_stage_end(&stage);
	return err;
}

int port_unset(struct pcn_cube *c, int idx, const struct pcn_port *p,
	       const struct port_hooks *h)
{
	char src[PATH_MAX], dst[PATH_MAX];
	struct pcn_intent intent;
	struct pcn_stage stage;
	int err;

	if (p->peer == PCN_PEER_NONE)
		return 0;
	port_intent(&intent, PCN_INTENT_PORT_SET, c, idx, p);
	err = pcn_stage_begin(&stage, &intent);
	if (err)
		return pcn_fail_sys(err, "cannot stage the change");
	if (p->peer == PCN_PEER_IFACE) {
		/* the commit point: the pin leaves the cube */
		port_link_path(c, p->name, src, sizeof(src));
		snprintf(dst, sizeof(dst), "%s/link", stage.path);
		if (rename(src, dst) && errno != ENOENT) {
			err = pcn_fail_sys(-errno, "cannot unpin %s", src);
			goto out;
		}
		port_detach_nolink(p->attach, p->ifindex, false);
		err = port_unlinked(c, idx, p, h);
		goto out;
	}
	/* the commit point: this end first */
	err = port_unlinked(c, idx, p, h);
	pcn_fault_point("peer-unset-half");
	if (!err)
		err = peer_end(c, p, port_unlinked, h);
out:
	pcn_stage_end(&stage);
	if (err && !pcn_reason(err))
		err = pcn_fail_sys(err, "cannot disconnect %s:%s", c->name,
				   p->name);
	return err;
}

void cube_detach_dir(const char *cube_dir)
{
	struct pcn_cube c = { .ports_fd = -1, .stats_fd = -1 };
	struct pcn_port ports[PCN_MAX_PORTS];
	char path[PATH_MAX];
	int i;

	snprintf(c.dir, sizeof(c.dir), "%s", cube_dir);
	c.ports_fd = cube_obj_fd(&c, "pcn_ports");
	if (c.ports_fd < 0 || cube_ports_read(&c, ports))
		goto out;
	for (i = 0; i < PCN_MAX_PORTS; i++) {
		if (!ports[i].name[0])
			continue;
		snprintf(path, sizeof(path), "%s/link_%s", cube_dir,
			 ports[i].name);
		unlink(path);
		port_detach_nolink(ports[i].attach, ports[i].ifindex, false);
	}
out:
	cube_close(&c);
}
