// SPDX-License-Identifier: GPL-2.0
/*
 * Top talkers: packets and bytes per IPv4 source address, in an LRU
 * hash (the quietest are forgotten first when it is full).
 * pcn probe load MON ingress talkers.c
 */
#include <pcn/probe.h>

struct talker {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, __be32);
	__type(value, struct talker);
} talkers SEC(".maps");

static __always_inline int talk(struct pcn_pkt *pkt)
{
	struct talker *t, zero = {};
	struct pcn_l3 l3;
	__be32 src;

	if (pcn_parse_l3(pkt, &l3) || l3.family != 4)
		return PCN_PROBE_PASS;
	src = l3.src[0];
	t = bpf_map_lookup_elem(&talkers, &src);
	if (!t) {
		bpf_map_update_elem(&talkers, &src, &zero, BPF_NOEXIST);
		t = bpf_map_lookup_elem(&talkers, &src);
		if (!t)
			return PCN_PROBE_PASS;
	}
	t->packets++;
	t->bytes += pkt->len;
	return PCN_PROBE_PASS;
}

PCN_PROBE(talk)
