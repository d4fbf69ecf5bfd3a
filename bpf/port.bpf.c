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
 *
 * pcn_copy_in, on the copy device's receiving end, takes copies back
 * into the graph; in XDP pcn_copy_out, the devmap program of the copy
 * entries, names the port of each copy: see pcn_shared.h.
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

#ifdef PCN_BUILD_XDP
/* which of a frame's copies went by, on this CPU */
struct pcn_copy_cursor {
	__u32 seq;
	__u32 pad;
	__u64 taken;			/* the ports given out */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pcn_copy_cursor);
} pcn_copy_cursor SEC(".maps");

/* the lowest bit set in @x (not 0), as its index */
static __always_inline __u32 lowest_bit(__u64 x)
{
	__u32 i = 0;

	x &= -x;
	if (x & 0xffffffff00000000ull)
		i += 32;
	if (x & 0xffff0000ffff0000ull)
		i += 16;
	if (x & 0xff00ff00ff00ff00ull)
		i += 8;
	if (x & 0xf0f0f0f0f0f0f0f0ull)
		i += 4;
	if (x & 0xccccccccccccccccull)
		i += 2;
	if (x & 0xaaaaaaaaaaaaaaaaull)
		i += 1;
	return i;
}

/* One copy: the next port of the frame's targets, if not its own. */
SEC("xdp/devmap")
int pcn_copy_out(struct xdp_md *ctx)
{
	struct pcn_copy *c = (void *)(long)ctx->data_meta;
	struct pcn_copy_cursor *cur;
	__u32 zero = 0, port;
	__u64 left;

	if ((void *)(c + 1) > (void *)(long)ctx->data ||
	    c->magic != PCN_COPY_MAGIC)
		return XDP_DROP;
	cur = bpf_map_lookup_elem(&pcn_copy_cursor, &zero);
	if (!cur)
		return XDP_DROP;
	if (cur->seq != c->seq) {
		cur->seq = c->seq;
		cur->taken = 0;
	}
	left = c->targets & ~cur->taken;
	if (!left)
		return XDP_DROP;
	port = lowest_bit(left);
	cur->taken |= 1ull << port;
	if (port == c->in_port)
		return XDP_DROP;
	c->port = port;
	return XDP_PASS;
}
#endif

/* What comes in otherwise (the host's own frames) is dropped. */
PCN_PROG(pcn_copy_in)
{
	__u32 slot, port, depth;
#ifdef PCN_BUILD_XDP
	struct pcn_copy *c = (void *)(long)ctx->data_meta;

	if ((void *)(c + 1) > (void *)(long)ctx->data ||
	    c->magic != PCN_COPY_MAGIC)
		return XDP_DROP;
	port = c->port;
	slot = c->slot;
	depth = c->depth;
#else
	if (!PCN_COPY_MARK_OK(ctx->mark))
		return TC_ACT_SHOT;
	port = PCN_COPY_MARK_PORT(ctx->mark);
	slot = PCN_COPY_MARK_SLOT(ctx->mark);
	depth = PCN_COPY_MARK_DEPTH(ctx->mark);
	ctx->mark = 0;
#endif
	if (port < PCN_MAX_PORTS) {
		struct pcn_md md = { .in_port = port,
				     .aux = { PCN_MD_COPY, depth } };

		if (pcn_md_store(ctx, &md) == 0)
			bpf_tail_call(ctx, &pcn_patchpanel, slot);
	}
	return PCN_DROP;
}
