// SPDX-License-Identifier: GPL-2.0
/*
 * bridge: a learning, VLAN-aware L2 switch, all of it in the datapath
 * (Polycube's bridge sent floods to its daemon).
 *
 *   parse     Ethernet header and its outer 802.1Q/802.1ad tag; runts,
 *             cut tags and multicast sources are dropped and counted
 *   classify  port state; link-local groups (BPDUs) go to the host only;
 *             the frame's VLAN from the port: an access port's own, a
 *             trunk's tag if allowed, or its native VLAN when untagged
 *   learn     (source MAC, VLAN) -> ingress port, refreshed in place at
 *             most once a second, moved when a station moves
 *   look up   the destination's port; both lookups go first to this
 *             CPU's cache of the fdb (struct br_cache), which spares a
 *             frame between known stations the two hash lookups
 *   act       known unicast out of its port; broadcast, multicast and
 *             unknown unicast flooded to every other forwarding port of
 *             the VLAN: in XDP by a devmap broadcast of the tagged frame
 *             (an egress program per port checks membership and state
 *             and strips the tag where the port wants none), in TC by
 *             cloning, untagged copies first, then tagged ones. Ports
 *             that lead into the graph again (a peer cube, transparent
 *             cubes on the way out) take copies by the netns copy
 *             device, which come back here tagged (md.aux[0] =
 *             PCN_MD_COPY) to leave by their port as any frame would.
 */
#define PCN_CLOCK
#include "pcn_cube.h"
#include "parse.h"
#include "bridge.h"

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
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BR_CACHE_SIZE);
	__type(key, __u32);
	__type(value, struct br_cache);
} br_cache SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct br_gen);
} br_gen SEC(".maps");

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

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct br_copy);
} br_copy SEC(".maps");

/* spanning tree: the agent's, read by no program (bridge.h) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct br_stp);
} br_stp SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PCN_MAX_PORTS);
	__type(key, __u32);
	__type(value, struct br_stp_port);
} br_stp_ports SEC(".maps");

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

/* Count an event of the bridge: looked up then, off the common path. */
#define br_count(field) PCN_COUNT_AT(&br_stats, 0, field)

static __always_inline struct br_port *br_port(__u32 port)
{
	return bpf_map_lookup_elem(&br_ports, &port);
}

/* 01:80:c2:00:00:0x: BPDUs, LACP, 802.1X... never forwarded */
static __always_inline int link_local(const __u8 *d)
{
	return d[0] == 0x01 && d[1] == 0x80 && d[2] == 0xc2 && d[3] == 0 &&
	       d[4] == 0 && (d[5] & 0xf0) == 0;
}

static __always_inline int tags(const struct br_port *bp, __u16 v)
{
	return bp->mode == BR_TRUNK && bp->pvid != v;
}

/*
 * The VLAN a frame belongs to, from the port it came in by and its tag
 * (vid 0: none, or priority only). 0: the port does not take it.
 */
static __always_inline __u16 ingress_vlan(const struct br_port *bp,
					  int tagged, __u16 vid)
{
	if (bp->mode == BR_ACCESS)
		return tagged && vid && vid != bp->pvid ? 0 : bp->pvid;
	if (tagged && vid)
		return br_trunk_allows(bp, vid) ? vid : 0;
	return bp->pvid;
}

#ifdef PCN_BUILD_XDP
/* In place: the Ethernet addresses move, the frame grows or shrinks. */
static __always_inline int xdp_vlan_pop(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 macs[2 * ETH_ALEN];

	if (data + ETH_HLEN + VLAN_HLEN > data_end)
		return -1;
	__builtin_memcpy(macs, data, sizeof(macs));
	__builtin_memcpy(data + VLAN_HLEN, macs, sizeof(macs));
	return bpf_xdp_adjust_head(ctx, VLAN_HLEN);
}

