// SPDX-License-Identifier: GPL-2.0
/*
 * pcn route: the routes of router cubes, like "ip route".
 *
 *   pcn route show [ cube ROUTER ] [ port ROUTER:PORT ]
 *   pcn route { add | replace } PREFIX ROUTE
 *   pcn route del PREFIX { cube ROUTER | port ROUTER:PORT }
 *                 [ via ADDR ] [ metric N ]
 *   pcn route get ADDR cube ROUTER
 *   pcn route flush cube ROUTER [ port PORT ]
 *   ROUTE := { via ADDR { cube ROUTER | port ROUTER:PORT } |
 *              port ROUTER:PORT } [ metric N ]
 *            [ proto { static | connected } ] [ inactive ]
 *
 * A prefix may have several routes: the local route of a port address
 * first, then the lowest metric, the oldest on a tie, is the one the
 * datapath uses; when it goes the next takes its place. Connected
 * routes come and go with port addresses (pcn addr). PREFIX and ADDR are
 * IPv4 or IPv6 (X:X::X/LEN, ::/0 the default): the families have lists
 * and FIBs of their own, with the same rules.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "rt.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: pcn route show [ cube ROUTER ] [ port ROUTER:PORT ]\n"
		"       pcn route { add | replace } PREFIX ROUTE\n"
		"       pcn route del PREFIX { cube ROUTER | port ROUTER:PORT } [ via ADDR ] [ metric N ]\n"
		"       pcn route get ADDR cube ROUTER\n"
		"       pcn route flush cube ROUTER [ port PORT ]\n"
		"       pcn route help\n"
		"ROUTE := { via ADDR { cube ROUTER | port ROUTER:PORT } | port ROUTER:PORT } [ metric N ]\n"
		"         [ proto { static | connected } ] [ inactive ]\n"
		"PREFIX := { A.B.C.D[/LEN] | default | X:X::X[/LEN] }\n");
}

struct route_args {
	__be32 prefix;
	__u32 plen;
	__be32 via;
	bool v6;			/* prefix6 and via6, not prefix and via */
	__u8 prefix6[16];
	__u8 via6[16];
	__u32 metric;
	bool via_set;
	bool metric_set;
	bool proto_set;
	bool connected;			/* "proto connected" */
	bool inactive;
	char cube[PCN_NAME_LEN];
	char port[PCN_NAME_LEN];
};

/*
 * "PREFIX [ via ADDR ] [ cube ROUTER | port ROUTER:PORT ] [ metric N ]",
 * and for add and replace (@add) what route show writes after a route:
 * "[ proto { static | connected } ] [ inactive ]"
 */
static int route_args_parse(int argc, char **argv, struct route_args *r,
			    bool add)
{
	int err;

	memset(r, 0, sizeof(*r));
	if (argc < 1)
		return pcn_err(PCN_EXIT_USAGE, "PREFIX missing");
	r->v6 = rt_is_ipv6(*argv);
	err = r->v6 ? rt_arg_prefix6(*argv, r->prefix6, &r->plen, false) :
		      rt_arg_prefix(*argv, &r->prefix, &r->plen, false);
	if (err)
		return err;
	argc--;
	argv++;
	while (argc > 0) {
		if (is_kw(*argv, "via") && r->v6) {
			NEXT_ARG();
			DUP_CHECK(r->via_set, "via");
			if (!rt_is_ipv6(*argv))
				err = pcn_err(PCN_EXIT_USAGE,
					      "next hop %s is not IPv6, as the prefix is",
					      *argv);
			else
				err = rt_arg_ipv6(*argv, r->via6);
			if (!err && !rt6_unicast(r->via6))
				err = pcn_err(PCN_EXIT_USAGE,
					      "next hop %s is not a unicast address",
					      *argv);
		} else if (is_kw(*argv, "via")) {
			NEXT_ARG();
			DUP_CHECK(r->via_set, "via");
			err = rt_arg_ipv4(*argv, &r->via);
			if (!err && (!r->via || (ntohl(r->via) >> 28) >= 0xe))
				err = pcn_err(PCN_EXIT_USAGE,
					      "next hop %s is not a unicast address",
					      *argv);
		} else if (is_kw(*argv, "cube")) {
			NEXT_ARG();
			if (r->cube[0])
				return pcn_dup_arg("cube");
			err = check_name("cube", *argv);
			if (!err)
				name_copy(r->cube, *argv);
		} else if (is_kw(*argv, "port")) {
			NEXT_ARG();
			if (r->port[0])
				return pcn_dup_arg("port");
			if (r->cube[0])
				return pcn_err(PCN_EXIT_USAGE,
					       "\"port ROUTER:PORT\" names the router: no \"cube\" with it");
			err = arg_port_endpoint(*argv, r->cube, r->port);
		} else if (is_kw(*argv, "metric")) {
			NEXT_ARG();
			DUP_CHECK(r->metric_set, "metric");
			if (pcn_parse_u32(*argv, 10, &r->metric))
				err = pcn_bad_arg("metric", *argv);
		} else if (add && is_kw(*argv, "proto")) {
			NEXT_ARG();
			DUP_CHECK(r->proto_set, "proto");
			r->connected = is_kw(*argv, "connected");
			if (!r->connected && !is_kw(*argv, "static"))
				err = pcn_err(PCN_EXIT_USAGE,
					      "proto \"%s\": static or connected",
					      *argv);
		} else if (add && is_kw(*argv, "inactive")) {
			/* another route of the prefix is in use: says nothing */
			DUP_CHECK(r->inactive, "inactive");
		} else {
			return pcn_unknown_kw("route", *argv);
		}
		if (err)
			return err;
		argc--;
		argv++;
	}
	if (!r->cube[0])
		return pcn_err(PCN_EXIT_USAGE,
			       "\"cube ROUTER\" or \"port ROUTER:PORT\" is missing");
	return 0;
}

