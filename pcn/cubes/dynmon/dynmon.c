// SPDX-License-Identifier: GPL-2.0
/*
 * dynmon: a transparent cube that runs the user's probes, and the probe
 * object that loads, shows and unloads them.
 *
 *   pcn cube add NAME type dynmon
 *   pcn probe load DYNMON { ingress | egress } FILE
 *   pcn probe unload DYNMON { ingress | egress }
 *   pcn probe show [ DYNMON ]
 *
 * FILE is an eBPF object built against <pcn/probe.h> (include/pcn/ of
 * the source tree, installed with pcn), or a C file that pcn builds so
 * with clang. A probe's maps are shown through their BTF, field by
 * field, in text and JSON.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "dynmon.h"
#include "pcn.h"
#include "probe.h"
#include "profile.h"
#include "dynmon_xdp.skel.h"
#include "dynmon_tc.skel.h"
#include "../../../include/pcn/probe.h"

/* what the cube and <pcn/probe.h> share must agree */
_Static_assert(sizeof(struct dm_stats) == sizeof(struct pcn_probe_stats),
	       "dm_stats as probes see it");
_Static_assert(DM_SLOT_RESUME == PCN_PROBE_SLOT_RESUME &&
		       DM_SLOTS == PCN_PROBE_SLOTS,
	       "dm_probes' slots as probes see them");

static const char *const dirs[] = { "ingress", "egress" };

static int dm_parse_add(int argc, char **argv, __u8 *config)
{
	if (argc > 0)
		return pcn_unknown_kw("cube", *argv);
	return 0;
}

/* the resume programs in their slots, where probes end */
static int dm_init(struct pcn_cube *c)
{
	static const char *const resume[] = { "prog_dm_resume_ingress",
					      "prog_dm_resume_egress" };
	int slots, fd, err = 0;
	__u32 d, slot;

	slots = cube_obj_fd(c, "dm_probes");
	if (slots < 0)
		return slots;
	for (d = 0; d < 2 && !err; d++) {
		fd = cube_obj_fd(c, resume[d]);
		if (fd < 0) {
			err = fd;
			break;
		}
		slot = DM_SLOT_RESUME + d;
		if (bpf_map_update_elem(slots, &slot, &fd, BPF_ANY))
			err = -errno;
		close(fd);
	}
	close(slots);
	return err;
}

/* the probe's file, "" if none */
static void probe_file(struct pcn_cube *c, __u32 d, char *file)
{
	char pin[PATH_MAX];
	__u32 zero = 0;

	file[0] = '\0';
	snprintf(pin, sizeof(pin), "%s/file", probe_dir_name(d));
	if (cube_map_get(c, pin, &zero, file))
		file[0] = '\0';
	file[PROBE_FILE_LEN - 1] = '\0';
}

static void dm_show(struct pcn_cube *c)
{
	char file[PROBE_FILE_LEN];
	__u32 d;

	for (d = 0; d < 2; d++) {
		probe_file(c, d, file);
		print_string(PRINT_ANY, dirs[d], d ? " egress %s" : " ingress %s",
			     file[0] ? file : "none");
	}
}

/* a probe's file is saved as it was given: it must be there at restore */
static int dm_save(struct pcn_cube *c, struct pcn_save *s)
{
	char file[PROBE_FILE_LEN];
	__u32 d;

	for (d = 0; d < 2; d++) {
		probe_file(c, d, file);
		if (file[0])
			pcn_save_line(s, "probe load %s %s %s", c->name, dirs[d],
				      file);
	}
	pcn_save_skip(s, "what probes counted");
	return 0;
}

static const struct pcn_counter dm_ingress[] = {
	{ "ingress", "packets", " %" PRIu64 " packets" },
	{ "ingress", "unprobed", ", unprobed %" PRIu64 },
	{ "ingress", "dropped", ", dropped by the probe %" PRIu64 },
	{ NULL, NULL, NULL },
};

static const struct pcn_counter dm_egress[] = {
	{ "egress", "packets", " %" PRIu64 " packets" },
	{ "egress", "unprobed", ", unprobed %" PRIu64 },
	{ "egress", "dropped", ", dropped by the probe %" PRIu64 },
	{ NULL, NULL, NULL },
};