static __always_inline int xdp_vlan_push(struct xdp_md *ctx, __u16 vid)
{
	void *data, *data_end;
	__u8 macs[2 * ETH_ALEN];
	struct vlan_hdr *vt;

	if (bpf_xdp_adjust_head(ctx, -VLAN_HLEN))
		return -1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (data + ETH_HLEN + VLAN_HLEN > data_end)
		return -1;
	__builtin_memcpy(macs, data + VLAN_HLEN, sizeof(macs));
	__builtin_memcpy(data, macs, sizeof(macs));
	/* the old ethertype stays where it was: after the new tag */
	*(__be16 *)(data + 2 * ETH_ALEN) = bpf_htons(ETH_P_8021Q);
	vt = data + 2 * ETH_ALEN + 2;
	vt->tci = bpf_htons(vid);
	return 0;
}

/* The outer tag's vid, or -1 if there is none. */
static __always_inline int xdp_vid(struct xdp_md *ctx)
{
	struct pcn_eth e;

	if (pcn_parse_eth(ctx, &e, 1) || !e.tagged)
		return -1;
	return e.vid;
}

/* Give the frame the form @bp wants for VLAN @v: tagged v, or untagged. */
static __always_inline int set_form(struct xdp_md *ctx, int tagged,
				    const struct br_port *bp, __u16 v)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct vlan_hdr *vt = data + 2 * ETH_ALEN + 2;

	if (!tags(bp, v))
		return tagged ? xdp_vlan_pop(ctx) : 0;
	if (!tagged)
		return xdp_vlan_push(ctx, v);
	if ((void *)(vt + 1) > data_end)
		return -1;
	/* the priority bits stay, the VLAN becomes v */
	vt->tci = bpf_htons((bpf_ntohs(vt->tci) & 0xf000) | v);
	return 0;
}
#else
/* Give the skb the form @bp wants for VLAN @v: tagged v, or untagged. */
static __always_inline int set_form(struct __sk_buff *skb, int tagged,
				    const struct br_port *bp, __u16 v)
{
	if (!tags(bp, v))
		return tagged ? bpf_skb_vlan_pop(skb) : 0;
	if (tagged && skb->vlan_present && (skb->vlan_tci & 0xfff) == v)
		return 0;
	if (tagged && bpf_skb_vlan_pop(skb))
		return -1;
	return bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), v);
}
#endif

/*
 * (MAC, VLAN) as the number the cache compares: three 16-bit loads
 * (aligned wherever the frame starts on an even address, so the verifier
 * takes them on every architecture), where the byte-wise copy into a
 * struct br_fdb_key (done only on a cache miss) takes six.
 */
static __always_inline __u64 mac_key(const __u8 *mac, __u16 v)
{
	const __u16 *w = (const __u16 *)mac;

	return w[0] | (__u64)w[1] << 16 | (__u64)w[2] << 32 | (__u64)v << 48;
}

static __always_inline void fdb_key(struct br_fdb_key *k, const __u8 *mac,
				    __u16 v)
{
	__builtin_memcpy(k->mac, mac, ETH_ALEN);
	k->vid = v;
}

/* This CPU's cache slot for @key. */
static __always_inline struct br_cache *cache_slot(__u64 key)
{
	__u32 i = (key * BR_HASH_MUL) >> (64 - BR_CACHE_BITS);

	return bpf_map_lookup_elem(&br_cache, &i);
}

static __always_inline void cache_fill(struct br_cache *c, __u64 key,
				       const struct br_fdb_entry *e, __u64 gen)
{
	if (!c)
		return;
	c->key = key;
	c->seen_ns = e->seen_ns;
	c->port = e->port;
	c->flags = e->flags;
	c->gen = gen;
}

/*
 * br_gen as a frame sees it: @gen read plainly (what cache hits are
 * compared with) until a look in br_fdb whose result goes into the cache
 * needs it read by gen_acquire().
 */
struct gen_view {
	struct br_gen *g;
	__u64 gen;
	__u8 acquired;
};

/*
 * br_gen, read before a look in br_fdb whose result goes into the
 * cache: a fetching atomic, ordered on every architecture (where memory
 * is weakly ordered, a plain load may pass the fdb's loads, and a port
 * the fdb no longer has be cached under the new generation). Only on a
 * miss, and once a frame: the atomic takes the line away from the other
 * CPUs, and it orders every later look in br_fdb of the frame.
 */
static __always_inline __u64 gen_acquire(struct gen_view *gv)
{
	if (!gv->acquired && gv->g) {
		gv->gen = __sync_fetch_and_add(&gv->g->gen, 0);
		gv->acquired = 1;
	}
	return gv->gen;
}

