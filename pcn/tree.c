// SPDX-License-Identifier: GPL-2.0
/*
 * The pin tree as commands open it: locked, swept once a command holds
 * the exclusive lock, and what is wrong reported once; and the network
 * namespace whose tree it is (-n NETNS).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "owner.h"
#include "pcn.h"
#include "sweep.h"

unsigned long pcn_cmd_gen;

void pcn_netns_entered(void)
{
	/* nothing opened in the namespace left may serve the next command */
	pcn_state_leave();
	pcn_cmd_gen++;
}

int netns_switch(const char *name)
{
	char path[4096];
	int fd;

	if (strchr(name, '/'))
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pcn_err_kernel(errno,
				      "cannot open network namespace \"%s\"",
				      name);
	/* the network namespace only: the mount namespace keeps bpffs */
	if (setns(fd, CLONE_NEWNET)) {
		close(fd);
		return pcn_err_kernel(errno,
				      "cannot enter network namespace \"%s\"",
				      name);
	}
	close(fd);
	pcn_netns_entered();
	return 0;
}

int (*tree_orphan_delete)(const char *name);

/* A cube whose owner process is gone (owner.h): removed as "cube del" does. */
static int orphan_delete(const char *name, void *arg)
{
	char path[PATH_MAX];

	pcn_ns_path(path, sizeof(path), "cubes/%s", name);
	if (!tree_orphan_delete || !pcn_path_exists(path))
		return 0;
	return tree_orphan_delete(name);
}

int tree_open(enum pcn_access access, bool *none)
{
	int err;

	if (none)
		*none = false;
	pcn_reason_clear();
	err = pcn_state_open(access);
	if (err == -ENOENT && access != PCN_WRITE && none) {
		*none = true;
		return 0;
	}
	if (err)
		return pcn_err_kernel(err, "cannot open %s", pcn_root());
	if (access != PCN_READ && !pcn_state_swept()) {
		pcn_state_set_swept();
		err = pcn_sweep(&type_port_hooks);
		if (err)
			return pcn_err_kernel(err, "cannot sweep %s",
					      pcn_ns_dir());
		err = pcn_owner_orphans(orphan_delete, NULL);
		if (err < 0)
			return pcn_err_kernel(err, "cannot sweep %s",
					      pcn_ns_dir());
		if (err)
			return err;
		/* the last cube may have taken the netns directory along */
		return tree_open(access, none);
	}
	return 0;
}

void tree_close(void)
{
	pcn_state_unlock();
	/* nothing opened before may serve the next command */
	pcn_cmd_gen++;
}

int tree_cubes(enum pcn_access access, char ***names, int *n)
{
	bool none;
	int err;

	*names = NULL;
	*n = 0;
	err = tree_open(access, &none);
	if (err || none)
		return err;
	err = cube_names(names, n);
	return err ? pcn_err_kernel(err, "cannot list cubes") : 0;
}

int cube_open_err(const char *name, int err)
{
	switch (err) {
	case -ENOENT:
		return pcn_err(PCN_EXIT_KERNEL, "cube \"%s\" does not exist",
			       name);
	case -EINVAL:
		return check_name("cube", name);
	case -EPROTO:
		return pcn_err(PCN_EXIT_KERNEL,
			       "cube \"%s\" was made by an incompatible pcn (schema version differs, this pcn uses %d); delete it with \"pcn cube del %s\"",
			       name, PCN_SCHEMA_VERSION, name);
	case -EBADF:
		return pcn_err(PCN_EXIT_KERNEL,
			       "cube \"%s\" is damaged (missing pins); delete it with \"pcn cube del %s\"",
			       name, name);
	default:
		return pcn_err_kernel(err, "cannot open cube \"%s\"", name);
	}
}

int cube_open_for_change(const char *name, struct pcn_cube *c)
{
	bool none;
	int err;

	err = tree_open(PCN_WRITE_EXISTING, &none);
	if (err)
		return err;
	if (none)
		return cube_open_err(name, -ENOENT);
	err = cube_open(name, c);
	return err ? cube_open_err(name, err) : 0;
}

int cube_open_type(const char *name, const char *type, struct pcn_cube *c,
		   bool change)
{
	bool none;
	int err;

	if (change) {
		err = cube_open_for_change(name, c);
		if (err)
			return err;
	} else {
		err = tree_open(PCN_READ, &none);
		if (err)
			return err;
		err = none ? -ENOENT : cube_open(name, c);
		if (err)
			return cube_open_err(name, err);
	}
	if (strcmp(c->meta.type, type)) {
		cube_close(c);
		return pcn_err(PCN_EXIT_KERNEL, "cube \"%s\" is a %s, not a %s",
			       name, c->meta.type, type);
	}
	return 0;
}

int cube_port_index(struct pcn_cube *c, const char *port, int *idx)
{
	struct pcn_port ports[PCN_MAX_PORTS];

	*idx = cube_ports_read(c, ports) ? -1 :
		cube_port_find(ports, PCN_MAX_PORTS, port);
	if (*idx < 0)
		return pcn_err(PCN_EXIT_KERNEL, "port %s:%s does not exist",
			       c->name, port);
	return 0;
}
