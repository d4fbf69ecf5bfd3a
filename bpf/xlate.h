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

#endif /* __PCN_XLATE_H */