static const struct pcn_counters dm_counters[] = {
	{ "dm_stats", PCN_DIR_INGRESS, "\n    ingress", dm_ingress },
	{ "dm_stats", PCN_DIR_EGRESS, "\n    egress", dm_egress },
	{ NULL, 0, NULL, NULL },
};

_Static_assert(sizeof(struct dm_stats) ==
		       (ARRAY_SIZE(dm_ingress) - 1) * sizeof(__u64),
	       "a counter for every field");

static bool is_percpu(__u32 type);
static bool is_array(__u32 type);

/* --- pcn metrics: what the probes declare (PCN_METRIC()) --- */

/*
 * What reading metric @m from map @fd takes: its info, the offsets of
 * its field and (a histogram's) sum field in a value, the CPUs of a
 * per-CPU map, the stride of their values, a buffer for a lookup
 * (*@val, to free).
 */
static int metric_map(int fd, const struct probe_metric *m,
		      struct bpf_map_info *info, int off[2], int *ncpu,
		      size_t *stride, __u8 **val)
{
	__u32 len = sizeof(*info);
	struct btf *btf;

	memset(info, 0, sizeof(*info));
	if (bpf_obj_get_info_by_fd(fd, info, &len))
		return -errno;
	btf = btf__load_from_kernel_by_id(info->btf_id);
	if (!btf)
		return -errno;
	off[0] = probe_metric_offset(btf, info->btf_value_type_id, m->field);
	off[1] = m->sum[0] ?
		probe_metric_offset(btf, info->btf_value_type_id, m->sum) : 0;
	btf__free(btf);
	if (off[0] < 0 || off[1] < 0)
		return -EINVAL;
	*ncpu = is_percpu(info->type) ? libbpf_num_possible_cpus() : 1;
	if (*ncpu < 1)
		return *ncpu;
	*stride = (info->value_size + 7) / 8 * 8;
	*val = calloc(*ncpu, *stride);
	return *val ? 0 : -ENOMEM;
}

/* the samples of metric @m, read from its map @fd */
static int metric_samples(const struct probe_metric *m, int fd, __u32 d,
			  pcn_sample_fn fn, void *arg)
{
	struct bpf_map_info info;
	char family[80], kbuf[24];
	__u8 key[8] = {}, next[8], *val;
	size_t stride;
	bool first = true;
	int ncpu = 1, off[2], i, err = 0;

	err = metric_map(fd, m, &info, off, &ncpu, &stride, &val);
	if (err)
		return err;
	if (info.key_size > sizeof(key)) {
		free(val);
		return -EINVAL;
	}
	snprintf(family, sizeof(family), "pcn_%s", m->name);
	while (!bpf_map_get_next_key(fd, first ? NULL : key, next)) {
		struct pcn_sample s = {
			.name = family,
			.help = m->help,
			.counter = !strcmp(m->type, "counter"),
			.label = { { "direction", dirs[d] }, { m->label, kbuf } },
		};
		__u64 k = 0, v;

		first = false;
		memcpy(key, next, info.key_size);
		if (bpf_map_lookup_elem(fd, key, val))
			continue;
		memcpy(&k, key, info.key_size);
		snprintf(kbuf, sizeof(kbuf), "%llu", (unsigned long long)k);
		for (i = 0; i < ncpu; i++) {
			memcpy(&v, val + i * stride + off[0], sizeof(v));
			s.value += v;
		}
		/* an array holds every key: its zeros say nothing */
		if (s.value || !is_array(info.type))
			fn(&s, arg);
	}
	free(val);
	return err;
}

/* the per-CPU sums of the __u64s at @off[0..1] of bucket @i of @fd */
static int bucket_read(int fd, __u32 i, __u8 *val, int ncpu, size_t stride,
		       const int off[2], __u64 out[2])
{
	__u64 v;
	int c, k;

	out[0] = out[1] = 0;
	if (bpf_map_lookup_elem(fd, &i, val))
		return -errno;
	for (c = 0; c < ncpu; c++)
		for (k = 0; k < 2; k++) {
			memcpy(&v, val + c * stride + off[k], sizeof(v));
			out[k] += v;
		}
	return 0;
}

