// SPDX-License-Identifier: GPL-2.0
/*
 * router: an IPv4 router, all of it in the datapath (Polycube's router
 * handed ARP misses, echo requests and TTL expiry to its daemon).
 *
 *   check     the frame is for the port's MAC (or an ARP broadcast);
 *             untagged; an IPv4 header that holds together, checksum
 *             included: else dropped and counted
 *   ARP       requests for the port's addresses answered in place;
 *             senders learned (requests for us create entries, any ARP
 *             refreshes an entry that exists)
 *   route     longest-prefix match in rt_fib, which holds the best
 *             route of every prefix; none: ICMP net unreachable
 *   local     echo requests to a port address answered; anything else
 *             dropped and counted, or handed to the host if the port
 *             says so
 *   forward   TTL 1 or 0: ICMP time exceeded; else TTL - 1 with an
 *             incremental checksum, MACs rewritten from the neighbour
 *             table; an unresolved next hop turns the packet into an
 *             ARP request for it (at most one a second per next hop)
 *
 * ICMP errors and echo replies are routed like any packet the router
 * sends: by the FIB and the neighbour table, out of whichever port.
 *
 * With "fib kernel" the router keeps no table: IPv4 and IPv6 packets
 * are forwarded by bpf_fib_lookup() in the namespace's routing table
 * and neighbour cache, and whatever that lookup does not resolve to a
 * port with a known neighbour (ARP and NDP, packets for the host, an
 * unresolved next hop, no route, TTL or hop limit running out, over the
 * MTU, multicast) is handed to the kernel's stack, which resolves it
 * and forwards, answers or refuses it: no packet is lost to resolution.
 */
#define PCN_CLOCK
#include <linux/tcp.h>
#include "pcn_cube.h"
#include "csum.h"
#include "parse.h"
#include "router.h"

#ifndef ICMP_FRAG_NEEDED
#define ICMP_FRAG_NEEDED 4
#endif
#ifndef IP_DF
#define IP_DF 0x4000
#endif
#ifndef AF_INET
#define AF_INET 2
#endif
#ifndef AF_INET6
#define AF_INET6 10
#endif

#define ARP_LEN (ETH_HLEN + 28)
/* the shortest Ethernet frame: an ARP request is padded to it (and a
 * TCP packet whose checksum is left to offload shrinks to no less) */
#define ARP_FRAME_LEN 60
/* an ICMP error: Ethernet, IPv4 and ICMP headers, and the quote */
#define ERR_HLEN (sizeof(struct iphdr) + sizeof(struct icmphdr))
#define QUOTE_MAX (60 + 20)

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PCN_MAX_PORTS);
	__type(key, __u32);
	__type(value, struct rt_port);
} rt_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, RT_ROUTES_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct rt_fib_key);
	__type(value, struct rt_fib_entry);
} rt_fib SEC(".maps");

/* the canonical list; the datapath never reads it */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RT_ROUTES_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct rt_route_key);
	__type(value, struct rt_route);
} rt_routes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RT_NEIGH_MAX);
	__type(key, struct rt_neigh_key);
	__type(value, struct rt_neigh);
} rt_neigh SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, RT_PENDING_MAX);
	__type(key, struct rt_neigh_key);
	__type(value, __u64);
} rt_pending SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rt_config);
} rt_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rt_stats);
} rt_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rt_mode);
} rt_mode SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PCN_MAX_PORTS);
	__type(key, __u32);
	__type(value, __u32);
} rt_ifports SEC(".maps");

static __always_inline struct rt_port *rt_port(__u32 port)
{
	return bpf_map_lookup_elem(&rt_ports, &port);
}

/* class D and E: multicast, reserved, limited broadcast */
static __always_inline int multicast(__be32 a)
{
	return (bpf_ntohl(a) >> 28) >= 0xe;
}

static __always_inline int mac_eq(const __u8 *a, const __u8 *b)
{
	const __u16 *x = (const __u16 *)a, *y = (const __u16 *)b;

	return !((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]));
}

/* An address of @p on the subnet of @a, else its primary one (0: none). */
static __always_inline __be32 port_addr_for(const struct rt_port *p,
					    __be32 a)
{
	int i;

	for (i = 0; i < RT_ADDRS_MAX; i++) {
		__u32 plen = p->addrs[i].plen;
		__be32 mask;

		if (!p->addrs[i].addr)
			break;
		mask = plen >= 32 ? ~0u : plen ? bpf_htonl(~0u << (32 - plen)) : 0;
		if (!((p->addrs[i].addr ^ a) & mask))
			return p->addrs[i].addr;
	}
	return p->addrs[0].addr;
}

static __always_inline int port_has_addr(const struct rt_port *p, __be32 a)
{
	int i;

	for (i = 0; i < RT_ADDRS_MAX; i++)
		if (p->addrs[i].addr && p->addrs[i].addr == a)
			return 1;
	return 0;
}

static __always_inline int pkt_resize(struct pcn_ctx *ctx, __u32 len)
{
#ifdef PCN_BUILD_XDP
	return bpf_xdp_adjust_tail(ctx, (int)len - (int)bpf_xdp_get_buff_len(ctx));
#else
	if (bpf_skb_change_tail(ctx, len, 0))
		return -1;
	return bpf_skb_pull_data(ctx, len);
#endif
}

/* Learn or refresh where @ip lives; @create: make an entry if none. */
static __always_inline void neigh_learn(__u32 port, __be32 ip,
					const __u8 *mac, int create,
					struct rt_stats *st)
{
	struct rt_neigh_key k = { .addr = ip, .port = port };
	struct rt_neigh *n, fresh = {};
	__u64 now = pcn_now_ns();

	if (!ip)
		return;
	n = bpf_map_lookup_elem(&rt_neigh, &k);
	if (n) {
		if (n->flags & RT_NEIGH_STATIC)
			return;
		/* in place: no map update for a neighbour already known */
		if (!mac_eq(n->mac, mac))
			__builtin_memcpy(n->mac, mac, ETH_ALEN);
		else if (!pcn_older(now, n->seen_ns, NSEC_PER_SEC))
			return;
		n->seen_ns = now;
		return;
	}
	if (!create)
		return;
	__builtin_memcpy(fresh.mac, mac, ETH_ALEN);
	fresh.seen_ns = now;
	if (bpf_map_update_elem(&rt_neigh, &k, &fresh, BPF_NOEXIST))
		PCN_COUNT(st, neigh_full);
	else
		PCN_COUNT(st, neigh_learned);
}

/* Turn the packet into a broadcast ARP request for @tip out of @p. */
static __always_inline int arp_request(struct pcn_ctx *ctx,
				       const struct rt_port *p, __be32 tip)
{
	void *data, *data_end;
	struct ethhdr *eth;
	struct arp_eth *a;

	if (pkt_resize(ctx, ARP_FRAME_LEN))
		return -1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	a = data + ETH_HLEN;
	if (data + ARP_FRAME_LEN > data_end)
		return -1;
	__builtin_memset(data + ARP_LEN, 0, ARP_FRAME_LEN - ARP_LEN);
	__builtin_memset(eth->h_dest, 0xff, ETH_ALEN);
	__builtin_memcpy(eth->h_source, p->mac, ETH_ALEN);
	eth->h_proto = bpf_htons(ETH_P_ARP);
	a->htype = bpf_htons(1);
	a->ptype = bpf_htons(ETH_P_IP);
	a->hlen = ETH_ALEN;
	a->plen = 4;
	a->op = bpf_htons(1);
	__builtin_memcpy(a->sha, p->mac, ETH_ALEN);
	a->sip = port_addr_for(p, tip);
	__builtin_memset(a->tha, 0, ETH_ALEN);
	a->tip = tip;
	return 0;
}

