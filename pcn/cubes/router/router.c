// SPDX-License-Identifier: GPL-2.0
/*
 * router: an IPv4 and IPv6 router in the datapath, and the route lists
 * it keeps.
 *
 *   pcn cube add NAME type router [ neigh_timeout SECONDS ]
 *                                 [ fib { own | kernel } ]
 *   pcn cube set NAME [ neigh_timeout SECONDS ]
 *                     [ port PORT [ mac MAC ] [ local { drop | pass } ]
 *                                 [ mtu MTU ] ] ...
 *
 * A port takes its interface's MAC address, or a random local one when
 * it is linked to another cube. Its addresses are the object "addr"
 * (addr.c), the routes "route" (route.c), the neighbours "neigh"
 * (neigh.c); the route list and the FIB are kept in rt.c. With "fib
 * kernel" the router has none of them: it forwards by the namespace's
 * own FIB and neighbour cache, and its ports must be on interfaces.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "rt.h"
#include "router_xdp.skel.h"
#include "router_tc.skel.h"

static const char *const local_names[] = {
	[RT_LOCAL_DROP] = "drop",
	[RT_LOCAL_PASS] = "pass",
};

static const char *const fib_names[] = {
	[RT_FIB_OWN] = "own",
	[RT_FIB_KERNEL] = "kernel",
};

_Static_assert(sizeof(struct rt_meta) <= PCN_TYPE_CONFIG_LEN,
	       "the router's settings fit in the cube's meta config");

/* "[ neigh_timeout SECONDS ] [ fib { own | kernel } ]", in any order */
static int rt_parse_add(int argc, char **argv, __u8 *config)
{
	struct rt_meta m = { .neigh_timeout = RT_NEIGH_TIMEOUT };
	bool fib_set = false, timeout_set = false;
	__u32 i;
	int err;

	while (argc > 0) {
		if (is_kw(*argv, "fib")) {
			DUP_CHECK(fib_set, "fib");
			NEXT_ARG();
			for (i = 0; i < ARRAY_SIZE(fib_names); i++)
				if (is_kw(*argv, fib_names[i]))
					break;
			if (i == ARRAY_SIZE(fib_names))
				return pcn_err(PCN_EXIT_USAGE,
					       "fib \"%s\": own or kernel", *argv);
			m.fib = i;
		} else if (is_kw(*argv, "neigh_timeout")) {
			DUP_CHECK(timeout_set, "neigh_timeout");
			NEXT_ARG();
			err = arg_seconds("neigh_timeout", *argv,
					  &m.neigh_timeout);
			if (err)
				return err;
		} else {
			return pcn_unknown_kw("cube", *argv);
		}
		argc--;
		argv++;
	}
	memcpy(config, &m, sizeof(m));
	return 0;
}

static __u32 rt_fib_of(struct pcn_cube *c)
{
	struct rt_meta m;

	memcpy(&m, c->meta.config, sizeof(m));
	return m.fib;
}

/*
 * Where a kernel FIB lookup that answers interface @p->ifindex leads:
 * port @idx (or nowhere, @p not on an interface).
 */
static int ifport_put(struct pcn_cube *c, __u32 idx, const struct pcn_port *p)
{
	if (p->peer != PCN_PEER_IFACE)
		return 0;
	return cube_map_put(c, "rt_ifports", &p->ifindex, &idx);
}

static int ifport_del(struct pcn_cube *c, const struct pcn_port *p)
{
	int err;

	if (p->peer != PCN_PEER_IFACE)
		return 0;
	err = cube_map_del(c, "rt_ifports", &p->ifindex);
	return err == -ENOENT ? 0 : err;
}

/* fib kernel: a port leads to an interface, which the kernel's FIB names */
static int kernel_fib_port(struct pcn_cube *c, const struct pcn_port *p)
{
	if (rt_fib_of(c) != RT_FIB_KERNEL || p->peer != PCN_PEER_CUBE)
		return 0;
	return pcn_fail(-EOPNOTSUPP,
			"router \"%s\" forwards by the kernel's FIB (fib kernel), which knows interfaces: its ports are on interfaces, not linked to cubes",
			c->name);
}