/*
 * The fdb changed under every cache: see struct br_cache. The fetching
 * form of the atomic (its result used), ordered after the fdb's writes.
 */
static __always_inline void fdb_changed(struct br_gen *g)
{
	__u64 old;

	if (!g)
		return;
	old = __sync_fetch_and_add(&g->gen, 1);
	asm volatile("" : : "r"(old));
}

static __always_inline void learn(__u32 in, const __u8 *src, __u16 v,
				  __u64 now, struct gen_view *gv)
{
	__u64 key = mac_key(src, v);
	struct br_cache *c = cache_slot(key);
	struct br_fdb_entry *e, n;
	struct br_fdb_key k;
	__u64 gen;

	/* known here, refreshed less than a second ago: nothing to do */
	if (c && c->key == key && c->gen == gv->gen && c->port == in &&
	    !pcn_older(now, c->seen_ns, NSEC_PER_SEC))
		return;
	fdb_key(&k, src, v);
	gen = gen_acquire(gv);
	e = bpf_map_lookup_elem(&br_fdb, &k);
	if (e) {
		if (e->flags & BR_FDB_STATIC) {
			cache_fill(c, key, e, gen);
			return;
		}
		/* in place: no map update for a station already known */
		if (e->port != in) {
			e->port = in;
			e->seen_ns = now;
			fdb_changed(gv->g);
			br_count(moved);
			return;
		}
		if (pcn_older(now, e->seen_ns, NSEC_PER_SEC))
			e->seen_ns = now;
		cache_fill(c, key, e, gen);
		return;
	}
	/* a new station: built here, not for every frame */
	n = (struct br_fdb_entry){ .port = in, .seen_ns = now };
	if (bpf_map_update_elem(&br_fdb, &k, &n, BPF_NOEXIST)) {
		br_count(fdb_full);
		return;
	}
	cache_fill(c, key, &n, gen);
	br_count(learned);
}

/*
 * The port of the station @dst in VLAN @v, or -1 if the fdb does not
 * know it (or no more: an entry older than the ageing time is removed).
 */
static __always_inline int fdb_port(const __u8 *dst, __u16 v, __u64 now,
				    __u64 ageing, struct gen_view *gv)
{
	__u64 key = mac_key(dst, v);
	struct br_cache *c = cache_slot(key);
	struct br_fdb_entry *e;
	struct br_fdb_key k;
	__u64 gen;

	if (c && c->key == key && c->gen == gv->gen &&
	    ((c->flags & BR_FDB_STATIC) || !pcn_older(now, c->seen_ns, ageing)))
		return c->port;
	fdb_key(&k, dst, v);
	gen = gen_acquire(gv);
	e = bpf_map_lookup_elem(&br_fdb, &k);
	if (!e)
		return -1;
	if (!(e->flags & BR_FDB_STATIC) && pcn_older(now, e->seen_ns, ageing)) {
		/* aged out: forget it, and look for it everywhere */
		bpf_map_delete_elem(&br_fdb, &k);
		fdb_changed(gv->g);
		return -1;
	}
	cache_fill(c, key, e, gen);
	return e->port;
}

static __always_inline int vlan_drop(struct pcn_ctx *ctx, __u32 in)
{
	br_count(vlan_dropped);
	return pcn_drop(ctx, in);
}

#ifdef PCN_BUILD_TC
struct flood_ctx {
	struct __sk_buff *skb;
	const struct br_copy *cp;
	__u32 in;
	__u32 depth;			/* the copies' */
	__u16 vlan;
	__u16 tagged;			/* this pass: ports that take it tagged */
};

/*
 * One port of a TC flood: a clone out of it, if it takes one now. A
 * port that leads into the graph again takes a copy, tagged, by the
 * copy device; its form is set when it comes back.
 */