/*
 * Out of port @out to next hop @nh: MACs from the neighbour table, or
 * the packet becomes an ARP request for @nh. @fwd: count as forwarded.
 */
static __always_inline int neigh_tx(struct pcn_ctx *ctx, __u32 in,
				    __u32 out, __be32 nh, int fwd,
				    struct rt_stats *st)
{
	struct rt_neigh_key k = { .addr = nh, .port = out };
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct rt_config *cfg;
	struct rt_port *p;
	struct rt_neigh *n;
	__u64 now = 0, *last;
	__u32 zero = 0;

	p = rt_port(out);
	if (!p || (void *)(eth + 1) > data_end)
		return pcn_drop(ctx, in);
	n = bpf_map_lookup_elem(&rt_neigh, &k);
	if (n && !(n->flags & RT_NEIGH_STATIC)) {
		cfg = bpf_map_lookup_elem(&rt_config, &zero);
		now = pcn_now_ns();
		if (cfg && pcn_older(now, n->seen_ns, cfg->neigh_timeout_ns)) {
			/* aged out: forget it, and ask again */
			bpf_map_delete_elem(&rt_neigh, &k);
			n = NULL;
		}
	}
	if (n) {
		__builtin_memcpy(eth->h_dest, n->mac, ETH_ALEN);
		__builtin_memcpy(eth->h_source, p->mac, ETH_ALEN);
		if (fwd)
			PCN_COUNT(st, forwarded);
		return pcn_tx(ctx, out);
	}
	PCN_COUNT(st, no_neigh);
	if (!now)
		now = pcn_now_ns();
	last = bpf_map_lookup_elem(&rt_pending, &k);
	if (last && !pcn_older(now, *last, NSEC_PER_SEC))
		return pcn_drop(ctx, in);
	if (arp_request(ctx, p, nh))
		return pcn_drop(ctx, in);
	bpf_map_update_elem(&rt_pending, &k, &now, BPF_ANY);
	PCN_COUNT(st, arp_requested);
	return pcn_tx(ctx, out);
}

/* A packet the router sends itself (reply, error), to @daddr. */
static __always_inline int send_own(struct pcn_ctx *ctx, __u32 in,
				    __be32 daddr, struct rt_stats *st)
{
	struct rt_fib_key k = { .plen = 32, .prefix = daddr };
	struct rt_fib_entry *fe = bpf_map_lookup_elem(&rt_fib, &k);

	/* no way back: dropped, counted on the port */
	if (!fe || fe->kind == RT_KIND_LOCAL || fe->port >= PCN_MAX_PORTS)
		return pcn_drop(ctx, in);
	return neigh_tx(ctx, in, fe->port, fe->via ? fe->via : daddr, 0, st);
}

/*
 * Replace the packet by an ICMP error about it (RFC 792: its IPv4
 * header and 8 bytes of what follows), from the address of port @in
 * towards its source. @ihl and @tot are the offending header's; @rest
 * the ICMP header's second word (the next-hop MTU of "fragmentation
 * needed", RFC 1191).
 */
static __always_inline int icmp_error(struct pcn_ctx *ctx, __u32 in,
				      const struct rt_port *p, __u8 type,
				      __u8 code, __u32 ihl, __u32 tot,
				      __be32 rest, struct rt_stats *st)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + ETH_HLEN, *nip;
	struct icmphdr *ic;
	__be32 src, dst;
	__u32 quote, sum = 0;

	if ((void *)(ip + 1) > data_end)
		return pcn_drop(ctx, in);
	dst = ip->saddr;
	src = port_addr_for(p, dst);
	/* never about an ICMP error, a fragment after the first, or a
	 * source that is not one host */
	if (!src || !dst || multicast(dst) ||
	    (ip->frag_off & bpf_htons(0x1fff)))
		return pcn_drop(ctx, in);
	if (ip->protocol == IPPROTO_ICMP) {
		struct icmphdr *oic = (void *)ip + ihl;

		if ((void *)(oic + 1) > data_end)
			return pcn_drop(ctx, in);
		if (oic->type != ICMP_ECHO && oic->type != ICMP_ECHOREPLY &&
		    oic->type != ICMP_TIMESTAMP && oic->type != ICMP_TIMESTAMPREPLY)
			return pcn_drop(ctx, in);
	}
	/* RFC 792 asks for 8 bytes after the header, RFC 1812 allows more:
	 * a whole TCP header keeps a checksum left to offload inside */
	quote = ihl + (ip->protocol == IPPROTO_TCP ? 20 : 8);
	if (quote > tot)
		quote = tot;
	if (quote > QUOTE_MAX)
		return pcn_drop(ctx, in);
#ifdef PCN_BUILD_XDP
	if (bpf_xdp_adjust_head(ctx, -(int)ERR_HLEN))
		return pcn_drop(ctx, in);
#else
	if (bpf_skb_change_head(ctx, ERR_HLEN, 0))
		return pcn_drop(ctx, in);
#endif
	if (pkt_resize(ctx, ETH_HLEN + ERR_HLEN + quote))
		return pcn_drop(ctx, in);
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	nip = data + ETH_HLEN;
	ic = (void *)(nip + 1);
	if ((void *)(ic + 1) > data_end)
		return pcn_drop(ctx, in);
	((struct ethhdr *)data)->h_proto = bpf_htons(ETH_P_IP);
	nip->version = 4;
	nip->ihl = 5;
	nip->tos = 0xc0;
	nip->tot_len = bpf_htons(ERR_HLEN + quote);
	nip->id = 0;
	nip->frag_off = 0;
	nip->ttl = 64;
	nip->protocol = IPPROTO_ICMP;
	nip->saddr = src;
	nip->daddr = dst;
	pcn_ip_csum_set(nip, data_end);
	ic->type = type;
	ic->code = code;
	ic->checksum = 0;
	ic->rest = rest;
	PCN_CSUM_WORDS(sum, ic, sizeof(*ic) + quote, sizeof(*ic) + QUOTE_MAX,
		   data_end);
	if (quote & 1) {
		/* the last byte, as the first of a word padded with zero */
		__u8 *last = (void *)(ic + 1) + (quote & 0x7f) - 1;

		if ((void *)(last + 1) > data_end)
			return pcn_drop(ctx, in);
		sum += *last;
	}
	ic->checksum = pcn_csum_fold(sum);
	return send_own(ctx, in, dst, st);
}

