// SPDX-License-Identifier: GPL-2.0
/*
 * Transparent cubes at their attachment points: the chains, written
 * into the patch panel as linked lists, rewired one slot write at a
 * time (see transparent.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <bpf/bpf.h>

#include "attach.h"
#include "bpffs.h"
#include "chain.h"
#include "error.h"
#include "graph.h"
#include "netlink.h"
#include "panel.h"
#include "port.h"
#include "transparent.h"
#include "utils.h"

const char *const pcn_dir_names[2] = { "ingress", "egress" };

const char *where_str(const struct where *w, char *buf, size_t len)
{
	if (w->dev)
		snprintf(buf, len, "dev %s", w->ifname);
	else
		snprintf(buf, len, "port %s:%s", w->cube, w->port);
	return buf;
}

bool cube_is_transparent(const char *name)
{
	struct pcn_cube c;
	bool t;

	if (pcn_state_open(PCN_READ) || cube_open(name, &c))
		return false;
	t = c.meta.max_ports == 0;
	cube_close(&c);
	return t;
}

void point_links_path(__u32 id, char *buf, size_t len)
{
	pcn_ns_path(buf, len, "links/point%u", id);
}

/* The cube name in @slot of @mode's patch panel, for display. */
void slot_name(enum pcn_mode mode, __u32 slot, char *name)
{
	char **names;
	int n, i;

	snprintf(name, PCN_NAME_LEN, "slot%u", slot);
	if (cube_names(&names, &n))
		return;
	for (i = 0; i < n; i++) {
		struct pcn_cube c;

		if (cube_open(names[i], &c))
			continue;
		if (c.meta.slot == slot && mode_same_hook(c.meta.mode, mode))
			name_copy(name, c.name);
		cube_close(&c);
	}
	cube_names_free(names, n);
}

/* Where in @ch a new hop goes: *@pos. Return: 0, or -ENOENT and why. */
static int chain_position(const struct pcn_chain *ch, enum pos_kind k,
			  const char *rel, const char *place, int *pos)
{
	struct pcn_cube r;
	int i;

	if (k == POS_FIRST) {
		*pos = 0;
		return 0;
	}
	if (k == POS_LAST) {
		*pos = ch->n;
		return 0;
	}
	if (cube_open(rel, &r))
		return pcn_fail(-ENOENT, "cube \"%s\" does not exist", rel);
	i = chain_find(ch, r.meta.slot);
	cube_close(&r);
	if (i < 0)
		return pcn_fail(-ENOENT, "cube \"%s\" is not attached to %s",
				rel, place);
	*pos = k == POS_BEFORE ? i : i + 1;
	return 0;
}

/* The slot a point's chain ends in: the cube, the peer, or a final. */
static int point_final(const struct pcn_point *pt, __u32 *final,
		       struct pcn_port *port_rec, int *port_idx)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	struct pcn_cube c;
	int i, err;

	*port_idx = -1;
	if (pt->kind == PCN_POINT_DEV) {
		*final = PCN_SLOT_PASS;
		return 0;
	}
	err = cube_open(pt->cube, &c);
	if (err)
		return err;
	err = cube_ports_read(&c, ports);
	i = err ? -1 : cube_port_find(ports, PCN_MAX_PORTS, pt->port);
	if (i >= 0) {
		*port_rec = ports[i];
		*port_idx = i;
		if (pt->dir == PCN_DIR_INGRESS)
			*final = c.meta.slot;
		else if (ports[i].peer == PCN_PEER_CUBE)
			*final = ports[i].peer_slot;
		else
			*final = PCN_SLOT_TX;
	}
	cube_close(&c);
	return err ? err : i < 0 ? -ENOENT : 0;
}


/*
 * Write the chain of point @id into the patch panel as a linked list,
 * in the order packets walk it (chain_walk(): an egress stack is walked
 * from its last cube to its first), from its tail: each transparent cube's next slot gets what follows it,
 * then the point's entry slot gets the first. Slots that are already
 * right are rewritten unchanged; the one write that changes what is
 * reachable is the switch, so a packet takes the old list or the new.
 * A port's ingress is also what its peer's way out leads to: that is
 * refreshed last.
 */
