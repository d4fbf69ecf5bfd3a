// SPDX-License-Identifier: GPL-2.0
/*
 * pcn neigh: the neighbour tables (ARP, NDP) of router cubes, like
 * "ip neigh". ADDR is IPv4 or IPv6.
 *
 *   pcn neigh show [ cube ROUTER ] [ port ROUTER:PORT ]
 *   pcn neigh add ADDR lladdr MAC port ROUTER:PORT [ static ]
 *                                                       a static entry
 *   pcn neigh del ADDR port ROUTER:PORT
 *   pcn neigh flush cube ROUTER [ port PORT ] [ dynamic ]
 *
 * Entries live in the router's rt_neigh map (IPv6: rt_neigh6): the
 * datapath learns them from ARP (neighbour discovery) and refreshes them; one older than the router's
 * neigh_timeout is dead (not shown, not used: the next packet for it
 * sends an ARP request).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "rt.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: pcn neigh show [ cube ROUTER ] [ port ROUTER:PORT ]\n"
		"       pcn neigh add ADDR lladdr MAC port ROUTER:PORT [ static ]\n"
		"       pcn neigh del ADDR port ROUTER:PORT\n"
		"       pcn neigh flush cube ROUTER [ port PORT ] [ dynamic ]\n"
		"       pcn neigh help\n"
		"ADDR is IPv4 or IPv6. Entries added are static: they never age.\n");
}

/* The two tables: their maps, keys, and where a key has its port. */
struct neigh_fam {
	const char *map;
	size_t key_size;
	size_t port_off;
	int af;
};

static const struct neigh_fam fams[] = {
	{ "rt_neigh", sizeof(struct rt_neigh_key),
	  offsetof(struct rt_neigh_key, port), AF_INET },
	{ "rt_neigh6", sizeof(struct rt_neigh6_key),
	  offsetof(struct rt_neigh6_key, port), AF_INET6 },
};

static __u32 key_port(const struct neigh_fam *f, const void *keys, int i)
{
	__u32 port;

	memcpy(&port, (const char *)keys + i * f->key_size + f->port_off,
	       sizeof(port));
	return port;
}

static const void *key_at(const struct neigh_fam *f, const void *keys, int i)
{
	return (const char *)keys + i * f->key_size;
}

/* Every entry of a router's table of family @f; caller frees. */
static int neigh_read_fam(struct pcn_cube *c, const struct neigh_fam *f,
			  void **keys, struct rt_neigh **vals, int *n)
{
	int fd;

	*n = 0;
	fd = cube_obj_fd(c, f->map);
	if (fd < 0)
		return -errno;
	*n = map_dump(fd, f->key_size, sizeof(**vals), RT_NEIGH_MAX,
		      keys, (void **)vals);
	close(fd);
	if (*n < 0) {
		int err = *n;

		*n = 0;
		return err;
	}
	return 0;
}

/* IPv4 (ARP) entries; caller frees */
static int neigh_read(struct pcn_cube *c, struct rt_neigh_key **keys,
		      struct rt_neigh **vals, int *n)
{
	return neigh_read_fam(c, &fams[0], (void **)keys, vals, n);
}

static int neigh_flush_fam(struct pcn_cube *c, const struct neigh_fam *f,
			   int port, bool dynamic_only)
{
	struct rt_neigh *vals;
	void *keys;
	int i, n, fd, err;

	err = neigh_read_fam(c, f, &keys, &vals, &n);
	if (err)
		return err;
	fd = cube_obj_fd(c, f->map);
	if (fd < 0)
		err = -errno;
	for (i = 0; i < n && !err; i++) {
		if (port >= 0 && key_port(f, keys, i) != (__u32)port)
			continue;
		if (dynamic_only && (vals[i].flags & RT_NEIGH_STATIC))
			continue;
		if (bpf_map_delete_elem(fd, key_at(f, keys, i)) &&
		    errno != ENOENT)
			err = -errno;
	}
	if (fd >= 0)
		close(fd);
	free(keys);
	free(vals);
	return err;
}

int rt_neigh_flush(struct pcn_cube *c, int port, bool dynamic_only)
{
	return neigh_flush_fam(c, &fams[0], port, dynamic_only) ?:
	       neigh_flush_fam(c, &fams[1], port, dynamic_only);
}

/* a static neighbour, to sort by port name and address */
struct neigh_saved {
	const char *port;
	__u8 addr[16];			/* in network order: sorts as bytes */
	__u8 mac[6];
};

static int saved_cmp(const void *pa, const void *pb)
{
	const struct neigh_saved *a = pa, *b = pb;
	int c = strcmp(a->port, b->port);

	return c ?: memcmp(a->addr, b->addr, sizeof(a->addr));
}

