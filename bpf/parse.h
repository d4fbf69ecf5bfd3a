/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One packet parser for every cube, in layers a cube takes as far as it
 * needs: Ethernet and its VLAN tags (pcn_parse_eth(): the bridge, the
 * router), then IPv4 or IPv6 with its extension headers and the L4
 * ports, flags and ICMP quote (pcn_parse_ip(): the firewall, and the
 * cubes that track flows). Each layer fills a per-packet struct; all of
 * it is inlined, so a cube pays for the layers it calls, no more.
 *
 * Fail closed: what cannot be read whole is PCN_PARSE_BAD, and the cube
 * drops it, counted, before it decides anything on it.
 */
#ifndef __PCN_PARSE_H
#define __PCN_PARSE_H

#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <bpf/bpf_endian.h>
#include "pcn_cube.h"
#include "proto.h"

enum { PCN_PARSE_OK, PCN_PARSE_OTHER, PCN_PARSE_BAD };

/* IPv6 extension headers walked; the upper-layer header comes next */
#define PCN_MAX_EXT		8

/* Ethernet and the VLAN tags that were looked through. */
struct pcn_eth {
	__be16 proto;		/* the ethertype after them */
	__u16 vid;		/* the outer tag's VLAN id, when tagged */
	__u8 tagged;		/* an outer tag: in the data, or set aside */
	__u8 ntags;		/* tags seen, the one set aside included */
	__u8 more;		/* a tag follows the last one looked through */
	__u8 aside;		/* tc: the outer tag is in skb->vlan_tci */
	void *l3;		/* what follows the tags */
};

static __always_inline int pcn_is_vlan(__be16 p)
{
	return p == bpf_htons(ETH_P_8021Q) || p == bpf_htons(ETH_P_8021AD);
}

/*
 * The frame's Ethernet header and its VLAN tags, @max of them at most
 * (a constant). In tc the stack has moved the outer tag out of the data
 * into the skb (always on ingress; on egress where the device offloads
 * it): it counts as the outer tag, and one fewer is read in the data.
 * Return: 0, or -1 if the frame ends inside what was looked at.
 */
static __always_inline int pcn_parse_eth(struct pcn_ctx *ctx,
					 struct pcn_eth *e, const int max)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	void *cur = data + ETH_HLEN;
	__be16 proto;
	int i;

	if ((void *)(eth + 1) > end)
		return -1;
	proto = eth->h_proto;
	e->ntags = 0;
	e->tagged = 0;
	e->aside = 0;
	e->vid = 0;
#ifdef PCN_BUILD_TC
	if (ctx->vlan_present) {
		e->tagged = 1;
		e->aside = 1;
		e->vid = ctx->vlan_tci & 0xfff;
		e->ntags = 1;
	}
#endif
	for (i = e->ntags; i < max && pcn_is_vlan(proto); i++) {
		struct vlan_hdr *vh = cur;

		if ((void *)(vh + 1) > end)
			return -1;
		if (!e->tagged) {
			e->tagged = 1;
			e->vid = bpf_ntohs(vh->tci) & 0xfff;
		}
		e->ntags++;
		proto = vh->proto;
		cur = vh + 1;
	}
	e->more = pcn_is_vlan(proto);
	e->proto = proto;
	e->l3 = cur;
	return 0;
}

/*
 * The IPv4 header at @l3: version 4, a header length of 20 to 60 bytes
 * within the frame (@end), a total length no less than it.
 * Return: the header, with its length in *@ihl and the total in *@tot;
 * NULL if it is cut short or wrong.
 */
static __always_inline struct iphdr *pcn_ipv4_hdr(void *l3, void *end,
						  __u32 *ihl, __u32 *tot)
{
	struct iphdr *ip = l3;

	if ((void *)(ip + 1) > end)
		return NULL;
	*ihl = ip->ihl * 4;
	*tot = bpf_ntohs(ip->tot_len);
	if (ip->version != 4 || *ihl < sizeof(*ip) || *tot < *ihl ||
	    (void *)ip + *ihl > end)
		return NULL;
	return ip;
}

/*
 * The two ends of a flow in a fixed order, side 0 first: the lower
 * address, or on equal addresses the lower port; for ICMP echo the
 * "ports" are its id. Both directions of a flow find the same key.
 */
struct pcn_flow_key {
	__u8 family;
	__u8 proto;
	__u16 pad;
	__u16 port[2];
	__u8 addr[2][16];
};