/* The MAC of interface @ifindex of the current netns. */
static int iface_mac(__u32 ifindex, __u8 *mac)
{
	struct ifreq ifr = {};
	int fd, err = 0;

	if (!if_indextoname(ifindex, ifr.ifr_name))
		return -errno;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		err = -errno;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
	return err;
}

/* The MTU of interface @ifindex of the current netns, 0 if unknown. */
static __u32 iface_mtu(__u32 ifindex)
{
	struct ifreq ifr = {};
	int fd, mtu = 0;

	if (!if_indextoname(ifindex, ifr.ifr_name))
		return 0;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	if (!ioctl(fd, SIOCGIFMTU, &ifr))
		mtu = ifr.ifr_mtu;
	close(fd);
	return mtu >= RT_MTU_MIN && mtu <= RT_MTU_MAX ? mtu : 0;
}

/*
 * A new port: its interface's MAC and MTU, or a random locally
 * administered MAC and no MTU (a cube link has none).
 */
static int rt_port_added(struct pcn_cube *c, __u32 idx,
			 const struct pcn_port *p)
{
	struct rt_port rp = { .local = RT_LOCAL_DROP };
	int err;

	err = kernel_fib_port(c, p) ?: ifport_put(c, idx, p);
	if (err)
		return err;
	err = -ENOENT;
	if (p->peer == PCN_PEER_IFACE) {
		err = iface_mac(p->ifindex, rp.mac);
		rp.mtu = iface_mtu(p->ifindex);
	}
	if (err || !(rp.mac[0] | rp.mac[1] | rp.mac[2] | rp.mac[3] |
		     rp.mac[4] | rp.mac[5])) {
		if (getrandom(rp.mac, sizeof(rp.mac), 0) != sizeof(rp.mac))
			return -errno;
		rp.mac[0] = (rp.mac[0] & 0xfe) | 0x02;
	}
	return rt_port_put(c, idx, &rp);
}

static bool route_of_port(const struct rt_route_key *k,
			  const struct rt_route *r, void *arg)
{
	return k->port == *(__u32 *)arg;
}

/*
 * A port moved to another link: the neighbours it learned were on the
 * old one (static ones stay, as its addresses and routes do).
 */
static int rt_port_changed(struct pcn_cube *c, __u32 idx,
			   const struct pcn_port *was, const struct pcn_port *p)
{
	int err;

	if (was->peer == p->peer && was->ifindex == p->ifindex &&
	    !strcmp(was->peer_name, p->peer_name) &&
	    !strcmp(was->peer_port_name, p->peer_port_name))
		return 0;
	err = kernel_fib_port(c, p) ?: ifport_del(c, was) ?:
	      ifport_put(c, idx, p);
	return err ?: rt_neigh_flush(c, idx, true);
}

static bool route6_of_port(const struct rt_route6_key *k,
			   const struct rt_route *r, void *arg)
{
	return k->port == *(__u32 *)arg;
}

/* Routes, addresses and neighbours of a port go with it. */
static int rt_port_removed(struct pcn_cube *c, __u32 idx)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	struct rt_port6 rp6 = {};
	struct rt_port rp = {};
	int err;

	err = cube_ports_read(c, ports);
	if (!err && idx < PCN_MAX_PORTS)
		err = ifport_del(c, &ports[idx]);
	if (!err)
		err = rt_routes_drop(c, route_of_port, &idx);
	if (!err)
		err = rt6_routes_drop(c, route6_of_port, &idx);
	if (!err)
		err = rt_neigh_flush(c, idx, false);
	if (!err)
		err = rt_port_put(c, idx, &rp);
	if (!err)
		err = rt6_port_put(c, idx, &rp6);
	return err;
}

