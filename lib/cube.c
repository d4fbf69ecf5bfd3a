// SPDX-License-Identifier: GPL-2.0
/* Cubes as they live in the kernel: meta, ports, stats, patch panel. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <bpf/btf.h>

#include "error.h"
#include "bpffs.h"
#include "cube.h"
#include "map.h"
#include "profile.h"
#include "utils.h"

static const char *const mode_names[] = {
	[PCN_MODE_XDP] = "xdp",
	[PCN_MODE_XDPGENERIC] = "xdpgeneric",
	[PCN_MODE_TC] = "tc",
};

const char *mode_name(enum pcn_mode mode)
{
	if (mode < ARRAY_SIZE(mode_names) && mode_names[mode])
		return mode_names[mode];
	return "unknown";
}

int mode_parse(const char *arg, enum pcn_mode *mode)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(mode_names); i++) {
		if (mode_names[i] && !strcmp(arg, mode_names[i])) {
			*mode = i;
			return 0;
		}
	}
	return -EINVAL;
}

int cube_obj_fd(const struct pcn_cube *c, const char *file)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", c->dir, file);
	return bpf_obj_get(path);
}

/* @op on one element of the cube's map @file, by a short-lived fd. */
static int cube_map_op(const struct pcn_cube *c, const char *file,
		       int (*op)(int fd, const void *key, void *val),
		       const void *key, void *val)
{
	int fd, err;

	fd = cube_obj_fd(c, file);
	if (fd < 0)
		return -errno;
	err = op(fd, key, val) ? -errno : 0;
	close(fd);
	return err;
}

static int op_get(int fd, const void *key, void *val)
{
	return bpf_map_lookup_elem(fd, key, val);
}

static int op_put(int fd, const void *key, void *val)
{
	return bpf_map_update_elem(fd, key, val, BPF_ANY);
}

static int op_del(int fd, const void *key, void *val)
{
	return bpf_map_delete_elem(fd, key) && errno != ENOENT;
}

int cube_map_get(const struct pcn_cube *c, const char *file, const void *key,
		 void *val)
{
	return cube_map_op(c, file, op_get, key, val);
}

int cube_map_put(const struct pcn_cube *c, const char *file, const void *key,
		 const void *val)
{
	return cube_map_op(c, file, op_put, key, (void *)val);
}

int cube_map_del(const struct pcn_cube *c, const char *file, const void *key)
{
	return cube_map_op(c, file, op_del, key, NULL);
}

int cube_open(const char *name, struct pcn_cube *c)
{
	__u32 zero = 0;
	int fd, err = 0;

	memset(c, 0, sizeof(*c));
	c->ports_fd = -1;
	c->stats_fd = -1;
	if (!name_is_valid(name))
		return -EINVAL;
	name_copy(c->name, name);
	pcn_ns_path(c->dir, sizeof(c->dir), "cubes/%s", name);
	fd = cube_obj_fd(c, "meta");
	if (fd < 0)
		return errno == ENOENT && pcn_path_exists(c->dir) ? -EBADF
								   : -errno;
	if (bpf_map_lookup_elem(fd, &zero, &c->meta))
		err = -errno;
	close(fd);
	if (err)
		return err;
	if (c->meta.magic != PCN_META_MAGIC ||
	    c->meta.schema != PCN_SCHEMA_VERSION)
		return -EPROTO;
	/* the counters are opened when reset: most opens only read ports */
	if (c->meta.max_ports) {
		c->ports_fd = cube_obj_fd(c, "pcn_ports");
		if (c->ports_fd < 0)
			return -EBADF;
	}
	return 0;
}

void cube_close(struct pcn_cube *c)
{
	if (c->ports_fd >= 0)
		close(c->ports_fd);
	if (c->stats_fd >= 0)
		close(c->stats_fd);
	c->ports_fd = -1;
	c->stats_fd = -1;
}

int cube_meta_write(struct pcn_cube *c)
{
	__u32 zero = 0;
	int fd, err = 0;

	fd = cube_obj_fd(c, "meta");
	if (fd < 0)
		return -errno;
	if (bpf_map_update_elem(fd, &zero, &c->meta, BPF_EXIST))
		err = -errno;
	close(fd);
	return err;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int cube_names(char ***names, int *count)
{
	char path[PATH_MAX], **v = NULL, **nv;
	struct dirent *de;
	int n = 0, cap = 0;
	DIR *d;

	*names = NULL;
	*count = 0;
	pcn_ns_path(path, sizeof(path), "cubes");
	d = opendir(path);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (!name_is_valid(de->d_name))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				goto nomem;
			v = nv;
		}
		v[n] = strdup(de->d_name);
		if (!v[n])
			goto nomem;
		n++;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), cmp_names);
	*names = v;
	*count = n;
	return 0;