/* For the router itself: echo requests answered, the rest by @p->local. */
static __always_inline int local_in(struct pcn_ctx *ctx, __u32 in,
				    const struct rt_port *p, __u32 ihl,
				    struct rt_stats *st)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *ip = data + ETH_HLEN;
	struct icmphdr *ic;
	__be32 me;

	if ((void *)(ip + 1) > data_end)
		return pcn_drop(ctx, in);
	ic = (void *)ip + ihl;
	if (ip->protocol != IPPROTO_ICMP || (void *)(ic + 1) > data_end ||
	    ic->type != ICMP_ECHO || ic->code ||
	    (ip->frag_off & bpf_htons(0x3fff))) {
		if (p->local == RT_LOCAL_PASS) {
			PCN_COUNT(st, local_passed);
			return pcn_pass(ctx, in);
		}
		PCN_COUNT(st, local_dropped);
		return pcn_drop(ctx, in);
	}
	/* the reply: same data, addresses swapped, type 0 */
	me = ip->daddr;
	ip->daddr = ip->saddr;
	ip->saddr = me;
	ip->ttl = 64;
	pcn_ip_csum_set(ip, data_end);
	ic->type = ICMP_ECHOREPLY;
	ic->checksum = pcn_csum_replace2(ic->checksum,
					 bpf_htons(ICMP_ECHO << 8),
					 bpf_htons(ICMP_ECHOREPLY << 8));
	PCN_COUNT(st, echo_replied);
	return send_own(ctx, in, ip->daddr, st);
}

static __always_inline int arp_in(struct pcn_ctx *ctx, __u32 in,
				  const struct rt_port *p,
				  struct rt_stats *st)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct arp_eth *a = data + ETH_HLEN;
	__u8 mac[ETH_ALEN];
	__be32 sip, tip;
	int ours;

	if ((void *)(a + 1) > data_end || a->htype != bpf_htons(1) ||
	    a->ptype != bpf_htons(ETH_P_IP) || a->hlen != ETH_ALEN ||
	    a->plen != 4) {
		PCN_COUNT(st, bad_header);
		return pcn_drop(ctx, in);
	}
	sip = a->sip;
	tip = a->tip;
	ours = port_has_addr(p, tip);
	if (!multicast(sip))
		neigh_learn(in, sip, a->sha, ours, st);
	if (ours && a->op == bpf_htons(1)) {
		/* the reply, in place */
		__builtin_memcpy(mac, a->sha, ETH_ALEN);
		a->op = bpf_htons(2);
		__builtin_memcpy(a->tha, mac, ETH_ALEN);
		a->tip = sip;
		__builtin_memcpy(a->sha, p->mac, ETH_ALEN);
		a->sip = tip;
		__builtin_memcpy(eth->h_dest, mac, ETH_ALEN);
		__builtin_memcpy(eth->h_source, p->mac, ETH_ALEN);
		PCN_COUNT(st, arp_replied);
		return pcn_tx(ctx, in);
	}
	if (ours)
		return PCN_DROP;	/* a reply to us: learned */
	if (p->local == RT_LOCAL_PASS) {
		PCN_COUNT(st, local_passed);
		return pcn_pass(ctx, in);
	}
	PCN_COUNT(st, not_routed);
	return pcn_drop(ctx, in);
}

/*
 * The IPv4 header after the Ethernet header, if it holds together
 * (length, checksum) and its source is one host: else NULL.
 */
static __always_inline struct iphdr *ipv4_in(struct pcn_ctx *ctx,
					     __u32 *ihl, __u32 *tot)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *ip;
	__u32 sum = 0;

	ip = pcn_ipv4_hdr(data + ETH_HLEN, data_end, ihl, tot);
	if (!ip)
		return NULL;
#ifdef PCN_BUILD_XDP
	if ((void *)ip + *tot > data_end)
		return NULL;
#else
	if (*tot > ctx->len - ETH_HLEN)
		return NULL;
#endif
	if (*ihl == sizeof(*ip)) {
		/* the common header: ten words, no loop */
		__u16 *w = (__u16 *)ip;

		sum = w[0] + w[1] + w[2] + w[3] + w[4] + w[5] + w[6] + w[7] +
		      w[8] + w[9];
	} else {
		PCN_CSUM_WORDS(sum, ip, *ihl, 60, data_end);
	}
	if (pcn_csum_fold(sum))
		return NULL;
	/* no source that is not one host */
	if (!ip->saddr || multicast(ip->saddr))
		return NULL;
	return ip;
}

/*
 * The length an IP packet has on the wire: its total length @tot, or
 * in TC, for a packet aggregated by GRO (or sent by a local socket as
 * one, GSO), that of the segments it is cut into on the way out. @l4
 * is its upper-layer header (protocol @proto), @hlen bytes after the
 * start of the IP header.
 */
static __always_inline __u32 ip_len(struct pcn_ctx *ctx, void *l4,
				    __u8 proto, __u32 hlen, __u32 tot)
{
#ifdef PCN_BUILD_TC
	void *data_end = (void *)(long)ctx->data_end;
	struct tcphdr *th = l4;
	__u32 l4len = 8;

	if (!ctx->gso_size)
		return tot;
	if (proto == IPPROTO_TCP) {
		if ((void *)(th + 1) > data_end)
			return tot;
		l4len = th->doff * 4;
	}
	return hlen + l4len + ctx->gso_size;
#else
	return tot;
#endif
}

/* fib kernel: for the kernel's stack, counted */
static __always_inline int to_stack(struct pcn_ctx *ctx, __u32 in,
				    struct rt_stats *st)
{
	PCN_COUNT(st, to_stack);
	return pcn_pass(ctx, in);
}

/*
 * fib kernel: forward by the namespace's FIB and neighbour cache. The
 * lookup is made as the kernel would for a packet in from the port's
 * interface (its forwarding setting, its rules); what it cannot finish
 * goes to the stack, which does: the first packets to a next hop the
 * kernel has not resolved are forwarded by the kernel while it asks.
 */
static __always_inline int fib_kernel(struct pcn_ctx *ctx, __u32 in,
				      const struct rt_port *p,
				      struct rt_stats *st)
{
	struct bpf_fib_lookup fp = {};
	void *data, *data_end;
	struct pcn_port *pp;
	struct ipv6hdr *ip6;
	struct ethhdr *eth;
	struct iphdr *ip;
	__u32 ihl, tot, *out;
	int rc;

	/* the kernel's table names interfaces, not cube links */
	pp = bpf_map_lookup_elem(&pcn_ports, &in);
	if (!pp || pp->peer != PCN_PEER_IFACE) {
		PCN_COUNT(st, not_routed);
		return pcn_drop(ctx, in);
	}
#ifdef PCN_BUILD_TC
	/* a tag is the kernel's business (its VLAN devices) */
	if (ctx->vlan_present)
		return to_stack(ctx, in, st);
	if (ctx->len > ctx->data_end - ctx->data)
		bpf_skb_pull_data(ctx, ctx->len < 128 ? ctx->len : 128);
#endif
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	if ((void *)(eth + 1) > data_end) {
		PCN_COUNT(st, bad_header);
		return pcn_drop(ctx, in);
	}
	/* ARP, NDP, multicast, another station's frames: the kernel's */
	if ((eth->h_dest[0] & 1) || !mac_eq(eth->h_dest, p->mac))
		return to_stack(ctx, in, st);
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		ip = ipv4_in(ctx, &ihl, &tot);
		if (!ip) {
			PCN_COUNT(st, bad_header);
			return pcn_drop(ctx, in);
		}
		if (ip->ttl <= 1) {
			/* the kernel sends time exceeded */
			PCN_COUNT(st, ttl_exceeded);
			return to_stack(ctx, in, st);
		}
		fp.family = AF_INET;
		fp.tos = ip->tos;
		fp.l4_protocol = ip->protocol;
		fp.ipv4_src = ip->saddr;
		fp.ipv4_dst = ip->daddr;
#ifdef PCN_BUILD_XDP
		fp.tot_len = tot;
#endif
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > data_end || ip6->version != 6) {
			PCN_COUNT(st, bad_header);
			return pcn_drop(ctx, in);
		}
		tot = sizeof(*ip6) + bpf_ntohs(ip6->payload_len);
