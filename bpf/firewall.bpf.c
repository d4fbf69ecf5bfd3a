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
 *             policy. A reject answers (bpf/fw_reject.h).
 *
 * Frames that are neither IPv4 nor IPv6 (ARP, LLDP...) are not the
 * firewall's: they pass.
 */
#define PCN_TRANSPARENT
#define PCN_CLOCK
#include "pcn_cube.h"
#include "parse.h"
#include "ct.h"
#include "firewall.h"
#include "fw_reject.h"
#include "bucket.h"

#define MAX_TAGS	2

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
	__type(key, struct pcn_ct_key);
	__type(value, struct pcn_ct);
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

/* a rule's token bucket (limit): by rule id */
struct fw_bucket {
	__u64 stamp_ns;
	__u64 tokens;
	__u32 seed;			/* of the rule it is of */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FW_IDS_MAX);
	__type(key, __u32);
	__type(value, struct fw_bucket);
} fw_limits SEC(".maps");

/* a hashlimit's buckets: by rule id and address */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, FW_HLIMITS_MAX);
	__type(key, struct fw_hlimit_key);
	__type(value, struct fw_bucket);
} fw_hlimits SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, FW_LOG_BYTES);
} fw_log SEC(".maps");

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

/* what the checks after the classifier (fw_rule_post) look at */
struct fw_pkt {
	__u64 now;
	__u32 mark;
	__u32 len;
	__u32 ifindex;
	__u32 dir;
	__u32 set;
	__u32 pad;
	/* the fields of struct pcn_ip they need, copied */
	__u8 family;
	__u8 proto;
	__u8 flags;
	__u8 l4;
	__u16 sport;
	__u16 dport;
	__u8 src[16];
	__u8 dst[16];
};

/* the fw_pkt of the packet at hand, and room for a hashlimit's key:
 * off the stack, which the search's frames use up */
struct fw_scratch {
	struct fw_pkt p;
	__u64 skip;			/* see struct search */
	struct fw_hlimit_key hk;
	struct fw_bucket nb;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fw_scratch);
} fw_scratch SEC(".maps");

struct search {
	struct fw_vec *v[NDIMS];
	__u64 cand;			/* summary words left to visit */
	__u32 sw;			/* summary word being visited */
	__u32 nsw;			/* summary words the set's rules use */
	__u32 rule;			/* result: FW_RULES_MAX if none */
	/* rules of word skip_w found and then failed fw_rule_post()
	 * (fw_scratch.skip): the search goes on after them */
	__u32 skip_w;
};

/* @len bits of @a kept, the rest 0 */
static __always_inline void mask_addr(__u8 *a, __u32 bytes, __u32 len)
{
	__u32 i;

#pragma unroll
	for (i = 0; i < 16; i++) {
		if (i >= bytes || len <= i * 8)
			a[i] = 0;
		else if (len < i * 8 + 8)
			a[i] &= (__u8)(0xff << (8 - (len - i * 8)));
	}
}

/* may @r's limit let @s's packet through? (takes a token if so) */
static __always_inline int limit_ok(const struct fw_rule *r,
				    struct fw_scratch *x)
{
	/* a packet costs one unit's worth of nanoseconds: the bucket
	 * gains limit_num of them each nanosecond */
	__u64 cost = (__u64)NSEC_PER_SEC * r->limit_unit;
	__u64 cap = cost * r->limit_burst;
	struct fw_bucket *b;
	__u32 id = r->limit_id;

	if (r->limit_by == FW_LIMIT_RULE) {
		b = bpf_map_lookup_elem(&fw_limits, &id);
	} else {
		struct fw_hlimit_key *hk = &x->hk;
		__u32 bytes = x->p.family == 4 ? 4 : 16;

		__builtin_memset(hk, 0, sizeof(*hk));
		hk->id = id;
		hk->seed = r->limit_seed;
		hk->family = x->p.family;
		if (r->limit_by & FW_LIMIT_SRC) {
			__builtin_memcpy(hk->src, x->p.src, 16);
			mask_addr(hk->src, bytes, r->limit_plen);
		}
		if (r->limit_by & FW_LIMIT_DST) {
			__builtin_memcpy(hk->dst, x->p.dst, 16);
			mask_addr(hk->dst, bytes, r->limit_plen);
		}
		b = bpf_map_lookup_elem(&fw_hlimits, hk);
		if (!b) {
			/* a new address starts with a full burst */
			x->nb.stamp_ns = x->p.now;
			x->nb.tokens = cap;
			x->nb.seed = r->limit_seed;
			x->nb.pad = 0;
			bpf_map_update_elem(&fw_hlimits, hk, &x->nb, BPF_NOEXIST);
			b = bpf_map_lookup_elem(&fw_hlimits, hk);
		}
	}
	if (!b)
		return 0;	/* no bucket: the rule does not match */
	if (b->seed != r->limit_seed) {
		/* a former rule's, of the same id: the rule's own, full */
		b->seed = r->limit_seed;
		b->stamp_ns = x->p.now;
		b->tokens = cap;
	}
	return pcn_bucket_take(&b->stamp_ns, &b->tokens, r->limit_num, cap,
			       cost, x->p.now);
}

