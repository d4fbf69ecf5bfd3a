// SPDX-License-Identifier: GPL-2.0
/*
 * dynmon: the probe of each direction, a program of the user's loaded by
 * pcn probe load, is a tail call away in dm_probes. Swapping a probe is
 * one write of that slot: every packet runs the old probe or the new
 * one, whole, and the cube's place in the graph does not change. With
 * no probe, the packet is passed on.
 *
 * A probe cannot return here: it ends in a tail call to the resume
 * program of the packet's direction (dm_resume_ingress/_egress, in
 * slots DM_SLOT_RESUME + DIR), which goes on as any transparent cube
 * does. A probe is loaded for one direction, which pcn sets in it as a
 * constant before the load, so both tail calls have constant slots:
 * the JIT makes them direct jumps.
 */
#define PCN_TRANSPARENT
#include "pcn_cube.h"
#include "dynmon.h"

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, DM_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} dm_probes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct dm_stats);
} dm_stats SEC(".maps");

/* dm_stats' keys, where a lookup finds them without a stack slot */
const volatile __u32 dm_keys[2] = { PCN_DIR_INGRESS, PCN_DIR_EGRESS };

static __always_inline int dynmon(struct pcn_ctx *ctx, __u32 dir)
{
	struct dm_stats *st;

	st = bpf_map_lookup_elem(&dm_stats, (const void *)&dm_keys[dir]);
	PCN_COUNT(st, packets);
	bpf_tail_call(ctx, &dm_probes, dir);
	/* no probe: on to what follows */
	PCN_COUNT(st, unprobed);
	return PCN_NEXT;
}

PCN_TRANSPARENT_PROGS(dynmon, dynmon)

/* where a probe that lets the packet go ends (not _in/_eg: no panel slot) */
SEC(PCN_SEC) int dm_resume_ingress(struct pcn_ctx *ctx)
{
	bpf_tail_call(ctx, &pcn_patchpanel, pcn_next_in);
	return pcn_next_failed(ctx, PCN_DIR_INGRESS);
}

SEC(PCN_SEC) int dm_resume_egress(struct pcn_ctx *ctx)
{
	bpf_tail_call(ctx, &pcn_patchpanel, pcn_next_eg);
	return pcn_next_failed(ctx, PCN_DIR_EGRESS);
}
