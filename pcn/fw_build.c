// SPDX-License-Identifier: GPL-2.0
/*
 * The firewall's lookup structures, built from a chain's rules (see
 * bpf/firewall.h for the layout and the search).
 *
 * For N rules and a dimension with V distinct values in them, building
 * costs O(V log V + V * N / 64) and memory V vectors of FW_WORDS words:
 *
 *   prefixes  the distinct prefixes of the rules, sorted; a prefix's
 *             vector is its parent's (the longest shorter prefix that
 *             holds it) OR the rules with exactly that prefix, so the
 *             longest match a packet finds has every rule that holds it
 *   ports     the boundaries of the ranges cut 0..65535 into elementary
 *             intervals; a sweep adds and removes rules at each one
 *   protocol  one vector per protocol named, the rest share the
 *             "any protocol" one; TCP flags: one per value, shared when
 *             equal to the one before
 *
 * A set (generation x chain) is rebuilt in place: its header is marked
 * partial, then its vectors, LPM entries and port tables are written
 * where they differ from what the previous build of the set left, then
 * its small tables and rules, then its header. After a build that did
 * not finish (pcn killed), the next one clears the set whole.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "fw.h"
#include "utils.h"

struct vecs {
	struct fw_vec *v;
	__u32 n;
	__u32 cap;
};

static int vec_new(struct vecs *vs, __u32 *id)
{
	if (vs->n == vs->cap) {
		__u32 cap = vs->cap ? vs->cap * 2 : 256;
		struct fw_vec *v = realloc(vs->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		vs->v = v;
		vs->cap = cap;
	}
	memset(&vs->v[vs->n], 0, sizeof(*vs->v));
	*id = vs->n++;
	return 0;
}

static void vec_set(struct fw_vec *v, __u32 r)
{
	v->bits[r / 64] |= 1ull << (r % 64);
}

static void vec_summarize(struct fw_vec *v, __u32 words)
{
	__u32 w;

	memset(v->summary, 0, sizeof(v->summary));
	for (w = 0; w < words; w++)
		if (v->bits[w])
			v->summary[w / 64] |= 1ull << (w % 64);
}

/* Does rule @r's address field @d (0 src, 1 dst) match any address? */
static bool addr_any(const struct fw_rule *r, int d)
{
	return !(r->fields & (d ? FW_F_DST : FW_F_SRC));
}

static const __u8 *rule_addr(const struct fw_rule *r, int d, __u8 *plen)
{
	*plen = d ? r->dst_plen : r->src_plen;
	return d ? r->dst : r->src;
}

/* Do the first @plen bits of @a and @b agree? */
static bool prefix_holds(const __u8 *a, const __u8 *b, __u32 plen)
{
	__u32 full = plen / 8, rest = plen % 8;

	if (memcmp(a, b, full))
		return false;
	return !rest || !((a[full] ^ b[full]) & (0xff00 >> rest));
}

struct pfx {
	__u8 addr[16];
	__u32 plen;
	__u32 vec;
};

static __u32 pfx_bytes;

static int pfx_cmp(const void *pa, const void *pb)
{
	const struct pfx *a = pa, *b = pb;
	int c = memcmp(a->addr, b->addr, pfx_bytes);

	if (c)
		return c;
	return (int)a->plen - (int)b->plen;
}

/*
 * The prefixes of dimension @d for @family (4 or 6) with their vectors:
 * /0 first (the rules with no address, or a /0), then each distinct
 * prefix of the rules, sorted so that a prefix comes after those that
 * hold it.
 */
/*
 * The distinct prefixes of dimension @d for @family in @rules, sorted,
 * after a /0 at [0]; caller frees.
 */