#ifdef PCN_BUILD_XDP
		if (data + ETH_HLEN + tot > data_end) {
#else
		if (tot > ctx->len - ETH_HLEN) {
#endif
			PCN_COUNT(st, bad_header);
			return pcn_drop(ctx, in);
		}
		if (ip6->hop_limit <= 1) {
			PCN_COUNT(st, ttl_exceeded);
			return to_stack(ctx, in, st);
		}
		fp.family = AF_INET6;
		fp.flowinfo = *(__be32 *)ip6 & bpf_htonl(0x0fffffff);
		fp.l4_protocol = ip6->nexthdr;
		__builtin_memcpy(fp.ipv6_src, &ip6->saddr, 16);
		__builtin_memcpy(fp.ipv6_dst, &ip6->daddr, 16);
#ifdef PCN_BUILD_XDP
		fp.tot_len = tot;
#endif
	} else {
		return to_stack(ctx, in, st);
	}
	/* TC leaves tot_len 0: the kernel checks the skb against the
	 * egress MTU itself, aggregated (GRO) packets included */
	fp.ifindex = pp->ifindex;
	rc = bpf_fib_lookup(ctx, &fp, sizeof(fp), 0);
	switch (rc) {
	case BPF_FIB_LKUP_RET_SUCCESS:
		break;
	case BPF_FIB_LKUP_RET_NO_NEIGH:
		PCN_COUNT(st, no_neigh);
		return to_stack(ctx, in, st);
	case BPF_FIB_LKUP_RET_BLACKHOLE:
	case BPF_FIB_LKUP_RET_UNREACHABLE:
	case BPF_FIB_LKUP_RET_PROHIBIT:
		PCN_COUNT(st, no_route);
		return to_stack(ctx, in, st);
	case BPF_FIB_LKUP_RET_NOT_FWDED:
		/* for the host itself (or no route at all: the kernel
		 * tells which, and answers) */
		PCN_COUNT(st, local_passed);
		return to_stack(ctx, in, st);
	case BPF_FIB_LKUP_RET_FRAG_NEEDED:
		PCN_COUNT(st, frag_needed);
		return to_stack(ctx, in, st);
	default:
		/* forwarding off, tunnels, no source address: as the
		 * kernel sees fit */
		return to_stack(ctx, in, st);
	}
	out = bpf_map_lookup_elem(&rt_ifports, &fp.ifindex);
	if (!out)
		return to_stack(ctx, in, st);	/* not out of a port */
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return pcn_drop(ctx, in);
	if (fp.family == AF_INET) {
		ip = (void *)(eth + 1);
		if ((void *)(ip + 1) > data_end)
			return pcn_drop(ctx, in);
		pcn_ip_ttl_dec(ip);
	} else {
		ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > data_end)
			return pcn_drop(ctx, in);
		ip6->hop_limit--;
	}
	__builtin_memcpy(eth->h_dest, fp.dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, fp.smac, ETH_ALEN);
	PCN_COUNT(st, forwarded);
	return pcn_tx(ctx, *out);
}

/*
 * IPv6 in the own table (RFC 8200, 4443, 4861): the same steps as IPv4,
 * with neighbour discovery for ARP. Frames are for the port's MAC, or
 * to an IPv6 multicast MAC (33:33:...) when they carry a neighbour
 * solicitation; headers hold together or the packet is dropped and
 * counted. Extension headers are forwarded as they are (a router need
 * not look at them, RFC 8200 4.); a packet the router would answer
 * with an ICMPv6 error whose upper layer is behind them gets no error:
 * it is dropped and counted (ext_header), as an error needs to know
 * whether it would be about another error.
 */
#define ICMP6_HLEN		8
/* the quote in an ICMPv6 error: the IPv6 header and what follows, up to
 * this (RFC 4443 asks for as much as fits in 1280 bytes: less is what
 * every tool reads) */
#define QUOTE6_MAX		(40 + 64)
#define ERR6_HLEN		(sizeof(struct ipv6hdr) + ICMP6_HLEN)
/* NS and NA: ICMPv6 header, target, one link-layer address option */
#define ND_LEN			(ICMP6_HLEN + 16 + 8)
#define ND_FRAME_LEN		(ETH_HLEN + sizeof(struct ipv6hdr) + ND_LEN)
/* an ND message with its options, checked whole: no longer */
#define ND_MAX			64

#define ICMP6_DST_UNREACH	1
#define ICMP6_PKT_TOO_BIG	2
#define ICMP6_TIME_EXCEEDED	3
#define ICMP6_ECHO_REQUEST	128
#define ICMP6_ECHO_REPLY	129
#define ND_SOLICIT		135
#define ND_ADVERT		136
#define ND_OPT_SLLA		1
#define ND_OPT_TLLA		2

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PCN_MAX_PORTS);
	__type(key, __u32);
	__type(value, struct rt_port6);
} rt_ports6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, RT_ROUTES_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct rt_fib6_key);
	__type(value, struct rt_fib6_entry);
} rt_fib6 SEC(".maps");

/* the canonical list; the datapath never reads it */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RT_ROUTES_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct rt_route6_key);
	__type(value, struct rt_route);
} rt_routes6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RT_NEIGH_MAX);
	__type(key, struct rt_neigh6_key);
	__type(value, struct rt_neigh);
} rt_neigh6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, RT_PENDING_MAX);
	__type(key, struct rt_neigh6_key);
	__type(value, __u64);
} rt_pending6 SEC(".maps");

/*
 * After the packet changed size: the compiler must read ctx->data and
 * ctx->data_end anew, not from an address of a field it computed before
 * (the verifier refuses a load through a ctx pointer moved off ctx).
 */
#define ctx_fresh(ctx) asm volatile("" : "+r"(ctx))

struct nd_msg6 {
	__u8 type;
	__u8 code;
	__sum16 check;
	__be32 flags;
	__u8 target[16];
	__u8 opt_type;
	__u8 opt_len;			/* in units of 8 bytes */
	__u8 opt_mac[ETH_ALEN];
};

static __always_inline int a6_zero(const __u8 *a)
{
	const __u32 *w = (const __u32 *)a;

	return !(w[0] | w[1] | w[2] | w[3]);
}

static __always_inline int a6_eq(const __u8 *a, const __u8 *b)
{
	const __u32 *x = (const __u32 *)a, *y = (const __u32 *)b;

	return !((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) |
		 (x[3] ^ y[3]));
}

