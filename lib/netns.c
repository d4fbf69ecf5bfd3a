// SPDX-License-Identifier: GPL-2.0
/*
 * The network namespaces the root holds state for, alive or dead
 * (netns.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>

#include "attach.h"
#include "bpffs.h"
#include "error.h"
#include "netns.h"
#include "utils.h"

/* the inode of the initial PID namespace (PROC_PID_INIT_INO) */
#define INIT_PID_NS_INO 0xEFFFFFFCu

int pcn_netns_enter(const char *path, int fd)
{
	int err = 0;

	if (path) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
	}
	if (setns(fd, CLONE_NEWNET))
		err = -errno;
	if (path)
		close(fd);
	return err;
}

/*
 * The cookie of the namespace of file @path: entered and left again
 * (@home: the namespace to come back to). An error coming back is
 * returned as -ENOTRECOVERABLE: the caller must stop.
 */
static int cookie_of(const char *path, int home, __u64 *cookie)
{
	int err;

	err = pcn_netns_enter(path, -1);
	if (err)
		return err;
	err = pcn_netns_cookie(cookie);
	if (pcn_netns_enter(NULL, home))
		return -ENOTRECOVERABLE;
	return err;
}

/* What the search looks for: the directories' inodes, and who holds them. */
struct search {
	struct pcn_netns *ns;
	int n;
	int left;			/* not found yet */
	__u64 *mnt_seen;		/* mount namespaces read */
	int nmnt;
};

/* @ino is held, by what @path names: the first path found is kept */
static void found(struct search *s, __u64 ino, const char *path)
{
	int i;

	for (i = 0; i < s->n; i++) {
		if (s->ns[i].ino != ino || s->ns[i].path[0])
			continue;
		snprintf(s->ns[i].path, sizeof(s->ns[i].path), "%s", path);
		s->left--;
	}
}

static void found_stat(struct search *s, const char *path)
{
	struct stat st;

	if (!stat(path, &st))
		found(s, st.st_ino, path);
}

/* "net:[4026531840]" */
static bool net_link(const char *target, __u64 *ino)
{
	unsigned long long v;

	if (sscanf(target, "net:[%llu]", &v) != 1)
		return false;
	*ino = v;
	return true;
}

/* mountinfo writes blanks and backslashes in paths as \ and 3 octal digits */
static void unescape(char *p)
{
	char *out = p;
	unsigned int c;

	for (; *p; p++) {
		if (*p == '\\' && sscanf(p + 1, "%3o", &c) == 1 && c < 256) {
			*out++ = c;
			p += 3;
		} else {
			*out++ = *p;
		}
	}
	*out = '\0';
}

/* the nsfs mounts of the mount namespace of process @pid */
static void search_mounts(struct search *s, const char *pid)
{
	char path[PATH_MAX], *line = NULL, root[256], point[PATH_MAX / 2];
	unsigned long long mnt;
	size_t len = 0;
	struct stat st;
	__u64 ino, *seen;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/ns/mnt", pid);
	if (stat(path, &st))
		return;
	for (mnt = 0; (int)mnt < s->nmnt; mnt++)
		if (s->mnt_seen[mnt] == st.st_ino)
			return;
	seen = realloc(s->mnt_seen, (s->nmnt + 1) * sizeof(*seen));
	if (!seen)
		return;
	s->mnt_seen = seen;
	s->mnt_seen[s->nmnt++] = st.st_ino;
	snprintf(path, sizeof(path), "/proc/%s/mountinfo", pid);
	f = fopen(path, "re");
	if (!f)
		return;
	/* ID PARENT MAJ:MIN ROOT POINT ...: an nsfs mount's ROOT is "net:[N]" */
	while (getline(&line, &len, f) > 0) {
		if (sscanf(line, "%*s %*s %*s %255s %2047s", root, point) != 2 ||
		    !net_link(root, &ino))
			continue;
		unescape(point);
		snprintf(path, sizeof(path), "/proc/%s/root%s", pid, point);
		found(s, ino, path);
	}
	free(line);
	fclose(f);
}

/* the open files of process @pid that are network namespaces */
static void search_fds(struct search *s, const char *pid)
{
	char path[PATH_MAX], target[64];
	struct dirent *de;
	__u64 ino;
	ssize_t n;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%s/fd", pid);
	d = opendir(path);
	while (d && (de = readdir(d))) {
		snprintf(path, sizeof(path), "/proc/%s/fd/%s", pid, de->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (net_link(target, &ino))
			found(s, ino, path);
	}
	if (d)
		closedir(d);
}

/* the threads of process @pid, each of which may be in a namespace */
static void search_tasks(struct search *s, const char *pid)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%s/task", pid);
	d = opendir(path);
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.' || !strcmp(de->d_name, pid))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/task/%s/ns/net", pid,
			 de->d_name);
		found_stat(s, path);
	}
	if (d)
		closedir(d);
}

