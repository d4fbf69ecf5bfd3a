// SPDX-License-Identifier: GPL-2.0
/*
 * How the wiring shows, in cube show and link show: a port's peer and
 * the state of its attachment (with -d, what a veth's peer has), the
 * chains of transparent cubes at its ingress and egress, and the points
 * a transparent cube is attached to.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <net/if.h>

#include "attach.h"
#include "chain.h"
#include "netlink.h"
#include "pcn.h"
#include "transparent.h"
#include "veth.h"

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
static void print_attachment(const char *path, enum pcn_attach attach,
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

static void print_chain(const char *key, enum pcn_mode mode,
			const struct pcn_chain *ch)
{
	char name[PCN_NAME_LEN];
	__u32 i;

	open_json_array(PRINT_JSON, key);
	print_string(PRINT_FP, NULL, " %s", key);
	for (i = 0; i < ch->n && i < PCN_MAX_HOPS; i++) {
		slot_name(mode, ch->hops[i], name);
		print_string(PRINT_ANY, NULL, i ? ",%s" : " %s", name);
	}
	close_json_array(PRINT_JSON, NULL);
}

/* the chains at a port's ingress and egress, in cube and link show */
static void port_print_chains(struct pcn_cube *c, const struct pcn_port *p)
{
	struct pcn_chain ch;

	if (!point_chain(p->in_point, &ch) && ch.n)
		print_chain("ingress_chain", c->meta.mode, &ch);
	if (p->eg_point != PCN_POINT_NONE && !point_chain(p->eg_point, &ch) &&
	    ch.n)
		print_chain("egress_chain", c->meta.mode, &ch);
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
		port_link_path(c, p->name, path, sizeof(path));
		print_attachment(path, p->attach, p->ifindex, p->peer_name,
				 false);
		print_veth_peer(c, p);
	} else {
		print_string(PRINT_ANY, "state", " %s", "unconnected");
	}
	port_print_chains(c, p);
}

struct show_arg {
	const char *only_dev;
	bool lines;			/* link show: one line each */
};

static void print_point_cb(const struct pcn_cube *t, __u32 id,
			   const struct pcn_point *pt,
			   const struct pcn_chain *ch, int pos, void *arg)
{
	const struct show_arg *a = arg;
	char path[PATH_MAX], ep[2 * PCN_NAME_LEN + 1];

	if (a->only_dev && (pt->kind != PCN_POINT_DEV ||
			    strncmp(pt->ifname, a->only_dev, PCN_NAME_LEN)))
		return;
	open_json_object(NULL);
	if (a->lines) {
		print_string(PRINT_ANY, "cube", "%s", t->name);
		print_string(PRINT_ANY, "mode", " mode %s",
			     mode_name(t->meta.mode));
	} else {
		print_string(PRINT_FP, NULL, "%s", "    attached");
	}
	if (pt->kind == PCN_POINT_DEV) {
		point_links_path(id, path, sizeof(path));
		print_attachment(path, pt->attach, pt->ifindex, pt->ifname,
				 pt->dir == PCN_DIR_EGRESS);
	} else {
		snprintf(ep, sizeof(ep), "%s:%s", pt->cube, pt->port);
		print_string(PRINT_ANY, "port", " port %s", ep);
	}
	print_string(PRINT_ANY, "direction", " %s", pcn_dir_names[pt->dir & 1]);
	print_uint(PRINT_ANY, "position", " position %u", pos + 1);
	print_uint(PRINT_ANY, "of", "/%u", ch->n);
	if (show_details)
		print_uint(PRINT_ANY, "point", " point %u", id);
	print_nl();
	close_json_object();
}

void transparent_print_links(struct pcn_cube *c, const char *only_dev)
{
	struct show_arg a = { .only_dev = only_dev, .lines = true };

	for_each_point_of(c, print_point_cb, &a);
}

void transparent_print_points(struct pcn_cube *c)
{
	struct show_arg a = { .lines = false };

	open_json_array(PRINT_JSON, "attached");
	for_each_point_of(c, print_point_cb, &a);
	close_json_array(PRINT_JSON, NULL);
}