/* Do @a and @b share their first @plen bits? */
static __always_inline int a6_match(const __u8 *a, const __u8 *b,
				    __u32 plen)
{
	const __u32 *x = (const __u32 *)a, *y = (const __u32 *)b;
	int i;

	for (i = 0; i < 4; i++) {
		int bits = (int)plen - 32 * i;
		__u32 mask;

		if (bits <= 0)
			break;
		mask = bits >= 32 ? ~0u : bpf_htonl(~0u << (32 - bits));
		if ((x[i] ^ y[i]) & mask)
			return 0;
	}
	return 1;
}

/* ff00::/8 */
static __always_inline int a6_multicast(const __u8 *a)
{
	return a[0] == 0xff;
}

/* fe80::/10 */
static __always_inline int a6_linklocal(const __u8 *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

static __always_inline struct rt_port6 *rt_port6(__u32 port)
{
	return bpf_map_lookup_elem(&rt_ports6, &port);
}

/* An address of @p on the subnet of @a, else its primary (NULL: none). */
static __always_inline const __u8 *port6_addr_for(const struct rt_port6 *p,
						  const __u8 *a)
{
	int i;

	for (i = 0; i < RT_ADDRS6_MAX; i++) {
		if (a6_zero(p->addrs[i].addr))
			break;
		if (a6_match(p->addrs[i].addr, a, p->addrs[i].plen))
			return p->addrs[i].addr;
	}
	return a6_zero(p->addrs[0].addr) ? NULL : p->addrs[0].addr;
}

static __always_inline int port6_has_addr(const struct rt_port6 *p,
					  const __u8 *a)
{
	int i;

	for (i = 0; i < RT_ADDRS6_MAX; i++)
		if (!a6_zero(p->addrs[i].addr) && a6_eq(p->addrs[i].addr, a))
			return 1;
	return 0;
}

/* The sum of an IPv6 pseudo-header (RFC 8200 8.1) for ICMPv6. */
static __always_inline __u32 csum6_pseudo(const struct ipv6hdr *ip6,
					  __u32 len)
{
	const __u16 *s = (const __u16 *)&ip6->saddr;
	const __u16 *d = (const __u16 *)&ip6->daddr;
	__u32 sum = bpf_htons(len) + bpf_htons(IPPROTO_ICMPV6);
	int i;

	for (i = 0; i < 8; i++)
		sum += s[i] + d[i];
	return sum;
}

/* Learn or refresh where @ip lives; @create: make an entry if none. */
static __always_inline void neigh6_learn(__u32 port, const __u8 *ip,
					 const __u8 *mac, int create,
					 struct rt_stats *st)
{
	struct rt_neigh6_key k = { .port = port };
	struct rt_neigh *n, fresh = {};
	__u64 now = pcn_now_ns();

	__builtin_memcpy(k.addr, ip, 16);
	if (a6_zero(k.addr) || a6_multicast(k.addr) || (mac[0] & 1))
		return;
	n = bpf_map_lookup_elem(&rt_neigh6, &k);
	if (n) {
		if (n->flags & RT_NEIGH_STATIC)
			return;
		if (!mac_eq(n->mac, mac))
			__builtin_memcpy(n->mac, mac, ETH_ALEN);
		else if (!pcn_older(now, n->seen_ns, NSEC_PER_SEC))
			return;
		n->seen_ns = now;
		return;
	}
	if (!create)
		return;
	__builtin_memcpy(fresh.mac, mac, ETH_ALEN);
	fresh.seen_ns = now;
	if (bpf_map_update_elem(&rt_neigh6, &k, &fresh, BPF_NOEXIST))
		PCN_COUNT(st, neigh_full);
	else
		PCN_COUNT(st, neigh_learned);
}

/*
 * Fill the IPv6 header and ND message of an ND_FRAME_LEN frame from
 * @src to @dst, and its checksum: @type NS or NA, @flags, @target, and
 * the option (source or target link-layer address) @mac.
 */
static __always_inline int nd_fill(struct pcn_ctx *ctx, __u8 type,
				   __be32 flags, const __u8 *src,
				   const __u8 *dst, const __u8 *target,
				   const __u8 *mac)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ipv6hdr *ip6 = data + ETH_HLEN;
	struct nd_msg6 *nd = (void *)(ip6 + 1);
	__u32 sum;

	if ((void *)(nd + 1) > data_end)
		return -1;
	*(__be32 *)ip6 = bpf_htonl(0x60000000);
	ip6->payload_len = bpf_htons(ND_LEN);
	ip6->nexthdr = IPPROTO_ICMPV6;
	ip6->hop_limit = 255;		/* RFC 4861: it came from the link */
	__builtin_memcpy(&ip6->saddr, src, 16);
	__builtin_memcpy(&ip6->daddr, dst, 16);
	nd->type = type;
	nd->code = 0;
	nd->check = 0;
	nd->flags = flags;
	__builtin_memcpy(nd->target, target, 16);
	nd->opt_type = type == ND_SOLICIT ? ND_OPT_SLLA : ND_OPT_TLLA;
	nd->opt_len = 1;
	__builtin_memcpy(nd->opt_mac, mac, ETH_ALEN);
	sum = csum6_pseudo(ip6, ND_LEN);
	PCN_CSUM_WORDS(sum, nd, ND_LEN, ND_LEN, data_end);
	/* a fresh pointer: the loop's may be what the compiler kept */
	ctx_fresh(ctx);
	nd = (void *)(long)ctx->data + ETH_HLEN + sizeof(*ip6);
	if ((void *)(nd + 1) > (void *)(long)ctx->data_end)
		return -1;
	nd->check = pcn_csum_fold(sum);
	return 0;
}

/* Turn the packet into an NS for @tip out of @p (@p6 its addresses). */
static __always_inline int nd_solicit(struct pcn_ctx *ctx,
				      const struct rt_port *p,
				      const struct rt_port6 *p6,
				      const __u8 *tip)
{
	/* the solicited-node group of @tip: ff02::1:ffXX:XXXX */
	__u8 dst[16] = { 0xff, 0x02, [11] = 0x01, [12] = 0xff };
	__u8 src[16], target[16];
	const __u8 *me;
	struct ethhdr *eth;

	me = port6_addr_for(p6, tip);
	if (!me)
		return -1;
	/* copies: the packet the pointers may point into is rewritten */
	__builtin_memcpy(src, me, 16);
	__builtin_memcpy(target, tip, 16);
	dst[13] = target[13];
	dst[14] = target[14];
	dst[15] = target[15];
	if (pkt_resize(ctx, ND_FRAME_LEN))
		return -1;
	ctx_fresh(ctx);
	eth = (void *)(long)ctx->data;
	if ((void *)(eth + 1) > (void *)(long)ctx->data_end)
		return -1;
	eth->h_dest[0] = 0x33;
	eth->h_dest[1] = 0x33;
	__builtin_memcpy(eth->h_dest + 2, dst + 12, 4);
	__builtin_memcpy(eth->h_source, p->mac, ETH_ALEN);
	eth->h_proto = bpf_htons(ETH_P_IPV6);
	return nd_fill(ctx, ND_SOLICIT, 0, src, dst, target, p->mac);
}

