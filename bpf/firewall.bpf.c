// SPDX-License-Identifier: GPL-2.0
/*
 * firewall: a transparent cube that classifies IPv4 and IPv6 packets
 * against a chain of rules per direction (ingress, egress), first match
 * wins, by a bit vector search whose cost does not grow with the number
 * of rules (see bpf/firewall.h).
 *
 *   parse     Ethernet, up to two VLAN tags (the packet inside is what
 *             is classified), IPv4 or IPv6 with its extension headers,
 *             then TCP/UDP ports and TCP flags. Fail closed: a header
 *             cut short, a bad IPv4 header, more than 8 IPv6 extension
 *             headers or more than two tags: dropped before any rule. A
 *             fragment after the first has no ports: it takes the first
 *             rule that matches it on everything else, and is dropped
 *             if that rule looks at ports or flags, so it can never pass
 *             where its first fragment would not.
 *   classify  one lookup per field gives a vector of the rules that
 *             value matches; the first bit set in their AND is the rule
 *   act       the rule's counters, its action; no rule: the chain's
 *             policy
 *
 * Frames that are neither IPv4 nor IPv6 (ARP, LLDP...) are not the
 * firewall's: they pass.
 */
#define PCN_TRANSPARENT
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <bpf/bpf_endian.h>
#define PCN_CLOCK
#include "pcn_cube.h"
#include "firewall.h"

#define MAX_TAGS	2
#define MAX_EXT		8		/* IPv6 extension headers walked */
#define IP_MF		0x2000
#define IP_OFFSET	0x1fff

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fw_state);
} fw_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FW_SETS);
	__type(key, __u32);
	__type(value, struct fw_set);
} fw_sets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FW_SETS * FW_RULES_MAX);
	__type(key, __u32);
	__type(value, struct fw_rule);
} fw_rules SEC(".maps");

/* a set's vectors: user space makes each table as large as it needs */
struct fw_vec_table {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_INNER_MAP | BPF_F_MMAPABLE);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(struct fw_vec));
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, FW_SETS);
	__type(key, __u32);
	__array(values, struct fw_vec_table);
} fw_vecs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, FW_SETS * 2 * (FW_RULES_MAX + 1));
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct fw_lpm4_key);
	__type(value, __u32);
} fw_lpm4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, FW_SETS * 2 * (FW_RULES_MAX + 1));
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct fw_lpm6_key);
	__type(value, __u32);
} fw_lpm6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FW_SETS * 2 * FW_HANDLES);
	__type(key, __u32);
	__type(value, __u32);
} fw_handles SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FW_SETS * FW_T_NUM * 65536);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct fw_vec_id);
} fw_ids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FW_SETS * FW_SMALL_DIMS * 256);
	__type(key, __u32);
	__type(value, __u32);
} fw_small SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, FW_CT_MAX);
	__type(key, struct fw_ct_key);
	__type(value, struct fw_ct);
} fw_ct SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FW_IDS_MAX);
	__type(key, __u32);
	__type(value, struct fw_counter);
} fw_counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct fw_stats);
} fw_stats SEC(".maps");

/* what the rules look at */
struct pkt {
	__u8 family;			/* 4 or 6 */
	__u8 proto;
	__u8 flags;			/* TCP */
	__u8 l4;			/* 0: a later fragment, ports unknown;
					 * 1: no ports; 2: ports; 3: TCP */
	__u16 sport;
	__u16 dport;
	__u8 src[16];
	__u8 dst[16];
	/* connection tracking: the flow's ends (ports, or an echo id),
	 * whether it can be tracked, and for an ICMP error the flow it
	 * quotes, as that flow's packets would see it */
	__u16 ct_port[2];
	__u8 ct_ok;
	__u8 icmp_reply;		/* an echo reply: opens nothing */
	__u8 icmp_error;
	__u8 tcp_flags;
	struct fw_ct_key quoted;
};

enum { PARSE_OK, PARSE_OTHER, PARSE_BAD };

struct vlan_hdr {
	__be16 tci;
	__be16 proto;
};

