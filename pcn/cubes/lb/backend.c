// SPDX-License-Identifier: GPL-2.0
/*
 * pcn backend: the servers behind the services of load balancers
 * (lbdsr, lbrp cubes).
 *
 *   pcn backend show [ cube LB ]
 *   pcn backend add cube LB vip ADDR port PORT proto PROTO addr ADDR
 *                   { mac MAC | target-port TPORT } [ weight WEIGHT ]
 *   pcn backend set cube LB vip ADDR port PORT proto PROTO addr ADDR
 *                   [ mac MAC ] [ weight WEIGHT ]
 *   pcn backend del cube LB vip ADDR port PORT proto PROTO addr ADDR
 *   pcn backend flush cube LB vip ADDR port PORT proto PROTO
 *
 * Each change rebuilds its service's Maglev table aside and switches
 * it in with one write (lb.c). Weight 0 drains a backend: it takes no
 * new flow, and keeps those it has. A backend deleted loses its flows
 * to the others; its entry is freed after the table without it is in
 * place, and its generation keeps any flow table entry from finding a
 * later backend in the same place.
 *
 * An lbdsr's backend is an address and the MAC frames go to; an
 * lbrp's, an address and the port it listens on (target-port, the
 * service's port by default), the two naming it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>

#include "lb_user.h"
#include "maglev_table.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: pcn backend show [ cube LB ]\n"
		"       pcn backend add cube LB vip ADDR port PORT proto PROTO addr ADDR [ mac MAC ] [ target-port TPORT ] [ weight WEIGHT ]\n"
		"       pcn backend set cube LB vip ADDR port PORT proto PROTO addr ADDR [ target-port TPORT ] [ mac MAC ] [ weight WEIGHT ]\n"
		"       pcn backend del cube LB vip ADDR port PORT proto PROTO addr ADDR [ target-port TPORT ]\n"
		"       pcn backend flush cube LB vip ADDR port PORT proto PROTO\n"
		"       pcn backend help\n"
		"ADDR := { IPv4 address | IPv6 address }, the family of the VIP\n"
		"PORT := 1..65535\n"
		"PROTO := { tcp | udp }\n"
		"MAC := xx:xx:xx:xx:xx:xx (unicast): lbdsr, where add needs it\n"
		"TPORT := 1..65535 (lbrp): the backend's port, the service's by default\n"
		"WEIGHT := 0..1000, 1 by default; 0 drains\n");
}

struct be_args {
	struct lb_svc_args svc;
	struct lb_backend be;
	bool addr, mac, weight, tport;
};

/* @with: which of addr, mac, target-port, weight the verb takes
 * ("amtw"); which of mac and target-port its type takes is be_open()'s */
static int be_args(int argc, char **argv, struct be_args *a, const char *with)
{
	__u32 w;
	int err;

	a->be.weight = LB_WEIGHT_DEFAULT;
	while (argc > 0) {
		err = lb_svc_kw(&argc, &argv, &a->svc);
		if (err >= 0) {
			if (err)
				return err;
			continue;
		}
		if (is_kw(*argv, "addr") && strchr(with, 'a')) {
			DUP_CHECK(a->addr, "addr");
			NEXT_ARG();
			err = lb_parse_addr("addr", *argv, a->be.addr,
					    &a->be.family);
			if (err)
				return err;
		} else if (is_kw(*argv, "target-port") && strchr(with, 't')) {
			DUP_CHECK(a->tport, "target-port");
			NEXT_ARG();
			if (pcn_parse_u32(*argv, 10, &w) || w < 1 || w > 65535)
				return pcn_err(PCN_EXIT_USAGE,
					       "target-port \"%s\" is not 1 to 65535",
					       *argv);
			a->be.port = w;
		} else if (is_kw(*argv, "mac") && strchr(with, 'm')) {
			DUP_CHECK(a->mac, "mac");
			NEXT_ARG();
			if (pcn_parse_mac(*argv, a->be.mac) || (a->be.mac[0] & 1))
				return pcn_err(PCN_EXIT_USAGE,
					       "\"%s\" is not a unicast MAC address",
					       *argv);
		} else if (is_kw(*argv, "weight") && strchr(with, 'w')) {
			DUP_CHECK(a->weight, "weight");
			NEXT_ARG();
			if (pcn_parse_u32(*argv, 10, &w) ||
			    w > PCN_MAGLEV_WEIGHT_MAX)
				return pcn_err(PCN_EXIT_USAGE,
					       "weight \"%s\" is not 0 to %d",
					       *argv, PCN_MAGLEV_WEIGHT_MAX);
			a->be.weight = w;
		} else {
			return pcn_unknown_kw("backend", *argv);
		}
		argc--;
		argv++;
	}
	err = lb_svc_args_check(&a->svc);
	if (err)
		return err;
	if (strchr(with, 'a') && !a->addr)
		return pcn_missing_arg("addr");
	if (a->addr && a->be.family != a->svc.key.family)
		return pcn_err(PCN_EXIT_USAGE,
			       "addr and vip are not of the same family");
	return 0;
}

