// SPDX-License-Identifier: GPL-2.0
/* The pin tree in bpffs: root, lock, netns directory, staging. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <bpf/bpf.h>

#include "bpffs.h"
#include "error.h"
#include "utils.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

static char root_path[PATH_MAX];
static int root_fd = -1;
static int lock_held;			/* 0, LOCK_SH or LOCK_EX */
static bool root_swept;		/* staging of the root removed */
static bool swept;		/* the netns swept (pcn_state_set_swept()) */
static char ns_path[PATH_MAX];
static bool ns_ready;

void pcn_root_set(const char *path)
{
	snprintf(root_path, sizeof(root_path), "%s", path);
}

const char *pcn_root(void)
{
	if (!root_path[0]) {
		const char *env = getenv(PCN_ROOT_ENV);

		pcn_root_set(env && *env ? env : PCN_DEFAULT_ROOT);
	}
	return root_path;
}

static bool is_bpffs(const char *path)
{
	struct statfs st;

	return statfs(path, &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

/*
 * For a reader: 0 if the root is a bpffs, -ENOENT if there is nothing
 * yet (no root, or not a bpffs), else why it cannot be looked at (not
 * root: "Permission denied").
 */
static int root_probe(void)
{
	struct statfs st;

	if (statfs(pcn_root(), &st))
		return errno == ENOENT || errno == ENOTDIR
			       ? -ENOENT
			       : pcn_fail_sys(-errno, "cannot access %s",
					      pcn_root());
	return st.f_type == BPF_FS_MAGIC ? 0 : -ENOENT;
}

/*
 * Whoever can write to the root or to a netns directory can hide cubes
 * from pcn (renaming their directories) while they stay attached, or
 * hold the lock and stop every pcn: refuse a directory that pcn did not
 * make safe, owned by another user than root (or the caller) or
 * writable by its group or others: -EPERM.
 */
static int dir_check_safe(int fd, const char *path)
{
	struct stat st;

	if (fstat(fd, &st))
		return pcn_fail_sys(-errno, "cannot check %s", path);
	if (!S_ISDIR(st.st_mode))
		return pcn_fail(-ENOTDIR, "%s is not a directory", path);
	if (st.st_uid != 0 && st.st_uid != geteuid())
		return pcn_fail(-EPERM,
				"%s is owned by uid %u, not by root: another user could hide or block pcn's state; remove it (or choose another root with -root)",
				path, st.st_uid);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return pcn_fail(-EPERM,
				"%s is writable by %s (mode %04o): another user could hide or block pcn's state; make it 0700 (chmod go-w) or remove it",
				path, st.st_mode & S_IWOTH ? "others" : "its group",
				st.st_mode & 07777);
	return 0;
}

bool pcn_path_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static int mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	char *p;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) && errno != EEXIST)
		return -errno;
	return 0;
}

/*
 * Make sure the root exists on bpffs. If its parent is bpffs, create the
 * root there; if the parent is the usual mount point /sys/fs/bpf with
 * nothing mounted, mount bpffs on it; otherwise mount a bpffs on the root
 * itself. A bpffs mounted in a private mount namespace (as under
 * "ip netns exec") dies with it, so refuse to mount one there.
 */
static int root_ensure(void)
{
	const char *root = pcn_root();
	char parent[PATH_MAX], *slash;
	const char *target;
	struct stat a, b;
	int err;

	if (is_bpffs(root))
		return 0;

	snprintf(parent, sizeof(parent), "%s", root);
	slash = strrchr(parent, '/');
	if (slash && slash != parent)
		*slash = '\0';
	else
		snprintf(parent, sizeof(parent), "/");

	if (is_bpffs(parent)) {
		if (mkdir(root, 0700) && errno != EEXIST)
			return pcn_fail_sys(-errno, "cannot create %s", root);
		return 0;
	}

	if (stat("/proc/self/ns/mnt", &a) == 0 &&
	    stat("/proc/1/ns/mnt", &b) == 0 && a.st_ino != b.st_ino)
		return pcn_fail(-ENOENT,
				"no bpffs at %s in this mount namespace (under \"ip netns exec\"? use \"pcn -n NETNS\" instead)",
				parent);

	target = strcmp(parent, "/sys/fs/bpf") == 0 ? parent : root;
	err = mkdir_p(target, 0700);
	if (err)
		return pcn_fail_sys(err, "cannot create %s", target);
	if (mount("bpf", target, "bpf", 0, "mode=0700"))
		return pcn_fail_sys(-errno, "cannot mount bpffs on %s", target);
	if (target != root && mkdir(root, 0700) && errno != EEXIST)
		return pcn_fail_sys(-errno, "cannot create %s", root);
	return 0;
}