static long flood_port(__u32 i, void *data)
{
	struct flood_ctx *f = data;
	struct pcn_port_stats *st;
	struct br_port *bp;
	struct pcn_port *p;
	__u32 mark;

	bp = br_port(i);
	if (i == f->in || !bp || bp->state != BR_FORWARDING ||
	    !br_in_vlan(bp, f->vlan))
		return 0;
	p = bpf_map_lookup_elem(&pcn_ports, &i);
	if (!p)
		return 0;
	if (p->peer == PCN_PEER_CUBE || (p->peer == PCN_PEER_IFACE &&
					 p->eg_chain)) {
		if (!f->tagged || !f->cp || !f->cp->ifindex ||
		    f->depth > PCN_COPY_MAX_DEPTH)
			return 0;
		mark = f->skb->mark;
		f->skb->mark = PCN_COPY_MARK(f->cp->slot, i, f->depth);
		bpf_clone_redirect(f->skb, f->cp->ifindex, BPF_F_INGRESS);
		f->skb->mark = mark;
		return 0;
	}
	if (p->peer != PCN_PEER_IFACE || tags(bp, f->vlan) != f->tagged)
		return 0;
	bpf_clone_redirect(f->skb, p->ifindex, 0);
	st = pcn_port_stats(i);
	PCN_COUNT_PKT(st, tx_packets, tx_bytes, f->skb->len);
	return 0;
}
#endif

/* a flood at the copy depth limit: counted on the port it came in by */
static __always_inline void copy_depth_reached(__u32 in)
{
	struct pcn_port_stats *st = pcn_port_stats(in);

	if (st)
		st->tail_call_limit++;
}

static __always_inline int flood(struct pcn_ctx *ctx, __u32 in, int tagged,
				 __u16 v, __u32 depth)
{
	struct br_copy *cp;
	__u32 zero = 0;

	br_count(flooded);
	cp = bpf_map_lookup_elem(&br_copy, &zero);
#ifdef PCN_BUILD_XDP
	/*
	 * Broadcast it tagged to every interface port but its own: each
	 * copy's egress program keeps it, strips the tag, or drops it.
	 * Where ports take copies, the metadata says where it came in.
	 */
	{
		struct br_port trunk = { .mode = BR_TRUNK };
		struct pcn_copy *c;

		if (set_form(ctx, tagged, &trunk, v))
			return pcn_drop(ctx, in);
		/* a copy come back: its metadata taken over, one deeper */
		c = (void *)(long)ctx->data_meta;
		if ((void *)(c + 1) <= (void *)(long)ctx->data &&
		    c->magic == PCN_COPY_MAGIC) {
			depth = c->depth + 1;
		} else if (cp && cp->targets) {
			if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*c)))
				return pcn_drop(ctx, in);
			c = (void *)(long)ctx->data_meta;
			if ((void *)(c + 1) > (void *)(long)ctx->data)
				return pcn_drop(ctx, in);
			depth = 1;
		} else {
			c = NULL;
		}
		if (c) {
			c->magic = PCN_COPY_MAGIC;
			c->in_port = in;
			c->port = PCN_MAX_PORTS;
			c->slot = cp ? cp->slot : 0;
			c->targets = cp ? cp->targets : 0;
			c->seq = bpf_get_prandom_u32();
			c->depth = depth;
			if (depth > PCN_COPY_MAX_DEPTH) {
				c->targets = 0;	/* interfaces only */
				if (cp && cp->targets)
					copy_depth_reached(in);
			}
		}
	}
	return bpf_redirect_map(&br_flood, 0,
				BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS);
#else
	struct flood_ctx f = { .skb = ctx, .cp = cp, .in = in, .vlan = v,
			       .depth = depth + 1 };

	if (f.depth > PCN_COPY_MAX_DEPTH && cp && cp->ifindex)
		copy_depth_reached(in);

	/* untagged copies, then tagged ones */
	if (tagged && bpf_skb_vlan_pop(ctx))
		return pcn_drop(ctx, in);
	bpf_loop(PCN_MAX_PORTS, flood_port, &f, 0);
	if (bpf_skb_vlan_push(ctx, bpf_htons(ETH_P_8021Q), v))
		return pcn_drop(ctx, in);
	f.tagged = 1;
	bpf_loop(PCN_MAX_PORTS, flood_port, &f, 0);
	return TC_ACT_SHOT;
#endif
}

/*
 * A copy of a flood, back by the copy device, tagged with its VLAN:
 * out of @port in the form the port wants, if it still takes the VLAN.
 */