/* Every process, until each directory has found a holder. */
static int search_proc(struct search *s)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d;

	if (stat("/proc/self/ns/pid", &st))
		return pcn_fail_sys(-errno, "cannot read /proc/self/ns/pid");
	if (st.st_ino != INIT_PID_NS_INO)
		return pcn_fail(-EPERM,
				"pcn runs in a PID namespace of its own: it cannot see every process that may hold a network namespace");
	d = opendir("/proc");
	if (!d)
		return pcn_fail_sys(-errno, "cannot read /proc");
	while (s->left > 0 && (de = readdir(d))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/ns/net", de->d_name);
		found_stat(s, path);
		search_tasks(s, de->d_name);
		search_fds(s, de->d_name);
		search_mounts(s, de->d_name);
	}
	closedir(d);
	return 0;
}

/* The names of /run/netns, sorted; the first name of each is kept. */
static void search_names(struct search *s)
{
	struct dirent **names;
	char path[PATH_MAX];
	struct stat st;
	int i, j, n;

	n = scandir("/run/netns", &names, NULL, alphasort);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/run/netns/%s", names[i]->d_name);
		if (names[i]->d_name[0] != '.' && !stat(path, &st))
			for (j = 0; j < s->n; j++)
				if (s->ns[j].ino == st.st_ino &&
				    !s->ns[j].name[0])
					snprintf(s->ns[j].name,
						 sizeof(s->ns[j].name), "%s",
						 names[i]->d_name);
		free(names[i]);
	}
	if (n > 0)
		free(names);
	/* the paths of named ones: found first, so they are kept */
	for (j = 0; j < s->n; j++) {
		if (!s->ns[j].name[0])
			continue;
		snprintf(path, sizeof(path), "/run/netns/%s", s->ns[j].name);
		found(s, s->ns[j].ino, path);
	}
}

/* What a directory holds: pins, locked memory, links still attached. */
struct usage {
	int pins;
	__u64 memlock;
	int attached;
	__u32 *ids;			/* "kind << 28 | id" counted */
	int nids;
};

/* Count object @kind:@id once. Return: true the first time. */
static bool usage_first(struct usage *u, __u32 kind, __u32 id)
{
	__u32 key = kind << 28 | id, *ids;
	int i;

	for (i = 0; i < u->nids; i++)
		if (u->ids[i] == key)
			return false;
	ids = realloc(u->ids, (u->nids + 1) * sizeof(*ids));
	if (!ids)
		return false;
	u->ids = ids;
	u->ids[u->nids++] = key;
	return true;
}

/* "memlock:" and the id line of a bpf fd's fdinfo */
static void fdinfo_read(int fd, __u64 *memlock, __u32 *kind, __u32 *id)
{
	char path[64], key[32], *line = NULL;
	unsigned long long v;
	size_t len = 0;
	FILE *f;

	*memlock = 0;
	*kind = *id = 0;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return;
	while (getline(&line, &len, f) > 0) {
		if (sscanf(line, "%31[^:]:%llu", key, &v) != 2)
			continue;
		if (!strcmp(key, "memlock"))
			*memlock = v;
		else if (!strcmp(key, "map_id"))
			*kind = 1, *id = v;
		else if (!strcmp(key, "prog_id") && !*kind)
			*kind = 2, *id = v;
		else if (!strcmp(key, "link_id"))
			*kind = 3, *id = v;
	}
	free(line);
	fclose(f);
}

static void usage_pin(struct usage *u, const char *path)
{
	struct link_state st;
	__u32 kind, id;
	__u64 mem;
	int fd, pfd;

	u->pins++;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return;
	fdinfo_read(fd, &mem, &kind, &id);
	if (kind == 3) {
		/* a link: its program, pinned nowhere else; and where it is */
		if (!link_query(path, PCN_ATTACH_XDP, 0, false, &st)) {
			u->attached += st.ifindex != 0;
			pfd = st.prog_id ? bpf_prog_get_fd_by_id(st.prog_id) : -1;
			if (pfd >= 0) {
				fdinfo_read(pfd, &mem, &kind, &id);
				close(pfd);
			}
		}
	}
	if (kind && usage_first(u, kind, id))
		u->memlock += mem;
	close(fd);
}