nomem:
	closedir(d);
	cube_names_free(v, n);
	return -ENOMEM;
}

int cube_for_each(const char *only, int (*fn)(struct pcn_cube *c, void *arg),
		  void *arg)
{
	char **names;
	int n, i, err;

	err = cube_names(&names, &n);
	for (i = 0; i < n && !err; i++) {
		struct pcn_cube c;

		if (only && strcmp(only, names[i]))
			continue;
		if (cube_open(names[i], &c))
			continue;
		err = fn(&c, arg);
		cube_close(&c);
	}
	cube_names_free(names, n);
	return err;
}

void cube_names_free(char **names, int count)
{
	int i;

	for (i = 0; i < count; i++)
		free(names[i]);
	free(names);
}

int cube_ports_read(struct pcn_cube *c, struct pcn_port *ports)
{
	if (c->ports_fd < 0) {
		memset(ports, 0, sizeof(*ports) * PCN_MAX_PORTS);
		return 0;
	}
	return map_array_read(c->ports_fd, PCN_MAX_PORTS, sizeof(*ports),
			      ports);
}

int cube_port_find(const struct pcn_port *ports, int max, const char *name)
{
	int i;

	for (i = 0; i < max; i++)
		if (ports[i].name[0] &&
		    strncmp(ports[i].name, name, PCN_NAME_LEN) == 0)
			return i;
	return -ENOENT;
}

int cube_port_write(struct pcn_cube *c, __u32 idx, const struct pcn_port *p)
{
	if (bpf_map_update_elem(c->ports_fd, &idx, p, BPF_ANY))
		return -errno;
	return 0;
}

int cube_port_clear(struct pcn_cube *c, __u32 idx)
{
	struct pcn_port empty = {};

	return cube_port_write(c, idx, &empty);
}

int cube_stats_reset(struct pcn_cube *c, __u32 idx)
{
	if (c->stats_fd < 0)
		c->stats_fd = cube_obj_fd(c, "pcn_stats");
	if (c->stats_fd < 0)
		return -errno;
	return map_percpu_zero(c->stats_fd, idx, sizeof(struct pcn_port_stats));
}

/*
 * Maps every cube of a netns shares, reused instead of created. After
 * bpf_map__reuse_fd() libbpf reports the name of the reused map.
 */
static bool map_is_shared(const struct bpf_map *map)
{
	static const char *const shared[] = {
		"pcn_patchpanel", "pcn_panel_xdp", "pcn_panel_tc", "pcn_scratch",
		"pcn_points", "pcn_chains",
	};
	const char *name = bpf_map__name(map);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(shared); i++)
		if (!strcmp(name, shared[i]))
			return true;
	return false;
}

int pcn_shared_map_fd(const char *name, enum pcn_mode mode)
{
	int fd;

	if (!strcmp(name, "pcn_patchpanel"))
		fd = pcn_panel_fd(mode);
	else if (!strcmp(name, "pcn_scratch"))
		fd = pcn_scratch_fd();
	else if (!strcmp(name, "pcn_points"))
		fd = pcn_points_fd();
	else if (!strcmp(name, "pcn_chains"))
		fd = pcn_chains_fd();
	else
		return -ENOENT;
	return fd < 0 ? -errno : fd;
}

/*
 * Set a 4-byte .rodata variable of an object before load, found by name
 * in the object's BTF. -ENOENT when the object has no such variable.
 */
int obj_set_rodata_u32(struct bpf_object *obj, const char *var, __u32 val)
{
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec, *t;
	struct bpf_map *map;
	struct btf *btf = bpf_object__btf(obj);
	const void *init;
	size_t size;
	char *data;
	int id, i, err;

	if (!btf)
		return -ENOENT;
	id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
	if (id < 0)
		return -ENOENT;
	sec = btf__type_by_id(btf, id);
	bpf_object__for_each_map(map, obj) {
		const char *name = bpf_map__name(map);
		size_t len = strlen(name);

		if (bpf_map__is_internal(map) && len >= 7 &&
		    !strcmp(name + len - 7, ".rodata"))
			break;
	}
	if (!map)
		return -ENOENT;
	init = bpf_map__initial_value(map, &size);
	if (!init)
		return -ENOENT;
	vs = btf_var_secinfos(sec);
	for (i = 0; i < btf_vlen(sec); i++, vs++) {
		t = btf__type_by_id(btf, vs->type);
		if (strcmp(btf__name_by_offset(btf, t->name_off), var))
			continue;
		if (vs->size != sizeof(val) || vs->offset + sizeof(val) > size)
			return -EINVAL;
		data = malloc(size);
		if (!data)
			return -ENOMEM;
		memcpy(data, init, size);
		memcpy(data + vs->offset, &val, sizeof(val));
		err = bpf_map__set_initial_value(map, data, size);
		free(data);
		return err;
	}
	return -ENOENT;
}

