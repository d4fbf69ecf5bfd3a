/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The firewall's reject: the packet a rule of action reject dropped is
 * turned, in place, into the answer its sender gets back, as iptables'
 * REJECT makes it: a TCP RST (RFC 9293 3.10.7.1: the RST takes the
 * acknowledgement number of a segment that had one, else acknowledges
 * it), or an ICMP (RFC 792) or ICMPv6 (RFC 4443) destination
 * unreachable quoting the start of the packet, from the address the
 * packet was sent to, Ethernet addresses swapped, VLAN tags kept.
 *
 * Where it goes: on the way in, back out of the interface the frame
 * came in on (in XDP a redirect to it, see fw_reject(); in tc, a
 * redirect to the device's egress); on the
 * way out (tc), into the interface's stack as if received there, which
 * delivers it to the host's socket or routes it back to a forwarded
 * packet's sender. A chain on the way out of a cube port (md.ifindex
 * set) and XDP's egress chains have no way back: there it is a drop.
 *
 * Never answered (the packet is dropped): ICMP and ICMPv6 errors and
 * unknown ICMP types, a TCP RST, fragments (first or later), IPv6
 * packets with extension headers, packets to or from a multicast or
 * broadcast address (Ethernet or IP) or from an unspecified one, and
 * whatever is cut short. Fail closed.
 *
 * A global function: the verifier checks it once, on its own, not in
 * the states of the classifier that calls it.
 *
 * The frame's first bytes are read into a per-CPU buffer, the answer is
 * built in a second one and written over the frame, resized: no packet
 * pointer walks the headers, so the verifier follows scalars and
 * bounded buffer offsets, and the classifier's program grows little. A
 * packet pays for it only when a reject rule matches.
 */
#ifndef __PCN_FW_REJECT_H
#define __PCN_FW_REJECT_H

#include <linux/if_ether.h>
#include <bpf/bpf_endian.h>
#include "pcn_cube.h"
#include "csum.h"
#include "reply.h"
#include "proto.h"
#include "firewall.h"

#define FW_REJ_IN	256		/* bytes of the frame read, at most */
#define FW_REJ_QUOTE	128		/* bytes of its IP packet quoted */
#define FW_REJ_BUF	512		/* a buffer: any masked offset fits */

#define FW_TCP_FIN	0x01
#define FW_TCP_SYN	0x02
#define FW_TCP_RST	0x04
#define FW_TCP_ACK	0x10

struct fw_rej_buf {
	__u8 in[FW_REJ_BUF];		/* the frame's first bytes */
	__u8 out[FW_REJ_BUF];		/* the answer */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fw_rej_buf);
} fw_rej_buf SEC(".maps");

/* multicast, broadcast (IPv4 255.255.255.255) or 0.0.0.0 */
static __always_inline int fw_rej_bad4(const __u8 *a)
{
	return (!a[0] && !a[1] && !a[2] && !a[3]) ||
	       (a[0] == 0xff && a[1] == 0xff && a[2] == 0xff && a[3] == 0xff) ||
	       (a[0] >> 4) == 0xe;
}

static __always_inline int fw_rej_bad6(const __u8 *a)
{
	__u64 x = 0;
	int i;

	for (i = 0; i < 16; i++)
		x |= a[i];
	return !x || a[0] == 0xff;
}

/*
 * The TCP RST answering the segment at @t (@len bytes of data after
 * its header), at @n
 */
static __always_inline void fw_rej_rst(__u8 *n, const __u8 *t, __u32 len)
{
	__u8 flags = t[13];

	n[0] = t[2];
	n[1] = t[3];
	n[2] = t[0];
	n[3] = t[1];
	pcn_put_be32(n + 4, 0);
	pcn_put_be32(n + 8, 0);
	if (flags & FW_TCP_ACK) {
		__builtin_memcpy(n + 4, t + 8, 4);
		n[13] = FW_TCP_RST;
	} else {
		pcn_put_be32(n + 8, pcn_be32(t + 4) + len +
				    !!(flags & FW_TCP_SYN) +
				    !!(flags & FW_TCP_FIN));
		n[13] = FW_TCP_RST | FW_TCP_ACK;
	}
	n[12] = 5 << 4;
	pcn_put_be32(n + 14, 0);	/* window, checksum */
	n[18] = n[19] = 0;		/* urgent pointer */
}

/*
 * The answer to the IPv4 packet at @l3 of the frame (@len bytes, the
 * first @n of them in @b->in), built in @b->out. Return: its length,
 * or 0 for none.
 */
