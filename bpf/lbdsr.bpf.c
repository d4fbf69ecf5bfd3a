// SPDX-License-Identifier: GPL-2.0
/*
 * lbdsr: a load balancer with direct server return (Polycube's lbdsr).
 *
 * Two ports: the frontend (clients, or the router before them) and the
 * backend (the segment of the servers). On the frontend:
 *
 *   ARP       requests for a VIP answered in place with the cube's MAC;
 *   NDP       neighbour solicitations for an IPv6 VIP likewise, with a
 *             neighbour advertisement;
 *   service   a packet to VIP:port/proto goes to one of the service's
 *             backends, only its destination MAC rewritten (the source
 *             becomes the cube's); the backend holds the VIP on a
 *             loopback and answers the client directly, not through
 *             the cube;
 *   the rest  crosses to the backend side unchanged.
 *
 * What comes in on the backend side crosses to the frontend unchanged
 * (counted as "returned": with DSR set up, replies do not come back).
 *
 * Choosing a backend: a flow already in lb_flows (an LRU table, the
 * client's address, port and protocol, or its address alone with
 * source affinity) keeps its backend for as long as that backend is
 * there, drained (weight 0) or not; a new flow takes the entry its hash
 * falls on in the service's Maglev table. Tables are swapped whole by
 * user space (bpf/maglev.h).
 *
 * Fails closed: a later fragment to a VIP (no ports to choose by), a
 * truncated or malformed header, a VIP port with no service, a service
 * with no backend are dropped, each counted.
 */
#include "pcn_cube.h"
#include "parse.h"
#include "csum.h"
#include "lbdsr.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lb_config);
} lb_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lb_stats);
} lb_stats SEC(".maps");

#define LB_PARSE_ARP	(PCN_PARSE_BAD + 1)

/*
 * The frame into @ip, or LB_PARSE_ARP. A subprogram: the many states
 * of the parse (tags, extension headers, ICMP quotes) end here, and
 * the rest of the program is checked once for each way out, not once
 * for each of them.
 */
static __noinline int lb_parse(struct pcn_ctx *ctx, struct pcn_ip *ip)
{
	struct pcn_eth e;

	if (pcn_parse_eth(ctx, &e, 2))
		return PCN_PARSE_BAD;
	if (e.proto == bpf_htons(ETH_P_ARP))
		return LB_PARSE_ARP;
	return pcn_parse_ip(ctx, &e, ip);
}

static __noinline int arp_in(struct pcn_ctx *ctx, __u32 in,
			     const struct lb_config *cfg, struct lb_stats *st)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u8 vip[16] = {}, mac[ETH_ALEN];
	struct arp_eth *a;
	struct pcn_eth e;
	__be32 sip, tip;

	if (pcn_parse_eth(ctx, &e, 2))
		return PCN_DROP;
	a = e.l3;
	/* a subprogram: the caller's bounds checks do not come along */
	if ((void *)(a + 1) > end || (void *)(eth + 1) > end) {
		PCN_COUNT(st, bad_header);
		return pcn_drop(ctx, in);
	}
	__builtin_memcpy(vip, &a->tip, 4);
	if (a->op != bpf_htons(ARPOP_REQ) || a->htype != bpf_htons(1) ||
	    a->ptype != bpf_htons(ETH_P_IP) || a->hlen != ETH_ALEN ||
	    a->plen != 4 || !lb_is_vip(vip, 4))
		return 1;	/* not ours: across */
	sip = a->sip;
	tip = a->tip;
	__builtin_memcpy(mac, a->sha, ETH_ALEN);
	a->op = bpf_htons(ARPOP_REP);
	__builtin_memcpy(a->tha, mac, ETH_ALEN);
	a->tip = sip;
	__builtin_memcpy(a->sha, cfg->mac, ETH_ALEN);
	a->sip = tip;
	__builtin_memcpy(eth->h_dest, mac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, cfg->mac, ETH_ALEN);
	PCN_COUNT(st, arp_replied);
	return pcn_tx(ctx, in);
}

/* a neighbour solicitation as Linux sends it: with its source's MAC */
#define ND_LEN		32	/* ICMPv6 header 4, flags 4, target 16,
				 * a link-layer address option 8 */