/*
 * Out of port @out to next hop @nh: MACs from the neighbour table, or
 * the packet becomes a neighbour solicitation for @nh (at most one a
 * second per next hop), as neigh_tx() does with ARP for IPv4.
 */
static __always_inline int neigh6_tx(struct pcn_ctx *ctx, __u32 in,
				     __u32 out, const __u8 *nh, int fwd,
				     struct rt_stats *st)
{
	struct rt_neigh6_key k = { .port = out };
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct rt_config *cfg;
	struct rt_port6 *p6;
	struct rt_port *p;
	struct rt_neigh *n;
	__u64 now = 0, *last;
	__u32 zero = 0;

	__builtin_memcpy(k.addr, nh, 16);
	p = rt_port(out);
	p6 = rt_port6(out);
	if (!p || !p6 || (void *)(eth + 1) > data_end)
		return pcn_drop(ctx, in);
	n = bpf_map_lookup_elem(&rt_neigh6, &k);
	if (n && !(n->flags & RT_NEIGH_STATIC)) {
		cfg = bpf_map_lookup_elem(&rt_config, &zero);
		now = pcn_now_ns();
		if (cfg && pcn_older(now, n->seen_ns, cfg->neigh_timeout_ns)) {
			bpf_map_delete_elem(&rt_neigh6, &k);
			n = NULL;
		}
	}
	if (n) {
		__builtin_memcpy(eth->h_dest, n->mac, ETH_ALEN);
		__builtin_memcpy(eth->h_source, p->mac, ETH_ALEN);
		if (fwd)
			PCN_COUNT(st, forwarded);
		return pcn_tx(ctx, out);
	}
	PCN_COUNT(st, no_neigh);
	if (!now)
		now = pcn_now_ns();
	last = bpf_map_lookup_elem(&rt_pending6, &k);
	if (last && !pcn_older(now, *last, NSEC_PER_SEC))
		return pcn_drop(ctx, in);
	if (nd_solicit(ctx, p, p6, k.addr))
		return pcn_drop(ctx, in);
	bpf_map_update_elem(&rt_pending6, &k, &now, BPF_ANY);
	PCN_COUNT(st, nd_solicited);
	return pcn_tx(ctx, out);
}

/* A packet the router sends itself (reply, error), to @daddr. */
static __always_inline int send_own6(struct pcn_ctx *ctx, __u32 in,
				     const __u8 *daddr, struct rt_stats *st)
{
	struct rt_fib6_key k = { .plen = 128 };
	struct rt_fib6_entry *fe;

	__builtin_memcpy(k.prefix, daddr, 16);
	fe = bpf_map_lookup_elem(&rt_fib6, &k);
	if (!fe || fe->kind == RT_KIND_LOCAL || fe->port >= PCN_MAX_PORTS)
		return pcn_drop(ctx, in);
	return neigh6_tx(ctx, in, fe->port,
			 a6_zero(fe->via) ? k.prefix : fe->via, 0, st);
}

/*
 * Replace the packet by an ICMPv6 error about it (RFC 4443): its IPv6
 * header and what follows, up to QUOTE6_MAX bytes, from the address of
 * port @in towards its source. @tot: the offending packet's length;
 * @rest: the word after the checksum (the MTU of "packet too big").
 */
static __always_inline int icmp6_error(struct pcn_ctx *ctx, __u32 in,
				       __u8 type, __u8 code, __u32 tot,
				       __be32 rest, struct rt_stats *st)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ipv6hdr *ip6 = data + ETH_HLEN, *nip;
	__u8 src[16], dst[16], *ic;
	const __u8 *me;
	struct rt_port6 *p6;
	__u32 quote, sum;

	p6 = rt_port6(in);
	if (!p6 || (void *)(ip6 + 1) > data_end)
		return pcn_drop(ctx, in);
	__builtin_memcpy(dst, &ip6->saddr, 16);
	/* no error to a link-local source: it would not be routed back */
	if (a6_linklocal(dst))
		return pcn_drop(ctx, in);
	me = port6_addr_for(p6, dst);
	if (!me)
		return pcn_drop(ctx, in);
	__builtin_memcpy(src, me, 16);
	switch (ip6->nexthdr) {
	case IPPROTO_ICMPV6:
		ic = (void *)(ip6 + 1);
		if ((void *)(ic + 1) > data_end)
			return pcn_drop(ctx, in);
		/* never about an ICMPv6 error (types below 128) */
		if (!(ic[0] & 0x80))
			return pcn_drop(ctx, in);
		break;
	case IPPROTO_HOPOPTS:
	case IPPROTO_ROUTING:
	case IPPROTO_FRAGMENT:
	case IPPROTO_DSTOPTS:
	case IPPROTO_AH:
	case 135:			/* mobility */
	case 139:			/* HIP */
	case 140:			/* shim6 */
	case 253:
	case 254:			/* experiments */
		PCN_COUNT(st, ext_header);
		return pcn_drop(ctx, in);
	}
	quote = tot < QUOTE6_MAX ? tot : QUOTE6_MAX;
#ifdef PCN_BUILD_XDP
	if (bpf_xdp_adjust_head(ctx, -(int)ERR6_HLEN))
		return pcn_drop(ctx, in);
#else
	if (bpf_skb_change_head(ctx, ERR6_HLEN, 0))
		return pcn_drop(ctx, in);
#endif
	if (pkt_resize(ctx, ETH_HLEN + ERR6_HLEN + quote))
		return pcn_drop(ctx, in);
	ctx_fresh(ctx);
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	nip = data + ETH_HLEN;
	ic = (void *)(nip + 1);
	if ((void *)(ic + ICMP6_HLEN) > data_end)
		return pcn_drop(ctx, in);
	((struct ethhdr *)data)->h_proto = bpf_htons(ETH_P_IPV6);
	*(__be32 *)nip = bpf_htonl(0x60000000);
	nip->payload_len = bpf_htons(ICMP6_HLEN + quote);
	nip->nexthdr = IPPROTO_ICMPV6;
	nip->hop_limit = 64;
	__builtin_memcpy(&nip->saddr, src, 16);
	__builtin_memcpy(&nip->daddr, dst, 16);
	ic[0] = type;
	ic[1] = code;
	*(__u16 *)(ic + 2) = 0;
	*(__be32 *)(ic + 4) = rest;
	sum = csum6_pseudo(nip, ICMP6_HLEN + quote);
	PCN_CSUM_WORDS(sum, ic, ICMP6_HLEN + quote, ICMP6_HLEN + QUOTE6_MAX,
		       data_end);
	if (quote & 1) {
		/* the last byte, as the first of a word padded with zero */
		__u8 *last = ic + ICMP6_HLEN + (quote & 0x7f) - 1;

		if ((void *)(last + 1) > data_end)
			return pcn_drop(ctx, in);
		sum += *last;
	}
	ctx_fresh(ctx);
	ic = (void *)(long)ctx->data + ETH_HLEN + sizeof(*nip);
	if ((void *)(ic + ICMP6_HLEN) > (void *)(long)ctx->data_end)
		return pcn_drop(ctx, in);
	*(__u16 *)(ic + 2) = pcn_csum_fold(sum);
	return send_own6(ctx, in, dst, st);
}

