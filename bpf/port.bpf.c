// SPDX-License-Identifier: GPL-2.0
/*
 * Entry program of an attachment point on an interface: a cube port, or
 * the chain of transparent cubes on an interface that no cube port owns.
 * One is loaded per point, with the point's entry slot, the point and
 * the port index set in .rodata before load: it writes the metadata and
 * tail-calls the entry slot. The constant index lets the JIT patch the
 * tail call into a direct jump.
 */
#define PCN_ENTRY
#include "pcn_cube.h"

const volatile __u32 pcn_slot = PCN_SLOT_NONE;
const volatile __u32 pcn_point = PCN_POINT_NONE;
const volatile __u32 pcn_port = 0;

PCN_PROG(pcn_port_in)
{
	/* the slot is empty only while its owner goes away: fail closed */
	return pcn_enter(ctx, pcn_slot, pcn_point, pcn_port);
}
