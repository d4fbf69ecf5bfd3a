/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Connection tracking, for every cube that follows flows (the firewall,
 * NAT; the load balancers next): the records user space and
 * the datapath share, and (in the datapath) how a packet finds its
 * flow's state and moves it on.
 *
 * A cube keeps one table of flows, a BPF_MAP_TYPE_LRU_HASH from struct
 * pcn_ct_key (the flow's two ends in a fixed order, see
 * pcn_flow_order(), so that both directions find it) to struct pcn_ct,
 * and passes it to pcn_ct_state() and pcn_ct_update().
 */
#ifndef __PCN_CT_H
#define __PCN_CT_H

#include <linux/types.h>

/* a packet's state in connection tracking, as a rule matches it */
enum pcn_ct_state {
	PCN_CT_NEW = 0,			/* opens a flow, or no reply seen yet */
	PCN_CT_ESTABLISHED = 1,		/* of a flow that saw a reply */
	PCN_CT_RELATED = 2,		/* an ICMP error about a known flow */
	PCN_CT_INVALID = 3,		/* TCP that opens nothing, an ICMP
					 * error about no known flow */
};

/* the key: a flow's ends, side 0 first (struct pcn_flow_key) */
struct pcn_ct_key {
	__u8 family;
	__u8 proto;
	__u16 pad;
	__u16 port[2];
	__u8 addr[2][16];
};

#define PCN_CT_REPLIED	0x01		/* the other side answered */
#define PCN_CT_CLOSING	0x02		/* TCP FIN seen */
#define PCN_CT_SEQ0	0x04		/* TCP: end[0] known */
#define PCN_CT_SEQ1	0x08		/* TCP: end[1] known */

struct pcn_ct {
	__u8 opener;			/* the side that opened the flow */
	__u8 flags;			/* PCN_CT_* */
	__u16 pad;
	__u32 pad2;
	__u64 seen_ns;			/* pcn_now_ns() */
	__u32 end[2];			/* TCP, by side: the sequence number
					 * after the furthest byte it sent */
};

/*
 * TCP sequence tracking, in the spirit of netfilter's tcp_in_window()
 * but without window scaling (the options are not read): a segment of
 * a tracked flow from side s is INVALID when
 *   - its sequence number lies more than PCN_CT_TCP_WINDOW before or
 *     after end[s], the furthest s was seen to send, or
 *   - it has ACK and acknowledges more than the other side r was seen
 *     to send (after end[r]) or more than PCN_CT_TCP_WINDOW before it;
 * a RST the same (RFC 5961's blind reset needs a number in the
 * window). A side not seen yet is not judged (the firewall on one
 * direction only); a SYN is not judged (a retransmission opens again).
 * PCN_CT_TCP_WINDOW, 16 MiB, is above what a Linux receiver offers by
 * default (tcp_rmem's 6 MiB): a blind RST passes one time in 128, an
 * ACK-bearing one only with an acknowledgement number in that window
 * too. Only accepted packets move end[].
 */
#define PCN_CT_TCP_WINDOW	(1u << 24)

/* timeouts, seconds */
#define PCN_CT_TCP_OPENING	120
#define PCN_CT_TCP_OPEN		432000
#define PCN_CT_TCP_CLOSING	120
#define PCN_CT_OTHER_NEW	30
#define PCN_CT_OTHER_REPLIED	180

/* Seconds flow @c of @proto lives without a packet. */
static inline __u64 pcn_ct_timeout(const struct pcn_ct *c, __u8 proto)
{
	if (proto == 6)
		return c->flags & PCN_CT_CLOSING ? PCN_CT_TCP_CLOSING :
		       c->flags & PCN_CT_REPLIED ? PCN_CT_TCP_OPEN :
						   PCN_CT_TCP_OPENING;
	return c->flags & PCN_CT_REPLIED ? PCN_CT_OTHER_REPLIED :
					   PCN_CT_OTHER_NEW;
}

#ifdef __bpf__
#include "parse.h"

_Static_assert(sizeof(struct pcn_ct_key) == sizeof(struct pcn_flow_key),
	       "a flow key is a conntrack key");

