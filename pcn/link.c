// SPDX-License-Identifier: GPL-2.0
/*
 * pcn link: the wiring of the cube graph.
 *
 *   pcn link add CUBE[:PORT] dev IFNAME          a port on an interface
 *   pcn link add CUBE[:PORT] peer CUBE[:PORT]    two cubes, port to port
 *   pcn link add TCUBE { dev IFNAME | port CUBE:PORT } [ DIR ] [ POS ]
 *                                                a transparent cube
 *   pcn link del ...                             the same, undone
 *   pcn link show [ dev IFNAME ] [ cube CUBE ]
 *
 * A port exists while it is connected. Its entry program is attached to
 * its interface as a bpf_link pinned at cubes/CUBE/link_PORT: that pin is
 * the commit point of "link add" and removing it detaches. A link
 * between two cubes is their port records naming each other; the first
 * cube's record is written last and is the commit point. Transparent
 * cubes are in pcn/transparent.c. Nothing here reloads a cube: wiring is
 * map updates.
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
#include "json_print.h"
#include "netlink.h"
#include "pcn.h"
#include "utils.h"
#include "veth.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: pcn link add CUBE[:PORT] dev IFNAME\n"
		"       pcn link add CUBE[:PORT] peer CUBE[:PORT]\n"
		"       pcn link add TCUBE { dev IFNAME | port CUBE:PORT } [ DIR ] [ POS ]\n"
		"       pcn link del { CUBE:PORT | dev IFNAME }\n"
		"       pcn link del TCUBE { dev IFNAME | port CUBE:PORT } [ DIR ]\n"
		"       pcn link show [ dev IFNAME ] [ cube CUBE ]\n"
		"       pcn link help\n"
		"where  DIR := { ingress | egress | both }\n"
		"       POS := { first | last | before TCUBE | after TCUBE }\n"
		"PORT defaults to IFNAME (dev) or to the other cube's name (peer).\n"
		"TCUBE is a transparent cube; DIR defaults to both, POS to last.\n");
}

int parse_endpoint(const char *arg, char *cube, char *port)
{
	const char *colon = strchr(arg, ':');
	char buf[2 * PCN_NAME_LEN];
	int err;

	if (strlen(arg) >= sizeof(buf))
		return pcn_bad_arg("endpoint (CUBE[:PORT])", arg);
	snprintf(buf, sizeof(buf), "%s", arg);
	port[0] = '\0';
	if (colon) {
		buf[colon - arg] = '\0';
		err = check_name("port", colon + 1);
		if (err)
			return err;
		name_copy(port, colon + 1);
	}
	err = check_name("cube", buf);
	if (err)
		return err;
	name_copy(cube, buf);
	return 0;
}

static void link_path(const struct pcn_cube *c, const char *port, char *buf,
		      size_t size)
{
	snprintf(buf, size, "%s/link_%s", c->dir, port);
}

static int zero_stats_and_devmap(struct pcn_cube *c, __u32 idx, __u32 ifindex)
{
	int fd, err;

	err = cube_stats_reset(c, idx);
	if (err || c->meta.mode == PCN_MODE_TC)
		return err;
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

/* The cube type's own state for a new port. */
static int port_added(struct pcn_cube *c, __u32 idx, const struct pcn_port *p)
{
	const struct cube_type *type = cube_type_find(c->meta.type);

	return type && type->port_added ? type->port_added(c, idx, p) : 0;
}

