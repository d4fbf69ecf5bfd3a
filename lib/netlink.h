/* SPDX-License-Identifier: GPL-2.0 */
/* rtnetlink through libmnl: interfaces, and clsact for kernels without tcx. */
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
 */
const char *nl_extack(void);

/* Look an interface up by name (ifindex 0) or by index. -ENODEV if none. */
int nl_link_get(const char *name, int ifindex, struct nl_link *link);

/*
 * The id this netns gives the netns @fd refers to (IFLA_LINK_NETNSID
 * names them so); -ENOENT if it gave it none.
 */
int nl_netns_id(int fd);

/* clsact + cls_bpf, direct-action, at a fixed priority owned by pcn. */
#define PCN_TC_PRIO 0xc0deU
int nl_clsact_attach(int ifindex, bool ingress, int prog_fd, const char *name);
int nl_clsact_detach(int ifindex, bool ingress);
/* id of pcn's program on the hook, 0 if none */
int nl_clsact_query(int ifindex, bool ingress, __u32 *prog_id);

#endif /* __PCN_NETLINK_H */
