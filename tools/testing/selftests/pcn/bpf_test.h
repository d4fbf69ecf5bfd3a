/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers the BPF_PROG_TEST_RUN selftests share. */
#ifndef __PCN_BPF_TEST_H
#define __PCN_BPF_TEST_H

#include <errno.h>
#include <string.h>
#include <time.h>
#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

/* @size bytes of __u64 counters at @key of per-CPU map @fd, all CPUs' */
static inline void percpu_sum(int fd, __u32 key, void *sum, size_t size)
{
	int ncpu = libbpf_num_possible_cpus(), c;
	size_t n = size / sizeof(__u64), i;
	__u64 v[ncpu * n], *s = sum;

	memset(sum, 0, size);
	if (bpf_map_lookup_elem(fd, &key, v))
		return;
	for (c = 0; c < ncpu; c++)
		for (i = 0; i < n; i++)
			s[i] += v[c * n + i];
}

/*
 * Now on the datapath's clock (pcn_now_ns(): CLOCK_MONOTONIC_COARSE),
 * and a time @ago_ns before it. Right after boot that lies before zero:
 * the u64 wraps, and pcn_older() (a signed difference) still reads it
 * as @ago_ns old. A test that ages entries writes times this way, never
 * a small constant, which is old only once the machine has been up for
 * longer than the timeout.
 */
static inline __u64 dp_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static inline __u64 dp_ago_ns(__u64 ago_ns)
{
	return dp_now_ns() - ago_ns;
}

/* Is @a later than @b on that clock (wrapping as the datapath does)? */
static inline int dp_after(__u64 a, __u64 b)
{
	return (__s64)(a - b) > 0;
}

/* The longest timeout pcn takes (1000000 s): older than any uptime a
 * test machine has, so a test that ages with it fails on small stamps */
#define DP_TIMEOUT_MAX_NS (1000000ull * 1000000000ull)

/* map @name of @obj, or -1 */
static inline int map_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, name);

	return m ? bpf_map__fd(m) : -1;
}

/* program @name of @obj, or -1 */
static inline int prog_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_program *p = bpf_object__find_program_by_name(obj, name);

	return p ? bpf_program__fd(p) : -1;
}

/*
 * The netns program pcn_final_pass, from the port object @elf (@size
 * bytes), loaded into *@port on @cube's patch panel and put in its slot
 * @slot: what the cube passes on comes back as the test run's verdict.
 * Return: 0 or -errno.
 */
static inline int final_pass_load(struct bpf_object *cube, const void *elf,
				  size_t size, __u32 slot,
				  struct bpf_object **port)
{
	struct bpf_program *p;
	int fd;

	*port = bpf_object__open_mem(elf, size, NULL);
	if (!*port)
		return -errno;
	if (bpf_map__reuse_fd(bpf_object__find_map_by_name(*port,
							   "pcn_patchpanel"),
			      map_fd(cube, "pcn_patchpanel")))
		return -errno;
	bpf_object__for_each_program(p, *port)
		bpf_program__set_autoload(p, !strcmp(bpf_program__name(p),
						     "pcn_final_pass"));
	if (bpf_object__load(*port))
		return -errno;
	fd = prog_fd(*port, "pcn_final_pass");
	if (bpf_map_update_elem(map_fd(cube, "pcn_patchpanel"), &slot, &fd,
				BPF_ANY))
		return -errno;
	return 0;
}

#endif /* __PCN_BPF_TEST_H */
