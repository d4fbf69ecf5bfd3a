// SPDX-License-Identifier: GPL-2.0
/*
 * pcn ct: the connection tracking tables of firewall cubes, like
 * "conntrack -L" and "conntrack -F".
 *
 *   pcn ct show [ FIREWALL ]
 *   pcn ct flush FIREWALL
 *
 * The table is the firewall's fw_ct map: the datapath adds a flow when
 * a chain accepts a packet that opens one, refreshes it as packets go,
 * and forgets it when it times out (or at a TCP RST); a full table
 * drops its least recently used flows.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "fw.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: pcn ct show [ FIREWALL ]\n"
		"       pcn ct flush FIREWALL\n"
		"       pcn ct help\n");
}

static void print_flow(const char *cube, const struct pcn_ct_key *k,
		       const struct pcn_ct *c, __u64 now)
{
	int o = c->opener & 1, af = k->family == 4 ? AF_INET : AF_INET6;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	const char *name = pcn_proto_name(k->proto);
	bool ports = k->proto == 6 || k->proto == 17;
	__u64 age = pcn_age_ns(now, c->seen_ns) / NSEC_PER_SEC;

	inet_ntop(af, k->addr[o], a, sizeof(a));
	inet_ntop(af, k->addr[!o], b, sizeof(b));
	open_json_object(NULL);
	print_string(PRINT_ANY, "cube", "%s", cube);
	if (name)
		print_string(PRINT_ANY, "proto", " %s", name);
	else
		print_uint(PRINT_ANY, "proto", " %u", k->proto);
	print_string(PRINT_ANY, "src", " src %s", a);
	if (ports)
		print_uint(PRINT_ANY, "sport", " sport %u", k->port[o]);
	print_string(PRINT_ANY, "dst", " dst %s", b);
	if (ports)
		print_uint(PRINT_ANY, "dport", " dport %u", k->port[!o]);
	else
		print_uint(PRINT_ANY, "id", " id %u", k->port[0]);
	print_string(PRINT_ANY, "state", " %s",
		     c->flags & PCN_CT_CLOSING ? "closing" :
		     c->flags & PCN_CT_REPLIED ? "established" : "opening");
	print_u64(PRINT_ANY, "age", " age %" PRIu64 "s", age);
	print_u64(PRINT_ANY, "timeout", " timeout %" PRIu64 "s",
		  pcn_ct_timeout(c, k->proto));
	close_json_object();
	print_nl();
}

/* @fn for each flow of firewall @c: live ones, or @all */
static int ct_walk(struct pcn_cube *c, bool all,
		   void (*fn)(struct pcn_cube *c, int fd,
			      const struct pcn_ct_key *k, const struct pcn_ct *v))
{
	struct pcn_ct_key k, next;
	struct pcn_ct v;
	__u64 now = pcn_now_ns();
	bool more;
	int fd;

	fd = cube_obj_fd(c, "fw_ct");
	if (fd < 0)
		return -errno;
	for (more = !bpf_map_get_next_key(fd, NULL, &next); more;) {
		k = next;
		more = !bpf_map_get_next_key(fd, &k, &next);
		if (bpf_map_lookup_elem(fd, &k, &v))
			continue;
		/* a timed-out flow is gone, whether or not the datapath
		 * met it again */
		if (!all && pcn_older(now, v.seen_ns,
				      pcn_ct_timeout(&v, k.proto) * NSEC_PER_SEC))
			continue;
		fn(c, fd, &k, &v);
	}
	close(fd);
	return 0;
}

static void show_one(struct pcn_cube *c, int fd, const struct pcn_ct_key *k,
		     const struct pcn_ct *v)
{
	print_flow(c->name, k, v, pcn_now_ns());
}

static int show_cb(struct pcn_cube *c, void *arg)
{
	if (strcmp(c->meta.type, "firewall"))
		return 0;
	return ct_walk(c, false, show_one);
}

static int ct_show_cmd(int argc, char **argv)
{
	if (argc > 1)
		return pcn_err(PCN_EXIT_USAGE, "unexpected \"%s\"", argv[1]);
	return cube_show_of_type(argc ? argv[0] : NULL, "firewall", show_cb,
				 NULL);
}

static void delete_one(struct pcn_cube *c, int fd, const struct pcn_ct_key *k,
		       const struct pcn_ct *v)
{
	bpf_map_delete_elem(fd, k);
}

static int ct_flush_cmd(int argc, char **argv)
{
	struct pcn_cube c;
	int err;

	if (argc != 1)
		return pcn_err(PCN_EXIT_USAGE, argc ? "unexpected \"%s\"" :
			       "FIREWALL missing", argv[1]);
	err = cube_open_type(argv[0], "firewall", &c, true);
	if (err)
		return err;
	err = ct_walk(&c, true, delete_one);
	cube_close(&c);
	return err ? pcn_err_kernel(err, "cannot flush the flows of \"%s\"",
				    argv[0]) : 0;
}

static const struct pcn_cmd cmds[] = {
	{ "show", ct_show_cmd },
	{ "list", ct_show_cmd },
	{ "flush", ct_flush_cmd },
	{ NULL, NULL },
};

const struct pcn_object ct_object = {
	.name = "ct",
	.cmds = cmds,
	.summary = "connection tracking tables of firewall cubes",
	.usage = usage,
};
