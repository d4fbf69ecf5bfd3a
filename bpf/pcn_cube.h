/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cube runtime: maps every cube carries, the metadata hand-off and the
 * helpers that move packets through the graph. Each *.bpf.c is compiled
 * twice, with PCN_BUILD_XDP and with PCN_BUILD_TC, so one body serves both
 * hooks.
 *
 * Every move is a tail call through the netns patch panel with an index
 * the verifier knows (set in .rodata before load), which the JIT turns
 * into a direct jump: a variable index would cost an indirect jump, an
 * order of magnitude more where retpolines are on. What changes when the
 * graph is rewired is the content of the slots, never the programs.
 *
 * Standard cubes (ports):
 *   PCN_PROG(name)          defines the cube's entry program
 *   pcn_rx(ctx, &md)        reads the metadata and counts the packet in
 *                           (pcn_rx_md() counts what pcn_md_load() read)
 *   pcn_tx(ctx, port)       sends out of a port: to its interface, or by
 *                           slot pcn_out_base + port to what comes next
 *                           (transparent cubes on the way out, or the
 *                           peer cube)
 *   pcn_drop(ctx, port)     drops, counted on the port
 *   pcn_pass(ctx, port)     hands to the host stack, counted
 *
 * Transparent cubes (no ports, define PCN_TRANSPARENT):
 *   PCN_TRANSPARENT_PROGS(name, fn)   one program per direction around
 *                           int fn(ctx, dir), which returns PCN_NEXT to
 *                           pass the packet on (by slot pcn_next_in or
 *                           pcn_next_eg) or a verdict.
 *
 * Port entry programs (bpf/port.bpf.c) define PCN_ENTRY: neither kind.
 *
 * The kernel lets a packet take 33 tail calls; the 34th fails, and the
 * program goes on after it. The graph may have loops (pcn-link(8)), so
 * a packet can get there: it is dropped where the call failed and
 * counted as tail_call_limit, on the port it was sent out of (standard
 * cubes) or in the cube's pcn_limits (transparent ones). A tail call
 * also fails into an empty slot, for a moment while what was there
 * goes away: a drop like any other. To tell the two apart costs
 * nothing on the way of a packet that gets through: only after a
 * failure does the program try a second tail call, into a slot that is
 * sure to hold a program that drops the packet. At the limit it fails
 * too, and the program counts the limit; otherwise it does not return.
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

/*
 * Counters: per-CPU structs of __u64, counted in place. PCN_COUNT()
 * takes the entry looked up already (NULL is fine: nothing counted);
 * PCN_COUNT_AT() looks entry @key of @map up for the count alone, for
 * events off the common path.
 */
#define PCN_COUNT(st, field)                                               \
	do {                                                               \
		if (st)                                                    \
			(st)->field++;                                     \
	} while (0)

/* A packet of @len bytes: @packets + 1, @bytes + @len. */
#define PCN_COUNT_PKT(st, packets, bytes, len)                             \
	do {                                                               \
		if (st) {                                                  \
			(st)->packets++;                                   \
			(st)->bytes += (len);                              \
		}                                                          \
	} while (0)

#define PCN_COUNT_AT(map, key, field)                                      \
	do {                                                               \
		__u32 key_ = (key);                                        \
		typeof(*(map)->value) *st_ = bpf_map_lookup_elem(map, &key_);\
		PCN_COUNT(st_, field);                                     \
	} while (0)

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

#ifdef PCN_CLOCK
/*
 * The time of the tables that age (bridge fdb, router neighbours,
 * firewall flows): CLOCK_MONOTONIC to a scheduler tick, as user space
 * reads it in pcn_now_ns(). The precise clock costs ~20 ns a packet in
 * a VM (a TSC read through kvm-clock), the coarse one's helper ~14 ns
 * here; both change only at a tick. So each CPU keeps the coarse time
 * with the jiffies it was read at, and calls the helper again only
 * when jiffies moved: a packet pays an inlined jiffies load and a
 * per-CPU read. A cube that ages entries defines PCN_CLOCK.
 */
struct pcn_clock {
	__u64 jiffies;
	__u64 ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pcn_clock);
} pcn_clock SEC(".maps");

