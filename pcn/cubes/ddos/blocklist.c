// SPDX-License-Identifier: GPL-2.0
/*
 * pcn blocklist: the block lists of ddos cubes.
 *
 *   pcn blocklist show [ DDOS [ top N ] ]
 *   pcn blocklist add DDOS { src | dst } PREFIX
 *   pcn blocklist del DDOS { src | dst } PREFIX
 *   pcn blocklist flush DDOS [ src | dst ]
 *
 * An entry is an address or a prefix, IPv4 or IPv6, that a packet's
 * source (src) or destination (dst) must not be in. Each change is one
 * switch of generation in the datapath (dm_table.c); in a -batch, all
 * the list changes of the batch are, so a file of a million lines is
 * one change.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "dm.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: pcn blocklist show [ DDOS [ top N ] ]\n"
		"       pcn blocklist add DDOS { src | dst } PREFIX\n"
		"       pcn blocklist del DDOS { src | dst } PREFIX\n"
		"       pcn blocklist flush DDOS [ src | dst ]\n"
		"       pcn blocklist help\n"
		"where  PREFIX := { A.B.C.D[/LEN] | X:X::X[/LEN] }\n");
}

static int side_parse(const char *arg, __u32 *side)
{
	if (is_kw(arg, "src"))
		*side = DDOS_SRC;
	else if (is_kw(arg, "dst"))
		*side = DDOS_DST;
	else
		return pcn_err(PCN_EXIT_USAGE,
			       "\"%s\" is neither src nor dst", arg ? arg : "");
	return 0;
}

/* "DDOS { src | dst } PREFIX", nothing after */
static int entry_parse(int argc, char **argv, const char **name,
		       struct ddos_entry *e)
{
	__u32 side, plen;
	int err, family;

	if (argc < 1)
		return pcn_missing_arg("DDOS");
	err = check_name("cube", argv[0]);
	if (err)
		return err;
	*name = argv[0];
	if (argc < 2)
		return pcn_err(PCN_EXIT_USAGE, "src or dst missing");
	err = side_parse(argv[1], &side);
	if (err)
		return err;
	if (argc < 3)
		return pcn_missing_arg(argv[1]);
	if (argc > 3)
		return pcn_err(PCN_EXIT_USAGE, "unexpected \"%s\"", argv[3]);
	memset(e, 0, sizeof(*e));
	err = pcn_parse_prefix(argv[2], e->addr, &plen, &family);
	if (err)
		return pcn_err_parse(err, "prefix", argv[2]);
	e->family = family;
	e->side = side;
	e->plen = plen;
	return 0;
}

static int change_cmd(int argc, char **argv, bool add)
{
	char buf[PCN_PREFIX_STRLEN];
	struct ddos_entry e;
	struct dm_table *t;
	const char *name = NULL;
	bool has;
	int err;

	err = entry_parse(argc, argv, &name, &e);
	if (err)
		return err;
	t = dm_table_get(name, &err);
	if (!t)
		return err;
	err = dm_table_has(t, &e, &has);
	if (err) {
		err = pcn_err_kernel(err, "cannot read the list of \"%s\"", name);
		goto fail;
	}
	pcn_prefix_str(e.family, e.addr, e.plen, buf);
	if (add && has) {
		err = pcn_err(PCN_EXIT_KERNEL, "%s %s is in the list of \"%s\" already",
			      dm_side_name(e.side), buf, name);
		goto fail;
	}
	if (!add && !has) {
		err = pcn_err(PCN_EXIT_KERNEL, "%s %s is not in the list of \"%s\"",
			      dm_side_name(e.side), buf, name);
		goto fail;
	}
	err = dm_table_put(t, &e, add);
	if (err) {
		err = pcn_err_kernel(err, "cannot stage the change");
		goto fail;
	}
	return dm_table_done(t);
fail:
	dm_table_drop(t);
	return err;
}

static int add_cmd(int argc, char **argv)
{
	return change_cmd(argc, argv, true);
}

static int del_cmd(int argc, char **argv)
{
	return change_cmd(argc, argv, false);
}

