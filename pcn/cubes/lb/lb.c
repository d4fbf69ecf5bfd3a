// SPDX-License-Identifier: GPL-2.0
/*
 * The load balancers (lbdsr, lbrp): what their objects share. Opening
 * a cube of either type, parsing a service's name off a command line,
 * reading the tables, and switching a service's Maglev
 * table: a new inner map built and filled aside, then put in the
 * service's slot of lb_maglev with one update, so a packet sees the old
 * table or the new one, never a table half written.
 */
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "lb_user.h"
#include "maglev_table.h"

static int svc_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct lb_svc_key));
}

int lb_parse_addr(const char *kw, const char *arg, __u8 *addr, __u8 *family)
{
	__u32 plen;
	int f;

	if (pcn_parse_prefix(arg, addr, &plen, &f) ||
	    plen != (f == 4 ? 32u : 128u))
		return pcn_err(PCN_EXIT_USAGE,
			       "%s \"%s\" is not an IPv4 or IPv6 address", kw,
			       arg);
	*family = f;
	return 0;
}

int lb_cube_arg(int argc, char **argv, const char *object, const char **cube)
{
	int err;

	while (argc > 0) {
		if (!is_kw(*argv, "cube"))
			return pcn_unknown_kw(object, *argv);
		NEXT_ARG();
		err = arg_name_once("cube", *argv, cube);
		if (err)
			return err;
		argc--;
		argv++;
	}
	return 0;
}

bool lb_is_type(const struct pcn_cube *c)
{
	return !strcmp(c->meta.type, "lbdsr") || !strcmp(c->meta.type, "lbrp");
}

bool lb_is_rp(const struct pcn_cube *c)
{
	return !strcmp(c->meta.type, "lbrp");
}

int lb_open(const char *name, struct pcn_cube *c, bool change)
{
	bool none;
	int err;

	if (change) {
		err = cube_open_for_change(name, c);
		if (err)
			return err;
	} else {
		err = tree_open(PCN_READ, &none);
		if (err)
			return err;
		err = none ? -ENOENT : cube_open(name, c);
		if (err)
			return cube_open_err(name, err);
	}
	if (!lb_is_type(c)) {
		cube_close(c);
		return pcn_err(PCN_EXIT_KERNEL,
			       "cube \"%s\" is a %s, not a load balancer (lbdsr, lbrp)",
			       name, c->meta.type);
	}
	return 0;
}

int lb_show_cubes(const char *name, int (*fn)(struct pcn_cube *c, void *arg))
{
	struct pcn_cube c;
	int err;

	if (name) {
		err = lb_open(name, &c, false);
		if (err)
			return err;
		cube_close(&c);
	}
	/* the type only checks a named cube, which lb_open() did */
	return cube_show_of_type(name, name ? c.meta.type : "lbdsr", fn, NULL);
}

int lb_svc_list(struct pcn_cube *c, struct lb_svc_entry **out, int *n)
{
	struct lb_svc_key *keys;
	struct lb_svc *vals;
	struct lb_svc_entry *e;
	int fd, i;

	*out = NULL;
	fd = cube_obj_fd(c, "lb_services");
	if (fd < 0)
		return -errno;
	*n = map_dump(fd, sizeof(*keys), sizeof(*vals), LB_SERVICES_MAX,
		      (void **)&keys, (void **)&vals);
	close(fd);
	if (*n < 0)
		return *n;
	e = calloc(*n + 1, sizeof(*e));
	if (e)
		for (i = 0; i < *n; i++) {
			e[i].k = keys[i];
			e[i].v = vals[i];
		}
	free(keys);
	free(vals);
	if (!e)
		return -ENOMEM;
	qsort(e, *n, sizeof(*e), svc_cmp);
	*out = e;
	return 0;
}

int lb_svc_kw(int *argcp, char ***argvp, struct lb_svc_args *a)
{
	int argc = *argcp, err = 0;
	char **argv = *argvp;
	__u32 v;

	if (is_kw(*argv, "cube")) {
		NEXT_ARG();
		err = arg_name_once("cube", *argv, &a->cube);
	} else if (is_kw(*argv, "vip")) {
		DUP_CHECK(a->vip, "vip");
		NEXT_ARG();
		err = lb_parse_addr("vip", *argv, a->key.vip, &a->key.family);
	} else if (is_kw(*argv, "port")) {
		DUP_CHECK(a->port, "port");
		NEXT_ARG();
		if (pcn_parse_u32(*argv, 10, &v) || v < 1 || v > 65535)
			return pcn_err(PCN_EXIT_USAGE,
				       "port \"%s\" is not 1 to 65535", *argv);
		a->key.port = v;
	} else if (is_kw(*argv, "proto")) {
		DUP_CHECK(a->proto, "proto");
		NEXT_ARG();
		if (is_kw(*argv, "tcp"))
			a->key.proto = IPPROTO_TCP;
		else if (is_kw(*argv, "udp"))
			a->key.proto = IPPROTO_UDP;
		else
			return pcn_err(PCN_EXIT_USAGE,
				       "proto \"%s\": tcp or udp", *argv);
	} else {
		return -1;
	}
	if (err)
		return err;
	*argcp = argc - 1;
	*argvp = argv + 1;
	return 0;
}

