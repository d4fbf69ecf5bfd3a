/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ddos cube's SYN proxy: for the protected TCP destination ports of
 * ddos_state.syn, on the way in,
 *
 *   a SYN        is answered by the datapath with a SYN-ACK whose
 *                sequence number is a SYN cookie of the kernel
 *                (bpf_tcp_raw_gen_syncookie_ipv4/6, Linux 6.0), out of
 *                the interface it came in by; it never reaches the
 *                server, so spoofed SYNs fill no backlog
 *   an ACK       of a connection not known yet passes if its
 *                acknowledgement number is a valid cookie
 *                (bpf_tcp_raw_check_syncookie_ipv4/6): the connection is
 *                then known (ddos_flows), its next packets pass
 *   the rest     to a protected port, not of a known connection (a bad
 *                cookie, an RST, a SYN-ACK...) is dropped
 *
 * The server sees the client's ACK first: netfilter's synproxy in the
 * server's network namespace (same kernel, same cookie secret) checks
 * the cookie again and makes the connection with the server, as it does
 * behind its own SYN-ACKs (pcn-cube-ddos(8) shows the rules).
 *
 * The SYN-ACK is made as the kernel makes a cookie's (tcp_options_write,
 * cookie_init_timestamp): MSS; to a client that sent timestamps, the
 * timestamp (with SACK permitted before it if the client offered SACK)
 * whose value carries the client's window scale (15: none) in bits 0-3
 * and SACK in bit 4, where netfilter's synproxy reads them back from the
 * ACK's echo; then our window scale if the client offered one. Without
 * timestamps, only MSS (the cookie has no room for the rest). Window 0:
 * the client sends no data before the server has the connection
 * (synproxy then opens the window). No ECN.
 *
 * Fragments: a later one has no ports and passes (the server's stack
 * reassembles; synproxy drops what is not of a connection); a first
 * fragment of TCP to a protected port is dropped. Fail closed: a TCP
 * header cut short to a protected port is dropped.
 *
 * Like the firewall's reject, the frame's first bytes are read into a
 * per-CPU buffer and the answer built in a second one, in a global
 * function the verifier checks once on its own.
 */
#ifndef __PCN_DDOS_SYN_H
#define __PCN_DDOS_SYN_H

#include <linux/if_ether.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_core_read.h>
#include "pcn_cube.h"
#include "csum.h"
#include "reply.h"
#include "ddos.h"

#define DDOS_SYN_IN	256		/* bytes of the frame read, at most */
#define DDOS_SYN_BUF	512		/* a buffer: any masked offset fits */

#define DDOS_TCP_FIN	0x01
#define DDOS_TCP_SYN	0x02
#define DDOS_TCP_RST	0x04
#define DDOS_TCP_ACK	0x10

/* the timestamp's low bits, as the kernel's cookie_init_timestamp */
#define DDOS_TS_BITS	6
#define DDOS_TS_NOWS	0xf		/* no window scale */
#define DDOS_TS_SACK	(1 << 4)

/* what a SYN's options offer */
struct ddos_syn_opts {
	__u32 tsval;
	__u8 ts;			/* a timestamp */
	__u8 sack;			/* SACK permitted */
	__u8 ws;			/* a window scale */
	__u8 wscale;
};

struct ddos_syn_buf {
	__u8 in[DDOS_SYN_BUF];
	__u8 out[DDOS_SYN_BUF];
	/* the walk of the options: kept here, not on the stack, so that
	 * the verifier sees the same state at every turn of the loop and
	 * does not follow each path through the options on its own */
	__u32 pos;
	struct ddos_syn_opts o;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ddos_syn_buf);
} ddos_syn_buf SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, DDOS_FLOWS);
	__type(key, struct ddos_flow_key);
	__type(value, __u8);
} ddos_flows SEC(".maps");

/* a buffer offset the verifier knows is inside the buffer */
#define DDOS_OFF(x)	((x) & (DDOS_SYN_BUF / 2 - 1))

/*
 * The options of the TCP header at @t (@doff bytes) of the buffer's
 * in, into its o. A global function: checked once, not again for each
 * way the SYN proxy comes to it.
 */