/* The port a new route goes out of, in *@idx: given, or the next hop's. */
static int route_port(struct pcn_cube *c, const struct pcn_port *ports,
		      const struct rt_port *all, const struct route_args *r,
		      int *idx)
{
	char via[INET_ADDRSTRLEN];

	if (!r->via_set && !r->port[0])
		return pcn_err(PCN_EXIT_USAGE,
			       "a route needs \"via ADDR\" or \"port ROUTER:PORT\"");
	inet_ntop(AF_INET, &r->via, via, sizeof(via));
	if (r->port[0]) {
		*idx = cube_port_find(ports, PCN_MAX_PORTS, r->port);
		if (*idx < 0)
			return pcn_err(PCN_EXIT_KERNEL,
				       "port %s:%s does not exist", c->name,
				       r->port);
		if (r->via_set && !rt_on_link(&all[*idx], r->via))
			return pcn_err(PCN_EXIT_KERNEL,
				       "next hop %s is not on a subnet of port %s:%s",
				       via, c->name, r->port);
		return 0;
	}
	*idx = rt_port_on_link(all, r->via);
	if (*idx < 0)
		return pcn_err(PCN_EXIT_KERNEL,
			       "next hop %s is not on the subnet of any port of \"%s\"",
			       via, c->name);
	return 0;
}

static int route_add_err(int err, const struct route_args *r,
			 struct pcn_cube *c, const char *prefix)
{
	if (err == -EEXIST)
		return pcn_err(PCN_EXIT_KERNEL,
			       "the route to %s by that next hop and port exists",
			       prefix);
	if (err == -E2BIG || err == -ENOMEM || err == -ENOSPC)
		return pcn_err(PCN_EXIT_KERNEL,
			       "the route list of \"%s\" is full (%d routes)",
			       c->name, RT_ROUTES_MAX);
	return pcn_err_kernel(err, "cannot add the route to %s", prefix);
}

/*
 * What "route add" opened, kept for the next command if it is another
 * "route add" (a batch of them): routes change no port or pin.
 */
static struct {
	unsigned long gen;		/* pcn_cmd_gen when last used */
	bool open;
	struct pcn_cube c;
	struct pcn_port ports[PCN_MAX_PORTS];
	struct rt_port rt_ports[PCN_MAX_PORTS];
	int rfd;
	int ffd;
} kept;

static void kept_close(void)
{
	if (!kept.open)
		return;
	close(kept.rfd);
	close(kept.ffd);
	cube_close(&kept.c);
	kept.open = false;
}

static int kept_open(const char *cube)
{
	int err;

	if (kept.open && kept.gen + 1 == pcn_cmd_gen &&
	    !strcmp(kept.c.name, cube)) {
		kept.gen = pcn_cmd_gen;
		return 0;
	}
	kept_close();
	err = cube_open_type(cube, "router", &kept.c, true);
	if (err)
		return err;
	err = rt_own_fib(&kept.c);
	if (err) {
		cube_close(&kept.c);
		return err;
	}
	err = cube_ports_read(&kept.c, kept.ports) ?:
	      rt_ports_read(&kept.c, kept.rt_ports);
	kept.rfd = cube_obj_fd(&kept.c, "rt_routes");
	kept.ffd = cube_obj_fd(&kept.c, "rt_fib");
	if (!err && (kept.rfd < 0 || kept.ffd < 0))
		err = -errno;
	kept.open = true;
	if (err) {
		kept_close();
		return pcn_err_kernel(err, "cannot read router \"%s\"", cube);
	}
	kept.gen = pcn_cmd_gen;
	return 0;
}

