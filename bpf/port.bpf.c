// SPDX-License-Identifier: GPL-2.0
/*
 * Entry program of a cube port on an interface. One is loaded per
 * connected port, with the cube's patch-panel slot and the port index
 * set in .rodata before load: it stores the ingress port in the
 * metadata and tail-calls the cube. The constant index lets the JIT
 * patch the tail call into a direct jump.
 */
#define PCN_NO_PORTS
#include "pcn_cube.h"

const volatile __u32 pcn_slot = PCN_SLOT_NONE;
const volatile __u32 pcn_port = 0;

PCN_PROG(pcn_port_in)
{
	if (pcn_md_store(ctx, pcn_port))
		return PCN_DROP;
	bpf_tail_call(ctx, &pcn_patchpanel, pcn_slot);
	/* the cube left its slot: fail closed */
	return PCN_DROP;
}
