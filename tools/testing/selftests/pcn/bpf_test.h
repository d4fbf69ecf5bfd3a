/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers the BPF_PROG_TEST_RUN selftests share. */
#ifndef __PCN_BPF_TEST_H
#define __PCN_BPF_TEST_H

#include <string.h>
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

#endif /* __PCN_BPF_TEST_H */