/*
 * "proto connected": a connected route comes with an address of its
 * port and goes with it. A line of route show that names one holds
 * when the route is there (nothing to do), and is an error otherwise.
 */
static int route_connected(const struct route_args *r, const char *prefix)
{
	struct rt_entry *all = NULL;
	struct pcn_cube c;
	int i, n = 0, idx, err;

	if (!r->port[0] || r->via_set)
		return pcn_err(PCN_EXIT_USAGE,
			       "a connected route is on a port: \"port ROUTER:PORT\", no \"via\"");
	err = cube_open_type(r->cube, "router", &c, false);
	if (err)
		return err;
	err = cube_port_index(&c, r->port, &idx);
	if (!err && rt_entries_read(&c, &all, &n))
		err = pcn_err(PCN_EXIT_KERNEL, "cannot read the routes of \"%s\"",
			      c.name);
	for (i = 0; !err && i < n; i++)
		if (all[i].k.prefix == r->prefix && all[i].k.plen == r->plen &&
		    all[i].r.kind == RT_KIND_CONNECTED &&
		    all[i].k.port == (__u32)idx &&
		    (!r->metric_set || all[i].r.metric == r->metric))
			break;
	if (!err && i == n)
		err = pcn_err(PCN_EXIT_KERNEL,
			      "port %s:%s has no connected route to %s: connected routes come with the port's addresses (pcn addr add)",
			      c.name, r->port, prefix);
	free(all);
	cube_close(&c);
	return err;
}

static int route6_add(const struct route_args *r, const char *prefix,
		      bool replace);

static int route_add_cmd(int argc, char **argv)
{
	struct rt_route_key k = {};
	struct route_args r;
	int idx, err;

	err = route_args_parse(argc, argv, &r, true);
	if (err)
		return err;
	if (r.v6)
		return route6_add(&r, argv[0], false);
	if (r.connected)
		return route_connected(&r, argv[0]);
	err = kept_open(r.cube);
	if (err)
		return err;
	err = route_port(&kept.c, kept.ports, kept.rt_ports, &r, &idx);
	if (err)
		return err;
	k = (struct rt_route_key){ .prefix = r.prefix, .plen = r.plen,
				   .via = r.via, .port = idx,
				   .kind = RT_KIND_STATIC };
	/* as "ip route add": one static route a prefix and metric;
	 * "replace" is the way to change it */
	err = rt_route_taken(kept.rfd, kept.ffd, &k, r.metric);
	if (err == -EEXIST)
		return pcn_err(PCN_EXIT_KERNEL,
			       "a route to %s with metric %u exists: change it with \"pcn route replace\", or give another metric",
			       argv[0], r.metric);
	if (!err)
		err = rt_route_insert(kept.rfd, kept.ffd, &k, r.metric);
	if (err)
		return route_add_err(err, &r, &kept.c, argv[0]);
	return 0;
}

/* The port of an IPv6 route, in *@idx: given, or its next hop's. */
static int route6_port(struct pcn_cube *c, const struct route_args *r,
		       int *idx)
{
	char via[INET6_ADDRSTRLEN];
	struct rt_port6 rp;
	int err;

	if (!r->via_set && !r->port[0])
		return pcn_err(PCN_EXIT_USAGE,
			       "a route needs \"via ADDR\" or \"port ROUTER:PORT\"");
	rt6_str(r->via6, via);
	if (r->port[0]) {
		err = cube_port_index(c, r->port, idx);
		if (err)
			return err;
		/* a link-local next hop is on every link: the port says which */
		if (r->via_set && !(r->via6[0] == 0xfe &&
				    (r->via6[1] & 0xc0) == 0x80) &&
		    (rt6_port_get(c, *idx, &rp) || !rt6_on_link(&rp, r->via6)))
			return pcn_err(PCN_EXIT_KERNEL,
				       "next hop %s is not on a subnet of port %s:%s",
				       via, c->name, r->port);
		return 0;
	}
	*idx = rt6_port_on_link(c, r->via6);
	if (*idx < 0)
		return pcn_err(PCN_EXIT_KERNEL,
			       "next hop %s is not on the subnet of any port of \"%s\"",
			       via, c->name);
	return 0;
}

