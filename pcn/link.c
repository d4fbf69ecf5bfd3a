// SPDX-License-Identifier: GPL-2.0
/*
 * pcn link: the wiring of the cube graph.
 *
 *   pcn link add CUBE:PORT                       a port, connected to nothing
 *   pcn link add CUBE[:PORT] dev IFNAME          a port on an interface
 *   pcn link add CUBE[:PORT] peer CUBE[:PORT]    two cubes, port to port
 *   pcn link set CUBE:PORT { dev IFNAME | peer CUBE[:PORT] | none }
 *                                                the port moved, kept
 *   pcn link add TCUBE { dev IFNAME | port CUBE:PORT } [ DIR ] [ POS ]
 *                                                a transparent cube
 *   pcn link del ...                             the same, undone
 *   pcn link show [ dev IFNAME ] [ cube CUBE ]
 *
 * The engine makes and removes ports (lib/port.c) and places
 * transparent cubes (lib/transparent.c, through pcn/transparent.c);
 * this is the command: its grammar, its errors, what it shows.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>

#include "attach.h"
#include "netlink.h"
#include "pcn.h"
#include "transparent.h"
#include "veth.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: pcn link add CUBE:PORT\n"
		"       pcn link add CUBE[:PORT] dev IFNAME\n"
		"       pcn link add CUBE[:PORT] peer CUBE[:PORT]\n"
		"       pcn link set CUBE:PORT { dev IFNAME | peer CUBE[:PORT] | none }\n"
		"       pcn link add TCUBE { dev IFNAME | port CUBE:PORT } [ DIR ] [ POS ]\n"
		"       pcn link del { CUBE:PORT | dev IFNAME }\n"
		"       pcn link del TCUBE { dev IFNAME | port CUBE:PORT } [ DIR ]\n"
		"       pcn link show [ dev IFNAME ] [ cube CUBE ]\n"
		"       pcn link help\n"
		"where  DIR := { ingress | egress | both }\n"
		"       POS := { first | last | before TCUBE | after TCUBE }\n"
		"PORT defaults to IFNAME (dev) or to the other cube's name (peer).\n"
		"A port connected to nothing drops what it sends; \"add\" connects\n"
		"it, \"set\" moves a port, keeping its settings and counters.\n"
		"TCUBE is a transparent cube; DIR defaults to both, POS to last.\n");
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
	err = port_connect_dev(&c, port, &ifc, &type_port_hooks);
	if (!err)
		err = port_out_refresh(cube, port);
	if (err)
		err = pcn_err_kernel(err, "cannot connect %s:%s to %s", cube,
				     port, ifname);
	else
		veth_warn(&c, port, &ifc);
out:
	cube_close(&c);
	return err;
}

static int link_peer_add(const char *ca, char *pa, const char *cb, char *pb)
{
	struct pcn_cube a, b;
	int err;

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
	err = port_connect_peer(&a, pa, &b, pb, &type_port_hooks);
	if (!err)
		err = port_out_refresh(ca, pa) ?: port_out_refresh(cb, pb);
	if (err)
		err = pcn_err_kernel(err, "cannot link %s:%s to %s:%s", ca, pa,
				     cb, pb);
	cube_close(&a);
	cube_close(&b);
	return err;
}

static int link_port_add(const char *cube, const char *port);

static int link_add_cmd(int argc, char **argv)
{
	char cube[PCN_NAME_LEN], port[PCN_NAME_LEN];
	char cube2[PCN_NAME_LEN], port2[PCN_NAME_LEN];
	const char *ifname = NULL, *peer = NULL;
	int err;

	if (argc < 1)
		return pcn_err(PCN_EXIT_USAGE, "CUBE[:PORT] missing");
	err = arg_endpoint(*argv, cube, port);
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
		err = arg_endpoint(peer, cube2, port2);
		return err ? err : link_peer_add(cube, port, cube2, port2);
	}
	if (!ifname)
		return link_port_add(cube, port);
	return link_dev_add(cube, port, ifname);
}

/* "link add CUBE:PORT": a port connected to nothing */
static int link_port_add(const char *cube, const char *port)
{
	struct pcn_cube c;
	int err;

	if (!port[0])
		return pcn_err(PCN_EXIT_USAGE,
			       "which port of \"%s\"? give CUBE:PORT, or \"dev IFNAME\" or \"peer CUBE[:PORT]\"",
			       cube);
	err = cube_open_for_change(cube, &c);
	if (err)
		return err;
	err = port_add(&c, port, &type_port_hooks);
	if (err)
		err = pcn_err_kernel(err, "cannot add port %s:%s", cube, port);
	cube_close(&c);
	return err;
}

