// SPDX-License-Identifier: GPL-2.0
/*
 * Loading a probe into a dynmon cube: open the user's object, keep only
 * the entry program of the cube's mode, hand it the cube's maps
 * (dm_probes, dm_stats) and its direction, load it (the verifier), pin it with
 * its maps in probe_<dir>_new, then switch the cube's slot to it with
 * one map update and swap the directories. A packet runs the old probe
 * or the new one, never neither.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <gelf.h>
#include <libelf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpffs.h"
#include "error.h"
#include "map.h"
#include "probe.h"
#include "profile.h"

/* the cube's maps a probe shares (names as in include/pcn/probe.h) */
static const char *const cube_maps[] = { "dm_probes", "dm_stats" };

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

/*
 * The probe's direction into its pcn_probe_dir (include/pcn/probe.h),
 * alone in a read-only section of its own: the verifier then knows it,
 * and the probe's tail call back to the cube has a constant slot.
 */
static int set_direction(struct bpf_object *obj, __u32 dir, const char *path)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj,
							   ".rodata.pcn_probe");

	if (!map || bpf_map__value_size(map) != sizeof(dir))
		return pcn_fail(-EINVAL,
				"%s has no pcn_probe_dir: build it with this pcn's <pcn/probe.h>",
				path);
	return bpf_map__set_initial_value(map, &dir, sizeof(dir)) ?
	       pcn_fail(-EINVAL, "%s: cannot set its direction", path) : 0;
}

/* the .pcn_metrics section of ELF file @path into *@data (malloc'd) */
static int metrics_section(const char *path, char **data, size_t *size)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;
	Elf_Data *d;
	GElf_Shdr sh;
	int fd, err = 0;
	Elf *elf;

	*data = NULL;
	*size = 0;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_getshdrstrndx(elf, &shstrndx)) {
		err = -EINVAL;
		goto out;
	}
	while ((scn = elf_nextscn(elf, scn))) {
		const char *name;

		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name || strcmp(name, ".pcn_metrics"))
			continue;
		d = elf_getdata(scn, NULL);
		if (!d || !d->d_buf || !d->d_size)
			break;
		*data = malloc(d->d_size + 1);
		if (!*data) {
			err = -ENOMEM;
			break;
		}
		memcpy(*data, d->d_buf, d->d_size);
		(*data)[d->d_size] = '\0';
		*size = d->d_size;
		break;
	}
out:
	if (elf)
		elf_end(elf);
	close(fd);
	return err;
}

/* BTF type @id without typedefs and modifiers */
static const struct btf_type *resolved(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	while (t && (btf_is_typedef(t) || btf_is_mod(t)))
		t = btf__type_by_id(btf, t->type);
	return t;
}

static bool is_u64(const struct btf_type *t)
{
	return t && btf_is_int(t) && t->size == 8;
}

int probe_metric_offset(const struct btf *btf, __u32 value_id,
			const char *field)
{
	const struct btf_type *t = resolved(btf, value_id);
	const struct btf_member *m;
	__u32 i;

	if (!field[0])
		return is_u64(t) ? 0 : -EINVAL;
	if (!t || !btf_is_struct(t))
		return -EINVAL;
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++) {
		const char *n = btf__name_by_offset(btf, m->name_off);

		if (n && !strcmp(n, field) && !btf_member_bitfield_size(t, i))
			return is_u64(resolved(btf, m->type)) ?
				       (int)(btf_member_bit_offset(t, i) / 8) :
				       -EINVAL;
	}
	return -EINVAL;
}

