// SPDX-License-Identifier: GPL-2.0
/*
 * pcn fdb: the forwarding database of bridge cubes, like "bridge fdb".
 *
 *   pcn fdb show [ cube BRIDGE ] [ port BRIDGE:PORT ] [ vlan VID ]
 *   pcn fdb add MAC port BRIDGE:PORT [ vlan VID ] [ static ]
 *                                                   a static entry
 *   pcn fdb del MAC cube BRIDGE [ vlan VID ]
 *   pcn fdb flush cube BRIDGE [ port PORT ] [ vlan VID ] [ dynamic ]
 *
 * An entry is a station (MAC) in a VLAN; VID defaults to 1 for add and
 * del.
 *
 * Entries live in the bridge's br_fdb map: the datapath learns them and
 * refreshes them; an entry older than the bridge's ageing time is dead
 * (not shown, not used) and the datapath drops it when it meets it.
 * Each CPU caches the stations it saw last (br_cache): whatever removes
 * an entry or moves it to another port increments br_gen afterwards,
 * which voids every cached copy (gen_map() before the change, gen_done()
 * after it).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>

#include "br.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: pcn fdb show [ cube BRIDGE ] [ port BRIDGE:PORT ] [ vlan VID ]\n"
		"       pcn fdb add MAC port BRIDGE:PORT [ vlan VID ] [ static ]\n"
		"       pcn fdb del MAC cube BRIDGE [ vlan VID ]\n"
		"       pcn fdb flush cube BRIDGE [ port PORT ] [ vlan VID ] [ dynamic ]\n"
		"       pcn fdb help\n"
		"MAC := xx:xx:xx:xx:xx:xx (unicast); entries added are static.\n"
		"VID := 1..4094, 1 by default for add and del.\n");
}

static __u64 ageing_ns(struct pcn_cube *c)
{
	struct br_config cfg = { .ageing_ns = BR_AGEING_DEFAULT * NSEC_PER_SEC };
	__u32 zero = 0;

	cube_map_get(c, "br_config", &zero, &cfg);
	return cfg.ageing_ns;
}

/* All entries of a bridge's fdb; caller frees. */
static int fdb_read(struct pcn_cube *c, struct br_fdb_key **keys,
		    struct br_fdb_entry **vals, int *n)
{
	int fd;

	*n = 0;
	fd = cube_obj_fd(c, "br_fdb");
	if (fd < 0)
		return -errno;
	*n = map_dump(fd, sizeof(**keys), sizeof(**vals), BR_FDB_MAX,
		      (void **)keys, (void **)vals);
	close(fd);
	if (*n < 0)
		return *n;
	return 0;
}

/*
 * A bridge's br_gen, mapped before its fdb changes, so that voiding what
 * the CPUs cached of the fdb afterwards cannot fail (gen_done()). An
 * error if it cannot be mapped: then change nothing.
 */
struct fdb_gen {
	struct br_gen *g;
	size_t len;
};

static int gen_map(struct pcn_cube *c, struct fdb_gen *fg)
{
	int fd = cube_obj_fd(c, "br_gen"), err = 0;

	if (fd < 0)
		return -errno;
	fg->g = map_mmap(fd, 0, sizeof(*fg->g), &fg->len);
	if (!fg->g)
		err = -errno;
	close(fd);
	return err;
}

/*
 * Unmap br_gen; if the fdb lost or changed entries (@changed), void every
 * CPU's cached copies first: an atomic add on the mapped value, so the
 * datapath's own increments (station moves, entries aged out) and ours
 * never undo one another.
 */
static void gen_done(struct fdb_gen *fg, bool changed)
{
	if (changed)
		__atomic_fetch_add(&fg->g->gen, 1, __ATOMIC_SEQ_CST);
	munmap(fg->g, fg->len);
}