/* Port @cube:@port: @c open, its record in @rec, its index in @idx. */
static int port_lookup(const char *cube, const char *port, struct pcn_cube *c,
		       struct pcn_port *rec, int *idx)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	int err;

	err = cube_open_for_change(cube, c);
	if (err)
		return err;
	err = cube_ports_read(c, ports);
	if (err) {
		cube_close(c);
		return pcn_err_kernel(err, "cannot read ports of \"%s\"", cube);
	}
	*idx = cube_port_find(ports, PCN_MAX_PORTS, port);
	if (*idx < 0) {
		cube_close(c);
		return pcn_err(PCN_EXIT_KERNEL, "port %s:%s does not exist", cube,
			       port);
	}
	*rec = ports[*idx];
	return 0;
}

/* Port @port of @cube may become a peer: there is none, or it is free. */
static int peer_port_free(const char *cube, const char *port)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	struct pcn_cube c;
	int i, err;

	err = cube_open(cube, &c);
	if (err)
		return cube_open_err(cube, err);
	err = cube_ports_read(&c, ports);
	i = err ? -1 : cube_port_find(ports, PCN_MAX_PORTS, port);
	cube_close(&c);
	if (err)
		return pcn_err_kernel(err, "cannot read ports of \"%s\"", cube);
	if (i >= 0 && ports[i].peer != PCN_PEER_NONE)
		return pcn_err(PCN_EXIT_KERNEL,
			       "port %s:%s is connected to %s%s%s: \"pcn link set %s:%s none\" first",
			       cube, port, ports[i].peer_name,
			       ports[i].peer == PCN_PEER_CUBE ? ":" : "",
			       ports[i].peer_port_name, cube, port);
	return 0;
}

/*
 * Connect @cube:@port (connected to nothing) as @was was, after a
 * failed move. Return: 0 or an error, said.
 */
static int link_restore(const char *cube, const char *port,
			const struct pcn_port *was)
{
	char peer[PCN_NAME_LEN], pport[PCN_NAME_LEN];

	if (was->peer == PCN_PEER_IFACE)
		return link_dev_add(cube, (char *)port, was->peer_name);
	if (was->peer != PCN_PEER_CUBE)
		return 0;
	name_copy(peer, was->peer_name);
	name_copy(pport, was->peer_port_name);
	return link_peer_add(cube, (char *)port, peer, pport);
}

/*
 * "link set CUBE:PORT { dev IFNAME | peer CUBE[:PORT] | none }": the
 * port leaves what it is connected to, and is connected anew; if that
 * fails, to what it was connected to again.
 */