int point_apply(__u32 id)
{
	__u32 final, from, dir, walk[PCN_MAX_HOPS];
	struct pcn_port rec;
	struct pcn_point pt;
	struct pcn_chain ch;
	int err, i, n, idx;

	err = point_get(id, &pt);
	if (!err)
		err = point_chain(id, &ch);
	if (!err)
		err = point_final(&pt, &final, &rec, &idx);
	/* also what a transparent cube's probe needs (slots_mark()) */
	if (!err && (ch.n || final == PCN_SLOT_PASS || final == PCN_SLOT_TX))
		err = finals_ensure(pt.mode);
	if (err)
		return err;
	dir = pt.dir & 1;
	n = (int)chain_walk(&ch, dir, walk);
	for (i = n - 1; i >= 0 && !err; i--) {
		from = i == n - 1 ? final : walk[i + 1] + dir;
		err = panel_copy(pt.mode, from, walk[i] + 2 + dir);
		pcn_fault_point("chain-half-applied");
	}
	if (!err)
		err = panel_copy(pt.mode, n ? walk[0] + dir : final,
				 pt.entry_slot);
	if (err || pt.kind != PCN_POINT_PORT || pt.dir != PCN_DIR_INGRESS ||
	    rec.peer != PCN_PEER_CUBE)
		return err;
	return port_out_refresh(rec.peer_name, rec.peer_port_name);
}

int port_out_refresh(const char *cube, const char *port)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	struct pcn_cube c;
	int i, err;

	err = cube_open(cube, &c);
	if (err)
		return err == -ENOENT ? 0 : err;
	err = cube_ports_read(&c, ports);
	i = err ? -1 : cube_port_find(ports, PCN_MAX_PORTS, port);
	if (i >= 0 && ports[i].eg_point != PCN_POINT_NONE)
		err = point_apply(ports[i].eg_point);
	else if (i >= 0 && ports[i].peer == PCN_PEER_CUBE)
		err = panel_copy(c.meta.mode, ports[i].peer_slot,
				 meta_out_slot(&c.meta, i));
	cube_close(&c);
	return err;
}

static int store_apply(__u32 id, const struct pcn_chain *ch,
		       struct chain_undo *undo)
{
	int err = chain_store(id, ch, undo);

	if (!err)
		err = point_apply(id);
	return err ? pcn_fail_sys(err, "cannot write the chain") : 0;
}

/*
 * A new point on an interface: an entry slot, the point, its chain [t]
 * ending in the host, and an entry program attached to the interface,
 * pinned at links/point<id> (the commit point).
 */
static int dev_point_create(struct pcn_cube *t, const struct where *w,
			    __u32 dir)
{
	struct pcn_point pt = {
		.rec = PCN_REC_NONE,
		.kind = PCN_POINT_DEV,
		.dir = dir,
		.mode = t->meta.mode,
		.ifindex = w->ifindex,
	};
	struct pcn_chain ch = {
		.n = 1,
		.dir = dir,
		.final = PCN_FINAL_HOST,
		.hops = { t->meta.slot },
	};
	enum pcn_attach how = PCN_ATTACH_NONE;
	int prog_fd = -1, link_fd = -1, err;
	struct chain_undo cu;
	char path[PATH_MAX];
	__u32 slot, id;

	err = panel_alloc(t->meta.mode, 1, &slot);
	if (err)
		return pcn_fail_sys(err, "no free patch-panel slot");
	pt.entry_slot = slot;
	name_copy(pt.ifname, w->ifname);
	err = point_alloc(&pt, &id);
	if (err)
		return pcn_fail_sys(err, "no free attachment point");
	err = store_apply(id, &ch, &cu);
	if (err) {
		point_release(id);
		panel_clear(t->meta.mode, slot);
		return err;
	}
	prog_fd = port_prog_load(t->meta.mode, slot, 0);
	if (prog_fd < 0) {
		err = pcn_fail_sys(prog_fd, "cannot load the entry program");
		goto undo;
	}
	err = port_attach(t->meta.mode, w->ifindex, dir == PCN_DIR_EGRESS,
			  prog_fd, t->name, &link_fd, &how);
	if (err) {
		err = attach_fail(t->name, w->ifname, t->meta.mode, err);
		goto undo;
	}
	/* how it is attached, for a later detach (clsact has no link) */
	err = point_get(id, &pt);
	pt.attach = how;
	if (!err)
		err = point_put(id, &pt);
	pcn_fault_point("attach-dev-attached");
	point_links_path(id, path, sizeof(path));
	if (!err && bpf_obj_pin(link_fd >= 0 ? link_fd : prog_fd, path))
		err = -errno;
	if (err) {
		err = pcn_fail_sys(err, "cannot pin %s", path);
		goto undo;
	}
	goto out;
undo:
	port_detach_nolink(how, w->ifindex, dir == PCN_DIR_EGRESS);
	point_release(id);
	chain_undo(&cu);
	panel_clear(t->meta.mode, slot);
	panel_clear(t->meta.mode, meta_next_slot(&t->meta, dir));
out:
	if (link_fd >= 0)
		close(link_fd);
	if (prog_fd >= 0)
		close(prog_fd);
	return err;
}

