// SPDX-License-Identifier: GPL-2.0
/* The veth trap: what a veth's peer has (see veth.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>

#include "veth.h"

/* One ethtool get or set (@ev) on interface @name of the current netns. */
static int ethtool_op(const char *name, struct ethtool_value *ev)
{
	struct ifreq ifr = {};
	int fd, err = 0;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_data = (void *)ev;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCETHTOOL, &ifr))
		err = -errno;
	close(fd);
	return err;
}

/* One ethtool "get" of interface @name of the current netns: 0 or 1. */
static int ethtool_get(const char *name, __u32 cmd)
{
	struct ethtool_value ev = { .cmd = cmd };
	int err = ethtool_op(name, &ev);

	return err ? err : !!ev.data;
}

int veth_redirect_ready(const char *name)
{
	struct ethtool_value gro = { .cmd = ETHTOOL_SGRO, .data = 1 };
	struct ethtool_value csum = { .cmd = ETHTOOL_STXCSUM, .data = 0 };

	return ethtool_op(name, &gro) ?: ethtool_op(name, &csum);
}

/* What peer @p->ifindex has, read in the netns it lives in. */
static int peer_read(struct veth_peer *p)
{
	struct nl_link pl;
	int gro, csum, err;

	err = nl_link_get(NULL, p->ifindex, &pl);
	if (err)
		return err;
	gro = ethtool_get(pl.name, ETHTOOL_GGRO);
	csum = ethtool_get(pl.name, ETHTOOL_GTXCSUM);
	if (gro < 0 || csum < 0)
		return gro < 0 ? gro : csum;
	snprintf(p->name, sizeof(p->name), "%s", pl.name);
	p->xdp = pl.xdp;
	p->gro = gro;
	p->tx_csum = csum;
	p->known = true;
	return 0;
}

/* Is the netns of @path the one this netns calls @nsid? Then its fd. */
static int netns_try(const char *path, int nsid, ino_t *seen, size_t *nseen,
		     size_t max)
{
	struct stat st;
	size_t i;
	int fd;

	if (stat(path, &st))
		return -1;
	for (i = 0; i < *nseen; i++)
		if (seen[i] == st.st_ino)
			return -1;
	if (*nseen < max)
		seen[(*nseen)++] = st.st_ino;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (nl_netns_id(fd) == nsid)
		return fd;
	close(fd);
	return -1;
}

/*
 * An fd of the netns this one calls @nsid: among the named ones (ip
 * netns), then those of processes. -ENOENT if none is found.
 */
static int netns_by_id(int nsid)
{
	static const char *const dirs[] = { "/run/netns", "/proc" };
	ino_t seen[1024];
	size_t nseen = 0, i;
	char path[PATH_MAX];
	struct dirent *de;
	int fd = -1;
	DIR *d;

	for (i = 0; i < 2 && fd < 0; i++) {
		d = opendir(dirs[i]);
		if (!d)
			continue;
		while (fd < 0 && (de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			if (i == 0)
				snprintf(path, sizeof(path), "%s/%s", dirs[i],
					 de->d_name);
			else if (de->d_name[0] >= '0' && de->d_name[0] <= '9')
				snprintf(path, sizeof(path), "/proc/%s/ns/net",
					 de->d_name);
			else
				continue;
			fd = netns_try(path, nsid, seen, &nseen,
				       sizeof(seen) / sizeof(seen[0]));
		}
		closedir(d);
	}
	return fd < 0 ? -ENOENT : fd;
}

int veth_peer_get(const struct nl_link *l, struct veth_peer *p)
{
	int self, peer, err;

	memset(p, 0, sizeof(*p));
	if (strcmp(l->kind, "veth") || !l->link)
		return -EINVAL;
	p->ifindex = l->link;
	p->netnsid = l->link_netnsid;
	if (p->netnsid < 0)
		return peer_read(p);
	peer = netns_by_id(p->netnsid);
	if (peer < 0)
		return 0;		/* not known */
	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0) {
		err = -errno;
		close(peer);
		return err;
	}
	err = setns(peer, CLONE_NEWNET) ? -errno : peer_read(p);
	/* back home; failing that, pcn must not go on in the wrong netns */
	if (setns(self, CLONE_NEWNET))
		abort();
	close(self);
	close(peer);
	return err;
}
