// SPDX-License-Identifier: GPL-2.0
/*
 * Packets and bytes per L4 protocol (IPPROTO_*; 255: not IP, or a
 * header cut short). pcn probe load MON ingress l4proto.c
 */
#include <pcn/probe.h>

struct l4_count {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, struct l4_count);
} l4proto SEC(".maps");

static __always_inline int count(struct pcn_pkt *pkt)
{
	struct pcn_l3 l3;
	struct l4_count *c;
	__u32 proto = 255;

	if (!pcn_parse_l3(pkt, &l3))
		proto = l3.proto;
	c = bpf_map_lookup_elem(&l4proto, &proto);
	if (c) {
		c->packets++;
		c->bytes += pkt->len;
	}
	return PCN_PROBE_PASS;
}

PCN_PROBE(count)

PCN_METRIC(probe_l4_packets, counter, l4proto, "packets", "proto",
	   "packets per L4 protocol (IPPROTO_*; 255: not IP)")
PCN_METRIC(probe_l4_bytes, counter, l4proto, "bytes", "proto",
	   "bytes per L4 protocol (IPPROTO_*; 255: not IP)")
