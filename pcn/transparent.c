// SPDX-License-Identifier: GPL-2.0
/*
 * pcn link add|del TCUBE { dev IFNAME | port CUBE:PORT } [ DIR ] [ POS ]:
 * the grammar of placing transparent cubes, and how their places show
 * (the engine: lib/transparent.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>

#include "chain.h"
#include "netlink.h"
#include "panel.h"
#include "pcn.h"
#include "transparent.h"

int transparent_cmd(bool add, int argc, char **argv)
{
	bool want[2] = { false, false }, dir_set = false;
	const char *rel = NULL, *tname = *argv;
	enum pos_kind k = POS_LAST;
	bool pos_set = false;
	struct where w = {}, win;
	struct nl_link ifc;
	char place[64];
	struct pcn_cube t;
	int err, d, done = -1;

	err = check_name("cube", tname);
	if (err)
		return err;
	argc--;
	argv++;
	if (is_kw(*argv, "dev")) {
		NEXT_ARG();
		if (!**argv || strlen(*argv) >= IF_NAMESIZE)
			return pcn_bad_arg("interface name", *argv);
		w.dev = true;
		snprintf(w.ifname, sizeof(w.ifname), "%s", *argv);
	} else {
		NEXT_ARG();
		err = arg_endpoint(*argv, w.cube, w.port);
		if (err)
			return err;
		if (!w.port[0])
			return pcn_err(PCN_EXIT_USAGE,
				       "which port of \"%s\"? give CUBE:PORT",
				       w.cube);
	}
	argc--;
	argv++;
	while (argc > 0) {
		if (is_kw(*argv, "ingress") || is_kw(*argv, "egress") ||
		    is_kw(*argv, "both")) {
			DUP_CHECK(dir_set, "direction");
			want[PCN_DIR_INGRESS] = !is_kw(*argv, "egress");
			want[PCN_DIR_EGRESS] = !is_kw(*argv, "ingress");
		} else if (add && (is_kw(*argv, "first") || is_kw(*argv, "last"))) {
			DUP_CHECK(pos_set, "position");
			k = is_kw(*argv, "first") ? POS_FIRST : POS_LAST;
		} else if (add && (is_kw(*argv, "before") || is_kw(*argv, "after"))) {
			DUP_CHECK(pos_set, "position");
			k = is_kw(*argv, "before") ? POS_BEFORE : POS_AFTER;
			NEXT_ARG();
			rel = *argv;
			err = check_name("cube", rel);
			if (err)
				return err;
		} else {
			return pcn_unknown_kw("link", *argv);
		}
		argc--;
		argv++;
	}

	err = cube_open_for_change(tname, &t);
	if (err)
		return err;
	if (t.meta.max_ports) {
		err = pcn_err(PCN_EXIT_KERNEL,
			      "cube \"%s\" has ports: connect them with \"pcn link add %s:PORT ...\"",
			      tname, tname);
		goto out;
	}
	if (rel && !strcmp(rel, tname)) {
		err = pcn_err(PCN_EXIT_USAGE, "\"%s\" cannot go before or after itself",
			      tname);
		goto out;
	}
	if (w.dev) {
		if (!nl_link_get(w.ifname, 0, &ifc))
			w.ifindex = ifc.ifindex;
		else if (add) {
			err = pcn_err(PCN_EXIT_KERNEL,
				      "interface \"%s\" does not exist", w.ifname);
			goto out;
		}
	}
	/* by default both ways, but XDP has no egress hook on an interface */
	if (!dir_set) {
		want[PCN_DIR_INGRESS] = true;
		want[PCN_DIR_EGRESS] = !(w.dev && t.meta.mode != PCN_MODE_TC);
	}
	/*
	 * On an interface a port owns, the way in is the port's: the cube
	 * sees what comes in before the port's cube does. The way out is
	 * the interface's own (tc), what the host sends out of it.
	 */
	win = w;
	if (w.dev && !port_find_by_dev(w.ifname, win.cube, win.port))
		win.dev = false;
	where_str(&w, place, sizeof(place));
	for (d = PCN_DIR_INGRESS; d <= PCN_DIR_EGRESS && !err; d++) {
		const struct where *wd = d == PCN_DIR_INGRESS ? &win : &w;
		char pl[80];
		int id;

		if (!want[d])
			continue;
		snprintf(pl, sizeof(pl), "%s %s", place, pcn_dir_names[d]);
		if (add) {
			err = transparent_attach(&t, wd, d, k, rel,
						 &type_port_hooks);
			if (!err)
				done = d;
		} else if (!dir_set) {
			/* wherever it is at that place */
			id = point_holding(&t, wd, d);
			if (id >= 0) {
				err = transparent_detach(&t, id, pl,
							 &type_port_hooks);
				done = d;
			}
		} else {
			id = point_of(wd, d);
			err = id < 0 ? pcn_fail(-ENOENT,
						"nothing is attached to %s", pl)
				     : transparent_detach(&t, id, pl,
							  &type_port_hooks);
		}
		if (err)
			err = pcn_err_kernel(err, "cannot %s %s %s",
					     add ? "attach" : "detach", tname, pl);
	}
	if (!add && !dir_set && done < 0 && !err)
		err = pcn_err(PCN_EXIT_KERNEL, "cube \"%s\" is not attached to %s",
			      tname, place);
	/* all or nothing: a failed egress takes the ingress back */
	if (err && add && done == PCN_DIR_INGRESS) {
		int id = point_of(&win, PCN_DIR_INGRESS);

		if (id >= 0)
			transparent_detach(&t, id, place, &type_port_hooks);
	}
	/* the finals no chain ends in any more (or, after a failure, put
	 * in the panel for nothing) */
	if (err || !add)
		finals_gc(t.meta.mode);
out:
	cube_close(&t);
	return err;
}
