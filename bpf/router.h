/* SPDX-License-Identifier: GPL-2.0 */
/* router cube: what user space and the datapath share. */
#ifndef __PCN_ROUTER_H
#define __PCN_ROUTER_H

#include <linux/types.h>

#define RT_ADDRS_MAX		8	/* IPv4 addresses per port */
#define RT_ROUTES_MAX		131072	/* routes of a router, all kinds */
#define RT_NEIGH_MAX		8192	/* neighbour entries */
#define RT_PENDING_MAX		1024	/* next hops being resolved */
#define RT_NEIGH_TIMEOUT	300	/* seconds, by default */
#define RT_METRIC_MAX		0xffffffffu

/* The address of a port, as on an interface: ADDR/PLEN. */
struct rt_addr {
	__be32 addr;			/* 0: a free entry */
	__u32 plen;
};

/* What a port does with a packet for the router that is not an echo. */
enum rt_local {
	RT_LOCAL_DROP = 0,		/* the default, counted */
	RT_LOCAL_PASS = 1,		/* to the host stack (interface ports) */
};

#define RT_MTU_MIN		68	/* RFC 791: every host takes it */
#define RT_MTU_MAX		65535

/* rt_ports: BPF_MAP_TYPE_ARRAY, per port index. addrs[0] is primary. */
struct rt_port {
	__u8 mac[6];
	__u16 local;			/* enum rt_local */
	struct rt_addr addrs[RT_ADDRS_MAX];
	__u32 mtu;			/* the largest IP packet out; 0: none */
};

/*
 * rt_routes: BPF_MAP_TYPE_HASH, the canonical route list. A prefix may
 * have several routes (next hops, ports, metrics): the best one is in
 * rt_fib. Local routes (one per port address, /32) beat every other;
 * then the lowest metric wins, the oldest on a tie.
 */
enum rt_kind {
	RT_KIND_STATIC = 0,		/* pcn route add */
	RT_KIND_CONNECTED = 1,		/* a port address's subnet */
	RT_KIND_LOCAL = 2,		/* a port address itself */
};

struct rt_route_key {
	__be32 prefix;			/* host bits zero */
	__u32 plen;
	__be32 via;			/* 0: on-link, the destination itself */
	__u32 port;
	__u32 kind;			/* enum rt_kind: a static route may
					 * match a connected one otherwise */
};

struct rt_route {
	__u32 metric;
	__u32 kind;			/* enum rt_kind */
	__u64 seq;			/* order of addition, for ties */
};

/* user space: a route with its key */
struct rt_entry {
	struct rt_route_key k;
	struct rt_route r;
};

/* rt_fib: BPF_MAP_TYPE_LPM_TRIE, the best route of every prefix. */
struct rt_fib_key {
	__u32 plen;
	__be32 prefix;
};

struct rt_fib_entry {
	__be32 via;
	__u32 port;
	__u32 kind;			/* enum rt_kind */
	__u32 metric;
	__u32 plen;			/* the route's, as in its key */
	__u32 pad;
	__u64 seq;			/* the route's, as in rt_routes */
};

/* rt_neigh: BPF_MAP_TYPE_HASH, like ip neigh: a next hop on a port. */
struct rt_neigh_key {
	__be32 addr;
	__u32 port;
};

#define RT_NEIGH_STATIC 1		/* never ages, never learned over */

struct rt_neigh {
	__u8 mac[6];
	__u16 flags;
	__u32 pad;
	__u64 seen_ns;			/* pcn_now_ns() */
};

/* rt_pending: BPF_MAP_TYPE_LRU_HASH, rt_neigh_key -> last request (ns) */

/* rt_config: BPF_MAP_TYPE_ARRAY, one entry */
struct rt_config {
	__u64 neigh_timeout_ns;
};

/*
 * Where a router finds its routes and neighbours: its own tables (the
 * objects addr, route and neigh), or the kernel's FIB and neighbour
 * cache of the network namespace it is in (ip route, ip addr, ip neigh,
 * and what routing daemons put there), through bpf_fib_lookup().
 */
enum rt_fib {
	RT_FIB_OWN = 0,
	RT_FIB_KERNEL = 1,
};

/* rt_mode: BPF_MAP_TYPE_ARRAY, one entry; fixed when the cube is made */
struct rt_mode {
	__u32 fib;			/* enum rt_fib */
};

/* rt_ifports: BPF_MAP_TYPE_HASH, ifindex -> port index: the ports on
 * interfaces, where a kernel FIB lookup's answer (an interface) leads */

/* rt_stats: BPF_MAP_TYPE_PERCPU_ARRAY, one entry: the router's counters */
struct rt_stats {
	__u64 forwarded;		/* routed out of a port */
	__u64 no_route;			/* no route: unreachable sent */
	__u64 no_neigh;			/* next hop unresolved: dropped */
	__u64 ttl_exceeded;		/* TTL ran out: time exceeded sent */
	__u64 bad_header;		/* runts, bad IPv4 headers, tags */
	__u64 not_routed;		/* another station's MAC, multicast,
					 * not IPv4 */
	__u64 local_dropped;		/* for the router, not an echo */
	__u64 local_passed;		/* for the router, to the host */
	__u64 echo_replied;		/* ICMP echo requests answered */
	__u64 arp_replied;		/* ARP requests for us answered */
	__u64 arp_requested;		/* ARP requests sent */
	__u64 neigh_learned;		/* new neighbour entries */
	__u64 neigh_full;		/* not learned: the table is full */
	__u64 frag_needed;		/* over the egress MTU */
	__u64 to_stack;			/* fib kernel: handed to the kernel,
					 * which resolves, answers or refuses */
	__u64 nd_advertised;		/* IPv6: NS for us answered (NA) */
	__u64 nd_solicited;		/* IPv6: NS sent for a next hop */
	__u64 ext_header;		/* IPv6: no ICMPv6 error sent about a
					 * packet whose upper layer is behind
					 * extension headers: dropped */
};

/*
 * IPv6, own table: the same objects in maps of their own, so the IPv4
 * path reads what it did. Addresses are 16 bytes in network order.
 */
#define RT_ADDRS6_MAX		4	/* IPv6 addresses per port */

struct rt_addr6 {
	__u8 addr[16];			/* all zero: a free entry */
	__u32 plen;
};

/* rt_ports6: BPF_MAP_TYPE_ARRAY, per port index. addrs[0] is primary. */
struct rt_port6 {
	struct rt_addr6 addrs[RT_ADDRS6_MAX];
};

/* rt_routes6: BPF_MAP_TYPE_HASH, the canonical list, as rt_routes */
struct rt_route6_key {
	__u8 prefix[16];		/* host bits zero */
	__u32 plen;
	__u8 via[16];			/* all zero: on-link */
	__u32 port;
	__u32 kind;			/* enum rt_kind */
};

/* user space: a route with its key */
struct rt_entry6 {
	struct rt_route6_key k;
	struct rt_route r;
};

/* rt_fib6: BPF_MAP_TYPE_LPM_TRIE, the best route of every prefix */
struct rt_fib6_key {
	__u32 plen;
	__u8 prefix[16];
};

struct rt_fib6_entry {
	__u8 via[16];
	__u32 port;
	__u32 kind;
	__u32 metric;
	__u32 plen;
	__u64 seq;
};

/* rt_neigh6: BPF_MAP_TYPE_HASH -> struct rt_neigh; rt_pending6:
 * BPF_MAP_TYPE_LRU_HASH -> last solicitation (ns) */
struct rt_neigh6_key {
	__u8 addr[16];
	__u32 port;
};

#endif /* __PCN_ROUTER_H */