/*
 * The chain a port's egress point starts with: [t], then the peer. Its
 * entry is the port's out slot; the commit point is the port record
 * saying that the way out goes through it.
 */
static int eg_point_create(struct pcn_cube *c, int idx,
			   const struct pcn_port *p, struct pcn_cube *t,
			   const struct port_hooks *h)
{
	struct pcn_point pt = {
		.rec = PCN_REC_NONE,
		.kind = PCN_POINT_PORT,
		.dir = PCN_DIR_EGRESS,
		.mode = c->meta.mode,
		.entry_slot = meta_out_slot(&c->meta, idx),
	};
	struct pcn_chain ch = {
		.n = 1,
		.dir = PCN_DIR_EGRESS,
		.hops = { t->meta.slot },
	};
	struct pcn_port rec = *p;
	struct chain_undo cu;
	__u32 id;
	int err;

	if (p->peer == PCN_PEER_IFACE) {
		ch.final = PCN_FINAL_IFACE;
		ch.final_ifindex = p->ifindex;
	} else {
		ch.final = PCN_FINAL_CUBE;
		ch.final_slot = p->peer_slot;
		ch.final_port = p->peer_port;
		ch.final_point = p->peer_point;
	}
	name_copy(pt.cube, c->name);
	name_copy(pt.port, p->name);
	err = point_alloc(&pt, &id);
	if (err)
		return pcn_fail_sys(err, "no free attachment point");
	/* the port record first: point_apply() reads the port's peer */
	rec.eg_point = id;
	err = cube_port_write(c, idx, &rec);
	if (!err)
		err = store_apply(id, &ch, &cu);
	else
		err = pcn_fail_sys(err, "cannot write port %s:%s", c->name,
				   p->name);
	/* the commit point: an interface port now sends through the chain */
	rec.eg_chain = 1;
	if (!err)
		err = cube_port_write(c, idx, &rec);
	if (!err)
		err = port_hook_changed(h, c, idx, p, &rec);
	if (err && !pcn_reason(err))
		err = pcn_fail_sys(err, "cannot write port %s:%s", c->name,
				   p->name);
	if (err) {
		cube_port_write(c, idx, p);
		port_hook_changed(h, c, idx, &rec, p);
		point_release(id);
		chain_undo(&cu);
		/* a cube peer: its way out goes straight to the peer again */
		if (p->peer == PCN_PEER_CUBE)
			panel_copy(c->meta.mode, p->peer_slot,
				   meta_out_slot(&c->meta, idx));
	}
	return err;
}

static int publish(enum pcn_mode mode, __u32 id, const struct pcn_chain *ch)
{
	return store_apply(id, ch, NULL);
}

static int stage(struct pcn_stage *st, struct pcn_cube *t, __u32 point)
{
	struct pcn_intent in = {
		.op = PCN_INTENT_CHAIN,
		.mode = t->meta.mode,
		.slot = t->meta.slot,
		.point = point,
	};
	int err;

	name_copy(in.cube, t->name);
	err = pcn_stage_begin(st, &in);
	return err ? pcn_fail_sys(err, "cannot stage the change") : 0;
}

