// SPDX-License-Identifier: GPL-2.0
/*
 * nat: a transparent cube that translates addresses and ports, IPv4 and
 * IPv6, for TCP, UDP and ICMP echo (see bpf/nat.h for the tables).
 *
 *   parse     Ethernet, up to two VLAN tags, IPv4 or IPv6 with its
 *             extension headers, the ports or echo id. Fail closed: a
 *             header cut short or wrong is dropped, counted; so is a
 *             fragment after the first, which has no ports to find its
 *             flow by (NAT cannot tell whose it is).
 *   classify  the flow's translation for this direction, one lookup; a
 *             packet without one that may open a flow is matched
 *             against the rules, first match wins, and its translation
 *             entered both ways (SNAT and masquerade take a free port
 *             of the rule's range, claimed by an insert that fails if
 *             another flow has it)
 *   act       rewrite (bpf/xlate.h: checksums updated incrementally),
 *             the flow's state moved on (bpf/ct.h)
 *
 * An ICMP error whose quote is a packet of a translated flow is
 * translated as a packet of that flow going the error's way would be:
 * the quote as its sender sent it, the outer destination that sender,
 * the outer source too when it is the quoted packet's destination (the
 * flow's other end answered; a router on the way keeps its address).
 * A quote cut short fails closed.
 *
 * What no rule and no flow is about goes through untouched: frames
 * that are not IP, protocols NAT does not translate, ICMP errors about
 * no flow.
 */
#define PCN_TRANSPARENT
#define PCN_CLOCK
#include "pcn_cube.h"
#include "parse.h"
#include "ct.h"
#include "xlate.h"
#include "nat.h"

#define MAX_TAGS	2
/* errno values the map helpers return */
#define NAT_E2BIG	7
#define NAT_EEXIST	17
/* nat(): an ICMP error, for icmp_error() (no verdict has this value) */
#define NAT_ICMP_ERROR	(-2)

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nat_state);
} nat_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nat_masq);
} nat_masq SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * NAT_RULES_MAX);
	__type(key, __u32);
	__type(value, struct nat_rule);
} nat_rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, NAT_FLOWS_MAX);
	__type(key, struct nat_key);
	__type(value, struct nat_xlate);
} nat_flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, NAT_CT_MAX);
	__type(key, struct pcn_ct_key);
	__type(value, struct pcn_ct);
} nat_ct SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct nat_stats);
} nat_stats SEC(".maps");

/* when the datapath last swept nat_flows of dead flows (a full table) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} nat_gc SEC(".maps");

/* a new flow's records, off the stack (the verifier's 512 bytes) */
struct nat_scratch {
	struct nat_key key;		/* the packet's */
	struct nat_key rkey;		/* the reply's key */
	struct nat_xlate rx;		/* the reply's translation */
	struct nat_xlate x;		/* this direction's */
	struct nat_key fkey;		/* forget()'s */
	struct pcn_ct_key ck;		/* the packet's flow in nat_ct */
	struct pcn_xquote q;		/* an ICMP error's quote */
	struct pcn_xloc xl;		/* the packet's headers (off the
					 * stack too: nat() has little left) */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nat_scratch);
} nat_scratch SEC(".maps");

static __always_inline int eq16(const __u8 *a, const __u8 *b)
{
	const __u32 *x = (const void *)a, *y = (const void *)b;

	return !((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3]));
}

static __always_inline int in_prefix(const __u8 *a, const __u8 *p, __u32 plen)
{
	__u32 i, bits;
	__u8 mask;

#pragma unroll
	for (i = 0; i < 16; i++) {
		if (i * 8 >= plen)
			break;
		bits = plen - i * 8;
		mask = bits >= 8 ? 0xff : (__u8)(0xff << (8 - bits));
		if ((a[i] ^ p[i]) & mask)
			return 0;
	}
	return 1;
}

/* what the rules look at of a packet opening a flow, and the search */
struct match {
	/* the addresses: nat_scratch's key (nat()'s stack is full) */
	__u8 family;
	__u8 proto;
	__u8 l4;
	__u8 pad;
	__u16 dport;
	__u16 dir;
	__u32 base;			/* the generation's first rule */
	__u32 n;
	__u32 found;			/* the rule's index, or n */
};

