// SPDX-License-Identifier: GPL-2.0
/* The copy device of a netns (copy.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "attach.h"
#include "bpffs.h"
#include "copy.h"
#include "cube.h"
#include "netlink.h"

static void link_pin_path(bool tc, char *path, size_t len)
{
	pcn_ns_path(path, len, tc ? "copy_tc" : "copy_xdp");
}

/* The pair must be pcn's: veths, each the other's peer. */
static int pair_get(struct nl_link *tx, struct nl_link *rx)
{
	int err;

	err = nl_link_get(PCN_COPY_TX, 0, tx);
	if (!err)
		err = nl_link_get(PCN_COPY_RX, 0, rx);
	if (err)
		return err;
	if (strcmp(tx->kind, "veth") || strcmp(rx->kind, "veth") ||
	    tx->link != rx->ifindex || rx->link != tx->ifindex ||
	    tx->link_netnsid != -1 || rx->link_netnsid != -1)
		return -EEXIST;
	return 0;
}

/* No IPv6 on either end: the host sends nothing into it by itself. */
static void no_ipv6(const char *name)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6",
		 name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (write(fd, "1", 1) < 0) {
		/* without IPv6 in the kernel there is nothing to turn off */
	}
	close(fd);
}

int copy_dev_ensure(enum pcn_mode mode, int *tx_ifindex, int *rx_ifindex)
{
	enum pcn_attach how = PCN_ATTACH_NONE;
	char path[PATH_MAX];
	struct nl_link tx, rx;
	int prog_fd, link_fd = -1, err;
	bool tc = mode == PCN_MODE_TC;

	err = pair_get(&tx, &rx);
	if (err == -ENODEV) {
		err = nl_veth_add(PCN_COPY_TX, PCN_COPY_RX);
		if (err && err != -EEXIST)
			return err;
		no_ipv6(PCN_COPY_TX);
		no_ipv6(PCN_COPY_RX);
		err = pair_get(&tx, &rx);
	}
	if (err)
		return err;
	*tx_ifindex = tx.ifindex;
	*rx_ifindex = rx.ifindex;
	link_pin_path(tc, path, sizeof(path));
	if (!access(path, F_OK))
		return 0;
	prog_fd = copy_prog_load(mode, "pcn_copy_in");
	if (prog_fd < 0)
		return prog_fd;
	/* XDP natively: it also gives the receiving end the NAPI that
	 * frames redirected into the other end need */
	err = port_attach(tc ? PCN_MODE_TC : PCN_MODE_XDP, rx.ifindex, false,
			  prog_fd, "pcn_copy_in", &link_fd, &how);
	if (!err && bpf_obj_pin(link_fd >= 0 ? link_fd : prog_fd, path))
		err = -errno;
	if (err && how == PCN_ATTACH_CLSACT)
		port_detach_nolink(how, rx.ifindex, false);
	if (link_fd >= 0)
		close(link_fd);
	close(prog_fd);
	return err;
}

int copy_out_prog(void)
{
	char path[PATH_MAX];
	int fd;

	pcn_ns_path(path, sizeof(path), "copy_out");
	fd = bpf_obj_get(path);
	if (fd >= 0 || errno != ENOENT)
		return fd >= 0 ? fd : -errno;
	fd = copy_prog_load(PCN_MODE_XDP, "pcn_copy_out");
	if (fd >= 0 && bpf_obj_pin(fd, path)) {
		close(fd);
		return -errno;
	}
	return fd;
}

int copy_dev_gc(void)
{
	struct nl_link tx, rx;
	char path[PATH_MAX];
	char **names;
	int n, err;

	err = cube_names(&names, &n);
	if (err)
		return err;
	cube_names_free(names, n);
	if (n)
		return 0;
	link_pin_path(false, path, sizeof(path));
	unlink(path);
	link_pin_path(true, path, sizeof(path));
	unlink(path);
	pcn_ns_path(path, sizeof(path), "copy_out");
	unlink(path);
	err = pair_get(&tx, &rx);
	if (err)
		return err == -ENODEV || err == -EEXIST ? 0 : err;
	return nl_link_del(tx.ifindex);
}