static void usage_walk(struct usage *u, const char *dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	d = opendir(dir);
	while (d && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (de->d_type == DT_DIR)
			usage_walk(u, path);
		else
			usage_pin(u, path);
	}
	if (d)
		closedir(d);
}

static int count_entries(const char *dir)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	d = opendir(dir);
	while (d && (de = readdir(d)))
		n += de->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

static int ns_cmp(const void *pa, const void *pb)
{
	const struct pcn_netns *a = pa, *b = pb;

	if (a->current != b->current)
		return a->current ? -1 : 1;
	if (!!a->name[0] != !!b->name[0])
		return a->name[0] ? -1 : 1;
	if (a->name[0])
		return strcmp(a->name, b->name);
	return a->ino < b->ino ? -1 : a->ino > b->ino;
}

/* The directories of the root, each with its record, in @s. */
static int read_dirs(struct search *s)
{
	struct pcn_ns_meta meta;
	char path[PATH_MAX];
	struct pcn_netns *ns;
	unsigned long long ino;
	struct dirent *de;
	DIR *d;

	d = opendir(pcn_root());
	if (!d)
		return pcn_fail_sys(-errno, "cannot read %s", pcn_root());
	while ((de = readdir(d))) {
		if (sscanf(de->d_name, "ns-%llu", &ino) != 1 ||
		    strlen(de->d_name) >= sizeof(ns->dir))
			continue;
		ns = realloc(s->ns, (s->n + 1) * sizeof(*ns));
		if (!ns) {
			closedir(d);
			return pcn_fail_sys(-ENOMEM, "cannot list namespaces");
		}
		s->ns = ns;
		ns = &s->ns[s->n++];
		memset(ns, 0, sizeof(*ns));
		snprintf(ns->dir, sizeof(ns->dir), "%s", de->d_name);
		ns->ino = ino;
		snprintf(path, sizeof(path), "%s/%s", pcn_root(), de->d_name);
		if (!pcn_ns_dir_meta(path, &meta))
			ns->cookie = meta.netns_cookie;
		snprintf(path, sizeof(path), "%s/%s/cubes", pcn_root(),
			 de->d_name);
		ns->cubes = count_entries(path);
	}
	closedir(d);
	s->left = s->n;
	return 0;
}

int pcn_netns_list(struct pcn_netns **list, int *n, bool usage)
{
	struct search s = {};
	char path[PATH_MAX];
	struct stat st;
	__u64 cookie;
	int i, home = -1, err;

	*list = NULL;
	*n = 0;
	err = read_dirs(&s);
	if (err || !s.n)
		goto out;
	home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (home < 0 || fstat(home, &st)) {
		err = pcn_fail_sys(-errno, "cannot open /proc/self/ns/net");
		goto out;
	}
	for (i = 0; i < s.n; i++)
		s.ns[i].current = s.ns[i].ino == st.st_ino;
	found(&s, st.st_ino, "/proc/self/ns/net");
	search_names(&s);
	if (s.left > 0)
		err = search_proc(&s);
	/* what holds an inode must be the namespace that made the directory */
	for (i = 0; !err && i < s.n; i++) {
		struct pcn_netns *ns = &s.ns[i];

		if (!ns->path[0] || !ns->cookie)
			continue;
		err = ns->current ? pcn_netns_cookie(&cookie) :
				    cookie_of(ns->path, home, &cookie);
		if (err == -ENOTRECOVERABLE)
			err = pcn_fail(err, "cannot come back to pcn's network namespace");
		else if (err)
			err = 0;	/* cannot tell: alive, to be safe */
		else if (cookie != ns->cookie)
			ns->path[0] = ns->name[0] = '\0', ns->current = false;
	}
	for (i = 0; !err && i < s.n; i++) {
		struct pcn_netns *ns = &s.ns[i];
		struct usage u = {};

		ns->alive = ns->path[0] != '\0';
		if (!usage && ns->alive)
			continue;
		snprintf(path, sizeof(path), "%s/%s", pcn_root(), ns->dir);
		usage_walk(&u, path);
		free(u.ids);
		ns->pins = u.pins;
		ns->memlock = u.memlock;
		/* an interface it is still attached to lives in it */
		ns->alive |= u.attached > 0;
	}
	if (!err)
		qsort(s.ns, s.n, sizeof(*s.ns), ns_cmp);
out:
	if (home >= 0)
		close(home);
	free(s.mnt_seen);
	if (err) {
		free(s.ns);
		return err;
	}
	*list = s.ns;
	*n = s.n;
	return 0;
}
