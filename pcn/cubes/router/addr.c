// SPDX-License-Identifier: GPL-2.0
/*
 * pcn addr: the IPv4 and IPv6 addresses of router ports, like "ip addr".
 *
 *   pcn addr show [ cube ROUTER ] [ port ROUTER:PORT ]
 *   pcn addr add ADDR/LEN port ROUTER:PORT [ secondary ]
 *   pcn addr del ADDR/LEN port ROUTER:PORT
 *
 * The first address of a port is its primary one: the source of what
 * the router sends out of it when no address of the port is on the
 * destination's subnet. Each address brings a local route (ADDR/32,
 * answered by the router) and a connected route (its subnet, on the
 * port); deleting it takes them away, and the routes through next hops
 * that no address of the port reaches any more. IPv6 is the same, with
 * ADDR/128 local routes and up to RT_ADDRS6_MAX addresses a port; its
 * primary address is the source of the NS, NA and ICMPv6 errors the
 * port sends off the destination's subnet.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rt.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: pcn addr show [ cube ROUTER ] [ port ROUTER:PORT ]\n"
		"       pcn addr add ADDR/LEN port ROUTER:PORT [ secondary ]\n"
		"       pcn addr del ADDR/LEN port ROUTER:PORT\n"
		"       pcn addr help\n"
		"ADDR is IPv4 or IPv6. The first address of a port (of its family) is its primary one.\n");
}

static void addr6_print(struct pcn_cube *c, __u32 idx, const char *port)
{
	char buf[INET6_ADDRSTRLEN];
	struct rt_port6 rp;
	__u32 j;

	if (rt6_port_get(c, idx, &rp))
		return;
	for (j = 0; j < RT_ADDRS6_MAX && !rt6_zero(rp.addrs[j].addr); j++) {
		open_json_object(NULL);
		print_string(PRINT_ANY, "addr", "%s",
			     rt6_str(rp.addrs[j].addr, buf));
		print_uint(PRINT_ANY, "prefixlen", "/%u", rp.addrs[j].plen);
		print_endpoint(c->name, port);
		print_bool(PRINT_JSON, "secondary", NULL, j > 0);
		if (j > 0)
			print_string(PRINT_FP, NULL, "%s", " secondary");
		close_json_object();
		print_nl();
	}
}

static int addr_print_cb(struct pcn_cube *c, const char *port, void *arg)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	struct rt_port rp;
	__u32 i, j;

	if (cube_ports_read(c, ports))
		return 0;
	for (i = 0; i < PCN_MAX_PORTS; i++) {
		if (!ports[i].name[0] || rt_port_get(c, i, &rp))
			continue;
		if (port && strcmp(port, ports[i].name))
			continue;
		for (j = 0; j < RT_ADDRS_MAX && rp.addrs[j].addr; j++) {
			open_json_object(NULL);
			print_ipv4("addr", "%s", rp.addrs[j].addr);
			print_uint(PRINT_ANY, "prefixlen", "/%u",
				   rp.addrs[j].plen);
			print_endpoint(c->name, ports[i].name);
			print_bool(PRINT_JSON, "secondary", NULL, j > 0);
			if (j > 0)
				print_string(PRINT_FP, NULL, "%s", " secondary");
			close_json_object();
			print_nl();
		}
		addr6_print(c, i, ports[i].name);
	}
	return 0;
}

static int addr_show_cmd(int argc, char **argv)
{
	static const struct show_spec spec = {
		.object = "addr", .type = "router", .show = addr_print_cb,
	};

	return cube_show_each(argc, argv, &spec, NULL);
}

static int addr_port_args(int argc, char **argv, struct pcn_cube *c,
			  int *idx, bool *secondary);

/*
 * "ADDR/LEN port ROUTER:PORT", and "secondary" if @secondary: open the
 * router, find the port
 */
static int addr_args(int argc, char **argv, struct rt_addr *a,
		     struct pcn_cube *c, int *idx, bool *secondary)
{
	int err;