/*
 * IPv6 "route add" (@replace: "route replace"): as IPv4, one static
 * route a prefix and metric; replace takes the others of that metric
 * away first, then adds (two steps: a packet may find no route of the
 * prefix in between). "proto connected" holds when the route is there.
 */
static int route6_add(const struct route_args *r, const char *prefix,
		      bool replace)
{
	struct rt_route6_key k = { .plen = r->plen, .kind = RT_KIND_STATIC };
	struct rt_entry6 *all = NULL;
	struct pcn_cube c;
	int idx, i, n = 0, err;

	if (r->connected && (!r->port[0] || r->via_set))
		return pcn_err(PCN_EXIT_USAGE,
			       "a connected route is on a port: \"port ROUTER:PORT\", no \"via\"");
	err = cube_open_type(r->cube, "router", &c, true);
	if (err)
		return err;
	err = rt_own_fib(&c) ?: route6_port(&c, r, &idx);
	if (err)
		goto out;
	if (rt6_entries_read(&c, &all, &n)) {
		err = pcn_err(PCN_EXIT_KERNEL, "cannot read the routes of \"%s\"",
			      c.name);
		goto out;
	}
	memcpy(k.prefix, r->prefix6, 16);
	memcpy(k.via, r->via6, 16);
	k.port = idx;
	if (r->connected) {
		for (i = 0; i < n; i++)
			if (!memcmp(all[i].k.prefix, k.prefix, 16) &&
			    all[i].k.plen == k.plen &&
			    all[i].r.kind == RT_KIND_CONNECTED &&
			    all[i].k.port == (__u32)idx &&
			    (!r->metric_set || all[i].r.metric == r->metric))
				goto out;
		err = pcn_err(PCN_EXIT_KERNEL,
			      "port %s:%s has no connected route to %s: connected routes come with the port's addresses (pcn addr add)",
			      c.name, r->port, prefix);
		goto out;
	}
	for (i = 0; i < n && !err; i++) {
		if (memcmp(all[i].k.prefix, k.prefix, 16) ||
		    all[i].k.plen != k.plen ||
		    all[i].r.kind != RT_KIND_STATIC ||
		    (all[i].r.metric != r->metric &&
		     memcmp(&all[i].k, &k, sizeof(k))))
			continue;
		if (!replace) {
			err = pcn_err(PCN_EXIT_KERNEL,
				      "a route to %s with metric %u exists: change it with \"pcn route replace\", or give another metric",
				      prefix, all[i].r.metric);
			goto out;
		}
		err = rt6_route_del(&c, &all[i].k);
		if (err)
			err = pcn_err_kernel(err, "cannot replace the route to %s",
					     prefix);
	}
	if (err)
		goto out;
	err = rt6_route_add(&c, &k, r->metric);
	if (err)
		err = route_add_err(err, r, &c, prefix);
out:
	free(all);
	cube_close(&c);
	return err;
}

static int route6_del(const struct route_args *r, const char *prefix)
{
	struct rt_entry6 *all = NULL;
	struct pcn_cube c;
	int idx = -1, i, n = 0, err;

	err = cube_open_type(r->cube, "router", &c, true);
	if (err)
		return err;
	err = rt_own_fib(&c);
	if (!err && r->port[0])
		err = cube_port_index(&c, r->port, &idx);
	if (!err && rt6_entries_read(&c, &all, &n))
		err = pcn_err(PCN_EXIT_KERNEL, "cannot read the routes of \"%s\"",
			      c.name);
	if (err)
		goto out;
	for (i = 0; i < n; i++)
		if (!memcmp(all[i].k.prefix, r->prefix6, 16) &&
		    all[i].k.plen == r->plen &&
		    all[i].r.kind == RT_KIND_STATIC &&
		    (idx < 0 || all[i].k.port == (__u32)idx) &&
		    (!r->via_set || !memcmp(all[i].k.via, r->via6, 16)) &&
		    (!r->metric_set || all[i].r.metric == r->metric))
			break;
	if (i == n)
		err = pcn_err(PCN_EXIT_KERNEL,
			      "no static route to %s of \"%s\" matches", prefix,
			      c.name);
	else if ((err = rt6_route_del(&c, &all[i].k)))
		err = pcn_err_kernel(err, "cannot delete the route to %s",
				     prefix);
out:
	free(all);
	cube_close(&c);
	return err;
}

