// SPDX-License-Identifier: GPL-2.0
/*
 * bridge: a learning L2 switch, all of it in the datapath (Polycube's
 * bridge sent floods to its daemon).
 *
 *   parse     Ethernet header; runts and multicast sources are dropped
 *   classify  port state; link-local groups (BPDUs) go to the host only
 *   learn     source MAC -> ingress port, refreshed in place at most once
 *             a second, moved when a station moves
 *   act       known unicast out of its port; broadcast, multicast and
 *             unknown unicast flooded to every other forwarding port:
 *             in XDP by a devmap broadcast (an egress program per port
 *             drops what a port's state refuses), in TC by cloning
 */
#include <linux/if_ether.h>
#include "pcn_cube.h"
#include "bridge.h"

#define NSEC_PER_SEC 1000000000ull

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BR_FDB_MAX);
	__type(key, struct br_fdb_key);
	__type(value, struct br_fdb_entry);
} br_fdb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct br_config);
} br_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PCN_MAX_PORTS);
	__type(key, __u32);
	__type(value, struct br_port);
} br_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct br_stats);
} br_stats SEC(".maps");

#ifdef PCN_BUILD_XDP
/* interface ports: ifindex -> {ifindex, bridge_egress}, for floods */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, PCN_MAX_PORTS);
	__type(key, __u32);
	__type(value, struct bpf_devmap_val);
} br_flood SEC(".maps");

/* ifindex -> port index, for bridge_egress */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PCN_MAX_PORTS);
	__type(key, __u32);
	__type(value, __u32);
} br_ifport SEC(".maps");
#endif

static __always_inline struct br_stats *br_counters(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&br_stats, &zero);
}

static __always_inline __u32 port_state(__u32 port)
{
	struct br_port *bp = bpf_map_lookup_elem(&br_ports, &port);

	return bp ? bp->state : BR_DISABLED;
}

/* 01:80:c2:00:00:0x: BPDUs, LACP, 802.1X... never forwarded */
static __always_inline int link_local(const __u8 *d)
{
	return d[0] == 0x01 && d[1] == 0x80 && d[2] == 0xc2 && d[3] == 0 &&
	       d[4] == 0 && (d[5] & 0xf0) == 0;
}

static __always_inline void learn(__u32 in, const __u8 *src, __u64 now,
				  struct br_stats *bs)
{
	struct br_fdb_key k = {};
	struct br_fdb_entry *e, n = { .port = in, .seen_ns = now };

	__builtin_memcpy(k.mac, src, ETH_ALEN);
	e = bpf_map_lookup_elem(&br_fdb, &k);
	if (e) {
		if (e->flags & BR_FDB_STATIC)
			return;
		/* in place: no map update for a station already known */
		if (e->port != in) {
			e->port = in;
			e->seen_ns = now;
			if (bs)
				bs->moved++;
		} else if (now - e->seen_ns > NSEC_PER_SEC) {
			e->seen_ns = now;
		}
		return;
	}
	if (bpf_map_update_elem(&br_fdb, &k, &n, BPF_NOEXIST)) {
		if (bs)
			bs->fdb_full++;
	} else if (bs) {
		bs->learned++;
	}
}

/* Out of one port, chosen by the fdb. */
static __always_inline int unicast(struct pcn_ctx *ctx, __u32 port)
{
	return pcn_tx(ctx, port);
}

#ifdef PCN_BUILD_TC
struct flood_ctx {
	struct __sk_buff *skb;
	__u32 in;
	__u32 peer;			/* a port on a peer cube, if any */
};

/* One port of a TC flood: a clone out of it, if it takes one. */
static long flood_port(__u32 i, void *data)
{
	struct flood_ctx *f = data;
	struct pcn_port_stats *st;
	struct pcn_port *p;

	if (i == f->in || port_state(i) != BR_FORWARDING)
		return 0;
	p = bpf_map_lookup_elem(&pcn_ports, &i);
	if (!p)
		return 0;
	if (p->peer == PCN_PEER_CUBE && f->peer == PCN_MAX_PORTS)
		f->peer = i;
	if (p->peer != PCN_PEER_IFACE || p->eg_chain)
		return 0;
	bpf_clone_redirect(f->skb, p->ifindex, 0);
	st = pcn_port_stats(i);
	if (st) {
		st->tx_packets++;
		st->tx_bytes += f->skb->len;
	}
	return 0;
}
#endif