static int neigh_save_fam(struct pcn_cube *c, struct pcn_save *s,
			  const struct neigh_fam *f)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	char addr[INET6_ADDRSTRLEN], mac[PCN_MAC_STRLEN];
	struct neigh_saved *all;
	struct rt_neigh *vals;
	void *keys;
	__u32 port;
	int i, n, k = 0, err;

	err = cube_ports_read(c, ports) ?:
	      neigh_read_fam(c, f, &keys, &vals, &n);
	if (err)
		return pcn_err_kernel(err, "cannot read the neighbours of \"%s\"",
				      c->name);
	all = calloc(n ? n : 1, sizeof(*all));
	for (i = 0; all && i < n; i++) {
		port = key_port(f, keys, i);
		if (!(vals[i].flags & RT_NEIGH_STATIC) || port >= PCN_MAX_PORTS)
			continue;
		all[k].port = ports[port].name;
		memcpy(all[k].addr, key_at(f, keys, i),
		       f->af == AF_INET ? 4 : 16);
		memcpy(all[k++].mac, vals[i].mac, sizeof(all->mac));
	}
	free(keys);
	free(vals);
	if (!all)
		return pcn_err_kernel(-ENOMEM, "cannot save \"%s\"", c->name);
	qsort(all, k, sizeof(*all), saved_cmp);
	for (i = 0; i < k; i++)
		pcn_save_line(s, "neigh add %s lladdr %s port %s:%s",
			      inet_ntop(f->af, all[i].addr, addr, sizeof(addr)),
			      pcn_mac_str(all[i].mac, mac), c->name,
			      all[i].port);
	free(all);
	return 0;
}

int rt_neigh_save(struct pcn_cube *c, struct pcn_save *s)
{
	return neigh_save_fam(c, s, &fams[0]) ?: neigh_save_fam(c, s, &fams[1]);
}

static void neigh_print_fam(struct pcn_cube *c, const char *port,
			    const struct neigh_fam *f)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	char addr[INET6_ADDRSTRLEN];
	struct rt_neigh *vals;
	__u64 now = pcn_now_ns(), timeout;
	void *keys;
	__u32 kp;
	int i, n;

	if (cube_ports_read(c, ports) ||
	    neigh_read_fam(c, f, &keys, &vals, &n))
		return;
	timeout = rt_neigh_timeout_ns(c);
	for (i = 0; i < n; i++) {
		bool stat = vals[i].flags & RT_NEIGH_STATIC;
		__u64 age = pcn_age_ns(now, vals[i].seen_ns);

		kp = key_port(f, keys, i);
		if (kp >= PCN_MAX_PORTS || (!stat && age > timeout))
			continue;
		if (port && strcmp(port, ports[kp].name))
			continue;
		open_json_object(NULL);
		print_string(PRINT_ANY, "addr", "%s",
			     inet_ntop(f->af, key_at(f, keys, i), addr,
				       sizeof(addr)));
		print_endpoint(c->name, ports[kp].name);
		print_mac("lladdr", " lladdr %s", vals[i].mac);
		print_bool(PRINT_JSON, "static", NULL, stat);
		if (stat)
			print_string(PRINT_FP, NULL, "%s", " static");
		else
			print_u64(PRINT_ANY, "age", " age %" PRIu64 "s",
				  age / NSEC_PER_SEC);
		close_json_object();
		print_nl();
	}
	free(keys);
	free(vals);
}

static int neigh_print_cb(struct pcn_cube *c, const char *port, void *arg)
{
	neigh_print_fam(c, port, &fams[0]);
	neigh_print_fam(c, port, &fams[1]);
	return 0;
}

static int neigh_show_cmd(int argc, char **argv)
{
	static const struct show_spec spec = {
		.object = "neigh", .type = "router", .show = neigh_print_cb,
	};

	return cube_show_each(argc, argv, &spec, NULL);
}

/* "ADDR ... port ROUTER:PORT" with "lladdr MAC [ static ]" if @mac */
/* a key of either table, and which */
struct neigh_key {
	const struct neigh_fam *f;
	union {
		struct rt_neigh_key k4;
		struct rt_neigh6_key k6;
	};
};

