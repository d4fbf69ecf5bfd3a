/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cube runtime: maps every cube carries, the metadata hand-off and the
 * helpers that move packets through the graph. Each *.bpf.c is compiled
 * twice, with PCN_BUILD_XDP and with PCN_BUILD_TC, so one body serves both
 * hooks.
 *
 * Standard cubes (ports):
 *   PCN_PROG(name)          defines the cube's entry program
 *   pcn_rx(ctx, &md)        reads the metadata and counts the packet in
 *   pcn_tx(ctx, port)       sends out of a port (through its egress chain,
 *                           to an interface or to a peer cube)
 *   pcn_drop(ctx, port)     drops, counted on the port
 *   pcn_pass(ctx, port)     hands to the host stack, counted
 *
 * Port entry programs (bpf/port.bpf.c) define PCN_ENTRY: neither kind.
 *
 * Transparent cubes (no ports, define PCN_TRANSPARENT):
 *   pcn_hop_begin(ctx, &hop)  where am I: direction of the attachment
 *                             point; returns PCN_HOP_RUN, or a verdict when
 *                             the packet was handed on instead
 *   pcn_hop_next(ctx, &hop)   pass the packet on along the chain
 *
 * Every move is a tail call through the netns patch panel; the chain of
 * transparent cubes at an attachment point is a record in the chains map,
 * switched atomically by user space (see pcn_shared.h).
 */
#ifndef __PCN_CUBE_H
#define __PCN_CUBE_H

#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "pcn_shared.h"

#if defined(PCN_BUILD_XDP)
#define pcn_ctx xdp_md
#define PCN_SEC "xdp"
#define PCN_DROP XDP_DROP
#define PCN_PASS XDP_PASS
#elif defined(PCN_BUILD_TC)
#define pcn_ctx __sk_buff
#define PCN_SEC "tc"
#define PCN_DROP TC_ACT_SHOT
#define PCN_PASS TC_ACT_OK
#else
#error "compile with -DPCN_BUILD_XDP or -DPCN_BUILD_TC"
#endif

#define PCN_PROG(name) SEC(PCN_SEC) int name(struct pcn_ctx *ctx)

_Static_assert((PCN_MAX_HOPS & (PCN_MAX_HOPS - 1)) == 0,
	       "chain positions are masked: PCN_MAX_HOPS is a power of two");

/* Shared by every cube of a netns: user space reuses the pinned maps. */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, PCN_MAX_SLOTS);
	__type(key, __u32);
	__type(value, __u32);
} pcn_patchpanel SEC(".maps");

#ifdef PCN_BUILD_XDP
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pcn_md);
} pcn_scratch SEC(".maps");
#endif

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PCN_MAX_CHAINS);
	__type(key, __u32);
	__type(value, struct pcn_chain);
} pcn_chains SEC(".maps");

static __always_inline __u32 pcn_pkt_len(struct pcn_ctx *ctx)
{
#ifdef PCN_BUILD_XDP
	return ctx->data_end - ctx->data;
#else
	return ctx->len;
#endif
}

/* The metadata for the next program of the chain. */
static __always_inline int pcn_md_store(struct pcn_ctx *ctx,
					const struct pcn_md *in)
{
#ifdef PCN_BUILD_XDP
	__u32 zero = 0;
	struct pcn_md *md = bpf_map_lookup_elem(&pcn_scratch, &zero);

	if (!md)
		return -1;
	*md = *in;
#else
	ctx->cb[0] = in->in_port;
	ctx->cb[1] = in->point;
	ctx->cb[2] = in->rec;
	ctx->cb[3] = in->pos;
#endif
	return 0;
}

static __always_inline int pcn_md_load(struct pcn_ctx *ctx, struct pcn_md *out)
{
#ifdef PCN_BUILD_XDP
	__u32 zero = 0;
	struct pcn_md *md = bpf_map_lookup_elem(&pcn_scratch, &zero);

	if (!md)
		return -1;
	*out = *md;
#else
	out->in_port = ctx->cb[0];
	out->point = ctx->cb[1];
	out->rec = ctx->cb[2];
	out->pos = ctx->cb[3];
#endif
	return 0;
}

/*
 * Enter attachment point @point by @slot: a chain of transparent cubes,
 * or the standard cube itself when none is attached there.
 */
static __always_inline int pcn_enter(struct pcn_ctx *ctx, __u32 slot,
				     __u32 point, __u32 in_port)
{
	struct pcn_md md = { .in_port = in_port, .point = point };

	if (pcn_md_store(ctx, &md) == 0)
		bpf_tail_call(ctx, &pcn_patchpanel, slot);
	return PCN_DROP;
}

/*
 * A position the verifier can see is inside hops[]: the compiler would
 * drop a plain mask after a range check, so hide the value from it first.
 */
static __always_inline __u32 pcn_hop_index(__u32 pos)
{
	asm volatile("" : "+r"(pos));
	return pos & (PCN_MAX_HOPS - 1);
}

/*
 * Position @pos of chain record @ch: the next transparent cube, or the
 * chain's way out once they all passed the packet.
 */
static __always_inline int pcn_chain_goto(struct pcn_ctx *ctx,
					  const struct pcn_chain *ch,
					  struct pcn_md *md, __u32 pos)
{
	if (pos < ch->n && pos < PCN_MAX_HOPS) {
		__u32 next = ch->hops[pcn_hop_index(pos)];

		md->pos = pos;
		if (pcn_md_store(ctx, md) == 0)
			bpf_tail_call(ctx, &pcn_patchpanel, next);
		return PCN_DROP;
	}
	switch (ch->final) {
	case PCN_FINAL_HOST:
		return PCN_PASS;
	case PCN_FINAL_IFACE:
		return bpf_redirect(ch->final_ifindex, 0);
	case PCN_FINAL_CUBE:
		return pcn_enter(ctx, ch->final_slot, ch->final_point,
				 ch->final_port);
	default:
		return PCN_DROP;
	}
}