static __always_inline int flood(struct pcn_ctx *ctx, __u32 in,
				 struct br_stats *bs)
{
	if (bs)
		bs->flooded++;
#ifdef PCN_BUILD_XDP
	/* every interface port but the one it came in by */
	return bpf_redirect_map(&br_flood, 0,
				BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS);
#else
	struct flood_ctx f = { .skb = ctx, .in = in, .peer = PCN_MAX_PORTS };

	bpf_loop(PCN_MAX_PORTS, flood_port, &f, 0);
	/* the frame itself goes to a peer cube, if one is there */
	if (f.peer < PCN_MAX_PORTS)
		return pcn_tx(ctx, f.peer);
	return TC_ACT_SHOT;
#endif
}

PCN_PROG(bridge)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct br_fdb_key k = {};
	struct br_fdb_entry *e;
	struct br_config *cfg;
	struct br_stats *bs;
	struct pcn_md md;
	__u32 zero = 0, state;
	__u64 now;
	int in;

	in = pcn_rx(ctx, &md);
	if (in < 0)
		return PCN_DROP;
	bs = br_counters();
	if ((void *)(eth + 1) > data_end || (eth->h_source[0] & 1)) {
		if (bs)
			bs->malformed++;
		return pcn_drop(ctx, in);
	}
	if (link_local(eth->h_dest)) {
		/* for an STP daemon on the host, whatever the port state */
		if (bs)
			bs->link_local++;
		return pcn_pass(ctx, in);
	}
	state = port_state(in);
	if (state != BR_FORWARDING && state != BR_LEARNING) {
		if (bs)
			bs->filtered++;
		return pcn_drop(ctx, in);
	}
	now = bpf_ktime_get_boot_ns();
	learn(in, eth->h_source, now, bs);
	if (state == BR_LEARNING) {
		if (bs)
			bs->filtered++;
		return pcn_drop(ctx, in);
	}

	if (eth->h_dest[0] & 1)
		return flood(ctx, in, bs);
	__builtin_memcpy(k.mac, eth->h_dest, ETH_ALEN);
	e = bpf_map_lookup_elem(&br_fdb, &k);
	if (!e)
		return flood(ctx, in, bs);
	if (!(e->flags & BR_FDB_STATIC)) {
		cfg = bpf_map_lookup_elem(&br_config, &zero);
		if (cfg && now - e->seen_ns > cfg->ageing_ns) {
			/* aged out: forget it, and look for it everywhere */
			bpf_map_delete_elem(&br_fdb, &k);
			return flood(ctx, in, bs);
		}
	}
	if (e->port == in || port_state(e->port) != BR_FORWARDING) {
		if (bs)
			bs->filtered++;
		return pcn_drop(ctx, in);
	}
	return unicast(ctx, e->port);
}

#ifdef PCN_BUILD_XDP
/*
 * Runs for each copy of a flood, on its way out of one port: a port whose
 * state does not forward gets none, and neither does a port with
 * transparent cubes on its way out (the copy would go round them: fail
 * closed). Counts what it lets through.
 */
SEC("xdp/devmap")
int bridge_egress(struct xdp_md *ctx)
{
	__u32 ifindex = ctx->egress_ifindex, *port;
	struct pcn_port_stats *st;
	struct pcn_port *p;

	port = bpf_map_lookup_elem(&br_ifport, &ifindex);
	if (!port || port_state(*port) != BR_FORWARDING)
		return XDP_DROP;
	p = bpf_map_lookup_elem(&pcn_ports, port);
	if (!p || p->eg_chain)
		return XDP_DROP;
	st = pcn_port_stats(*port);
	if (st) {
		st->tx_packets++;
		st->tx_bytes += ctx->data_end - ctx->data;
	}
	return XDP_PASS;
}
#endif