struct hop_change {
	const struct where *w;
	__u32 dir;
};

static int add_hop_change(struct graph *g, void *arg)
{
	const struct hop_change *hc = arg;

	return graph_add_hops(g, hc->w->cube, hc->w->port,
			      hc->dir == PCN_DIR_EGRESS, 1);
}

struct placed {
	__u32 dir;
	int id;
	char where[64];
};

static void placed_cb(const struct pcn_cube *t, __u32 id,
		      const struct pcn_point *pt, const struct pcn_chain *ch,
		      int pos, void *arg)
{
	struct placed *p = arg;

	if (pt->dir != p->dir)
		return;
	p->id = id;
	if (pt->kind == PCN_POINT_DEV)
		snprintf(p->where, sizeof(p->where), "dev %s", pt->ifname);
	else
		snprintf(p->where, sizeof(p->where), "port %s:%s", pt->cube,
			 pt->port);
}

int transparent_attach(struct pcn_cube *t, const struct where *w, __u32 dir,
		       enum pos_kind k, const char *rel,
		       const struct port_hooks *h)
{
	static struct pcn_point all[PCN_MAX_POINTS];
	struct pcn_port ports[PCN_MAX_PORTS];
	char place[64], why[1024];
	struct pcn_stage st;
	struct pcn_chain ch;
	struct pcn_cube c;
	__u32 id = PCN_POINT_NONE;
	int err, pos = 0, idx = -1;
	enum pcn_mode mode;

	snprintf(place, sizeof(place), "%s %s",
		 where_str(w, why, sizeof(why)), pcn_dir_names[dir]);
	/* its next slot for a direction is its own: one place each way */
	{
		struct placed pl = { .dir = dir, .id = -1 };

		for_each_point_of(t, placed_cb, &pl);
		if (pl.id >= 0)
			return pcn_fail(-EEXIST,
					"cube \"%s\" is already attached to %s %s (a transparent cube sits at one place each way)",
					t->name, pl.where, pcn_dir_names[dir]);
	}
	if (w->dev) {
		err = points_read_all(all);
		if (err)
			return pcn_fail_sys(err, "cannot read the points");
		pos = point_find_dev(all, w->ifindex, dir);
		if (pos < 0) {
			if (k == POS_BEFORE || k == POS_AFTER)
				return pcn_fail(-ENOENT,
						"cube \"%s\" is not attached to %s",
						rel, place);
			if (dir == PCN_DIR_EGRESS &&
			    t->meta.mode != PCN_MODE_TC)
				return pcn_fail(-EOPNOTSUPP,
						"cube \"%s\" is in mode %s, and XDP has no egress hook: the egress of an interface takes cubes in mode tc",
						t->name, mode_name(t->meta.mode));
			/* a port's interface: its way in is the port's */
			if (dir == PCN_DIR_INGRESS)
				err = iface_in_use(w->ifindex, w->ifname, false);
			if (err)
				return err;
			err = stage(&st, t, PCN_POINT_NONE);
			if (err)
				return err;
			err = dev_point_create(t, w, dir);
			pcn_stage_end(&st);
			return err;
		}
		id = pos;
		mode = all[id].mode;
		if (!mode_same_hook(mode, t->meta.mode))
			return pcn_fail(-EINVAL,
					"%s runs %s cubes; \"%s\" is in mode %s",
					place, mode == PCN_MODE_TC ? "tc" : "XDP",
					t->name, mode_name(t->meta.mode));
	} else {
		err = cube_open(w->cube, &c);
		if (err)
			return err == -ENOENT
				       ? pcn_fail(err, "cube \"%s\" does not exist",
						  w->cube)
				       : pcn_fail_sys(err, "cannot open cube \"%s\"",
						      w->cube);
		mode = c.meta.mode;
		err = cube_ports_read(&c, ports);
		idx = err ? -1 : cube_port_find(ports, PCN_MAX_PORTS, w->port);
		if (!c.meta.max_ports)
			err = pcn_fail(-EINVAL,
				       "cube \"%s\" is transparent: it has no ports",
				       w->cube);
		else if (idx < 0)
			err = pcn_fail(-ENOENT, "port %s:%s does not exist",
				       w->cube, w->port);
		else if (!mode_same_hook(mode, t->meta.mode))
			err = pcn_fail(-EINVAL,
				       "%s (mode %s) and %s (mode %s) run at different hooks",
				       w->cube, mode_name(mode), t->name,
				       mode_name(t->meta.mode));
		if (err) {
			cube_close(&c);
			return err;
		}
		id = dir == PCN_DIR_INGRESS ? ports[idx].in_point
					    : ports[idx].eg_point;
		/* one more hop on every path through this port */
		{
			struct hop_change hc = { w, dir };
			char what[96];

			snprintf(what, sizeof(what), "attach %s to %s", t->name,
				 place);
			err = budget_check(what, add_hop_change, &hc);
		}
		if (!err && id == PCN_POINT_NONE) {
			if (k == POS_BEFORE || k == POS_AFTER)
				err = pcn_fail(-ENOENT,
					       "cube \"%s\" is not attached to %s",
					       rel, place);
			if (!err)
				err = stage(&st, t, PCN_POINT_NONE);
			if (!err) {
				err = eg_point_create(&c, idx, &ports[idx], t, h);
				pcn_stage_end(&st);
			}
			cube_close(&c);
			return err;
		}
		cube_close(&c);
		if (err)
			return err;
	}

	err = point_chain(id, &ch);
	if (err)
		return pcn_fail_sys(err, "cannot read the chain of %s", place);
	if (chain_find(&ch, t->meta.slot) >= 0)
		return pcn_fail(-EEXIST, "cube \"%s\" is already attached to %s",
				t->name, place);
	if (ch.n >= PCN_MAX_HOPS)
		return pcn_fail(-ENOSPC,
				"%s has %d transparent cubes already, the most it may",
				place, PCN_MAX_HOPS);
	err = chain_position(&ch, k, rel, place, &pos);
	if (err)
		return err;
	chain_insert(&ch, pos, t->meta.slot);
	err = stage(&st, t, id);
	if (err)
		return err;
	err = publish(mode, id, &ch);
	pcn_stage_end(&st);
	return err;
}