/* Does rule @r apply to @m, a packet opening a flow from @src to @dst? */
static __always_inline int rule_matches(const struct nat_rule *r,
					const struct match *m,
					const __u8 *src, const __u8 *dst)
{
	if (r->family != m->family || (r->proto && r->proto != m->proto))
		return 0;
	switch (r->kind) {
	case NAT_SNAT:
	case NAT_MASQ:
		return m->dir == PCN_DIR_EGRESS &&
		       in_prefix(src, r->src, r->src_plen) &&
		       in_prefix(dst, r->dst, r->dst_plen);
	case NAT_DNAT:
		return m->dir == PCN_DIR_INGRESS && eq16(dst, r->dst) &&
		       (!r->dport || (m->l4 >= 2 && m->dport == r->dport));
	case NAT_ONE2ONE:
		return m->dir == PCN_DIR_EGRESS ? eq16(src, r->src) :
						  eq16(dst, r->dst);
	}
	return 0;
}

static long match_one(__u32 i, void *data)
{
	struct match *m = data;
	__u32 idx = m->base + i, zero = 0;
	struct nat_scratch *s;
	struct nat_rule *r;

	if (i >= m->n)
		return 1;
	s = bpf_map_lookup_elem(&nat_scratch, &zero);
	r = bpf_map_lookup_elem(&nat_rules, &idx);
	if (s && r && rule_matches(r, m, s->key.src, s->key.dst)) {
		m->found = idx;
		return 1;
	}
	return 0;
}

/* The key of the other direction of the flow that @key's packets
 * leave as @x says. */
static __always_inline void reverse_key(const struct nat_key *key,
					const struct nat_xlate *x,
					struct nat_key *out)
{
	out->dir = !key->dir;
	out->family = key->family;
	out->proto = key->proto;
	out->pad = 0;
	out->sport = x->dport;
	out->dport = x->sport;
	__builtin_memcpy(out->src, x->dst, 16);
	__builtin_memcpy(out->dst, x->src, 16);
}

/* Delete the translations of a flow, both ways, from one of them. */
static __always_inline void forget(struct nat_scratch *s,
				   const struct nat_key *key,
				   const struct nat_xlate *x)
{
	reverse_key(key, x, &s->fkey);
	bpf_map_delete_elem(&nat_flows, &s->fkey);
	bpf_map_delete_elem(&nat_flows, key);
}

static long reap(void *map, const struct nat_key *key, struct nat_xlate *x,
		 void *data)
{
	__u64 now = *(__u64 *)data;

	if (!pcn_ct_alive(&nat_ct, &x->ct, now))
		bpf_map_delete_elem(map, key);
	return 0;
}

/*
 * The table is full: delete the translations of flows that ended, at
 * most once a second (a walk of the whole table). Return: 1 if it
 * swept (try again).
 */
static __always_inline int sweep(__u64 now)
{
	__u32 zero = 0;
	__u64 *last = bpf_map_lookup_elem(&nat_gc, &zero);

	if (!last || !pcn_older(now, *last, NSEC_PER_SEC))
		return 0;
	*last = now;
	bpf_for_each_map_elem(&nat_flows, reap, &now, 0);
	return 1;
}

/* Enter @x at @key (@flags of the update); a full table swept once. */
static __always_inline long flow_put(const struct nat_key *key,
				     const struct nat_xlate *x, __u64 flags,
				     __u64 now)
{
	long err = bpf_map_update_elem(&nat_flows, key, x, flags);

	if (err == -NAT_E2BIG && sweep(now))
		err = bpf_map_update_elem(&nat_flows, key, x, flags);
	return err;
}

/*
 * Claim the reply's key of a new flow: an insert that fails if a flow
 * has it. A flow that ended and still holds it gives it up.
 * Return: 0, -NAT_EEXIST (taken), another error.
 */
static __always_inline long claim(struct nat_scratch *s, __u64 now)
{
	struct nat_xlate *old;
	long err = flow_put(&s->rkey, &s->rx, BPF_NOEXIST, now);

	if (err != -NAT_EEXIST)
		return err;
	old = bpf_map_lookup_elem(&nat_flows, &s->rkey);
	if (!old || pcn_ct_alive(&nat_ct, &old->ct, now))
		return err;
	forget(s, &s->rkey, old);
	return flow_put(&s->rkey, &s->rx, BPF_NOEXIST, now);
}

/* the reply of @s->x, as @key's packet was: @s->rkey, @s->rx */
static __always_inline void make_reply(struct nat_scratch *s,
				       const struct nat_key *key)
{
	reverse_key(key, &s->x, &s->rkey);
	__builtin_memcpy(s->rx.src, key->dst, 16);
	__builtin_memcpy(s->rx.dst, key->src, 16);
	s->rx.sport = key->dport;
	s->rx.dport = key->sport;
	s->rx.kind = s->x.kind;
	s->rx.flags = 0;
	s->rx.pad = 0;
	s->rx.ct = s->x.ct;
}

