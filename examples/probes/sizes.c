// SPDX-License-Identifier: GPL-2.0
/*
 * A histogram of frame sizes: bucket N counts the frames of up to
 * 64 << N bytes, and their bytes (the last bucket: above 2048).
 * pcn metrics exports it as the histogram pcn_probe_frame_size_bytes.
 * pcn probe load MON egress sizes.c
 */
#include <pcn/probe.h>

#define SIZE_BUCKETS 7

struct size_bucket {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SIZE_BUCKETS);
	__type(key, __u32);
	__type(value, struct size_bucket);
} sizes SEC(".maps");

static __always_inline int histogram(struct pcn_pkt *pkt)
{
	struct size_bucket *n;
	__u32 b = 0;

	while (b < SIZE_BUCKETS - 1 && pkt->len > (64u << b))
		b++;
	n = bpf_map_lookup_elem(&sizes, &b);
	if (n) {
		n->packets++;
		n->bytes += pkt->len;
	}
	return PCN_PROBE_PASS;
}

PCN_PROBE(histogram)

PCN_HISTOGRAM(probe_frame_size_bytes, asis, sizes, "packets", "bytes",
	      "64,128,256,512,1024,2048", "frames by size in bytes")