static int collect_prefixes(const struct fw_rule *rules, __u32 n, int d,
			    int family, struct pfx **out, __u32 *nout)
{
	__u32 bytes = family == 4 ? 4 : 16, i, j, cnt = 1;
	struct pfx *p;
	__u8 plen;

	p = calloc(n + 1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const __u8 *a;

		if (addr_any(&rules[i], d) || rules[i].family != family)
			continue;
		a = rule_addr(&rules[i], d, &plen);
		if (!plen)
			continue;
		memcpy(p[cnt].addr, a, bytes);
		p[cnt].plen = plen;
		cnt++;
	}
	pfx_bytes = bytes;
	qsort(p + 1, cnt - 1, sizeof(*p), pfx_cmp);
	/* distinct ones */
	for (i = 1, j = 1; i < cnt; i++)
		if (j == 1 || pfx_cmp(&p[i], &p[j - 1]))
			p[j++] = p[i];
	*out = p;
	*nout = j;
	return 0;
}

static int build_prefixes(const struct fw_rule *rules, __u32 n, int d,
			  int family, struct vecs *vs, struct pfx **out,
			  __u32 *nout)
{
	__u32 bytes = family == 4 ? 4 : 16, i, j, k, cnt;
	struct pfx *p, **stack;
	__u8 plen;
	int err;

	err = collect_prefixes(rules, n, d, family, &p, &cnt);
	if (err)
		return err;
	stack = calloc(cnt + 1, sizeof(*stack));
	if (!stack) {
		free(p);
		return -ENOMEM;
	}
	/* /0: the rules of any family with no address, and the /0 ones */
	err = vec_new(vs, &p[0].vec);
	for (i = 0; !err && i < n; i++) {
		rule_addr(&rules[i], d, &plen);
		if (addr_any(&rules[i], d) ||
		    (rules[i].family == family && !plen))
			vec_set(&vs->v[p[0].vec], i);
	}
	/* each prefix's own rules, found by binary search */
	for (i = 1; !err && i < cnt; i++)
		err = vec_new(vs, &p[i].vec);
	for (j = 0; !err && j < n; j++) {
		struct pfx key = {}, *hit;
		const __u8 *a;

		if (addr_any(&rules[j], d) || rules[j].family != family)
			continue;
		a = rule_addr(&rules[j], d, &plen);
		if (!plen)
			continue;
		memcpy(key.addr, a, bytes);
		key.plen = plen;
		hit = bsearch(&key, p + 1, cnt - 1, sizeof(*p), pfx_cmp);
		if (hit)
			vec_set(&vs->v[hit->vec], j);
	}
	/* and those of the prefixes that hold it: sorted, a holder comes
	 * first, and is on the stack when its prefixes come */
	k = 0;
	stack[k++] = &p[0];
	for (i = 1; !err && i < cnt; i++) {
		struct fw_vec *v = &vs->v[p[i].vec];
		const struct fw_vec *up;

		while (k > 1 && !(stack[k - 1]->plen < p[i].plen &&
				 prefix_holds(stack[k - 1]->addr, p[i].addr,
					      stack[k - 1]->plen)))
			k--;
		up = &vs->v[stack[k - 1]->vec];
		for (j = 0; j < (n + 63) / 64; j++)
			v->bits[j] |= up->bits[j];
		stack[k++] = &p[i];
	}
	free(stack);
	if (err) {
		free(p);
		return err;
	}
	*out = p;
	*nout = cnt;
	return 0;
}

struct edge {
	__u32 at;			/* first port of the change */
	__u32 rule;
	int add;
};

static int edge_cmp(const void *pa, const void *pb)
{
	const struct edge *a = pa, *b = pb;

	return a->at != b->at ? (a->at < b->at ? -1 : 1) : 0;
}

/* port -> vector id for dimension @d (0 sport, 1 dport), in @ids[65536] */
static int build_ports(const struct fw_rule *rules, __u32 n, int d,
		       struct vecs *vs, __u32 *ids)
{
	struct edge *e = calloc(2 * n + 1, sizeof(*e));
	struct fw_vec cur = {};
	__u32 i, ne = 0, port = 0, id;
	int err = 0;

	if (!e)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		__u32 lo = 0, hi = 65535;