int pcn_netns_cookie(__u64 *cookie)
{
	socklen_t len = sizeof(*cookie);
	int fd, err = 0;

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, cookie, &len))
		err = -errno;
	close(fd);
	return err;
}

static int pcn_netns_id(__u64 *ino, __u64 *cookie)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st))
		return -errno;
	*ino = st.st_ino;
	return pcn_netns_cookie(cookie);
}

int pcn_ns_path(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n, m;

	n = snprintf(buf, size, "%s/", ns_path);
	if ((size_t)n >= size)
		return -ENAMETOOLONG;
	va_start(ap, fmt);
	m = vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
	return (size_t)(n + m) >= size ? -ENAMETOOLONG : 0;
}

const char *pcn_ns_dir(void)
{
	return ns_path;
}

static int obj_get(const char *name)
{
	char path[PATH_MAX];

	pcn_ns_path(path, sizeof(path), "%s", name);
	return bpf_obj_get(path);
}

int pcn_panel_fd(enum pcn_mode mode)
{
	return obj_get(mode == PCN_MODE_TC ? "panel_tc" : "panel_xdp");
}

int pcn_scratch_fd(void)
{
	return obj_get("scratch_xdp");
}

int pcn_points_fd(void)
{
	return obj_get("points");
}

int pcn_chains_fd(void)
{
	return obj_get("chains");
}

int pcn_ns_meta_get(struct pcn_ns_meta *meta)
{
	__u32 zero = 0;
	int fd, err = 0;

	fd = obj_get("meta");
	if (fd < 0)
		return -errno;
	if (bpf_map_lookup_elem(fd, &zero, meta))
		err = -errno;
	close(fd);
	return err;
}

int pcn_ns_meta_put(const struct pcn_ns_meta *meta)
{
	__u32 zero = 0;
	int fd, err = 0;

	fd = obj_get("meta");
	if (fd < 0)
		return -errno;
	if (bpf_map_update_elem(fd, &zero, meta, BPF_EXIST))
		err = -errno;
	close(fd);
	return err;
}

int pcn_ns_dir_meta(const char *dir, struct pcn_ns_meta *meta)
{
	char path[PATH_MAX];
	__u32 zero = 0;
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/meta", dir);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	if (bpf_map_lookup_elem(fd, &zero, meta))
		err = -errno;
	close(fd);
	return err;
}

static int create_pinned_map(const char *dir, const char *file,
			     enum bpf_map_type type, const char *name,
			     __u32 value_size, __u32 max_entries,
			     const void *first_value)
{
	char path[PATH_MAX];
	__u32 zero = 0;
	int fd, err = 0;

	fd = bpf_map_create(type, name, sizeof(__u32), value_size,
			    max_entries, NULL);
	if (fd < 0)
		return -errno;
	if (first_value && bpf_map_update_elem(fd, &zero, first_value, 0))
		err = -errno;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (!err && bpf_obj_pin(fd, path))
		err = -errno;
	close(fd);
	return err;
}

/* Build the netns directory under a staging name, then rename it in. */
static int ns_create(__u64 ino, __u64 cookie)
{
	struct pcn_ns_meta meta = {
		.magic = PCN_META_MAGIC,
		.schema = PCN_SCHEMA_VERSION,
		.netns_cookie = cookie,
		.netns_ino = ino,
	};
	char tmp[PATH_MAX], sub[PATH_MAX];
	int err;

	snprintf(tmp, sizeof(tmp), "%s/%sns-%d", pcn_root(),
		 PCN_STAGING_PREFIX, getpid());
	pcn_rmtree(tmp);
	if (mkdir(tmp, 0700))
		return -errno;
	err = create_pinned_map(tmp, "meta", BPF_MAP_TYPE_ARRAY, "pcn_ns_meta",
				sizeof(meta), 1, &meta);
	if (!err)
		err = create_pinned_map(tmp, "panel_xdp",
					BPF_MAP_TYPE_PROG_ARRAY, "pcn_panel_xdp",
					sizeof(__u32), PCN_MAX_SLOTS, NULL);
	if (!err)
		err = create_pinned_map(tmp, "panel_tc",
					BPF_MAP_TYPE_PROG_ARRAY, "pcn_panel_tc",
					sizeof(__u32), PCN_MAX_SLOTS, NULL);
	if (!err)
		err = create_pinned_map(tmp, "scratch_xdp",
					BPF_MAP_TYPE_PERCPU_ARRAY,
					"pcn_scratch", sizeof(struct pcn_md),
					1, NULL);
	if (!err)
		err = create_pinned_map(tmp, "points", BPF_MAP_TYPE_ARRAY,
					"pcn_points", sizeof(struct pcn_point),
					PCN_MAX_POINTS, NULL);
	if (!err)
		err = create_pinned_map(tmp, "chains", BPF_MAP_TYPE_ARRAY,
					"pcn_chains", sizeof(struct pcn_chain),
					PCN_MAX_CHAINS, NULL);
	snprintf(sub, sizeof(sub), "%s/cubes", tmp);
	if (!err && mkdir(sub, 0700))
		err = -errno;
	snprintf(sub, sizeof(sub), "%s/links", tmp);
	if (!err && mkdir(sub, 0700))
		err = -errno;
	if (!err && rename(tmp, ns_path))
		err = -errno;
	if (err)
		pcn_rmtree(tmp);
	return err;
}