	if (argc < 1)
		return pcn_err(PCN_EXIT_USAGE, "ADDR/LEN missing");
	err = rt_arg_prefix(*argv, &a->addr, &a->plen, true);
	if (err)
		return err;
	if (!a->addr || (ntohl(a->addr) >> 28) >= 0xe)
		return pcn_err(PCN_EXIT_USAGE,
			       "%s is not a unicast address", *argv);
	if (!a->plen)
		return pcn_err(PCN_EXIT_USAGE,
			       "%s: the prefix length of an address is 1 to 32",
			       *argv);
	return addr_port_args(argc - 1, argv + 1, c, idx, secondary);
}

/* The same for IPv6: "X:X::X/LEN port ROUTER:PORT [ secondary ]" */
static int addr6_args(int argc, char **argv, struct rt_addr6 *a,
		      struct pcn_cube *c, int *idx, bool *secondary)
{
	int err;

	err = rt_arg_prefix6(*argv, a->addr, &a->plen, true);
	if (err)
		return err;
	if (!rt6_unicast(a->addr))
		return pcn_err(PCN_EXIT_USAGE,
			       "%s is not a unicast address", *argv);
	if (!a->plen || !strchr(*argv, '/'))
		return pcn_err(PCN_EXIT_USAGE,
			       "%s: an address has a prefix length, 1 to 128",
			       *argv);
	return addr_port_args(argc - 1, argv + 1, c, idx, secondary);
}

/* What follows ADDR/LEN: open the router, find the port. */
static int addr_port_args(int argc, char **argv, struct pcn_cube *c,
			  int *idx, bool *secondary)
{
	char cube[PCN_NAME_LEN], port[PCN_NAME_LEN] = "";
	int err;

	while (argc > 0) {
		if (secondary && is_kw(*argv, "secondary")) {
			/* as addr show writes an address after the primary */
			DUP_CHECK(*secondary, "secondary");
			argc--;
			argv++;
			continue;
		}
		if (!is_kw(*argv, "port"))
			return pcn_unknown_kw("addr", *argv);
		NEXT_ARG();
		err = arg_port_endpoint(*argv, cube, port);
		if (err)
			return err;
		argc--;
		argv++;
	}
	if (!port[0])
		return pcn_err(PCN_EXIT_USAGE, "\"port ROUTER:PORT\" is missing");
	err = cube_open_type(cube, "router", c, true);
	if (err)
		return err;
	err = rt_own_fib(c) ?: cube_port_index(c, port, idx);
	if (err)
		cube_close(c);
	return err;
}

static int addr6_add(int argc, char **argv)
{
	struct rt_route6_key local = { .plen = 128, .kind = RT_KIND_LOCAL };
	struct rt_route6_key net = { .kind = RT_KIND_CONNECTED };
	struct rt_port6 rp, other;
	bool secondary = false, net_added = false;
	struct rt_addr6 a;
	struct pcn_cube c;
	int idx, i, n, err;

	err = addr6_args(argc, argv, &a, &c, &idx, &secondary);
	if (err)
		return err;
	for (i = 0; i < PCN_MAX_PORTS; i++) {
		if (rt6_port_get(&c, i, &other))
			continue;
		for (n = 0; n < RT_ADDRS6_MAX; n++)
			if (!memcmp(other.addrs[n].addr, a.addr, 16)) {
				err = pcn_err(PCN_EXIT_KERNEL,
					      "%s is already an address of router \"%s\"",
					      argv[0], c.name);
				goto out;
			}
	}
	err = rt6_port_get(&c, idx, &rp);
	if (err) {
		err = pcn_err_kernel(err, "cannot read the port");
		goto out;
	}
	for (n = 0; n < RT_ADDRS6_MAX && !rt6_zero(rp.addrs[n].addr); n++)
		;
	if (secondary && !n) {
		err = pcn_err(PCN_EXIT_KERNEL,
			      "%s would be the primary address of its port: \"secondary\" goes with an address added after the primary",
			      argv[0]);
		goto out;
	}
	if (n == RT_ADDRS6_MAX) {
		err = pcn_err(PCN_EXIT_KERNEL,
			      "the port has %d IPv6 addresses, the most it can",
			      RT_ADDRS6_MAX);
		goto out;
	}
	memcpy(local.prefix, a.addr, 16);
	local.port = idx;
	err = rt6_route_add(&c, &local, 0);
	if (err) {
		err = pcn_err_kernel(err, "cannot add the local route of %s",
				     argv[0]);
		goto out;
	}
	memcpy(net.prefix, a.addr, 16);
	rt6_mask(net.prefix, a.plen);
	net.plen = a.plen;
	net.port = idx;
	if (a.plen < 128) {
		err = rt6_route_add(&c, &net, 0);
		/* -EEXIST: another address of the port on that subnet */
		net_added = !err;
		if (err == -EEXIST)
			err = 0;
		if (err) {
			rt6_route_del(&c, &local);
			err = pcn_err_kernel(err,
					     "cannot add the route to the subnet of %s",
					     argv[0]);
			goto out;
		}
	}
	rp.addrs[n] = a;
	err = rt6_port_put(&c, idx, &rp);
	if (err) {
		if (net_added)
			rt6_route_del(&c, &net);
		rt6_route_del(&c, &local);
		err = pcn_err_kernel(err, "cannot add %s", argv[0]);
	}
out:
	cube_close(&c);
	return err;
}

