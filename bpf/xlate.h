/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Address and port translation in the datapath, for every cube that
 * rewrites packets (NAT; the load balancers next): an IPv4 or IPv6
 * address, a TCP/UDP port or an ICMP echo id set to a new value, every
 * checksum that covers it kept in step by an incremental update (RFC
 * 1624), never recomputed over the packet.
 *
 *   pcn_xloc_of()      where a parsed packet's headers are (offsets)
 *   pcn_xlate_addr()   source or destination address := new one
 *   pcn_xlate_port()   source or destination port (ICMP echo: the id)
 *
 * The checksums: IPv4's header checksum for an address; the L4
 * checksum for an address where the pseudo header covers it (TCP, UDP,
 * ICMPv6, not ICMPv4) and for a port. A UDP checksum of zero (IPv4: "no
 * checksum") stays zero, and one that comes out zero is written 0xffff.
 *
 * Everything is read and written by offset, with the load/store
 * helpers: the same code serves XDP and TC. TC updates the L4
 * checksum through bpf_l4_csum_replace(), which knows a checksum left
 * to offload (CHECKSUM_PARTIAL: only the pseudo header is summed in
 * it, so a port change must not touch it); in XDP a frame never is.
 */
#ifndef __PCN_XLATE_H
#define __PCN_XLATE_H

#include "pcn_cube.h"
#include "csum.h"
#include "parse.h"

/* Where a packet's headers are: byte offsets from the frame's start. */
struct pcn_xloc {
	__u32 l3;			/* the IP header */
	__u32 l4;			/* the L4 header; 0: none to rewrite */
	__u8 family;			/* 4 or 6 */
	__u8 proto;
	__u16 pad;
};

/* Offsets of the L4 checksum, from the L4 header (0: none). */
static __always_inline __u32 pcn_l4_csum_off(__u8 proto)
{
	if (proto == IPPROTO_TCP)
		return 16;
	if (proto == IPPROTO_UDP)
		return 6;
	if (proto == IPPROTO_ICMP || proto == PCN_IPPROTO_ICMPV6)
		return 2;
	return 0;
}

/* The headers of packet @k, whose IP header begins at @l3 of @ctx. */
static __always_inline void pcn_xloc_of(struct pcn_ctx *ctx, const void *l3,
					const struct pcn_ip *k,
					struct pcn_xloc *x)
{
	x->l3 = l3 - (void *)(long)ctx->data;
	x->l4 = k->l4 ? x->l3 + k->l4_off : 0;
	x->family = k->family;
	x->proto = k->proto;
}

static __always_inline long pcn_load(struct pcn_ctx *ctx, __u32 off, void *to,
				     __u32 len)
{
#ifdef PCN_BUILD_TC
	return bpf_skb_load_bytes(ctx, off, to, len);
#else
	return bpf_xdp_load_bytes(ctx, off, to, len);
#endif
}

static __always_inline long pcn_store(struct pcn_ctx *ctx, __u32 off,
				      const void *from, __u32 len)
{
#ifdef PCN_BUILD_TC
	return bpf_skb_store_bytes(ctx, off, (void *)from, len, 0);
#else
	return bpf_xdp_store_bytes(ctx, off, (void *)from, len);
#endif
}

/*
 * The change of a checksum when @len bytes (2, 4 or 16, a constant) go
 * from @from to @to: the 16-bit words taken out (complemented) and put
 * in, summed.
 */
static __always_inline __u32 pcn_csum_delta(const void *from, const void *to,
					    const int len)
{
	const __u16 *f = from, *t = to;
	__u32 d = 0;
	int i;

#pragma unroll
	for (i = 0; i < len / 2; i++)
		d += (__u16)~f[i] + t[i];
	return d;
}

/* Flags of pcn_csum_add(). */
#define PCN_CSUM_PSEUDO		0x1	/* the field is in the pseudo header */
#define PCN_CSUM_UDP		0x2	/* zero means none, and stays */
#define PCN_CSUM_L3		0x4	/* the IPv4 header's own */

/* Add @d (see pcn_csum_delta()) to the checksum at @off. 0 or < 0. */
static __always_inline long pcn_csum_add(struct pcn_ctx *ctx, __u32 off,
					 __u32 d, __u32 flags)
{
#ifdef PCN_BUILD_TC
	if (flags & PCN_CSUM_L3)
		return bpf_l3_csum_replace(ctx, off, 0, d, 0);
	return bpf_l4_csum_replace(ctx, off, 0, d,
				   (flags & PCN_CSUM_PSEUDO ? BPF_F_PSEUDO_HDR : 0) |
				   (flags & PCN_CSUM_UDP ? BPF_F_MARK_MANGLED_0 : 0));
#else
	__u16 c;

	if (bpf_xdp_load_bytes(ctx, off, &c, 2))
		return -1;
	if ((flags & PCN_CSUM_UDP) && !c)
		return 0;
	c = pcn_csum_fold((__u16)~c + d);
	if ((flags & PCN_CSUM_UDP) && !c)
		c = 0xffff;
	return bpf_xdp_store_bytes(ctx, off, &c, 2);
#endif
}

/* The L4 checksum's flags for a change of an address (@addr) or not. */
static __always_inline __u32 pcn_l4_csum_flags(__u8 proto, int addr)
{
	__u32 f = proto == IPPROTO_UDP ? PCN_CSUM_UDP : 0;

	if (addr && proto != IPPROTO_ICMP)
		f |= PCN_CSUM_PSEUDO;
	return f;
}

/*
 * Set the source (@dst 0) or destination (@dst 1) address of the packet
 * at @x to @to (4 bytes for IPv4, 16 for IPv6), the checksums kept in
 * step. Return: 0, or < 0 if the packet could not be read or written
 * (then it may be half rewritten: drop it).
 */
static __always_inline long pcn_xlate_addr(struct pcn_ctx *ctx,
					   const struct pcn_xloc *x, int dst,
					   const __u8 *to)
{
	__u32 off, csum = x->l4 ? pcn_l4_csum_off(x->proto) : 0, d;
	__u8 old[16];

	if (x->family == 4) {
		off = x->l3 + 12 + (dst ? 4 : 0);
		if (pcn_load(ctx, off, old, 4))
			return -1;
		d = pcn_csum_delta(old, to, 4);
		if (pcn_csum_add(ctx, x->l3 + 10, d, PCN_CSUM_L3))
			return -1;
	} else {
		off = x->l3 + 8 + (dst ? 16 : 0);
		if (pcn_load(ctx, off, old, 16))
			return -1;
		d = pcn_csum_delta(old, to, 16);
	}
	/* ICMPv4's checksum covers no address */
	if (csum && x->proto != IPPROTO_ICMP &&
	    pcn_csum_add(ctx, x->l4 + csum, d, pcn_l4_csum_flags(x->proto, 1)))
		return -1;
	return pcn_store(ctx, off, to, x->family == 4 ? 4 : 16);
}

/*
 * Set the source (@dst 0) or destination (@dst 1) port of a TCP or UDP
 * packet, or the id of an ICMP echo (either), to @to (host order), the
 * L4 checksum kept in step. Return: 0, or < 0 (see pcn_xlate_addr()).
 */
static __always_inline long pcn_xlate_port(struct pcn_ctx *ctx,
					   const struct pcn_xloc *x, int dst,
					   __u16 to)
{
	__u32 csum = pcn_l4_csum_off(x->proto), off;
	__be16 old, new = bpf_htons(to);

	if (!x->l4 || !csum)
		return -1;
	if (x->proto == IPPROTO_ICMP || x->proto == PCN_IPPROTO_ICMPV6)
		off = x->l4 + 4;
	else
		off = x->l4 + (dst ? 2 : 0);
	if (pcn_load(ctx, off, &old, 2))
		return -1;
	if (old == new)
		return 0;
	if (pcn_csum_add(ctx, x->l4 + csum, pcn_csum_delta(&old, &new, 2),
			 pcn_l4_csum_flags(x->proto, 0)))
		return -1;
	return pcn_store(ctx, off, &new, 2);
}

/*
 * ICMP errors. An error (destination unreachable, time exceeded,
 * packet too big...) quotes the head of the packet it is about: its IP
 * header and at least 8 bytes of what that carried, the ports or the
 * echo id. When the quoted packet belongs to a translated flow, the
 * quote is translated too, as the packet looked before it was (or as
 * it will look after), so that its sender can tell which socket it is
 * about:
 *
 *   pcn_xquote_of()    where an error's quote is, and what it says
 *   pcn_xlate_quote()  its addresses and ports := new ones
 *
 * The outer header's addresses are the caller's (pcn_xlate_addr()).
 * The quote lies in the ICMP message, which the ICMP checksum covers:
 * every word changed in it (the quoted addresses and ports, the quoted
 * IPv4 header's checksum, the quoted L4 checksum when the error carries
 * it) is added to the ICMP checksum's change, applied once. All of
 * them are at even offsets from the ICMP header (the quote starts at
 * its 8th byte, the quoted L4 header 4-byte aligned in the quote), so
 * the 16-bit words line up.
 */

/* An ICMP error's quote, offsets from the frame's start. */
struct pcn_xquote {
	__u32 l3;			/* the quoted IP header */
	__u32 l4;			/* its L4 header */
	__u32 l4_len;			/* bytes of it in the error (>= 8) */
	__u8 family;
	__u8 proto;			/* TCP, UDP, ICMP or ICMPv6 echo */
	__u16 sport;			/* host order; an echo: its id in */
	__u16 dport;			/* both */
	__u16 pad;
	__u8 src[16];			/* IPv4: 4 bytes, then zeros */
	__u8 dst[16];
};

/*
 * The quote of the ICMP error at @x (its L4 header the ICMP one) into
 * @q, read by offset. Return: 0; 1 if it quotes nothing a flow is
 * known by (a protocol without ports, an ICMP that is no echo, IPv6
 * extension headers); -1 if it is cut short (by the frame, or by the
 * error's IP length) or wrong, or quotes a fragment after the first:
 * fail closed.
 */
static __always_inline int pcn_xquote_of(struct pcn_ctx *ctx,
					 const struct pcn_xloc *x,
					 struct pcn_xquote *q)
{
	__u32 end, ihl;
	__u16 len;
	__u8 b[20];

	if (!x->l4)
		return -1;
	/* where the error's IP packet ends: what follows is padding */
	if (pcn_load(ctx, x->l3 + (x->family == 4 ? 2 : 4), &len, 2))
		return -1;
	end = x->l3 + bpf_ntohs(len) + (x->family == 4 ? 0 : 40);
	q->l3 = x->l4 + 8;
	q->family = x->family;
	q->pad = 0;
	__builtin_memset(q->src, 0, 16);
	__builtin_memset(q->dst, 0, 16);
	if (pcn_load(ctx, q->l3, b, 20))
		return -1;
	if (x->family == 4) {
		ihl = (b[0] & 0xf) * 4;
		if ((b[0] >> 4) != 4 || ihl < 20)
			return -1;
		if (((b[6] << 8) | b[7]) & PCN_IP_OFFSET)
			return -1;
		q->proto = b[9];
		__builtin_memcpy(q->src, b + 12, 4);
		__builtin_memcpy(q->dst, b + 16, 4);
	} else {
		ihl = 40;
		if ((b[0] >> 4) != 6)
			return -1;
		q->proto = b[6];
		if (pcn_load(ctx, q->l3 + 8, q->src, 16) ||
		    pcn_load(ctx, q->l3 + 24, q->dst, 16))
			return -1;
	}
	q->l4 = q->l3 + ihl;
	if (q->l4 + 8 > end)
		return -1;
	q->l4_len = end - q->l4;
	if (pcn_load(ctx, q->l4, b, 8))
		return -1;
	if (q->proto == IPPROTO_TCP || q->proto == IPPROTO_UDP) {
		q->sport = (b[0] << 8) | b[1];
		q->dport = (b[2] << 8) | b[3];
		return 0;
	}
	if ((q->proto == IPPROTO_ICMP || q->proto == PCN_IPPROTO_ICMPV6) &&
	    q->proto == (x->family == 4 ? IPPROTO_ICMP : PCN_IPPROTO_ICMPV6) &&
	    pcn_icmp_is_echo(q->proto, b[0])) {
		q->sport = q->dport = (b[4] << 8) | b[5];
		return 0;
	}
	return 1;
}

/* Set @len bytes (a constant) at @off to @to; their checksum change
 * added to *@d. */
static __always_inline long pcn_xquote_set(struct pcn_ctx *ctx, __u32 off,
					   const void *to, const int len,
					   __u32 *d)
{
	__u8 old[16];

	if (pcn_load(ctx, off, old, len))
		return -1;
	*d += pcn_csum_delta(old, to, len);
	return pcn_store(ctx, off, to, len);
}

/*
 * Add @d to a checksum inside a quote, at @off: plain bytes, no state
 * of the skb's to keep (@udp: zero stays zero); its own change added
 * to *@icmp.
 */
static __always_inline long pcn_xquote_csum(struct pcn_ctx *ctx, __u32 off,
					    __u32 d, int udp, __u32 *icmp)
{
	__u16 old, new;

	if (pcn_load(ctx, off, &old, 2))
		return -1;
	if (udp && !old)
		return 0;
	new = pcn_csum_fold((__u16)~old + d);
	if (udp && !new)
		new = 0xffff;
	*icmp += pcn_csum_delta(&old, &new, 2);
	return pcn_store(ctx, off, &new, 2);
}

/*
 * Set the addresses and ports (an echo: @sport is the id) of quote @q,
 * of the ICMP error at @x, to @src, @dst, @sport, @dport (host order),
 * its checksums and the error's ICMP checksum kept in step (not the
 * part of an ICMPv6 checksum that covers the outer addresses: that is
 * pcn_xlate_addr()'s). Return: 0, or < 0 (see pcn_xlate_addr()).
 */
static __always_inline long pcn_xlate_quote(struct pcn_ctx *ctx,
					    const struct pcn_xloc *x,
					    const struct pcn_xquote *q,
					    const __u8 *src, const __u8 *dst,
					    __u16 sport, __u16 dport)
{
	__u32 da = 0, dp = 0, icmp = 0, csum = pcn_l4_csum_off(q->proto);
	int echo = q->proto != IPPROTO_TCP && q->proto != IPPROTO_UDP;
	__be16 p;

	if (q->family == 4) {
		if (pcn_xquote_set(ctx, q->l3 + 12, src, 4, &da) ||
		    pcn_xquote_set(ctx, q->l3 + 16, dst, 4, &da) ||
		    pcn_xquote_csum(ctx, q->l3 + 10, da, 0, &icmp))
			return -1;
	} else {
		if (pcn_xquote_set(ctx, q->l3 + 8, src, 16, &da) ||
		    pcn_xquote_set(ctx, q->l3 + 24, dst, 16, &da))
			return -1;
	}
	p = bpf_htons(sport);
	if (pcn_xquote_set(ctx, q->l4 + (echo ? 4 : 0), &p, 2, &dp))
		return -1;
	p = bpf_htons(dport);
	if (!echo && pcn_xquote_set(ctx, q->l4 + 2, &p, 2, &dp))
		return -1;
	icmp += da + dp;
	/* the quoted L4 checksum, when the error carries it (a TCP one
	 * lies past the 8 bytes an error must carry) */
	if (csum + 2 <= q->l4_len &&
	    pcn_xquote_csum(ctx, q->l4 + csum,
			    q->proto == IPPROTO_ICMP ? dp : da + dp,
			    q->proto == IPPROTO_UDP, &icmp))
		return -1;
	return pcn_csum_add(ctx, x->l4 + 2, icmp, 0);
}

#endif /* __PCN_XLATE_H */