__noinline int ddos_syn_opts(__u32 t, __u32 doff)
{
	struct ddos_syn_buf *b;
	__u32 i, k, l, zero = 0;
	__u8 *in;
	int n;

	b = bpf_map_lookup_elem(&ddos_syn_buf, &zero);
	if (!b)
		return -1;
	in = b->in;
	t = DDOS_OFF(t);
	doff &= 0x3c;
	__builtin_memset(&b->o, 0, sizeof(b->o));
	b->pos = 20;
	for (n = 0; n < 40; n++) {
		/* read back: the compiler must not keep it in a register */
		i = *(volatile __u32 *)&b->pos;
		if (i >= doff)
			break;
		k = in[DDOS_OFF(t + i)];
		if (k == 0)			/* end of options */
			break;
		if (k == 1) {			/* no-operation */
			b->pos = i + 1;
			continue;
		}
		if (i + 2 > doff)
			break;
		l = in[DDOS_OFF(t + i + 1)];
		if (l < 2 || i + l > doff)
			break;
		if (k == 3 && l == 3) {
			b->o.ws = 1;
			b->o.wscale = in[DDOS_OFF(t + i + 2)];
		} else if (k == 4 && l == 2) {
			b->o.sack = 1;
		} else if (k == 8 && l == 10) {
			b->o.ts = 1;
			b->o.tsval = pcn_be32(in + DDOS_OFF(t + i + 2));
		}
		b->pos = i + l;
	}
	return 0;
}

/*
 * The SYN-ACK's TCP header, at @n, answering the SYN at @t with @cookie
 * (@r: the range's settings, @mss the MSS to announce). Return: its
 * length.
 */
static __always_inline __u32 ddos_synack(__u8 *n, const __u8 *t, __u32 cookie,
					 const struct ddos_syn_opts *o,
					 __u32 mss, __u32 wscale)
{
	__u32 len = 24, ts, now;

	n[0] = t[2];
	n[1] = t[3];
	n[2] = t[0];
	n[3] = t[1];
	pcn_put_be32(n + 4, cookie);
	pcn_put_be32(n + 8, pcn_be32(t + 4) + 1);
	n[13] = DDOS_TCP_SYN | DDOS_TCP_ACK;
	n[14] = n[15] = 0;		/* window 0: no data yet */
	n[16] = n[17] = n[18] = n[19] = 0;
	n[20] = 2;			/* MSS */
	n[21] = 4;
	n[22] = mss >> 8;
	n[23] = mss;
	if (o->ts) {
		ts = o->ws ? (o->wscale > 14 ? 14 : o->wscale) : DDOS_TS_NOWS;
		if (o->sack)
			ts |= DDOS_TS_SACK;
		/* milliseconds, as the kernel's clock for timestamps; the
		 * value stays below now */
		now = bpf_ktime_get_ns() / 1000000;
		ts |= now >> DDOS_TS_BITS << DDOS_TS_BITS;
		if (ts > now)
			ts -= 1 << DDOS_TS_BITS;
		n[24] = o->sack ? 4 : 1;	/* SACK permitted, or NOP */
		n[25] = o->sack ? 2 : 1;
		n[26] = 8;
		n[27] = 10;
		pcn_put_be32(n + 28, ts);
		pcn_put_be32(n + 32, o->tsval);
		len = 36;
		if (o->ws) {
			n[36] = 1;
			n[37] = 3;
			n[38] = 3;
			n[39] = wscale;
			len = 40;
		}
	}
	n[12] = len / 4 << 4;
	return len;
}

/* which range of @s covers @port: its index, or -1 */
static __always_inline int ddos_syn_range(const struct ddos_state *s,
					  __u16 port)
{
	int i;

	for (i = 0; i < DDOS_SYN_PORTS; i++)
		if ((s->syn_used & (1u << i)) && port >= s->syn[i].lo &&
		    port <= s->syn[i].hi)
			return i;
	return -1;
}

/*
 * The SYN proxy for the frame going in (IP after at most two VLAN tags,
 * as the parser took it). Return: PCN_NEXT if the packet goes on, else
 * the verdict: the SYN-ACK sent, or a drop.
 */