/* Not routed, not for the router's datapath: by @p->local, counted. */
static __always_inline int local_other(struct pcn_ctx *ctx, __u32 in,
				       const struct rt_port *p,
				       struct rt_stats *st)
{
	if (p->local == RT_LOCAL_PASS) {
		PCN_COUNT(st, local_passed);
		return pcn_pass(ctx, in);
	}
	PCN_COUNT(st, local_dropped);
	return pcn_drop(ctx, in);
}

/* Neighbour discovery for another host: as ARP (arp_in()), counted. */
static __always_inline int not_ours(struct pcn_ctx *ctx, __u32 in,
				    const struct rt_port *p,
				    struct rt_stats *st)
{
	if (p->local == RT_LOCAL_PASS) {
		PCN_COUNT(st, local_passed);
		return pcn_pass(ctx, in);
	}
	PCN_COUNT(st, not_routed);
	return pcn_drop(ctx, in);
}

/*
 * Neighbour discovery (RFC 4861 7.): a solicitation for an address of
 * the port is answered in place (router, solicited, override) and its
 * sender learned; an advertisement refreshes its target, and creates
 * it when it is to us (the answer to our solicitation). @tot is the
 * packet's IPv6 length; the message is checked whole (hop limit 255,
 * code 0, length, checksum) before anything is learned.
 */
static __always_inline int nd_in(struct pcn_ctx *ctx, __u32 in,
				 const struct rt_port *p, __u32 tot,
				 struct rt_stats *st)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6 = data + ETH_HLEN;
	struct nd_msg6 *nd = (void *)(ip6 + 1);
	__u8 peer[16], target[16], mac[ETH_ALEN], *opt;
	struct rt_port6 *p6;
	__u32 len, sum, off;
	int ours, has_ll = 0;

	p6 = rt_port6(in);
	if (!p6 || (void *)(nd + 1) > data_end)
		goto bad;
	len = tot - sizeof(*ip6);
	if (ip6->hop_limit != 255 || nd->code || len < ICMP6_HLEN + 16 ||
	    len > ND_MAX || (len & 7))
		goto bad;
	sum = csum6_pseudo(ip6, len);
	PCN_CSUM_WORDS(sum, nd, len, ND_MAX, data_end);
	if (pcn_csum_fold(sum))
		goto bad;
	/* the first option, if it is a link-layer address */
	off = ICMP6_HLEN + 16;
	opt = (void *)nd + off;
	if (len >= off + 8 && (void *)(opt + 8) <= data_end) {
		if (!opt[1])
			goto bad;	/* RFC 4861 4.6: length 0 is invalid */
		if (opt[1] == 1 &&
		    opt[0] == (nd->type == ND_SOLICIT ? ND_OPT_SLLA
						      : ND_OPT_TLLA)) {
			__builtin_memcpy(mac, opt + 2, ETH_ALEN);
			has_ll = 1;
		}
	}
	__builtin_memcpy(target, nd->target, 16);
	__builtin_memcpy(peer, &ip6->saddr, 16);
	if (a6_multicast(target))
		goto bad;
	ours = port6_has_addr(p6, target);
	if (nd->type == ND_ADVERT) {
		if (has_ll)
			neigh6_learn(in, target, mac,
				     port6_has_addr(p6, (__u8 *)&ip6->daddr),
				     st);
		if (ours)
			return PCN_DROP;	/* someone else claims it */
		return not_ours(ctx, in, p, st);
	}
	/* a solicitation */
	if (a6_zero(peer)) {
		/* duplicate address detection: nothing to learn, and a
		 * defence is not the datapath's (RFC 4862) */
		if (has_ll)
			goto bad;
		if (ours)
			return PCN_DROP;
		return not_ours(ctx, in, p, st);
	}
	if (has_ll)
		neigh6_learn(in, peer, mac, ours, st);
	if (!ours)
		return not_ours(ctx, in, p, st);
	/* the answer goes to the sender's link-layer address */
	if (!has_ll)
		__builtin_memcpy(mac, eth->h_source, ETH_ALEN);
	if (pkt_resize(ctx, ND_FRAME_LEN))
		return pcn_drop(ctx, in);
	ctx_fresh(ctx);
	eth = (void *)(long)ctx->data;
	if ((void *)(eth + 1) > (void *)(long)ctx->data_end)
		return pcn_drop(ctx, in);
	__builtin_memcpy(eth->h_dest, mac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, p->mac, ETH_ALEN);
	if (nd_fill(ctx, ND_ADVERT, bpf_htonl(0xe0000000), target, peer,
		    target, p->mac))
		return pcn_drop(ctx, in);
	PCN_COUNT(st, nd_advertised);
	return pcn_tx(ctx, in);
bad:
	PCN_COUNT(st, bad_header);
	return pcn_drop(ctx, in);
}

/* For the router itself: echo requests answered, the rest by @p->local. */
static __always_inline int local6_in(struct pcn_ctx *ctx, __u32 in,
				     const struct rt_port *p,
				     struct rt_stats *st)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ipv6hdr *ip6 = data + ETH_HLEN;
	__u8 *ic = (void *)(ip6 + 1), me[16];

	if ((void *)(ic + ICMP6_HLEN) > data_end)
		return pcn_drop(ctx, in);
	if (ip6->nexthdr != IPPROTO_ICMPV6 || ic[0] != ICMP6_ECHO_REQUEST ||
	    ic[1])
		return local_other(ctx, in, p, st);
	/* the reply: addresses swapped (the pseudo-header sums the same),
	 * type 129 */
	__builtin_memcpy(me, &ip6->daddr, 16);
	__builtin_memcpy(&ip6->daddr, &ip6->saddr, 16);
	__builtin_memcpy(&ip6->saddr, me, 16);
	ip6->hop_limit = 64;
	ic[0] = ICMP6_ECHO_REPLY;
	*(__sum16 *)(ic + 2) =
		pcn_csum_replace2(*(__sum16 *)(ic + 2),
				  bpf_htons(ICMP6_ECHO_REQUEST << 8),
				  bpf_htons(ICMP6_ECHO_REPLY << 8));
	PCN_COUNT(st, echo_replied);
	__builtin_memcpy(me, &ip6->daddr, 16);
	return send_own6(ctx, in, me, st);
}

/* An IPv6 frame on port @in of the own-table router. */
static __noinline int route6(struct pcn_ctx *ctx, __u32 in,
				  const struct rt_port *p,
				  struct rt_stats *st)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6 = data + ETH_HLEN;
	struct rt_fib6_key fk = { .plen = 128 };
	struct rt_fib6_entry *fe;
	struct rt_port *po;
	__u8 *ic = (void *)(ip6 + 1);
	__u32 tot, out;
	int mcast;

	if ((void *)(ip6 + 1) > data_end || ip6->version != 6)
		goto bad;
	tot = sizeof(*ip6) + bpf_ntohs(ip6->payload_len);
#ifdef PCN_BUILD_XDP
	if ((void *)ip6 + tot > data_end)
		goto bad;
#else
	if (tot > ctx->len - ETH_HLEN)
		goto bad;