/* Does "route replace" of @k with @metric delete @e? (Not @k itself.) */
static bool replaced(const struct rt_entry *e, const struct rt_route_key *k,
		     __u32 metric)
{
	return e->k.prefix == k->prefix && e->k.plen == k->plen &&
	       e->r.kind == RT_KIND_STATIC && e->r.metric == metric &&
	       memcmp(&e->k, k, sizeof(*k));
}

/*
 * The static routes of the prefix with the same metric go, the new one
 * comes: the list changes first, then the FIB in one write. If any step
 * fails, the list is put back as it was (the FIB was not written).
 */
static int route_replace_cmd(int argc, char **argv)
{
	struct rt_port rt_ports[PCN_MAX_PORTS];
	struct pcn_port ports[PCN_MAX_PORTS];
	struct rt_route nr = { .kind = RT_KIND_STATIC };
	struct rt_route_key k;
	struct rt_entry *all;
	struct route_args r;
	struct pcn_cube c;
	struct rt_route old;
	int idx, i, n, fd = -1, err, had = -1;

	err = route_args_parse(argc, argv, &r, true);
	if (err)
		return err;
	if (r.v6)
		return route6_add(&r, argv[0], true);
	if (r.connected)
		return route_connected(&r, argv[0]);
	err = cube_open_type(r.cube, "router", &c, true);
	if (err)
		return err;
	err = rt_own_fib(&c);
	if (err) {
		cube_close(&c);
		return err;
	}
	err = cube_ports_read(&c, ports) ?: rt_ports_read(&c, rt_ports);
	if (err) {
		cube_close(&c);
		return pcn_err_kernel(err, "cannot read router \"%s\"", c.name);
	}
	err = route_port(&c, ports, rt_ports, &r, &idx);
	if (err) {
		cube_close(&c);
		return err;
	}
	k = (struct rt_route_key){ .prefix = r.prefix, .plen = r.plen,
				   .via = r.via, .port = idx,
				   .kind = RT_KIND_STATIC };
	err = rt_entries_read(&c, &all, &n);
	if (err)
		goto out_close;
	fd = cube_obj_fd(&c, "rt_routes");
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	nr.metric = r.metric;
	for (i = 0; i < n; i++)
		if (!memcmp(&all[i].k, &k, sizeof(k)))
			had = i;
	/* a route that was there keeps its age */
	nr.seq = had >= 0 ? all[had].r.seq : pcn_seq_next();
	if (bpf_map_update_elem(fd, &k, &nr, BPF_ANY)) {
		err = -errno;
		goto out;
	}
	for (i = 0; i < n && !err; i++)
		if (replaced(&all[i], &k, r.metric) &&
		    bpf_map_delete_elem(fd, &all[i].k))
			err = -errno;
	if (!err)
		err = pcn_fault_err("route-replace-fib") ?:
		      rt_fib_sync(&c, &k, 1);
	if (err) {
		/* the list as it was: the FIB was not written */
		for (i = 0; i < n; i++)
			if (replaced(&all[i], &k, r.metric) &&
			    bpf_map_lookup_elem(fd, &all[i].k, &old))
				bpf_map_update_elem(fd, &all[i].k, &all[i].r,
						    BPF_NOEXIST);
		if (had >= 0)
			bpf_map_update_elem(fd, &k, &all[had].r, BPF_EXIST);
		else
			bpf_map_delete_elem(fd, &k);
	}
out:
	if (fd >= 0)
		close(fd);
	free(all);
out_close:
	if (err)
		err = route_add_err(err, &r, &c, argv[0]);
	cube_close(&c);
	return err;
}

static int route_del_cmd(int argc, char **argv)
{
	struct rt_entry *all;
	struct route_args r;
	struct pcn_cube c;
	int idx = -1, i, n, err;

	err = route_args_parse(argc, argv, &r, false);
	if (err)
		return err;
	if (r.v6)
		return route6_del(&r, argv[0]);
	err = cube_open_type(r.cube, "router", &c, true);
	if (err)
		return err;
	err = rt_own_fib(&c);
	if (err) {
		cube_close(&c);
		return err;
	}
	if (r.port[0]) {
		err = cube_port_index(&c, r.port, &idx);
		if (err) {
			cube_close(&c);
			return err;
		}
	}
	err = rt_entries_read(&c, &all, &n);
	if (err) {
		cube_close(&c);
		return pcn_err_kernel(err, "cannot read the routes of \"%s\"",
				      c.name);
	}
	/* the best static route that matches: the first in order */
	for (i = 0; i < n; i++) {
		if (all[i].k.prefix == r.prefix && all[i].k.plen == r.plen &&
		    all[i].r.kind == RT_KIND_STATIC &&
		    (idx < 0 || all[i].k.port == (__u32)idx) &&
		    (!r.via_set || all[i].k.via == r.via) &&
		    (!r.metric_set || all[i].r.metric == r.metric))
			break;
	}
	if (i == n)
		err = pcn_err(PCN_EXIT_KERNEL,
			      "no static route to %s of \"%s\" matches", argv[0],
			      c.name);
	else if ((err = rt_route_del(&c, &all[i].k)))
		err = pcn_err_kernel(err, "cannot delete the route to %s",
				     argv[0]);
	free(all);
	cube_close(&c);
	return err;
}