/*
 * What @c's type makes of @a: an lbdsr's backend has a MAC and no
 * port, an lbrp's a port (the service's unless given) and no MAC.
 */
static int be_typed(struct be_args *a, const struct pcn_cube *c)
{
	if (lb_is_rp(c)) {
		if (a->mac)
			return pcn_err(PCN_EXIT_USAGE,
				       "an lbrp backend has no mac (the router or Linux finds it)");
		if (!a->tport)
			a->be.port = a->svc.key.port;
	} else if (a->tport) {
		return pcn_err(PCN_EXIT_USAGE,
			       "an lbdsr backend has no target-port (it answers from the VIP's)");
	}
	return 0;
}

/* Open the cube and its service, and read its backends into @b. */
static int be_open(struct be_args *a, struct pcn_cube *c,
		   struct lb_svc *svc, struct lb_backend *b)
{
	char buf[128];
	int err;

	err = lb_open(a->svc.cube, c, true);
	if (err)
		return err;
	err = be_typed(a, c);
	if (err) {
		cube_close(c);
		return err;
	}
	err = lb_svc_get(c, &a->svc.key, svc);
	if (err == -ENOENT)
		err = pcn_err(PCN_EXIT_KERNEL,
			      "service %s of \"%s\" does not exist",
			      lb_svc_str(&a->svc.key, buf, sizeof(buf)), c->name);
	else if (err || (err = lb_backends_read(c, b)))
		err = pcn_err_kernel(err, "cannot read \"%s\"", c->name);
	if (err)
		cube_close(c);
	return err;
}

/* the entry of backend @addr, @port of service @id, or -1 */
static int be_find(const struct lb_backend *b, __u32 id,
		   const struct lb_backend *which)
{
	int i;

	for (i = 0; i < LB_BACKENDS_MAX; i++)
		if (b[i].svc_id == id && b[i].port == which->port &&
		    !memcmp(b[i].addr, which->addr, 16))
			return i;
	return -1;
}

/* "ADDR" (lbdsr), "ADDR target-port PORT" (lbrp): a backend in a message */
static const char *be_str(const struct lb_backend *be, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	lb_addr_str(be->family, be->addr, a);
	if (be->port)
		snprintf(buf, len, "%s target-port %u", a, be->port);
	else
		snprintf(buf, len, "%s", a);
	return buf;
}