static __always_inline __u32 fw_rej4(struct fw_rej_buf *b, __u32 l3, __u32 n,
				     __u32 len, __u32 how)
{
	__u8 *in = b->in, *out = b->out, *ip = out + l3, *t;
	__u32 ihl, tot, l4, quote, seed, doff;
	__u8 proto;

	if (l3 + 20 > n || (in[l3] >> 4) != 4)
		return 0;
	ihl = (in[l3] & 0xf) * 4;
	tot = (__u32)in[l3 + 2] << 8 | in[l3 + 3];
	proto = in[l3 + 9];
	if (ihl < 20 || tot < ihl || l3 + tot > len ||
	    (in[l3 + 6] & 0x3f) || in[l3 + 7] ||
	    fw_rej_bad4(in + l3 + 12) || fw_rej_bad4(in + l3 + 16))
		return 0;
	l4 = (l3 + ihl) & 0xff;
	__builtin_memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[8] = 64;			/* TTL */
	__builtin_memcpy(ip + 12, in + l3 + 16, 4);
	__builtin_memcpy(ip + 16, in + l3 + 12, 4);
	t = ip + 20;
	if ((how & 0xff) == FW_REJECT_TCP_RESET) {
		if (proto != IPPROTO_TCP || l4 + 20 > n || tot < ihl + 20)
			return 0;
		doff = (in[l4 + 12] >> 4) * 4;
		if ((in[l4 + 13] & FW_TCP_RST) || doff < 20 ||
		    tot < ihl + doff)
			return 0;
		fw_rej_rst(t, in + l4, tot - ihl - doff);
		tot = 40;
		ip[9] = IPPROTO_TCP;
		/* the pseudo-header: addresses, protocol, length */
		seed = bpf_csum_diff(NULL, 0, (void *)(ip + 12), 8,
				     bpf_htons(IPPROTO_TCP) + bpf_htons(20));
		*(__u16 *)(t + 16) = pcn_csum_bytes(t, 20, seed);
	} else {
		/* only to queries: echo, timestamp, information, address
		 * mask (requests and replies) */
		if (proto == IPPROTO_ICMP &&
		    (l4 + 1 > n || tot < ihl + 1 ||
		     (in[l4] != 0 && in[l4] != 8 &&
		      (in[l4] < 13 || in[l4] > 18))))
			return 0;
		/* whole words: the checksum is summed by them */
		quote = (tot < FW_REJ_QUOTE ? tot : FW_REJ_QUOTE) & ~3u;
		__builtin_memcpy(t + 8, in + l3, FW_REJ_QUOTE);
		t[0] = 3;			/* destination unreachable */
		t[1] = how >> 8;
		pcn_put_be32(t + 2, 0);
		t[6] = t[7] = 0;
		*(__u16 *)(t + 2) = pcn_csum_bytes(t, 8 + quote, 0);
		tot = 28 + quote;
		ip[9] = IPPROTO_ICMP;
	}
	ip[2] = tot >> 8;
	ip[3] = tot;
	*(__u16 *)(ip + 10) = pcn_csum_bytes(ip, 20, 0);
	return l3 + tot;
}

