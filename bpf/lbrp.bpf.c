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
 * Fails closed on what is sent to a VIP: a later fragment (no ports to
 * choose by), an ICMP error (its quote would need rewriting too), a
 * header cut short or wrong, a port with no service, a service with no
 * backend: dropped, counted. What is not for a VIP, and no reply of a
 * balanced flow, passes unchanged.
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

static __always_inline int addr_eq(const __u8 *a, const __u8 *b)
{
	const __u32 *x = (const __u32 *)a, *y = (const __u32 *)b;

	return !((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3]));
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

	if (ip->icmp_error) {
		PCN_COUNT(st, icmp_errors);
		return PCN_DROP;
	}
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
	    !addr_eq(old->vip, r.vip))
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

/* A packet toward the clients: a backend's reply leaves from its VIP. */
static __noinline int from_backend(struct pcn_ctx *ctx, const struct pcn_ip *ip,
				   const struct pcn_xloc *xl,
				   struct lbrp_stats *st)
{
	struct lbrp_reply_key rk = {};
	struct lbrp_reply *r;
	__u8 vip[16];
	__u16 port;

	if (ip->l4 < 2 || ip->icmp_error ||
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
	if (pcn_xlate_addr(ctx, xl, 0, vip) ||
	    pcn_xlate_port(ctx, xl, 0, port)) {
		PCN_COUNT(st, errors);
		return PCN_DROP;
	}
	PCN_COUNT(st, replied);
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
	if (dir == PCN_DIR_EGRESS)
		return from_backend(ctx, &ip, &xl, st);
	if (!lb_is_vip(ip.dst, ip.family)) {
		PCN_COUNT(st, passed);
		return PCN_NEXT;
	}
	return to_backend(ctx, &ip, &xl, st);
}

PCN_TRANSPARENT_PROGS(lbrp, lbrp)