static int be_add_cmd(int argc, char **argv)
{
	struct be_args a = {};
	struct lb_backend *b;
	struct lb_svc svc;
	struct pcn_cube c;
	char buf[PCN_PREFIX_STRLEN + 24];
	__u32 i, n = 0, slot = LB_BACKENDS_MAX;
	int fd, err;

	err = be_args(argc, argv, &a, "amtw");
	if (err)
		return err;
	b = calloc(LB_BACKENDS_MAX, sizeof(*b));
	if (!b)
		return pcn_err_kernel(-ENOMEM, "cannot add the backend");
	err = be_open(&a, &c, &svc, b);
	if (err)
		goto out_free;
	if (!lb_is_rp(&c) && !a.mac) {
		err = pcn_missing_arg("mac");
		goto out;
	}
	be_str(&a.be, buf, sizeof(buf));
	if (be_find(b, svc.id, &a.be) >= 0) {
		err = pcn_err(PCN_EXIT_KERNEL, "backend %s of the service exists",
			      buf);
		goto out;
	}
	for (i = 0; i < LB_BACKENDS_MAX; i++) {
		n += b[i].svc_id == svc.id;
		if (b[i].svc_id == LB_FREE && slot == LB_BACKENDS_MAX)
			slot = i;
	}
	if (n >= LB_SVC_BACKENDS_MAX || slot == LB_BACKENDS_MAX) {
		err = pcn_err(PCN_EXIT_KERNEL, "the service has %u backends, \"%s\" %d in all: the most they can",
			      n, c.name, LB_BACKENDS_MAX);
		goto out;
	}
	a.be.svc_id = svc.id;
	a.be.gen = b[slot].gen + 1;
	fd = cube_obj_fd(&c, "lb_backend_stats");
	err = fd < 0 ? -errno : map_percpu_zero(fd, slot,
						sizeof(struct lb_obj_stats));
	if (fd >= 0)
		close(fd);
	/* the entry, then the table that names it */
	if (!err)
		err = cube_map_put(&c, "lb_backends", &slot, &a.be);
	if (!err) {
		b[slot] = a.be;
		err = lb_table_switch(&c, svc.id, b);
		if (err) {
			b[slot].svc_id = LB_FREE;
			cube_map_put(&c, "lb_backends", &slot, &b[slot]);
		}
	}
	if (err)
		err = pcn_err_kernel(err, "cannot add backend %s", buf);
out:
	cube_close(&c);
out_free:
	free(b);
	return err;
}

static int be_set_cmd(int argc, char **argv)
{
	struct lb_backend was;
	struct be_args a = {};
	struct lb_backend *b;
	struct lb_svc svc;
	struct pcn_cube c;
	char buf[PCN_PREFIX_STRLEN + 24];
	int i, err;

	err = be_args(argc, argv, &a, "amtw");
	if (!err && !a.mac && !a.weight)
		err = pcn_err(PCN_EXIT_USAGE, "backend set takes mac or weight");
	if (err)
		return err;
	b = calloc(LB_BACKENDS_MAX, sizeof(*b));
	if (!b)
		return pcn_err_kernel(-ENOMEM, "cannot set the backend");
	err = be_open(&a, &c, &svc, b);
	if (err)
		goto out_free;
	be_str(&a.be, buf, sizeof(buf));
	i = be_find(b, svc.id, &a.be);
	if (i < 0) {
		err = pcn_err(PCN_EXIT_KERNEL,
			      "backend %s of the service does not exist", buf);
		goto out;
	}
	was = b[i];
	if (a.mac)
		memcpy(b[i].mac, a.be.mac, 6);
	if (a.weight)
		b[i].weight = a.be.weight;
	/* the same generation: its flows stay with it */
	err = cube_map_put(&c, "lb_backends", &i, &b[i]);
	if (!err && was.weight != b[i].weight) {
		err = lb_table_switch(&c, svc.id, b);
		if (err)
			cube_map_put(&c, "lb_backends", &i, &was);
	}
	if (err)
		err = pcn_err_kernel(err, "cannot set backend %s", buf);
out:
	cube_close(&c);
out_free:
	free(b);
	return err;
}