static bool metric_name_ok(const char *s)
{
	if (!*s || (*s >= '0' && *s <= '9'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

/* one string of a record into @dst, checked; the next one in *@p */
static int take(char **p, const char *end, char *dst, size_t size)
{
	size_t n = strnlen(*p, end - *p);

	if (*p + n >= end + 1 || n >= size)
		return -EINVAL;
	memcpy(dst, *p, n);
	dst[n] = '\0';
	*p += n + 1;
	return 0;
}

static bool is_map_of_maps(enum bpf_map_type t)
{
	return t == BPF_MAP_TYPE_ARRAY_OF_MAPS || t == BPF_MAP_TYPE_HASH_OF_MAPS;
}

/* the bounds of a histogram: "log2" or "B1,B2,..." increasing */
static int parse_bounds(struct probe_metric *x, const char *s, __u32 entries)
{
	unsigned long long v;
	char *end;
	__u32 n = 0;

	if (entries < 2 || entries > PROBE_MAX_BUCKETS)
		return -EINVAL;
	if (!strcmp(s, "log2")) {
		for (n = 0; n < entries - 1; n++)
			x->le[n] = 1ULL << n;
		x->buckets = entries;
		return 0;
	}
	while (*s) {
		if (*s < '0' || *s > '9' || n == entries - 1)
			return -EINVAL;
		errno = 0;
		v = strtoull(s, &end, 10);
		if (errno || (n && v <= x->le[n - 1]))
			return -EINVAL;
		x->le[n++] = v;
		s = end;
		if (*s == ',' && s[1])
			s++;
		else if (*s)
			return -EINVAL;
	}
	if (n != entries - 1)
		return -EINVAL;
	x->buckets = entries;
	return 0;
}

/*
 * The type word of a declaration and its options (read=, sum=, le=)
 * into @x; the bounds are parsed later, against the map. -EINVAL for
 * what is not one of them.
 */
static int parse_type(struct probe_metric *x, char *s, char *le, size_t lesz)
{
	char *w, *save = NULL;
	bool first = true;

	le[0] = '\0';
	for (w = strtok_r(s, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (first) {
			if (strlen(w) >= sizeof(x->type))
				return -EINVAL;
			strcpy(x->type, w);
			first = false;
		} else if (!strcmp(w, "read=asis")) {
			x->read = PROBE_READ_ASIS;
		} else if (!strcmp(w, "read=empty")) {
			x->read = PROBE_READ_EMPTY;
		} else if (!strcmp(w, "read=swap")) {
			x->read = PROBE_READ_SWAP;
		} else if (!strncmp(w, "sum=", 4) &&
			   strlen(w + 4) < sizeof(x->sum)) {
			strcpy(x->sum, w + 4);
		} else if (!strncmp(w, "le=", 3) && strlen(w + 3) < lesz) {
			strcpy(le, w + 3);
		} else {
			return -EINVAL;
		}
	}
	return first ? -EINVAL : 0;
}

/*
 * The metrics @path declares, checked against @obj's maps and their
 * BTF, into @m (*@n of them). -EINVAL with a reason for a wrong one.
 */
static int read_metrics(struct bpf_object *obj, const char *elf,
			const char *path, struct probe_metric *m, int *n)
{
	const struct btf *btf = bpf_object__btf(obj);
	char *data, *p, *end;
	struct bpf_map *map, *data_map;
	char type[256], words[256], le[200];
	size_t size;
	bool hist;
	int err, i;

	*n = 0;
	err = metrics_section(elf, &data, &size);
	if (err || !data)
		return err;
	p = data;
	end = data + size;
	while (p < end) {
		struct probe_metric *x = &m[*n];
		const struct btf_type *kt;

		if (!*p) {		/* padding between records */
			p++;
			continue;
		}
		if (*n == PROBE_MAX_METRICS) {
			err = pcn_fail(-EINVAL, "%s declares more than %d metrics",
				       path, PROBE_MAX_METRICS);
			break;
		}
		memset(x, 0, sizeof(*x));
		if (take(&p, end, x->name, sizeof(x->name)) ||
		    take(&p, end, type, sizeof(type)) ||
		    take(&p, end, x->map, sizeof(x->map)) ||
		    take(&p, end, x->field, sizeof(x->field)) ||
		    take(&p, end, x->label, sizeof(x->label)) ||
		    take(&p, end, x->help, sizeof(x->help))) {
			err = pcn_fail(-EINVAL, "%s: a metric declaration is cut short or too long",
				       path);
			break;
		}
		memcpy(words, type, sizeof(words));	/* strtok cuts it */
		if (parse_type(x, words, le, sizeof(le))) {
			err = pcn_fail(-EINVAL, "%s: metric %s: \"%s\" is not a type and its options (read=asis|empty|swap, and a histogram's sum= and le=)",
				       path, x->name, type);
			break;
		}
		hist = !strcmp(x->type, "histogram");
		if (!metric_name_ok(x->name) ||
		    (hist ? x->label[0] != '\0' : !metric_name_ok(x->label))) {
			err = pcn_fail(-EINVAL, "%s: metric \"%s\" (label \"%s\"): names are letters, digits and _",
				       path, x->name, x->label);
			break;
		}
		if (strcmp(x->type, "counter") && strcmp(x->type, "gauge") &&
		    !hist) {
			err = pcn_fail(-EINVAL, "%s: metric %s is of type \"%s\": counter, gauge or histogram",
				       path, x->name, x->type);
			break;
		}
		map = bpf_object__find_map_by_name(obj, x->map);
		if (!map || bpf_map__is_internal(map) || is_cube_map(x->map)) {
			err = pcn_fail(-EINVAL, "%s: metric %s names map \"%s\", which the probe does not have",
				       path, x->name, x->map);
			break;
		}
		/* read swap: the map counted in is a generation of the outer */
		data_map = map;
		if (x->read == PROBE_READ_SWAP) {
			data_map = bpf_map__inner_map(map);
			if (bpf_map__type(map) != BPF_MAP_TYPE_ARRAY_OF_MAPS ||
			    bpf_map__max_entries(map) != 1 || !data_map) {
				err = pcn_fail(-EINVAL, "%s: metric %s is read by swap: map %s must be a PCN_SWAP_MAP()",
					       path, x->name, x->map);
				break;
			}
		} else if (is_map_of_maps(bpf_map__type(map))) {
			err = pcn_fail(-EINVAL, "%s: metric %s: map %s is a map of maps: declare it read swap",
				       path, x->name, x->map);
			break;
		}
		kt = btf ? resolved(btf, bpf_map__btf_key_type_id(data_map)) : NULL;
		if (!btf || !kt || !btf_is_int(kt) || kt->size > 8 ||
		    probe_metric_offset(btf, bpf_map__btf_value_type_id(data_map),
					x->field) < 0) {
			err = pcn_fail(-EINVAL, "%s: metric %s: map %s needs an integer key and a __u64 %s%s (with BTF: build with -g)",
				       path, x->name, x->map,
				       x->field[0] ? "field " : "value",
				       x->field);
			break;
		}
		if (!hist && (x->sum[0] || le[0])) {
			err = pcn_fail(-EINVAL, "%s: metric %s: sum= and le= are a histogram's",
				       path, x->name);
			break;
		}
		if (hist && (!x->field[0] || !x->sum[0] ||
			     probe_metric_offset(btf, bpf_map__btf_value_type_id(data_map),
						 x->sum) < 0)) {
			err = pcn_fail(-EINVAL, "%s: histogram %s: the value of map %s needs a __u64 count and a __u64 sum field",
				       path, x->name, x->map);
			break;
		}
		if (hist && ((bpf_map__type(data_map) != BPF_MAP_TYPE_ARRAY &&
			      bpf_map__type(data_map) != BPF_MAP_TYPE_PERCPU_ARRAY) ||
			     parse_bounds(x, le, bpf_map__max_entries(data_map)))) {
			err = pcn_fail(-EINVAL, "%s: histogram %s: bounds \"%s\" are not \"log2\" or increasing integers, one per entry but the last of array %s (2 to %d entries)",
				       path, x->name, le, x->map, PROBE_MAX_BUCKETS);
			break;
		}
		for (i = 0; i < *n; i++)
			if (!strcmp(m[i].map, x->map) && m[i].read != x->read)
				break;
		if (i < *n) {
			err = pcn_fail(-EINVAL, "%s: metrics %s and %s read map %s in two ways",
				       path, m[i].name, x->name, x->map);
			break;
		}
		(*n)++;
	}
	free(data);
	return err;
}

static int pin_all(struct bpf_object *obj, const char *dir, const char *path,
		   const struct probe_metric *m, int nm)
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
	if (err || !nm)
		return err;
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "dm_metrics", sizeof(__u32),
			    sizeof(*m), nm, NULL);
	if (fd < 0)
		return -errno;
	for (zero = 0; !err && zero < (__u32)nm; zero++)
		if (bpf_map_update_elem(fd, &zero, &m[zero], 0))
			err = -errno;
	snprintf(pin, sizeof(pin), "%s/metrics", dir);
	if (!err && bpf_obj_pin(fd, pin))
		err = -errno;
	close(fd);
	return err;
}

/* whether map @map is like the one pinned at @pin */
static bool same_map(const struct bpf_map *map, const char *pin)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	bool same;
	int fd;

	fd = bpf_obj_get(pin);
	if (fd < 0)
		return false;
	same = !bpf_obj_get_info_by_fd(fd, &info, &len) &&
	       info.type == bpf_map__type(map) &&
	       info.key_size == bpf_map__key_size(map) &&
	       info.value_size == bpf_map__value_size(map) &&
	       info.max_entries == bpf_map__max_entries(map) &&
	       info.map_flags == bpf_map__map_flags(map);
	close(fd);
	return same;
}

/* what generations of a swap map are like, as libbpf read them */
struct gen_shape {
	enum bpf_map_type type;
	__u32 key_size, value_size, max_entries, flags;
	__u32 btf_key, btf_value;
};

/* the generation of swap map @map (before the load: libbpf then drops it) */
static void gen_shape(const struct bpf_map *map, struct gen_shape *g)
{
	const struct bpf_map *in = bpf_map__inner_map((struct bpf_map *)map);

	memset(g, 0, sizeof(*g));
	if (!in)
		return;
	g->type = bpf_map__type(in);
	g->key_size = bpf_map__key_size(in);
	g->value_size = bpf_map__value_size(in);
	g->max_entries = bpf_map__max_entries(in);
	g->flags = bpf_map__map_flags(in);
	g->btf_key = bpf_map__btf_key_type_id(in);
	g->btf_value = bpf_map__btf_value_type_id(in);
}

/*
 * The two generations of swap map @map (their shape @g), pinned in
 * @next as gen_<map>_0 and _1, generation 0 in place: those of the
 * probe being replaced (in @cur) when @map was handed over, else new
 * ones, with the BTF of the object.
 */
static int swap_gens(struct bpf_object *obj, struct bpf_map *map,
		     const struct gen_shape *g, const char *next,
		     const char *cur)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts,
		    .btf_fd = bpf_object__btf_fd(obj),
		    .btf_key_type_id = g->btf_key,
		    .btf_value_type_id = g->btf_value,
		    .map_flags = g->flags);
	char pin[PATH_MAX], old[PATH_MAX];
	int fd[2] = { -1, -1 }, outer, i, err = 0;
	__u32 zero = 0;
	bool kept;

	/* handed over: the outer map is the pinned one, which has its own */
	snprintf(pin, sizeof(pin), "%s/map_%s", cur, bpf_map__name(map));
	outer = bpf_obj_get(pin);
	kept = outer >= 0 && map_fd_id(outer) == map_fd_id(bpf_map__fd(map));
	if (outer >= 0)
		close(outer);
	for (i = 0; i < 2 && !err; i++) {
		snprintf(old, sizeof(old), "%s/gen_%s_%d", cur,
			 bpf_map__name(map), i);
		snprintf(pin, sizeof(pin), "%s/gen_%s_%d", next,
			 bpf_map__name(map), i);
		fd[i] = kept ? bpf_obj_get(old) :
			       bpf_map_create(g->type, "dm_gen", g->key_size,
					      g->value_size, g->max_entries,
					      &opts);
		if (fd[i] < 0 || bpf_obj_pin(fd[i], pin))
			err = -errno;
	}
	if (!err && !kept &&
	    bpf_map_update_elem(bpf_map__fd(map), &zero, &fd[0], BPF_ANY))
		err = -errno;
	/* a kept outer map holds one of them already */
	for (i = 0; i < 2; i++)
		if (fd[i] >= 0)
			close(fd[i]);
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

	snprintf(pin, sizeof(pin), "%s/gen_%s_0", cur, bpf_map__name(map));
	if (bpf_map__inner_map(map) && !same_map(bpf_map__inner_map(map), pin))
		return 0;	/* generations of another shape */
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