static int local_parse(const char *arg, __u16 *local)
{
	__u16 i;

	for (i = 0; i < ARRAY_SIZE(local_names); i++) {
		if (is_kw(arg, local_names[i])) {
			*local = i;
			return 0;
		}
	}
	return pcn_err(PCN_EXIT_USAGE, "local \"%s\": drop or pass", arg);
}

/* "[ mac MAC ] [ local { drop | pass } ] [ mtu MTU ]" */
static int parse_port_settings(int *argcp, char ***argvp, void *settings)
{
	struct rt_port *rp = settings;
	bool mac_set = false, local_set = false, mtu_set = false;
	int argc = *argcp, err = 0;
	char **argv = *argvp;

	while (argc > 1) {
		const char *kw = argv[1];

		if (is_kw(kw, "mac")) {
			DUP_CHECK(mac_set, "mac");
			argc--, argv++;
			NEXT_ARG();
			if (pcn_parse_mac(*argv, rp->mac) || (rp->mac[0] & 1))
				return pcn_err(PCN_EXIT_USAGE,
					       "\"%s\" is not a unicast MAC address",
					       *argv);
		} else if (is_kw(kw, "local")) {
			DUP_CHECK(local_set, "local");
			argc--, argv++;
			NEXT_ARG();
			err = local_parse(*argv, &rp->local);
		} else if (is_kw(kw, "mtu")) {
			DUP_CHECK(mtu_set, "mtu");
			argc--, argv++;
			NEXT_ARG();
			if (pcn_parse_u32(*argv, 10, &rp->mtu) ||
			    rp->mtu < RT_MTU_MIN || rp->mtu > RT_MTU_MAX)
				return pcn_err(PCN_EXIT_USAGE,
					       "mtu \"%s\": %u to %u bytes",
					       *argv, RT_MTU_MIN, RT_MTU_MAX);
		} else {
			break;
		}
		if (err)
			return err;
	}
	if (!mac_set && !local_set && !mtu_set)
		return pcn_err(PCN_EXIT_USAGE,
			       "\"port PORT\" takes \"mac\", \"local\" or \"mtu\"");
	*argcp = argc;
	*argvp = argv;
	return 0;
}

static const struct port_settings rt_settings = {
	.kw = "neigh_timeout",
	.kw_map = "rt_config",	/* struct rt_config: neigh_timeout_ns */
	.map = "rt_ports",
	.size = sizeof(struct rt_port),
	.parse_port = parse_port_settings,
};

_Static_assert(sizeof(struct rt_config) == sizeof(__u64),
	       "rt_config is the timeout alone");

static int rt_init(struct pcn_cube *c)
{
	struct rt_mode mode = { .fib = rt_fib_of(c) };
	__u32 zero = 0;

	return cube_seconds_init(c, &rt_settings) ?:
	       cube_map_put(c, "rt_mode", &zero, &mode);
}

static int rt_set(struct pcn_cube *c, int argc, char **argv)
{
	return cube_set_ports(c, argc, argv, &rt_settings);
}

static void rt_show(struct pcn_cube *c)
{
	struct rt_meta m;

	memcpy(&m, c->meta.config, sizeof(m));
	print_uint(PRINT_ANY, "neigh_timeout", " neigh_timeout %u",
		   m.neigh_timeout);
	print_string(PRINT_ANY, "fib", " fib %s",
		     m.fib < ARRAY_SIZE(fib_names) ? fib_names[m.fib] : "?");
}