		if (rules[i].fields & (d ? FW_F_DPORT : FW_F_SPORT)) {
			lo = d ? rules[i].dport_lo : rules[i].sport_lo;
			hi = d ? rules[i].dport_hi : rules[i].sport_hi;
		}
		e[ne++] = (struct edge){ .at = lo, .rule = i, .add = 1 };
		if (hi < 65535)
			e[ne++] = (struct edge){ .at = hi + 1, .rule = i };
	}
	qsort(e, ne, sizeof(*e), edge_cmp);
	/* one vector per elementary interval, from port 0 (below the
	 * lowest range, or with no rule, an empty one) to 65535 */
	i = 0;
	while (port < 65536) {
		__u32 next;

		while (i < ne && e[i].at == port) {
			if (e[i].add)
				cur.bits[e[i].rule / 64] |= 1ull << (e[i].rule % 64);
			else
				cur.bits[e[i].rule / 64] &= ~(1ull << (e[i].rule % 64));
			i++;
		}
		err = vec_new(vs, &id);
		if (err)
			break;
		vs->v[id] = cur;
		next = i < ne ? e[i].at : 65536;
		for (; port < next; port++)
			ids[port] = id;
	}
	free(e);
	return err;
}

/*
 * The condition of rule @r in small table @d (protocol, TCP flags,
 * connection state), or -1 if it matches any value
 */
static int small_key(const struct fw_rule *r, int d)
{
	if (d == 0)
		return r->fields & FW_F_PROTO ? r->proto : -1;
	if (d == 1)
		return r->fields & FW_F_FLAGS ?
			r->flags_mask << 8 | r->flags_value : -1;
	return r->fields & FW_F_STATE ? r->state_mask : -1;
}

static bool small_match(int key, int d, __u32 v)
{
	if (d == 0)
		return (__u32)key == v;
	if (d == 1)
		return (v & (key >> 8)) == (__u32)(key & 0xff);
	return v < 8 && (key >> v) & 1;
}

/*
 * value -> vector id for protocols (@d 0) or TCP flags (@d 1): the
 * rules that match any value, and those of each distinct condition
 * that matches it; a value's vector is shared with the value before it
 * when they are equal. O(n + 256 * conditions * n / 64).
 */
static int build_small(const struct fw_rule *rules, __u32 n, int d,
		       struct vecs *vs, __u32 *ids)
{
	__u32 words = (n + 63) / 64, v, i, w, c, nc = 0, id = 0;
	struct fw_vec *any, *cond = NULL, cur;
	int keys[256 * 256 / 64], err = 0, k;

	any = calloc(1, sizeof(*any));
	if (!any)
		return -ENOMEM;
	/* the distinct conditions, each with its rules */
	for (i = 0; !err && i < n; i++) {
		k = small_key(&rules[i], d);
		if (k < 0) {
			vec_set(any, i);
			continue;
		}
		for (c = 0; c < nc && keys[c] != k; c++)
			;
		if (c == nc) {
			struct fw_vec *more;

			if (nc == ARRAY_SIZE(keys)) {
				err = -E2BIG;
				break;
			}
			more = realloc(cond, (nc + 1) * sizeof(*cond));
			if (!more) {
				err = -ENOMEM;
				break;
			}
			cond = more;
			memset(&cond[nc], 0, sizeof(*cond));
			keys[nc++] = k;
		}
		vec_set(&cond[c], i);
	}
	for (v = 0; v < 256 && !err; v++) {
		memcpy(cur.bits, any->bits, words * sizeof(__u64));
		memset(cur.bits + words, 0, (FW_WORDS - words) * sizeof(__u64));
		for (c = 0; c < nc; c++)
			if (small_match(keys[c], d, v))
				for (w = 0; w < words; w++)
					cur.bits[w] |= cond[c].bits[w];
		/* equal to the one before: share it */
		if (v && !memcmp(cur.bits, vs->v[id].bits, words * sizeof(__u64))) {
			ids[v] = id;
			continue;
		}
		err = vec_new(vs, &id);
		if (!err)
			memcpy(vs->v[id].bits, cur.bits, sizeof(cur.bits));
		ids[v] = id;
	}
	free(cond);
	free(any);
	return err;
}