int port_remove(struct pcn_cube *c, __u32 idx)
{
	const struct cube_type *type = cube_type_find(c->meta.type);
	struct pcn_port ports[PCN_MAX_PORTS];
	struct pcn_port p;
	int err;

	err = cube_ports_read(c, ports);
	if (err)
		return err;
	p = ports[idx];
	if (type && type->port_removed)
		err = type->port_removed(c, idx);
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

static bool iface_owner(int ifindex, char *cube, char *port)
{
	struct iface_port ip = { .ifindex = ifindex };

	if (cube_for_each(NULL, iface_port_cb, &ip) != 1)
		return false;
	name_copy(cube, ip.cube);
	name_copy(port, ip.port);
	return true;
}

int iface_in_use(int ifindex, const char *ifname, bool chains)
{
	static struct pcn_point all[PCN_MAX_POINTS];
	char oc[PCN_NAME_LEN], op[PCN_NAME_LEN];

	if (iface_owner(ifindex, oc, op))
		return pcn_err(PCN_EXIT_KERNEL,
			       "interface \"%s\" is already connected to %s:%s",
			       ifname, oc, op);
	if (chains && !points_read_all(all) &&
	    (point_find_dev(all, ifindex, PCN_DIR_INGRESS) >= 0 ||
	     point_find_dev(all, ifindex, PCN_DIR_EGRESS) >= 0))
		return pcn_err(PCN_EXIT_KERNEL,
			       "interface \"%s\" has transparent cubes attached: detach them first, or attach them to the port",
			       ifname);
	return 0;
}

int link_add_err(const char *what, const char *ifname, enum pcn_mode mode,
		 int err)
{
	const char *hint = attach_hint(mode, err);
	const char *ext = nl_extack();

	if (hint)
		return pcn_err(PCN_EXIT_KERNEL, "cannot attach %s to %s: %s (%s)",
			       what, ifname, strerror(-err), hint);
	if (*ext)
		return pcn_err(PCN_EXIT_KERNEL, "cannot attach %s to %s: %s (%s)",
			       what, ifname, strerror(-err), ext);
	return pcn_err_kernel(err, "cannot attach %s to %s", what, ifname);
}

/*
 * A free port index after @from, with no port named @port yet; -1 (and
 * reported) if there is none.
 */
static int port_slot(struct pcn_cube *c, const struct pcn_port *ports,
		     const char *port, int from)
{
	int idx = cube_port_find(ports, c->meta.max_ports, port);

	if (idx >= 0) {
		pcn_err(PCN_EXIT_KERNEL, "port %s:%s exists (connected to %s%s%s)",
			c->name, port, ports[idx].peer_name,
			ports[idx].peer == PCN_PEER_CUBE ? ":" : "",
			ports[idx].peer == PCN_PEER_CUBE
				? ports[idx].peer_port_name
				: "");
		return -1;
	}
	for (idx = from; idx < (int)c->meta.max_ports; idx++)
		if (!ports[idx].name[0])
			return idx;
	pcn_err(PCN_EXIT_KERNEL, "cube \"%s\" has no free port (at most %u)",
		c->name, c->meta.max_ports);
	return -1;
}

/* port_slot(), for a check before anything is made: 0 or reported */
static int port_free_check(struct pcn_cube *c, const char *port, int from)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	int err;

	err = cube_ports_read(c, ports);
	if (err)
		return pcn_err_kernel(err, "cannot read ports of \"%s\"",
				      c->name);
	return port_slot(c, ports, port, from) < 0 ? PCN_EXIT_KERNEL : 0;
}

/*
 * After "link add CUBE:PORT dev VETH" in native XDP: a warning (one
 * line, on stderr) when the veth's peer would drop what the port sends
 * or send what breaks going through it (see veth.h).
 */
static void veth_warn(const struct pcn_cube *c, const char *port,
		      const struct nl_link *ifc)
{
	struct veth_peer vp;
	char peer[64];

	if (c->meta.mode != PCN_MODE_XDP || veth_peer_get(ifc, &vp))
		return;
	if (!vp.known) {
		pcn_warn("%s is a veth whose peer (ifindex %d, netnsid %d) pcn cannot look at: frames %s:%s redirects into it are dropped unless the peer has GRO on or an XDP program, and TCP it sends breaks unless its tx checksum offload is off (ethtool -K PEER gro on tx off; see pcn-link(8))",
			 ifc->name, vp.ifindex, vp.netnsid, c->name, port);
		return;
	}
	if (vp.netnsid < 0)
		snprintf(peer, sizeof(peer), "%s", vp.name);
	else
		snprintf(peer, sizeof(peer), "%s (netnsid %d)", vp.name,
			 vp.netnsid);
	if (!veth_peer_takes_redirects(&vp) && vp.tx_csum)
		pcn_warn("%s is a veth whose peer %s has neither GRO nor an XDP program, and tx checksum offload on: frames %s:%s redirects into it are dropped, and TCP it sends through %s arrives with bad checksums (ethtool -K %s gro on tx off; see pcn-link(8))",
			 ifc->name, peer, c->name, port, c->name, vp.name);
	else if (!veth_peer_takes_redirects(&vp))
		pcn_warn("%s is a veth whose peer %s has neither GRO nor an XDP program: frames %s:%s redirects into it are dropped (ethtool -K %s gro on; see pcn-link(8))",
			 ifc->name, peer, c->name, port, vp.name);
	else if (vp.tx_csum)
		pcn_warn("%s is a veth whose peer %s has tx checksum offload on: TCP it sends through %s arrives with bad checksums (ethtool -K %s tx off; see pcn-link(8))",
			 ifc->name, peer, c->name, vp.name);
}