struct unreachable6_arg {
	__u32 port;
	struct rt_port6 *rp;
};

/* static IPv6 routes of the port whose next hop it no longer reaches */
static bool unreachable_via6(const struct rt_route6_key *k,
			     const struct rt_route *r, void *arg)
{
	struct unreachable6_arg *u = arg;

	return k->port == u->port && r->kind == RT_KIND_STATIC &&
	       !rt6_zero(k->via) && !rt6_on_link(u->rp, k->via);
}

static int addr6_del(int argc, char **argv)
{
	struct rt_route6_key local = { .plen = 128, .kind = RT_KIND_LOCAL };
	struct rt_route6_key net = { .kind = RT_KIND_CONNECTED };
	struct unreachable6_arg u;
	struct rt_port6 rp;
	struct rt_addr6 a;
	struct pcn_cube c;
	bool shared = false;
	int idx, i, n, err;

	err = addr6_args(argc, argv, &a, &c, &idx, NULL);
	if (err)
		return err;
	err = rt6_port_get(&c, idx, &rp);
	if (err) {
		err = pcn_err_kernel(err, "cannot read the port");
		goto out;
	}
	for (n = 0; n < RT_ADDRS6_MAX && !rt6_zero(rp.addrs[n].addr); n++)
		if (!memcmp(rp.addrs[n].addr, a.addr, 16) &&
		    rp.addrs[n].plen == a.plen)
			break;
	if (n == RT_ADDRS6_MAX || rt6_zero(rp.addrs[n].addr)) {
		err = pcn_err(PCN_EXIT_KERNEL, "%s is not an address of port %s",
			      argv[0], argv[2]);
		goto out;
	}
	for (i = n; i < RT_ADDRS6_MAX - 1; i++)
		rp.addrs[i] = rp.addrs[i + 1];
	rp.addrs[RT_ADDRS6_MAX - 1] = (struct rt_addr6){};
	/* as IPv4: the routes first, the address last */
	memcpy(local.prefix, a.addr, 16);
	local.port = idx;
	err = rt6_route_del(&c, &local);
	for (i = 0; i < RT_ADDRS6_MAX && !rt6_zero(rp.addrs[i].addr); i++)
		if (rp.addrs[i].plen == a.plen &&
		    rt6_match(rp.addrs[i].addr, a.addr, a.plen))
			shared = true;
	if ((!err || err == -ENOENT) && a.plen < 128 && !shared) {
		memcpy(net.prefix, a.addr, 16);
		rt6_mask(net.prefix, a.plen);
		net.plen = a.plen;
		net.port = idx;
		err = rt6_route_del(&c, &net);
	}
	if (!err || err == -ENOENT) {
		u.port = idx;
		u.rp = &rp;
		err = rt6_routes_drop(&c, unreachable_via6, &u);
	}
	if (err) {
		err = pcn_err_kernel(err, "cannot remove the routes of %s",
				     argv[0]);
		goto out;
	}
	err = rt6_port_put(&c, idx, &rp);
	if (err)
		err = pcn_err_kernel(err, "cannot delete %s", argv[0]);
out:
	cube_close(&c);
	return err;
}

