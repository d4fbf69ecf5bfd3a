// SPDX-License-Identifier: GPL-2.0
/*
 * ddos: a transparent cube that drops what comes from (or goes to) the
 * addresses and prefixes of a block list, IPv4 and IPv6, and limits the
 * rate of every source with token buckets; Polycube's ddosmitigator,
 * which matched exact IPv4 addresses only. Meant to sit first on an
 * interface's way in, in XDP.
 *
 *   parse     Ethernet, up to two VLAN tags, the IPv4 or IPv6 header.
 *             Fail closed: a header cut short, a bad IPv4 header, more
 *             tags than that are dropped (malformed). The addresses are
 *             in every fragment, so fragments are matched like the rest.
 *   classify  the source, then the destination, in the LPM trie of the
 *             generation in use (bpf/ddos.h); a side whose list is empty
 *             is not looked up
 *   act       a match drops, counted on its entry; then the source's
 *             token buckets: of the limit of the packet's protocol
 *             and destination port if one is set (the L4 header is
 *             then parsed, and fails closed too), and of the cube's
 *             own rate if it has one; on the way in, TCP to a port
 *             of the SYN proxy: a SYN is answered with a SYN cookie,
 *             an ACK passes with a valid one (bpf/ddos_syn.h); else
 *             the next cube
 *
 * Frames that are neither IPv4 nor IPv6 (ARP...) are not the cube's:
 * they pass.
 */
#define PCN_TRANSPARENT
#define PCN_CLOCK
#include "pcn_cube.h"
#include "parse.h"
#include "ddos.h"
#include "bucket.h"

#define MAX_TAGS	2

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ddos_state);
} ddos_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 2 * DDOS_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ddos_lpm4_key);
	__type(value, __u32);
} ddos_lpm4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 2 * DDOS_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ddos_lpm6_key);
	__type(value, __u32);
} ddos_lpm6 SEC(".maps");

/* the canonical list: the datapath never reads it */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, DDOS_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ddos_entry);
	__type(value, __u32);
} ddos_list SEC(".maps");

/*
 * Drops by entry. Shared, with atomic adds: a per-CPU array of a million
 * entries would cost its size once per CPU.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, DDOS_MAX);
	__type(key, __u32);
	__type(value, struct ddos_hit);
} ddos_hits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, DDOS_BUCKETS);
	__type(key, struct ddos_bucket_key);
	__type(value, struct ddos_bucket);
} ddos_buckets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct ddos_stats);
} ddos_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DDOS_LIMITS);
	__type(key, __u32);
	__type(value, struct ddos_limit_stat);
} ddos_limit_stats SEC(".maps");

/* ddos_stats' keys, where a lookup finds them without a stack slot */
const volatile __u32 ddos_keys[2] = { PCN_DIR_INGRESS, PCN_DIR_EGRESS };

#include "ddos_syn.h"

/* The entry @id matched: count the drop on it. */
static __always_inline int ddos_hit(__u32 *id, __u64 len,
				    struct ddos_stats *st)
{
	struct ddos_hit *h = bpf_map_lookup_elem(&ddos_hits, id);

	if (h) {
		__sync_fetch_and_add(&h->packets, 1);
		__sync_fetch_and_add(&h->bytes, len);
	}
	PCN_COUNT(st, list);
	return PCN_DROP;
}

/* @addr (@n bytes) keeps its first @plen bits */
static __always_inline void ddos_mask(__u8 *addr, __u32 n, __u32 plen)
{
	__u32 i;

	for (i = 0; i < 16; i++) {
		if (i >= n || plen <= i * 8)
			addr[i] = 0;
		else if (plen < i * 8 + 8)
			addr[i] &= (__u8)(0xff << (8 - (plen - i * 8)));
	}
}

/*
 * Take @len bytes' worth of tokens from the source's buckets, refilled
 * for the time since the last packet. Return: 1 if the packet fits.
 *
 * No lock: the kernel has no bpf_spin_lock in an LRU hash. Two CPUs
 * taking from one source's bucket at the same moment may each see the
 * same tokens, so the source can get a packet more per such race: the
 * limit errs towards letting through, never below the rate.
 */
