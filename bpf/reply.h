/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Answers the datapath makes itself from a packet it received: built in
 * a per-CPU buffer (the firewall's REJECT, bpf/fw_reject.h; the DDoS
 * cube's SYN cookies, bpf/ddos_syn.h), then written over the frame and
 * sent back toward its sender. What they share: big-endian words in a
 * byte buffer, the checksum of a span of it, and the way back.
 */
#ifndef __PCN_REPLY_H
#define __PCN_REPLY_H

#include <linux/if_ether.h>
#include "pcn_cube.h"
#include "csum.h"
#include "parse.h"

static __always_inline void pcn_put_be32(__u8 *p, __u32 v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* one's complement sum of @a and @b, 32 bits */
static __always_inline __u32 pcn_csum_add(__u32 a, __u32 b)
{
	__u64 s = (__u64)a + b;

	return (s & 0xffffffff) + (s >> 32);
}

/* the checksum of @size bytes at @p (a multiple of 4) after @seed */
static __always_inline __u16 pcn_csum_bytes(__u8 *p, __u32 size, __u32 seed)
{
	__s64 s = bpf_csum_diff(NULL, 0, (void *)p, size, seed);

	return pcn_csum_fold(s < 0 ? 0 : (__u32)s);
}

/* the frame's first @n bytes into @in (the buffer the answer is made
 * from). Return: 0, or -1. */
static __always_inline int pcn_reply_read(struct pcn_ctx *ctx, void *in,
					  __u32 n)
{
#ifdef PCN_BUILD_XDP
	return bpf_xdp_load_bytes(ctx, 0, in, n) ? -1 : 0;
#else
	return bpf_skb_load_bytes(ctx, 0, in, n) ? -1 : 0;
#endif
}

/* where the network header of the frame read into @in starts (after at
 * most two VLAN tags), its EtherType in @proto */
static __always_inline __u32 pcn_reply_l3(const __u8 *in, __u16 *proto)
{
	__u32 l3 = ETH_HLEN;
	__u16 p = (__u16)in[12] << 8 | in[13];

	if (p == ETH_P_8021Q || p == ETH_P_8021AD) {
		l3 += 4;
		p = (__u16)in[16] << 8 | in[17];
		if (p == ETH_P_8021Q || p == ETH_P_8021AD) {
			l3 += 4;
			p = (__u16)in[20] << 8 | in[21];
		}
	}
	*proto = p;
	return l3;
}

/*
 * The frame (@len bytes) becomes the answer's @rlen bytes at @out.
 * Return: 0, or -1 if the frame could not be resized or written.
 */
static __always_inline int pcn_reply_write(struct pcn_ctx *ctx,
					   const void *out, __u32 rlen,
					   __u32 len)
{
#ifdef PCN_BUILD_XDP
	if (rlen > len ? bpf_xdp_adjust_head(ctx, -(int)(rlen - len)) :
	    rlen < len ? bpf_xdp_adjust_tail(ctx, -(int)(len - rlen)) : 0)
		return -1;
	return bpf_xdp_store_bytes(ctx, 0, (void *)out, rlen) ? -1 : 0;
#else
	return bpf_skb_change_tail(ctx, rlen, 0) ||
	       bpf_skb_store_bytes(ctx, 0, out, rlen, 0) ? -1 : 0;
#endif
}

/*
 * The verdict that sends the answer pcn_reply_write() made: back out of
 * the device the packet came in by; in TC, an answer to a packet on its
 * way out (@dir egress) goes into that device's own stack instead, as
 * if received.
 *
 * In XDP a redirect, not XDP_TX: a veth's XDP_TX wakes its peer's NAPI
 * only if the peer has an XDP program of its own (veth_xdp_flush()), so
 * with GRO alone there (what an XDP_REDIRECT into a veth needs, see
 * DESIGN.md) the answer waited in the peer's ring for the next frame to
 * push it, seconds later; a redirect's flush wakes it always. A NIC
 * transmits it as well, by ndo_xdp_xmit.
 */
static __always_inline int pcn_reply_send(struct pcn_ctx *ctx, __u32 dir)
{
#ifdef PCN_BUILD_XDP
	return bpf_redirect(ctx->ingress_ifindex, 0);
#else
	return bpf_redirect(ctx->ifindex,
			    dir == PCN_DIR_EGRESS ? BPF_F_INGRESS : 0);
#endif
}

#endif /* __PCN_REPLY_H */