/* IPv6 extension header: next header and length in 8-byte units */
struct ext_hdr {
	__u8 next;
	__u8 len;
	__be16 frag_off;		/* the fragment header's */
};

static __always_inline int is_vlan(__be16 p)
{
	return p == bpf_htons(ETH_P_8021Q) || p == bpf_htons(ETH_P_8021AD);
}

static __always_inline int icmp_is_error(__u8 proto, __u8 type)
{
	if (proto == IPPROTO_ICMP)
		return type == 3 || type == 4 || type == 5 || type == 11 ||
		       type == 12;
	return proto == IPPROTO_ICMPV6 && type >= 1 && type <= 4;
}

static __always_inline int icmp_is_echo(__u8 proto, __u8 type)
{
	if (proto == IPPROTO_ICMP)
		return type == 8 || type == 0;
	return proto == IPPROTO_ICMPV6 && (type == 128 || type == 129);
}

/* Put the two ends of a flow in the order of fw_ct_key: side 0 first. */
static __always_inline int ct_order(struct fw_ct_key *ck, const __u8 *a,
				    __u16 pa, const __u8 *b, __u16 pb)
{
	int i, swap = 0, decided = 0;

	for (i = 0; i < 16; i++) {
		if (!decided && a[i] != b[i]) {
			swap = a[i] > b[i];
			decided = 1;
		}
	}
	if (!decided)
		swap = pa > pb;
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
static __always_inline void parse_icmp(void *l4, void *end, __u64 lim,
				       struct pkt *k)
{
	__u8 *b = l4, *in;
	__u8 qsrc[16] = {}, qdst[16] = {};
	__u16 qs = 0, qd = 0;
	__u32 ihl, quoted;

	if (k->proto != IPPROTO_ICMP && k->proto != IPPROTO_ICMPV6)
		return;
	if ((void *)(b + 8) > end || lim < 8)
		return;
	if (icmp_is_echo(k->proto, b[0])) {
		k->ct_port[0] = k->ct_port[1] = ((__u16)b[4] << 8) | b[5];
		k->ct_ok = 1;
		k->icmp_reply = b[0] == 0 || b[0] == 129;
		return;
	}
	if (!icmp_is_error(k->proto, b[0]))
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
	} else if (icmp_is_echo(k->quoted.proto, in[0])) {
		qs = qd = ((__u16)in[4] << 8) | in[5];
	} else {
		return;
	}
	k->quoted.family = k->family;
	ct_order(&k->quoted, qsrc, qs, qdst, qd);
	k->icmp_error = 2;		/* a flow to look for */
}

/*
 * TCP/UDP ports and TCP flags at @l4, or PARSE_BAD if cut short: by the
 * frame (@end) or by the IP packet's length (@lim; what follows it is
 * padding)
 */
static __always_inline int parse_l4(void *l4, void *end, __u64 lim,
				    struct pkt *k)
{
	__u8 *b = l4;

	k->l4 = 1;
	if (k->proto == IPPROTO_TCP) {
		if ((void *)(b + 20) > end || lim < 20)
			return PARSE_BAD;
		k->flags = b[13];
		k->tcp_flags = b[13];
		k->l4 = 3;
	} else if (k->proto == IPPROTO_UDP) {
		if ((void *)(b + 8) > end || lim < 8)
			return PARSE_BAD;
		k->l4 = 2;
	} else {
		parse_icmp(l4, end, lim, k);
		return PARSE_OK;	/* no ports: rules on ports skip it */
	}
	k->sport = ((__u16)b[0] << 8) | b[1];
	k->dport = ((__u16)b[2] << 8) | b[3];
	k->ct_port[0] = k->sport;
	k->ct_port[1] = k->dport;
	k->ct_ok = 1;
	return PARSE_OK;
}

static __always_inline int parse(struct pcn_ctx *ctx, struct pkt *k)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	void *cur = data + ETH_HLEN;
	__be16 proto;
	int i;

	if ((void *)(eth + 1) > end)
		return PARSE_BAD;
	proto = eth->h_proto;
	for (i = 0; i < MAX_TAGS && is_vlan(proto); i++) {
		struct vlan_hdr *vh = cur;

		if ((void *)(vh + 1) > end)
			return PARSE_BAD;
		proto = vh->proto;
		cur = vh + 1;
	}