#ifdef PCN_TRANSPARENT
/* Set before load: the cube's own patch-panel slot. */
const volatile __u32 pcn_self_slot = PCN_SLOT_NONE;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PCN_MAX_POINTS);
	__type(key, __u32);
	__type(value, struct pcn_point);
} pcn_points SEC(".maps");

struct pcn_hop {
	struct pcn_md md;
	const struct pcn_chain *ch;
	__u32 dir;			/* enum pcn_dir */
};

#define PCN_HOP_RUN (-1)

/*
 * The first transparent cube of a point reads which chain record is in
 * force and carries it in the metadata, so the packet follows one record
 * to the end. While a point is being rewired, the program in its entry
 * slot may not yet be the record's first hop: it then hands the packet
 * to the right one without touching it.
 */
static __always_inline int pcn_hop_begin(struct pcn_ctx *ctx,
					 struct pcn_hop *h)
{
	const struct pcn_point *pt;
	__u32 pos;

	if (pcn_md_load(ctx, &h->md))
		return PCN_DROP;
	if (h->md.pos == 0) {
		pt = bpf_map_lookup_elem(&pcn_points, &h->md.point);
		if (!pt)
			return PCN_DROP;
		h->md.rec = pt->rec;
	}
	h->ch = bpf_map_lookup_elem(&pcn_chains, &h->md.rec);
	if (!h->ch)
		return PCN_DROP;
	pos = h->md.pos;
	if (pos >= h->ch->n || pos >= PCN_MAX_HOPS ||
	    h->ch->hops[pcn_hop_index(pos)] != pcn_self_slot)
		return pcn_chain_goto(ctx, h->ch, &h->md, pos);
	h->dir = h->ch->dir;
	return PCN_HOP_RUN;
}

static __always_inline int pcn_hop_next(struct pcn_ctx *ctx,
					struct pcn_hop *h)
{
	return pcn_chain_goto(ctx, h->ch, &h->md, h->md.pos + 1);
}

#elif !defined(PCN_ENTRY) /* a standard cube */

/* Per cube. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PCN_MAX_PORTS);
	__type(key, __u32);
	__type(value, struct pcn_port);
} pcn_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PCN_MAX_PORTS);
	__type(key, __u32);
	__type(value, struct pcn_port_stats);
} pcn_stats SEC(".maps");

#ifdef PCN_BUILD_XDP
/* port index -> ifindex, for bpf_redirect_map (faster than bpf_redirect) */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, PCN_MAX_PORTS);
	__type(key, __u32);
	__type(value, __u32);
} pcn_devmap SEC(".maps");
#endif

static __always_inline struct pcn_port_stats *pcn_port_stats(__u32 port)
{
	return bpf_map_lookup_elem(&pcn_stats, &port);
}

/*
 * Entry of a cube: fetch the metadata and count the packet on its ingress
 * port. Returns the ingress port, or -1 if the metadata is unusable (the
 * caller drops).
 */
static __always_inline int pcn_rx(struct pcn_ctx *ctx, struct pcn_md *md)
{
	struct pcn_port_stats *st;

	if (pcn_md_load(ctx, md) || md->in_port >= PCN_MAX_PORTS)
		return -1;
	st = pcn_port_stats(md->in_port);
	if (st) {
		st->rx_packets++;
		st->rx_bytes += pcn_pkt_len(ctx);
	}
	return md->in_port;
}

static __always_inline int pcn_drop(struct pcn_ctx *ctx, __u32 port)
{
	struct pcn_port_stats *st = pcn_port_stats(port);

	if (st)
		st->drop_packets++;
	return PCN_DROP;
}

static __always_inline int pcn_pass(struct pcn_ctx *ctx, __u32 port)
{
	struct pcn_port_stats *st = pcn_port_stats(port);

	if (st)
		st->pass_packets++;
	return PCN_PASS;
}

/*
 * Send out of @port: through the transparent cubes on its way out if
 * any, else straight to its interface or, by tail call, into the peer
 * cube's port. A port that leads nowhere drops, counted on @port.
 */
static __always_inline int pcn_tx(struct pcn_ctx *ctx, __u32 port)
{
	struct pcn_port *p = bpf_map_lookup_elem(&pcn_ports, &port);
	struct pcn_port_stats *st;

	if (!p)
		return PCN_DROP;
	st = pcn_port_stats(port);
	if (p->peer != PCN_PEER_IFACE && p->peer != PCN_PEER_CUBE) {
		if (st)
			st->drop_packets++;
		return PCN_DROP;
	}
	if (st) {
		st->tx_packets++;
		st->tx_bytes += pcn_pkt_len(ctx);
	}
	if (p->eg_slot != PCN_SLOT_NONE) {
		pcn_enter(ctx, p->eg_slot, p->eg_point, port);
	} else if (p->peer == PCN_PEER_IFACE) {
#ifdef PCN_BUILD_XDP
		return bpf_redirect_map(&pcn_devmap, port, XDP_DROP);
#else
		return bpf_redirect(p->ifindex, 0);
#endif
	} else {
		/* the peer cube's port, by its ingress point */
		pcn_enter(ctx, p->peer_slot, p->peer_point, p->peer_port);
	}
	/* the next one left its slot */
	if (st)
		st->drop_packets++;
	return PCN_DROP;
}
#endif /* PCN_TRANSPARENT, standard cube */

char _license[] SEC("license") = "GPL";

#endif /* __PCN_CUBE_H */