static int lpm_op(const struct fw_maps *m, __u32 set, int d, int family,
		  const struct pfx *x, bool del)
{
	struct fw_lpm4_key k4 = { .prefixlen = 8 + x->plen, .sel = set * 2 + d };
	struct fw_lpm6_key k6 = { .prefixlen = 8 + x->plen, .sel = set * 2 + d };
	int fd = family == 4 ? m->lpm4 : m->lpm6;
	void *k = family == 4 ? (void *)&k4 : (void *)&k6;

	memcpy(k4.addr, x->addr, 4);
	memcpy(k6.addr, x->addr, 16);
	if (del)
		return bpf_map_delete_elem(fd, k) && errno != ENOENT ? -errno : 0;
	return bpf_map_update_elem(fd, k, &x->vec, BPF_ANY) ? -errno : 0;
}

/* Delete every LPM entry of @set, whatever made it: a walk of the tries. */
static int lpm_clear_all(const struct fw_maps *m, __u32 set)
{
	struct fw_lpm4_key k4, n4;
	struct fw_lpm6_key k6, n6;
	bool more;

	for (more = !bpf_map_get_next_key(m->lpm4, NULL, &n4); more;) {
		k4 = n4;
		more = !bpf_map_get_next_key(m->lpm4, &k4, &n4);
		if (k4.sel / 2 == set && bpf_map_delete_elem(m->lpm4, &k4))
			return -errno;
	}
	for (more = !bpf_map_get_next_key(m->lpm6, NULL, &n6); more;) {
		k6 = n6;
		more = !bpf_map_get_next_key(m->lpm6, &k6, &n6);
		if (k6.sel / 2 == set && bpf_map_delete_elem(m->lpm6, &k6))
			return -errno;
	}
	return 0;
}

/*
 * Make the LPM entries of dimension @d, @family in @set those of @p
 * (@np), where the previous build left those of @q (@nq, with the ids
 * that build gave them): entries with the same prefix and id stay
 * as they are, as a build of the same rules gives the same ids.
 */
static int lpm_sync(const struct fw_maps *m, __u32 set, int d, int family,
		    const struct pfx *q, __u32 nq, const struct pfx *p,
		    __u32 np)
{
	const struct pfx *hit;
	__u32 i;
	int err = 0;

	pfx_bytes = family == 4 ? 4 : 16;
	for (i = 1; !err && i < nq; i++)
		if (!bsearch(&q[i], p + 1, np - 1, sizeof(*p), pfx_cmp))
			err = lpm_op(m, set, d, family, &q[i], true);
	for (i = 0; !err && i < np; i++) {
		hit = i ? bsearch(&p[i], q + 1, nq ? nq - 1 : 0, sizeof(*q),
				  pfx_cmp) : (nq ? q : NULL);
		if (!hit || hit->vec != p[i].vec)
			err = lpm_op(m, set, d, family, &p[i], false);
	}
	return err;
}

static int array_write(int fd, __u32 base, const void *vals, __u32 size,
		       __u32 n);

/*
 * Write port table @d of @set as @ids, where the previous build left
 * @old: only the runs that differ (all of it with @all).
 */
static int ports_sync(const struct fw_maps *m, __u32 set, int d,
		      const __u32 *old, const __u32 *ids, int all)
{
	__u32 i = 0, j;
	int err = 0;

	while (!err && i < 65536) {
		if (!all && old[i] == ids[i]) {
			i++;
			continue;
		}
		for (j = i; j < 65536 && (all || old[j] != ids[j]); j++)
			;
		err = array_write(m->ports, FW_PORT_KEY(set, d, i), ids + i,
				  sizeof(__u32), j - i);
		i = j;
	}
	return err;
}