int transparent_detach(struct pcn_cube *t, __u32 id, const char *place,
		       const struct port_hooks *h)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	char path[PATH_MAX];
	struct pcn_point pt;
	struct pcn_stage st;
	struct pcn_chain ch;
	struct pcn_cube c;
	int err, i;

	err = point_get(id, &pt);
	if (!err)
		err = point_chain(id, &ch);
	if (err)
		return pcn_fail_sys(err, "cannot read the chain of %s", place);
	i = chain_find(&ch, t->meta.slot);
	if (i < 0)
		return pcn_fail(-ENOENT, "cube \"%s\" is not attached to %s",
				t->name, place);
	chain_remove(&ch, i);
	err = stage(&st, t, id);
	if (err)
		return err;
	/*
	 * Still a chain, or a port's ingress (the cube is the last step):
	 * the list without it. For a cube peer's way out, the empty list is
	 * the switch back to the peer itself.
	 */
	if (ch.n || pt.kind == PCN_POINT_PORT) {
		err = publish(pt.mode, id, &ch);
		if (err || ch.n || pt.dir == PCN_DIR_INGRESS)
			goto out;
	}
	if (pt.kind == PCN_POINT_DEV) {
		/* the commit point: the entry program leaves the interface */
		point_links_path(id, path, sizeof(path));
		if (unlink(path) && errno != ENOENT) {
			err = pcn_fail_sys(-errno, "cannot unpin %s", path);
			goto out;
		}
		port_detach_nolink(pt.attach, pt.ifindex,
				   pt.dir == PCN_DIR_EGRESS);
		panel_clear(pt.mode, pt.entry_slot);
	} else {
		/* the commit point: the cube sends straight out again */
		err = cube_open(pt.cube, &c);
		if (!err) {
			err = cube_ports_read(&c, ports);
			i = err ? -1 : cube_port_find(ports, PCN_MAX_PORTS,
						      pt.port);
			if (i >= 0 && ports[i].eg_point == id) {
				struct pcn_port was = ports[i];

				ports[i].eg_chain = 0;
				ports[i].eg_point = PCN_POINT_NONE;
				err = cube_port_write(&c, i, &ports[i]);
				if (!err)
					err = port_hook_changed(h, &c, i, &was,
								&ports[i]);
			}
			cube_close(&c);
		}
		if (err && err != -ENOENT) {
			err = pcn_fail_sys(err, "cannot write port %s:%s",
					   pt.cube, pt.port);
			goto out;
		}
	}
	pcn_fault_point("detach-committed");
	point_release(id);
	err = 0;