/* The netns directory, if there is one, must be safe too. */
static int ns_check_safe(void)
{
	int fd, err;

	fd = open(ns_path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 :
		       errno == ENOTDIR || errno == ELOOP
			       ? pcn_fail(-ENOTDIR, "%s is not a directory",
					  ns_path)
			       : pcn_fail_sys(-errno, "cannot open %s",
					      ns_path);
	err = dir_check_safe(fd, ns_path);
	close(fd);
	return err;
}

/* Open (and for writers create) the directory of the calling netns. */
static int ns_open(enum pcn_access access)
{
	struct pcn_ns_meta meta;
	__u64 ino = 0, cookie = 0;
	int err;

	err = pcn_netns_id(&ino, &cookie);
	if (err)
		return pcn_fail_sys(err, "cannot identify the network namespace");
	snprintf(ns_path, sizeof(ns_path), "%s/ns-%llu", pcn_root(),
		 (unsigned long long)ino);

	err = ns_check_safe();
	if (err)
		return err;
	err = pcn_ns_dir_meta(ns_path, &meta);
	if (!err && (meta.magic != PCN_META_MAGIC ||
		     meta.schema != PCN_SCHEMA_VERSION))
		return pcn_fail(-EPROTO,
				"%s was made by an incompatible pcn (schema %u, this pcn uses %u): remove it with \"rm -r\" after detaching its cubes",
				ns_path, meta.schema, PCN_SCHEMA_VERSION);
	if (!err && meta.netns_cookie != cookie) {
		/*
		 * The inode number of a dead netns was reused: everything
		 * in there belonged to interfaces that are gone.
		 */
		if (access != PCN_WRITE)
			return -ENOENT;
		pcn_rmtree(ns_path);
		err = -ENOENT;
	}
	if (err == -ENOENT && pcn_path_exists(ns_path)) {
		/* a directory without its record: a pcn killed mid-create */
		if (access != PCN_WRITE)
			return -ENOENT;
		pcn_rmtree(ns_path);
	}
	if (err == -ENOENT) {
		if (access != PCN_WRITE)
			return -ENOENT;
		err = ns_create(ino, cookie);
		if (err)
			return pcn_fail_sys(err, "cannot create %s", ns_path);
	} else if (err) {
		return pcn_fail_sys(err, "cannot read %s/meta", ns_path);
	}
	ns_ready = true;
	return 0;
}

static void sweep_root_staging(void)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	d = opendir(pcn_root());
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, PCN_STAGING_PREFIX,
			    strlen(PCN_STAGING_PREFIX)))
			continue;
		snprintf(path, sizeof(path), "%s/%s", pcn_root(), de->d_name);
		pcn_rmtree(path);
	}
	closedir(d);
}

