// SPDX-License-Identifier: GPL-2.0
/*
 * pcn link: connect cube ports to interfaces.
 *
 *   pcn link add CUBE[:PORT] dev IFNAME
 *   pcn link del { CUBE:PORT | dev IFNAME }
 *   pcn link show [ dev IFNAME ] [ cube CUBE ]
 *
 * A port exists while it is connected. Its entry program is attached to
 * the interface as a bpf_link pinned at cubes/CUBE/link_PORT: that pin is
 * the commit point of "link add" and removing it detaches.
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
#include "json_print.h"
#include "netlink.h"
#include "pcn.h"
#include "utils.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: pcn link add CUBE[:PORT] dev IFNAME\n"
		"       pcn link del { CUBE:PORT | dev IFNAME }\n"
		"       pcn link show [ dev IFNAME ] [ cube CUBE ]\n"
		"       pcn link help\n"
		"PORT defaults to IFNAME.\n");
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

int port_remove(struct pcn_cube *c, __u32 idx)
{
	const struct cube_type *type = cube_type_find(c->meta.type);
	int err = 0;

	if (type && type->port_removed)
		err = type->port_removed(c, idx);
	if (!err)
		err = cube_port_clear(c, idx);
	if (!err)
		err = zero_stats_and_devmap(c, idx, 0);
	return err;
}

/* Which port of which cube of this netns uses @ifindex, if any. */
static bool iface_owner(int ifindex, char *cube, char *port)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	char **names;
	int n, i, j;
	bool found = false;

	if (cube_names(&names, &n))
		return false;
	for (i = 0; i < n && !found; i++) {
		struct pcn_cube c;

		if (cube_open(names[i], &c))
			continue;
		if (!cube_ports_read(&c, ports)) {
			for (j = 0; j < PCN_MAX_PORTS; j++) {
				if (ports[j].name[0] &&
				    ports[j].peer == PCN_PEER_IFACE &&
				    (int)ports[j].ifindex == ifindex) {
					name_copy(cube, c.name);
					name_copy(port, ports[j].name);
					found = true;
					break;
				}
			}
		}
		cube_close(&c);
	}
	cube_names_free(names, n);
	return found;
}

static int link_add_err(const char *cube, const char *port, const char *ifname,
			enum pcn_mode mode, int err)
{
	const char *hint = attach_hint(mode, err);
	const char *ext = nl_extack();

	if (hint)
		return pcn_err(PCN_EXIT_KERNEL,
			       "cannot connect %s:%s to %s: %s (%s)", cube, port,
			       ifname, strerror(-err), hint);
	if (*ext)
		return pcn_err(PCN_EXIT_KERNEL,
			       "cannot connect %s:%s to %s: %s (%s)", cube, port,
			       ifname, strerror(-err), ext);
	return pcn_err_kernel(err, "cannot connect %s:%s to %s", cube, port,
			      ifname);
}

