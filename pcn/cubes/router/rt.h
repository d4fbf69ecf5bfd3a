/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The router's user space: router.c (the type, its ports and its route
 * list), addr.c, route.c and neigh.c (its objects).
 */
#ifndef __PCN_RT_H
#define __PCN_RT_H

#include <stdbool.h>

#include "pcn.h"
#include "router.h"

/* The part of meta.config the router keeps: its canonical settings. */
struct rt_meta {
	__u32 neigh_timeout;		/* seconds: first, as cube_add_seconds()
					 * and cube_set_ports() keep it */
	__u32 fib;			/* enum rt_fib */
};

/* The router's table is its own (0); else reported, an exit code. */
int rt_own_fib(struct pcn_cube *c);

/* "A.B.C.D[/N]" (or "default" unless @host): reported when it is bad */
int rt_arg_prefix(const char *arg, __be32 *addr, __u32 *plen, bool host);
/* "A.B.C.D": reported when it is bad */
int rt_arg_ipv4(const char *arg, __be32 *addr);

const char *rt_kind_name(__u32 kind);
__u64 rt_neigh_timeout_ns(struct pcn_cube *c);
/* A port's router settings: one, or all of them. 0 or -errno. */
int rt_port_get(struct pcn_cube *c, __u32 idx, struct rt_port *rp);
int rt_port_put(struct pcn_cube *c, __u32 idx, const struct rt_port *rp);
int rt_ports_read(struct pcn_cube *c, struct rt_port *all);
/* the port of @all with a subnet that holds @a, or -1 */
int rt_port_on_link(const struct rt_port *all, __be32 a);
bool rt_on_link(const struct rt_port *rp, __be32 a);
/* -EEXIST, -E2BIG; the FIB follows */
int rt_route_add(struct pcn_cube *c, const struct rt_route_key *k,
		 __u32 metric);
/* the same on the open maps rt_routes (@rfd) and rt_fib (@ffd) */
int rt_route_insert(int rfd, int ffd, const struct rt_route_key *k,
		    __u32 metric);
/* -EEXIST if a static route of @k's prefix has @metric already */
int rt_route_taken(int rfd, int ffd, const struct rt_route_key *k,
		   __u32 metric);
int rt_route_del(struct pcn_cube *c, const struct rt_route_key *k);
/* a route with its key; read sorted by prefix, then best first */
int rt_entries_read(struct pcn_cube *c, struct rt_entry **out, int *n);
/* rt_fib from the list, for the prefixes of @keys */
int rt_fib_sync(struct pcn_cube *c, const struct rt_route_key *keys, int n);
int rt_routes_drop(struct pcn_cube *c,
		   bool (*drop)(const struct rt_route_key *k,
				const struct rt_route *r, void *arg),
		   void *arg);
/* Does route @a win over route @b of the same prefix? (Either family.) */
bool rt_route_better(const struct rt_route *a, const struct rt_route *b);

/*
 * rt6.c: IPv6. An argument with a colon is IPv6 (IPv4 has none). The
 * routes keep the rules of IPv4's; their FIB is synced a prefix a time.
 */
bool rt_is_ipv6(const char *arg);
/* "X:X::X": reported when it is bad */
int rt_arg_ipv6(const char *arg, __u8 *addr);
/* "X:X::X[/N]": reported when it is bad; host bits only with @host */
int rt_arg_prefix6(const char *arg, __u8 *addr, __u32 *plen, bool host);
bool rt6_unicast(const __u8 *a);
bool rt6_zero(const __u8 *a);
void rt6_mask(__u8 *a, __u32 plen);
bool rt6_match(const __u8 *a, const __u8 *b, __u32 plen);
/* into @buf[INET6_ADDRSTRLEN], @buf[PCN_PREFIX_STRLEN] */
const char *rt6_str(const __u8 *a, char *buf);
const char *rt6_prefix_str(const __u8 *a, __u32 plen, char *buf);
int rt6_port_get(struct pcn_cube *c, __u32 idx, struct rt_port6 *rp);
int rt6_port_put(struct pcn_cube *c, __u32 idx, const struct rt_port6 *rp);
bool rt6_on_link(const struct rt_port6 *rp, const __u8 *a);
int rt6_port_on_link(struct pcn_cube *c, const __u8 *a);
/* sorted by prefix, then best first; caller frees */
int rt6_entries_read(struct pcn_cube *c, struct rt_entry6 **out, int *n);
/* -EEXIST; the FIB follows */
int rt6_route_add(struct pcn_cube *c, const struct rt_route6_key *k,
		  __u32 metric);
int rt6_route_del(struct pcn_cube *c, const struct rt_route6_key *k);
int rt6_routes_drop(struct pcn_cube *c,
		    bool (*drop)(const struct rt_route6_key *k,
				 const struct rt_route *r, void *arg),
		    void *arg);

/* neigh.c: delete a router's neighbours (port -1: any). 0 or -errno. */
int rt_neigh_flush(struct pcn_cube *c, int port, bool dynamic_only);

/* route.c, neigh.c: the static routes and neighbours, for pcn save */
int rt_routes_save(struct pcn_cube *c, struct pcn_save *s);
int rt_neigh_save(struct pcn_cube *c, struct pcn_save *s);

/* the objects of the router: addr, route, neigh */
extern const struct pcn_object addr_object, route_object, neigh_object;

#endif /* __PCN_RT_H */