int probe_load(const struct pcn_cube *c, __u32 dir, const char *path,
	       const char *name)
{
	struct probe_metric metrics[PROBE_MAX_METRICS];
	struct gen_shape shapes[PROBE_MAX_METRICS];
	char cur[PATH_MAX], next[PATH_MAX], gen[PATH_MAX];
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_map *map;
	int err, fd, nm, i, slots = -1;

	obj = bpf_object__open_file(path, NULL);
	if (!obj)
		return pcn_fail_sys(-errno, "%s is not an eBPF object", name);
	err = pick_program(obj, c->meta.mode, name) ?:
	      set_direction(obj, dir, name) ?:
	      read_metrics(obj, path, name, metrics, &nm);
	if (err)
		goto out;
	snprintf(cur, sizeof(cur), "%s/%s", c->dir, probe_dir_name(dir));
	bpf_object__for_each_map(map, obj) {
		const char *mname = bpf_map__name(map);

		if (bpf_map__is_internal(map))
			continue;
		if (!is_cube_map(mname)) {
			err = keep_map(map, cur);
			if (err)
				goto out;
			continue;
		}
		fd = cube_obj_fd(c, mname);
		if (fd < 0) {
			err = fd;
			goto out;
		}
		err = bpf_map__reuse_fd(map, fd);
		close(fd);
		if (err)
			goto out;
	}
	for (i = 0; i < nm; i++)
		gen_shape(bpf_object__find_map_by_name(obj, metrics[i].map),
			  &shapes[i]);
	snprintf(next, sizeof(next), "%s_new", cur);	/* bpffs: no dots */
	pcn_rmtree(next);	/* what a killed load left */
	if (mkdir(next, 0700)) {
		err = pcn_fail_sys(-errno, "cannot make %s", next);
		goto out;
	}
	pcn_prof_step("probe: open object, check metrics, share maps");
	pcn_libbpf_log_reset();
	err = bpf_object__load(obj);
	pcn_prof_step("probe: load (verifier)");
	if (err)
		goto undo;
	err = pin_all(obj, next, name, metrics, nm);
	for (i = 0; !err && i < nm; i++) {
		if (metrics[i].read != PROBE_READ_SWAP)
			continue;
		map = bpf_object__find_map_by_name(obj, metrics[i].map);
		snprintf(gen, sizeof(gen), "%s/gen_%s_0", next,
			 metrics[i].map);
		if (access(gen, F_OK))	/* once per map */
			err = swap_gens(obj, map, &shapes[i], next, cur);
	}
	pcn_prof_step("probe: pin");
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
	pcn_prof_step("probe: swap (map update)");
	if (renameat2(AT_FDCWD, next, AT_FDCWD, cur, RENAME_EXCHANGE)) {
		if (errno != ENOENT || rename(next, cur))
			err = -errno;
	}
undo:
	pcn_rmtree(next);
	pcn_prof_step("probe: rename, remove the old");
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

int probe_metric_map(const struct pcn_cube *c, __u32 dir,
		     const struct probe_metric *m, int *fd)
{
	const char *d = probe_dir_name(dir);
	char pin[PATH_MAX];
	int outer, gen[2], cur, err = 0;
	__u32 zero = 0, id = 0;

	snprintf(pin, sizeof(pin), "%s/map_%s", d, m->map);
	outer = cube_obj_fd(c, pin);
	if (outer < 0 || m->read != PROBE_READ_SWAP) {
		*fd = outer;
		return outer < 0 ? outer : 0;
	}
	for (cur = 0; cur < 2; cur++) {
		snprintf(pin, sizeof(pin), "%s/gen_%s_%d", d, m->map, cur);
		gen[cur] = cube_obj_fd(c, pin);
		if (gen[cur] < 0)
			err = gen[cur];
	}
	if (!err && bpf_map_lookup_elem(outer, &zero, &id))
		err = -errno;
	cur = !err && map_fd_id(gen[1]) == id;
	/* the one step: the probe counts in the other from here on */
	if (!err && bpf_map_update_elem(outer, &zero, &gen[!cur], BPF_ANY))
		err = -errno;
	if (!err)
		map_readers_wait();	/* no probe counts in gen[cur] now */
	close(outer);
	if (gen[!cur] >= 0)
		close(gen[!cur]);
	if (err && gen[cur] >= 0)
		close(gen[cur]);
	*fd = err ? -1 : gen[cur];
	return err;
}

static bool is_array_type(__u32 type)
{
	return type == BPF_MAP_TYPE_ARRAY || type == BPF_MAP_TYPE_PERCPU_ARRAY;
}

int probe_map_empty(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), i, n = 0;
	__u8 *keys = NULL, *zero = NULL;
	int ncpu = 1, err = 0;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (info.type == BPF_MAP_TYPE_PERCPU_ARRAY ||
	    info.type == BPF_MAP_TYPE_PERCPU_HASH ||
	    info.type == BPF_MAP_TYPE_LRU_PERCPU_HASH)
		ncpu = libbpf_num_possible_cpus();
	if (ncpu < 1)
		return ncpu;
	if (is_array_type(info.type)) {
		zero = calloc(ncpu, (info.value_size + 7) / 8 * 8);
		if (!zero)
			return -ENOMEM;
		for (i = 0; !err && i < info.max_entries; i++)
			if (bpf_map_update_elem(fd, &i, zero, BPF_EXIST))
				err = -errno;
		free(zero);
		return err;
	}
	/* a hash: the keys there now, then each deleted */
	keys = calloc(info.max_entries + 1, info.key_size ?: 1);
	if (!keys)
		return -ENOMEM;
	while (n < info.max_entries &&
	       !bpf_map_get_next_key(fd, n ? keys + (n - 1) * info.key_size : NULL,
				     keys + n * info.key_size))
		n++;
	for (i = 0; i < n; i++)
		if (bpf_map_delete_elem(fd, keys + i * info.key_size) &&
		    errno != ENOENT && !err)
			err = -errno;
	free(keys);
	return err;
}

int probe_read_lock(const struct pcn_cube *c, __u32 dir)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", c->dir, probe_dir_name(dir));
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX)) {
		close(fd);
		return -errno;
	}
	return fd;
}