#define ND_NS		135
#define ND_NA		136
#define ND_OPT_SLL	1	/* source link-layer address */
#define ND_OPT_TLL	2	/* target link-layer address */
#define ND_NA_FLAGS	0x60	/* solicited, override */

/*
 * A neighbour solicitation for a VIP answered in place with an
 * advertisement of the cube's MAC (RFC 4861 7.2.4), as ARP is: 1 when
 * it is not one (it crosses), else the verdict. Only the usual form
 * is answered: no extension header, hop limit 255, a source address
 * (not the unspecified one of duplicate address detection), one
 * source link-layer address option; the reply takes its place, the
 * same length.
 */
static __noinline int nd_in(struct pcn_ctx *ctx, __u32 in,
			    const struct lb_config *cfg, struct lb_stats *st)
{
	void *end = (void *)(long)ctx->data_end;
	__u8 peer[ETH_ALEN], vip[16] = {};
	struct ipv6hdr *ip6;
	struct ethhdr *eth;
	struct pcn_eth e;
	__u32 sum = 0;
	__u8 *nd;
	__u16 c;

	if (pcn_parse_eth(ctx, &e, 2))
		return 1;
	eth = (void *)(long)ctx->data;
	ip6 = e.l3;
	nd = (__u8 *)(ip6 + 1);
	if ((void *)(eth + 1) > end || (void *)(nd + ND_LEN) > end)
		return 1;
	if (ip6->nexthdr != PCN_IPPROTO_ICMPV6 || ip6->hop_limit != 255 ||
	    ip6->payload_len != bpf_htons(ND_LEN) || nd[0] != ND_NS ||
	    nd[1] != 0 || nd[24] != ND_OPT_SLL || nd[25] != 1 ||
	    !(ip6->saddr.in6_u.u6_addr32[0] | ip6->saddr.in6_u.u6_addr32[1] |
	      ip6->saddr.in6_u.u6_addr32[2] | ip6->saddr.in6_u.u6_addr32[3]))
		return 1;
	__builtin_memcpy(vip, nd + 8, 16);
	if (!lb_is_vip(vip, 6))
		return 1;
	__builtin_memcpy(peer, nd + 26, ETH_ALEN);
	/* to the asker, from the VIP */
	ip6->daddr = ip6->saddr;
	__builtin_memcpy(&ip6->saddr, vip, 16);
	nd[0] = ND_NA;
	nd[2] = 0;
	nd[3] = 0;
	nd[4] = ND_NA_FLAGS;
	nd[24] = ND_OPT_TLL;
	__builtin_memcpy(nd + 26, cfg->mac, ETH_ALEN);
	/* the checksum whole: the pseudo header (addresses, length, next
	 * header) and the message */
	PCN_CSUM_WORDS(sum, &ip6->saddr, 32, 32, end);
	sum += bpf_htons(ND_LEN) + bpf_htons(PCN_IPPROTO_ICMPV6);
	PCN_CSUM_WORDS(sum, nd, ND_LEN, ND_LEN, end);
	c = pcn_csum_fold(sum);
	nd[2] = c & 0xff;
	nd[3] = c >> 8;
	__builtin_memcpy(eth->h_dest, peer, ETH_ALEN);
	__builtin_memcpy(eth->h_source, cfg->mac, ETH_ALEN);
	PCN_COUNT(st, nd_replied);
	return pcn_tx(ctx, in);
}

/*
 * The flow an ICMP error to a VIP is about: the quoted packet went from
 * the VIP (a backend answering) to the client, so the client is the end
 * of the quote that is not the VIP. Returns 0 and fills @k and @sk, or
 * -1 for nothing to follow.
 */
static __always_inline int icmp_quoted(const struct pcn_ip *ip,
				       struct lb_svc_key *sk,
				       struct lb_flow_key *fk)
{
	const struct pcn_flow_key *q = &ip->quoted;