out:
	pcn_stage_end(&st);
	return err;
}

int point_of(const struct where *w, __u32 dir)
{
	static struct pcn_point all[PCN_MAX_POINTS];
	struct pcn_port ports[PCN_MAX_PORTS];
	struct pcn_cube c;
	int i, id = -ENOENT;

	if (w->dev) {
		if (points_read_all(all))
			return -ENOENT;
		for (i = 0; i < PCN_MAX_POINTS && id < 0; i++)
			if (all[i].kind == PCN_POINT_DEV && all[i].dir == dir &&
			    (w->ifindex ? all[i].ifindex == w->ifindex
					: !strncmp(all[i].ifname, w->ifname,
						   PCN_NAME_LEN)))
				id = i;
	} else if (!cube_open(w->cube, &c)) {
		if (!cube_ports_read(&c, ports)) {
			i = cube_port_find(ports, PCN_MAX_PORTS, w->port);
			if (i >= 0)
				id = dir == PCN_DIR_INGRESS ? (int)ports[i].in_point
							    : (int)ports[i].eg_point;
			if (id == (int)PCN_POINT_NONE)
				id = -ENOENT;
		}
		cube_close(&c);
	}
	return id;
}

int point_holding(const struct pcn_cube *t, const struct where *w, __u32 dir)
{
	struct pcn_chain ch;
	int id;

	id = point_of(w, dir);
	if (id < 0 || point_chain(id, &ch) || chain_find(&ch, t->meta.slot) < 0)
		return -ENOENT;
	return id;
}

void for_each_point_of(const struct pcn_cube *t, point_fn fn, void *arg)
{
	static struct pcn_point all[PCN_MAX_POINTS];
	struct pcn_chain ch;
	int i, pos;

	if (points_read_all(all))
		return;
	for (i = 0; i < PCN_MAX_POINTS; i++) {
		if (all[i].kind == PCN_POINT_FREE || point_chain(i, &ch))
			continue;
		if (all[i].kind == PCN_POINT_DEV &&
		    !mode_same_hook(all[i].mode, t->meta.mode))
			continue;
		pos = chain_find(&ch, t->meta.slot);
		if (pos < 0)
			continue;
		if (all[i].kind == PCN_POINT_PORT) {
			struct pcn_cube c;
			bool ok;

			if (cube_open(all[i].cube, &c))
				continue;
			ok = mode_same_hook(c.meta.mode, t->meta.mode);
			cube_close(&c);
			if (!ok)
				continue;
		}
		fn(t, i, &all[i], &ch, pos, arg);
	}
}

struct detach_all {
	const struct port_hooks *h;
	int err;
};

static void detach_cb(const struct pcn_cube *t, __u32 id,
		      const struct pcn_point *pt, const struct pcn_chain *ch,
		      int pos, void *arg)
{
	struct detach_all *d = arg;
	int e;

	e = transparent_detach((struct pcn_cube *)t, id,
			       pt->kind == PCN_POINT_DEV ? pt->ifname : pt->cube,
			       d->h);
	if (e && !d->err)
		d->err = e;
}

int transparent_detach_all(struct pcn_cube *c, const struct port_hooks *h)
{
	struct detach_all d = { h, 0 };

	for_each_point_of(c, detach_cb, &d);
	finals_gc(c->meta.mode);
	return d.err;
}