/* backend @i goes: the table without it first, then its entry */
static int be_remove(struct pcn_cube *c, __u32 svc_id, struct lb_backend *b,
		     __u32 i)
{
	struct lb_backend was = b[i];
	int err;

	b[i] = (struct lb_backend){ .gen = was.gen };
	err = lb_table_switch(c, svc_id, b);
	if (!err)
		err = cube_map_put(c, "lb_backends", &i, &b[i]);
	if (err)
		b[i] = was;
	return err;
}

static int be_del_cmd(int argc, char **argv)
{
	struct be_args a = {};
	struct lb_backend *b;
	struct lb_svc svc;
	struct pcn_cube c;
	char buf[PCN_PREFIX_STRLEN + 24];
	int i, err;

	err = be_args(argc, argv, &a, "at");
	if (err)
		return err;
	b = calloc(LB_BACKENDS_MAX, sizeof(*b));
	if (!b)
		return pcn_err_kernel(-ENOMEM, "cannot delete the backend");
	err = be_open(&a, &c, &svc, b);
	if (err)
		goto out_free;
	be_str(&a.be, buf, sizeof(buf));
	i = be_find(b, svc.id, &a.be);
	if (i < 0)
		err = pcn_err(PCN_EXIT_KERNEL,
			      "backend %s of the service does not exist", buf);
	else if ((err = be_remove(&c, svc.id, b, i)))
		err = pcn_err_kernel(err, "cannot delete backend %s", buf);
	cube_close(&c);
out_free:
	free(b);
	return err;
}

static int be_flush_cmd(int argc, char **argv)
{
	struct be_args a = {};
	struct lb_backend *b;
	struct lb_svc svc;
	struct pcn_cube c;
	__u32 i;
	int err;

	err = be_args(argc, argv, &a, "");
	if (err)
		return err;
	b = calloc(LB_BACKENDS_MAX, sizeof(*b));
	if (!b)
		return pcn_err_kernel(-ENOMEM, "cannot flush the backends");
	err = be_open(&a, &c, &svc, b);
	if (err)
		goto out_free;
	for (i = 0; i < LB_BACKENDS_MAX && !err; i++)
		if (b[i].svc_id == svc.id)
			b[i].weight = 0;
	err = lb_table_switch(&c, svc.id, b);
	for (i = 0; i < LB_BACKENDS_MAX && !err; i++) {
		if (b[i].svc_id != svc.id)
			continue;
		b[i] = (struct lb_backend){ .gen = b[i].gen };
		err = cube_map_put(&c, "lb_backends", &i, &b[i]);
	}
	if (err)
		err = pcn_err_kernel(err, "cannot flush the backends");
	cube_close(&c);
out_free:
	free(b);
	return err;
}

struct be_line {
	const struct lb_svc_key *k;
	const struct lb_backend *b;
	__u32 idx;
};

static int line_cmp(const void *x, const void *y)
{
	const struct be_line *a = x, *b = y;
	int r = memcmp(a->k, b->k, sizeof(*a->k));

	if (!r)
		r = memcmp(a->b->addr, b->b->addr, 16);
	return r ? r : (int)a->b->port - (int)b->b->port;
}

/* the backends of @c sorted by service and address; caller frees */
static int be_lines(struct pcn_cube *c, struct lb_backend *b,
		    struct lb_svc_entry **svcs, struct be_line **lines, int *n)
{
	int ns = 0, i, j, err;

	*n = 0;
	*lines = NULL;
	err = lb_backends_read(c, b) ?: lb_svc_list(c, svcs, &ns);
	if (err)
		return err;
	*lines = calloc(LB_BACKENDS_MAX, sizeof(**lines));
	if (!*lines)
		return -ENOMEM;
	for (i = 0; i < LB_BACKENDS_MAX; i++) {
		if (b[i].svc_id == LB_FREE)
			continue;
		for (j = 0; j < ns; j++)
			if ((*svcs)[j].v.id == b[i].svc_id)
				break;
		if (j == ns)
			continue;
		(*lines)[*n] = (struct be_line){ &(*svcs)[j].k, &b[i], i };
		(*n)++;
	}
	qsort(*lines, *n, sizeof(**lines), line_cmp);
	return 0;
}

