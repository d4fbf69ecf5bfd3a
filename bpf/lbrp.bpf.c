// SPDX-License-Identifier: GPL-2.0
/*
 * lbrp: a load balancer that is a reverse proxy (Polycube's lbrp), as
 * a transparent cube on the port that faces the clients: a router's
 * port, or an interface where Linux forwards.
 *
 *   ingress   a packet to a service's VIP:port/proto goes to one of the
 *             service's backends: its destination rewritten to the
 *             backend's address and port (DNAT), the flow remembered
 *             for its replies; what comes next (the router, Linux)
 *             routes it to the backend.
 *   egress    a backend's reply on a balanced flow leaves from the
 *             VIP:port again (SNAT back), so the client sees the
 *             service it spoke to.
 *
 * Checksums follow each rewrite incrementally (bpf/xlate.h, NAT's
 * helpers): IPv4 header, TCP and UDP with their pseudo header.
 *
 * Choosing a backend is lbdsr's (bpf/lb.h): the flow's backend in
 * lb_flows while it lives, drained or not; a new flow takes the entry
 * its hash falls on in the service's Maglev table.
 *
 * ICMP errors about a balanced flow are translated as its packets are,
 * their quote included (xlate.h's pcn_xlate_quote()), so that the end
 * they reach finds the socket they are about:
 *
 *   egress    an error about client -> backend (the backend's port
 *             closed, a router past the cube that needs a smaller MTU)
 *             quotes client -> VIP:port again, and leaves from the VIP
 *             when the backend sent it;
 *   ingress   an error to a VIP about VIP:port -> client (the client's
 *             port closed, a router before the cube that needs a
 *             smaller MTU for the replies) goes to the flow's backend,
 *             quoting backend:port -> client.
 *
 * A reply too big for its path leaves in fragments, only the first with
 * ports: its identification is remembered (lbrp_frags), and the later
 * ones of the same datagram leave from the VIP too.
 *
 * Fails closed on what is sent to a VIP: a later fragment (no ports to
 * choose by), an ICMP error about no balanced flow, a header or an
 * ICMP quote cut short or wrong (either way), a port with no service,
 * a service with no backend: dropped, counted. What is not for a VIP,
 * and no reply of a balanced flow, passes unchanged.
 */
#define PCN_TRANSPARENT
#include "pcn_cube.h"
#include "parse.h"
#include "xlate.h"
#include "lbrp.h"

#define MAX_TAGS	2

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, LBRP_REPLIES_MAX);
	__type(key, struct lbrp_reply_key);
	__type(value, struct lbrp_reply);
} lbrp_replies SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, LBRP_FRAGS_MAX);
	__type(key, struct lbrp_frag_key);
	__type(value, struct lbrp_frag);
} lbrp_frags SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct lbrp_stats);
} lbrp_stats SEC(".maps");

/*
 * The frame into @ip, where its IP header is into @xl. A subprogram:
 * the many states of the parse end here, and the rest is checked once
 * for each way out.
 */
static __noinline int lbrp_parse(struct pcn_ctx *ctx, struct pcn_ip *ip,
				 struct pcn_xloc *xl)
{
	struct pcn_eth e;
	int r;

	if (pcn_parse_eth(ctx, &e, MAX_TAGS) || e.more || e.ntags > MAX_TAGS)
		return PCN_PARSE_BAD;
	r = pcn_parse_ip(ctx, &e, ip);
	if (r == PCN_PARSE_OK)
		pcn_xloc_of(ctx, e.l3, ip, xl);
	return r;
}

/* A client's packet to a VIP: to its backend, or dropped. */
static __noinline int to_backend(struct pcn_ctx *ctx, const struct pcn_ip *ip,
				 const struct pcn_xloc *xl,
				 struct lbrp_stats *st)
{
	struct lbrp_reply_key rk = {};
	struct lbrp_reply r = {}, *old;
	struct lb_svc_key sk = {};
	struct lb_flow_key fk = {};
	struct lb_backend *be;
	struct lb_svc *svc;
	__u32 id;