/* Write @n elements of @vals (@size bytes each) at keys base..base+n-1. */
static int array_write(int fd, __u32 base, const void *vals, __u32 size,
		       __u32 n)
{
	__u32 *keys = calloc(n ? n : 1, sizeof(*keys)), i, count = n;
	int err = 0;

	if (!keys)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		keys[i] = base + i;
	if (bpf_map_update_batch(fd, keys, vals, &count, NULL)) {
		/* one at a time where the kernel cannot batch */
		for (i = 0; i < n && !err; i++)
			if (bpf_map_update_elem(fd, &keys[i],
						(const char *)vals + i * size,
						BPF_ANY))
				err = -errno;
	}
	free(keys);
	return err;
}

int fw_rules_read(const struct fw_maps *m, __u32 set, struct fw_rule *rules,
		  __u32 n)
{
	__u32 *keys, count = n, out, i, prev = set * FW_RULES_MAX - 1;
	int err = 0;

	if (!n)
		return 0;
	keys = calloc(n, sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	/* one system call where the kernel can batch; the batch of an
	 * array goes on from the key after the one given */
	if (bpf_map_lookup_batch(m->rules, set ? &prev : NULL, &out, keys,
				 rules, &count, NULL) && errno != ENOENT)
		count = 0;
	if (count < n || keys[0] != set * FW_RULES_MAX) {
		for (i = 0; i < n && !err; i++) {
			__u32 k = set * FW_RULES_MAX + i;

			if (bpf_map_lookup_elem(m->rules, &k, &rules[i]))
				err = -errno;
		}
	}
	free(keys);
	return err;
}

int fw_set_write(const struct fw_maps *m, __u32 set,
		 const struct fw_rule *rules, __u32 n, __u32 policy)
{
	struct fw_rule *old = NULL;
	struct fw_set hdr, prev = {};
	struct vecs vs = {};
	struct pfx *p[2][2] = {}, *q[2][2] = {};
	__u32 np[2][2] = {}, nq[2][2] = {}, small[FW_SMALL_DIMS][256], i, all;
	__u32 words;
	static __u32 ports[2][65536], old_ports[2][65536];
	bool full = false;
	int d, f, err;

	if (n > FW_RULES_MAX)
		return -E2BIG;
	words = (n + 63) / 64;
	/* what the set held: the LPM entries of its prefixes that the new
	 * build does not have go, its vectors are overwritten */
	if (bpf_map_lookup_elem(m->sets, &set, &prev) ||
	    prev.nrules > FW_RULES_MAX)
		prev = (struct fw_set){};
	old = calloc(prev.nrules ? prev.nrules : 1, sizeof(*old));
	if (!old)
		return -ENOMEM;
	err = fw_rules_read(m, set, old, prev.nrules);
	if (err)
		goto out;
	if (prev.flags & FW_SET_PARTIAL) {
		/* nothing is known of it: as if it held everything */
		err = lpm_clear_all(m, set);
		if (err)
			goto out;
		prev.nrules = 0;
		prev.flags = 0;
		full = true;
	}
	/* the vectors of fields a packet lacks (see firewall.h) */
	err = vec_new(&vs, &all);
	for (d = 0; !err && d < 2; d++)
		err = vec_new(&vs, &i);
	for (i = 0; !err && i < n; i++) {
		vec_set(&vs.v[FW_VEC_ALL], i);
		if (!(rules[i].fields & (FW_F_SPORT | FW_F_DPORT)))
			vec_set(&vs.v[FW_VEC_NO_PORTS], i);
		if (!(rules[i].fields & FW_F_FLAGS))
			vec_set(&vs.v[FW_VEC_NO_FLAGS], i);
	}
	/*
	 * Ports, prefixes, then the small tables: the ids of the first two
	 * come out the same as the previous build's wherever their values
	 * did, and the tables that point at them need not be rewritten
	 */
	for (d = 0; !err && d < 2; d++)
		err = build_ports(rules, n, d, &vs, ports[d]);
	for (d = 0; !err && d < 2; d++)
		for (f = 0; !err && f < 2; f++)
			err = build_prefixes(rules, n, d, f ? 6 : 4, &vs,
					     &p[d][f], &np[d][f]);
	for (d = 0; !err && d < FW_SMALL_DIMS; d++)
		err = build_small(rules, n, d, &vs, small[d]);
	if (!err && vs.n > FW_VECS_MAX / FW_SETS)
		err = -E2BIG;
	if (err)
		goto out;
	for (i = 0; i < vs.n; i++)
		vec_summarize(&vs.v[i], words);

	/* from here on the set is neither the old build nor the new one */
	hdr = (struct fw_set){ .nrules = prev.nrules, .policy = policy,
			       .nvecs = vs.n > prev.nvecs ? vs.n : prev.nvecs,
			       .flags = FW_SET_PARTIAL };
	if (bpf_map_update_elem(m->sets, &set, &hdr, BPF_ANY)) {
		err = -errno;
		goto out;
	}
	/* vectors, then what points at them, then the rules and header */
	{
		__u32 *keys = malloc(vs.n * sizeof(*keys)), count = vs.n;

		if (!keys) {
			err = -ENOMEM;
			goto out;
		}
		for (i = 0; i < vs.n; i++)
			keys[i] = FW_VEC_KEY(set, i);
		if (bpf_map_update_batch(m->vecs, keys, vs.v, &count, NULL))
			err = -errno;
		/* the ones the previous build had beyond these */
		for (i = vs.n; !err && i < prev.nvecs; i++) {
			__u32 k = FW_VEC_KEY(set, i);

			bpf_map_delete_elem(m->vecs, &k);
		}
		free(keys);
	}
	/* the previous build's port tables and prefixes, with the ids it
	 * gave them */
	if (!err) {
		struct vecs scratch = {};
		__u32 id;

		/* the same ids: after the three vectors of missing fields */
		for (d = 0; !err && d <= FW_VEC_NO_FLAGS; d++)
			err = vec_new(&scratch, &id);
		for (d = 0; !err && d < 2; d++)
			err = build_ports(old, prev.nrules, d, &scratch,
					  old_ports[d]);
		i = scratch.n;
		free(scratch.v);
	}
	for (d = 0; !err && d < 2; d++)
		for (f = 0; !err && f < 2; f++) {
			__u32 j;

			err = prev.nrules ?
				collect_prefixes(old, prev.nrules, d, f ? 6 : 4,
						 &q[d][f], &nq[d][f]) : 0;
			for (j = 0; j < nq[d][f]; j++)
				q[d][f][j].vec = i++;
		}
	for (d = 0; !err && d < 2; d++)
		for (f = 0; !err && f < 2; f++)
			err = lpm_sync(m, set, d, f ? 6 : 4, q[d][f], nq[d][f],
				       p[d][f], np[d][f]);
	pcn_fault_point("fw-build-half");
	for (d = 0; !err && d < 2; d++)
		err = ports_sync(m, set, d, old_ports[d], ports[d],
				 full || !prev.nvecs);
	for (d = 0; !err && d < FW_SMALL_DIMS; d++)
		err = array_write(m->small, FW_SMALL_KEY(set, d, 0), small[d],
				  sizeof(__u32), 256);
	if (!err && n)
		err = array_write(m->rules, set * FW_RULES_MAX, rules,
				  sizeof(*rules), n);
	hdr = (struct fw_set){ .nrules = n, .policy = policy, .nvecs = vs.n };
	if (!err && bpf_map_update_elem(m->sets, &set, &hdr, BPF_ANY))
		err = -errno;
out:
	for (d = 0; d < 2; d++)
		for (f = 0; f < 2; f++) {
			free(p[d][f]);
			free(q[d][f]);
		}
	free(vs.v);
	free(old);
	return err;
}