static void route_print(struct pcn_cube *c, const struct pcn_port *ports,
			const struct rt_entry *e, bool active)
{
	open_json_object(NULL);
	print_prefix4("dst", "%s", e->k.prefix, e->k.plen);
	if (e->k.via)
		print_ipv4("via", " via %s", e->k.via);
	if (e->k.port < PCN_MAX_PORTS)
		print_endpoint(c->name, ports[e->k.port].name);
	else
		print_string(PRINT_ANY, "cube", " cube %s", c->name);
	print_string(PRINT_ANY, "proto", " proto %s", rt_kind_name(e->r.kind));
	print_uint(PRINT_ANY, "metric", " metric %u", e->r.metric);
	print_bool(PRINT_JSON, "active", NULL, active);
	if (!active)
		print_string(PRINT_FP, NULL, "%s", " inactive");
	close_json_object();
	print_nl();
}

static int route6_save(struct pcn_cube *c, struct pcn_save *s,
		       const struct pcn_port *ports)
{
	char pfx[PCN_PREFIX_STRLEN], via[PCN_PREFIX_STRLEN + 5];
	char a[INET6_ADDRSTRLEN];
	struct rt_entry6 *all;
	int i, n, err;

	err = rt6_entries_read(c, &all, &n);
	if (err)
		return pcn_err_kernel(err, "cannot read the routes of \"%s\"",
				      c->name);
	for (i = 0; i < n; i++) {
		const struct rt_entry6 *e = &all[i];

		if (e->r.kind != RT_KIND_STATIC || e->k.port >= PCN_MAX_PORTS)
			continue;
		via[0] = '\0';
		if (!rt6_zero(e->k.via))
			snprintf(via, sizeof(via), " via %s", rt6_str(e->k.via, a));
		pcn_save_line(s, "route add %s%s port %s:%s metric %u",
			      rt6_prefix_str(e->k.prefix, e->k.plen, pfx), via,
			      c->name, ports[e->k.port].name, e->r.metric);
	}
	free(all);
	return 0;
}

int rt_routes_save(struct pcn_cube *c, struct pcn_save *s)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	char pfx[PCN_PREFIX_STRLEN], via[PCN_PREFIX_STRLEN + 5];
	struct rt_entry *all;
	int i, n, err;

	err = cube_ports_read(c, ports) ?: rt_entries_read(c, &all, &n);
	if (err)
		return pcn_err_kernel(err, "cannot read the routes of \"%s\"",
				      c->name);
	/* by prefix, the best first: made in that order, they tie the same */
	for (i = 0; i < n; i++) {
		const struct rt_entry *e = &all[i];

		if (e->r.kind != RT_KIND_STATIC || e->k.port >= PCN_MAX_PORTS)
			continue;
		via[0] = '\0';
		if (e->k.via)
			snprintf(via, sizeof(via), " via %s",
				 pcn_ipv4_str(e->k.via, pfx));
		pcn_save_line(s, "route add %s%s port %s:%s metric %u",
			      pcn_prefix4_str(e->k.prefix, e->k.plen, pfx), via,
			      c->name, ports[e->k.port].name, e->r.metric);
	}
	free(all);
	return route6_save(c, s, ports);
}

static void route6_print(struct pcn_cube *c, const struct pcn_port *ports,
			 const struct rt_entry6 *e, bool active)
{
	char buf[PCN_PREFIX_STRLEN];

	open_json_object(NULL);
	print_string(PRINT_ANY, "dst", "%s",
		     rt6_prefix_str(e->k.prefix, e->k.plen, buf));
	if (!rt6_zero(e->k.via))
		print_string(PRINT_ANY, "via", " via %s", rt6_str(e->k.via, buf));
	print_endpoint(c->name, ports[e->k.port].name);
	print_string(PRINT_ANY, "proto", " proto %s", rt_kind_name(e->r.kind));
	print_uint(PRINT_ANY, "metric", " metric %u", e->r.metric);
	print_bool(PRINT_JSON, "active", NULL, active);
	if (!active)
		print_string(PRINT_FP, NULL, "%s", " inactive");
	close_json_object();
	print_nl();
}