static __always_inline int pcn_ct_expired(const struct pcn_ct *c, __u8 proto,
					  __u64 now)
{
	return pcn_older(now, c->seen_ns, pcn_ct_timeout(c, proto) * NSEC_PER_SEC);
}

/*
 * Can @k, a tracked packet of no known flow, open one? TCP opens with a
 * SYN alone; an echo reply answers a request.
 */
static __always_inline int pcn_ct_opens(const struct pcn_ip *k)
{
	if (k->proto == IPPROTO_TCP &&
	    (k->tcp_flags & (TCP_SYN | TCP_ACK | TCP_RST)) != TCP_SYN)
		return 0;
	return !k->icmp_reply;
}

/*
 * The entry of flow @ck in table @ct if it lives, else NULL: for a cube
 * that keeps more per flow than the state (NAT's translations) and must
 * know whether what it kept belongs to a flow that is still there.
 */
static __always_inline struct pcn_ct *pcn_ct_alive(void *ct,
						   const struct pcn_ct_key *ck,
						   __u64 now)
{
	struct pcn_ct *c = bpf_map_lookup_elem(ct, ck);

	if (c && pcn_ct_expired(c, ck->proto, now))
		return NULL;
	return c;
}

/*
 * The TCP flag combinations a segment may have (PSH, ECE and CWR left
 * out): bit f set for flags f among FIN 0x01, SYN 0x02, RST 0x04, ACK
 * 0x10, URG 0x20. SYN, SYN|URG, SYN|ACK, RST, RST|ACK, FIN|ACK,
 * FIN|ACK|URG, ACK, ACK|URG.
 */
#define PCN_TCP_FLAGS_CHECKED	0x37
#define PCN_TCP_VALID_FLAGS						\
	((1ULL << 0x02) | (1ULL << 0x22) | (1ULL << 0x12) | (1ULL << 0x04) | \
	 (1ULL << 0x14) | (1ULL << 0x11) | (1ULL << 0x31) | (1ULL << 0x10) | \
	 (1ULL << 0x30))

/* Does TCP segment @k from @side of flow @c lie in its window (above)? */
static __always_inline int pcn_ct_tcp_in_window(const struct pcn_ct *c,
						const struct pcn_ip *k,
						int side)
{
	__u32 s = side & 1;
	__s32 d;

	if (k->tcp_flags & TCP_SYN)
		return 1;
	if (c->flags & (s ? PCN_CT_SEQ1 : PCN_CT_SEQ0)) {
		d = k->tcp_seq - (s ? c->end[1] : c->end[0]);
		if (d > (__s32)PCN_CT_TCP_WINDOW || d < -(__s32)PCN_CT_TCP_WINDOW)
			return 0;
	}
	if ((k->tcp_flags & TCP_ACK) &&
	    (c->flags & (s ? PCN_CT_SEQ0 : PCN_CT_SEQ1))) {
		d = k->tcp_ack - (s ? c->end[0] : c->end[1]);
		if (d > 0 || d < -(__s32)PCN_CT_TCP_WINDOW)
			return 0;
	}
	return 1;
}

/*
 * Side @side of flow @c sent TCP segment @k: end[side] moves on. A SYN
 * sets it whatever it was (a connection that reuses the ends of one
 * closing starts from a new number), and a SYN without ACK, a new
 * opening, forgets the other side's.
 */