	if (ip->icmp_error != 2)
		return -1;
	/* constant indexes: the verifier tracks no variable one on the stack */
	sk->proto = q->proto;
	fk->proto = q->proto;
	if (lb_addr_eq(q->addr[0], ip->dst)) {
		sk->port = q->port[0];
		__builtin_memcpy(fk->addr, q->addr[1], 16);
		fk->port = q->port[1];
	} else if (lb_addr_eq(q->addr[1], ip->dst)) {
		sk->port = q->port[1];
		__builtin_memcpy(fk->addr, q->addr[0], 16);
		fk->port = q->port[0];
	} else {
		return -1;
	}
	return 0;
}

PCN_PROG(lbdsr)
{
	struct lb_svc_key sk = {};
	struct lb_flow_key fk = {};
	struct lb_config *cfg;
	struct lb_backend *be;
	struct lb_stats *st;
	struct ethhdr *eth;
	struct pcn_ip ip = {};
	struct lb_svc *svc;
	struct pcn_md md;
	__u32 zero = 0, id;
	int in, r;

	in = pcn_rx(ctx, &md);
	if (in < 0)
		return PCN_DROP;
	st = bpf_map_lookup_elem(&lb_stats, &zero);
	cfg = bpf_map_lookup_elem(&lb_config, &zero);
	if (!cfg)
		return pcn_drop(ctx, in);
	if (in + 1 == cfg->backend && cfg->frontend != LB_NO_PORT) {
		PCN_COUNT(st, returned);
		return pcn_tx(ctx, cfg->frontend - 1);
	}
	if (in + 1 != cfg->frontend || cfg->backend == LB_NO_PORT) {
		PCN_COUNT(st, no_port);
		return pcn_drop(ctx, in);
	}

	r = lb_parse(ctx, &ip);
	if (r == LB_PARSE_ARP) {
		r = arp_in(ctx, in, cfg, st);
		if (r != 1)
			return r;
		goto across;
	}
	if (r == PCN_PARSE_OTHER)
		goto across;
	if (r != PCN_PARSE_OK) {
		PCN_COUNT(st, bad_header);
		return pcn_drop(ctx, in);
	}
	if (ip.proto == PCN_IPPROTO_ICMPV6 && ip.icmp_ok &&
	    ip.icmp_type == ND_NS) {
		r = nd_in(ctx, in, cfg, st);
		if (r != 1)
			return r;
	}
	if (!lb_is_vip(ip.dst, ip.family))
		goto across;

	/* for a VIP: a service's, or dropped */
	sk.family = ip.family;
	__builtin_memcpy(sk.vip, ip.dst, 16);
	if (ip.icmp_error) {
		if (icmp_quoted(&ip, &sk, &fk)) {
			PCN_COUNT(st, no_backend);
			return pcn_drop(ctx, in);
		}
	} else if (ip.l4 == 0) {
		PCN_COUNT(st, fragments);
		return pcn_drop(ctx, in);
	} else {
		sk.port = ip.dport;
		sk.proto = ip.proto;
		__builtin_memcpy(fk.addr, ip.src, 16);
		fk.port = ip.sport;
		fk.proto = ip.proto;
	}
	svc = bpf_map_lookup_elem(&lb_services, &sk);
	if (!svc) {
		PCN_COUNT(st, no_backend);
		return pcn_drop(ctx, in);
	}
	fk.svc_id = svc->id;
	if (svc->affinity == LB_AFF_SOURCE) {
		fk.port = 0;
		fk.proto = 0;
	}
	/* an ICMP error follows its flow, and opens none */
	be = lb_backend_of(&fk, svc, !ip.icmp_error, &id);
	if (!be) {
		PCN_COUNT(st, no_backend);
		return pcn_drop(ctx, in);
	}

	eth = (void *)(long)ctx->data;
	if ((void *)(eth + 1) > (void *)(long)ctx->data_end)
		return pcn_drop(ctx, in);
	__builtin_memcpy(eth->h_dest, be->mac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, cfg->mac, ETH_ALEN);
	lb_count(svc->id, id, pcn_pkt_len(ctx));
	PCN_COUNT(st, balanced);
	return pcn_tx(ctx, cfg->backend - 1);

across:
	PCN_COUNT(st, passed);
	return pcn_tx(ctx, cfg->backend - 1);
}
