// SPDX-License-Identifier: GPL-2.0
/*
 * chain_probe: the transparent program test_chain.c links into chains.
 * It counts what reaches it, per direction, and drops where told; the
 * engine's chain is what is under test, not a cube type.
 */
#define PCN_TRANSPARENT
#include "pcn_cube.h"

/* set by the test: drop in a direction when non-zero */
volatile __u32 probe_drop[2];

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} probe_seen SEC(".maps");

static __always_inline int probe(struct pcn_ctx *ctx, __u32 dir)
{
	__u64 *n = bpf_map_lookup_elem(&probe_seen, &dir);

	if (n)
		(*n)++;
	return probe_drop[dir & 1] ? PCN_DROP : PCN_NEXT;
}

PCN_TRANSPARENT_PROGS(probe, probe)