static __always_inline void pcn_ct_tcp_sent(struct pcn_ct *c,
					    const struct pcn_ip *k, int side)
{
	__u32 s = side & 1, end = k->tcp_seq + k->tcp_len;
	__u32 *e = s ? &c->end[1] : &c->end[0];	/* no index: the
					 * compiler would OR it into a
					 * stack pointer, refused */

	if ((k->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN)
		c->flags &= ~(s ? PCN_CT_SEQ0 : PCN_CT_SEQ1);
	if (!(c->flags & (s ? PCN_CT_SEQ1 : PCN_CT_SEQ0)) ||
	    (k->tcp_flags & TCP_SYN)) {
		c->flags |= s ? PCN_CT_SEQ1 : PCN_CT_SEQ0;
		*e = end;
	} else if ((__s32)(end - *e) > 0) {
		*e = end;
	}
}

/*
 * The state of @k's flow in table @ct (-1: not known, a fragment after
 * the first), with its key, the side the packet comes from and the
 * flow's entry, if it has one. An entry that timed out is deleted and
 * the packet judged as if there were none.
 */
static __always_inline int pcn_ct_state(void *ct, const struct pcn_ip *k,
					__u64 now, struct pcn_ct_key *ck,
					int *side, struct pcn_ct **entry)
{
	struct pcn_ct *c;

	*entry = NULL;
	if (!k->l4)
		return -1;
	if (k->icmp_error) {
		c = k->icmp_error == 2 ?
			bpf_map_lookup_elem(ct, &k->quoted) : NULL;
		if (c && !pcn_ct_expired(c, k->quoted.proto, now))
			return PCN_CT_RELATED;
		return PCN_CT_INVALID;
	}
	if (!k->ct_ok)
		return PCN_CT_NEW;	/* a protocol not tracked */
	/* flags no TCP stack sends together (SYN with FIN, none at all):
	 * invalid, with a flow or without, as netfilter has them */
	if (k->proto == IPPROTO_TCP &&
	    !((PCN_TCP_VALID_FLAGS >> (k->tcp_flags & PCN_TCP_FLAGS_CHECKED)) & 1))
		return PCN_CT_INVALID;
	ck->family = k->family;
	ck->proto = k->proto;
	*side = pcn_flow_order((struct pcn_flow_key *)ck, k->src,
			       k->ct_port[0], k->dst, k->ct_port[1]);
	c = bpf_map_lookup_elem(ct, ck);
	if (c && pcn_ct_expired(c, k->proto, now)) {
		bpf_map_delete_elem(ct, ck);
		c = NULL;
	}
	*entry = c;
	if (c && k->proto == IPPROTO_TCP && !pcn_ct_tcp_in_window(c, k, *side))
		return PCN_CT_INVALID;
	if (c)
		return *side != c->opener || (c->flags & PCN_CT_REPLIED) ?
			PCN_CT_ESTABLISHED : PCN_CT_NEW;
	return pcn_ct_opens(k) ? PCN_CT_NEW : PCN_CT_INVALID;
}

/*
 * An accepted packet: its flow opens (@ct_state new, no entry), or goes
 * on, or closes: refreshed in place at most once a second, replied when
 * the other side speaks, closing at a TCP FIN, gone at a RST.
 */
static __always_inline void pcn_ct_update(void *ct, const struct pcn_ip *k,
					  int ct_state, __u64 now,
					  const struct pcn_ct_key *ck,
					  int side, struct pcn_ct *c)
{
	if (!k->ct_ok || k->icmp_error || ct_state == PCN_CT_INVALID)
		return;	/* an invalid packet a rule let through moves nothing */
	if (!c) {
		struct pcn_ct fresh = { .opener = side, .seen_ns = now };

		if (k->proto == IPPROTO_TCP)
			pcn_ct_tcp_sent(&fresh, k, side);
		if (ct_state == PCN_CT_NEW)
			bpf_map_update_elem(ct, ck, &fresh, BPF_NOEXIST);
		return;
	}
	if (side != c->opener && !(c->flags & PCN_CT_REPLIED))
		c->flags |= PCN_CT_REPLIED;
	if (pcn_older(now, c->seen_ns, NSEC_PER_SEC))
		c->seen_ns = now;
	if (k->proto != IPPROTO_TCP)
		return;
	pcn_ct_tcp_sent(c, k, side);
	if (k->tcp_flags & TCP_RST)
		bpf_map_delete_elem(ct, ck);
	else if ((k->tcp_flags & TCP_FIN) && !(c->flags & PCN_CT_CLOSING))
		c->flags |= PCN_CT_CLOSING;
}
#endif /* __bpf__ */

#endif /* __PCN_CT_H */
