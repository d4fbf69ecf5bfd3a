// SPDX-License-Identifier: GPL-2.0
/*
 * A histogram of frame sizes: bucket N counts the frames of up to
 * 64 << N bytes (the last, 2048 and above). pcn probe load MON egress sizes.c
 */
#include <pcn/probe.h>

#define SIZE_BUCKETS 7

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SIZE_BUCKETS);
	__type(key, __u32);
	__type(value, __u64);
} sizes SEC(".maps");

static __always_inline int histogram(struct pcn_pkt *pkt)
{
	__u32 b = 0;
	__u64 *n;

	while (b < SIZE_BUCKETS - 1 && pkt->len > (64u << b))
		b++;
	n = bpf_map_lookup_elem(&sizes, &b);
	if (n)
		(*n)++;
	return PCN_PROBE_PASS;
}

PCN_PROBE(histogram)

PCN_METRIC(probe_frame_sizes, counter, sizes, "", "bucket",
	   "frames by size: bucket N up to 64 << N bytes, the last 2048 and above")