	if (ip->l4 == 0) {
		PCN_COUNT(st, fragments);
		return PCN_DROP;
	}
	sk.family = ip->family;
	__builtin_memcpy(sk.vip, ip->dst, 16);
	sk.port = ip->dport;
	sk.proto = ip->proto;
	svc = ip->l4 >= 2 ? bpf_map_lookup_elem(&lb_services, &sk) : NULL;
	if (!svc) {
		PCN_COUNT(st, no_backend);
		return PCN_DROP;
	}
	__builtin_memcpy(fk.addr, ip->src, 16);
	fk.svc_id = svc->id;
	if (svc->affinity != LB_AFF_SOURCE) {
		fk.port = ip->sport;
		fk.proto = ip->proto;
	}
	be = lb_backend_of(&fk, svc, 1, &id);
	if (!be) {
		PCN_COUNT(st, no_backend);
		return PCN_DROP;
	}

	/* what its replies will be, remembered before the packet goes: a
	 * lookup a packet, a write a new flow */
	__builtin_memcpy(rk.src, be->addr, 16);
	__builtin_memcpy(rk.dst, ip->src, 16);
	rk.sport = be->port;
	rk.dport = ip->sport;
	rk.proto = ip->proto;
	rk.family = ip->family;
	__builtin_memcpy(r.vip, ip->dst, 16);
	r.port = ip->dport;
	r.svc_id = svc->id;
	r.backend = id;
	old = bpf_map_lookup_elem(&lbrp_replies, &rk);
	if (!old || old->svc_id != r.svc_id || old->port != r.port ||
	    !lb_addr_eq(old->vip, r.vip))
		bpf_map_update_elem(&lbrp_replies, &rk, &r, BPF_ANY);

	if (pcn_xlate_addr(ctx, xl, 1, be->addr) ||
	    pcn_xlate_port(ctx, xl, 1, be->port)) {
		PCN_COUNT(st, errors);
		return PCN_DROP;
	}
	lb_count(svc->id, id, pcn_pkt_len(ctx));
	PCN_COUNT(st, balanced);
	return PCN_NEXT;
}

/*
 * Whether the packet at @xl is a fragment, its identification in *@id:
 * 0 the first of several, 1 a later one, -1 neither (or an IPv6
 * fragment header that does not follow the fixed header at once,
 * which this does not look for).
 */
static __noinline int frag_of(struct pcn_ctx *ctx, const struct pcn_xloc *xl,
			      __u32 *id)
{
	__u8 b[8];

	if (!ctx || !xl || !id)
		return -1;
	if (xl->family == 4) {
		if (pcn_load(ctx, xl->l3 + 4, b, 4))
			return -1;
		*id = (b[0] << 8) | b[1];
		if ((b[2] & 0x1f) | b[3])
			return 1;
		return b[2] & 0x20 ? 0 : -1;	/* more fragments */
	}
	if (pcn_load(ctx, xl->l3 + 6, b, 1) || b[0] != IPPROTO_FRAGMENT ||
	    pcn_load(ctx, xl->l3 + 40, b, 8))
		return -1;
	*id = ((__u32)b[4] << 24) | (b[5] << 16) | (b[6] << 8) | b[7];
	return ((b[2] << 8) | (b[3] & 0xf8)) ? 1 : 0;
}

/*
 * A later fragment toward the clients (no ports): of a reply whose
 * first fragment went out from a VIP, from that VIP too (only its IP
 * header to rewrite); else unchanged.
 */
static __noinline int reply_frag(struct pcn_ctx *ctx, const struct pcn_ip *ip,
				 const struct pcn_xloc *xl,
				 struct lbrp_stats *st)
{
	struct lbrp_frag_key fk = {};
	struct lbrp_frag *f;
	__u8 vip[16];

