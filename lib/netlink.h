/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rtnetlink through libmnl: interfaces, and clsact for kernels without tcx.
 * Functions returning int return 0 (or an id) or -errno and leave no
 * reason; the kernel's own, if it gave one, is nl_extack().
 */
#ifndef __PCN_NETLINK_H
#define __PCN_NETLINK_H

#include <stdbool.h>
#include <linux/types.h>
/* no <net/if.h>: it clashes with the linux/ headers netlink.c needs */
#define NL_IFNAMSIZ 16

struct nl_link {
	int ifindex;
	char name[NL_IFNAMSIZ];
	char kind[16];		/* "veth", "bridge", ... or "" */
	unsigned int flags;	/* IFF_* */
	unsigned int mtu;
	unsigned char addr[6];
	bool has_addr;
	bool xdp;		/* an XDP program is attached */
	int link;		/* IFLA_LINK: a veth's peer, or 0 */
	int link_netnsid;	/* the netns of @link, -1: this one */
};

/*
 * The kernel's reason for the last failed request (netlink extack), or
 * "" when it gave none.
 * Return: the message, in static storage (never NULL).
 */
const char *nl_extack(void);

/*
 * Look an interface up by name (ifindex 0) or by index (@name NULL).
 * Return: 0; -ENODEV if there is none (or @name cannot be one);
 * another -errno.
 */
int nl_link_get(const char *name, int ifindex, struct nl_link *link);

/*
 * The id this netns gives the netns @fd refers to (IFLA_LINK_NETNSID
 * names them so).
 * Return: the id (>= 0); -ENOENT if it gave it none; another -errno.
 */
int nl_netns_id(int fd);

/*
 * Create a veth pair @name - @peer in this netns, both up, no ARP.
 * Return: 0 or -errno (-EEXIST if a name is taken).
 */
int nl_veth_add(const char *name, const char *peer);
/*
 * Create a veth pair: @name here, up; @peer in the netns @peer_ns_fd
 * (here if -1), down, to be set up there. ARP on both.
 * Return: 0 or -errno (-EEXIST if a name is taken).
 */
int nl_veth_pair(const char *name, const char *peer, int peer_ns_fd);
/* Set interface @ifindex up. Return: 0 or -errno. */
int nl_link_up(int ifindex);
/*
 * Address @addr/@plen (AF_INET or AF_INET6) on interface @ifindex.
 * Return: 0 or -errno (-EEXIST if it is there).
 */
int nl_addr_add(int ifindex, int family, const void *addr, int plen);
/*
 * Route to @dst/@plen (plen 0: the default route) in the main table,
 * by gateway @gw (NULL: on the link) out of @ifindex (0: any).
 * Return: 0 or -errno (-EEXIST if it is there).
 */
int nl_route_add(int family, const void *dst, int plen, const void *gw,
		 int ifindex);
/* Delete interface @ifindex (a veth takes its peer along). Return: 0 or -errno. */
int nl_link_del(int ifindex);

/* clsact + cls_bpf, direct-action, at a fixed priority owned by pcn. */
#define PCN_TC_PRIO 0xc0deU
/*
 * Add pcn's filter running @prog_fd (the clsact qdisc too, if missing).
 * Return: 0; -EEXIST if pcn's filter is already there; another -errno.
 */
int nl_clsact_attach(int ifindex, bool ingress, int prog_fd, const char *name);
/* Remove pcn's filter from the hook. Return: 0 or -errno. */
int nl_clsact_detach(int ifindex, bool ingress);
/*
 * The id of pcn's program on the hook, in *@prog_id: 0 if none.
 * Return: 0 (also with no clsact qdisc) or -errno.
 */
int nl_clsact_query(int ifindex, bool ingress, __u32 *prog_id);

#endif /* __PCN_NETLINK_H */