int br_fdb_flush(struct pcn_cube *c, int port, bool dynamic_only, int vid,
		 const struct br_port *left)
{
	struct br_fdb_entry *vals;
	struct br_fdb_key *keys;
	struct fdb_gen fg;
	int fd, n, i, err;

	err = fdb_read(c, &keys, &vals, &n);
	if (err)
		return err;
	err = gen_map(c, &fg);
	if (err)
		goto out;
	fd = cube_obj_fd(c, "br_fdb");
	if (fd < 0) {
		err = -errno;
		gen_done(&fg, false);
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (port >= 0 && vals[i].port != (__u32)port)
			continue;
		if (dynamic_only && (vals[i].flags & BR_FDB_STATIC))
			continue;
		if (vid >= 0 && keys[i].vid != vid)
			continue;
		if (left && br_in_vlan(left, keys[i].vid))
			continue;
		if (bpf_map_delete_elem(fd, &keys[i]) && errno != ENOENT &&
		    !err)
			err = -errno;
	}
	close(fd);
	/* what was deleted before a failure is gone from the caches too */
	gen_done(&fg, true);
out:
	free(keys);
	free(vals);
	return err;
}

/* an entry with its key, to sort */
struct fdb_pair {
	struct br_fdb_key k;
	struct br_fdb_entry e;
};

static int pair_cmp(const void *pa, const void *pb)
{
	const struct fdb_pair *a = pa, *b = pb;
	int c = memcmp(a->k.mac, b->k.mac, sizeof(a->k.mac));

	return c ?: (int)a->k.vid - (int)b->k.vid;
}

int br_fdb_save(struct pcn_cube *c, struct pcn_save *s)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	struct br_fdb_entry *vals;
	struct br_fdb_key *keys;
	struct fdb_pair *all;
	char mac[PCN_MAC_STRLEN];
	int i, n, err;

	err = cube_ports_read(c, ports) ?: fdb_read(c, &keys, &vals, &n);
	if (err)
		return pcn_err_kernel(err, "cannot read the fdb of \"%s\"",
				      c->name);
	all = calloc(n ? n : 1, sizeof(*all));
	for (i = 0; all && i < n; i++)
		all[i] = (struct fdb_pair){ keys[i], vals[i] };
	free(keys);
	free(vals);
	if (!all)
		return pcn_err_kernel(-ENOMEM, "cannot save \"%s\"", c->name);
	/* in the order of their keys, not of the hash table */
	qsort(all, n, sizeof(*all), pair_cmp);
	for (i = 0; i < n; i++)
		if ((all[i].e.flags & BR_FDB_STATIC) &&
		    all[i].e.port < PCN_MAX_PORTS)
			pcn_save_line(s, "fdb add %s port %s:%s vlan %u",
				      pcn_mac_str(all[i].k.mac, mac), c->name,
				      ports[all[i].e.port].name, all[i].k.vid);
	free(all);
	return 0;
}

/* what fdb show shows: vid first, as vlan_kw() takes it */
struct fdb_filter {
	int vid;			/* 0: any */
	const char *port;
};

static int fdb_print(struct pcn_cube *c, const struct fdb_filter *f)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	struct br_fdb_entry *vals;
	struct br_fdb_key *keys;
	__u64 now = pcn_now_ns(), ageing = ageing_ns(c), age;
	int n, i, err;

	err = cube_ports_read(c, ports);
	if (!err)
		err = fdb_read(c, &keys, &vals, &n);
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		const struct br_fdb_entry *e = &vals[i];
		bool stat = e->flags & BR_FDB_STATIC;

		age = pcn_age_ns(now, e->seen_ns);
		if ((!stat && age > ageing) || e->port >= PCN_MAX_PORTS)
			continue;
		if (f->port && strncmp(ports[e->port].name, f->port,
				       PCN_NAME_LEN))
			continue;
		if (f->vid && keys[i].vid != f->vid)
			continue;
		open_json_object(NULL);
		print_mac("mac", "%s", keys[i].mac);
		print_endpoint(c->name, ports[e->port].name);
		print_uint(PRINT_ANY, "vlan", " vlan %u", keys[i].vid);
		print_bool(PRINT_JSON, "static", NULL, stat);
		if (stat)
			print_string(PRINT_FP, NULL, "%s", " static");
		else
			print_u64(PRINT_ANY, "age", " age %" PRIu64 "s",
				  age / NSEC_PER_SEC);
		print_nl();
		close_json_object();
	}
	free(keys);
	free(vals);
	return 0;
}