#ifdef PCN_BUILD_TC
	/* the stack keeps a frame's outer tag out of the data (always on
	 * ingress, on egress where the device offloads it): one more */
	if (ctx->vlan_present)
		i++;
#endif
	if (is_vlan(proto) || i > MAX_TAGS)
		return PARSE_BAD;		/* more tags than we look through */

	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = cur;
		__u32 ihl;

		if ((void *)(ip + 1) > end)
			return PARSE_BAD;
		ihl = ip->ihl * 4;
		if (ip->version != 4 || ihl < sizeof(*ip) ||
		    bpf_ntohs(ip->tot_len) < ihl || cur + ihl > end)
			return PARSE_BAD;
		k->family = 4;
		k->proto = ip->protocol;
		__builtin_memcpy(k->src, &ip->saddr, 4);
		__builtin_memcpy(k->dst, &ip->daddr, 4);
		if (ip->frag_off & bpf_htons(IP_OFFSET))
			return PARSE_OK;	/* a later fragment: no ports */
		return parse_l4(cur + ihl, end, bpf_ntohs(ip->tot_len) - ihl, k);
	}
	if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = cur;
		__u64 ext;
		__u8 next;

		if ((void *)(ip6 + 1) > end)
			return PARSE_BAD;
		if (ip6->version != 6)
			return PARSE_BAD;
		k->family = 6;
		__builtin_memcpy(k->src, &ip6->saddr, 16);
		__builtin_memcpy(k->dst, &ip6->daddr, 16);
		next = ip6->nexthdr;
		cur = ip6 + 1;
		for (i = 0; i <= MAX_EXT; i++) {
			struct ext_hdr *x = cur;

			if (next != IPPROTO_HOPOPTS && next != IPPROTO_ROUTING &&
			    next != IPPROTO_DSTOPTS && next != IPPROTO_FRAGMENT &&
			    next != IPPROTO_AH)
				break;
			/* more than we look through */
			if (i == MAX_EXT || (void *)(x + 1) > end)
				return PARSE_BAD;
			if (next == IPPROTO_FRAGMENT) {
				if (x->frag_off & bpf_htons(0xfff8)) {
					k->proto = x->next;
					return PARSE_OK;	/* no ports */
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
		/* the bytes of the payload left after the extension headers */
		ext = cur - (void *)(ip6 + 1);
		return parse_l4(cur, end, ext > bpf_ntohs(ip6->payload_len) ? 0 :
				bpf_ntohs(ip6->payload_len) - ext, k);
	}
	return PARSE_OTHER;
}

/* the index of the lowest bit set in @x (not 0): de Bruijn */
static const __u8 debruijn[64] = {
	0, 1, 48, 2, 57, 49, 28, 3, 61, 58, 50, 42, 38, 29, 17, 4,
	62, 55, 59, 36, 53, 51, 43, 22, 45, 39, 33, 30, 24, 18, 12, 5,
	63, 47, 56, 27, 60, 41, 37, 16, 54, 35, 52, 21, 44, 32, 23, 11,
	46, 26, 40, 15, 34, 20, 31, 10, 25, 14, 19, 9, 13, 8, 7, 6,
};

static __always_inline __u32 lowest_bit(__u64 x)
{
	return debruijn[((x & -x) * 0x03f79d71b4cb0a89ull) >> 58];
}

#define NDIMS 7

/* hide a value's range from the compiler, or it drops a mask that the
 * verifier needs after a range check */
#define OPAQUE(x) asm volatile("" : "+r"(x))

struct search {
	struct fw_vec *v[NDIMS];
	__u64 cand;			/* summary words left to visit */
	__u32 sw;			/* summary word being visited */
	__u32 nsw;			/* summary words the set's rules use */
	__u32 rule;			/* result: FW_RULES_MAX if none */
};

/* candidate words one step of the search visits at most */
#define VISIT_WORDS	8

/*
 * One step of the search: the next summary word, when the candidates
 * of this one are done; else up to VISIT_WORDS candidate words, until
 * one has a rule that every vector has: the first such rule. The
 * vectors are read from @data once a step, not once a word.
 */
static long visit(__u32 i, void *data)
{
	struct search *s = data;
	const struct fw_vec *v0 = s->v[0], *v1 = s->v[1], *v2 = s->v[2],
			    *v3 = s->v[3], *v4 = s->v[4], *v5 = s->v[5],
			    *v6 = s->v[6];
	__u64 m, cand = s->cand;
	__u32 w, j, base;
	int k;

	if (!cand) {
		if (++s->sw >= s->nsw)
			return 1;
		j = s->sw;
		OPAQUE(j);
		j &= FW_SUMMARY - 1;
		s->cand = v0->summary[j] & v1->summary[j] & v2->summary[j] &
			  v3->summary[j] & v4->summary[j] & v5->summary[j] &
			  v6->summary[j];
		return 0;
	}
	base = s->sw * 64;
#pragma unroll
	for (k = 0; k < VISIT_WORDS; k++) {
		w = base + lowest_bit(cand);
		OPAQUE(w);
		w &= FW_WORDS - 1;
		cand &= cand - 1;
		m = v0->bits[w] & v1->bits[w] & v2->bits[w] & v3->bits[w] &
		    v4->bits[w] & v5->bits[w] & v6->bits[w];
		if (m) {
			s->rule = w * 64 + lowest_bit(m);
			return 1;
		}
		if (!cand)
			break;
	}
	s->cand = cand;
	return 0;
}

static __always_inline struct fw_vec *vec(void *table, __u32 *id)
{
	return id ? bpf_map_lookup_elem(table, id) : NULL;
}

/*
 * The vectors of @k's fields and connection state @ct in @set (@ct < 0:
 * not known, see parse()), or -1 if one is missing.
 */
static __always_inline int vectors(__u32 set, const struct pkt *k, int ct,
				   struct search *s)
{
	__u32 key, *id, none[3] = { FW_VEC_ALL, FW_VEC_NO_PORTS,
				    FW_VEC_NO_FLAGS };
	void *t = bpf_map_lookup_elem(&fw_vecs, &set);
	int d;

	if (!t)
		return -1;

	for (d = 0; d < 2; d++) {
		const __u8 *a = d ? k->dst : k->src;

		if (k->family == 4) {
			struct fw_lpm4_key lk = { .prefixlen = 8 + 32,
						  .sel = set * 2 + d };
			struct fw_vec_id *e;

			key = FW_IDS_KEY(set, FW_T_SRC16 + d,
					 (__u32)a[0] << 8 | a[1]);
			e = bpf_map_lookup_elem(&fw_ids, &key);
			if (e && e->vec != FW_DIR16_TRIE) {
				s->v[d] = vec(t, &e->vec);
				continue;
			}
			__builtin_memcpy(lk.addr, a, 4);
			id = bpf_map_lookup_elem(&fw_lpm4, &lk);
		} else {
			struct fw_lpm6_key lk = { .prefixlen = 8 + 128,
						  .sel = set * 2 + d };

			__builtin_memcpy(lk.addr, a, 16);
			id = bpf_map_lookup_elem(&fw_lpm6, &lk);
		}
		if (id) {
			key = FW_HANDLE_KEY(set, d, *id);
			id = *id < FW_HANDLES ?
				bpf_map_lookup_elem(&fw_handles, &key) : NULL;
		}
		s->v[d] = vec(t, id);
	}
	if (k->l4 >= 2) {
		struct fw_vec_id *pe;

		key = FW_IDS_KEY(set, FW_T_SPORT, k->sport);
		pe = bpf_map_lookup_elem(&fw_ids, &key);
		s->v[2] = pe ? vec(t, &pe->vec) : NULL;
		key = FW_IDS_KEY(set, FW_T_DPORT, k->dport);
		pe = bpf_map_lookup_elem(&fw_ids, &key);
		s->v[3] = pe ? vec(t, &pe->vec) : NULL;
	} else {
		/* unknown: every rule (see parse()); none: rules on none */
		s->v[2] = s->v[3] = vec(t, &none[k->l4 & 1]);
	}
	if (k->l4 == 3) {
		key = FW_SMALL_KEY(set, 1, k->flags);
		s->v[4] = vec(t, bpf_map_lookup_elem(&fw_small, &key));
	} else {
		s->v[4] = vec(t, &none[k->l4 ? 2 : 0]);
	}
	key = FW_SMALL_KEY(set, 0, k->proto);
	s->v[5] = vec(t, bpf_map_lookup_elem(&fw_small, &key));
	if (ct >= 0) {
		key = FW_SMALL_KEY(set, 2, ct & 3);
		s->v[6] = vec(t, bpf_map_lookup_elem(&fw_small, &key));
	} else {
		s->v[6] = vec(t, &none[0]);
	}
	for (d = 0; d < NDIMS; d++)
		if (!s->v[d])
			return -1;
	return 0;
}

#define NSEC_PER_SEC	1000000000ull
#define TCP_FIN		0x01
#define TCP_SYN		0x02
#define TCP_RST		0x04
#define TCP_ACK		0x10

static __always_inline int ct_expired(const struct fw_ct *c, __u8 proto,
				      __u64 now)
{
	__u64 t;

	if (proto == IPPROTO_TCP)
		t = c->flags & FW_CT_CLOSING ? FW_CT_TCP_CLOSING :
		    c->flags & FW_CT_REPLIED ? FW_CT_TCP_OPEN :
					       FW_CT_TCP_OPENING;
	else
		t = c->flags & FW_CT_REPLIED ? FW_CT_OTHER_REPLIED :
					       FW_CT_OTHER_NEW;
	return pcn_older(now, c->seen_ns, t * NSEC_PER_SEC);
}

/*
 * The state of @k's flow in connection tracking (-1: not known, a
 * fragment after the first), with its key, the side the packet comes
 * from and the flow's entry, if it has one.
 */
static __always_inline int ct_state(const struct pkt *k, __u64 now,
				    struct fw_ct_key *ck, int *side,
				    struct fw_ct **entry)
{
	struct fw_ct *c;

	*entry = NULL;
	if (!k->l4)
		return -1;
	if (k->icmp_error) {
		c = k->icmp_error == 2 ?
			bpf_map_lookup_elem(&fw_ct, &k->quoted) : NULL;
		if (c && !ct_expired(c, k->quoted.proto, now))
			return FW_CT_RELATED;
		return FW_CT_INVALID;
	}
	if (!k->ct_ok)
		return FW_CT_NEW;	/* a protocol not tracked */
	ck->family = k->family;
	ck->proto = k->proto;
	*side = ct_order(ck, k->src, k->ct_port[0], k->dst, k->ct_port[1]);
	c = bpf_map_lookup_elem(&fw_ct, ck);
	if (c && ct_expired(c, k->proto, now)) {
		bpf_map_delete_elem(&fw_ct, ck);
		c = NULL;
	}
	*entry = c;
	if (c)
		return *side != c->opener || (c->flags & FW_CT_REPLIED) ?
			FW_CT_ESTABLISHED : FW_CT_NEW;
	/* TCP opens with a SYN alone; an echo reply answers a request */
	if (k->proto == IPPROTO_TCP &&
	    (k->tcp_flags & (TCP_SYN | TCP_ACK | TCP_RST)) != TCP_SYN)
		return FW_CT_INVALID;
	if (k->icmp_reply)
		return FW_CT_INVALID;
	return FW_CT_NEW;
}

/* An accepted packet: its flow opens, or goes on, or closes. */
static __always_inline void ct_update(const struct pkt *k, int ct, __u64 now,
				      const struct fw_ct_key *ck, int side,
				      struct fw_ct *c)
{
	if (!k->ct_ok || k->icmp_error)
		return;
	if (!c) {
		struct fw_ct fresh = { .opener = side, .seen_ns = now };

		if (ct == FW_CT_NEW)
			bpf_map_update_elem(&fw_ct, ck, &fresh, BPF_NOEXIST);
		return;
	}
	/* in place, and at most once a second for the time */
	if (side != c->opener && !(c->flags & FW_CT_REPLIED))
		c->flags |= FW_CT_REPLIED;
	if (pcn_older(now, c->seen_ns, NSEC_PER_SEC))
		c->seen_ns = now;
	if (k->proto != IPPROTO_TCP)
		return;
	if (k->tcp_flags & TCP_RST)
		bpf_map_delete_elem(&fw_ct, ck);
	else if ((k->tcp_flags & TCP_FIN) && !(c->flags & FW_CT_CLOSING))
		c->flags |= FW_CT_CLOSING;
}

static __always_inline int firewall(struct pcn_ctx *ctx, __u32 dir)
{
	struct search s = { .rule = FW_RULES_MAX };
	struct fw_stats *st = bpf_map_lookup_elem(&fw_stats, &dir);
	struct fw_counter *cnt;
	struct fw_state *state;
	struct fw_rule *r;
	struct fw_set *hdr;
	struct fw_ct_key ck = {};
	struct fw_ct *entry;
	struct pkt k = {};
	__u32 zero = 0, set, key, action;
	int ret, ct, side = 0, track;
	__u64 now;

	ret = parse(ctx, &k);
	if (ret == PARSE_OTHER)
		return PCN_NEXT;
	if (ret == PARSE_BAD) {
		if (st)
			st->malformed++;
		return PCN_DROP;
	}
	state = bpf_map_lookup_elem(&fw_state, &zero);
	if (!state)
		return PCN_DROP;
	set = ((dir ? state->gen[1] & 1 : state->gen[0] & 1) * 2 + dir) &
	      (FW_SETS - 1);
	hdr = bpf_map_lookup_elem(&fw_sets, &set);
	if (!hdr)
		return PCN_DROP;
	action = hdr->policy;
	if (!k.l4 && st)
		st->fragments++;
	track = !(state->flags & FW_NO_CT);
	if (track) {
		now = pcn_now_ns();
		ct = ct_state(&k, now, &ck, &side, &entry);
	} else {
		ct = -1;	/* no rule looks at it */
	}
	if (hdr->nrules && vectors(set, &k, ct, &s) == 0) {
		__u64 any = 0;
		int j;

		/* the summaries first, here: a packet that no rule can
		 * match costs no call of the loop's callback (an indirect
		 * call, slow where retpolines are on) */
		s.nsw = (hdr->nrules + 64 * 64 - 1) / (64 * 64);
		for (j = FW_SUMMARY - 1; j >= 0; j--) {
			if (j >= s.nsw)
				continue;
			s.cand = s.v[0]->summary[j] & s.v[1]->summary[j] &
				 s.v[2]->summary[j] & s.v[3]->summary[j] &
				 s.v[4]->summary[j] & s.v[5]->summary[j] &
				 s.v[6]->summary[j];
			any |= s.cand;
		}
		/* s.cand is now summary word 0's, where visit() begins */
		if (any)
			bpf_loop(FW_WORDS + FW_SUMMARY, visit, &s, 0);
	} else if (hdr->nrules) {
		action = FW_DROP;	/* a set being built: fail closed */
	}
	if (s.rule < hdr->nrules && s.rule < FW_RULES_MAX) {
		key = set * FW_RULES_MAX + s.rule;
		r = bpf_map_lookup_elem(&fw_rules, &key);
		if (!r)
			return PCN_DROP;
		action = r->action;
		/* a fragment without ports may not pass a rule on ports */
		if (!k.l4 && (r->fields & FW_F_L4))
			action = FW_DROP;
		key = r->id;
		cnt = bpf_map_lookup_elem(&fw_counters, &key);
		if (cnt) {
			cnt->packets++;
			cnt->bytes += pcn_pkt_len(ctx);
		}
	} else if (st) {
		st->policy++;
	}
	if (action != FW_ACCEPT) {
		if (st)
			st->dropped++;
		return PCN_DROP;
	}
	if (st)
		st->accepted++;
	if (track)
		ct_update(&k, ct, now, &ck, side, entry);
	return PCN_NEXT;
}

PCN_TRANSPARENT_PROGS(firewall, firewall)
