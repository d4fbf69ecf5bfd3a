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

static __always_inline int helloworld(struct pcn_ctx *ctx, __u32 dir)
{
	struct hw_config *cfg;
	struct hw_stats *st;
	__u32 zero = 0, key = dir;
	__u32 action;

	st = bpf_map_lookup_elem(&hw_stats, &key);
	cfg = bpf_map_lookup_elem(&hw_config, &zero);
	if (st) {
		st->packets++;
		st->bytes += pcn_pkt_len(ctx);
	}
	/* @dir is a constant of each program: no variable index */
	action = !cfg ? HW_DROP
		      : dir == PCN_DIR_EGRESS ? cfg->action[PCN_DIR_EGRESS]
					      : cfg->action[PCN_DIR_INGRESS];
	if (action != HW_PASS) {
		if (st)
			st->dropped++;
		return PCN_DROP;
	}
	return PCN_NEXT;
}

PCN_TRANSPARENT_PROGS(helloworld, helloworld)