static int fdb_print_cb(struct pcn_cube *c, const char *port, void *filter)
{
	struct fdb_filter *f = filter;

	f->port = port;
	fdb_print(c, f);
	return 0;
}

/* "vlan VID": *vid is 0 until given, and may be given once */
static int vlan_arg(const char *arg, int *vid)
{
	__u16 v;
	int err;

	if (*vid)
		return pcn_dup_arg("vlan");
	err = arg_vid(arg, &v);
	if (!err)
		*vid = v;
	return err;
}

/* "fdb show|flush ... vlan VID", into the int at @arg */
static int vlan_kw(int *argcp, char ***argvp, void *arg)
{
	char **argv = *argvp;

	if (!is_kw(*argv, "vlan"))
		return -1;
	if (*argcp < 2)
		return pcn_missing_arg("vlan");
	*argcp -= 2;
	*argvp += 2;
	return vlan_arg(argv[1], arg);
}

static int fdb_show_cmd(int argc, char **argv)
{
	static const struct show_spec spec = {
		.object = "fdb", .type = "bridge", .parse_kw = vlan_kw,
		.show = fdb_print_cb,
	};
	struct fdb_filter f = {};

	return cube_show_each(argc, argv, &spec, &f);
}

static int fdb_add_cmd(int argc, char **argv)
{
	struct br_fdb_entry e = { .flags = BR_FDB_STATIC };
	char cube[PCN_NAME_LEN], port[PCN_NAME_LEN] = "";
	struct pcn_port ports[PCN_MAX_PORTS];
	struct br_fdb_key k = {};
	struct fdb_gen fg;
	struct pcn_cube c;
	const char *mac;
	bool stat = false;
	int fd, idx, vid = 0, err;

	if (argc < 1)
		return pcn_err(PCN_EXIT_USAGE, "MAC missing");
	mac = *argv;
	if (pcn_parse_mac(mac, k.mac))
		return pcn_bad_arg("MAC address", mac);
	if (k.mac[0] & 1)
		return pcn_err(PCN_EXIT_USAGE,
			       "%s is a multicast address: the fdb holds unicast ones",
			       mac);
	argc--;
	argv++;
	while (argc > 0) {
		if (is_kw(*argv, "port")) {
			NEXT_ARG();
			err = arg_port_endpoint(*argv, cube, port);
		} else if (is_kw(*argv, "vlan")) {
			NEXT_ARG();
			err = vlan_arg(*argv, &vid);
		} else if (is_kw(*argv, "static")) {
			/* as fdb show writes an entry: what add makes */
			DUP_CHECK(stat, "static");
		} else if (is_kw(*argv, "age")) {
			return pcn_err(PCN_EXIT_USAGE,
				       "%s has an age: a line of fdb show of an entry the bridge learned; fdb add makes static entries",
				       mac);
		} else {
			return pcn_unknown_kw("fdb", *argv);
		}
		if (err)
			return err;
		argc--;
		argv++;
	}
	if (!port[0])
		return pcn_err(PCN_EXIT_USAGE, "\"port BRIDGE:PORT\" is missing");
	k.vid = vid ? vid : BR_VID_DEFAULT;

	err = cube_open_type(cube, "bridge", &c, true);
	if (err)
		return err;
	err = cube_ports_read(&c, ports);
	idx = err ? -1 : cube_port_find(ports, PCN_MAX_PORTS, port);
	if (idx < 0) {
		err = pcn_err(PCN_EXIT_KERNEL, "port %s:%s does not exist", cube,
			      port);
		goto out;
	}
	e.port = idx;
	err = gen_map(&c, &fg);
	if (err) {
		err = pcn_err_kernel(err, "cannot open the fdb of \"%s\"", cube);
		goto out;
	}
	fd = cube_obj_fd(&c, "br_fdb");
	if (fd < 0) {
		err = pcn_err_kernel(errno, "cannot open the fdb of \"%s\"", cube);
		gen_done(&fg, false);
		goto out;
	}
	/* a static entry replaces a learned one, not the reverse */
	if (bpf_map_update_elem(fd, &k, &e, BPF_ANY)) {
		err = errno == E2BIG
			      ? pcn_err(PCN_EXIT_KERNEL,
					"the fdb of \"%s\" is full (%d entries)",
					cube, BR_FDB_MAX)
			      : pcn_err_kernel(errno, "cannot add %s", mac);
	}
	gen_done(&fg, !err);
	close(fd);
out:
	cube_close(&c);
	return err;
}