static int show_cube(struct pcn_cube *c, void *arg)
{
	struct lb_svc_entry *svcs = NULL;
	struct be_line *l = NULL;
	struct lb_backend *b;
	char buf[128];
	int n, i;

	(void)arg;
	if (!lb_is_type(c))
		return 0;
	b = calloc(LB_BACKENDS_MAX, sizeof(*b));
	if (!b || be_lines(c, b, &svcs, &l, &n))
		goto out;
	for (i = 0; i < n; i++) {
		open_json_object(NULL);
		print_string(PRINT_ANY, "cube", "cube %s ", c->name);
		print_string(PRINT_FP, NULL, "%s",
			     lb_svc_str(l[i].k, buf, sizeof(buf)));
		print_string(PRINT_JSON, "vip", NULL,
			     lb_addr_str(l[i].k->family, l[i].k->vip, buf));
		print_uint(PRINT_JSON, "port", NULL, l[i].k->port);
		print_string(PRINT_JSON, "proto", NULL,
			     pcn_proto_name(l[i].k->proto));
		print_string(PRINT_ANY, "addr", " addr %s",
			     lb_addr_str(l[i].b->family, l[i].b->addr, buf));
		if (lb_is_rp(c))
			print_uint(PRINT_ANY, "target_port", " target-port %u",
				   l[i].b->port);
		else
			print_mac("mac", " mac %s", l[i].b->mac);
		print_uint(PRINT_ANY, "weight", " weight %u", l[i].b->weight);
		if (show_details)
			print_uint(PRINT_ANY, "id", " id %u", l[i].idx);
		lb_print_obj_stats(c, "lb_backend_stats", l[i].idx);
		close_json_object();
		print_nl();
	}
out:
	free(l);
	free(svcs);
	free(b);
	return 0;
}

static int be_show_cmd(int argc, char **argv)
{
	const char *cube = NULL;

	return lb_cube_arg(argc, argv, "backend", &cube) ?:
	       lb_show_cubes(cube, show_cube);
}

int lb_backends_save(struct pcn_cube *c, struct pcn_save *s)
{
	struct lb_svc_entry *svcs = NULL;
	struct be_line *l = NULL;
	struct lb_backend *b;
	char buf[128], a[PCN_PREFIX_STRLEN], m[PCN_MAC_STRLEN];
	int n, i, err = -ENOMEM;

	b = calloc(LB_BACKENDS_MAX, sizeof(*b));
	if (b)
		err = be_lines(c, b, &svcs, &l, &n);
	for (i = 0; !err && i < n; i++) {
		lb_addr_str(l[i].b->family, l[i].b->addr, a);
		if (lb_is_rp(c))
			snprintf(m, sizeof(m), "%u", l[i].b->port);
		else
			pcn_mac_str(l[i].b->mac, m);
		pcn_save_line(s, "backend add cube %s %s addr %s %s %s weight %u",
			      c->name, lb_svc_str(l[i].k, buf, sizeof(buf)), a,
			      lb_is_rp(c) ? "target-port" : "mac", m,
			      l[i].b->weight);
	}
	free(l);
	free(svcs);
	free(b);
	if (err)
		return pcn_err_kernel(err, "cannot read the backends of \"%s\"",
				      c->name);
	return 0;
}

static const struct pcn_cmd cmds[] = {
	{ "show", be_show_cmd },
	{ "list", be_show_cmd },
	{ "add", be_add_cmd },
	{ "set", be_set_cmd },
	{ "del", be_del_cmd },
	{ "delete", be_del_cmd },
	{ "flush", be_flush_cmd },
	{ NULL, NULL },
};

const struct pcn_object lb_backend_object = {
	.name = "backend",
	.cmds = cmds,
	.summary = "backends of the services of load balancers",
	.usage = usage,
};