/*
 * The samples of histogram @m, read from its array @fd: one bucket per
 * entry, summed up to each bound (le) as Prometheus wants, then the sum
 * and the count.
 */
static int histogram_samples(const struct probe_metric *m, int fd, __u32 d,
			     pcn_sample_fn fn, void *arg)
{
	struct bpf_map_info info;
	char family[80], le[24];
	__u32 i;
	struct pcn_sample s = {
		.name = family,
		.help = m->help,
		.counter = true,
		.label = { { "direction", dirs[d] }, { "le", le } },
		.suffix = "_bucket",
	};
	__u64 b[2], count = 0, sum = 0;
	int ncpu = 1, off[2], err = 0;
	size_t stride;
	__u8 *val;

	err = metric_map(fd, m, &info, off, &ncpu, &stride, &val);
	if (err)
		return err;
	if (info.max_entries != m->buckets || !is_array(info.type)) {
		free(val);
		return -EINVAL;
	}
	snprintf(family, sizeof(family), "pcn_%s", m->name);
	for (i = 0; !err && i < m->buckets; i++) {
		err = bucket_read(fd, i, val, ncpu, stride, off, b);
		count += b[0];
		sum += b[1];
		if (i + 1 < m->buckets)
			snprintf(le, sizeof(le), "%llu",
				 (unsigned long long)m->le[i]);
		else
			snprintf(le, sizeof(le), "+Inf");
		s.value = count;
		if (!err)
			fn(&s, arg);
	}
	free(val);
	if (err)
		return err;
	s.label[1][0] = NULL;
	s.suffix = "_sum";
	s.value = sum;
	fn(&s, arg);
	s.suffix = "_count";
	s.value = count;
	fn(&s, arg);
	return 0;
}

/*
 * The metrics the probe of @d declares: each map read once (a swap
 * map's generations swapped once, however many metrics read it), and
 * emptied, when its read mode says so, once all of them have read it.
 */
static int probe_metrics(struct pcn_cube *c, __u32 d, int mfd,
			 pcn_sample_fn fn, void *arg)
{
	struct probe_metric m[PROBE_MAX_METRICS];
	int fd[PROBE_MAX_METRICS], lock = -1, n, i, j, err = 0;
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), k;

	if (bpf_obj_get_info_by_fd(mfd, &info, &len))
		return -errno;
	/* pinned by a pcn whose struct probe_metric differed */
	if (info.value_size != sizeof(m[0]))
		return pcn_fail(-EPROTO, "the probe %s was loaded by another version of pcn: load it again",
				probe_dir_name(d));
	for (n = 0, k = 0; n < PROBE_MAX_METRICS; n++, k++)
		if (bpf_map_lookup_elem(mfd, &k, &m[n]))
			break;
	for (i = 0; i < n && lock < 0; i++)
		if (m[i].read != PROBE_READ_ASIS) {
			lock = probe_read_lock(c, d);
			if (lock < 0)
				return lock;
		}
	for (i = 0; i < n; i++) {
		fd[i] = -1;
		for (j = 0; j < i; j++)
			if (fd[j] >= 0 && !strcmp(m[j].map, m[i].map))
				break;
		/* the first metric of a map opens it, and swaps it */
		if (j == i && !err)
			err = probe_metric_map(c, d, &m[i], &fd[i]);
		if (err)
			continue;
		if (!strcmp(m[i].type, "histogram"))
			err = histogram_samples(&m[i], fd[j], d, fn, arg);
		else
			err = metric_samples(&m[i], fd[j], d, fn, arg);
	}
	for (i = 0; i < n; i++) {
		if (!err && fd[i] >= 0 && m[i].read != PROBE_READ_ASIS)
			err = probe_map_empty(fd[i]);
		if (fd[i] >= 0)
			close(fd[i]);
	}
	if (lock >= 0)
		close(lock);
	return err;
}