static __always_inline __u64 pcn_now_ns(void)
{
	__u64 j = bpf_jiffies64();
	struct pcn_clock *c;
	__u32 zero = 0;

	c = bpf_map_lookup_elem(&pcn_clock, &zero);
	if (!c)
		return bpf_ktime_get_coarse_ns();
	/* jiffies starts far from 0: a CPU's first call reads the clock */
	if (c->jiffies != j) {
		c->ns = bpf_ktime_get_coarse_ns();
		c->jiffies = j;
	}
	return c->ns;
}

/*
 * Whether @then lies more than @ns before @now. Signed: another CPU's
 * clock may be a tick ahead, and its @then after this CPU's @now.
 */
static __always_inline int pcn_older(__u64 now, __u64 then, __u64 ns)
{
	return (__s64)(now - then) > (__s64)ns;
}
#endif

/* For the byte counters: 64 bits, no truncation to 32 on the way. */
static __always_inline __u64 pcn_pkt_len(struct pcn_ctx *ctx)
{
#ifdef PCN_BUILD_XDP
	return (long)ctx->data_end - (long)ctx->data;
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
	ctx->cb[1] = in->ifindex;
	ctx->cb[2] = in->aux[0];
	ctx->cb[3] = in->aux[1];
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
	out->ifindex = ctx->cb[1];
	out->aux[0] = ctx->cb[2];
	out->aux[1] = ctx->cb[3];
#endif
	return 0;
}

#ifdef PCN_TRANSPARENT
/* Set before load: the slots holding what follows this cube. */
const volatile __u32 pcn_next_in = PCN_SLOT_NONE;
const volatile __u32 pcn_next_eg = PCN_SLOT_NONE;

#define PCN_NEXT (-1)

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pcn_limit_stats);
} pcn_limits SEC(".maps");

/*
 * The tail call to what follows failed, in direction @dir (a
 * constant): its slot is empty while the next cube leaves, or the
 * packet has had the kernel's 33 tail calls. The probe: PCN_SLOT_TX,
 * which holds its program while any transparent cube is attached
 * (slots_mark()), told to send nowhere, which drops. Returns only at
 * the limit, counted.
 */
static __always_inline int pcn_next_failed(struct pcn_ctx *ctx, __u32 dir)
{
	struct pcn_limit_stats *st;
	__u32 zero = 0;
#ifdef PCN_BUILD_XDP
	struct pcn_md *md = bpf_map_lookup_elem(&pcn_scratch, &zero);

	if (!md)
		return PCN_DROP;
	md->ifindex = 0;
#else
	ctx->cb[1] = 0;			/* pcn_md.ifindex */
#endif
	bpf_tail_call(ctx, &pcn_patchpanel, PCN_SLOT_TX);
	st = bpf_map_lookup_elem(&pcn_limits, &zero);
	if (st)
		st->tail_call_limit[dir]++;
	return PCN_DROP;
}

#define PCN_TRANSPARENT_PROGS(name, fn)                                     \
	SEC(PCN_SEC) int name##_in(struct pcn_ctx *ctx)                     \
	{                                                                   \
		int v = fn(ctx, PCN_DIR_INGRESS);                           \
		if (v == PCN_NEXT) {                                        \
			bpf_tail_call(ctx, &pcn_patchpanel, pcn_next_in);   \
			v = pcn_next_failed(ctx, PCN_DIR_INGRESS);          \
		}                                                           \
		return v;                                                   \
	}                                                                   \
	SEC(PCN_SEC) int name##_eg(struct pcn_ctx *ctx)                     \
	{                                                                   \
		int v = fn(ctx, PCN_DIR_EGRESS);                            \
		if (v == PCN_NEXT) {                                        \
			bpf_tail_call(ctx, &pcn_patchpanel, pcn_next_eg);   \
			v = pcn_next_failed(ctx, PCN_DIR_EGRESS);           \
		}                                                           \
		return v;                                                   \
	}

#elif !defined(PCN_ENTRY) /* a standard cube */

/* Set before load: slot out_base + N follows port N on the way out. */
const volatile __u32 pcn_out_base = PCN_SLOT_NONE;

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
 * port. Returns the ingress port, or -1 if the metadata is unusable: the
 * caller drops, uncounted (and must, see pcn_at_limit()).
 */
static __always_inline int pcn_rx_md(struct pcn_ctx *ctx,
				     const struct pcn_md *md)
{
	struct pcn_port_stats *st;

	if (md->in_port >= PCN_MAX_PORTS)
		return -1;
	st = pcn_port_stats(md->in_port);
	PCN_COUNT_PKT(st, rx_packets, rx_bytes, pcn_pkt_len(ctx));
	return md->in_port;
}