static void route6_print_all(struct pcn_cube *c, const struct pcn_port *ports,
			     const char *port)
{
	struct rt_entry6 *all;
	int i, n;

	if (rt6_entries_read(c, &all, &n))
		return;
	for (i = 0; i < n; i++) {
		bool active = !i || memcmp(all[i - 1].k.prefix,
					   all[i].k.prefix, 16) ||
			      all[i - 1].k.plen != all[i].k.plen;

		if (all[i].r.kind == RT_KIND_LOCAL ||
		    all[i].k.port >= PCN_MAX_PORTS)
			continue;
		if (port && strcmp(ports[all[i].k.port].name, port))
			continue;
		route6_print(c, ports, &all[i], active);
	}
	free(all);
}

static int route_print_cb(struct pcn_cube *c, const char *port, void *arg)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	struct rt_entry *all;
	int i, n;

	if (cube_ports_read(c, ports) ||
	    rt_entries_read(c, &all, &n))
		return 0;
	for (i = 0; i < n; i++) {
		/* the first of a prefix is the one in use */
		bool active = !i || all[i - 1].k.prefix != all[i].k.prefix ||
			      all[i - 1].k.plen != all[i].k.plen;

		if (all[i].r.kind == RT_KIND_LOCAL ||
		    all[i].k.port >= PCN_MAX_PORTS)
			continue;
		if (port && strcmp(ports[all[i].k.port].name, port))
			continue;
		route_print(c, ports, &all[i], active);
	}
	free(all);
	route6_print_all(c, ports, port);
	return 0;
}

static int route_show_cmd(int argc, char **argv)
{
	static const struct show_spec spec = {
		.object = "route", .type = "router", .show = route_print_cb,
	};

	return cube_show_each(argc, argv, &spec, NULL);
}

static int route6_get(struct pcn_cube *c, const struct rt_fib6_key *k,
		      const char *addr)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	char buf[PCN_PREFIX_STRLEN];
	struct rt_fib6_entry fe;
	__u8 net[16];
	int fd, err = 0;

	fd = cube_obj_fd(c, "rt_fib6");
	if (fd < 0)
		return pcn_err_kernel(errno, "cannot read the routes of \"%s\"",
				      c->name);
	if (bpf_map_lookup_elem(fd, k, &fe) || cube_ports_read(c, ports) ||
	    fe.port >= PCN_MAX_PORTS) {
		err = pcn_err(PCN_EXIT_KERNEL, "\"%s\" has no route to %s",
			      c->name, addr);
	} else {
		new_json_obj(json, pretty);
		open_json_array(PRINT_JSON, NULL);
		open_json_object(NULL);
		print_string(PRINT_ANY, "dst", "%s", addr);
		if (!rt6_zero(fe.via))
			print_string(PRINT_ANY, "via", " via %s",
				     rt6_str(fe.via, buf));
		print_endpoint(c->name, ports[fe.port].name);
		print_string(PRINT_ANY, "proto", " proto %s",
			     rt_kind_name(fe.kind));
		print_uint(PRINT_ANY, "metric", " metric %u", fe.metric);
		memcpy(net, k->prefix, 16);
		rt6_mask(net, fe.plen);
		print_string(PRINT_ANY, "prefix", " prefix %s",
			     rt6_prefix_str(net, fe.plen, buf));
		close_json_object();
		print_nl();
		close_json_array(PRINT_JSON, NULL);
		delete_json_obj();
	}
	close(fd);
	return err;
}