static __always_inline int copy_out(struct pcn_ctx *ctx, __u32 port)
{
	struct br_port *bp;
	struct pcn_eth e;

	if (port >= PCN_MAX_PORTS || pcn_parse_eth(ctx, &e, 1) || !e.tagged)
		return PCN_DROP;
	bp = br_port(port);
	if (!bp || bp->state != BR_FORWARDING || !br_in_vlan(bp, e.vid) ||
	    set_form(ctx, 1, bp, e.vid))
		return PCN_DROP;
	return pcn_tx(ctx, port);
}

PCN_PROG(bridge)
{
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct br_port *bp, *out;
	struct br_config *cfg;
	struct gen_view gv = {};
	struct pcn_md md;
	struct pcn_eth e;
	__u32 zero = 0;
	int in, port;
	__u16 v;
	__u64 now;

	if (pcn_md_load(ctx, &md))
		return PCN_DROP;
	if (md.aux[0] == PCN_MD_COPY)
		return copy_out(ctx, md.in_port);
	in = pcn_rx_md(ctx, &md);
	if (in < 0)
		return PCN_DROP;
	/* the outer tag (in tc the kernel mostly moves it out of the data):
	 * cut short, or a multicast source, the frame is malformed */
	if (pcn_parse_eth(ctx, &e, 1) || (eth->h_source[0] & 1)) {
		br_count(malformed);
		return pcn_drop(ctx, in);
	}
	if (link_local(eth->h_dest)) {
		/* for an STP daemon on the host, whatever the port state */
		br_count(link_local);
		return pcn_pass(ctx, in);
	}
	bp = br_port(in);
	if (!bp || (bp->state != BR_FORWARDING && bp->state != BR_LEARNING)) {
		br_count(filtered);
		return pcn_drop(ctx, in);
	}
	v = ingress_vlan(bp, e.tagged, e.vid);
	if (!v || v > BR_VID_MAX)
		return vlan_drop(ctx, in);
	now = pcn_now_ns();
	gv.g = bpf_map_lookup_elem(&br_gen, &zero);
	gv.gen = gv.g ? gv.g->gen : 0;
	learn(in, eth->h_source, v, now, &gv);
	if (bp->state == BR_LEARNING) {
		br_count(filtered);
		return pcn_drop(ctx, in);
	}

	if (eth->h_dest[0] & 1)
		return flood(ctx, in, e.tagged, v, md.aux[1]);
	cfg = bpf_map_lookup_elem(&br_config, &zero);
	port = fdb_port(eth->h_dest, v, now, cfg ? cfg->ageing_ns : ~0ull >> 1,
			&gv);
	if (port < 0)
		return flood(ctx, in, e.tagged, v, md.aux[1]);
	out = br_port(port);
	if (port == in || !out || out->state != BR_FORWARDING) {
		br_count(filtered);
		return pcn_drop(ctx, in);
	}
	if (!br_in_vlan(out, v))
		return vlan_drop(ctx, in);
	if (set_form(ctx, e.tagged, out, v))
		return pcn_drop(ctx, in);
	return pcn_tx(ctx, port);
}

#ifdef PCN_BUILD_XDP
/*
 * Runs for each copy of a flood (tagged with its VLAN), on its way out
 * of one port: a port not in the VLAN, not forwarding, or with
 * transparent cubes on its way out (the copy would go round them: fail
 * closed) gets none; a port that wants the VLAN untagged gets it so.
 * Counts what it lets through.
 */
SEC("xdp/devmap")
int bridge_egress(struct xdp_md *ctx)
{
	__u32 ifindex = ctx->egress_ifindex, *port;
	struct pcn_port_stats *st;
	struct br_port *bp;
	struct pcn_port *p;
	int v;

	port = bpf_map_lookup_elem(&br_ifport, &ifindex);
	if (!port)
		return XDP_DROP;
	bp = br_port(*port);
	p = bpf_map_lookup_elem(&pcn_ports, port);
	v = xdp_vid(ctx);
	if (!bp || !p || p->eg_chain || bp->state != BR_FORWARDING || v < 0 ||
	    !br_in_vlan(bp, v))
		return XDP_DROP;
	if (!tags(bp, v) && xdp_vlan_pop(ctx))
		return XDP_DROP;
	st = pcn_port_stats(*port);
	PCN_COUNT_PKT(st, tx_packets, tx_bytes, ctx->data_end - ctx->data);
	return XDP_PASS;
}
#endif