static int fdb_del_cmd(int argc, char **argv)
{
	const char *mac, *cube = NULL;
	struct br_fdb_key k = {};
	struct pcn_cube c;
	int vid = 0, err;

	if (argc < 1)
		return pcn_err(PCN_EXIT_USAGE, "MAC missing");
	mac = *argv;
	if (pcn_parse_mac(mac, k.mac))
		return pcn_bad_arg("MAC address", mac);
	argc--;
	argv++;
	while (argc > 0) {
		if (is_kw(*argv, "cube")) {
			NEXT_ARG();
			err = arg_name_once("cube", *argv, &cube);
		} else if (is_kw(*argv, "vlan")) {
			NEXT_ARG();
			err = vlan_arg(*argv, &vid);
		} else {
			return pcn_unknown_kw("fdb", *argv);
		}
		if (err)
			return err;
		argc--;
		argv++;
	}
	if (!cube)
		return pcn_err(PCN_EXIT_USAGE, "\"cube BRIDGE\" is missing");
	k.vid = vid ? vid : BR_VID_DEFAULT;
	err = cube_open_type(cube, "bridge", &c, true);
	if (err)
		return err;
	{
		struct br_fdb_entry e;
		struct fdb_gen fg;

		if (cube_map_get(&c, "br_fdb", &k, &e)) {
			err = pcn_err(PCN_EXIT_KERNEL,
				      "%s is not in the fdb of \"%s\" (vlan %u)", mac,
				      cube, k.vid);
		} else if ((err = gen_map(&c, &fg))) {
			err = pcn_err_kernel(err, "cannot open the fdb of \"%s\"",
					     cube);
		} else {
			err = cube_map_del(&c, "br_fdb", &k);
			gen_done(&fg, !err);
			if (err)
				err = pcn_err_kernel(err, "cannot delete %s", mac);
		}
	}
	cube_close(&c);
	return err;
}

static int fdb_flush(struct pcn_cube *c, int port, bool dynamic_only,
		     const void *arg)
{
	const int *vid = arg;

	return br_fdb_flush(c, port, dynamic_only, *vid ? *vid : -1, NULL);
}

static int fdb_flush_cmd(int argc, char **argv)
{
	static const struct flush_spec spec = {
		.object = "fdb", .type = "bridge", .cube_arg = "BRIDGE",
		.what = "fdb", .dynamic = true,
		.parse_kw = vlan_kw, .arg_size = sizeof(int),
		.flush = fdb_flush,
	};

	return cube_flush_cmd(argc, argv, &spec);
}

static const struct pcn_cmd cmds[] = {
	{ "show", fdb_show_cmd },
	{ "list", fdb_show_cmd },
	{ "add", fdb_add_cmd },
	{ "del", fdb_del_cmd },
	{ "delete", fdb_del_cmd },
	{ "flush", fdb_flush_cmd },
	{ NULL, NULL },
};

/* "MAC" of fdb del: the addresses the bridges know */
static void fdb_macs(struct pcn_line *l, struct pcn_cube *c)
{
	struct br_fdb_entry *vals;
	struct br_fdb_key *keys;
	char mac[PCN_MAC_STRLEN];
	int i, n;

	if (fdb_read(c, &keys, &vals, &n))
		return;
	for (i = 0; i < n; i++)
		pcn_line_emit(l, "%s", pcn_mac_str(keys[i].mac, mac));
	free(keys);
	free(vals);
}

static void complete_mac(struct pcn_line *l)
{
	if (!strcmp(pcn_line_verb(l), "del"))
		pcn_line_cubes(l, "bridge", NULL, fdb_macs);
}

static const struct pcn_completion completions[] = {
	{ "MAC", complete_mac },
	{ NULL, NULL },
};

const struct pcn_object fdb_object = {
	.name = "fdb",
	.cmds = cmds,
	.summary = "forwarding database of bridge cubes",
	.usage = usage,
	.complete = completions,
};
