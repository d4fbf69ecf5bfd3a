// SPDX-License-Identifier: GPL-2.0
/*
 * pcn service: the services of load balancers (lbdsr, lbrp cubes),
 * VIP:port/protocol each.
 *
 *   pcn service show [ cube LB ]
 *   pcn service add cube LB vip ADDR port PORT proto { tcp | udp }
 *                   [ affinity { flow | source } ]
 *   pcn service del cube LB vip ADDR port PORT proto { tcp | udp }
 *   pcn service flush cube LB
 *
 * A service has an id (1..), its slot in the Maglev tables and the
 * counters; its backends are the object "backend" (backend.c). An
 * lbdsr answers ARP (and NDP) for its VIP on the frontend while one
 * service has it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "lb_user.h"

static const char *const affinity_names[] = {
	[LB_AFF_FLOW] = "flow",
	[LB_AFF_SOURCE] = "source",
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: pcn service show [ cube LB ]\n"
		"       pcn service add cube LB vip ADDR port PORT proto PROTO [ affinity AFFINITY ]\n"
		"       pcn service del cube LB vip ADDR port PORT proto PROTO\n"
		"       pcn service flush cube LB\n"
		"       pcn service help\n"
		"ADDR := { IPv4 address | IPv6 address }\n"
		"PORT := 1..65535\n"
		"PROTO := { tcp | udp }\n"
		"AFFINITY := { flow | source }, flow by default\n");
}

static int show_cube(struct pcn_cube *c, void *arg)
{
	struct lb_backend *b;
	struct lb_svc_entry *e;
	char buf[128];
	int n, i, j, nb;

	(void)arg;
	if (!lb_is_type(c))
		return 0;
	b = calloc(LB_BACKENDS_MAX, sizeof(*b));
	if (!b || lb_backends_read(c, b) || lb_svc_list(c, &e, &n)) {
		free(b);
		return 0;
	}
	for (i = 0; i < n; i++) {
		for (j = 0, nb = 0; j < LB_BACKENDS_MAX; j++)
			nb += b[j].svc_id == e[i].v.id;
		open_json_object(NULL);
		print_string(PRINT_ANY, "cube", "cube %s ", c->name);
		print_string(PRINT_FP, NULL, "%s",
			     lb_svc_str(&e[i].k, buf, sizeof(buf)));
		print_string(PRINT_JSON, "vip", NULL,
			     lb_addr_str(e[i].k.family, e[i].k.vip, buf));
		print_uint(PRINT_JSON, "port", NULL, e[i].k.port);
		print_string(PRINT_JSON, "proto", NULL,
			     pcn_proto_name(e[i].k.proto));
		print_string(PRINT_ANY, "affinity", " affinity %s",
			     affinity_names[e[i].v.affinity & 1]);
		print_uint(PRINT_ANY, "backends", " backends %u", nb);
		if (show_details)
			print_uint(PRINT_ANY, "id", " id %u", e[i].v.id);
		lb_print_obj_stats(c, "lb_svc_stats", e[i].v.id);
		close_json_object();
		print_nl();
	}
	free(e);
	free(b);
	return 0;
}

static int svc_show_cmd(int argc, char **argv)
{
	const char *cube = NULL;

	return lb_cube_arg(argc, argv, "service", &cube) ?:
	       lb_show_cubes(cube, show_cube);
}

/* "cube LB vip ADDR port PORT proto P" and, for add, "affinity A" */
static int svc_args(int argc, char **argv, struct lb_svc_args *a,
		    __u32 *affinity)
{
	bool aff_set = false;
	int err;

	while (argc > 0) {
		err = lb_svc_kw(&argc, &argv, a);
		if (err >= 0) {
			if (err)
				return err;
			continue;
		}
		if (!affinity || !is_kw(*argv, "affinity"))
			return pcn_unknown_kw("service", *argv);
		DUP_CHECK(aff_set, "affinity");
		NEXT_ARG();
		if (is_kw(*argv, "flow"))
			*affinity = LB_AFF_FLOW;
		else if (is_kw(*argv, "source"))
			*affinity = LB_AFF_SOURCE;
		else
			return pcn_err(PCN_EXIT_USAGE,
				       "affinity \"%s\": flow or source", *argv);
		argc--;
		argv++;
	}
	return lb_svc_args_check(a);
}

/* lb_vips: one more (@d 1) or one fewer (-1) service on the VIP of @k */
static int vip_count(struct pcn_cube *c, const struct lb_svc_key *k, int d)
{
	struct lb_svc_key vk = { .family = k->family };
	__u32 n = 0;
	int err;

	memcpy(vk.vip, k->vip, 16);
	cube_map_get(c, "lb_vips", &vk, &n);
	n += d;
	if (!n) {
		err = cube_map_del(c, "lb_vips", &vk);
		return err == -ENOENT ? 0 : err;
	}
	return cube_map_put(c, "lb_vips", &vk, &n);
}