static int flush_cmd(int argc, char **argv)
{
	struct dm_table *t;
	__u32 side = 0;
	int err, which = -1;

	if (argc < 1)
		return pcn_missing_arg("DDOS");
	err = check_name("cube", argv[0]);
	if (err)
		return err;
	if (argc > 1) {
		err = side_parse(argv[1], &side);
		if (err)
			return err;
		which = side;
	}
	if (argc > 2)
		return pcn_err(PCN_EXIT_USAGE, "unexpected \"%s\"", argv[2]);
	t = dm_table_get(argv[0], &err);
	if (!t)
		return err;
	err = dm_table_flush(t, which);
	if (err) {
		err = pcn_err_kernel(err, "cannot flush the list of \"%s\"",
				     argv[0]);
		dm_table_drop(t);
		return err;
	}
	return dm_table_done(t);
}

static int show_cb(struct pcn_cube *c, void *arg)
{
	char buf[PCN_PREFIX_STRLEN];
	struct ddos_entry *es;
	struct dm_maps m;
	__u32 *ids;
	int n, i, err;

	if (strcmp(c->meta.type, "ddos"))
		return 0;
	err = dm_maps_open(c, &m);
	if (err)
		return err;
	n = dm_list_read(&m, &es, &ids);
	if (n < 0) {
		dm_maps_close(&m);
		return n;
	}
	for (i = 0; i < n; i++) {
		struct ddos_hit h = {};

		open_json_object(NULL);
		print_string(PRINT_ANY, "cube", "%s", c->name);
		print_string(PRINT_ANY, "side", " %s", dm_side_name(es[i].side));
		print_string(PRINT_ANY, "prefix", " %s",
			     pcn_prefix_str(es[i].family, es[i].addr,
					    es[i].plen, buf));
		if (show_stats) {
			bpf_map_lookup_elem(m.hits, &ids[i], &h);
			print_u64(PRINT_ANY, "packets", " dropped %" PRIu64 " packets",
				  h.packets);
			print_u64(PRINT_ANY, "bytes", " %" PRIu64 " bytes", h.bytes);
		}
		close_json_object();
		print_nl();
	}
	free(es);
	free(ids);
	dm_maps_close(&m);
	return 0;
}

static int top_cb(struct pcn_cube *c, void *arg)
{
	return dm_top(c, *(__u32 *)arg);
}

#define TOP_MAX 10000

static int show_cmd(int argc, char **argv)
{
	__u32 count;
	int err;

	if (argc) {
		err = check_name("cube", argv[0]);
		if (err)
			return err;
	}
	if (argc > 1 && is_kw(argv[1], "top")) {
		if (argc < 3)
			return pcn_missing_arg("top");
		if (pcn_parse_u32(argv[2], 10, &count) || !count ||
		    count > TOP_MAX)
			return pcn_err(PCN_EXIT_USAGE,
				       "top \"%s\": a number from 1 to %d",
				       argv[2], TOP_MAX);
		if (argc > 3)
			return pcn_err(PCN_EXIT_USAGE, "unexpected \"%s\"",
				       argv[3]);
		return cube_show_of_type(argv[0], "ddos", top_cb, &count);
	}
	if (argc > 1)
		return pcn_err(PCN_EXIT_USAGE, "unexpected \"%s\"", argv[1]);
	return cube_show_of_type(argc ? argv[0] : NULL, "ddos", show_cb, NULL);
}

int dm_list_save(struct pcn_cube *c, struct pcn_save *s)
{
	char buf[PCN_PREFIX_STRLEN];
	struct ddos_entry *es;
	struct dm_maps m;
	int n, i, err;

	err = dm_maps_open(c, &m);
	if (err)
		return err;
	n = dm_list_read(&m, &es, NULL);
	dm_maps_close(&m);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++)
		pcn_save_line(s, "blocklist add %s %s %s", c->name,
			      dm_side_name(es[i].side),
			      pcn_prefix_str(es[i].family, es[i].addr,
					     es[i].plen, buf));
	free(es);
	return 0;
}

static const struct pcn_cmd cmds[] = {
	{ "show", show_cmd },
	{ "list", show_cmd },
	{ "add", add_cmd },
	{ "del", del_cmd },
	{ "delete", del_cmd },
	{ "flush", flush_cmd },
	{ NULL, NULL },
};

const struct pcn_object blocklist_object = {
	.name = "blocklist",
	.cmds = cmds,
	.summary = "block lists of ddos cubes: addresses and prefixes dropped",
	.usage = usage,
};