/* The same for IPv6 (RFC 4443), without extension headers. */
static __always_inline __u32 fw_rej6(struct fw_rej_buf *b, __u32 l3, __u32 n,
				     __u32 len, __u32 how)
{
	__u8 *in = b->in, *out = b->out, *ip = out + l3, *t, next;
	__u32 tot, off = 40, l4, quote, seed, doff;

	if (l3 + 40 > n || (in[l3] >> 4) != 6)
		return 0;
	tot = 40 + ((__u32)in[l3 + 4] << 8 | in[l3 + 5]);
	next = in[l3 + 6];
	if (l3 + tot > len || fw_rej_bad6(in + l3 + 8) ||
	    fw_rej_bad6(in + l3 + 24))
		return 0;
	/* an extension header, a fragment's or another: no answer (the
	 * walk would cost the verifier more than the answer is worth) */
	if (next == IPPROTO_HOPOPTS || next == IPPROTO_ROUTING ||
	    next == IPPROTO_DSTOPTS || next == IPPROTO_AH ||
	    next == IPPROTO_FRAGMENT)
		return 0;
	l4 = (l3 + off) & 0xff;
	__builtin_memset(ip, 0, 8);
	ip[0] = 0x60;
	ip[7] = 64;			/* hop limit */
	__builtin_memcpy(ip + 8, in + l3 + 24, 16);
	__builtin_memcpy(ip + 24, in + l3 + 8, 16);
	t = ip + 40;
	if ((how & 0xff) == FW_REJECT_TCP_RESET) {
		if (next != IPPROTO_TCP || l4 + 20 > n || tot < off + 20)
			return 0;
		doff = (in[l4 + 12] >> 4) * 4;
		if ((in[l4 + 13] & FW_TCP_RST) || doff < 20 ||
		    tot < off + doff)
			return 0;
		fw_rej_rst(t, in + l4, tot - off - doff);
		tot = 20;
		next = IPPROTO_TCP;
	} else {
		if (next == PCN_IPPROTO_ICMPV6 &&
		    (l4 + 1 > n || tot < off + 1 || in[l4] < 128))
			return 0;	/* an error, or cut short */
		quote = (tot < FW_REJ_QUOTE ? tot : FW_REJ_QUOTE) & ~3u;
		__builtin_memcpy(t + 8, in + l3, FW_REJ_QUOTE);
		t[0] = 1;			/* destination unreachable */
		t[1] = how >> 16;
		pcn_put_be32(t + 2, 0);
		t[6] = t[7] = 0;
		tot = 8 + quote;
		next = PCN_IPPROTO_ICMPV6;
	}
	ip[4] = tot >> 8;
	ip[5] = tot;
	ip[6] = next;
	/* the pseudo-header: addresses, length, next header */
	seed = bpf_csum_diff(NULL, 0, (void *)(ip + 8), 32, 0);
	seed = pcn_csum_add(seed, bpf_htons(tot) + bpf_htons(next));
	*(__u16 *)(t + (next == IPPROTO_TCP ? 16 : 2)) =
		pcn_csum_bytes(t, tot, seed);
	return l3 + 40 + tot;
}

/*
 * Answer the packet of the frame (IP after at most two VLAN tags in the
 * data, as the parser takes it), going in direction @dir, as @how says
 * (enum fw_reject_how, ICMP code << 8, ICMPv6 code << 16). Return: the
 * verdict that sends the answer, or PCN_DROP where none is sent.
 */
__noinline int fw_reject(struct pcn_ctx *ctx, __u32 how, __u32 dir)
{
	struct fw_rej_buf *b;
	__u32 zero = 0, len, n, l3, rlen = 0;
	__u8 *in, *out;
	__u16 proto;
	int i;

#ifdef PCN_BUILD_XDP
	if (dir != PCN_DIR_INGRESS)
		return PCN_DROP;
	len = bpf_xdp_get_buff_len(ctx);
#else
	/* on the way out of a cube port: no way back */
	if (dir != PCN_DIR_INGRESS && ctx->cb[1])
		return PCN_DROP;
	len = ctx->len;
#endif
	b = bpf_map_lookup_elem(&fw_rej_buf, &zero);
	if (!b)
		return PCN_DROP;
	in = b->in;
	out = b->out;
	if (len < ETH_HLEN + 4 * 2 + 20)
		return PCN_DROP;
	n = len < FW_REJ_IN ? len : FW_REJ_IN;
	/* 1 to FW_REJ_IN, as the verifier sees it too */
	n = ((n - 1) & (FW_REJ_IN - 1)) + 1;
	if (pcn_reply_read(ctx, in, n))
		return PCN_DROP;
	/* to or from a group (multicast, broadcast): no answer */
	if ((in[0] & 1) || (in[ETH_ALEN] & 1))
		return PCN_DROP;
	/* Ethernet addresses swapped, the tags kept */
	__builtin_memcpy(out, in + ETH_ALEN, ETH_ALEN);
	__builtin_memcpy(out + ETH_ALEN, in, ETH_ALEN);
	for (i = 2 * ETH_ALEN; i < ETH_HLEN + 4 * 2; i++)
		out[i] = in[i];
	/* the tags: found again here, so that the classifier keeps no
	 * value alive for this call (it would cost the verifier dearly) */
	l3 = pcn_reply_l3(in, &proto);
	if (proto == ETH_P_IP)
		rlen = fw_rej4(b, l3, n, len, how);
	else if (proto == ETH_P_IPV6)
		rlen = fw_rej6(b, l3, n, len, how);
	if (rlen < ETH_HLEN + 40 || rlen > FW_REJ_IN)
		return PCN_DROP;
	rlen = ((rlen - 1) & (FW_REJ_IN - 1)) + 1;
	if (pcn_reply_write(ctx, out, rlen, len))
		return PCN_DROP;
	return pcn_reply_send(ctx, dir);
}

#endif /* __PCN_FW_REJECT_H */