/* What an IP packet is, as rules and flows see it. */
struct pcn_ip {
	__u8 family;			/* 4 or 6 */
	__u8 proto;
	__u8 flags;			/* TCP */
	__u8 l4;			/* 0: a later fragment, ports unknown;
					 * 1: no ports; 2: ports; 3: TCP */
	__u16 sport;
	__u16 dport;
	__u8 src[16];
	__u8 dst[16];
	/* its flow: the ends (ports, or an echo id), whether it can be
	 * tracked, and for an ICMP error the flow it quotes, as that
	 * flow's packets would see it */
	__u16 ct_port[2];
	__u8 ct_ok;
	__u8 icmp_reply;		/* an echo reply: opens nothing */
	__u8 icmp_error;		/* 1: an error; 2: its quote read */
	__u8 tcp_flags;
	struct pcn_flow_key quoted;
	/* bytes from the IP header to the L4 header (after any IPv6
	 * extension headers): where a cube that rewrites ports finds them */
	__u16 l4_off;
	__u16 pad;
	/* ICMP or ICMPv6 whose 8-byte header is there: its type, code */
	__u8 icmp_ok;
	__u8 icmp_type;
	__u8 icmp_code;
	/* TCP: the segment's numbers, and the sequence space it takes
	 * (data, and SYN and FIN one each), for connection tracking */
	__u32 tcp_seq;
	__u32 tcp_ack;
	__u32 tcp_len;
};

static __always_inline int pcn_icmp_is_error(__u8 proto, __u8 type)
{
	if (proto == IPPROTO_ICMP)
		return type == 3 || type == 4 || type == 5 || type == 11 ||
		       type == 12;
	return proto == PCN_IPPROTO_ICMPV6 && type >= 1 && type <= 4;
}

static __always_inline int pcn_icmp_is_echo(__u8 proto, __u8 type)
{
	if (proto == IPPROTO_ICMP)
		return type == 8 || type == 0;
	return proto == PCN_IPPROTO_ICMPV6 && (type == 128 || type == 129);
}

/* the big-endian 32-bit word at @b */
static __always_inline __u32 pcn_be32(const __u8 *b)
{
	return (__u32)b[0] << 24 | (__u32)b[1] << 16 | (__u32)b[2] << 8 | b[3];
}

/*
 * Put the two ends of a flow in key order. Return: 1 if they swapped.
 *
 * The addresses compare as memcmp() would, a 32-bit word at a time
 * (the first differing word, read big-endian, decides as its first
 * differing byte would): four compares where a byte loop had sixteen,
 * for the CPU and for the verifier. (The verifier's work in the cubes
 * that parse was elsewhere: see pcn_parse_ip_at().)
 */
static __always_inline int pcn_flow_order(struct pcn_flow_key *ck,
					  const __u8 *a, __u16 pa,
					  const __u8 *b, __u16 pb)
{
	__u32 x, y;
	int i, swap;

	swap = pa > pb;
	for (i = 0; i < 16; i += 4) {
		__builtin_memcpy(&x, a + i, 4);
		__builtin_memcpy(&y, b + i, 4);
		if (x != y) {
			swap = bpf_ntohl(x) > bpf_ntohl(y);
			break;
		}
	}
	__builtin_memcpy(ck->addr[0], swap ? b : a, 16);
	__builtin_memcpy(ck->addr[1], swap ? a : b, 16);
	ck->port[0] = swap ? pb : pa;
	ck->port[1] = swap ? pa : pb;
	return swap;
}

/*
 * ICMP: an echo is tracked by its id; an error quotes the header of
 * the packet it is about, whose flow is looked for (as the quoted
 * packet's sender saw it: the ends as they are in it). The quote must
 * lie within the IP packet (@lim bytes from @l4): what follows it in
 * the frame is padding, not a quote.
 */
static __always_inline void pcn_parse_icmp(void *l4, void *end, __u64 lim,
					   struct pcn_ip *k)
{
	__u8 *b = l4, *in;
	__u8 qsrc[16] = {}, qdst[16] = {};
	__u16 qs = 0, qd = 0;
	__u32 ihl, quoted;