/* the search for a free port of a new flow (its records in nat_scratch) */
struct port_search {
	__u64 now;
	__u32 lo;
	__u32 range;
	__u32 rnd;
	__u32 echo;			/* the port is an echo id: both */
	long err;
};

static long try_port(__u32 i, void *data)
{
	struct port_search *p = data;
	struct nat_scratch *s;
	__u32 zero = 0, port;

	s = bpf_map_lookup_elem(&nat_scratch, &zero);
	if (!s) {
		p->err = -1;
		return 1;
	}
	/* the port it had first, if the range has it */
	if (i == 0 && s->key.sport >= p->lo &&
	    s->key.sport - p->lo < p->range)
		port = s->key.sport;
	else
		port = p->lo + (p->rnd + i) % p->range;
	s->x.sport = port;
	if (p->echo)
		s->x.dport = port;
	make_reply(s, &s->key);
	p->err = claim(s, p->now);
	return p->err != -NAT_EEXIST;
}

/*
 * A packet with no translation in direction @dir: the first rule that
 * matches it gives one, entered both ways in nat_flows, in @s->x (the
 * packet's key in @s->key).
 * Return: 0 (a translation), PCN_NEXT (no rule: it passes as it is) or
 * PCN_DROP (counted).
 */
static __always_inline int new_flow(const struct pcn_ip *k, __u32 dir,
				    __u64 now, struct nat_scratch *s,
				    struct nat_stats *st)
{
	struct match m = { .family = k->family, .proto = k->proto,
			   .l4 = k->l4, .dport = k->dport, .dir = dir };
	struct port_search ps = { .now = now };
	struct nat_state *state;
	struct nat_masq *masq;
	struct nat_rule *r;
	__u32 zero = 0;
	long err;

	state = bpf_map_lookup_elem(&nat_state, &zero);
	if (!state)
		return PCN_DROP;
	m.base = NAT_RULES_GEN(state->rules) * NAT_RULES_MAX;
	m.n = NAT_RULES_N(state->rules);
	m.found = PCN_SLOT_NONE;
	bpf_loop(NAT_RULES_MAX, match_one, &m, 0);
	r = m.found != PCN_SLOT_NONE ?
		bpf_map_lookup_elem(&nat_rules, &m.found) : NULL;
	if (!r)
		return PCN_NEXT;
	/* it must be able to open a flow: a TCP SYN, an echo request... */
	if (!pcn_ct_opens(k)) {
		PCN_COUNT(st, invalid);
		return PCN_DROP;
	}
	__builtin_memcpy(s->x.src, s->key.src, 16);
	__builtin_memcpy(s->x.dst, s->key.dst, 16);
	s->x.sport = s->key.sport;
	s->x.dport = s->key.dport;
	s->x.kind = r->kind;
	s->x.flags = NAT_X_ORIG;
	s->x.pad = 0;
	switch (r->kind) {
	case NAT_SNAT:
		__builtin_memcpy(s->x.src, r->to, 16);
		break;
	case NAT_MASQ:
		masq = bpf_map_lookup_elem(&nat_masq, &zero);
		if (!masq)
			return PCN_DROP;
		if (k->family == 4) {
			if (!*(__u32 *)masq->addr4) {
				PCN_COUNT(st, no_address);
				return PCN_DROP;
			}
			__builtin_memset(s->x.src, 0, 16);
			__builtin_memcpy(s->x.src, masq->addr4, 4);
		} else {
			if (!masq->addr6[0]) {
				PCN_COUNT(st, no_address);
				return PCN_DROP;
			}
			__builtin_memcpy(s->x.src, masq->addr6, 16);
		}
		break;
	case NAT_DNAT:
		__builtin_memcpy(s->x.dst, r->to, 16);
		if (r->port_lo && k->l4 >= 2)
			s->x.dport = r->port_lo;
		break;
	default:		/* 1:1 */
		if (dir == PCN_DIR_EGRESS)
			__builtin_memcpy(s->x.src, r->dst, 16);
		else
			__builtin_memcpy(s->x.dst, r->src, 16);
		break;
	}
	/* the flow as the inside sees it: before the way out, after the
	 * way in */
	__builtin_memset(&s->x.ct, 0, sizeof(s->x.ct));
	s->x.ct.family = k->family;
	s->x.ct.proto = k->proto;
	if (dir == PCN_DIR_EGRESS)
		pcn_flow_order((struct pcn_flow_key *)&s->x.ct, s->key.src,
			       s->key.sport, s->key.dst, s->key.dport);
	else
		pcn_flow_order((struct pcn_flow_key *)&s->x.ct, s->x.src,
			       s->x.sport, s->x.dst, s->x.dport);
	if (r->kind == NAT_SNAT || r->kind == NAT_MASQ) {
		ps.lo = r->port_lo;
		ps.range = (__u32)r->port_hi - r->port_lo + 1;
		ps.rnd = bpf_get_prandom_u32();
		ps.echo = k->proto != IPPROTO_TCP && k->proto != IPPROTO_UDP;
		ps.err = -NAT_EEXIST;
		bpf_loop(NAT_PORT_TRIES, try_port, &ps, 0);
		err = ps.err;
	} else {
		make_reply(s, &s->key);
		err = claim(s, now);
	}
	if (err == -NAT_EEXIST) {
		PCN_COUNT(st, no_port);
		return PCN_DROP;
	}
	if (!err) {
		err = flow_put(&s->key, &s->x, BPF_ANY, now);
		if (err)
			bpf_map_delete_elem(&nat_flows, &s->rkey);
	}
	if (err) {
		PCN_COUNT(st, table_full);
		return PCN_DROP;
	}
	PCN_COUNT(st, new_flows);
	return 0;
}

