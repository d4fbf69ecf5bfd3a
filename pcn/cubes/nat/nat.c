// SPDX-License-Identifier: GPL-2.0
/*
 * nat: a transparent cube that translates addresses and ports (SNAT,
 * masquerade, DNAT and port forwarding, 1:1), IPv4 and IPv6.
 *
 *   pcn cube add NAME type nat
 *
 * Its rules are the object "nat" (rule.c). It belongs on the outside of
 * a network, most often a router's outside port: its egress translates
 * what leaves, its ingress what comes in.
 *
 * Masquerade's address is the primary IPv4 address (and the first
 * global IPv6 address) of the point the cube is attached to: the
 * interface's own, or for a router port the port's primary address in
 * the router. pcn re-reads it, into the cube's nat_masq map, at every
 * command that touches the cube (any "pcn nat" verb on it, "pcn cube
 * show"): the datapath never asks user space. After the address
 * changes, new flows take the new one at the next such command; flows
 * translated already keep theirs until they end.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>

#include "nat_user.h"
#include "router.h"			/* bpf/router.h: rt_ports, read only */
#include "transparent.h"
#include "nat_xdp.skel.h"
#include "nat_tc.skel.h"

static const __u32 zero;

static int nat_parse_add(int argc, char **argv, __u8 *config)
{
	if (argc > 0)
		return pcn_unknown_kw("cube", *argv);
	return 0;
}

static int nat_init(struct pcn_cube *c)
{
	struct nat_state st = {};
	struct nat_masq m = {};
	__u64 now = 0;
	int err;

	err = cube_map_put(c, "nat_state", &zero, &st);
	if (!err)
		err = cube_map_put(c, "nat_masq", &zero, &m);
	if (!err)
		err = cube_map_put(c, "nat_gc", &zero, &now);
	return err;
}

/* the first IPv4 and global IPv6 address of interface @ifname */
static void iface_addrs(const char *ifname, struct nat_masq *m)
{
	struct ifaddrs *ifa, *i;

	if (getifaddrs(&ifa))
		return;
	for (i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_addr || strcmp(i->ifa_name, ifname))
			continue;
		if (i->ifa_addr->sa_family == AF_INET &&
		    !*(__u32 *)m->addr4) {
			struct sockaddr_in *a = (void *)i->ifa_addr;

			memcpy(m->addr4, &a->sin_addr, 4);
		} else if (i->ifa_addr->sa_family == AF_INET6 &&
			   !m->addr6[0]) {
			struct sockaddr_in6 *a = (void *)i->ifa_addr;

			/* not link-local (fe80::/10) */
			if (!IN6_IS_ADDR_LINKLOCAL(&a->sin6_addr))
				memcpy(m->addr6, &a->sin6_addr, 16);
		}
	}
	freeifaddrs(ifa);
}

/* the primary address of port @port of router @cube */
static void router_port_addr(const char *cube, const char *port,
			     struct nat_masq *m)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	struct rt_port rp;
	struct pcn_cube r;
	__u32 idx;
	int i;

	if (cube_open(cube, &r))
		return;
	if (strcmp(r.meta.type, "router") || cube_ports_read(&r, ports))
		goto out;
	i = cube_port_find(ports, PCN_MAX_PORTS, port);
	idx = i;
	if (i >= 0 && !cube_map_get(&r, "rt_ports", &idx, &rp))
		memcpy(m->addr4, &rp.addrs[0].addr, 4);
out:
	cube_close(&r);
}

static void masq_point_cb(const struct pcn_cube *t, __u32 id,
			  const struct pcn_point *pt,
			  const struct pcn_chain *ch, int pos, void *arg)
{
	struct nat_masq *m = arg;

	if (*(__u32 *)m->addr4 || m->addr6[0])
		return;			/* the first point decides */
	if (pt->kind == PCN_POINT_DEV)
		iface_addrs(pt->ifname, m);
	else if (pt->kind == PCN_POINT_PORT)
		router_port_addr(pt->cube, pt->port, m);
}

