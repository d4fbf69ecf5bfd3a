// SPDX-License-Identifier: GPL-2.0
/*
 * Loading a probe into a dynmon cube: open the user's object, keep only
 * the entry program of the cube's mode, hand it the cube's maps
 * (dm_probes, dm_dir, dm_stats), load it (the verifier), pin it with
 * its maps in probe_<dir>_new, then switch the cube's slot to it with
 * one map update and swap the directories. A packet runs the old probe
 * or the new one, never neither.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpffs.h"
#include "error.h"
#include "probe.h"

/* the cube's maps a probe shares (names as in include/pcn/probe.h) */
static const char *const cube_maps[] = { "dm_probes", "dm_dir", "dm_stats" };

const char *probe_dir_name(__u32 dir)
{
	return dir ? "probe_egress" : "probe_ingress";
}

static bool is_cube_map(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(cube_maps) / sizeof(cube_maps[0]); i++)
		if (!strcmp(name, cube_maps[i]))
			return true;
	return false;
}

/* keep the entry program of @mode only; -ENOENT/-EINVAL with a reason */
static int pick_program(struct bpf_object *obj, enum pcn_mode mode,
			const char *path)
{
	const char *want = mode == PCN_MODE_TC ? "pcn_probe_tc" : "pcn_probe_xdp";
	struct bpf_program *prog;
	bool found = false, any = false;

	bpf_object__for_each_program(prog, obj) {
		const char *name = bpf_program__name(prog);
		bool ours = !strcmp(name, want);

		any = true;
		bpf_program__set_autoload(prog, ours);
		if (!ours)
			continue;
		found = true;
		if (bpf_program__type(prog) !=
		    (mode == PCN_MODE_TC ? BPF_PROG_TYPE_SCHED_CLS :
					   BPF_PROG_TYPE_XDP))
			return pcn_fail(-EINVAL,
					"%s: program %s is not of type %s",
					path, want,
					mode == PCN_MODE_TC ? "tc" : "xdp");
	}
	if (!any)
		return pcn_fail(-ENOENT, "%s has no program", path);
	if (!found)
		return pcn_fail(-EINVAL,
				"%s has no program %s: not a probe (PCN_PROBE() of <pcn/probe.h> makes it)",
				path, want);
	return 0;
}

static int pin_all(struct bpf_object *obj, const char *dir, const char *path)
{
	char pin[PATH_MAX];
	struct bpf_program *prog;
	struct bpf_map *map;
	char file[PROBE_FILE_LEN] = {};
	__u32 zero = 0;
	int fd, err;

	bpf_object__for_each_program(prog, obj) {
		if (!bpf_program__autoload(prog))
			continue;
		snprintf(pin, sizeof(pin), "%s/prog", dir);
		if (bpf_obj_pin(bpf_program__fd(prog), pin))
			return -errno;
	}
	bpf_object__for_each_map(map, obj) {
		const char *name = bpf_map__name(map);

		if (is_cube_map(name) || bpf_map__is_internal(map))
			continue;
		snprintf(pin, sizeof(pin), "%s/map_%s", dir, name);
		if (bpf_obj_pin(bpf_map__fd(map), pin))
			return -errno;
	}
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "dm_file", sizeof(__u32),
			    sizeof(file), 1, NULL);
	if (fd < 0)
		return -errno;
	snprintf(file, sizeof(file), "%s", path);
	err = bpf_map_update_elem(fd, &zero, file, 0) ? -errno : 0;
	snprintf(pin, sizeof(pin), "%s/file", dir);
	if (!err && bpf_obj_pin(fd, pin))
		err = -errno;
	close(fd);
	return err;
}

/*
 * A map of the probe being replaced that the new one declares alike
 * (name, type, key, value, size) is handed to it: what was counted
 * goes on being counted, across the swap.
 */
static int keep_map(struct bpf_map *map, const char *cur)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	char pin[PATH_MAX];
	int fd, err = 0;

	snprintf(pin, sizeof(pin), "%s/map_%s", cur, bpf_map__name(map));
	fd = bpf_obj_get(pin);
	if (fd < 0)
		return 0;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		err = -errno;
	else if (info.type == bpf_map__type(map) &&
		 info.key_size == bpf_map__key_size(map) &&
		 info.value_size == bpf_map__value_size(map) &&
		 info.max_entries == bpf_map__max_entries(map) &&
		 info.map_flags == bpf_map__map_flags(map))
		err = bpf_map__reuse_fd(map, fd);
	close(fd);
	return err;
}

int probe_load(const struct pcn_cube *c, __u32 dir, const char *path)
{
	char cur[PATH_MAX], next[PATH_MAX];
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_map *map;
	int err, fd, slots = -1;

	obj = bpf_object__open_file(path, NULL);
	if (!obj)
		return pcn_fail_sys(-errno, "%s is not an eBPF object", path);
	err = pick_program(obj, c->meta.mode, path);
	if (err)
		goto out;
	snprintf(cur, sizeof(cur), "%s/%s", c->dir, probe_dir_name(dir));
	bpf_object__for_each_map(map, obj) {
		const char *name = bpf_map__name(map);

		if (bpf_map__is_internal(map))
			continue;
		if (!is_cube_map(name)) {
			err = keep_map(map, cur);
			if (err)
				goto out;
			continue;
		}
		fd = cube_obj_fd(c, name);
		if (fd < 0) {
			err = fd;
			goto out;
		}
		err = bpf_map__reuse_fd(map, fd);
		close(fd);
		if (err)
			goto out;
	}
	snprintf(next, sizeof(next), "%s_new", cur);	/* bpffs: no dots */
	pcn_rmtree(next);	/* what a killed load left */
	if (mkdir(next, 0700)) {
		err = pcn_fail_sys(-errno, "cannot make %s", next);
		goto out;
	}
	pcn_libbpf_log_reset();
	err = bpf_object__load(obj);
	if (err)
		goto undo;
	err = pin_all(obj, next, path);
	if (err)
		goto undo;
	prog = NULL;
	bpf_object__for_each_program(prog, obj)
		if (bpf_program__autoload(prog))
			break;
	slots = cube_obj_fd(c, "dm_probes");
	if (slots < 0) {
		err = slots;
		goto undo;
	}
	fd = bpf_program__fd(prog);
	/* the one step: packets go to the new probe from here on */
	if (bpf_map_update_elem(slots, &dir, &fd, BPF_ANY)) {
		err = pcn_fail_sys(-errno, "cannot put the probe in place");
		goto undo;
	}
	if (renameat2(AT_FDCWD, next, AT_FDCWD, cur, RENAME_EXCHANGE)) {
		if (errno != ENOENT || rename(next, cur))
			err = -errno;
	}
undo:
	pcn_rmtree(next);
out:
	if (slots >= 0)
		close(slots);
	bpf_object__close(obj);
	return err;
}

int probe_unload(const struct pcn_cube *c, __u32 dir)
{
	char cur[PATH_MAX];
	int slots, err = 0;

	snprintf(cur, sizeof(cur), "%s/%s", c->dir, probe_dir_name(dir));
	if (access(cur, F_OK))
		return -ENOENT;
	slots = cube_obj_fd(c, "dm_probes");
	if (slots < 0)
		return slots;
	if (bpf_map_delete_elem(slots, &dir) && errno != ENOENT)
		err = -errno;
	close(slots);
	return err ?: pcn_rmtree(cur);
}