static int dm_metrics(struct pcn_cube *c, pcn_sample_fn fn, void *arg)
{
	char pin[PATH_MAX];
	int mfd, err = 0;
	__u32 d;

	for (d = 0; d < 2 && !err; d++) {
		snprintf(pin, sizeof(pin), "%s/metrics", probe_dir_name(d));
		mfd = cube_obj_fd(c, pin);
		if (mfd < 0)
			continue;	/* no probe, or none declared */
		err = probe_metrics(c, d, mfd, fn, arg);
		close(mfd);
	}
	return err;
}

/* --- pcn probe --- */

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: pcn probe load DYNMON DIR FILE\n"
		"       pcn probe unload DYNMON DIR\n"
		"       pcn probe show [ DYNMON ]\n"
		"       pcn probe help\n"
		"where  DIR := { ingress | egress }\n"
		"       FILE := { OBJECT.o | SOURCE.c }\n");
}

static int parse_dir(const char *arg, __u32 *d)
{
	for (*d = 0; *d < 2; (*d)++)
		if (is_kw(arg, dirs[*d]))
			return 0;
	return pcn_err(PCN_EXIT_USAGE,
		       "direction \"%s\" is unknown: ingress or egress", arg);
}

static bool ends_with(const char *s, const char *sfx)
{
	size_t n = strlen(s), m = strlen(sfx);

	return n >= m && !strcmp(s + n - m, sfx);
}

/* where <pcn/probe.h> is: beside the pcn that runs (PREFIX/include) */
static void include_dir(char *buf, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	snprintf(buf, size, "%s/../include", exe);
}

/*
 * Build probe source @src into @obj (a temporary file) with clang.
 * Returns an exit code, after reporting.
 */
static int compile(const char *src, char *obj, size_t size)
{
	char inc[PATH_MAX + 16], arch[PATH_MAX], log[PATH_MAX], line[512];
	const char *clang = getenv("PCN_CLANG") ?: "clang";
	struct utsname u;
	int status, fd, lfd;
	FILE *f;
	pid_t pid;

	if (access(src, R_OK))
		return pcn_err_kernel(-errno, "cannot read %s", src);
	include_dir(inc + 2, sizeof(inc) - 2);
	inc[0] = '-';
	inc[1] = 'I';
	uname(&u);
	snprintf(arch, sizeof(arch), "-I/usr/include/%s-linux-gnu", u.machine);
	snprintf(obj, size, "/tmp/pcn-probe-XXXXXX");
	fd = mkstemp(obj);
	if (fd < 0)
		return pcn_err_kernel(-errno, "cannot make a temporary file");
	close(fd);
	snprintf(log, sizeof(log), "%s.log", obj);
	lfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	pid = lfd < 0 ? -1 : fork();
	if (pid == 0) {
		dup2(lfd, 1);
		dup2(lfd, 2);
		execlp(clang, clang, "-target", "bpf", "-O2", "-g", inc, arch,
		       "-c", src, "-o", obj, (char *)NULL);
		_exit(127);
	}
	if (lfd >= 0)
		close(lfd);
	if (pid < 0 || waitpid(pid, &status, 0) < 0) {
		unlink(log);
		unlink(obj);
		return pcn_err_kernel(-errno, "cannot run %s", clang);
	}
	if (WIFEXITED(status) && !WEXITSTATUS(status)) {
		unlink(log);
		return 0;
	}
	unlink(obj);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
		unlink(log);
		return pcn_err(PCN_EXIT_USAGE,
			       "%s is C, and %s is not installed to build it: build an object with clang -target bpf -O2 -g -c, or install clang",
			       src, clang);
	}
	/* the compiler's first error, as the error line */
	line[0] = '\0';
	f = fopen(log, "r");
	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, "error:"))
			break;
	if (f)
		fclose(f);
	unlink(log);
	line[strcspn(line, "\n")] = '\0';
	return pcn_err(PCN_EXIT_USAGE, "%s does not build: %s", src,
		       line[0] ? line : "clang failed");
}