static int addr_add_cmd(int argc, char **argv)
{
	struct rt_route_key local = { .plen = 32, .kind = RT_KIND_LOCAL };
	struct rt_route_key net = { .kind = RT_KIND_CONNECTED };
	struct rt_port rp, other;
	bool secondary = false;
	struct rt_addr a;
	struct pcn_cube c;
	int idx, i, n, err;

	if (argc > 0 && rt_is_ipv6(argv[0]))
		return addr6_add(argc, argv);
	err = addr_args(argc, argv, &a, &c, &idx, &secondary);
	if (err)
		return err;
	for (i = 0; i < PCN_MAX_PORTS; i++) {
		if (rt_port_get(&c, i, &other))
			continue;
		for (n = 0; n < RT_ADDRS_MAX && other.addrs[n].addr; n++)
			if (other.addrs[n].addr == a.addr) {
				err = pcn_err(PCN_EXIT_KERNEL,
					      "%s is already an address of router \"%s\"",
					      argv[0], c.name);
				goto out;
			}
	}
	err = rt_port_get(&c, idx, &rp);
	if (err) {
		err = pcn_err_kernel(err, "cannot read the port");
		goto out;
	}
	for (n = 0; n < RT_ADDRS_MAX && rp.addrs[n].addr; n++)
		;
	if (secondary && !n) {
		err = pcn_err(PCN_EXIT_KERNEL,
			      "%s would be the primary address of its port: \"secondary\" goes with an address added after the primary",
			      argv[0]);
		goto out;
	}
	if (n == RT_ADDRS_MAX) {
		err = pcn_err(PCN_EXIT_KERNEL,
			      "the port has %d addresses, the most it can",
			      RT_ADDRS_MAX);
		goto out;
	}
	/* the routes first: an address answers as soon as it is there */
	local.prefix = a.addr;
	local.port = idx;
	err = rt_route_add(&c, &local, 0);
	if (err) {
		err = pcn_err_kernel(err, "cannot add the local route of %s",
				     argv[0]);
		goto out;
	}
	net.prefix = a.addr & pcn_mask4(a.plen);
	net.plen = a.plen;
	net.port = idx;
	if (a.plen < 32) {
		err = rt_route_add(&c, &net, 0);
		if (err == -EEXIST) {
			/* another address of the port on that subnet */
			err = 0;
			net.plen = 33;
		}
		if (err) {
			rt_route_del(&c, &local);
			err = pcn_err_kernel(err,
					     "cannot add the route to the subnet of %s",
					     argv[0]);
			goto out;
		}
	}
	rp.addrs[n] = a;
	err = rt_port_put(&c, idx, &rp);
	if (err) {
		if (a.plen < 32 && net.plen != 33)
			rt_route_del(&c, &net);
		rt_route_del(&c, &local);
		err = pcn_err_kernel(err, "cannot add %s", argv[0]);
	}
out:
	cube_close(&c);
	return err;
}

struct unreachable_arg {
	__u32 port;
	struct rt_port *rp;
};

/* static routes of the port whose next hop its subnets no longer hold */
static bool unreachable_via(const struct rt_route_key *k,
			    const struct rt_route *r, void *arg)
{
	struct unreachable_arg *u = arg;

	return k->port == u->port && r->kind == RT_KIND_STATIC && k->via &&
	       !rt_on_link(u->rp, k->via);
}