/* struct rt_stats */
static const struct pcn_counter rt_counter[] = {
	{ "router", "forwarded", "\n    forwarded %" PRIu64 },
	{ "router", "no_route", ", no route %" PRIu64 },
	{ "router", "no_neigh", ", no neigh %" PRIu64 },
	{ "router", "ttl_exceeded", ", ttl exceeded %" PRIu64 },
	{ "router", "bad_header", ", bad header %" PRIu64 },
	{ "router", "not_routed", ", not routed %" PRIu64 },
	{ "router", "local_dropped", "\n    local dropped %" PRIu64 },
	{ "router", "local_passed", ", local passed %" PRIu64 },
	{ "router", "echo_replied", ", echo replied %" PRIu64 },
	{ "router", "arp_replied", ", arp replied %" PRIu64 },
	{ "router", "arp_requested", ", arp requested %" PRIu64 },
	{ "router", "neigh_learned", ", neigh learned %" PRIu64 },
	{ "router", "neigh_full", ", neigh full %" PRIu64 },
	{ "router", "frag_needed", "\n    frag needed %" PRIu64 },
	{ "router", "to_stack", ", to stack %" PRIu64 },
	{ "router", "nd_advertised", ", nd advertised %" PRIu64 },
	{ "router", "nd_solicited", ", nd solicited %" PRIu64 },
	{ "router", "ext_header", ", ext header %" PRIu64 },
	{ NULL, NULL, NULL },
};

static const struct pcn_counters rt_counters[] = {
	{ "rt_stats", 0, NULL, rt_counter },
	{ NULL, 0, NULL, NULL },
};

_Static_assert(sizeof(struct rt_stats) ==
		       (ARRAY_SIZE(rt_counter) - 1) * sizeof(__u64),
	       "a counter for every field");

static void rt_show_port(struct pcn_cube *c, const struct pcn_port *ports,
			 __u32 idx)
{
	char buf[INET6_ADDRSTRLEN];
	struct rt_port6 rp6;
	struct rt_port rp;
	__u32 j;

	if (rt_port_get(c, idx, &rp))
		return;
	print_mac("mac", " mac %s", rp.mac);
	open_json_array(PRINT_JSON, "addrs");
	for (j = 0; j < RT_ADDRS_MAX && rp.addrs[j].addr; j++) {
		open_json_object(NULL);
		print_ipv4("addr", " %s", rp.addrs[j].addr);
		print_uint(PRINT_ANY, "prefixlen", "/%u", rp.addrs[j].plen);
		close_json_object();
	}
	if (!rt6_port_get(c, idx, &rp6))
		for (j = 0; j < RT_ADDRS6_MAX && !rt6_zero(rp6.addrs[j].addr);
		     j++) {
			open_json_object(NULL);
			print_string(PRINT_ANY, "addr", " %s",
				     rt6_str(rp6.addrs[j].addr, buf));
			print_uint(PRINT_ANY, "prefixlen", "/%u",
				   rp6.addrs[j].plen);
			close_json_object();
		}
	close_json_array(PRINT_JSON, NULL);
	print_string(PRINT_ANY, "local", " local %s",
		     rp.local < ARRAY_SIZE(local_names) ? local_names[rp.local]
							: "?");
	if (rp.mtu)
		print_uint(PRINT_ANY, "mtu", " mtu %u", rp.mtu);
}

/*
 * "cube add" takes the neighbour timeout; "cube set" each port whose
 * MAC is not its interface's, or that passes what is for the router;
 * then its addresses (the primary first), static routes and static
 * neighbours.
 */
