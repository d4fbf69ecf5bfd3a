/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The veth trap. A frame an XDP program redirects out of a veth is
 * dropped unless the veth's peer receives by NAPI: an XDP program on
 * the peer, or GRO on it ("ethtool -K PEER gro on"). And a frame the
 * peer's own stack sends with its checksum left to offload ("tx" on,
 * the default) reaches XDP on the veth without the means to finish it:
 * redirected elsewhere, it arrives with a bad checksum (TCP breaks).
 * pcn looks at the peer, wherever its network namespace is, to warn.
 * veth_peer_get() returns 0 or -errno and leaves no reason.
 */
#ifndef __PCN_VETH_H
#define __PCN_VETH_H

#include <stdbool.h>

#include "netlink.h"

struct veth_peer {
	int ifindex;			/* in its own netns */
	int netnsid;			/* as this netns names it, -1: this one */
	bool known;			/* its netns was found: what follows is read */
	char name[NL_IFNAMSIZ];
	bool xdp;			/* an XDP program attached */
	bool gro;
	bool tx_csum;			/* tx checksum offload */
};

/*
 * The peer of veth @l, read in its own network namespace (pcn aborts if
 * it cannot come back).
 * Return: 0, with !known when that namespace cannot be found (not
 * named, no process in it); -EINVAL if @l is not a veth; another -errno.
 */
int veth_peer_get(const struct nl_link *l, struct veth_peer *p);

/*
 * Frames redirected into the veth reach its peer.
 * Return: true if the peer is known and has XDP or GRO on.
 */
static inline bool veth_peer_takes_redirects(const struct veth_peer *p)
{
	return p->known && (p->xdp || p->gro);
}

/*
 * Make interface @name (a veth end, in the current netns) take what an
 * XDP program redirects into its peer and send what survives a
 * redirect: GRO on, tx checksum offload off (see pcn-link(8)).
 * Return: 0 or -errno.
 */
int veth_redirect_ready(const char *name);

#endif /* __PCN_VETH_H */