	if (frag_of(ctx, xl, &fk.id) != 1)
		goto pass;
	__builtin_memcpy(fk.src, ip->src, 16);
	__builtin_memcpy(fk.dst, ip->dst, 16);
	fk.proto = ip->proto;
	fk.family = ip->family;
	f = bpf_map_lookup_elem(&lbrp_frags, &fk);
	if (!f)
		goto pass;
	__builtin_memcpy(vip, f->vip, 16);
	lb_count(f->svc_id, f->backend, pcn_pkt_len(ctx));
	if (pcn_xlate_addr(ctx, xl, 0, vip)) {
		PCN_COUNT(st, errors);
		return PCN_DROP;
	}
	PCN_COUNT(st, fragments);
	return PCN_NEXT;
pass:
	PCN_COUNT(st, passed);
	return PCN_NEXT;
}

/* A packet toward the clients: a backend's reply leaves from its VIP. */
static __noinline int from_backend(struct pcn_ctx *ctx, const struct pcn_ip *ip,
				   const struct pcn_xloc *xl,
				   struct lbrp_stats *st)
{
	struct lbrp_reply_key rk = {};
	struct lbrp_frag_key fk = {};
	struct lbrp_frag f = {};
	struct lbrp_reply *r;
	__u8 vip[16];
	__u16 port;

	if (ip->l4 == 0)
		return reply_frag(ctx, ip, xl, st);
	if (ip->l4 < 2 ||
	    (ip->proto != IPPROTO_TCP && ip->proto != IPPROTO_UDP)) {
		PCN_COUNT(st, passed);
		return PCN_NEXT;
	}
	__builtin_memcpy(rk.src, ip->src, 16);
	__builtin_memcpy(rk.dst, ip->dst, 16);
	rk.sport = ip->sport;
	rk.dport = ip->dport;
	rk.proto = ip->proto;
	rk.family = ip->family;
	r = bpf_map_lookup_elem(&lbrp_replies, &rk);
	if (!r) {
		PCN_COUNT(st, passed);
		return PCN_NEXT;
	}
	/* a copy: the entry may go (LRU) while the packet is rewritten */
	__builtin_memcpy(vip, r->vip, 16);
	port = r->port;
	lb_count(r->svc_id, r->backend, pcn_pkt_len(ctx));
	/* the first of several fragments: the others follow it */
	if (frag_of(ctx, xl, &fk.id) == 0) {
		__builtin_memcpy(fk.src, ip->src, 16);
		__builtin_memcpy(fk.dst, ip->dst, 16);
		fk.proto = ip->proto;
		fk.family = ip->family;
		__builtin_memcpy(f.vip, vip, 16);
		f.svc_id = r->svc_id;
		f.backend = r->backend;
		bpf_map_update_elem(&lbrp_frags, &fk, &f, BPF_ANY);
	}
	if (pcn_xlate_addr(ctx, xl, 0, vip) ||
	    pcn_xlate_port(ctx, xl, 0, port)) {
		PCN_COUNT(st, errors);
		return PCN_DROP;
	}
	PCN_COUNT(st, replied);
	return PCN_NEXT;
}

/* what an ICMP error's quote becomes */
struct quote_to {
	__u8 src[16];
	__u8 dst[16];
	__u16 sport;
	__u16 dport;
};

/* icmp_error()'s records, off its stack (the rewrites below need it) */
struct lbrp_icmp {
	struct pcn_xquote q;
	struct quote_to qt;
	struct lbrp_reply_key rk;
	struct lb_svc_key sk;
	struct lb_flow_key fk;
	__u8 to[16];
	__u8 out[16];
	__u32 svc_id;
	__u32 backend;
	__u32 addr;		/* the error's own address to rewrite */
};

#define LBRP_ICMP_NONE	0
#define LBRP_ICMP_SRC	1
#define LBRP_ICMP_DST	2

