// SPDX-License-Identifier: GPL-2.0
/*
 * Masquerade's address: the first IPv4 address (and the first IPv6
 * address that is not link-local) of the point a nat cube is attached
 * to: the interface's own, or for a router port the port's primary
 * address in the router. pcn re-reads it, into the cube's nat_masq
 * map, at every command that touches the cube (any "pcn nat" verb on
 * it, "pcn cube show"): the datapath never asks user space. After the
 * address changes, new flows take the new one from the next such
 * command on; flows translated already keep theirs until they end.
 *
 * The router's port address is read from its rt_ports map (the record
 * bpf/router.h describes), read only: no function of the router type
 * is called.
 */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <string.h>

#include "nat_user.h"
#include "router.h"			/* bpf/router.h */
#include "transparent.h"

static const __u32 zero;

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

