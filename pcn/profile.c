// SPDX-License-Identifier: GPL-2.0
/*
 * pcn profile: where the datapath's time goes, per cube, on live
 * traffic. For SECONDS, every CPU's kernel instruction pointer is
 * sampled (lib/dpprof.h); the samples that fall in the programs of a
 * cube (those pinned in its directory: its own, its probes') are its
 * CPU time, which divided by the packets its counters saw meanwhile
 * gives ns per packet. Nothing runs when no profile is being taken.
 * The pin tree's lock is let go while sampling.
 */
#include <errno.h>
#include <dirent.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "dpprof.h"
#include "pcn.h"

#define PROFILE_PERIOD_NS 100000ULL	/* 10 kHz per CPU */
#define PROFILE_MAX_RANGES 4096
#define PROFILE_MAX_SECONDS 3600

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: pcn profile [ CUBE... ] [ seconds N ]\n"
		"       pcn profile help\n"
		"Samples the CPUs for N seconds (1) and shows how much of their time\n"
		"each cube's eBPF programs took, and per packet.\n");
}

struct prof_cube {
	char name[NAME_MAX + 1];
	char type[32];
	__u64 samples;
	__u64 packets[2];	/* before, after */
	bool has_packets, gone;
};

struct prof {
	struct prof_cube *c;
	int n;
	struct dpprof_range r[PROFILE_MAX_RANGES];
	int nr;
	__u64 in_cubes;
};

/* a portless cube's packets: its counters named packets */
static void count_packets(const struct pcn_counters *d, size_t i, __u64 v,
			  void *arg)
{
	struct prof_cube *pc = arg;

	if (!strcmp(d->counter[i].key, "packets")) {
		pc->packets[1] += v;
		pc->has_packets = true;
	}
}

/* a port's: what it received */
static void port_packets(const struct pcn_counters *d, size_t i, __u64 v,
			 void *arg)
{
	struct prof_cube *pc = arg;
	const char *g = d->counter[i].group;

	if (!strcmp(d->counter[i].key, "packets") && g && !strcmp(g, "rx")) {
		pc->packets[1] += v;
		pc->has_packets = true;
	}
}

/* the packets cube @c has seen so far, into pc->packets[1] */
static void read_packets(struct pcn_cube *c, struct prof_cube *pc)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	const struct cube_type *type = cube_type_find(c->meta.type);
	__u32 i;

	pc->packets[1] = 0;
	pc->has_packets = false;
	if (c->meta.max_ports) {
		if (cube_ports_read(c, ports))
			return;
		for (i = 0; i < PCN_MAX_PORTS; i++)
			if (ports[i].name[0])
				port_counters_each(c, i, port_packets, pc);
	} else if (type && type->counters) {
		cube_counters_each(c, type->counters, count_packets, pc);
	}
}

/* the programs pinned under @dir (a cube's, recursively) as @owner's */
static int add_progs(struct prof *p, const char *dir, int owner)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(dir);
	int fd, err = 0;

	if (!d)
		return -errno;
	while (!err && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (e->d_type == DT_DIR) {
			err = add_progs(p, path, owner);
			continue;
		}
		if (strncmp(e->d_name, "prog", 4))
			continue;
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		err = dpprof_prog_ranges(fd, owner, p->r, &p->nr,
					 PROFILE_MAX_RANGES);
		close(fd);
	}
	closedir(d);
	return err;
}

/* the cubes to profile, their programs, their packets so far */
static int prof_start(struct prof *p, int argc, char **argv)
{
	char **names = NULL;
	struct pcn_cube c;
	bool none = false;
	int i, n, err;

	if (argc) {
		err = tree_open(PCN_READ, &none);
		if (err)
			return err;
		names = argv;
		n = argc;
	} else {
		err = tree_cubes(PCN_READ, &names, &n);
		if (err)
			return err;
	}
	p->c = calloc(n ? n : 1, sizeof(*p->c));
	if (!p->c) {
		err = pcn_err_kernel(-ENOMEM, "cannot profile");
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct prof_cube *pc = &p->c[p->n];

		err = none ? -ENOENT : cube_open(names[i], &c);
		if (err == -ENOENT && !argc) {
			err = 0;	/* deleted meanwhile */
			continue;
		}
		if (err) {
			err = cube_open_err(names[i], err);
			goto out;
		}
		snprintf(pc->name, sizeof(pc->name), "%s", c.name);
		snprintf(pc->type, sizeof(pc->type), "%s", c.meta.type);
		read_packets(&c, pc);
		pc->packets[0] = pc->packets[1];
		err = add_progs(p, c.dir, p->n);
		cube_close(&c);
		if (err == -EPERM) {
			err = pcn_err_kernel(err, "the kernel hides where programs are (kernel.kptr_restrict): cannot profile");
			goto out;
		}
		if (err) {
			err = pcn_err_kernel(err, "cannot read the programs of \"%s\"",
					     pc->name);
			goto out;
		}
		p->n++;
	}
	dpprof_sort(p->r, p->nr);
out:
	if (!argc)
		cube_names_free(names, n);
	tree_close();
	return err;
}

/* the packets each cube saw while sampling */
static int prof_end(struct prof *p)
{
	struct pcn_cube c;
	bool none = false;
	int i, err;

	err = tree_open(PCN_READ, &none);
	if (err)
		return err;
	for (i = 0; i < p->n; i++) {
		struct prof_cube *pc = &p->c[i];

		if (none || cube_open(pc->name, &c)) {
			pc->gone = true;
			continue;
		}
		read_packets(&c, pc);
		cube_close(&c);
	}
	return 0;
}

