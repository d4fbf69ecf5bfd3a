/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The network namespaces the root holds a directory for (bpffs.h:
 * ROOT/ns-INODE), and whether each is still alive.
 *
 * A namespace is alive while something holds it: a process or thread
 * in it, an open file of it, a mount of it (as "ip netns add" makes
 * under /run/netns), or an interface that a link pinned in its
 * directory is still attached to. "ip netns del" only removes the
 * mount: once nothing else holds the namespace it dies, with its
 * interfaces, and what pcn pinned for it stays behind until it is
 * pruned. The inode number of a dead namespace can be given to a new
 * one: the cookie in the directory's record tells them apart.
 *
 * Looking for holders reads /proc (every process, its threads, its
 * open files, the mounts of each mount namespace), so only the
 * commands that ask do it. It sees every holder only from the initial
 * PID namespace: elsewhere pcn_netns_list() refuses (-EPERM).
 *
 * Functions return 0 or -errno, and leave a reason where the errno
 * alone would not say what is wrong.
 */
#ifndef __PCN_NETNS_H
#define __PCN_NETNS_H

#include <limits.h>
#include <stdbool.h>
#include <linux/types.h>

struct pcn_netns {
	char dir[32];			/* "ns-INODE" */
	__u64 ino;
	__u64 cookie;			/* from its record, 0 without one */
	bool alive;
	bool current;			/* the namespace pcn runs in */
	char name[NAME_MAX + 1];	/* its name under /run/netns, or "" */
	char path[PATH_MAX];		/* a file that enters it, "" if dead */
	int cubes;
	/* with @usage: what its directory holds */
	int pins;
	__u64 memlock;			/* bytes its maps and programs lock */
};

/*
 * Every namespace directory of the root (its lock held), sorted: the
 * current namespace first, then the named ones by name, then the
 * others by inode. With @usage, count their pins and locked memory.
 * Free *@list with free().
 * Return: 0 (none: *@list NULL, *@n 0) or -errno, with a reason.
 */
int pcn_netns_list(struct pcn_netns **list, int *n, bool usage);

/*
 * Enter the network namespace of file @path ("/run/netns/NAME",
 * "/proc/PID/ns/net") or, with @path NULL, the one of @fd.
 * Return: 0 or -errno, no reason.
 */
int pcn_netns_enter(const char *path, int fd);

#endif /* __PCN_NETNS_H */