static int addr_del_cmd(int argc, char **argv)
{
	struct rt_route_key local = { .plen = 32, .kind = RT_KIND_LOCAL };
	struct rt_route_key net = { .kind = RT_KIND_CONNECTED };
	struct unreachable_arg u;
	struct rt_port rp;
	struct rt_addr a;
	struct pcn_cube c;
	int idx, i, n, err;
	bool shared = false;

	if (argc > 0 && rt_is_ipv6(argv[0]))
		return addr6_del(argc, argv);
	err = addr_args(argc, argv, &a, &c, &idx, NULL);
	if (err)
		return err;
	err = rt_port_get(&c, idx, &rp);
	if (err) {
		err = pcn_err_kernel(err, "cannot read the port");
		goto out;
	}
	for (n = 0; n < RT_ADDRS_MAX && rp.addrs[n].addr; n++)
		if (rp.addrs[n].addr == a.addr && rp.addrs[n].plen == a.plen)
			break;
	if (n == RT_ADDRS_MAX || !rp.addrs[n].addr) {
		err = pcn_err(PCN_EXIT_KERNEL, "%s is not an address of port %s",
			      argv[0], argv[2]);
		goto out;
	}
	/* the next one becomes primary if this one was */
	for (i = n; i < RT_ADDRS_MAX - 1; i++)
		rp.addrs[i] = rp.addrs[i + 1];
	rp.addrs[RT_ADDRS_MAX - 1] = (struct rt_addr){};
	/*
	 * The routes that need the address go first, the address last: if
	 * a step fails, the address is still there and "addr del" again
	 * finishes the job (a route already gone is no error).
	 */
	local.prefix = a.addr;
	local.port = idx;
	err = rt_route_del(&c, &local);
	for (i = 0; i < RT_ADDRS_MAX && rp.addrs[i].addr; i++)
		if (rp.addrs[i].plen == a.plen &&
		    !((rp.addrs[i].addr ^ a.addr) & pcn_mask4(a.plen)))
			shared = true;
	if ((!err || err == -ENOENT) && a.plen < 32 && !shared) {
		net.prefix = a.addr & pcn_mask4(a.plen);
		net.plen = a.plen;
		net.port = idx;
		err = rt_route_del(&c, &net);
	}
	if (!err || err == -ENOENT) {
		u.port = idx;
		u.rp = &rp;
		err = rt_routes_drop(&c, unreachable_via, &u);
	}
	if (err) {
		err = pcn_err_kernel(err, "cannot remove the routes of %s",
				     argv[0]);
		goto out;
	}
	err = rt_port_put(&c, idx, &rp);
	if (err)
		err = pcn_err_kernel(err, "cannot delete %s", argv[0]);
out:
	cube_close(&c);
	return err;
}

static const struct pcn_cmd cmds[] = {
	{ "show", addr_show_cmd },
	{ "list", addr_show_cmd },
	{ "add", addr_add_cmd },
	{ "del", addr_del_cmd },
	{ "delete", addr_del_cmd },
	{ NULL, NULL },
};

/* "ADDR/LEN" of addr del: the addresses the routers have */
static void addr_addrs(struct pcn_line *l, struct pcn_cube *c)
{
	char buf[PCN_PREFIX_STRLEN];
	struct rt_port rp;
	__u32 i, j;

	for (i = 0; i < PCN_MAX_PORTS; i++) {
		if (rt_port_get(c, i, &rp))
			continue;
		for (j = 0; j < RT_ADDRS_MAX && rp.addrs[j].addr; j++)
			pcn_line_emit(l, "%s", pcn_prefix4_str(rp.addrs[j].addr,
							      rp.addrs[j].plen,
							      buf));
	}
}

static void complete_addr(struct pcn_line *l)
{
	if (!strcmp(pcn_line_verb(l), "del"))
		pcn_line_cubes(l, "router", NULL, addr_addrs);
}

static const struct pcn_completion completions[] = {
	{ "ADDR/LEN", complete_addr },
	{ NULL, NULL },
};

const struct pcn_object addr_object = {
	.name = "addr",
	.cmds = cmds,
	.summary = "IPv4 and IPv6 addresses of router ports",
	.usage = usage,
	.complete = completions,
};