static __always_inline int ddos_take(struct ddos_bucket *b, __u64 rate_pps,
				     __u64 burst_pkts, __u64 rate_bps,
				     __u64 burst_bytes, __u64 len, __u64 now)
{
	__u64 dt, cap, t;
	int ok = 1;

	dt = now - b->stamp_ns;
	if ((__s64)dt < 0)
		dt = 0;			/* another CPU's clock a tick ahead */
	b->stamp_ns = now;
	if (rate_pps) {
		cap = burst_pkts * NSEC_PER_SEC;
		t = pcn_bucket_fill(b->pkt_tokens, dt, rate_pps, cap);
		if (t < NSEC_PER_SEC)
			ok = 0;
		b->pkt_tokens = t;
	}
	if (rate_bps) {
		cap = burst_bytes * NSEC_PER_SEC;
		t = pcn_bucket_fill(b->byte_tokens, dt, rate_bps, cap);
		if (t < len * NSEC_PER_SEC)
			ok = 0;
		b->byte_tokens = t;
	}
	/* a packet dropped takes nothing: the rate is what gets through */
	if (ok) {
		if (rate_pps)
			b->pkt_tokens -= NSEC_PER_SEC;
		if (rate_bps)
			b->byte_tokens -= len * NSEC_PER_SEC;
	} else {
		b->dropped++;
	}
	return ok;
}

/*
 * The source's bucket of limit @lim (0: the cube's, i + 1: limits[i]),
 * whose rates are given. Return: 1 if the packet may go on.
 */
static __always_inline int ddos_rate(const struct ddos_state *s, __u8 family,
				     const __u8 *src, __u64 len, __u8 lim,
				     __u64 rate_pps, __u64 burst_pkts,
				     __u64 rate_bps, __u64 burst_bytes,
				     int count, struct ddos_stats *st)
{
	struct ddos_bucket_key k = { .family = family, .limit = lim };
	struct ddos_bucket *b;
	__u64 now = pcn_now_ns();

	__builtin_memcpy(k.addr, src, 16);
	ddos_mask(k.addr, family == 4 ? 4 : 16,
		  family == 4 ? s->plen4 : s->plen6);
	b = bpf_map_lookup_elem(&ddos_buckets, &k);
	if (!b) {
		/* a new source starts with a full burst */
		struct ddos_bucket nb = {
			.stamp_ns = now,
			.pkt_tokens = burst_pkts * NSEC_PER_SEC,
			.byte_tokens = burst_bytes * NSEC_PER_SEC,
		};

		if (bpf_map_update_elem(&ddos_buckets, &k, &nb, BPF_NOEXIST) == 0)
			PCN_COUNT(st, sources);
		b = bpf_map_lookup_elem(&ddos_buckets, &k);
		if (!b)
			return 1;	/* evicted at once: cannot limit it */
	}
	/* no atomic add: the same race as the tokens', and a count for
	 * "top", not a bill */
	if (count)
		b->packets++;
	return ddos_take(b, rate_pps, burst_pkts, rate_bps, burst_bytes, len,
			 now);
}

/*
 * The limit of @k's protocol and destination port: the one with ports
 * that covers it, else the one of its protocol without ports.
 * Return: its slot, or -1. A later fragment has no ports: only a limit
 * without ports is its.
 */
static __always_inline int ddos_limit_of(const struct ddos_state *s,
					 const struct pcn_ip *k)
{
	int i, any = -1;

	for (i = 0; i < DDOS_LIMITS; i++) {
		const struct ddos_limit *l = &s->limits[i];

		if (!(s->limits_used & (1u << i)) || l->proto != k->proto)
			continue;
		if (!l->dport_hi) {
			if (any < 0)
				any = i;
		} else if (k->l4 >= 2 && k->dport >= l->dport_lo &&
			   k->dport <= l->dport_hi) {
			return i;
		}
	}
	return any;
}

/*
 * The limit of the packet's protocol and port, if one is set.
 * Return: 2 if it met one and may go on, 1 if it met none, 0 if it is
 * over the limit, -1 if its L4 header is cut short (the parse fails
 * closed).
 */
static __always_inline int ddos_limits(struct pcn_ctx *ctx,
				       const struct ddos_state *s,
				       const struct pcn_eth *e, __u64 len,
				       struct ddos_stats *st)
{
	const struct ddos_limit *l;
	struct ddos_limit_stat *ls;
	struct pcn_ip k = {};
	__u32 i;
	int slot;

	if (pcn_parse_ip(ctx, e, &k) != PCN_PARSE_OK)
		return -1;
	slot = ddos_limit_of(s, &k);
	if (slot < 0)
		return 1;
	i = slot & (DDOS_LIMITS - 1);
	l = &s->limits[i];
	ls = bpf_map_lookup_elem(&ddos_limit_stats, &i);
	if (ls)
		ls->packets++;
	if (ddos_rate(s, k.family, k.src, len, i + 1, l->rate_pps,
		      l->burst_pkts, l->rate_bps, l->burst_bytes, 1, st))
		return 2;
	if (ls)
		ls->dropped++;
	return 0;
}