static int probe_load_cmd(int argc, char **argv)
{
	char obj[PATH_MAX], abs[PATH_MAX];
	const char *file;
	struct pcn_cube c;
	bool built = false;
	__u32 d;
	int err;

	if (argc != 3)
		return pcn_err(PCN_EXIT_USAGE, argc > 3 ? "unexpected \"%s\"" :
			       "usage: pcn probe load DYNMON DIR FILE%s",
			       argc > 3 ? argv[3] : "");
	err = check_name("cube", argv[0]) ?: parse_dir(argv[1], &d);
	if (err)
		return err;
	file = argv[2];
	if (!realpath(file, abs))
		return pcn_err_kernel(-errno, "cannot read %s", file);
	if (ends_with(file, ".c")) {
		err = compile(abs, obj, sizeof(obj));
		pcn_prof_step("probe: build with clang");
		if (err)
			return err;
		built = true;
	} else {
		snprintf(obj, sizeof(obj), "%s", abs);
	}
	err = cube_open_type(argv[0], "dynmon", &c, true);
	if (!err) {
		pcn_reason_clear();
		err = probe_load(&c, d, obj, abs);
		if (err)
			err = pcn_err_kernel(err, "cannot load probe %s", file);
		cube_close(&c);
	}
	if (built)
		unlink(obj);
	return err;
}

static int probe_unload_cmd(int argc, char **argv)
{
	struct pcn_cube c;
	__u32 d;
	int err;

	if (argc != 2)
		return pcn_err(PCN_EXIT_USAGE, argc > 2 ? "unexpected \"%s\"" :
			       "usage: pcn probe unload DYNMON DIR%s",
			       argc > 2 ? argv[2] : "");
	err = check_name("cube", argv[0]) ?: parse_dir(argv[1], &d);
	if (err)
		return err;
	err = cube_open_type(argv[0], "dynmon", &c, true);
	if (err)
		return err;
	err = probe_unload(&c, d);
	cube_close(&c);
	if (err == -ENOENT)
		return pcn_err(PCN_EXIT_KERNEL, "cube \"%s\" has no %s probe",
			       argv[0], dirs[d]);
	return err ? pcn_err_kernel(err, "cannot unload the probe") : 0;
}

/* --- maps shown through their BTF --- */

static void show_value(const struct btf *btf, __u32 id, const __u8 *data,
		       const char *key);

static void show_int(const struct btf_type *t, const __u8 *data,
		     const char *key)
{
	__u32 enc = btf_int_encoding(t);
	__u64 u = 0;
	__s64 s;

	memcpy(&u, data, t->size > 8 ? 8 : t->size);
	if (enc & BTF_INT_SIGNED) {
		s = t->size == 1 ? (__s8)u : t->size == 2 ? (__s16)u :
		    t->size == 4 ? (__s32)u : (__s64)u;
		print_string(PRINT_FP, NULL, key ? " %s" : "", key);
		print_int(PRINT_ANY, key, " %lld", s);
	} else {
		print_string(PRINT_FP, NULL, key ? " %s" : "", key);
		print_u64(PRINT_ANY, key, " %" PRIu64, u);
	}
}

static void show_value(const struct btf *btf, __u32 id, const __u8 *data,
		       const char *key)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const struct btf_member *m;
	const struct btf_array *a;
	__s64 esize;
	__u32 i;

	while (t && (btf_is_typedef(t) || btf_is_mod(t))) {
		id = t->type;
		t = btf__type_by_id(btf, id);
	}
	if (!t)
		return;
	if (btf_is_int(t)) {
		show_int(t, data, key);
	} else if (btf_is_enum(t)) {
		__s32 v;

		memcpy(&v, data, sizeof(v));
		print_string(PRINT_FP, NULL, key ? " %s" : "", key);
		print_int(PRINT_ANY, key, " %d", v);
	} else if (btf_is_struct(t) || btf_is_union(t)) {
		open_json_object(key);
		print_string(PRINT_FP, NULL, key ? " %s {" : " {", key);
		m = btf_members(t);
		for (i = 0; i < btf_vlen(t); i++, m++) {
			if (btf_member_bitfield_size(t, i))
				continue;
			show_value(btf, m->type,
				   data + btf_member_bit_offset(t, i) / 8,
				   btf__name_by_offset(btf, m->name_off));
		}
		print_string(PRINT_FP, NULL, "%s", " }");
		close_json_object();
	} else if (btf_is_array(t)) {
		a = btf_array(t);
		esize = btf__resolve_size(btf, a->type);
		if (esize <= 0)
			return;
		open_json_array(PRINT_JSON, key);
		print_string(PRINT_FP, NULL, key ? " %s [" : " [", key);
		for (i = 0; i < a->nelems; i++)
			show_value(btf, a->type, data + i * esize, NULL);
		print_string(PRINT_FP, NULL, "%s", " ]");
		close_json_array(PRINT_JSON, NULL);
	}
}

