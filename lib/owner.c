// SPDX-License-Identifier: GPL-2.0
/*
 * Cubes that live as long as a process (see owner.h): a marker
 * directory per cube under owners/, locked by its owner.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "bpffs.h"
#include "owner.h"
#include "utils.h"

static int marker_path(char *buf, size_t size, const char *cube)
{
	if (!name_is_valid(cube))
		return -EINVAL;
	return pcn_ns_path(buf, size, PCN_OWNERS_DIR "/%s", cube);
}

/* Open marker @path and try its lock. Return: the fd, or -errno. */
static int marker_lock(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		int err = errno == EWOULDBLOCK ? -EEXIST : -errno;

		close(fd);
		return err;
	}
	return fd;
}

int pcn_owner_claim(const char *cube)
{
	char dir[PATH_MAX], path[PATH_MAX];
	int err;

	err = marker_path(path, sizeof(path), cube);
	if (err)
		return err;
	pcn_ns_path(dir, sizeof(dir), PCN_OWNERS_DIR);
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	if (mkdir(path, 0700) && errno != EEXIST)
		return -errno;
	/* a marker left by an owner gone is taken over */
	return marker_lock(path);
}

void pcn_owner_release(const char *cube, int fd)
{
	char path[PATH_MAX];

	if (!marker_path(path, sizeof(path), cube)) {
		rmdir(path);
		/* and owners/ with the last one */
		*strrchr(path, '/') = '\0';
		rmdir(path);
	}
	if (fd >= 0)
		close(fd);
}

bool pcn_owner_marked(const char *cube)
{
	char path[PATH_MAX];

	return !marker_path(path, sizeof(path), cube) && pcn_path_exists(path);
}

int pcn_owner_orphans(int (*fn)(const char *cube, void *arg), void *arg)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct dirent *de;
	int fd, err = 0;
	DIR *d;

	pcn_ns_path(dir, sizeof(dir), PCN_OWNERS_DIR);
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while (!err && (de = readdir(d))) {
		if (!name_is_valid(de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		fd = marker_lock(path);
		if (fd < 0)
			continue;	/* its owner lives (or it went) */
		err = fn(de->d_name, arg);
		if (!err)
			rmdir(path);
		close(fd);
	}
	closedir(d);
	rmdir(dir);		/* gone with the last marker */
	return err;
}