	if (k->proto != IPPROTO_ICMP && k->proto != PCN_IPPROTO_ICMPV6)
		return;
	if ((void *)(b + 8) > end || lim < 8)
		return;
	k->icmp_ok = 1;
	k->icmp_type = b[0];
	k->icmp_code = b[1];
	if (pcn_icmp_is_echo(k->proto, b[0])) {
		k->ct_port[0] = k->ct_port[1] = ((__u16)b[4] << 8) | b[5];
		k->ct_ok = 1;
		k->icmp_reply = b[0] == 0 || b[0] == 129;
		return;
	}
	if (!pcn_icmp_is_error(k->proto, b[0]))
		return;
	k->icmp_error = 1;
	in = b + 8;
	if (k->family == 4) {
		struct iphdr *ip = (void *)in;

		if ((void *)(ip + 1) > end)
			return;
		ihl = ip->ihl * 4;
		if (ihl < sizeof(*ip) || ihl > 60)
			return;
		k->quoted.proto = ip->protocol;
		__builtin_memcpy(qsrc, &ip->saddr, 4);
		__builtin_memcpy(qdst, &ip->daddr, 4);
		in += ihl;
		quoted = 8 + ihl + 8;
	} else {
		struct ipv6hdr *ip6 = (void *)in;

		if ((void *)(ip6 + 1) > end)
			return;
		k->quoted.proto = ip6->nexthdr;
		__builtin_memcpy(qsrc, &ip6->saddr, 16);
		__builtin_memcpy(qdst, &ip6->daddr, 16);
		in += sizeof(*ip6);
		quoted = 8 + sizeof(*ip6) + 8;
	}
	/* the quoted header and 8 bytes of what it carried */
	if ((void *)(in + 8) > end || lim < quoted)
		return;
	if (k->quoted.proto == IPPROTO_TCP || k->quoted.proto == IPPROTO_UDP) {
		qs = ((__u16)in[0] << 8) | in[1];
		qd = ((__u16)in[2] << 8) | in[3];
	} else if (pcn_icmp_is_echo(k->quoted.proto, in[0])) {
		qs = qd = ((__u16)in[4] << 8) | in[5];
	} else {
		return;
	}
	k->quoted.family = k->family;
	pcn_flow_order(&k->quoted, qsrc, qs, qdst, qd);
	k->icmp_error = 2;		/* a flow to look for */
}

/*
 * TCP/UDP ports and TCP flags at @l4, or PCN_PARSE_BAD if cut short: by
 * the frame (@end) or by the IP packet's length (@lim; what follows it
 * is padding)
 */
static __always_inline int pcn_parse_l4(void *l4, void *end, __u64 lim,
					struct pcn_ip *k)
{
	__u8 *b = l4;

	k->l4 = 1;
	if (k->proto == IPPROTO_TCP) {
		if ((void *)(b + 20) > end || lim < 20)
			return PCN_PARSE_BAD;
		k->flags = b[13];
		k->tcp_flags = b[13];
		k->l4 = 3;
		k->tcp_seq = pcn_be32(b + 4);
		k->tcp_ack = pcn_be32(b + 8);
		/* a data offset past the packet: no data (the options are
		 * not read; the window check keeps its margin for it) */
		k->tcp_len = (lim > (__u64)(b[12] >> 4) * 4 ?
			      lim - (b[12] >> 4) * 4 : 0) +
			     !!(b[13] & TCP_SYN) + !!(b[13] & TCP_FIN);
	} else if (k->proto == IPPROTO_UDP) {
		if ((void *)(b + 8) > end || lim < 8)
			return PCN_PARSE_BAD;
		k->l4 = 2;
	} else {
		pcn_parse_icmp(l4, end, lim, k);
		return PCN_PARSE_OK;	/* no ports: rules on ports skip it */
	}
	k->sport = ((__u16)b[0] << 8) | b[1];
	k->dport = ((__u16)b[2] << 8) | b[3];
	k->ct_port[0] = k->sport;
	k->ct_port[1] = k->dport;
	k->ct_ok = 1;
	return PCN_PARSE_OK;
}

/* pcn_parse_ip()'s work, inlined into pcn_parse_ip_at() */
static __always_inline int pcn_parse_ip_body(struct pcn_ctx *ctx,
					     const struct pcn_eth *e,
					     struct pcn_ip *k)
{
	void *end = (void *)(long)ctx->data_end;
	void *cur = e->l3;
	int i;