/* @r's event, as it matched @s's packet */
static __always_inline void log_event(const struct fw_rule *r,
				      const struct fw_pkt *p)
{
	const struct fw_pkt *k = p;
	struct fw_log_event *ev;
	struct fw_stats *st;
	__u32 dir = p->dir & 1;

	st = bpf_map_lookup_elem(&fw_stats, &dir);
	ev = bpf_ringbuf_reserve(&fw_log, sizeof(*ev), 0);
	if (!ev) {
		PCN_COUNT(st, log_lost);
		return;
	}
	ev->ns = p->now;
	ev->id = r->id;
	ev->ifindex = p->ifindex;
	ev->len = p->len;
	ev->mark = p->mark;
	ev->chain = dir;
	ev->family = k->family;
	ev->proto = k->proto;
	ev->level = r->log_level;
	ev->l4 = k->l4;
	ev->flags = k->flags;
	ev->sport = k->sport;
	ev->dport = k->dport;
	ev->pad = 0;
	__builtin_memcpy(ev->src, k->src, 16);
	__builtin_memcpy(ev->dst, k->dst, 16);
	__builtin_memcpy(ev->prefix, r->log_prefix, sizeof(ev->prefix));
	bpf_ringbuf_submit(ev, 0);
	PCN_COUNT(st, logged);
}

/*
 * Does the rule at @idx, which the classifier found, match? Its mark,
 * its limit, after the classifier; a rule of action log logs, counts
 * the packet and does not (the packet goes on to the rules after it).
 */
static __always_inline int fw_rule_post(__u32 idx)
{
	struct fw_scratch *x;
	const struct fw_rule *r;
	struct fw_counter *cnt;
	__u32 key, zero = 0;

	x = bpf_map_lookup_elem(&fw_scratch, &zero);
	if (!x)
		return 0;
	key = (x->p.set & (FW_SETS - 1)) * FW_RULES_MAX +
	      (idx & (FW_RULES_MAX - 1));
	r = bpf_map_lookup_elem(&fw_rules, &key);
	if (!r)
		return 1;	/* firewall() decides */
	if (!(r->fields & FW_F_POST) && r->action != FW_LOG)
		return 1;
	/* the clock read only for a rule that needs it (limit, log):
	 * firewall() has it at hand only when it tracks connections */
	if (!x->p.now)
		x->p.now = pcn_now_ns();
	if ((r->fields & FW_F_MARK) &&
	    (x->p.mark & r->mark_mask) != r->mark_value)
		return 0;
	/* a fragment after the first on a rule on ports: decided as
	 * firewall() has it, no token taken, nothing logged */
	if (!x->p.l4 && (r->fields & FW_F_L4))
		return 1;
	if ((r->fields & FW_F_LIMIT) && !limit_ok(r, x))
		return 0;
	if (r->action != FW_LOG)
		return 1;
	log_event(r, &x->p);
	key = r->id;
	cnt = bpf_map_lookup_elem(&fw_counters, &key);
	PCN_COUNT_PKT(cnt, packets, bytes, x->p.len);
	return 0;
}

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
	__u64 m = 0, cand = s->cand;
	struct fw_scratch *x;
	__u32 w, j, base, zero = 0;
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
		if (m)
			break;
		if (!cand)
			break;
	}
	s->cand = cand;
	if (!m)
		return 0;
	/* a rule found: once, out of the unrolled loop (its checks cost
	 * stack and code) */
	if (w == s->skip_w) {
		x = bpf_map_lookup_elem(&fw_scratch, &zero);
		if (x)
			m &= ~x->skip;
		if (!m)
			return 0;	/* on from the next word */
	}
	if (fw_rule_post(w * 64 + lowest_bit(m))) {
		s->rule = w * 64 + lowest_bit(m);
		return 1;
	}
	/* not this rule: this word again, without it */
	x = bpf_map_lookup_elem(&fw_scratch, &zero);
	if (!x)
		return 1;		/* never: an array's entry 0 */
	if (s->skip_w != w)
		x->skip = 0;
	s->skip_w = w;
	x->skip |= m & -m;
	s->cand = cand | 1ull << (w & 63);
	return 0;
}

static __always_inline struct fw_vec *vec(void *table, __u32 *id)
{
	return id ? bpf_map_lookup_elem(table, id) : NULL;
}

/*
 * The vectors of @k's fields and connection state @ct in @set (@ct < 0:
 * not known, see pcn_parse_ip()), or -1 if one is missing.
 */
