// SPDX-License-Identifier: GPL-2.0
/*
 * The programs of the netns, not of a cube:
 *
 * pcn_port_in, the entry program of an attachment point on an interface:
 * a cube port, or the transparent cubes on an interface no port owns.
 * One is loaded per point, with its entry slot and the port index set in
 * .rodata before load: it writes the metadata and tail-calls the slot.
 * The constant index lets the JIT patch the tail call into a direct jump.
 *
 * pcn_final_pass and pcn_final_tx end a chain of transparent cubes: to
 * the host stack, or out of the interface the metadata names. They live
 * in the fixed slots PCN_SLOT_PASS and PCN_SLOT_TX of every netns.
 */
#define PCN_ENTRY
#include "pcn_cube.h"

const volatile __u32 pcn_slot = PCN_SLOT_NONE;
const volatile __u32 pcn_port = 0;

PCN_PROG(pcn_port_in)
{
	struct pcn_md md = { .in_port = pcn_port };

	if (pcn_md_store(ctx, &md) == 0)
		bpf_tail_call(ctx, &pcn_patchpanel, pcn_slot);
	/* the slot is empty only while its owner goes away: fail closed */
	return PCN_DROP;
}

PCN_PROG(pcn_final_pass)
{
	return PCN_PASS;
}

PCN_PROG(pcn_final_tx)
{
	struct pcn_md md;

	if (pcn_md_load(ctx, &md) || !md.ifindex)
		return PCN_DROP;
	return bpf_redirect(md.ifindex, 0);
}