/*
 * An ICMP error, met going @dir (its headers in nat_scratch's xl): when it quotes a
 * packet of a translated flow, translate it (see the top). The flow is
 * found by the quote turned round, a packet going the error's way:
 * what that packet leaves with, turned round again, is the quote's
 * new content. Return: PCN_NEXT or PCN_DROP (counted).
 */
static __noinline int icmp_error(struct pcn_ctx *ctx, __u32 dir)
{
	struct nat_stats *st = bpf_map_lookup_elem(&nat_stats, &dir);
	struct nat_scratch *s;
	struct pcn_xloc *xl;
	struct nat_xlate *x;
	struct nat_key *key;
	__u32 zero = 0;
	__u8 out[16];
	int ret;

	s = bpf_map_lookup_elem(&nat_scratch, &zero);
	if (!s)
		return PCN_DROP;
	xl = &s->xl;
	ret = pcn_xquote_of(ctx, xl, &s->q);
	if (ret < 0) {
		PCN_COUNT(st, malformed);
		return PCN_DROP;
	}
	if (ret)
		return PCN_NEXT;
	key = &s->key;
	key->dir = dir;
	key->family = s->q.family;
	key->proto = s->q.proto;
	key->pad = 0;
	key->sport = s->q.dport;
	key->dport = s->q.sport;
	__builtin_memcpy(key->src, s->q.dst, 16);
	__builtin_memcpy(key->dst, s->q.src, 16);
	x = bpf_map_lookup_elem(&nat_flows, key);
	if (!x || !pcn_ct_alive(&nat_ct, &x->ct, pcn_now_ns()))
		return PCN_NEXT;	/* about no flow of ours */
	s->x = *x;
	x = &s->x;
	/* the outer addresses: the error goes to the quote's sender */
	if (pcn_load(ctx, xl->l3 + (xl->family == 4 ? 16 : 24), out,
		     xl->family == 4 ? 4 : 16))
		goto err;
	if (xl->family == 4)
		__builtin_memset(out + 4, 0, 12);
	if (!eq16(out, s->q.src)) {
		PCN_COUNT(st, invalid);	/* to someone else: forged */
		return PCN_DROP;
	}
	if (pcn_xlate_quote(ctx, xl, &s->q, x->dst, x->src, x->dport,
			    x->sport))
		goto err;
	if (!eq16(out, x->dst) && pcn_xlate_addr(ctx, xl, 1, x->dst))
		goto err;
	if (pcn_load(ctx, xl->l3 + (xl->family == 4 ? 12 : 8), out,
		     xl->family == 4 ? 4 : 16))
		goto err;
	/* from the quoted packet's destination: the flow's other end */
	if (eq16(out, s->q.dst) && !eq16(out, x->src) &&
	    pcn_xlate_addr(ctx, xl, 0, x->src))
		goto err;
	PCN_COUNT(st, icmp_errors);
	PCN_COUNT(st, translated);
	return PCN_NEXT;
err:
	PCN_COUNT(st, errors);
	return PCN_DROP;
}

/*
 * A packet met going @dir. Return: PCN_NEXT, PCN_DROP, or for an ICMP
 * error NAT_ICMP_ERROR, its headers in nat_scratch's xl. Two
 * functions the verifier sees apart: each has a stack of its own, too
 * big for one (and the caller none: the 512 bytes are nearly all
 * nat()'s and its bpf_loop() callbacks').
 */