static int link_connect(struct pcn_cube *c, const char *port,
			const struct nl_link *ifc)
{
	struct pcn_intent intent = { .op = PCN_INTENT_LINK_ADD };
	struct pcn_port ports[PCN_MAX_PORTS], rec = {};
	enum pcn_attach how = PCN_ATTACH_NONE;
	int prog_fd = -1, link_fd = -1, idx, err;
	char path[PATH_MAX], what[2 * PCN_NAME_LEN + 1];
	struct pcn_stage stage;
	bool made = false;

	err = cube_ports_read(c, ports);
	if (err)
		return pcn_err_kernel(err, "cannot read ports of \"%s\"",
				      c->name);
	idx = port_slot(c, ports, port, 0);
	if (idx < 0)
		return PCN_EXIT_KERNEL;
	snprintf(what, sizeof(what), "%s:%s", c->name, port);

	intent.mode = c->meta.mode;
	intent.slot = c->meta.slot;
	intent.port = idx;
	intent.ifindex = ifc->ifindex;
	name_copy(intent.cube, c->name);
	name_copy(intent.port_name, port);
	err = pcn_stage_begin(&stage, &intent);
	if (err)
		return pcn_err_kernel(err, "cannot stage the link");

	err = port_create(c, idx, port, &rec);
	if (err) {
		err = pcn_err_kernel(err, "cannot make port %s", what);
		goto undo;
	}
	made = true;
	prog_fd = port_prog_load(c->meta.mode, rec.in_slot, idx);
	if (prog_fd < 0) {
		err = pcn_err_kernel(prog_fd, "cannot load the entry program of %s",
				     what);
		goto undo;
	}
	err = port_attach(c->meta.mode, ifc->ifindex, false, prog_fd, port,
			  &link_fd, &how);
	if (err) {
		err = link_add_err(what, ifc->name, c->meta.mode, err);
		goto undo;
	}
	pcn_fault_point("link-add-attached");

	rec.peer = PCN_PEER_IFACE;
	rec.ifindex = ifc->ifindex;
	rec.attach = how;
	name_copy(rec.peer_name, ifc->name);
	err = zero_stats_and_devmap(c, idx, ifc->ifindex);
	if (!err)
		err = cube_port_write(c, idx, &rec);
	if (!err)
		err = port_added(c, idx, &rec);
	if (err) {
		err = pcn_err_kernel(err, "cannot write port %s", what);
		goto undo;
	}
	pcn_fault_point("link-add-port");

	/* the commit point; for clsact the entry program stands for a link */
	link_path(c, port, path, sizeof(path));
	if (bpf_obj_pin(link_fd >= 0 ? link_fd : prog_fd, path)) {
		err = pcn_err_kernel(errno, "cannot pin %s", path);
		goto undo;
	}
	pcn_fault_point("link-add-pinned");
	veth_warn(c, port, ifc);
	err = 0;
	goto out;
undo:
	if (how == PCN_ATTACH_CLSACT)
		port_detach_nolink(how, ifc->ifindex, false);
	if (made) {
		cube_port_write(c, idx, &rec);
		port_remove(c, idx);
	}
out:
	if (link_fd >= 0)
		close(link_fd);
	if (prog_fd >= 0)
		close(prog_fd);
	pcn_stage_end(&stage);
	return err;
}

