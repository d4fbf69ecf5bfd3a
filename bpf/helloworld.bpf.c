// SPDX-License-Identifier: GPL-2.0
/*
 * helloworld: a transparent cube that passes or drops, per direction, and
 * counts (Polycube's transparent-helloworld). It exercises the chain of
 * transparent cubes: where it is attached, in which order, and how.
 */
#define PCN_TRANSPARENT
#include "pcn_cube.h"
#include "helloworld.h"

/*
 * The actions, written by pcn in place: a global of its own section,
 * pinned as hw_config (see cube_pin()). A global costs the datapath one
 * load where a map lookup costs a key on the stack and a bounds check.
 */
volatile struct hw_config hw_config SEC(".data.hw_config");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct hw_stats);
} hw_stats SEC(".maps");

/* hw_stats' keys, where a lookup finds them without a stack slot */
const volatile __u32 hw_keys[2] = { PCN_DIR_INGRESS, PCN_DIR_EGRESS };

/* @dir is a constant of each program: no variable index */
static __always_inline int helloworld(struct pcn_ctx *ctx, __u32 dir)
{
	struct hw_stats *st;

	st = bpf_map_lookup_elem(&hw_stats, (const void *)&hw_keys[dir]);
	PCN_COUNT_PKT(st, packets, bytes, pcn_pkt_len(ctx));
	if (hw_config.action[dir] != HW_PASS) {
		PCN_COUNT(st, dropped);
		return PCN_DROP;
	}
	return PCN_NEXT;
}

PCN_TRANSPARENT_PROGS(helloworld, helloworld)
