// SPDX-License-Identifier: GPL-2.0
/*
 * pcn backend: the servers behind the services of lbdsr cubes.
 *
 *   pcn backend show [ cube LB ]
 *   pcn backend add cube LB vip ADDR port PORT proto PROTO addr ADDR
 *                   mac MAC [ weight WEIGHT ]
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
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "lb.h"
#include "maglev_table.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: pcn backend show [ cube LB ]\n"
		"       pcn backend add cube LB vip ADDR port PORT proto PROTO addr ADDR mac MAC [ weight WEIGHT ]\n"
		"       pcn backend set cube LB vip ADDR port PORT proto PROTO addr ADDR [ mac MAC ] [ weight WEIGHT ]\n"
		"       pcn backend del cube LB vip ADDR port PORT proto PROTO addr ADDR\n"
		"       pcn backend flush cube LB vip ADDR port PORT proto PROTO\n"
		"       pcn backend help\n"
		"ADDR := { IPv4 address | IPv6 address }, the family of the VIP\n"
		"PROTO := { tcp | udp }\n"
		"MAC := xx:xx:xx:xx:xx:xx (unicast)\n"
		"WEIGHT := 0..1000, 1 by default; 0 drains\n");
}

struct be_args {
	struct lb_svc_args svc;
	struct lb_backend be;
	bool addr, mac, weight;
};

/* @with: which of addr, mac, weight the verb takes ("amw") */
static int be_args(int argc, char **argv, struct be_args *a, const char *with)
{
	int family, err;
	__u32 plen, w;

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
			if (pcn_parse_prefix(*argv, a->be.addr, &plen, &family) ||
			    plen != (family == 4 ? 32u : 128u))
				return pcn_err(PCN_EXIT_USAGE,
					       "addr \"%s\" is not an IPv4 or IPv6 address",
					       *argv);
			a->be.family = family;
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

/* Open the cube and its service, and read its backends into @b. */
static int be_open(const struct be_args *a, struct pcn_cube *c,
		   struct lb_svc *svc, struct lb_backend *b)
{
	char buf[128];
	int err;

	err = cube_open_type(a->svc.cube, "lbdsr", c, true);
	if (err)
		return err;
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

/* the entry of backend @addr of service @id, or -1 */
static int be_find(const struct lb_backend *b, __u32 id, const __u8 *addr)
{
	int i;

	for (i = 0; i < LB_BACKENDS_MAX; i++)
		if (b[i].svc_id == id && !memcmp(b[i].addr, addr, 16))
			return i;
	return -1;
}

static int be_add_cmd(int argc, char **argv)
{
	struct be_args a = {};
	struct lb_backend *b;
	struct lb_svc svc;
	struct pcn_cube c;
	char buf[PCN_PREFIX_STRLEN];
	__u32 i, n = 0, slot = LB_BACKENDS_MAX;
	int fd, err;

	err = be_args(argc, argv, &a, "amw");
	if (!err && !a.mac)
		err = pcn_missing_arg("mac");
	if (err)
		return err;
	b = calloc(LB_BACKENDS_MAX, sizeof(*b));
	if (!b)
		return pcn_err_kernel(-ENOMEM, "cannot add the backend");
	err = be_open(&a, &c, &svc, b);
	if (err)
		goto out_free;
	lb_addr_str(a.be.family, a.be.addr, buf);
	if (be_find(b, svc.id, a.be.addr) >= 0) {
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
	char buf[PCN_PREFIX_STRLEN];
	int i, err;

	err = be_args(argc, argv, &a, "amw");
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
	lb_addr_str(a.be.family, a.be.addr, buf);
	i = be_find(b, svc.id, a.be.addr);
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
	char buf[PCN_PREFIX_STRLEN];
	int i, err;

	err = be_args(argc, argv, &a, "a");
	if (err)
		return err;
	b = calloc(LB_BACKENDS_MAX, sizeof(*b));
	if (!b)
		return pcn_err_kernel(-ENOMEM, "cannot delete the backend");
	err = be_open(&a, &c, &svc, b);
	if (err)
		goto out_free;
	lb_addr_str(a.be.family, a.be.addr, buf);
	i = be_find(b, svc.id, a.be.addr);
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

/* the service of each backend (@n of them, in @e), by id */
struct be_svc {
	struct lb_svc_key k;
	__u32 id;
};

static int be_services(struct pcn_cube *c, struct be_svc **out, int *n)
{
	struct lb_svc_key *keys;
	struct lb_svc *vals;
	int fd, i;

	fd = cube_obj_fd(c, "lb_services");
	if (fd < 0)
		return -errno;
	*n = map_dump(fd, sizeof(*keys), sizeof(*vals), LB_SERVICES_MAX,
		      (void **)&keys, (void **)&vals);
	close(fd);
	if (*n < 0)
		return *n;
	*out = calloc(*n + 1, sizeof(**out));
	for (i = 0; *out && i < *n; i++) {
		(*out)[i].k = keys[i];
		(*out)[i].id = vals[i].id;
	}
	free(keys);
	free(vals);
	return *out ? 0 : -ENOMEM;
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

	return r ? r : memcmp(a->b->addr, b->b->addr, 16);
}

/* the backends of @c sorted by service and address; caller frees */
static int be_lines(struct pcn_cube *c, struct lb_backend *b,
		    struct be_svc **svcs, struct be_line **lines, int *n)
{
	int ns = 0, i, j, err;

	*n = 0;
	*lines = NULL;
	err = lb_backends_read(c, b) ?: be_services(c, svcs, &ns);
	if (err)
		return err;
	*lines = calloc(LB_BACKENDS_MAX, sizeof(**lines));
	if (!*lines)
		return -ENOMEM;
	for (i = 0; i < LB_BACKENDS_MAX; i++) {
		if (b[i].svc_id == LB_FREE)
			continue;
		for (j = 0; j < ns; j++)
			if ((*svcs)[j].id == b[i].svc_id)
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
	struct be_svc *svcs = NULL;
	struct be_line *l = NULL;
	struct lb_backend *b;
	char buf[128];
	int n, i;

	(void)arg;
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
	int err;

	while (argc > 0) {
		if (!is_kw(*argv, "cube"))
			return pcn_unknown_kw("backend", *argv);
		NEXT_ARG();
		err = arg_name_once("cube", *argv, &cube);
		if (err)
			return err;
		argc--;
		argv++;
	}
	return cube_show_of_type(cube, "lbdsr", show_cube, NULL);
}

int lb_backends_save(struct pcn_cube *c, struct pcn_save *s)
{
	struct be_svc *svcs = NULL;
	struct be_line *l = NULL;
	struct lb_backend *b;
	char buf[128], a[PCN_PREFIX_STRLEN], m[PCN_MAC_STRLEN];
	int n, i, err = -ENOMEM;

	b = calloc(LB_BACKENDS_MAX, sizeof(*b));
	if (b)
		err = be_lines(c, b, &svcs, &l, &n);
	for (i = 0; !err && i < n; i++)
		pcn_save_line(s, "backend add cube %s %s addr %s mac %s weight %u",
			      c->name, lb_svc_str(l[i].k, buf, sizeof(buf)),
			      lb_addr_str(l[i].b->family, l[i].b->addr, a),
			      pcn_mac_str(l[i].b->mac, m), l[i].b->weight);
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