#endif
	mcast = eth->h_dest[0] & 1;
	/* neighbour discovery: the only multicast the router takes */
	if (ip6->nexthdr == IPPROTO_ICMPV6 && (void *)(ic + 1) <= data_end &&
	    (ic[0] == ND_SOLICIT || ic[0] == ND_ADVERT)) {
		if (mcast && !(eth->h_dest[0] == 0x33 &&
			       eth->h_dest[1] == 0x33))
			goto bad;
		if (!mcast && !mac_eq(eth->h_dest, p->mac))
			goto other;
		return nd_in(ctx, in, p, tot, st);
	}
	if (mcast || !mac_eq(eth->h_dest, p->mac))
		goto other;
	/* a source that is one host, a destination that is not nothing */
	if (a6_zero((__u8 *)&ip6->saddr) || a6_multicast((__u8 *)&ip6->saddr) ||
	    a6_zero((__u8 *)&ip6->daddr))
		goto bad;
	/* multicast and link-local destinations are not routed */
	if (a6_multicast((__u8 *)&ip6->daddr) ||
	    a6_linklocal((__u8 *)&ip6->daddr))
		goto other;
	__builtin_memcpy(fk.prefix, &ip6->daddr, 16);
	fe = bpf_map_lookup_elem(&rt_fib6, &fk);
	if (!fe || fe->port >= PCN_MAX_PORTS) {
		PCN_COUNT(st, no_route);
		return icmp6_error(ctx, in, ICMP6_DST_UNREACH, 0, tot, 0, st);
	}
	if (fe->kind == RT_KIND_LOCAL)
		return local6_in(ctx, in, p, st);
	/* RFC 4291 2.5.6: a link-local source stays on its link */
	if (a6_linklocal((__u8 *)&ip6->saddr)) {
		PCN_COUNT(st, not_routed);
		return pcn_drop(ctx, in);
	}
	if (ip6->hop_limit <= 1) {
		PCN_COUNT(st, ttl_exceeded);
		return icmp6_error(ctx, in, ICMP6_TIME_EXCEEDED, 0, tot, 0, st);
	}
	/* an IPv6 router never fragments: over the MTU, "packet too big" */
	out = fe->port;
	po = rt_port(out);
	if (po && po->mtu &&
	    ip_len(ctx, ic, ip6->nexthdr, sizeof(*ip6), tot) > po->mtu) {
		PCN_COUNT(st, frag_needed);
		return icmp6_error(ctx, in, ICMP6_PKT_TOO_BIG, 0, tot,
				   bpf_htonl(po->mtu), st);
	}
	ip6->hop_limit--;
	/* a copy: the entry may change under the packet */
	__builtin_memcpy(fk.prefix, a6_zero(fe->via) ? (__u8 *)&ip6->daddr
						     : fe->via, 16);
	return neigh6_tx(ctx, in, out, fk.prefix, 1, st);
other:
	PCN_COUNT(st, not_routed);
	return pcn_drop(ctx, in);
bad:
	PCN_COUNT(st, bad_header);
	return pcn_drop(ctx, in);
}

PCN_PROG(router)
{
	void *data, *data_end;
	struct rt_fib_key fk = { .plen = 32 };
	struct rt_fib_entry *fe;
	struct rt_stats *st;
	struct ethhdr *eth;
	struct pcn_eth e;
	struct rt_port *p, *po;
	struct rt_mode *mode;
	struct iphdr *ip;
	struct pcn_md md;
	__u32 zero = 0, ihl, tot;
	int in;

	in = pcn_rx(ctx, &md);
	if (in < 0)
		return PCN_DROP;
	st = bpf_map_lookup_elem(&rt_stats, &zero);
	p = rt_port(in);
	if (!p)
		return pcn_drop(ctx, in);
	mode = bpf_map_lookup_elem(&rt_mode, &zero);
	if (mode && mode->fib == RT_FIB_KERNEL)
		return fib_kernel(ctx, in, p, st);
#ifdef PCN_BUILD_TC
	if (ctx->vlan_present) {
		PCN_COUNT(st, bad_header);
		return pcn_drop(ctx, in);
	}
	if (ctx->len > ctx->data_end - ctx->data)
		bpf_skb_pull_data(ctx, ctx->len < 128 ? ctx->len : 128);
#endif
	/* no tag is looked through: a tagged frame is not routed here */
	if (pcn_parse_eth(ctx, &e, 0)) {
		PCN_COUNT(st, bad_header);
		return pcn_drop(ctx, in);
	}
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	if ((void *)(eth + 1) > data_end)
		return pcn_drop(ctx, in);
	if (eth->h_proto == bpf_htons(ETH_P_ARP)) {
		if (!(eth->h_dest[0] & 1) &&
		    !mac_eq(eth->h_dest, p->mac)) {
			PCN_COUNT(st, not_routed);
			return pcn_drop(ctx, in);
		}
		return arp_in(ctx, in, p, st);
	}
	if (eth->h_proto == bpf_htons(ETH_P_IPV6))
		return route6(ctx, in, p, st);
	if (!mac_eq(eth->h_dest, p->mac)) {
		PCN_COUNT(st, not_routed);
		return pcn_drop(ctx, in);
	}
	if (eth->h_proto != bpf_htons(ETH_P_IP)) {
		/* other protocols, and tags: not routed here */
		if (e.more)
			PCN_COUNT(st, bad_header);
		else
			PCN_COUNT(st, not_routed);
		return pcn_drop(ctx, in);
	}

	ip = ipv4_in(ctx, &ihl, &tot);
	if (!ip)
		goto bad;
	if (!ip->daddr || multicast(ip->daddr)) {
		PCN_COUNT(st, not_routed);
		return pcn_drop(ctx, in);
	}

	fk.prefix = ip->daddr;
	fe = bpf_map_lookup_elem(&rt_fib, &fk);
	if (!fe || fe->port >= PCN_MAX_PORTS) {
		PCN_COUNT(st, no_route);
		return icmp_error(ctx, in, p, ICMP_DEST_UNREACH,
				  ICMP_NET_UNREACH, ihl, tot, 0, st);
	}
	if (fe->kind == RT_KIND_LOCAL)
		return local_in(ctx, in, p, ihl, st);
	if (ip->ttl <= 1) {
		PCN_COUNT(st, ttl_exceeded);
		return icmp_error(ctx, in, p, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL,
				  ihl, tot, 0, st);
	}
	/* over the MTU of the port out: "fragmentation needed" if the
	 * sender said not to fragment; the router does not fragment */
	po = rt_port(fe->port);
	if (po && po->mtu &&
	    ip_len(ctx, (void *)ip + (ihl & 0x3c), ip->protocol, ihl, tot) >
		    po->mtu) {
		PCN_COUNT(st, frag_needed);
		if (!(ip->frag_off & bpf_htons(IP_DF)))
			return pcn_drop(ctx, in);
		return icmp_error(ctx, in, p, ICMP_DEST_UNREACH,
				  ICMP_FRAG_NEEDED, ihl, tot,
				  bpf_htonl(po->mtu), st);
	}
	/* TTL - 1, the checksum kept in step */
	pcn_ip_ttl_dec(ip);
	return neigh_tx(ctx, in, fe->port, fe->via ? fe->via : ip->daddr, 1,
			st);
bad:
	PCN_COUNT(st, bad_header);
	return pcn_drop(ctx, in);
}