static int neigh_args(int argc, char **argv, struct neigh_key *nk,
		      __u8 *mac, struct pcn_cube *c)
{
	char cube[PCN_NAME_LEN], port[PCN_NAME_LEN] = "";
	bool mac_set = false, stat = false;
	const char *addr = *argv;
	int idx, err;

	if (argc < 1)
		return pcn_err(PCN_EXIT_USAGE, "ADDR missing");
	memset(nk, 0, sizeof(*nk));
	nk->f = &fams[rt_is_ipv6(*argv)];
	if (nk->f->af == AF_INET6) {
		err = rt_arg_ipv6(*argv, nk->k6.addr);
		if (!err && !rt6_unicast(nk->k6.addr))
			err = pcn_err(PCN_EXIT_USAGE,
				      "%s is not a unicast address", *argv);
	} else {
		err = rt_arg_ipv4(*argv, &nk->k4.addr);
		if (!err && (!nk->k4.addr || (ntohl(nk->k4.addr) >> 28) >= 0xe))
			err = pcn_err(PCN_EXIT_USAGE,
				      "%s is not a unicast address", *argv);
	}
	if (err)
		return err;
	argc--;
	argv++;
	while (argc > 0) {
		if (is_kw(*argv, "port")) {
			NEXT_ARG();
			err = arg_port_endpoint(*argv, cube, port);
		} else if (mac && is_kw(*argv, "lladdr")) {
			NEXT_ARG();
			DUP_CHECK(mac_set, "lladdr");
			if (pcn_parse_mac(*argv, mac) || (mac[0] & 1))
				err = pcn_err(PCN_EXIT_USAGE,
					      "\"%s\" is not a unicast MAC address",
					      *argv);
		} else if (mac && is_kw(*argv, "static")) {
			/* as neigh show writes an entry: what add makes */
			DUP_CHECK(stat, "static");
		} else if (mac && is_kw(*argv, "age")) {
			return pcn_err(PCN_EXIT_USAGE,
				       "%s has an age: a line of neigh show of a neighbour the router learned; neigh add makes static entries",
				       addr);
		} else {
			return pcn_unknown_kw("neigh", *argv);
		}
		if (err)
			return err;
		argc--;
		argv++;
	}
	if (mac && !mac_set)
		return pcn_err(PCN_EXIT_USAGE, "\"lladdr MAC\" is missing");
	if (!port[0])
		return pcn_err(PCN_EXIT_USAGE, "\"port ROUTER:PORT\" is missing");
	err = cube_open_type(cube, "router", c, true);
	if (err)
		return err;
	err = rt_own_fib(c) ?: cube_port_index(c, port, &idx);
	if (err) {
		cube_close(c);
		return err;
	}
	if (nk->f->af == AF_INET6)
		nk->k6.port = idx;
	else
		nk->k4.port = idx;
	return 0;
}

static int neigh_add_cmd(int argc, char **argv)
{
	struct rt_neigh n = { .flags = RT_NEIGH_STATIC };
	struct neigh_key k;
	struct pcn_cube c;
	int err;

	err = neigh_args(argc, argv, &k, n.mac, &c);
	if (err)
		return err;
	n.seen_ns = pcn_now_ns();
	/* a static entry replaces a learned one */
	err = cube_map_put(&c, k.f->map, &k.k4, &n);
	if (err == -E2BIG)
		err = pcn_err(PCN_EXIT_KERNEL,
			      "the neighbour table of \"%s\" is full (%d entries)",
			      c.name, RT_NEIGH_MAX);
	else if (err)
		err = pcn_err_kernel(err, "cannot add %s", argv[0]);
	cube_close(&c);
	return err;
}

static int neigh_del_cmd(int argc, char **argv)
{
	struct neigh_key k;
	struct pcn_cube c;
	struct rt_neigh n;
	int err;

	err = neigh_args(argc, argv, &k, NULL, &c);
	if (err)
		return err;
	if (cube_map_get(&c, k.f->map, &k.k4, &n))
		err = pcn_err(PCN_EXIT_KERNEL,
			      "%s is not in the neighbour table of port %s",
			      argv[0], argv[2]);
	else if ((err = cube_map_del(&c, k.f->map, &k.k4)))
		err = pcn_err_kernel(err, "cannot delete %s", argv[0]);
	cube_close(&c);
	return err;
}

static int neigh_flush(struct pcn_cube *c, int port, bool dynamic_only,
		       const void *arg)
{
	return rt_neigh_flush(c, port, dynamic_only);
}

static int neigh_flush_cmd(int argc, char **argv)
{
	static const struct flush_spec spec = {
		.object = "neigh", .type = "router", .cube_arg = "ROUTER",
		.what = "neighbours", .dynamic = true,
		.flush = neigh_flush,
	};

	return cube_flush_cmd(argc, argv, &spec);
}

static const struct pcn_cmd cmds[] = {
	{ "show", neigh_show_cmd },
	{ "list", neigh_show_cmd },
	{ "add", neigh_add_cmd },
	{ "del", neigh_del_cmd },
	{ "delete", neigh_del_cmd },
	{ "flush", neigh_flush_cmd },
	{ NULL, NULL },
};

/* "ADDR" of neigh del: the neighbours the routers know */
static void neigh_addrs(struct pcn_line *l, struct pcn_cube *c)
{
	struct rt_neigh_key *keys;
	struct rt_neigh *vals;
	char buf[PCN_PREFIX_STRLEN];
	int i, n;

	if (neigh_read(c, &keys, &vals, &n))
		return;
	for (i = 0; i < n; i++)
		pcn_line_emit(l, "%s", pcn_ipv4_str(keys[i].addr, buf));
	free(keys);
	free(vals);
}

static void complete_addr(struct pcn_line *l)
{
	if (!strcmp(pcn_line_verb(l), "del"))
		pcn_line_cubes(l, "router", NULL, neigh_addrs);
}

static const struct pcn_completion completions[] = {
	{ "ADDR", complete_addr },
	{ NULL, NULL },
};

const struct pcn_object neigh_object = {
	.name = "neigh",
	.cmds = cmds,
	.summary = "neighbour (ARP, NDP) tables of router cubes",
	.usage = usage,
	.complete = completions,
};