/* Would the graph, changed by @change, keep every path in the budget? */
int budget_check(const char *what, int (*change)(struct graph *g,
							 void *arg),
			void *arg)
{
	char why[1024];
	struct graph *g;
	int err;

	g = graph_load();
	if (!g)
		return pcn_err_kernel(-ENOMEM, "cannot read the graph");
	err = change(g, arg);
	if (!err)
		err = graph_check(g, why, sizeof(why));
	graph_free(g);
	if (err == -ELOOP || err == -E2BIG)
		return pcn_err(PCN_EXIT_KERNEL, "cannot %s: %s", what, why);
	if (err)
		return pcn_err_kernel(err, "cannot check the graph");
	return 0;
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

static int link_dev_add(const char *cube, char *port, const char *ifname)
{
	struct nl_link ifc;
	struct pcn_cube c;
	int err;

	if (!port[0]) {
		if (!name_is_valid(ifname))
			return pcn_err(PCN_EXIT_USAGE,
				       "\"%s\" cannot name a port, give one as CUBE:PORT",
				       ifname);
		name_copy(port, ifname);
	}
	err = cube_open_for_change(cube, &c);
	if (err)
		return err;
	if (!c.meta.max_ports) {
		err = pcn_err(PCN_EXIT_KERNEL,
			      "cube \"%s\" is transparent: it has no port %s",
			      cube, port);
		goto out;
	}
	err = nl_link_get(ifname, 0, &ifc);
	if (err) {
		err = err == -ENODEV
			      ? pcn_err(PCN_EXIT_KERNEL,
					"interface \"%s\" does not exist", ifname)
			      : pcn_err_kernel(err, "cannot look up \"%s\"",
					       ifname);
		goto out;
	}
	err = iface_in_use(ifc.ifindex, ifc.name, true);
	/* a free port first: the graph has no room for a 65th */
	if (!err)
		err = port_free_check(&c, port, 0);
	if (!err) {
		/* a new way in: the paths from it must fit the budget too */
		struct endpoints e = { cube, port, NULL, NULL };
		char what[80];

		snprintf(what, sizeof(what), "connect %s:%s to %s", cube, port,
			 ifname);
		err = budget_check(what, add_iface_change, &e);
	}
	if (!err)
		err = link_connect(&c, port, &ifc);
out:
	cube_close(&c);
	return err;
}

static bool same_family(enum pcn_mode a, enum pcn_mode b)
{
	return (a == PCN_MODE_TC) == (b == PCN_MODE_TC);
}

/* Check a peer link before anything is made: names, modes, the budget. */
static int peer_check(struct pcn_cube *a, const char *pa, struct pcn_cube *b,
		      const char *pb)
{
	struct endpoints e = { a->name, pa, b->name, pb };
	char what[80];

	if (!a->meta.max_ports || !b->meta.max_ports)
		return pcn_err(PCN_EXIT_KERNEL,
			       "cube \"%s\" is transparent: attach it with \"pcn link add %s port %s:%s\"",
			       a->meta.max_ports ? b->name : a->name,
			       a->meta.max_ports ? b->name : a->name,
			       a->meta.max_ports ? a->name : b->name,
			       a->meta.max_ports ? pa : pb);
	if (!same_family(a->meta.mode, b->meta.mode))
		return pcn_err(PCN_EXIT_KERNEL,
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

static int link_peer_add(const char *ca, char *pa, const char *cb, char *pb)
{
	struct pcn_intent intent = { .op = PCN_INTENT_PEER_ADD };
	struct pcn_port ports_a[PCN_MAX_PORTS], ports_b[PCN_MAX_PORTS];
	struct pcn_port rec_a = {}, rec_b = {};
	struct pcn_cube a, b;
	struct pcn_stage stage;
	int ia = -1, ib = -1, err;
	bool made_a = false, made_b = false;

	if (!pa[0])
		name_copy(pa, cb);
	if (!pb[0])
		name_copy(pb, ca);
	if (!strcmp(ca, cb) && !strcmp(pa, pb))
		return pcn_err(PCN_EXIT_USAGE, "a port cannot be its own peer");
	err = cube_open_for_change(ca, &a);
	if (err)
		return err;
	err = cube_open(cb, &b);
	if (err) {
		cube_close(&a);
		return cube_open_err(cb, err);
	}
	err = cube_ports_read(&a, ports_a) || cube_ports_read(&b, ports_b)
		      ? pcn_err_kernel(-EIO, "cannot read ports")
		      : 0;
	if (err)
		goto out;
	/* free ports first: the graph has no room for a 65th */
	if (a.meta.max_ports && b.meta.max_ports) {
		ia = port_slot(&a, ports_a, pa, 0);
		/* the same cube on both ends: two ports, two indexes */
		ib = ia < 0 ? -1 :
			port_slot(&b, ports_b, pb, strcmp(ca, cb) ? 0 : ia + 1);
		if (ia < 0 || ib < 0) {
			err = PCN_EXIT_KERNEL;
			goto out;
		}
	}
	err = peer_check(&a, pa, &b, pb);
	if (err)
		goto out;

	intent.mode = a.meta.mode;
	intent.port = ia;
	intent.port2 = ib;
	name_copy(intent.cube, ca);
	name_copy(intent.port_name, pa);
	name_copy(intent.cube2, cb);
	name_copy(intent.port2_name, pb);
	err = pcn_stage_begin(&stage, &intent);
	if (err) {
		err = pcn_err_kernel(err, "cannot stage the link");
		goto out;
	}
	err = port_create(&b, ib, pb, &rec_b);
	made_b = !err;
	if (!err) {
		err = port_create(&a, ia, pa, &rec_a);
		made_a = !err;
	}
	if (err) {
		err = pcn_err_kernel(err, "cannot make the ports");
		goto undo;
	}
	peer_fill(&rec_b, &a, &rec_a, ia);
	peer_fill(&rec_a, &b, &rec_b, ib);
	/* each way out leads into the other's entry */
	err = panel_copy(b.meta.mode, rec_a.in_slot, meta_out_slot(&b.meta, ib));
	if (!err)
		err = panel_copy(a.meta.mode, rec_b.in_slot,
				 meta_out_slot(&a.meta, ia));
	if (!err)
		err = cube_stats_reset(&b, ib);
	if (!err)
		err = cube_stats_reset(&a, ia);
	if (!err)
		err = cube_port_write(&b, ib, &rec_b);
	if (!err)
		err = port_added(&b, ib, &rec_b);
	pcn_fault_point("peer-add-half");
	/* the commit point */
	if (!err)
		err = cube_port_write(&a, ia, &rec_a);
	if (!err)
		err = port_added(&a, ia, &rec_a);
	if (err) {
		err = pcn_err_kernel(err, "cannot write the ports");
		goto undo;
	}
	pcn_stage_end(&stage);
	goto out;
undo:
	if (made_b) {
		cube_port_write(&b, ib, &rec_b);
		port_remove(&b, ib);
	}
	if (made_a) {
		cube_port_write(&a, ia, &rec_a);
		port_remove(&a, ia);
	}
	pcn_stage_end(&stage);
out:
	cube_close(&a);
	cube_close(&b);
	return err;
}

static int link_add_cmd(int argc, char **argv)
{
	char cube[PCN_NAME_LEN], port[PCN_NAME_LEN];
	char cube2[PCN_NAME_LEN], port2[PCN_NAME_LEN];
	const char *ifname = NULL, *peer = NULL;
	int err;

	if (argc < 1)
		return pcn_err(PCN_EXIT_USAGE, "CUBE[:PORT] missing");
	err = parse_endpoint(*argv, cube, port);
	if (err)
		return err;
	/* a transparent cube has its own grammar */
	if (argc > 1 && is_kw(argv[1], "port"))
		return transparent_cmd(true, argc, argv);
	if (argc > 1 && is_kw(argv[1], "dev") && !port[0] &&
	    cube_is_transparent(cube))
		return transparent_cmd(true, argc, argv);
	argc--;
	argv++;
	while (argc > 0) {
		if (is_kw(*argv, "dev")) {
			NEXT_ARG();
			if (ifname || peer)
				return pcn_dup_arg("dev");
			ifname = *argv;
		} else if (is_kw(*argv, "peer")) {
			NEXT_ARG();
			if (ifname || peer)
				return pcn_dup_arg("peer");
			peer = *argv;
		} else {
			return pcn_unknown_kw("link", *argv);
		}
		argc--;
		argv++;
	}
	if (peer) {
		err = parse_endpoint(peer, cube2, port2);
		return err ? err : link_peer_add(cube, port, cube2, port2);
	}
	if (!ifname)
		return pcn_err(PCN_EXIT_USAGE,
			       "\"dev IFNAME\" or \"peer CUBE[:PORT]\" is missing");
	return link_dev_add(cube, port, ifname);
}

static int link_disconnect(struct pcn_cube *c, int idx,
			   const struct pcn_port *p)
{
	struct pcn_intent intent = { .op = PCN_INTENT_LINK_DEL };
	char src[PATH_MAX], dst[PATH_MAX];
	struct pcn_stage stage;
	int err;

	intent.mode = c->meta.mode;
	intent.slot = c->meta.slot;
	intent.port = idx;
	intent.ifindex = p->ifindex;
	name_copy(intent.cube, c->name);
	name_copy(intent.port_name, p->name);
	err = pcn_stage_begin(&stage, &intent);
	if (err)
		return pcn_err_kernel(err, "cannot stage the link");

	/* the commit point: the pin leaves the cube */
	link_path(c, p->name, src, sizeof(src));
	snprintf(dst, sizeof(dst), "%s/link", stage.path);
	if (rename(src, dst) && errno != ENOENT) {
		err = pcn_err_kernel(errno, "cannot unpin %s", src);
		pcn_stage_end(&stage);
		return err;
	}
	pcn_fault_point("link-del-unpinned");
	port_detach_nolink(p->attach, p->ifindex, false);
	err = port_remove(c, idx);
	pcn_stage_end(&stage);
	if (err)
		return pcn_err_kernel(err, "cannot remove port %s:%s", c->name,
				      p->name);
	return 0;
}

/* Both ends of a link between cubes go; @c's end first (the commit). */
static int peer_disconnect(struct pcn_cube *c, int idx,
			   const struct pcn_port *p)
{
	struct pcn_intent intent = { .op = PCN_INTENT_PEER_DEL };
	struct pcn_port ports[PCN_MAX_PORTS];
	struct pcn_stage stage;
	struct pcn_cube other;
	int err, j;

	intent.mode = c->meta.mode;
	intent.port = idx;
	name_copy(intent.cube, c->name);
	name_copy(intent.port_name, p->name);
	name_copy(intent.cube2, p->peer_name);
	name_copy(intent.port2_name, p->peer_port_name);
	intent.port2 = p->peer_port;
	err = pcn_stage_begin(&stage, &intent);
	if (err)
		return pcn_err_kernel(err, "cannot stage the link");
	err = port_remove(c, idx);
	pcn_fault_point("peer-del-half");
	if (!err && !cube_open(p->peer_name, &other)) {
		if (!cube_ports_read(&other, ports)) {
			j = cube_port_find(ports, PCN_MAX_PORTS,
					   p->peer_port_name);
			if (j >= 0 && ports[j].peer == PCN_PEER_CUBE &&
			    !strncmp(ports[j].peer_name, c->name, PCN_NAME_LEN))
				err = port_remove(&other, j);
		}
		cube_close(&other);
	}
	pcn_stage_end(&stage);
	if (err)
		return pcn_err_kernel(err, "cannot remove the link %s:%s",
				      c->name, p->name);
	return 0;
}

int port_disconnect(struct pcn_cube *c, int idx, const struct pcn_port *p)
{
	if (p->peer == PCN_PEER_CUBE)
		return peer_disconnect(c, idx, p);
	return link_disconnect(c, idx, p);
}

/* Find the port connected to interface @ifname (current or recorded). */
static int find_port_by_dev(const char *ifname, char *cube, char *port)
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

static int link_del_cmd(int argc, char **argv)
{
	char cube[PCN_NAME_LEN], port[PCN_NAME_LEN];
	struct pcn_port ports[PCN_MAX_PORTS];
	const char *ifname = NULL;
	struct pcn_cube c;
	int idx, err;

	if (argc < 1)
		return pcn_err(PCN_EXIT_USAGE, "CUBE:PORT or \"dev IFNAME\" missing");
	if (is_kw(*argv, "dev")) {
		NEXT_ARG();
		ifname = *argv;
		if (!*ifname || strlen(ifname) >= IF_NAMESIZE)
			return pcn_bad_arg("interface name", ifname);
	} else {
		err = parse_endpoint(*argv, cube, port);
		if (err)
			return err;
		if (argc > 1 && (is_kw(argv[1], "dev") || is_kw(argv[1], "port")))
			return transparent_cmd(false, argc, argv);
		if (!port[0])
			return pcn_err(PCN_EXIT_USAGE,
				       "which port of \"%s\"? give CUBE:PORT",
				       cube);
	}
	if (argc > 1)
		return pcn_err(PCN_EXIT_USAGE, "unexpected \"%s\"", argv[1]);

	err = pcn_state_open(PCN_WRITE_EXISTING);
	if (err == -ENOENT)
		return ifname ? pcn_err(PCN_EXIT_KERNEL,
					"no cube port is connected to \"%s\"",
					ifname)
			      : cube_open_err(cube, err);
	if (err)
		return err;
	if (ifname && find_port_by_dev(ifname, cube, port))
		return pcn_err(PCN_EXIT_KERNEL,
			       "no cube port is connected to \"%s\"", ifname);
	err = cube_open(cube, &c);
	if (err)
		return cube_open_err(cube, err);
	err = cube_ports_read(&c, ports);
	if (err) {
		err = pcn_err_kernel(err, "cannot read ports of \"%s\"", cube);
		goto out;
	}
	idx = cube_port_find(ports, PCN_MAX_PORTS, port);
	if (idx < 0) {
		err = pcn_err(PCN_EXIT_KERNEL, "port %s:%s does not exist", cube,
			      port);
		goto out;
	}
	err = port_disconnect(&c, idx, &ports[idx]);
out:
	cube_close(&c);
	return err;
}

enum link_status {
	LINK_ATTACHED,
	LINK_IFACE_GONE,	/* the interface was deleted */
	LINK_MISSING,		/* no attachment found */
};

static const char *const status_names[] = {
	[LINK_ATTACHED] = "attached",
	[LINK_IFACE_GONE] = "interface-gone",
	[LINK_MISSING] = "detached",
};

static enum link_status pin_status(const char *path, enum pcn_attach attach,
				   __u32 ifindex, bool egress,
				   struct link_state *st)
{
	if (link_query(path, attach, ifindex, egress, st) || !st->present)
		return LINK_MISSING;
	if (!st->ifindex)
		return LINK_IFACE_GONE;
	return LINK_ATTACHED;
}

/* dev NAME, state, and with -d how it is attached (ports and points). */
void print_attachment(const char *path, enum pcn_attach attach,
		      __u32 ifindex, const char *recorded, bool egress)
{
	enum link_status status;
	struct link_state st;
	char ifname[IF_NAMESIZE];
	const char *dev = recorded;

	status = pin_status(path, attach, ifindex, egress, &st);
	/* the interface may have been renamed since */
	if (status == LINK_ATTACHED && if_indextoname(ifindex, ifname))
		dev = ifname;
	print_string(PRINT_ANY, "dev", " dev %s", dev);
	if (status != LINK_ATTACHED || is_json_context())
		print_string(PRINT_ANY, "state", " state %s",
			     status_names[status]);
	if (show_details) {
		print_uint(PRINT_ANY, "ifindex", " ifindex %u", ifindex);
		print_string(PRINT_ANY, "attach", " attach %s",
			     attach_name(attach));
		if (st.link_id)
			print_uint(PRINT_ANY, "link_id", " link_id %u",
				   st.link_id);
		if (st.prog_id)
			print_uint(PRINT_ANY, "prog_id", " prog_id %u",
				   st.prog_id);
	}
}

/* " KEY on|off" in text, "KEY": bool in JSON */
static void print_onoff(const char *key, bool on)
{
	print_bool(PRINT_JSON, key, NULL, on);
	print_string(PRINT_FP, NULL, " %s", key);
	print_string(PRINT_FP, NULL, " %s", on ? "on" : "off");
}

/* With -d, a port in native XDP on a veth: what the peer has. */
static void print_veth_peer(const struct pcn_cube *c, const struct pcn_port *p)
{
	struct veth_peer vp;
	struct nl_link ifc;

	if (!show_details || c->meta.mode != PCN_MODE_XDP ||
	    nl_link_get(NULL, p->ifindex, &ifc) || veth_peer_get(&ifc, &vp))
		return;
	open_json_object("veth_peer");
	print_int(PRINT_ANY, "ifindex", " veth_peer ifindex %d", vp.ifindex);
	if (vp.netnsid >= 0)
		print_int(PRINT_ANY, "netnsid", " netnsid %d", vp.netnsid);
	print_bool(PRINT_JSON, "known", NULL, vp.known);
	if (vp.known) {
		print_string(PRINT_ANY, "ifname", " %s", vp.name);
		print_onoff("gro", vp.gro);
		print_onoff("xdp", vp.xdp);
		print_onoff("tx_checksum", vp.tx_csum);
		print_onoff("takes_redirects", veth_peer_takes_redirects(&vp));
	} else {
		print_string(PRINT_FP, NULL, "%s", " unknown");
	}
	close_json_object();
}

void port_print_peer(struct pcn_cube *c, const struct pcn_port *p)
{
	char path[PATH_MAX];

	if (p->peer == PCN_PEER_CUBE) {
		print_string(PRINT_FP, NULL, " peer %s", p->peer_name);
		print_string(PRINT_FP, NULL, ":%s", p->peer_port_name);
		open_json_object("peer");
		print_string(PRINT_JSON, "cube", NULL, p->peer_name);
		print_string(PRINT_JSON, "port", NULL, p->peer_port_name);
		close_json_object();
	} else if (p->peer == PCN_PEER_IFACE) {
		link_path(c, p->name, path, sizeof(path));
		print_attachment(path, p->attach, p->ifindex, p->peer_name,
				 false);
		print_veth_peer(c, p);
	}
	port_print_chains(c, p);
}

/* Is interface @ifname named by a port or a point (perhaps gone since)? */
static bool dev_recorded(const char *ifname)
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

/*
 * "link show dev IFNAME" of an interface that neither exists nor is
 * recorded, or "cube CUBE" of no cube: an error, as "ip link show dev"
 * of a missing device is. @tree: the state was opened (else -ENOENT).
 */
static int show_filter_check(const char *dev, const char *cube, bool tree)
{
	struct nl_link ifc;
	struct pcn_cube c;
	int err;

	if (cube) {
		err = tree ? cube_open(cube, &c) : -ENOENT;
		if (err)
			return cube_open_err(cube, err);
		cube_close(&c);
	}
	if (dev) {
		err = nl_link_get(dev, 0, &ifc);
		if (err == -ENODEV && !(tree && dev_recorded(dev)))
			return pcn_err(PCN_EXIT_KERNEL,
				       "interface \"%s\" does not exist", dev);
		if (err && err != -ENODEV)
			return pcn_err_kernel(err, "cannot look up \"%s\"", dev);
	}
	return 0;
}

static int link_show_cmd(int argc, char **argv)
{
	const char *only_dev = NULL, *only_cube = NULL;
	struct pcn_port ports[PCN_MAX_PORTS];
	char **names = NULL;
	int n = 0, i, j, err;

	while (argc > 0) {
		if (is_kw(*argv, "dev")) {
			NEXT_ARG();
			if (only_dev)
				return pcn_dup_arg("dev");
			only_dev = *argv;
			if (!*only_dev || strlen(only_dev) >= IF_NAMESIZE)
				return pcn_bad_arg("interface name", only_dev);
		} else if (is_kw(*argv, "cube")) {
			NEXT_ARG();
			if (only_cube)
				return pcn_dup_arg("cube");
			only_cube = *argv;
			err = check_name("cube", only_cube);
			if (err)
				return err;
		} else {
			return pcn_unknown_kw("link", *argv);
		}
		argc--;
		argv++;
	}
	err = pcn_state_open(PCN_READ);
	if (err > 0)
		return err;
	err = show_filter_check(only_dev, only_cube, !err) ?: err;
	if (err > 0)
		return err;
	if (!err) {
		err = cube_names(&names, &n);
		if (err)
			return pcn_err_kernel(err, "cannot list cubes");
	}

	new_json_obj(json, pretty);
	open_json_array(PRINT_JSON, NULL);
	for (i = 0; i < n; i++) {
		struct pcn_cube c;

		if (only_cube && strcmp(only_cube, names[i]))
			continue;
		if (cube_open(names[i], &c))
			continue;
		if (!c.meta.max_ports) {
			transparent_print_links(&c, only_dev);
			cube_close(&c);
			continue;
		}
		if (cube_ports_read(&c, ports)) {
			cube_close(&c);
			continue;
		}
		for (j = 0; j < PCN_MAX_PORTS; j++) {
			const struct pcn_port *p = &ports[j];
			char ifname[IF_NAMESIZE];

			if (!p->name[0])
				continue;
			if (only_dev &&
			    (p->peer != PCN_PEER_IFACE ||
			     (strcmp(only_dev, p->peer_name) &&
			      !(if_indextoname(p->ifindex, ifname) &&
				!strcmp(only_dev, ifname)))))
				continue;
			open_json_object(NULL);
			print_string(PRINT_ANY, "cube", "%s", c.name);
			print_string(PRINT_ANY, "port", ":%s", p->name);
			print_string(PRINT_ANY, "mode", " mode %s",
				     mode_name(c.meta.mode));
			port_print_peer(&c, p);
			print_nl();
			close_json_object();
		}
		cube_close(&c);
	}
	close_json_array(PRINT_JSON, NULL);
	delete_json_obj();
	cube_names_free(names, n);
	return 0;
}

static const struct pcn_cmd cmds[] = {
	{ "show", link_show_cmd },
	{ "list", link_show_cmd },
	{ "add", link_add_cmd },
	{ "del", link_del_cmd },
	{ "delete", link_del_cmd },
	{ NULL, NULL },
};

int do_link(int argc, char **argv)
{
	return pcn_cmd_select("link", cmds, argc, argv, usage);
}