static void on_sample(int owner, void *arg)
{
	struct prof *p = arg;

	if (owner < 0)
		return;
	p->c[owner].samples++;
	p->in_cubes++;
}

static void prof_print(const struct prof *p, const struct dpprof *d,
		       __u32 seconds)
{
	int i;

	open_json_object(NULL);
	print_uint(PRINT_ANY, "seconds", "%u s", seconds);
	print_u64(PRINT_ANY, "period_ns", ", a sample every %" PRIu64 " ns",
		  d->period);
	print_u64(PRINT_ANY, "samples", " of each CPU: %" PRIu64 " samples",
		  d->samples);
	print_u64(PRINT_ANY, "lost", ", %" PRIu64 " lost", d->lost);
	print_u64(PRINT_ANY, "in_cubes", ", %" PRIu64 " in the cubes' programs",
		  p->in_cubes);
	print_nl();
	print_string(PRINT_FP, NULL, "%s",
		     "cube             type          samples   share    cpu_ms      packets  ns/packet\n");
	open_json_array(PRINT_JSON, "cubes");
	for (i = 0; i < p->n; i++) {
		const struct prof_cube *pc = &p->c[i];
		__u64 cpu = pc->samples * d->period;
		__u64 pk = pc->packets[1] - pc->packets[0];
		bool counted = pc->has_packets && !pc->gone;
		char share[16], ms[24];

		snprintf(share, sizeof(share), "%.1f%%",
			 p->in_cubes ? 100.0 * pc->samples / p->in_cubes : 0.0);
		snprintf(ms, sizeof(ms), "%.1f", cpu / 1e6);
		open_json_object(NULL);
		print_string(PRINT_ANY, "cube", "%-16s", pc->name);
		print_string(PRINT_ANY, "type", " %-10s", pc->type);
		print_u64(PRINT_ANY, "samples", " %10" PRIu64, pc->samples);
		print_string(PRINT_FP, NULL, " %7s", share);
		print_uint(PRINT_JSON, "share_permille", NULL,
			   p->in_cubes ?
				   (unsigned int)(pc->samples * 1000 / p->in_cubes) :
				   0);
		print_string(PRINT_FP, NULL, " %9s", ms);
		print_u64(PRINT_JSON, "cpu_ns", NULL, cpu);
		if (counted)
			print_u64(PRINT_ANY, "packets", " %12" PRIu64, pk);
		else
			print_null(PRINT_ANY, "packets", " %12s", "-");
		if (counted && pk)
			print_u64(PRINT_ANY, "ns_per_packet", " %10" PRIu64,
				  cpu / pk);
		else
			print_null(PRINT_ANY, "ns_per_packet", " %10s", "-");
		print_nl();
		close_json_object();
	}
	close_json_array(PRINT_JSON, NULL);
	close_json_object();
}

static int profile_cmd(int argc, char **argv)
{
	struct timespec until, now;
	struct prof *p = NULL;
	struct dpprof d = {};
	__u32 seconds = 1;
	bool seconds_set = false;
	int i, err;

	if (argc == 1 && is_kw(*argv, "help")) {
		usage(stdout);
		return 0;
	}
	if (argc >= 2 && is_kw(argv[argc - 2], "seconds")) {
		if (pcn_parse_u32(argv[argc - 1], 10, &seconds) || !seconds ||
		    seconds > PROFILE_MAX_SECONDS)
			return pcn_err(PCN_EXIT_USAGE,
				       "seconds \"%s\": a whole number of seconds, 1 to %d",
				       argv[argc - 1], PROFILE_MAX_SECONDS);
		seconds_set = true;
		argc -= 2;
	}
	for (i = 0; i < argc; i++)
		if (is_kw(argv[i], "seconds"))
			return pcn_err(PCN_EXIT_USAGE, seconds_set ?
				       "\"seconds\" given twice" :
				       "\"seconds\" wants a number");
	err = check_cube_names(argc, argv);
	if (err)
		return err;
	if (batch_line)
		return pcn_err(PCN_EXIT_USAGE, "profile cannot run in a batch");
	p = calloc(1, sizeof(*p));
	if (!p)
		return pcn_err_kernel(-ENOMEM, "cannot profile");
	err = prof_start(p, argc, argv);
	if (err)
		goto out;
	err = dpprof_open(&d, PROFILE_PERIOD_NS);
	if (err) {
		err = pcn_err_kernel(err, "cannot sample the CPUs (perf_event_open)");
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += seconds;
	do {
		usleep(50000);	/* drained often enough: the rings never fill */
		dpprof_drain(&d, p->r, p->nr, on_sample, p);
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (now.tv_sec < until.tv_sec ||
		 (now.tv_sec == until.tv_sec && now.tv_nsec < until.tv_nsec));
	dpprof_close(&d);
	err = prof_end(p);
	if (!err) {
		new_json_obj(json, pretty);
		prof_print(p, &d, seconds);
		delete_json_obj();
	}
out:
	dpprof_close(&d);
	free(p->c);
	free(p);
	return err;
}

const struct pcn_object profile_object = {
	.name = "profile",
	.fn = profile_cmd,
	.summary = "where the datapath's time goes, per cube (CPU sampling)",
	.usage = usage,
};