/*
 * Is BTF type @id made of __u64s only (a number, or a struct or array
 * of them)? Then a per-CPU value is shown summed over the CPUs.
 */
static bool all_u64(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const struct btf_member *m;
	__u32 i;

	while (t && (btf_is_typedef(t) || btf_is_mod(t)))
		t = btf__type_by_id(btf, t->type);
	if (!t)
		return false;
	if (btf_is_int(t))
		return t->size == 8 && !(btf_int_encoding(t) & BTF_INT_SIGNED);
	if (btf_is_array(t))
		return all_u64(btf, btf_array(t)->type);
	if (!btf_is_struct(t))
		return false;
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++)
		if (!all_u64(btf, m->type))
			return false;
	return true;
}

static bool is_percpu(__u32 type)
{
	return type == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       type == BPF_MAP_TYPE_PERCPU_HASH ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

static bool is_array(__u32 type)
{
	return type == BPF_MAP_TYPE_ARRAY || type == BPF_MAP_TYPE_PERCPU_ARRAY;
}

static bool all_zero(const __u8 *v, size_t n)
{
	while (n--)
		if (*v++)
			return false;
	return true;
}

/* the entries of map @fd, key and value by their BTF */
static int show_map(int fd, const char *name)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	struct btf *btf = NULL;
	__u8 *key = NULL, *next = NULL, *val = NULL, *sum = NULL;
	int ncpu = 1, err = 0, i;
	size_t vsize, stride;
	bool first = true, percpu, summed;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	percpu = is_percpu(info.type);
	if (percpu) {
		ncpu = libbpf_num_possible_cpus();
		if (ncpu < 1)
			return ncpu;
	}
	open_json_object(NULL);
	print_string(PRINT_ANY, "name", "\n    map %s", name);
	if (!info.btf_id || !info.btf_value_type_id) {
		print_string(PRINT_FP, NULL, "%s", " (no BTF: build with -g)");
		print_bool(PRINT_JSON, "btf", NULL, false);
		goto out;
	}
	btf = btf__load_from_kernel_by_id(info.btf_id);
	if (!btf) {
		err = -errno;
		goto out;
	}
	stride = (info.value_size + 7) / 8 * 8;
	vsize = percpu ? stride * ncpu : info.value_size;
	summed = percpu && all_u64(btf, info.btf_value_type_id);
	key = calloc(1, info.key_size ?: 1);
	next = calloc(1, info.key_size ?: 1);
	val = calloc(1, vsize);
	sum = calloc(1, stride);
	if (!key || !next || !val || !sum) {
		err = -ENOMEM;
		goto out;
	}
	open_json_array(PRINT_JSON, "entries");
	while (!bpf_map_get_next_key(fd, first ? NULL : key, next)) {
		first = false;
		memcpy(key, next, info.key_size);
		if (bpf_map_lookup_elem(fd, key, val))
			continue;
		/* an array holds every key: its zeros say nothing */
		if (is_array(info.type) && all_zero(val, vsize))
			continue;
		open_json_object(NULL);
		print_string(PRINT_FP, NULL, "%s", "\n       ");
		if (info.btf_key_type_id)
			show_value(btf, info.btf_key_type_id, key, "key");
		if (summed) {
			__u64 *s = (__u64 *)sum, *v;
			size_t w;

			memset(sum, 0, stride);
			for (i = 0; i < ncpu; i++) {
				v = (__u64 *)(val + i * stride);
				for (w = 0; w < stride / 8; w++)
					s[w] += v[w];
			}
			show_value(btf, info.btf_value_type_id, sum, "value");
		} else if (percpu) {
			open_json_array(PRINT_JSON, "values");
			print_string(PRINT_FP, NULL, "%s", " values");
			for (i = 0; i < ncpu; i++)
				show_value(btf, info.btf_value_type_id,
					   val + i * stride, NULL);
			close_json_array(PRINT_JSON, NULL);
		} else {
			show_value(btf, info.btf_value_type_id, val, "value");
		}
		close_json_object();
	}
	close_json_array(PRINT_JSON, NULL);
out:
	close_json_object();
	free(key);
	free(next);
	free(val);
	free(sum);
	btf__free(btf);
	return err;
}

