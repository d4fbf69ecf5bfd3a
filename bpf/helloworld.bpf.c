// SPDX-License-Identifier: GPL-2.0
/*
 * helloworld: a transparent cube that passes or drops, per direction, and
 * counts (Polycube's transparent-helloworld). It exercises the chain of
 * transparent cubes: where it is attached, in which order, and how.
 */
#define PCN_TRANSPARENT
#include "pcn_cube.h"
#include "helloworld.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hw_config);
} hw_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct hw_stats);
} hw_stats SEC(".maps");

PCN_PROG(helloworld)
{
	struct hw_config *cfg;
	struct hw_stats *st;
	struct pcn_hop h;
	__u32 zero = 0, dir;
	int v;

	v = pcn_hop_begin(ctx, &h);
	if (v != PCN_HOP_RUN)
		return v;
	dir = h.dir & 1;
	st = bpf_map_lookup_elem(&hw_stats, &dir);
	cfg = bpf_map_lookup_elem(&hw_config, &zero);
	if (st) {
		st->packets++;
		st->bytes += pcn_pkt_len(ctx);
	}
	if (!cfg || cfg->action[dir] != HW_PASS) {
		if (st)
			st->dropped++;
		return PCN_DROP;
	}
	return pcn_hop_next(ctx, &h);
}