int pcn_root_open(enum pcn_access access)
{
	int want = access == PCN_READ ? LOCK_SH : LOCK_EX;
	int err;

	if (root_fd < 0) {
		err = access == PCN_WRITE ? root_ensure() : root_probe();
		if (err)
			return err;
		root_fd = open(pcn_root(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (root_fd < 0) {
			if (errno == ENOENT && access != PCN_WRITE)
				return -ENOENT;
			return pcn_fail_sys(-errno, "cannot open %s",
					    pcn_root());
		}
		err = dir_check_safe(root_fd, pcn_root());
		if (err) {
			close(root_fd);
			root_fd = -1;
			return err;
		}
	}
	if (lock_held != LOCK_EX && lock_held != want) {
		if (flock(root_fd, want))
			return pcn_fail_sys(-errno, "cannot lock %s",
					    pcn_root());
		lock_held = want;
	}
	if (lock_held == LOCK_EX && !root_swept) {
		root_swept = true;
		sweep_root_staging();
	}
	return 0;
}

int pcn_state_open(enum pcn_access access)
{
	int err;

	if (lock_held == LOCK_EX && ns_ready)
		return 0;
	if (lock_held == (access == PCN_READ ? LOCK_SH : LOCK_EX) && ns_ready)
		return 0;
	err = pcn_root_open(access);
	return err ?: ns_open(access);
}

void pcn_state_unlock(void)
{
	pcn_state_leave();
	root_swept = false;
	if (root_fd >= 0 && lock_held)
		flock(root_fd, LOCK_UN);
	lock_held = 0;
}

void pcn_state_leave(void)
{
	ns_ready = false;
	swept = false;
	ns_path[0] = '\0';
}

bool pcn_state_swept(void)
{
	return swept;
}

void pcn_state_set_swept(void)
{
	swept = true;
}

static bool dir_is_empty(const char *path, const char *ignore)
{
	struct dirent *de;
	bool empty = true;
	DIR *d;

	d = opendir(path);
	if (!d)
		return false;
	while (empty && (de = readdir(d)))
		empty = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
			(ignore && !strcmp(de->d_name, ignore));
	closedir(d);
	return empty;
}

int pcn_ns_remove_if_empty(void)
{
	static const char *const shared[] = {
		"meta", "panel_xdp", "panel_tc", "scratch_xdp", "points",
		"chains", "cubes", "links",
	};
	char path[PATH_MAX];
	struct dirent *de;
	size_t i;
	DIR *d;

	if (!ns_ready)
		return 0;
	pcn_ns_path(path, sizeof(path), "cubes");
	if (!dir_is_empty(path, NULL))
		return 0;
	pcn_ns_path(path, sizeof(path), "links");
	if (!dir_is_empty(path, NULL))
		return 0;
	/* only the shared objects may be left: no staging, nothing else */
	d = opendir(ns_path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		bool known = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");

		for (i = 0; i < ARRAY_SIZE(shared) && !known; i++)
			known = !strcmp(de->d_name, shared[i]);
		if (!known) {
			closedir(d);
			return 0;
		}
	}
	closedir(d);
	ns_ready = false;
	return pcn_ns_dir_remove(strrchr(ns_path, '/') + 1);
}

int pcn_ns_dir_remove(const char *name)
{
	char path[PATH_MAX], tmp[PATH_MAX];

	/* out of sight in one step, then taken apart */
	snprintf(path, sizeof(path), "%s/%s", pcn_root(), name);
	snprintf(tmp, sizeof(tmp), "%s/%s%s-%d", pcn_root(),
		 PCN_STAGING_PREFIX, name, getpid());
	pcn_rmtree(tmp);
	if (rename(path, tmp))
		return -errno;
	return pcn_rmtree(tmp);
}

int pcn_stage_begin(struct pcn_stage *st, const struct pcn_intent *intent)
{
	static unsigned int seq;
	int err;

	pcn_ns_path(st->path, sizeof(st->path), "%s%d-%u", PCN_STAGING_PREFIX,
		    getpid(), seq++);
	if (mkdir(st->path, 0700))
		return -errno;
	err = create_pinned_map(st->path, "intent", BPF_MAP_TYPE_ARRAY,
				"pcn_intent", sizeof(*intent), 1, intent);
	if (err) {
		rmdir(st->path);
		return err;
	}
	return 0;
}

void pcn_stage_end(struct pcn_stage *st)
{
	pcn_rmtree(st->path);
}

int pcn_intent_read(const char *stage_dir, struct pcn_intent *intent)
{
	char path[PATH_MAX];
	__u32 zero = 0;
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/intent", stage_dir);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	if (bpf_map_lookup_elem(fd, &zero, intent))
		err = -errno;
	close(fd);
	return err;
}

int pcn_for_each_stage(int (*fn)(const char *path, void *arg), void *arg)
{
	char path[PATH_MAX];
	struct dirent *de;
	int err = 0;
	DIR *d;

	d = opendir(ns_path);
	if (!d)
		return -errno;
	while (!err && (de = readdir(d))) {
		if (strncmp(de->d_name, PCN_STAGING_PREFIX,
			    strlen(PCN_STAGING_PREFIX)))
			continue;
		snprintf(path, sizeof(path), "%s/%s", ns_path, de->d_name);
		err = fn(path, arg);
	}
	closedir(d);
	return err;
}

int pcn_rmtree(const char *path)
{
	char sub[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlink(path) ? -errno : 0;
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		pcn_rmtree(sub);
	}
	closedir(d);
	return rmdir(path) ? -errno : 0;
}