int lb_svc_args_check(const struct lb_svc_args *a)
{
	if (!a->cube)
		return pcn_missing_arg("cube");
	if (!a->vip)
		return pcn_missing_arg("vip");
	if (!a->port)
		return pcn_missing_arg("port");
	if (!a->proto)
		return pcn_missing_arg("proto");
	return 0;
}

const char *lb_addr_str(__u8 family, const __u8 *addr, char *buf)
{
	if (!inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, buf,
		       INET6_ADDRSTRLEN))
		strcpy(buf, "?");
	return buf;
}

const char *lb_svc_str(const struct lb_svc_key *k, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	snprintf(buf, len, "vip %s port %u proto %s",
		 lb_addr_str(k->family, k->vip, a),
		 k->port, pcn_proto_name(k->proto));
	return buf;
}

int lb_svc_get(struct pcn_cube *c, const struct lb_svc_key *k,
	       struct lb_svc *svc)
{
	return cube_map_get(c, "lb_services", k, svc);
}

int lb_backends_read(struct pcn_cube *c, struct lb_backend *b)
{
	int fd, err;

	fd = cube_obj_fd(c, "lb_backends");
	if (fd < 0)
		return -errno;
	err = map_array_read(fd, LB_BACKENDS_MAX, sizeof(*b), b);
	close(fd);
	return err;
}

/* the table of @b's backends of @svc_id into a new inner map: its fd */
static int table_build(const struct lb_backend *b, __u32 svc_id)
{
	struct pcn_maglev_backend *mb;
	struct pcn_maglev_chunk *chunks = NULL;
	__u16 *table = NULL;
	int n = 0, fd = -1, err;
	__u32 i;

	mb = calloc(LB_SVC_BACKENDS_MAX, sizeof(*mb));
	table = calloc(PCN_MAGLEV_SIZE, sizeof(*table));
	chunks = calloc(PCN_MAGLEV_CHUNKS, sizeof(*chunks));
	err = mb && table && chunks ? 0 : -ENOMEM;
	for (i = 0; i < LB_BACKENDS_MAX && !err; i++) {
		if (b[i].svc_id != svc_id)
			continue;
		if (n == LB_SVC_BACKENDS_MAX) {
			err = -E2BIG;
			break;
		}
		/* by its address and port: where it sits in the array is
		 * chance (an lbdsr backend's port is 0: its key as before) */
		memcpy(mb[n].key, b[i].addr, 16);
		memcpy(mb[n].key + 16, &b[i].port, 2);
		mb[n].weight = b[i].weight;
		mb[n].id = i;
		n++;
	}
	if (!err)
		err = pcn_maglev_build(mb, n, table);
	if (err)
		goto out;
	pcn_maglev_chunks(table, chunks);
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "lb_table", sizeof(__u32),
			    sizeof(*chunks), PCN_MAGLEV_CHUNKS, NULL);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	for (i = 0; i < PCN_MAGLEV_CHUNKS; i++) {
		if (bpf_map_update_elem(fd, &i, &chunks[i], BPF_ANY)) {
			err = -errno;
			close(fd);
			fd = -1;
			break;
		}
	}
out:
	free(mb);
	free(table);
	free(chunks);
	return fd >= 0 ? fd : err;
}

int lb_table_switch(struct pcn_cube *c, __u32 svc_id,
		    const struct lb_backend *b)
{
	int outer, inner = -1, err = 0;
	bool any = false;
	__u32 i;

	for (i = 0; i < LB_BACKENDS_MAX; i++)
		if (b[i].svc_id == svc_id && b[i].weight)
			any = true;
	outer = cube_obj_fd(c, "lb_maglev");
	if (outer < 0)
		return -errno;
	if (!any) {
		if (bpf_map_delete_elem(outer, &svc_id) && errno != ENOENT)
			err = -errno;
		goto out;
	}
	inner = table_build(b, svc_id);
	if (inner < 0) {
		err = inner;
		goto out;
	}
	err = pcn_fault_err("lb-table-switch");
	/* the one write: the old table goes when the last packet using it has */
	if (!err && bpf_map_update_elem(outer, &svc_id, &inner, BPF_ANY))
		err = -errno;
	close(inner);
out:
	close(outer);
	return err;
}

void lb_print_obj_stats(struct pcn_cube *c, const char *map, __u32 id)
{
	__u64 v[3] = {};
	int fd;

	if (!show_stats)
		return;
	fd = cube_obj_fd(c, map);
	if (fd < 0)
		return;
	map_percpu_sum(fd, id, v, 3);
	close(fd);
	open_json_object("stats");
	print_u64(PRINT_ANY, "packets", "\n    %" PRIu64 " packets", v[0]);
	print_u64(PRINT_ANY, "bytes", " %" PRIu64 " bytes", v[1]);
	print_u64(PRINT_ANY, "flows", " %" PRIu64 " flows", v[2]);
	close_json_object();
}