static __noinline int nat(struct pcn_ctx *ctx, __u32 dir)
{
	struct nat_stats *st = bpf_map_lookup_elem(&nat_stats, &dir);
	struct nat_scratch *s;
	struct nat_xlate *x;
	struct nat_key *key;
	struct pcn_ct *entry;
	struct pcn_ip k = {};
	struct pcn_eth e;
	int ret, ct, side = 0, echo, chg_src, chg_dst, chg_sp, chg_dp;
	__u32 zero = 0;
	__u64 now;

	ret = pcn_parse_eth(ctx, &e, MAX_TAGS) ? PCN_PARSE_BAD :
	      e.more || e.ntags > MAX_TAGS ? PCN_PARSE_BAD :
	      pcn_parse_ip(ctx, &e, &k);
	if (ret == PCN_PARSE_OTHER)
		return PCN_NEXT;
	if (ret == PCN_PARSE_BAD) {
		PCN_COUNT(st, malformed);
		return PCN_DROP;
	}
	if (!k.l4) {
		PCN_COUNT(st, fragments);
		return PCN_DROP;
	}
	s = bpf_map_lookup_elem(&nat_scratch, &zero);
	if (!s)
		return PCN_DROP;
	if (k.icmp_error) {
		pcn_xloc_of(ctx, e.l3, &k, &s->xl);
		return NAT_ICMP_ERROR;
	}
	if (!k.ct_ok)
		return PCN_NEXT;	/* nothing NAT translates */
	key = &s->key;
	key->dir = dir;
	key->family = k.family;
	key->proto = k.proto;
	key->pad = 0;
	key->sport = k.ct_port[0];
	key->dport = k.ct_port[1];
	__builtin_memcpy(key->src, k.src, 16);
	__builtin_memcpy(key->dst, k.dst, 16);
	now = pcn_now_ns();
	x = bpf_map_lookup_elem(&nat_flows, key);
	if (x && !pcn_ct_alive(&nat_ct, &x->ct, now)) {
		forget(s, key, x);	/* its flow ended: a new one */
		x = NULL;
	}
	if (x) {
		s->x = *x;
	} else {
		ret = new_flow(&k, dir, now, s, st);
		if (ret)
			return ret;
	}
	x = &s->x;
	echo = k.proto != IPPROTO_TCP && k.proto != IPPROTO_UDP;
	chg_src = !eq16(x->src, k.src);
	chg_dst = !eq16(x->dst, k.dst);
	chg_sp = x->sport != k.ct_port[0];
	chg_dp = !echo && x->dport != k.ct_port[1];
	/* the flow's state, as the inside sees it: the packet as it
	 * comes on the way out, as it leaves on the way in */
	if (dir == PCN_DIR_INGRESS) {
		__builtin_memcpy(k.src, x->src, 16);
		__builtin_memcpy(k.dst, x->dst, 16);
		k.ct_port[0] = x->sport;
		k.ct_port[1] = x->dport;
	}
	__builtin_memset(&s->ck, 0, sizeof(s->ck));
	ct = pcn_ct_state(&nat_ct, &k, now, &s->ck, &side, &entry);
	if (ct == PCN_CT_INVALID) {
		PCN_COUNT(st, invalid);
		return PCN_DROP;
	}
	pcn_xloc_of(ctx, e.l3, &k, &s->xl);
	if ((chg_src && pcn_xlate_addr(ctx, &s->xl, 0, x->src)) ||
	    (chg_dst && pcn_xlate_addr(ctx, &s->xl, 1, x->dst)) ||
	    (chg_sp && pcn_xlate_port(ctx, &s->xl, 0, x->sport)) ||
	    (chg_dp && pcn_xlate_port(ctx, &s->xl, 1, x->dport))) {
		PCN_COUNT(st, errors);
		return PCN_DROP;
	}
	if (chg_src | chg_dst | chg_sp | chg_dp)
		PCN_COUNT(st, translated);
	pcn_ct_update(&nat_ct, &k, ct, now, &s->ck, side, entry);
	return PCN_NEXT;
}

static __always_inline int nat_point(struct pcn_ctx *ctx, __u32 dir)
{
	int ret = nat(ctx, dir);

	if (ret == NAT_ICMP_ERROR)
		ret = icmp_error(ctx, dir);
	return ret;
}

PCN_TRANSPARENT_PROGS(nat, nat_point)