/* The route the datapath takes to ADDR: the FIB's longest match. */
static int route_get_cmd(int argc, char **argv)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	struct rt_fib_key k = { .plen = 32 };
	struct rt_fib6_key k6 = { .plen = 128 };
	char cube[PCN_NAME_LEN] = "";
	struct rt_fib_entry fe;
	bool v6;
	struct pcn_cube c;
	const char *addr;
	int fd, err;

	if (argc < 1)
		return pcn_err(PCN_EXIT_USAGE, "ADDR missing");
	addr = *argv;
	v6 = rt_is_ipv6(addr);
	err = v6 ? rt_arg_ipv6(addr, k6.prefix) : rt_arg_ipv4(addr, &k.prefix);
	if (err)
		return err;
	argc--;
	argv++;
	while (argc > 0) {
		if (!is_kw(*argv, "cube"))
			return pcn_unknown_kw("route", *argv);
		NEXT_ARG();
		if (cube[0])
			return pcn_dup_arg("cube");
		err = check_name("cube", *argv);
		if (err)
			return err;
		name_copy(cube, *argv);
		argc--;
		argv++;
	}
	if (!cube[0])
		return pcn_err(PCN_EXIT_USAGE, "\"cube ROUTER\" is missing");
	err = cube_open_type(cube, "router", &c, false);
	if (err)
		return err;
	if (v6) {
		err = route6_get(&c, &k6, addr);
		cube_close(&c);
		return err;
	}
	fd = cube_obj_fd(&c, "rt_fib");
	if (fd < 0) {
		err = pcn_err_kernel(errno, "cannot read the routes of \"%s\"",
				     cube);
	} else if (bpf_map_lookup_elem(fd, &k, &fe) ||
		   cube_ports_read(&c, ports) || fe.port >= PCN_MAX_PORTS) {
		err = pcn_err(PCN_EXIT_KERNEL, "\"%s\" has no route to %s",
			      cube, addr);
	} else {
		new_json_obj(json, pretty);
		open_json_array(PRINT_JSON, NULL);
		open_json_object(NULL);
		print_string(PRINT_ANY, "dst", "%s", addr);
		if (fe.via)
			print_ipv4("via", " via %s", fe.via);
		print_endpoint(cube, ports[fe.port].name);
		print_string(PRINT_ANY, "proto", " proto %s",
			     rt_kind_name(fe.kind));
		print_uint(PRINT_ANY, "metric", " metric %u", fe.metric);
		print_prefix4("prefix", " prefix %s", k.prefix & pcn_mask4(fe.plen), fe.plen);
		close_json_object();
		print_nl();
		close_json_array(PRINT_JSON, NULL);
		delete_json_obj();
	}
	if (fd >= 0)
		close(fd);
	cube_close(&c);
	return err;
}

static bool static_of_port(const struct rt_route_key *k,
			   const struct rt_route *r, void *arg)
{
	int port = *(int *)arg;

	return r->kind == RT_KIND_STATIC && (port < 0 || k->port == (__u32)port);
}

static bool static6_of_port(const struct rt_route6_key *k,
			    const struct rt_route *r, void *arg)
{
	int port = *(int *)arg;

	return r->kind == RT_KIND_STATIC && (port < 0 || k->port == (__u32)port);
}

static int route_flush(struct pcn_cube *c, int port, bool dynamic_only,
		       const void *arg)
{
	return rt_routes_drop(c, static_of_port, &port) ?:
	       rt6_routes_drop(c, static6_of_port, &port);
}

static int route_flush_cmd(int argc, char **argv)
{
	static const struct flush_spec spec = {
		.object = "route", .type = "router", .cube_arg = "ROUTER",
		.what = "routes", .flush = route_flush,
	};

	return cube_flush_cmd(argc, argv, &spec);
}

static const struct pcn_cmd cmds[] = {
	{ "show", route_show_cmd },
	{ "list", route_show_cmd },
	{ "add", route_add_cmd },
	{ "replace", route_replace_cmd },
	{ "del", route_del_cmd },
	{ "delete", route_del_cmd },
	{ "get", route_get_cmd },
	{ "flush", route_flush_cmd },
	{ NULL, NULL },
};

/* "PREFIX" of route del and replace: the static routes of the routers */
static void route_prefixes(struct pcn_line *l, struct pcn_cube *c)
{
	char buf[PCN_PREFIX_STRLEN];
	struct rt_entry *all;
	int i, n;

	if (rt_entries_read(c, &all, &n))
		return;
	for (i = 0; i < n; i++)
		if (all[i].r.kind == RT_KIND_STATIC)
			pcn_line_emit(l, "%s", all[i].k.plen ?
				      pcn_prefix4_str(all[i].k.prefix,
						      all[i].k.plen, buf) :
				      "default");
	free(all);
}

static void complete_prefix(struct pcn_line *l)
{
	if (strcmp(pcn_line_verb(l), "add"))
		pcn_line_cubes(l, "router", NULL, route_prefixes);
}

static const struct pcn_completion completions[] = {
	{ "PREFIX", complete_prefix },
	{ NULL, NULL },
};

const struct pcn_object route_object = {
	.name = "route",
	.cmds = cmds,
	.summary = "routes of router cubes",
	.usage = usage,
	.complete = completions,
};