static __always_inline int vectors(__u32 set, const struct pcn_ip *k, int ct,
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

/*
 * The first rule of @set (in @nrules slots) that @k with connection state @ct
 * matches: FW_RULES_MAX if none, -1 if one of its vectors is missing (a
 * set being built). A global function: the verifier checks it once, not
 * once for every state of the parser and of connection tracking that
 * its caller reaches it in.
 */
__noinline int fw_match(__u32 set, const struct pcn_ip *k, int ct,
			__u32 nrules)
{
	struct search s = { .rule = FW_RULES_MAX, .skip_w = ~0u };
	__u64 any = 0;
	int j;

	if (!k || vectors(set, k, ct, &s))
		return -1;
	/* the summaries first, here: a packet that no rule can match
	 * costs no call of the loop's callback (an indirect call, slow
	 * where retpolines are on) */
	s.nsw = (nrules + 64 * 64 - 1) / (64 * 64);
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
	/* a step more for each rule that fw_rule_post() turns down */
	if (any)
		bpf_loop(FW_WORDS + FW_SUMMARY + FW_RULES_MAX, visit, &s, 0);
	return s.rule;
}

static __always_inline int firewall(struct pcn_ctx *ctx, __u32 dir)
{
	struct fw_stats *st = bpf_map_lookup_elem(&fw_stats, &dir);
	struct fw_counter *cnt;
	struct fw_state *state;
	struct fw_rule *r;
	struct fw_set *hdr;
	struct pcn_ct_key ck = {};
	struct pcn_ct *entry;
	struct pcn_ip k = {};
	struct fw_scratch *fp;
	struct pcn_eth e;
	__u32 zero = 0, set, key, action, how = 0;
	int ret, ct, side = 0, track, rule;
	__u64 now;

	/* up to two tags looked through, more dropped: fail closed */
	ret = pcn_parse_eth(ctx, &e, MAX_TAGS) ? PCN_PARSE_BAD :
	      e.more || e.ntags > MAX_TAGS ? PCN_PARSE_BAD :
	      pcn_parse_ip(ctx, &e, &k);
	if (ret == PCN_PARSE_OTHER)
		return PCN_NEXT;
	/*
	 * ICMP's type and code are looked up in the ports' tables (a
	 * rule's icmp-type and icmp-code, FW_F_ICMP: the protocol keeps
	 * them apart from TCP and UDP ports); a message too short to have
	 * them is malformed: fail closed
	 */
	if (k.l4 == 1 && (k.proto == IPPROTO_ICMP ||
			  k.proto == PCN_IPPROTO_ICMPV6)) {
		if (!k.icmp_ok) {
			PCN_COUNT(st, malformed);
			return PCN_DROP;
		}
		k.sport = k.icmp_type;
		k.dport = k.icmp_code;
		k.l4 = 2;
	}
	if (ret == PCN_PARSE_BAD) {
		PCN_COUNT(st, malformed);
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
	if (!k.l4)
		PCN_COUNT(st, fragments);
	track = !(state->flags & FW_NO_CT);
	if (track) {
		now = pcn_now_ns();
		ct = pcn_ct_state(&fw_ct, &k, now, &ck, &side, &entry);
	} else {
		ct = -1;	/* no rule looks at it */
	}
	/* what the checks after the classifier look at */
	fp = bpf_map_lookup_elem(&fw_scratch, &zero);
	if (!fp)
		return PCN_DROP;
	fp->p.now = track ? now : 0;	/* 0: fw_rule_post() reads it */
	fp->p.len = pcn_pkt_len(ctx);
	fp->p.dir = dir;
	fp->p.set = set;
	__builtin_memcpy(&fp->p.family, &k, 40);
#ifdef PCN_BUILD_XDP
	fp->p.ifindex = ctx->ingress_ifindex;
	fp->p.mark = 0;
#else
	fp->p.ifindex = ctx->ifindex;
	fp->p.mark = ctx->mark;
#endif
	rule = hdr->nrules ? fw_match(set, &k, ct, hdr->nslots) : FW_RULES_MAX;
	if (rule < 0)
		action = FW_DROP;	/* a set being built: fail closed */
	if (rule >= 0 && rule < hdr->nslots && rule < FW_RULES_MAX) {
		key = set * FW_RULES_MAX + rule;
		r = bpf_map_lookup_elem(&fw_rules, &key);
		if (!r)
			return PCN_DROP;
		action = r->action;
		how = r->reject | (__u32)r->reject_code[0] << 8 |
		      (__u32)r->reject_code[1] << 16;
		/* a fragment without ports may not pass a rule on ports */
		if (!k.l4 && (r->fields & FW_F_L4))
			action = FW_DROP;
		key = r->id;
		cnt = bpf_map_lookup_elem(&fw_counters, &key);
		PCN_COUNT_PKT(cnt, packets, bytes, pcn_pkt_len(ctx));
	} else {
		PCN_COUNT(st, policy);
	}
	if (action != FW_ACCEPT) {
		PCN_COUNT(st, dropped);
		if (action != FW_REJECT)
			return PCN_DROP;
		ret = fw_reject(ctx, how, dir);
		if (ret != PCN_DROP)
			PCN_COUNT(st, rejected);
		return ret;
	}
	PCN_COUNT(st, accepted);
	if (track)
		pcn_ct_update(&fw_ct, &k, ct, now, &ck, side, entry);
	return PCN_NEXT;
}

PCN_TRANSPARENT_PROGS(firewall, firewall)