/* map @fd, or the generation in place if it is a swap map (closes @fd) */
static int in_place(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), zero = 0, id;
	int gen;

	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len) ||
	    info.type != BPF_MAP_TYPE_ARRAY_OF_MAPS)
		return fd;
	gen = bpf_map_lookup_elem(fd, &zero, &id) ? -errno :
						    bpf_map_get_fd_by_id(id);
	close(fd);
	return gen;
}

static int show_probe(struct pcn_cube *c, __u32 d)
{
	char path[PATH_MAX], file[PROBE_FILE_LEN];
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	struct dirent *e;
	DIR *dir;
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/%s", c->dir, probe_dir_name(d));
	dir = opendir(path);
	if (!dir)
		return errno == ENOENT ? 0 : -errno;
	probe_file(c, d, file);
	open_json_object(NULL);
	print_string(PRINT_ANY, "cube", "%s", c->name);
	print_string(PRINT_ANY, "direction", " %s", dirs[d]);
	print_string(PRINT_ANY, "file", " %s", file);
	snprintf(path, sizeof(path), "%s/prog", probe_dir_name(d));
	fd = cube_obj_fd(c, path);
	if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len))
		print_uint(PRINT_ANY, "prog_id", " prog_id %u", info.id);
	if (fd >= 0)
		close(fd);
	open_json_array(PRINT_JSON, "maps");
	while (!err && (e = readdir(dir))) {
		if (strncmp(e->d_name, "map_", 4))
			continue;
		snprintf(path, sizeof(path), "%s/%s", probe_dir_name(d),
			 e->d_name);
		fd = in_place(cube_obj_fd(c, path));
		if (fd < 0)
			continue;
		err = show_map(fd, e->d_name + 4);
		close(fd);
	}
	close_json_array(PRINT_JSON, NULL);
	print_nl();
	close_json_object();
	closedir(dir);
	return err;
}

static int show_cb(struct pcn_cube *c, void *arg)
{
	__u32 d;
	int err = 0;

	if (strcmp(c->meta.type, "dynmon"))
		return 0;
	for (d = 0; d < 2 && !err; d++)
		err = show_probe(c, d);
	return err ? pcn_err_kernel(err, "cannot read the probes of \"%s\"",
				    c->name) : 0;
}

static int probe_show_cmd(int argc, char **argv)
{
	if (argc > 1)
		return pcn_err(PCN_EXIT_USAGE, "unexpected \"%s\"", argv[1]);
	return cube_show_of_type(argc ? argv[0] : NULL, "dynmon", show_cb,
				 NULL);
}

static const struct pcn_cmd cmds[] = {
	{ "show", probe_show_cmd },
	{ "list", probe_show_cmd },
	{ "load", probe_load_cmd },
	{ "unload", probe_unload_cmd },
	{ NULL, NULL },
};

static const struct pcn_object probe_object = {
	.name = "probe",
	.cmds = cmds,
	.summary = "the probes of dynmon cubes: load, unload, show",
	.usage = usage,
};

static const struct pcn_object *const dm_objects[] = { &probe_object, NULL };

static const struct cube_type dynmon_type = {
	.name = "dynmon",
	.summary = "transparent: runs the probes you load (pcn probe)",
	.order = 80,
	.add_usage = NULL,
	.set_usage = NULL,
	.elf_xdp = dynmon_xdp__elf_bytes,
	.elf_tc = dynmon_tc__elf_bytes,
	.max_ports = 0,
	.parse_add = dm_parse_add,
	.init = dm_init,
	.show = dm_show,
	.counters = dm_counters,
	.metrics = dm_metrics,
	.save = dm_save,
	.objects = dm_objects,
};

PCN_CUBE_TYPE(dynmon_type);