/* icmp_error(): translate, as lbrp_scratch says (no verdict has it) */
#define LBRP_ICMP_XLATE	(-2)

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lbrp_icmp);
} lbrp_scratch SEC(".maps");

/*
 * Quote @q of the error at @xl := @to. Subprograms, this one and the
 * next: the rewrites' buffers inlined into one function would overflow
 * its stack.
 */
static __noinline int quote_xlate(struct pcn_ctx *ctx,
				  const struct pcn_xloc *xl,
				  const struct pcn_xquote *q,
				  const struct quote_to *to)
{
	if (!ctx || !xl || !q || !to)
		return -1;
	return pcn_xlate_quote(ctx, xl, q, to->src, to->dst, to->sport,
			       to->dport) ? -1 : 0;
}

/* The error's source (@dst 0) or destination address := @to. */
static __noinline int addr_xlate(struct pcn_ctx *ctx, const struct pcn_xloc *xl,
				 int dst, const __u8 *to)
{
	if (!ctx || !xl || !to)
		return -1;
	return pcn_xlate_addr(ctx, xl, dst, to) ? -1 : 0;
}

/*
 * An ICMP error at @xl met going @dir: about a balanced flow,
 * LBRP_ICMP_XLATE, what it becomes in lbrp_scratch (its quote, and the
 * address of the VIP or the backend where the error has it, as that
 * flow's packets are translated); about none, through (toward the
 * clients) or dropped (to a VIP). Apart from the rewrite, which
 * lbrp() calls: the three functions' stacks would be too deep.
 */
static __noinline int icmp_error(struct pcn_ctx *ctx, const struct pcn_xloc *xl,
				 __u32 dir, struct lbrp_stats *st)
{
	struct lbrp_icmp *s;
	struct lb_backend *be;
	struct lbrp_reply *r;
	struct lb_svc *svc;
	__u32 id, svc_id, zero = 0, alen = xl->family == 4 ? 4 : 16;
	__u16 port;
	int ret;

	s = bpf_map_lookup_elem(&lbrp_scratch, &zero);
	if (!s)
		return PCN_DROP;
	__builtin_memset(s, 0, sizeof(*s));

	ret = pcn_xquote_of(ctx, xl, &s->q);
	if (ret < 0) {
		PCN_COUNT(st, bad_header);
		return PCN_DROP;
	}
	if (ret)
		goto none;
	if (dir == PCN_DIR_EGRESS) {
		/* about client -> backend: the reply key of its flow */
		__builtin_memcpy(s->rk.src, s->q.dst, 16);
		__builtin_memcpy(s->rk.dst, s->q.src, 16);
		s->rk.sport = s->q.dport;
		s->rk.dport = s->q.sport;
		s->rk.proto = s->q.proto;
		s->rk.family = s->q.family;
		r = bpf_map_lookup_elem(&lbrp_replies, &s->rk);
		if (!r)
			goto none;
		__builtin_memcpy(s->to, r->vip, 16);
		port = r->port;
		svc_id = r->svc_id;
		id = r->backend;
	} else {
		/* about VIP:port -> client: the flow's backend */
		__builtin_memcpy(s->sk.vip, s->q.src, 16);
		s->sk.port = s->q.sport;
		s->sk.proto = s->q.proto;
		s->sk.family = s->q.family;
		svc = bpf_map_lookup_elem(&lb_services, &s->sk);
		if (!svc)
			goto none;
		__builtin_memcpy(s->fk.addr, s->q.dst, 16);
		s->fk.svc_id = svc->id;
		if (svc->affinity != LB_AFF_SOURCE) {
			s->fk.port = s->q.dport;
			s->fk.proto = s->q.proto;
		}
		svc_id = svc->id;
		be = lb_backend_of(&s->fk, svc, 0, &id);
		if (!be)
			goto none;
		__builtin_memcpy(s->to, be->addr, 16);
		port = be->port;
	}
	/* the error goes to the quoted packet's sender (the client going
	 * out; the VIP coming in): to anyone else it is forged */
	if (pcn_load(ctx, xl->l3 + (xl->family == 4 ? 16 : 24), s->out,
		     alen) || !lb_addr_eq(s->out, s->q.src)) {
		PCN_COUNT(st, icmp_errors);
		return PCN_DROP;
	}
	__builtin_memcpy(s->qt.src, s->q.src, 16);
	__builtin_memcpy(s->qt.dst, s->q.dst, 16);
	s->qt.sport = s->q.sport;
	s->qt.dport = s->q.dport;
	s->svc_id = svc_id;
	s->backend = id;
	if (dir == PCN_DIR_EGRESS) {
		__builtin_memcpy(s->qt.dst, s->to, 16);
		s->qt.dport = port;
		/* sent by the backend itself: from the VIP */
		if (pcn_load(ctx, xl->l3 + (xl->family == 4 ? 12 : 8), s->out,
			     alen))
			goto err;
		s->addr = lb_addr_eq(s->out, s->q.dst) ? LBRP_ICMP_SRC :
							 LBRP_ICMP_NONE;
	} else {
		__builtin_memcpy(s->qt.src, s->to, 16);
		s->qt.sport = port;
		s->addr = LBRP_ICMP_DST;
	}
	return LBRP_ICMP_XLATE;
none:
	if (dir == PCN_DIR_EGRESS) {
		PCN_COUNT(st, passed);
		return PCN_NEXT;
	}
	PCN_COUNT(st, icmp_errors);
	return PCN_DROP;
err:
	PCN_COUNT(st, errors);
	return PCN_DROP;
}

