/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cube runtime: maps every cube carries, the metadata hand-off and the
 * ingress/egress helpers. Each *.bpf.c is compiled twice, with
 * PCN_BUILD_XDP and with PCN_BUILD_TC, so one body serves both hooks.
 *
 *   PCN_PROG(name)          defines the cube's entry program
 *   pcn_rx(ctx, &md)        reads the metadata and counts the packet in
 *   pcn_tx(ctx, port)       sends out of a port (interface or peer cube)
 *   pcn_drop(ctx, port)     drops, counted on the port
 *   pcn_pass(ctx, port)     hands to the host stack, counted
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

#ifndef PCN_NO_PORTS
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
#endif /* PCN_NO_PORTS */

static __always_inline __u32 pcn_pkt_len(struct pcn_ctx *ctx)
{
#ifdef PCN_BUILD_XDP
	return ctx->data_end - ctx->data;
#else
	return ctx->len;
#endif
}

/* Write the metadata for the next program of the chain. */
static __always_inline int pcn_md_store(struct pcn_ctx *ctx, __u32 in_port)
{
#ifdef PCN_BUILD_XDP
	__u32 zero = 0;
	struct pcn_md *md = bpf_map_lookup_elem(&pcn_scratch, &zero);

	if (!md)
		return -1;
	md->in_port = in_port;
#else
	ctx->cb[0] = in_port;
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
	out->aux[0] = ctx->cb[1];
	out->aux[1] = ctx->cb[2];
	out->aux[2] = ctx->cb[3];
#endif
	return 0;
}

#ifndef PCN_NO_PORTS
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
 * Send out of @port: redirect to its interface, or tail-call the peer
 * cube through the patch panel with the peer's port as ingress. A port
 * that leads nowhere drops, counted on @port.
 */
static __always_inline int pcn_tx(struct pcn_ctx *ctx, __u32 port)
{
	struct pcn_port *p = bpf_map_lookup_elem(&pcn_ports, &port);
	struct pcn_port_stats *st;

	if (!p)
		return PCN_DROP;
	st = pcn_port_stats(port);
	if (p->peer == PCN_PEER_IFACE) {
		if (st) {
			st->tx_packets++;
			st->tx_bytes += pcn_pkt_len(ctx);
		}
#ifdef PCN_BUILD_XDP
		return bpf_redirect_map(&pcn_devmap, port, XDP_DROP);
#else
		return bpf_redirect(p->ifindex, 0);
#endif
	}
	if (p->peer == PCN_PEER_CUBE) {
		if (st) {
			st->tx_packets++;
			st->tx_bytes += pcn_pkt_len(ctx);
		}
		if (pcn_md_store(ctx, p->peer_port) == 0)
			bpf_tail_call(ctx, &pcn_patchpanel, p->peer_slot);
	}
	/* not connected, or the peer cube is gone */
	if (st)
		st->drop_packets++;
	return PCN_DROP;
}
#endif /* PCN_NO_PORTS */

char _license[] SEC("license") = "GPL";

#endif /* __PCN_CUBE_H */