static int link_connect(struct pcn_cube *c, const char *port,
			const struct nl_link *ifc)
{
	struct pcn_intent intent = { .op = PCN_INTENT_LINK_ADD };
	struct pcn_port ports[PCN_MAX_PORTS], rec = {};
	enum pcn_attach how = PCN_ATTACH_NONE;
	int prog_fd = -1, link_fd = -1, idx, err;
	char path[PATH_MAX];
	struct pcn_stage stage;

	err = cube_ports_read(c, ports);
	if (err)
		return pcn_err_kernel(err, "cannot read ports of \"%s\"",
				      c->name);
	idx = cube_port_find(ports, c->meta.max_ports, port);
	if (idx >= 0)
		return pcn_err(PCN_EXIT_KERNEL,
			       "port %s:%s exists (connected to %s)", c->name,
			       port, ports[idx].peer_name);
	for (idx = 0; idx < (int)c->meta.max_ports; idx++)
		if (!ports[idx].name[0])
			break;
	if (idx == (int)c->meta.max_ports)
		return pcn_err(PCN_EXIT_KERNEL,
			       "cube \"%s\" has no free port (at most %u)",
			       c->name, c->meta.max_ports);

	intent.mode = c->meta.mode;
	intent.slot = c->meta.slot;
	intent.port = idx;
	intent.ifindex = ifc->ifindex;
	name_copy(intent.cube, c->name);
	name_copy(intent.port_name, port);
	err = pcn_stage_begin(&stage, &intent);
	if (err)
		return pcn_err_kernel(err, "cannot stage the link");

	prog_fd = port_prog_load(c->meta.mode, c->meta.slot, idx);
	if (prog_fd < 0) {
		err = pcn_err_kernel(prog_fd, "cannot load the entry program of %s:%s",
				     c->name, port);
		goto undo;
	}
	err = port_attach(c->meta.mode, ifc->ifindex, prog_fd, port, &link_fd,
			  &how);
	if (err) {
		err = link_add_err(c->name, port, ifc->name, c->meta.mode, err);
		goto undo;
	}
	pcn_fault_point("link-add-attached");

	name_copy(rec.name, port);
	rec.peer = PCN_PEER_IFACE;
	rec.ifindex = ifc->ifindex;
	rec.attach = how;
	name_copy(rec.peer_name, ifc->name);
	err = zero_stats_and_devmap(c, idx, ifc->ifindex);
	if (!err)
		err = cube_port_write(c, idx, &rec);
	if (err) {
		err = pcn_err_kernel(err, "cannot write port %s:%s", c->name,
				     port);
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
	err = 0;
	goto out;
undo:
	if (how == PCN_ATTACH_CLSACT)
		port_detach_nolink(how, ifc->ifindex);
	if (rec.name[0])
		port_remove(c, idx);
out:
	if (link_fd >= 0)
		close(link_fd);
	if (prog_fd >= 0)
		close(prog_fd);
	pcn_stage_end(&stage);
	return err;
}

static int link_add_cmd(int argc, char **argv)
{
	char cube[PCN_NAME_LEN], port[PCN_NAME_LEN];
	const char *ifname = NULL;
	struct nl_link ifc;
	struct pcn_cube c;
	int err;

	if (argc < 1)
		return pcn_err(PCN_EXIT_USAGE, "CUBE[:PORT] missing");
	err = parse_endpoint(*argv, cube, port);
	if (err)
		return err;
	argc--;
	argv++;
	while (argc > 0) {
		if (is_kw(*argv, "dev")) {
			NEXT_ARG();
			if (ifname)
				return pcn_dup_arg("dev");
			ifname = *argv;
		} else {
			return pcn_unknown_kw("link", *argv);
		}
		argc--;
		argv++;
	}
	if (!ifname)
		return pcn_err(PCN_EXIT_USAGE, "\"dev IFNAME\" is missing");
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
		err = pcn_err(PCN_EXIT_KERNEL, "cube \"%s\" has no ports", cube);
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
	{
		char oc[PCN_NAME_LEN], op[PCN_NAME_LEN];

		if (iface_owner(ifc.ifindex, oc, op)) {
			err = pcn_err(PCN_EXIT_KERNEL,
				      "interface \"%s\" is already connected to %s:%s",
				      ifname, oc, op);
			goto out;
		}
	}
	err = link_connect(&c, port, &ifc);
out:
	cube_close(&c);
	return err;
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
	port_detach_nolink(p->attach, p->ifindex);
	err = port_remove(c, idx);
	pcn_stage_end(&stage);
	if (err)
		return pcn_err_kernel(err, "cannot remove port %s:%s", c->name,
				      p->name);
	return 0;
}

/* Find the port named by "CUBE:PORT" or by "dev IFNAME". */
static int find_port_by_dev(const char *ifname, char *cube, char *port)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	struct nl_link ifc;
	char **names;
	int n, i, j, found = 0;

	/* the interface may be gone: match the name recorded too */
	if (nl_link_get(ifname, 0, &ifc))
		ifc.ifindex = 0;
	if (cube_names(&names, &n))
		return -ENOENT;
	for (i = 0; i < n && !found; i++) {
		struct pcn_cube c;

		if (cube_open(names[i], &c))
			continue;
		if (!cube_ports_read(&c, ports)) {
			for (j = 0; j < PCN_MAX_PORTS && !found; j++) {
				const struct pcn_port *p = &ports[j];

				if (!p->name[0] || p->peer != PCN_PEER_IFACE)
					continue;
				if ((ifc.ifindex && (int)p->ifindex == ifc.ifindex) ||
				    (!ifc.ifindex &&
				     !strncmp(p->peer_name, ifname, PCN_NAME_LEN))) {
					name_copy(cube, c.name);
					name_copy(port, p->name);
					found = 1;
				}
			}
		}
		cube_close(&c);
	}
	cube_names_free(names, n);
	return found ? 0 : -ENOENT;
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
	err = link_disconnect(&c, idx, &ports[idx]);
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

static enum link_status port_status(const struct pcn_cube *c,
				    const struct pcn_port *p,
				    struct link_state *st)
{
	char path[PATH_MAX];

	link_path(c, p->name, path, sizeof(path));
	if (link_query(path, p->attach, p->ifindex, st) || !st->present)
		return LINK_MISSING;
	if (!st->ifindex)
		return LINK_IFACE_GONE;
	return LINK_ATTACHED;
}

void port_print_peer(struct pcn_cube *c, const struct pcn_port *p)
{
	enum link_status status;
	struct link_state st;
	char ifname[IF_NAMESIZE];
	const char *dev = p->peer_name;

	if (p->peer != PCN_PEER_IFACE)
		return;
	status = port_status(c, p, &st);
	/* the interface may have been renamed since */
	if (status == LINK_ATTACHED && if_indextoname(p->ifindex, ifname))
		dev = ifname;
	print_string(PRINT_ANY, "dev", " dev %s", dev);
	if (status != LINK_ATTACHED || is_json_context())
		print_string(PRINT_ANY, "state", " state %s",
			     status_names[status]);
	if (show_details) {
		print_uint(PRINT_ANY, "ifindex", " ifindex %u", p->ifindex);
		print_string(PRINT_ANY, "attach", " attach %s",
			     attach_name(p->attach));
		if (st.link_id)
			print_uint(PRINT_ANY, "link_id", " link_id %u",
				   st.link_id);
		if (st.prog_id)
			print_uint(PRINT_ANY, "prog_id", " prog_id %u",
				   st.prog_id);
	}
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
		if (cube_ports_read(&c, ports)) {
			cube_close(&c);
			continue;
		}
		for (j = 0; j < PCN_MAX_PORTS; j++) {
			const struct pcn_port *p = &ports[j];
			char ifname[IF_NAMESIZE];

			if (!p->name[0] || p->peer != PCN_PEER_IFACE)
				continue;
			if (only_dev && strcmp(only_dev, p->peer_name) &&
			    !(if_indextoname(p->ifindex, ifname) &&
			      !strcmp(only_dev, ifname)))
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