int nat_masq_refresh(struct pcn_cube *c, struct nat_masq *m)
{
	struct nat_masq was;

	memset(m, 0, sizeof(*m));
	for_each_point_of(c, masq_point_cb, m);
	if (!cube_map_get(c, "nat_masq", &zero, &was) &&
	    !memcmp(&was, m, sizeof(was)))
		return 0;
	return cube_map_put(c, "nat_masq", &zero, m);
}

static void nat_show(struct pcn_cube *c)
{
	struct nat_rule rules[NAT_RULES_MAX];
	char a[INET6_ADDRSTRLEN];
	struct nat_masq m;
	__u32 n = 0;

	nat_rules_read(c, rules, &n);
	print_uint(PRINT_ANY, "rules", " rules %u", n);
	if (nat_masq_refresh(c, &m))
		return;
	if (*(__u32 *)m.addr4)
		print_string(PRINT_ANY, "masquerade", " masquerade %s",
			     inet_ntop(AF_INET, m.addr4, a, sizeof(a)));
	if (m.addr6[0])
		print_string(PRINT_ANY, "masquerade6", " masquerade6 %s",
			     inet_ntop(AF_INET6, m.addr6, a, sizeof(a)));
}

/* struct nat_stats, per direction */
#define NAT_COUNTERS(dir)                                                  \
	{ dir, "translated", " translated %" PRIu64 },                      \
	{ dir, "new_flows", ", new flows %" PRIu64 },                       \
	{ dir, "table_full", ", table full %" PRIu64 },                     \
	{ dir, "no_port", ", no port %" PRIu64 },                           \
	{ dir, "no_address", ", no address %" PRIu64 },                     \
	{ dir, "invalid", ", invalid %" PRIu64 },                           \
	{ dir, "fragments", ", fragments %" PRIu64 },                       \
	{ dir, "malformed", ", malformed %" PRIu64 },                       \
	{ dir, "errors", ", errors %" PRIu64 },                             \
	{ NULL, NULL, NULL }

static const struct pcn_counter nat_ingress[] = { NAT_COUNTERS("ingress") };
static const struct pcn_counter nat_egress[] = { NAT_COUNTERS("egress") };

static const struct pcn_counters nat_counters[] = {
	{ "nat_stats", PCN_DIR_INGRESS, "\n    ingress:", nat_ingress },
	{ "nat_stats", PCN_DIR_EGRESS, "\n    egress:", nat_egress },
	{ NULL, 0, NULL, NULL },
};

_Static_assert(sizeof(struct nat_stats) ==
		       (ARRAY_SIZE(nat_ingress) - 1) * sizeof(__u64),
	       "a counter for every field");

/* the rules, in order, as "nat add" lines */
static int nat_save(struct pcn_cube *c, struct pcn_save *s)
{
	struct nat_rule rules[NAT_RULES_MAX];
	char buf[256];
	__u32 n, i;
	int err;

	err = nat_rules_read(c, rules, &n);
	if (err)
		return pcn_err_kernel(err, "cannot read the rules of \"%s\"",
				      c->name);
	for (i = 0; i < n; i++)
		pcn_save_line(s, "nat add %s %s", c->name,
			      nat_rule_str(&rules[i], buf, sizeof(buf)));
	pcn_save_skip(s, "NAT translations");
	return 0;
}

static const struct pcn_object *const nat_objects[] = {
	&nat_object, NULL,
};

static const struct cube_type nat_type = {
	.name = "nat",
	.summary = "transparent: SNAT, masquerade, DNAT, 1:1, IPv4 and IPv6",
	.order = 50,
	.add_usage = "",
	.set_usage = "",
	.elf_xdp = nat_xdp__elf_bytes,
	.elf_tc = nat_tc__elf_bytes,
	.max_ports = 0,
	.parse_add = nat_parse_add,
	.init = nat_init,
	.show = nat_show,
	.counters = nat_counters,
	.save = nat_save,
	.objects = nat_objects,
};

PCN_CUBE_TYPE(nat_type);