static int svc_add_cmd(int argc, char **argv)
{
	struct lb_svc_args a = {};
	struct lb_svc svc = {}, old;
	struct lb_svc_entry *e;
	bool used[LB_SERVICES_MAX] = {};
	struct pcn_cube c;
	char buf[128];
	int n, i, fd, err;

	err = svc_args(argc, argv, &a, &svc.affinity);
	if (err)
		return err;
	err = lb_open(a.cube, &c, true);
	if (err)
		return err;
	if (!lb_svc_get(&c, &a.key, &old)) {
		err = pcn_err(PCN_EXIT_KERNEL, "service %s of \"%s\" exists",
			      lb_svc_str(&a.key, buf, sizeof(buf)), c.name);
		goto out;
	}
	err = lb_svc_list(&c, &e, &n);
	if (err) {
		err = pcn_err_kernel(err, "cannot read the services");
		goto out;
	}
	for (i = 0; i < n; i++)
		if (e[i].v.id < LB_SERVICES_MAX)
			used[e[i].v.id] = true;
	free(e);
	for (svc.id = 1; svc.id < LB_SERVICES_MAX && used[svc.id]; svc.id++)
		;
	if (svc.id == LB_SERVICES_MAX) {
		err = pcn_err(PCN_EXIT_KERNEL, "\"%s\" has %d services, the most it can",
			      c.name, LB_SERVICES_MAX - 1);
		goto out;
	}
	fd = cube_obj_fd(&c, "lb_svc_stats");
	err = fd < 0 ? -errno : map_percpu_zero(fd, svc.id,
						sizeof(struct lb_obj_stats));
	if (fd >= 0)
		close(fd);
	if (!err)
		err = vip_count(&c, &a.key, 1);
	if (!err) {
		err = cube_map_put(&c, "lb_services", &a.key, &svc);
		if (err)
			vip_count(&c, &a.key, -1);
	}
	if (err)
		err = pcn_err_kernel(err, "cannot add service %s",
				     lb_svc_str(&a.key, buf, sizeof(buf)));
out:
	cube_close(&c);
	return err;
}

/*
 * Remove service @k (@svc) and its backends: its table first (its
 * traffic is dropped from then on), then the backends, then the service
 * and its VIP. A step that fails leaves what "service del" again
 * finishes.
 */
static int svc_remove(struct pcn_cube *c, const struct lb_svc_key *k,
		      const struct lb_svc *svc)
{
	const struct lb_backend none = {};
	struct lb_backend *b;
	__u32 i;
	int err;

	b = calloc(LB_BACKENDS_MAX, sizeof(*b));
	if (!b)
		return -ENOMEM;
	err = lb_backends_read(c, b);
	for (i = 0; i < LB_BACKENDS_MAX && !err; i++)
		if (b[i].svc_id == svc->id)
			b[i].weight = 0;
	if (!err)
		err = lb_table_switch(c, svc->id, b);
	for (i = 0; i < LB_BACKENDS_MAX && !err; i++) {
		struct lb_backend f = none;

		if (b[i].svc_id != svc->id)
			continue;
		f.gen = b[i].gen;	/* kept: flows to it see it is gone */
		err = cube_map_put(c, "lb_backends", &i, &f);
	}
	free(b);
	if (!err)
		err = cube_map_del(c, "lb_services", k);
	if (!err)
		err = vip_count(c, k, -1);
	return err;
}

static int svc_del_cmd(int argc, char **argv)
{
	struct lb_svc_args a = {};
	struct pcn_cube c;
	struct lb_svc svc;
	char buf[128];
	int err;

	err = svc_args(argc, argv, &a, NULL);
	if (err)
		return err;
	err = lb_open(a.cube, &c, true);
	if (err)
		return err;
	err = lb_svc_get(&c, &a.key, &svc);
	if (err == -ENOENT)
		err = pcn_err(PCN_EXIT_KERNEL,
			      "service %s of \"%s\" does not exist",
			      lb_svc_str(&a.key, buf, sizeof(buf)), c.name);
	else if (err || (err = svc_remove(&c, &a.key, &svc)))
		err = pcn_err_kernel(err, "cannot delete service %s",
				     lb_svc_str(&a.key, buf, sizeof(buf)));
	cube_close(&c);
	return err;
}

static int svc_flush_cmd(int argc, char **argv)
{
	const char *cube = NULL;
	struct lb_svc_entry *e;
	struct pcn_cube c;
	int n, i, err;

	err = lb_cube_arg(argc, argv, "service", &cube);
	if (err)
		return err;
	if (!cube)
		return pcn_missing_arg("cube");
	err = lb_open(cube, &c, true);
	if (err)
		return err;
	err = lb_svc_list(&c, &e, &n);
	for (i = 0; i < n && !err; i++)
		err = svc_remove(&c, &e[i].k, &e[i].v);
	free(e);
	if (err)
		err = pcn_err_kernel(err, "cannot flush the services of \"%s\"",
				     c.name);
	cube_close(&c);
	return err;
}

/* the service lines of pcn save, sorted */
int lb_services_save(struct pcn_cube *c, struct pcn_save *s)
{
	struct lb_svc_entry *e;
	char buf[128];
	int n, i, err;

	err = lb_svc_list(c, &e, &n);
	if (err)
		return pcn_err_kernel(err, "cannot read the services of \"%s\"",
				      c->name);
	for (i = 0; i < n; i++)
		pcn_save_line(s, "service add cube %s %s affinity %s", c->name,
			      lb_svc_str(&e[i].k, buf, sizeof(buf)),
			      affinity_names[e[i].v.affinity & 1]);
	free(e);
	return 0;
}

static const struct pcn_cmd cmds[] = {
	{ "show", svc_show_cmd },
	{ "list", svc_show_cmd },
	{ "add", svc_add_cmd },
	{ "del", svc_del_cmd },
	{ "delete", svc_del_cmd },
	{ "flush", svc_flush_cmd },
	{ NULL, NULL },
};

const struct pcn_object lb_service_object = {
	.name = "service",
	.cmds = cmds,
	.summary = "services (VIP, port, protocol) of load balancers",
	.usage = usage,
};