static int rt_save(struct pcn_cube *c, struct pcn_save *s)
{
	char mac[PCN_MAC_STRLEN], set[64], buf[PCN_PREFIX_STRLEN];
	const struct pcn_port *p;
	struct rt_port6 rp6;
	struct rt_port rp;
	struct rt_meta m;
	__u8 ifmac[6];
	__u32 idx, j;
	int i, err;

	memcpy(&m, c->meta.config, sizeof(m));
	pcn_save_args(s, " neigh_timeout %u fib %s", m.neigh_timeout,
		      m.fib < ARRAY_SIZE(fib_names) ? fib_names[m.fib] : "own");
	for (i = 0; (p = pcn_save_port(s, i, &idx)); i++) {
		err = rt_port_get(c, idx, &rp);
		if (err)
			return pcn_err_kernel(err, "cannot read port %s:%s",
					      c->name, p->name);
		set[0] = '\0';
		/* a port on an interface takes its MAC when it is made */
		if (p->peer != PCN_PEER_IFACE || iface_mac(p->ifindex, ifmac) ||
		    memcmp(ifmac, rp.mac, sizeof(ifmac)))
			snprintf(set, sizeof(set), " mac %s",
				 pcn_mac_str(rp.mac, mac));
		if (rp.local != RT_LOCAL_DROP && rp.local < ARRAY_SIZE(local_names))
			snprintf(set + strlen(set), sizeof(set) - strlen(set),
				 " local %s", local_names[rp.local]);
		/* and its MTU, as the MAC (a cube link has none) */
		if (rp.mtu && (p->peer != PCN_PEER_IFACE ||
			       iface_mtu(p->ifindex) != rp.mtu))
			snprintf(set + strlen(set), sizeof(set) - strlen(set),
				 " mtu %u", rp.mtu);
		if (set[0])
			pcn_save_line(s, "cube set %s port %s%s", c->name,
				      p->name, set);
	}
	for (i = 0; (p = pcn_save_port(s, i, &idx)); i++) {
		if (rt_port_get(c, idx, &rp))
			continue;
		for (j = 0; j < RT_ADDRS_MAX && rp.addrs[j].addr; j++)
			pcn_save_line(s, "addr add %s port %s:%s",
				      pcn_prefix4_str(rp.addrs[j].addr,
						      rp.addrs[j].plen, buf),
				      c->name, p->name);
		if (rt6_port_get(c, idx, &rp6))
			continue;
		for (j = 0; j < RT_ADDRS6_MAX && !rt6_zero(rp6.addrs[j].addr);
		     j++)
			pcn_save_line(s, "addr add %s port %s:%s",
				      rt6_prefix_str(rp6.addrs[j].addr,
						     rp6.addrs[j].plen, buf),
				      c->name, p->name);
	}
	pcn_save_skip(s, "neighbours learned by ARP");
	return rt_routes_save(c, s) ?: rt_neigh_save(c, s);
}

static const struct pcn_object *const rt_objects[] = {
	&addr_object, &route_object, &neigh_object, NULL,
};

/* cube_type.port_addr: a port's first address of @family */
static int rt_port_addr(struct pcn_cube *c, __u32 idx, int family, __u8 *addr)
{
	struct rt_port6 rp6;
	struct rt_port rp;
	int i, err;

	if (family == 6) {
		err = rt6_port_get(c, idx, &rp6);
		if (err)
			return err;
		if (rt6_zero(rp6.addrs[0].addr))
			return -ENOENT;
		memcpy(addr, rp6.addrs[0].addr, 16);
		return 0;
	}
	if (family != 4)
		return -ENOENT;
	err = rt_port_get(c, idx, &rp);
	if (err)
		return err;
	for (i = 0; i < RT_ADDRS_MAX; i++) {
		if (rp.addrs[i].addr) {
			memcpy(addr, &rp.addrs[i].addr, 4);
			return 0;
		}
	}
	return -ENOENT;
}

static const struct cube_type router_type = {
	.name = "router",
	.summary = "IPv4 and IPv6 router: routes, ARP, NDP and ICMP in the datapath, or the kernel's FIB",
	.order = 30,
	.add_usage = "[ neigh_timeout SECONDS ] [ fib { own | kernel } ]",
	.set_usage = "[ neigh_timeout SECONDS ] [ port PORT [ mac MAC ] [ local { drop | pass } ] [ mtu MTU ] ] ...",
	.elf_xdp = router_xdp__elf_bytes,
	.elf_tc = router_tc__elf_bytes,
	.max_ports = PCN_MAX_PORTS,
	.parse_add = rt_parse_add,
	.init = rt_init,
	.set = rt_set,
	.show = rt_show,
	.show_port = rt_show_port,
	.port_added = rt_port_added,
	.port_removed = rt_port_removed,
	.port_changed = rt_port_changed,
	.port_addr = rt_port_addr,
	.counters = rt_counters,
	.save = rt_save,
	.objects = rt_objects,
};

PCN_CUBE_TYPE(router_type);