int cube_load(const struct cube_spec *spec, struct bpf_object **objp)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = spec->type);
	struct bpf_object *obj;
	struct bpf_map *map;
	int err, fd;

	*objp = NULL;
	obj = bpf_object__open_mem(spec->elf, spec->elf_size, &opts);
	if (!obj)
		return -errno;

	bpf_object__for_each_map(map, obj) {
		if (!map_is_shared(map))
			continue;
		fd = pcn_shared_map_fd(bpf_map__name(map), spec->mode);
		if (fd < 0) {
			err = fd;
			goto err;
		}
		err = bpf_map__reuse_fd(map, fd);
		close(fd);
		if (err)
			goto err;
	}
	/* the constant indexes of its tail calls (see pcn_cube.h) */
	err = obj_set_rodata_u32(obj, "pcn_out_base", spec->slot + 1);
	if (err == -ENOENT)
		err = obj_set_rodata_u32(obj, "pcn_next_in", spec->slot + 2);
	if (!err)
		err = obj_set_rodata_u32(obj, "pcn_next_eg", spec->slot + 3);
	if (err && err != -ENOENT)
		goto err;
	if (spec->prepare) {
		err = spec->prepare(obj, spec->config);
		if (err)
			goto err;
	}

	pcn_prof_step("cube: open object, share maps");
	pcn_libbpf_log_reset();
	err = bpf_object__load(obj);
	pcn_prof_step("cube: load (verifier)");
	if (err)
		goto err;
	*objp = obj;
	return 0;
err:
	bpf_object__close(obj);
	return err;
}

/*
 * NAME, if @map holds the globals of a section .data.NAME of @obj. From
 * the section's BTF: libbpf cuts the names of such maps to 15 bytes.
 */
static const char *data_section(struct bpf_object *obj,
				const struct bpf_map *map)
{
	const struct btf *btf = bpf_object__btf(obj);
	const struct btf_type *t;
	const char *name;

	t = btf ? btf__type_by_id(btf, bpf_map__btf_value_type_id(map)) : NULL;
	if (!t || !btf_is_datasec(t))
		return NULL;
	name = btf__name_by_offset(btf, t->name_off);
	if (!name || strncmp(name, ".data.", strlen(".data.")))
		return NULL;
	return name + strlen(".data.");
}

int cube_pin(const struct cube_spec *spec, struct bpf_object *obj,
	     const char *dir)
{
	struct pcn_meta meta = {
		.magic = PCN_META_MAGIC,
		.schema = PCN_SCHEMA_VERSION,
		.mode = spec->mode,
		.slot = spec->slot,
		.max_ports = spec->max_ports,
		.nslots = spec->nslots,
	};
	struct bpf_program *prog;
	char path[PATH_MAX];
	struct bpf_map *map;
	__u32 zero = 0;
	int fd, err;

	name_copy(meta.type, spec->type);
	if (spec->config)
		memcpy(meta.config, spec->config, sizeof(meta.config));

	bpf_object__for_each_map(map, obj) {
		const char *name = bpf_map__name(map);

		if (map_is_shared(map))
			continue;
		/* globals of a section .data.NAME: user space writes them
		 * as map NAME; other globals are the object's own */
		if (bpf_map__is_internal(map)) {
			name = data_section(obj, map);
			if (!name)
				continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		if (bpf_obj_pin(bpf_map__fd(map), path))
			return -errno;
	}
	bpf_object__for_each_program(prog, obj) {
		snprintf(path, sizeof(path), "%s/prog_%s", dir,
			 bpf_program__name(prog));
		if (bpf_obj_pin(bpf_program__fd(prog), path))
			return -errno;
	}

	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "pcn_meta", sizeof(__u32),
			    sizeof(meta), 1, NULL);
	if (fd < 0)
		return -errno;
	err = bpf_map_update_elem(fd, &zero, &meta, 0) ? -errno : 0;
	snprintf(path, sizeof(path), "%s/meta", dir);
	if (!err && bpf_obj_pin(fd, path))
		err = -errno;
	close(fd);
	return err;
}