__noinline int ddos_syn(struct pcn_ctx *ctx)
{
	struct ddos_flow_key fk = {};
	struct ddos_syn_buf *b;
	struct ddos_state *s;
	struct ddos_stats *st;
	__u32 zero = 0, len, n, l3, l4, ihl, tot, doff, tlen, rlen, mss;
	__u8 *in, *out, flags;
	__u16 proto, dport;
	__s64 cookie;
	int i, r, v6;

	if (!bpf_core_enum_value_exists(enum bpf_func_id,
					BPF_FUNC_tcp_raw_gen_syncookie_ipv4))
		return PCN_NEXT;	/* user space refuses ranges there */
	st = bpf_map_lookup_elem(&ddos_stats,
				 (const void *)&ddos_keys[PCN_DIR_INGRESS]);
	s = bpf_map_lookup_elem(&ddos_state, &zero);
	b = bpf_map_lookup_elem(&ddos_syn_buf, &zero);
	if (!s || !b || !st)
		return PCN_DROP;
	in = b->in;
	out = b->out;
#ifdef PCN_BUILD_XDP
	len = bpf_xdp_get_buff_len(ctx);
#else
	len = ctx->len;
#endif
	/* the main parse let by no IP header cut short: a shorter frame
	 * is none of ours; one with a TCP header cut short must not pass */
	if (len < ETH_HLEN + 20)
		return PCN_NEXT;
	n = len < DDOS_SYN_IN ? len : DDOS_SYN_IN;
	n = ((n - 1) & (DDOS_SYN_IN - 1)) + 1;
	if (pcn_reply_read(ctx, in, n))
		return PCN_DROP;
	l3 = pcn_reply_l3(in, &proto);
	if (proto == ETH_P_IP) {
		v6 = 0;
		if (l3 + 20 > n || in[l3 + 9] != IPPROTO_TCP)
			return PCN_NEXT;
		ihl = (in[l3] & 0xf) * 4;
		tot = (__u32)in[l3 + 2] << 8 | in[l3 + 3];
		/* a later fragment: no ports */
		if ((in[l3 + 6] & 0x1f) || in[l3 + 7])
			return PCN_NEXT;
		if (ihl < 20 || tot < ihl || l3 + tot > len)
			goto malformed;
		l4 = DDOS_OFF(l3 + ihl);
		fk.family = 4;
		__builtin_memcpy(fk.src, in + l3 + 12, 4);
		__builtin_memcpy(fk.dst, in + l3 + 16, 4);
	} else if (proto == ETH_P_IPV6) {
		v6 = 1;
		/* TCP right after the header: extension headers are
		 * not looked into, their packets pass on */
		if (l3 + 40 > n || in[l3 + 6] != IPPROTO_TCP)
			return PCN_NEXT;
		tot = 40 + ((__u32)in[l3 + 4] << 8 | in[l3 + 5]);
		ihl = 40;
		if (l3 + tot > len)
			goto malformed;
		l4 = DDOS_OFF(l3 + 40);
		fk.family = 6;
		__builtin_memcpy(fk.src, in + l3 + 8, 16);
		__builtin_memcpy(fk.dst, in + l3 + 24, 16);
	} else {
		return PCN_NEXT;
	}
	/* the ports, to know whether it is ours */
	if (l4 + 4 > n || tot < ihl + 4)
		goto malformed;	/* whose it is is unknown: fail closed */
	dport = (__u16)in[l4 + 2] << 8 | in[l4 + 3];
	r = ddos_syn_range(s, dport);
	if (r < 0)
		return PCN_NEXT;
	/* ours: the whole header must be there, and not be a fragment */
	if (!v6 && (in[l3 + 6] & 0x20))
		goto malformed;
	if (l4 + 20 > n || tot < ihl + 20)
		goto malformed;
	doff = (in[l4 + 12] >> 4) * 4;
	if (doff < 20 || tot < ihl + doff || l4 + doff > n)
		goto malformed;
	flags = in[l4 + 13];
	__builtin_memcpy(&fk.sport, in + l4, 2);
	__builtin_memcpy(&fk.dport, in + l4 + 2, 2);
	if ((flags & (DDOS_TCP_SYN | DDOS_TCP_ACK | DDOS_TCP_RST | DDOS_TCP_FIN)) ==
	    DDOS_TCP_SYN)
		goto answer;
	if (flags & DDOS_TCP_SYN)
		goto bad;	/* SYN-ACK, SYN with FIN or RST */
	if (bpf_map_lookup_elem(&ddos_flows, &fk))
		return PCN_NEXT;
	if ((flags & (DDOS_TCP_ACK | DDOS_TCP_RST)) != DDOS_TCP_ACK)
		goto bad;
	if (v6)
		i = bpf_tcp_raw_check_syncookie_ipv6((void *)(in + DDOS_OFF(l3)),
						     (void *)(in + l4));
	else
		i = bpf_tcp_raw_check_syncookie_ipv4((void *)(in + DDOS_OFF(l3)),
						     (void *)(in + l4));
	if (i)
		goto bad;
	/* the flow table is full: the oldest connection goes, and its
	 * next packet meets the cookie check (and is dropped) */
	bpf_map_update_elem(&ddos_flows, &fk, &zero, BPF_ANY);
	PCN_COUNT(st, cookie_ok);
	return PCN_NEXT;

answer:
	/* to or from a group: no answer */
	if ((in[0] & 1) || (in[ETH_ALEN] & 1))
		goto bad;
	tlen = doff & 0x3c;
	if (v6)
		cookie = bpf_tcp_raw_gen_syncookie_ipv6((void *)(in + DDOS_OFF(l3)),
							(void *)(in + l4), tlen);
	else
		cookie = bpf_tcp_raw_gen_syncookie_ipv4((void *)(in + DDOS_OFF(l3)),
							(void *)(in + l4), tlen);
	if (cookie < 0)
		goto bad;
	if (ddos_syn_opts(l4, tlen))
		goto bad;
	i = r & (DDOS_SYN_PORTS - 1);
	mss = s->syn[i].mss - (v6 ? 20 : 0);
	/* Ethernet addresses swapped, the tags kept */
	__builtin_memcpy(out, in + ETH_ALEN, ETH_ALEN);
	__builtin_memcpy(out + ETH_ALEN, in, ETH_ALEN);
	for (i = 2 * ETH_ALEN; i < ETH_HLEN + 4 * 2; i++)
		out[i] = in[i];
	l3 = DDOS_OFF(l3);
	if (v6) {
		__u8 *ip = out + l3;
		__u32 seed;

		__builtin_memset(ip, 0, 8);
		ip[0] = 0x60;
		ip[6] = IPPROTO_TCP;
		ip[7] = 64;		/* hop limit */
		__builtin_memcpy(ip + 8, in + l3 + 24, 16);
		__builtin_memcpy(ip + 24, in + l3 + 8, 16);
		tlen = ddos_synack(ip + 40, in + l4, (__u32)cookie, &b->o, mss,
				   s->syn[r & (DDOS_SYN_PORTS - 1)].wscale);
		ip[4] = 0;
		ip[5] = tlen;
		seed = bpf_csum_diff(NULL, 0, (void *)(ip + 8), 32,
				     bpf_htons(tlen) + bpf_htons(IPPROTO_TCP));
		*(__u16 *)(ip + 56) = pcn_csum_bytes(ip + 40, tlen & 0x3c, seed);
		rlen = l3 + 40 + tlen;
	} else {
		__u8 *ip = out + l3;
		__u32 seed;

		__builtin_memset(ip, 0, 20);
		ip[0] = 0x45;
		ip[6] = 0x40;		/* don't fragment */
		ip[8] = 64;		/* TTL */
		ip[9] = IPPROTO_TCP;
		__builtin_memcpy(ip + 12, in + l3 + 16, 4);
		__builtin_memcpy(ip + 16, in + l3 + 12, 4);
		tlen = ddos_synack(ip + 20, in + l4, (__u32)cookie, &b->o, mss,
				   s->syn[r & (DDOS_SYN_PORTS - 1)].wscale);
		ip[2] = 0;
		ip[3] = 20 + tlen;
		*(__u16 *)(ip + 10) = pcn_csum_bytes(ip, 20, 0);
		seed = bpf_csum_diff(NULL, 0, (void *)(ip + 12), 8,
				     bpf_htons(IPPROTO_TCP) + bpf_htons(tlen));
		*(__u16 *)(ip + 36) = pcn_csum_bytes(ip + 20, tlen & 0x3c, seed);
		rlen = l3 + 20 + tlen;
	}
	rlen = ((rlen - 1) & (DDOS_SYN_IN - 1)) + 1;
	if (pcn_reply_write(ctx, out, rlen, len))
		goto bad;
	PCN_COUNT(st, syn);
	return pcn_reply_send(ctx, PCN_DIR_INGRESS);
bad:
	PCN_COUNT(st, cookie_bad);
	return PCN_DROP;
malformed:
	PCN_COUNT(st, malformed);
	return PCN_DROP;
}

#endif /* __PCN_DDOS_SYN_H */
