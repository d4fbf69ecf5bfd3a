// SPDX-License-Identifier: GPL-2.0
/*
 * Masquerade's address: the first IPv4 address (and the first IPv6
 * address that is not link-local) of the point a nat cube is attached
 * to: the interface's own, or for a router port the port's first
 * address in the router. pcn re-reads it, into the cube's nat_masq
 * map, at every command that touches the cube (any "pcn nat" verb on
 * it, "pcn cube show"): the datapath never asks user space. After the
 * address changes, new flows take the new one from the next such
 * command on; flows translated already keep theirs until they end.
 *
 * A port's addresses are its type's to tell (cube_type.port_addr, the
 * router's port addresses): nat reads no map of another type.
 */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <string.h>

#include "nat_user.h"
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

/* the first addresses of port @port of cube @cube, as its type tells */
static void port_addrs(const char *cube, const char *port, struct nat_masq *m)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	const struct cube_type *t;
	struct pcn_cube r;
	int i;

	if (cube_open(cube, &r))
		return;
	t = cube_type_find(r.meta.type);
	if (!t || !t->port_addr || cube_ports_read(&r, ports))
		goto out;
	i = cube_port_find(ports, PCN_MAX_PORTS, port);
	if (i < 0)
		goto out;
	if (t->port_addr(&r, i, 4, m->addr4))
		memset(m->addr4, 0, sizeof(m->addr4));
	if (t->port_addr(&r, i, 6, m->addr6))
		memset(m->addr6, 0, sizeof(m->addr6));
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
		port_addrs(pt->cube, pt->port, m);
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