/* icmp_error()'s LBRP_ICMP_XLATE done: the rewrite, counted */
static __always_inline int icmp_xlate(struct pcn_ctx *ctx,
				      const struct pcn_xloc *xl,
				      struct lbrp_stats *st)
{
	struct lbrp_icmp *s;
	__u32 zero = 0;

	s = bpf_map_lookup_elem(&lbrp_scratch, &zero);
	if (!s)
		return PCN_DROP;
	if (quote_xlate(ctx, xl, &s->q, &s->qt) ||
	    (s->addr != LBRP_ICMP_NONE &&
	     addr_xlate(ctx, xl, s->addr == LBRP_ICMP_DST, s->to))) {
		PCN_COUNT(st, errors);
		return PCN_DROP;
	}
	lb_count(s->svc_id, s->backend, pcn_pkt_len(ctx));
	PCN_COUNT(st, icmp_translated);
	return PCN_NEXT;
}

static __always_inline int lbrp(struct pcn_ctx *ctx, __u32 dir)
{
	struct lbrp_stats *st = bpf_map_lookup_elem(&lbrp_stats, &dir);
	struct pcn_xloc xl = {};
	struct pcn_ip ip = {};
	int r;

	r = lbrp_parse(ctx, &ip, &xl);
	if (r == PCN_PARSE_OTHER) {
		PCN_COUNT(st, passed);
		return PCN_NEXT;
	}
	if (r != PCN_PARSE_OK) {
		PCN_COUNT(st, bad_header);
		return PCN_DROP;
	}
	if (dir == PCN_DIR_INGRESS && !lb_is_vip(ip.dst, ip.family)) {
		PCN_COUNT(st, passed);
		return PCN_NEXT;
	}
	if (ip.icmp_error) {
		r = icmp_error(ctx, &xl, dir, st);
		if (r != LBRP_ICMP_XLATE)
			return r;
		return icmp_xlate(ctx, &xl, st);
	}
	if (dir == PCN_DIR_EGRESS)
		return from_backend(ctx, &ip, &xl, st);
	return to_backend(ctx, &ip, &xl, st);
}

PCN_TRANSPARENT_PROGS(lbrp, lbrp)