static int link_set_cmd(int argc, char **argv)
{
	char cube[PCN_NAME_LEN], port[PCN_NAME_LEN];
	char cube2[PCN_NAME_LEN], port2[PCN_NAME_LEN];
	const char *kw, *arg = NULL;
	struct pcn_port rec;
	struct pcn_cube c;
	struct nl_link ifc;
	int idx = -1, err;

	if (argc < 1)
		return pcn_err(PCN_EXIT_USAGE, "CUBE:PORT missing");
	err = arg_endpoint(*argv, cube, port);
	if (err)
		return err;
	if (!port[0])
		return pcn_err(PCN_EXIT_USAGE,
			       "which port of \"%s\"? give CUBE:PORT", cube);
	if (argc < 2)
		return pcn_err(PCN_EXIT_USAGE,
			       "\"dev IFNAME\", \"peer CUBE[:PORT]\" or \"none\" is missing");
	kw = argv[1];
	if (is_kw(kw, "dev") || is_kw(kw, "peer")) {
		if (argc < 3)
			return pcn_err(PCN_EXIT_USAGE, "\"%s\" needs an argument",
				       kw);
		arg = argv[2];
		argc--;
	} else if (!is_kw(kw, "none")) {
		return pcn_unknown_kw("link", kw);
	}
	if (argc > 2)
		return pcn_err(PCN_EXIT_USAGE, "unexpected \"%s\"", argv[2]);
	/* what it is to be connected to, checked before it moves */
	if (is_kw(kw, "peer")) {
		err = arg_endpoint(arg, cube2, port2);
		if (err)
			return err;
		if (!port2[0])
			name_copy(port2, cube);
	} else if (arg) {
		err = nl_link_get(arg, 0, &ifc);
		if (err)
			return err == -ENODEV
				       ? pcn_err(PCN_EXIT_KERNEL,
						 "interface \"%s\" does not exist",
						 arg)
				       : pcn_err_kernel(err, "cannot look up \"%s\"",
							arg);
	}
	err = port_lookup(cube, port, &c, &rec, &idx);
	if (err)
		return err;
	/* there already (an interface of that name made again is not) */
	if (is_kw(kw, "dev") ? rec.peer == PCN_PEER_IFACE &&
				       (int)rec.ifindex == ifc.ifindex
			     : is_kw(kw, "peer") && rec.peer == PCN_PEER_CUBE &&
				       !strcmp(rec.peer_name, cube2) &&
				       !strcmp(rec.peer_port_name, port2)) {
		cube_close(&c);
		return 0;
	}
	if (is_kw(kw, "dev")) {
		err = iface_in_use(ifc.ifindex, ifc.name, true);
		if (err) {
			cube_close(&c);
			return pcn_err_kernel(err, "cannot connect %s:%s to %s",
					      cube, port, arg);
		}
	}
	if (is_kw(kw, "peer")) {
		err = peer_port_free(cube2, port2);
		if (err) {
			cube_close(&c);
			return err;
		}
	}
	err = port_unset(&c, idx, &rec, &type_port_hooks);
	if (!err && rec.peer == PCN_PEER_CUBE)
		err = port_out_refresh(rec.peer_name, rec.peer_port_name);
	if (!err)
		err = port_out_refresh(cube, port);
	cube_close(&c);
	if (err)
		return pcn_err_kernel(err, "cannot disconnect %s:%s", cube, port);
	if (is_kw(kw, "none"))
		return 0;
	err = is_kw(kw, "dev") ? link_dev_add(cube, port, arg)
			       : link_peer_add(cube, port, cube2, port2);
	if (err && link_restore(cube, port, &rec))
		pcn_warn("%s:%s is left connected to nothing", cube, port);
	return err;
}

static int link_del_cmd(int argc, char **argv)
{
	char cube[PCN_NAME_LEN], port[PCN_NAME_LEN];
	struct pcn_port ports[PCN_MAX_PORTS];
	const char *ifname = NULL;
	struct pcn_cube c;
	int idx, err;
	bool none;

	if (argc < 1)
		return pcn_err(PCN_EXIT_USAGE, "CUBE:PORT or \"dev IFNAME\" missing");
	if (is_kw(*argv, "dev")) {
		NEXT_ARG();
		ifname = *argv;
		if (!*ifname || strlen(ifname) >= IF_NAMESIZE)
			return pcn_bad_arg("interface name", ifname);
	} else {
		err = arg_endpoint(*argv, cube, port);
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

	err = tree_open(PCN_WRITE_EXISTING, &none);
	if (err)
		return err;
	if (none)
		return ifname ? pcn_err(PCN_EXIT_KERNEL,
					"no cube port is connected to \"%s\"",
					ifname)
			      : cube_open_err(cube, -ENOENT);
	if (ifname && port_find_by_dev(ifname, cube, port))
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
	err = port_disconnect(&c, idx, &ports[idx], &type_port_hooks);
	if (err)
		err = pcn_err_kernel(err, "cannot disconnect %s:%s", cube, port);
out:
	cube_close(&c);
	return err;
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
		if (err == -ENODEV && !(tree && iface_recorded(dev)))
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
	bool none;

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
	err = tree_open(PCN_READ, &none);
	if (!err)
		err = show_filter_check(only_dev, only_cube, !none);
	if (err)
		return err;
	if (!none) {
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
	{ "set", link_set_cmd },
	{ "change", link_set_cmd },
	{ "del", link_del_cmd },
	{ "delete", link_del_cmd },
	{ NULL, NULL },
};

const struct pcn_object link_object = {
	.name = "link",
	.cmds = cmds,
	.summary = "wire cubes: ports to interfaces and to each other",
	.usage = usage,
};