	if (e->proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip;
		__u32 ihl, tot;

		ip = pcn_ipv4_hdr(cur, end, &ihl, &tot);
		if (!ip)
			return PCN_PARSE_BAD;
		k->family = 4;
		k->proto = ip->protocol;
		__builtin_memcpy(k->src, &ip->saddr, 4);
		__builtin_memcpy(k->dst, &ip->daddr, 4);
		k->l4_off = ihl;
		if (ip->frag_off & bpf_htons(PCN_IP_OFFSET))
			return PCN_PARSE_OK;	/* a later fragment: no ports */
		return pcn_parse_l4((void *)ip + ihl, end, tot - ihl, k);
	}
	if (e->proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = cur;
		__u64 ext;
		__u8 next;

		if ((void *)(ip6 + 1) > end)
			return PCN_PARSE_BAD;
		if (ip6->version != 6)
			return PCN_PARSE_BAD;
		k->family = 6;
		__builtin_memcpy(k->src, &ip6->saddr, 16);
		__builtin_memcpy(k->dst, &ip6->daddr, 16);
		next = ip6->nexthdr;
		cur = ip6 + 1;
		for (i = 0; i <= PCN_MAX_EXT; i++) {
			struct ext_hdr *x;

			/*
			 * Where this header is, read back from memory as
			 * below: every way through the header before (the
			 * fragment, AH, the others) then reaches this one
			 * as one state of the verifier, not one each.
			 */
			k->l4_off = cur - (void *)ip6;
			cur = (void *)ip6 + (*(volatile __u16 *)&k->l4_off &
					     0x7fff);
			x = cur;

			if (next != IPPROTO_HOPOPTS && next != IPPROTO_ROUTING &&
			    next != IPPROTO_DSTOPTS && next != IPPROTO_FRAGMENT &&
			    next != IPPROTO_AH)
				break;
			/* more than we look through */
			if (i == PCN_MAX_EXT || (void *)(x + 1) > end)
				return PCN_PARSE_BAD;
			if (next == IPPROTO_FRAGMENT) {
				if (x->frag_off & bpf_htons(0xfff8)) {
					k->proto = x->next;
					return PCN_PARSE_OK;	/* no ports */
				}
				cur += 8;
			} else if (next == IPPROTO_AH) {
				cur += ((__u32)x->len + 2) * 4;
			} else {
				cur += ((__u32)x->len + 1) * 8;
			}
			next = x->next;
		}
		k->proto = next;
		/*
		 * Where the L4 header is, read back from memory: the
		 * verifier then knows no more of it than its 15 bits (8
		 * extension headers take at most 16 KiB), the
		 * same on every walk of the extension headers, and checks
		 * what follows once instead of once per walk.
		 */
		k->l4_off = sizeof(*ip6) + (cur - (void *)(ip6 + 1));
		ext = *(volatile __u16 *)&k->l4_off & 0x7fff;
		cur = (void *)ip6 + ext;
		ext -= sizeof(*ip6);
		/* the bytes of the payload left after the extension headers */
		return pcn_parse_l4(cur, end, ext > bpf_ntohs(ip6->payload_len) ? 0 :
				    bpf_ntohs(ip6->payload_len) - ext, k);
	}
	return PCN_PARSE_OTHER;
}

/*
 * pcn_parse_ip() as a global function: the verifier checks it once, on
 * its own, instead of once for every state its caller reaches it in,
 * and its caller goes on from one state instead of one per way through
 * the IPv6 extension headers and the ICMP quote. That was most of the
 * verifier's work in every cube that parses (three quarters of a
 * firewall program's, Documentation/performance.md). @l3_off is where
 * the IP header begins (a packet pointer cannot cross the call), @proto
 * the ethertype. The caller then knows of @k only what it checks: the
 * cubes read its fields as the untrusted values they are.
 */
__noinline int pcn_parse_ip_at(struct pcn_ctx *ctx, __u32 l3_off,
			       __u32 proto, struct pcn_ip *k)
{
	struct pcn_eth e = { .proto = proto };

	if (!ctx || !k)
		return PCN_PARSE_BAD;
	/* Ethernet and at most a few tags: anything else is not ours */
	if (l3_off > 255)
		return PCN_PARSE_BAD;
	/* the compiler would drop a mask it sees is redundant; the
	 * verifier needs one on the register that is added */
	asm volatile("" : "+r"(l3_off));
	l3_off &= 0xff;
	e.l3 = (void *)(long)ctx->data + l3_off;
	return pcn_parse_ip_body(ctx, &e, k);
}

/*
 * The IPv4 or IPv6 packet after the tags of @e into @k (zeroed by the
 * caller): addresses, protocol after any IPv6 extension headers (at most
 * PCN_MAX_EXT of them), ports and flags unless a later fragment.
 * Return: PCN_PARSE_OK; PCN_PARSE_OTHER for a frame that is not IP;
 * PCN_PARSE_BAD if cut short, or a header is wrong.
 */
static __always_inline int pcn_parse_ip(struct pcn_ctx *ctx,
					const struct pcn_eth *e,
					struct pcn_ip *k)
{
	return pcn_parse_ip_at(ctx, e->l3 - (void *)(long)ctx->data,
			       e->proto, k);
}

#endif /* __PCN_PARSE_H */