/* @dir is a constant of each program */
static __always_inline int ddos(struct pcn_ctx *ctx, __u32 dir)
{
	void *end = (void *)(long)ctx->data_end;
	__u64 len = pcn_pkt_len(ctx);
	struct ddos_stats *st;
	struct ddos_state *s;
	struct pcn_eth e;
	__u32 zero = 0, gen, has, *id;
	__u8 family, l4proto, src[16] = {};
	int ok = 1;

	st = bpf_map_lookup_elem(&ddos_stats, (const void *)&ddos_keys[dir]);
	PCN_COUNT(st, packets);
	s = bpf_map_lookup_elem(&ddos_state, &zero);
	if (!s)
		return PCN_DROP;
	gen = s->gen & 1;
	has = s->nonempty[gen];
	if (pcn_parse_eth(ctx, &e, MAX_TAGS) || e.more)
		goto malformed;
	if (e.proto == bpf_htons(ETH_P_IP)) {
		struct ddos_lpm4_key k = { .prefixlen = 8 + 32 };
		struct iphdr *ip;
		__u32 ihl, tot;

		ip = pcn_ipv4_hdr(e.l3, end, &ihl, &tot);
		if (!ip)
			goto malformed;
		family = 4;
		l4proto = ip->protocol;
		__builtin_memcpy(src, &ip->saddr, 4);
		if (has & DDOS_HAS(4, DDOS_SRC)) {
			k.set = gen * 2 + DDOS_SRC;
			__builtin_memcpy(k.addr, &ip->saddr, 4);
			id = bpf_map_lookup_elem(&ddos_lpm4, &k);
			if (id)
				return ddos_hit(id, len, st);
		}
		if (has & DDOS_HAS(4, DDOS_DST)) {
			k.set = gen * 2 + DDOS_DST;
			__builtin_memcpy(k.addr, &ip->daddr, 4);
			id = bpf_map_lookup_elem(&ddos_lpm4, &k);
			if (id)
				return ddos_hit(id, len, st);
		}
	} else if (e.proto == bpf_htons(ETH_P_IPV6)) {
		struct ddos_lpm6_key k = { .prefixlen = 8 + 128 };
		struct ipv6hdr *ip6 = e.l3;

		if ((void *)(ip6 + 1) > end || ip6->version != 6)
			goto malformed;
		family = 6;
		l4proto = ip6->nexthdr;
		__builtin_memcpy(src, &ip6->saddr, 16);
		if (has & DDOS_HAS(6, DDOS_SRC)) {
			k.set = gen * 2 + DDOS_SRC;
			__builtin_memcpy(k.addr, &ip6->saddr, 16);
			id = bpf_map_lookup_elem(&ddos_lpm6, &k);
			if (id)
				return ddos_hit(id, len, st);
		}
		if (has & DDOS_HAS(6, DDOS_DST)) {
			k.set = gen * 2 + DDOS_DST;
			__builtin_memcpy(k.addr, &ip6->daddr, 16);
			id = bpf_map_lookup_elem(&ddos_lpm6, &k);
			if (id)
				return ddos_hit(id, len, st);
		}
	} else {
		PCN_COUNT(st, passed);
		return PCN_NEXT;
	}
	if (s->limits_used) {
		ok = ddos_limits(ctx, s, &e, len, st);
		if (ok < 0)
			goto malformed;
		if (!ok) {
			PCN_COUNT(st, rate);
			return PCN_DROP;
		}
	}
	if ((s->rate_pps || s->rate_bps) &&
	    !ddos_rate(s, family, src, len, 0, s->rate_pps, s->burst_pkts,
		       s->rate_bps, s->burst_bytes, ok == 1, st)) {
		PCN_COUNT(st, rate);
		return PCN_DROP;
	}
	/* only TCP right after the IP header is the proxy's: the rest
	 * does not pay for its copy of the headers */
	if (dir == PCN_DIR_INGRESS && s->syn_used && l4proto == IPPROTO_TCP) {
		ok = ddos_syn(ctx);
		if (ok != PCN_NEXT)
			return ok;
	}
	PCN_COUNT(st, passed);
	return PCN_NEXT;
malformed:
	PCN_COUNT(st, malformed);
	return PCN_DROP;
}

PCN_TRANSPARENT_PROGS(ddos, ddos)
