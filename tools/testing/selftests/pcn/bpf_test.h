/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers the BPF_PROG_TEST_RUN selftests share. */
#ifndef __PCN_BPF_TEST_H
#define __PCN_BPF_TEST_H

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

#endif /* __PCN_BPF_TEST_H */