static __always_inline int pcn_rx(struct pcn_ctx *ctx, struct pcn_md *md)
{
	if (pcn_md_load(ctx, md))
		return -1;
	return pcn_rx_md(ctx, md);
}

static __always_inline int pcn_drop(struct pcn_ctx *ctx, __u32 port)
{
	struct pcn_port_stats *st = pcn_port_stats(port);

	PCN_COUNT(st, drop_packets);
	return PCN_DROP;
}

static __always_inline int pcn_pass(struct pcn_ctx *ctx, __u32 port)
{
	struct pcn_port_stats *st = pcn_port_stats(port);

	PCN_COUNT(st, pass_packets);
	return PCN_PASS;
}

/*
 * Tail-call slot pcn_out_base + @port with an index the verifier sees as
 * a constant: one case per port, each its own direct jump.
 */
#define PCN_OUT1(n)                                                        \
	case n:                                                            \
		bpf_tail_call(ctx, &pcn_patchpanel, pcn_out_base + n);     \
		break;
#define PCN_OUT4(n) PCN_OUT1(n) PCN_OUT1(n + 1) PCN_OUT1(n + 2) PCN_OUT1(n + 3)
#define PCN_OUT16(n) PCN_OUT4(n) PCN_OUT4(n + 4) PCN_OUT4(n + 8) PCN_OUT4(n + 12)

static __always_inline void pcn_tail_out(struct pcn_ctx *ctx, __u32 port)
{
	_Static_assert(PCN_MAX_PORTS == 64, "one case per port below");
	switch (port) {
	PCN_OUT16(0)
	PCN_OUT16(16)
	PCN_OUT16(32)
	PCN_OUT16(48)
	}
}

/*
 * A tail call has failed: is the packet at the kernel's limit? The
 * probe is the cube's own slot, just before its out slots, with
 * metadata that names no port: its program drops that, uncounted
 * (pcn_rx()). Returns only at the limit (or while the cube itself
 * leaves the panel).
 */
static __always_inline void pcn_at_limit(struct pcn_ctx *ctx)
{
	struct pcn_md md = { .in_port = PCN_MAX_PORTS };

	if (pcn_md_store(ctx, &md) == 0)
		bpf_tail_call(ctx, &pcn_patchpanel, pcn_out_base - 1);
}

/*
 * Send out of @port: straight to its interface when nothing sits on its
 * way out; else by its out slot, to the transparent cubes there (which
 * end at the interface, by md.ifindex) or to the peer cube's port (as
 * md.in_port). A port that leads nowhere drops, counted on @port; a
 * packet that has had its 33 tail calls, counted as tail_call_limit.
 */
static __always_inline int pcn_tx(struct pcn_ctx *ctx, __u32 port)
{
	struct pcn_port *p = bpf_map_lookup_elem(&pcn_ports, &port);
	struct pcn_port_stats *st;
	struct pcn_md md;

	if (!p)
		return PCN_DROP;
	st = pcn_port_stats(port);
	if (p->peer != PCN_PEER_IFACE && p->peer != PCN_PEER_CUBE) {
		PCN_COUNT(st, drop_packets);
		return PCN_DROP;
	}
	PCN_COUNT_PKT(st, tx_packets, tx_bytes, pcn_pkt_len(ctx));
	if (p->peer == PCN_PEER_IFACE && !p->eg_chain) {
#ifdef PCN_BUILD_XDP
		return bpf_redirect_map(&pcn_devmap, port, XDP_DROP);
#else
		return bpf_redirect(p->ifindex, 0);
#endif
	}
	md.in_port = p->peer_port;
	md.ifindex = p->ifindex;
	md.aux[0] = 0;
#ifdef PCN_BUILD_XDP
	md.aux[1] = 0;		/* a copy's depth is in its metadata */
#else
	md.aux[1] = ctx->cb[3];	/* a copy's depth, handed on */
#endif
	if (pcn_md_store(ctx, &md) == 0)
		pcn_tail_out(ctx, port);
	/* what follows left its slot (a drop), or the limit (see above) */
	PCN_COUNT(st, drop_packets);
	pcn_at_limit(ctx);
	if (st) {
		st->drop_packets--;
		st->tail_call_limit++;
	}
	return PCN_DROP;
}
#endif /* PCN_TRANSPARENT, standard cube */

char _license[] SEC("license") = "GPL";

#endif /* __PCN_CUBE_H */
