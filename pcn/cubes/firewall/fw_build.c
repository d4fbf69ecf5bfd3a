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
 *             (and for IPv4, each /16 the vector of the longest prefix
 *             holding it whole, unless a longer one lies inside)
 *   ports     the boundaries of the ranges cut 0..65535 into elementary
 *             intervals; a sweep adds and removes rules at each one, and
 *             intervals with the same rules share a vector
 *   protocol  one vector per protocol named, the rest share the
 *             "any protocol" one; TCP flags: one per value, shared when
 *             equal to the one before
 *
 * A set (generation x chain) is rebuilt in place, while no packet reads
 * it: its header is marked partial, then its vectors are copied into its
 * table, then what points at them is written where it differs from what
 * the set holds (prefix handles, trie entries, the id tables), then its
 * small tables and rules, then its header. After a build that did not
 * finish (pcn killed), the next one clears the set's trie entries whole.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>

#include "fw.h"
#include "utils.h"

/*
 * The vectors of a build. Room for FW_VECS_MAX (136 MB) is mapped at
 * once, in huge pages where the kernel has them, and only what is
 * written is backed: no copying as it grows, a fault per 2 MB, and
 * vectors zero when made.
 */
struct vecs {
	struct fw_vec *v;
	__u32 n;
};

#define VECS_BYTES	((size_t)FW_VECS_MAX * sizeof(struct fw_vec))

static int vecs_init(struct vecs *vs)
{
	void *v = mmap(NULL, VECS_BYTES, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (v == MAP_FAILED)
		return -errno;
	madvise(v, VECS_BYTES, MADV_HUGEPAGE);
	vs->v = v;
	vs->n = 0;
	return 0;
}

static void vecs_free(struct vecs *vs)
{
	if (vs->v)
		munmap(vs->v, VECS_BYTES);
}

static int vec_new(struct vecs *vs, __u32 *id)
{
	if (vs->n == FW_VECS_MAX)
		return -E2BIG;
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

/* Is slot @r a hole (see fw_rules in firewall.h)? */
static bool hole(const struct fw_rule *r)
{
	return r->id == FW_ID_HOLE;
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
	__u32 rule;			/* the first rule with it */
	__u32 handle;			/* see fw_handles in firewall.h */
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
 * The distinct prefixes of dimension @d for @family (4 or 6) in @rules,
 * sorted so that a prefix comes after those that hold it, after a /0
 * at [0] (the rules with no address, or a /0), each with its handle;
 * caller frees.
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

		if (hole(&rules[i]) || addr_any(&rules[i], d) ||
		    rules[i].family != family)
			continue;
		a = rule_addr(&rules[i], d, &plen);
		if (!plen)
			continue;
		memcpy(p[cnt].addr, a, bytes);
		p[cnt].plen = plen;
		p[cnt].rule = i;
		cnt++;
	}
	pfx_bytes = bytes;
	qsort(p + 1, cnt - 1, sizeof(*p), pfx_cmp);
	/* distinct ones, each of the first rule that has it */
	for (i = 1, j = 1; i < cnt; i++) {
		if (j == 1 || pfx_cmp(&p[i], &p[j - 1]))
			p[j++] = p[i];
		else if (p[i].rule < p[j - 1].rule)
			p[j - 1].rule = p[i].rule;
	}
	p[0].handle = family == 4 ? FW_HANDLE_ANY4 : FW_HANDLE_ANY6;
	for (i = 1; i < j; i++)
		p[i].handle = rules[p[i].rule].id;
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
		if (hole(&rules[i]))
			continue;
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

		if (hole(&rules[j]) || addr_any(&rules[j], d) ||
		    rules[j].family != family)
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

/* a rule's part of the hash of a set of rules: the XOR of its members' */
static __u64 rule_hash(__u32 r)
{
	__u64 x = r + 0x9e3779b97f4a7c15ull;

	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

struct seen {
	__u64 hash;
	__u32 id;			/* + 1; 0: a free slot */
};

/*
 * port -> vector id for dimension @d (0 sport, 1 dport), in @ids[65536].
 * Intervals with the same rules share a vector (the gaps between
 * ranges, mostly): a hash of the rules, kept up to date by the sweep,
 * finds it.
 */
static int build_ports(const struct fw_rule *rules, __u32 n, int d,
		       struct vecs *vs, __u32 *ids)
{
	struct edge *e = calloc(2 * n + 1, sizeof(*e));
	__u32 i, ne = 0, port = 0, id, nb = 1, b, words = (n + 63) / 64;
	struct fw_vec cur = {};
	struct seen *seen;
	__u64 h = 0;
	int err = 0;

	while (nb < 4 * n + 4)
		nb <<= 1;
	seen = calloc(nb, sizeof(*seen));
	if (!e || !seen) {
		free(e);
		free(seen);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		__u32 lo = 0, hi = 65535;

		if (hole(&rules[i]))
			continue;
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
			h ^= rule_hash(e[i].rule);
			i++;
		}
		for (b = h & (nb - 1); seen[b].id; b = (b + 1) & (nb - 1))
			if (seen[b].hash == h &&
			    !memcmp(vs->v[seen[b].id - 1].bits, cur.bits,
				    words * sizeof(__u64)))
				break;
		if (seen[b].id) {
			id = seen[b].id - 1;
		} else {
			err = vec_new(vs, &id);
			if (err)
				break;
			memcpy(vs->v[id].bits, cur.bits, words * sizeof(__u64));
			seen[b] = (struct seen){ .hash = h, .id = id + 1 };
		}
		next = i < ne ? e[i].at : 65536;
		for (; port < next; port++)
			ids[port] = id;
	}
	free(e);
	free(seen);
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
		if (hole(&rules[i]))
			continue;
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

static int keyed_write(int fd, const void *keys, __u32 ksize,
		       const void *vals, __u32 size, __u32 n);

/* The LPM key of @x in dimension @d of @set, in @k4 or @k6 by @family */
static void *lpm_key(__u32 set, int d, int family, const struct pfx *x,
		     struct fw_lpm4_key *k4, struct fw_lpm6_key *k6)
{
	if (family == 4) {
		*k4 = (struct fw_lpm4_key){ .prefixlen = 8 + x->plen,
					    .sel = set * 2 + d };
		memcpy(k4->addr, x->addr, 4);
		return k4;
	}
	*k6 = (struct fw_lpm6_key){ .prefixlen = 8 + x->plen,
				    .sel = set * 2 + d };
	memcpy(k6->addr, x->addr, 16);
	return k6;
}

static int lpm_del(const struct fw_maps *m, __u32 set, int d, int family,
		   const struct pfx *x)
{
	int fd = family == 4 ? m->lpm4 : m->lpm6;
	struct fw_lpm4_key k4;
	struct fw_lpm6_key k6;

	return bpf_map_delete_elem(fd, lpm_key(set, d, family, x, &k4, &k6)) &&
	       errno != ENOENT ? -errno : 0;
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
 * (@np), where the previous build left those of @q (@nq): entries with
 * the same prefix and handle stay as they are.
 */
static int lpm_sync(const struct fw_maps *m, __u32 set, int d, int family,
		    const struct pfx *q, __u32 nq, const struct pfx *p,
		    __u32 np)
{
	__u32 ksize = family == 4 ? sizeof(struct fw_lpm4_key) :
				    sizeof(struct fw_lpm6_key);
	const struct pfx *hit;
	__u32 i, n = 0, *vals;
	char *keys;
	int err = 0;

	pfx_bytes = family == 4 ? 4 : 16;
	for (i = 1; !err && i < nq; i++)
		if (!bsearch(&q[i], p + 1, np - 1, sizeof(*p), pfx_cmp))
			err = lpm_del(m, set, d, family, &q[i]);
	keys = malloc((size_t)np * ksize + 1);
	vals = malloc((size_t)np * sizeof(*vals) + 1);
	if (!err && (!keys || !vals))
		err = -ENOMEM;
	/* the new ones and those whose handle changed, in one batch */
	for (i = 0; !err && i < np; i++) {
		struct fw_lpm4_key k4;
		struct fw_lpm6_key k6;

		hit = i ? bsearch(&p[i], q + 1, nq ? nq - 1 : 0, sizeof(*q),
				  pfx_cmp) : (nq ? q : NULL);
		if (hit && hit->handle == p[i].handle)
			continue;
		memcpy(keys + (size_t)n * ksize,
		       lpm_key(set, d, family, &p[i], &k4, &k6), ksize);
		vals[n++] = p[i].handle;
	}
	if (!err)
		err = keyed_write(family == 4 ? m->lpm4 : m->lpm6, keys, ksize,
				  vals, sizeof(*vals), n);
	free(keys);
	free(vals);
	return err;
}

static int array_write(int fd, __u32 base, const void *vals, __u32 size,
		       __u32 n);

/*
 * Write the vectors @vs of @set into its table: the one it has, where
 * they fit and it is not over four times too large; else a new one,
 * with a quarter to spare, filled, then put in its place (nothing reads
 * the set while it is built, and the kernel frees the table it
 * replaces).
 */
static int vec_table_write(const struct fw_maps *m, __u32 set,
			   const struct vecs *vs)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts,
		    .map_flags = BPF_F_INNER_MAP | BPF_F_MMAPABLE);
	struct bpf_map_info info = {};
	__u32 id, ilen = sizeof(info), cap;
	struct fw_vec *table;
	bool fresh = false;
	size_t len;
	int fd = -1, err = 0;

	if (!bpf_map_lookup_elem(m->vecs, &set, &id))
		fd = bpf_map_get_fd_by_id(id);
	if (fd >= 0 && (bpf_obj_get_info_by_fd(fd, &info, &ilen) ||
			info.max_entries < vs->n ||
			info.max_entries / 4 > vs->n + 256)) {
		close(fd);
		fd = -1;
	}
	if (fd < 0) {
		cap = vs->n + vs->n / 4 + 256;
		if (cap > FW_VECS_MAX)
			cap = FW_VECS_MAX;
		fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "fw_vec_table",
				    sizeof(__u32), sizeof(struct fw_vec), cap,
				    &opts);
		if (fd < 0)
			return -errno;
		fresh = true;
	}
	table = map_mmap(fd, 0, (size_t)vs->n * sizeof(*vs->v), &len);
	if (!table) {
		err = -errno;
	} else {
		memcpy(table, vs->v, (size_t)vs->n * sizeof(*vs->v));
		munmap(table, len);
	}
	/* a new table takes the set's slot full */
	if (!err && fresh && bpf_map_update_elem(m->vecs, &set, &fd, BPF_ANY))
		err = -errno;
	close(fd);
	return err;
}

/*
 * Make the tables of @set in fw_ids @ids[table]: only the entries that
 * differ are written, in place. Each is one aligned 4-byte store, which
 * a packet sees whole (none reads the set while it is built anyway).
 */
static int ids_sync(const struct fw_maps *m, __u32 set,
		    __u32 ids[FW_T_NUM][65536])
{
	struct fw_vec_id *t;
	size_t len;
	__u32 tab, i;

	/* the set's tables only: 2 MiB from a multiple of 2 MiB */
	t = map_mmap(m->ids, FW_IDS_KEY(set, 0, 0) * sizeof(*t),
		      FW_T_NUM * 65536 * sizeof(*t), &len);
	if (!t)
		return -errno;
	for (tab = 0; tab < FW_T_NUM; tab++)
		for (i = 0; i < 65536; i++)
			if (t[tab * 65536 + i].vec != ids[tab][i])
				t[tab * 65536 + i].vec = ids[tab][i];
	munmap(t, len);
	return 0;
}

/*
 * The first level of IPv4 lookups (FW_T_SRC16/DST16) of a dimension whose IPv4
 * prefixes are @p (@np, sorted: a holder before what it holds, the /0
 * first): each /16 gets the vector of the longest prefix holding all of
 * it, unless a longer prefix lies inside it.
 */
static void build_dir16(const struct pfx *p, __u32 np, __u32 *ids)
{
	__u32 i, b, at;

	for (b = 0; b < 65536; b++)
		ids[b] = p[0].vec;
	for (i = 1; i < np; i++) {
		at = (__u32)p[i].addr[0] << 8 | p[i].addr[1];
		if (p[i].plen > 16) {
			ids[at] = FW_DIR16_TRIE;
			continue;
		}
		/* in order, so the longer prefixes inside come after */
		for (b = 0; b < 1u << (16 - p[i].plen); b++)
			ids[at + b] = p[i].vec;
	}
}

/* Write @n elements of @vals (@size bytes each) at @keys. */
static int keyed_write(int fd, const void *keys, __u32 ksize,
		       const void *vals, __u32 size, __u32 n)
{
	__u32 i, count = n;

	if (!n || !bpf_map_update_batch(fd, keys, vals, &count, NULL))
		return 0;
	/* one at a time where the kernel cannot batch */
	for (i = 0; i < n; i++)
		if (bpf_map_update_elem(fd, (const char *)keys + i * ksize,
					(const char *)vals + i * size, BPF_ANY))
			return -errno;
	return 0;
}

/* Write @n elements of @vals (@size bytes each) at keys base..base+n-1. */
static int array_write(int fd, __u32 base, const void *vals, __u32 size,
		       __u32 n)
{
	__u32 *keys = calloc(n ? n : 1, sizeof(*keys)), i;
	int err;

	if (!keys)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		keys[i] = base + i;
	err = keyed_write(fd, keys, sizeof(*keys), vals, size, n);
	free(keys);
	return err;
}

/* Point the handles of @set's prefixes @p[d][f] at their vectors. */
static int handles_write(const struct fw_maps *m, __u32 set,
			 struct pfx *const p[2][2], const __u32 np[2][2])
{
	__u32 *keys, *vals, n = 0, d, f, i;
	int err = -ENOMEM;

	for (d = 0; d < 2; d++)
		for (f = 0; f < 2; f++)
			n += np[d][f];
	keys = calloc(n + 1, sizeof(*keys));
	vals = calloc(n + 1, sizeof(*vals));
	if (keys && vals) {
		n = 0;
		for (d = 0; d < 2; d++)
			for (f = 0; f < 2; f++)
				for (i = 0; i < np[d][f]; i++, n++) {
					keys[n] = FW_HANDLE_KEY(set, d,
							p[d][f][i].handle);
					vals[n] = p[d][f][i].vec;
				}
		err = keyed_write(m->handles, keys, sizeof(*keys), vals,
				  sizeof(*vals), n);
	}
	free(keys);
	free(vals);
	return err;
}

/* Read @n elements (@size bytes each) at keys base..base+n-1 into @vals. */
static int array_read(int fd, __u32 base, void *vals, __u32 size, __u32 n)
{
	__u32 *keys, count = n, out, i, prev = base - 1;
	int err = 0;

	if (!n)
		return 0;
	keys = calloc(n, sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	/* one system call where the kernel can batch; the batch of an
	 * array goes on from the key after the one given */
	if (bpf_map_lookup_batch(fd, base ? &prev : NULL, &out, keys, vals,
				 &count, NULL) && errno != ENOENT)
		count = 0;
	if (count < n || keys[0] != base) {
		for (i = 0; i < n && !err; i++) {
			__u32 k = base + i;

			if (bpf_map_lookup_elem(fd, &k, (char *)vals + i * size))
				err = -errno;
		}
	}
	free(keys);
	return err;
}

int fw_rules_read(const struct fw_maps *m, __u32 set, struct fw_rule *rules,
		  __u32 n)
{
	return array_read(m->rules, set * FW_RULES_MAX, rules, sizeof(*rules),
			  n);
}

int fw_set_write(const struct fw_maps *m, __u32 set,
		 const struct fw_rule *rules, __u32 n, __u32 policy)
{
	struct fw_rule *old = NULL;
	struct fw_set hdr, prev = {};
	struct vecs vs = {};
	struct pfx *p[2][2] = {}, *q[2][2] = {};
	__u32 np[2][2] = {}, nq[2][2] = {}, small[FW_SMALL_DIMS][256], i, all;
	__u32 words, nrules = 0;
	static __u32 ids[FW_T_NUM][65536];
	int d, f, err;

	if (n > FW_RULES_MAX)
		return -E2BIG;
	for (i = 0; i < n; i++) {
		if (hole(&rules[i]))
			continue;
		if (rules[i].id >= FW_IDS_MAX)
			return -EINVAL;
		nrules++;
	}
	words = (n + 63) / 64;
	/* what the set held: the LPM entries of its prefixes that the new
	 * build does not have go, its vectors are overwritten */
	if (bpf_map_lookup_elem(m->sets, &set, &prev) ||
	    prev.nslots > FW_RULES_MAX)
		prev = (struct fw_set){};
	old = calloc(prev.nslots ? prev.nslots : 1, sizeof(*old));
	if (!old)
		return -ENOMEM;
	err = fw_rules_read(m, set, old, prev.nslots);
	if (err)
		goto out;
	if (prev.flags & FW_SET_PARTIAL) {
		/* nothing is known of it: as if it held everything */
		err = lpm_clear_all(m, set);
		if (err)
			goto out;
		prev.nrules = prev.nslots = 0;
		prev.flags = 0;
	}
	/* the vectors of fields a packet lacks (see firewall.h) */
	err = vecs_init(&vs);
	if (!err)
		err = vec_new(&vs, &all);
	for (d = 0; !err && d < 2; d++)
		err = vec_new(&vs, &i);
	for (i = 0; !err && i < n; i++) {
		if (hole(&rules[i]))
			continue;
		vec_set(&vs.v[FW_VEC_ALL], i);
		if (!(rules[i].fields & (FW_F_SPORT | FW_F_DPORT)))
			vec_set(&vs.v[FW_VEC_NO_PORTS], i);
		if (!(rules[i].fields & FW_F_FLAGS))
			vec_set(&vs.v[FW_VEC_NO_FLAGS], i);
	}
	/*
	 * Ports, prefixes, then the small tables: where the port vectors
	 * are those of the previous build, so are their ids, and the
	 * table that points at them need not be rewritten
	 */
	for (d = 0; !err && d < 2; d++)
		err = build_ports(rules, n, d, &vs, ids[FW_T_SPORT + d]);
	for (d = 0; !err && d < 2; d++)
		for (f = 0; !err && f < 2; f++)
			err = build_prefixes(rules, n, d, f ? 6 : 4, &vs,
					     &p[d][f], &np[d][f]);
	for (d = 0; !err && d < FW_SMALL_DIMS; d++)
		err = build_small(rules, n, d, &vs, small[d]);
	if (err)
		goto out;
	for (i = 0; i < vs.n; i++)
		vec_summarize(&vs.v[i], words);

	/* from here on the set is neither the old build nor the new one */
	hdr = (struct fw_set){ .nrules = prev.nrules, .policy = policy,
			       .nvecs = vs.n, .nslots = prev.nslots,
			       .flags = FW_SET_PARTIAL };
	if (bpf_map_update_elem(m->sets, &set, &hdr, BPF_ANY)) {
		err = -errno;
		goto out;
	}
	/* vectors, then what points at them, then the rules and header */
	err = vec_table_write(m, set, &vs);
	if (!err)
		err = handles_write(m, set, p, np);
	/* the previous build's prefixes */
	for (d = 0; !err && d < 2; d++)
		for (f = 0; !err && f < 2 && prev.nslots; f++)
			err = collect_prefixes(old, prev.nslots, d, f ? 6 : 4,
					       &q[d][f], &nq[d][f]);
	for (d = 0; !err && d < 2; d++)
		for (f = 0; !err && f < 2; f++)
			err = lpm_sync(m, set, d, f ? 6 : 4, q[d][f], nq[d][f],
				       p[d][f], np[d][f]);
	pcn_fault_point("fw-build-half");
	for (d = 0; !err && d < 2; d++)
		build_dir16(p[d][0], np[d][0], ids[FW_T_SRC16 + d]);
	if (!err)
		err = ids_sync(m, set, ids);
	for (d = 0; !err && d < FW_SMALL_DIMS; d++)
		err = array_write(m->small, FW_SMALL_KEY(set, d, 0), small[d],
				  sizeof(__u32), 256);
	if (!err && n)
		err = array_write(m->rules, set * FW_RULES_MAX, rules,
				  sizeof(*rules), n);
	hdr = (struct fw_set){ .nrules = nrules, .policy = policy,
			       .nvecs = vs.n, .nslots = n };
	if (!err && bpf_map_update_elem(m->sets, &set, &hdr, BPF_ANY))
		err = -errno;
out:
	for (d = 0; d < 2; d++)
		for (f = 0; f < 2; f++) {
			free(p[d][f]);
			free(q[d][f]);
		}
	vecs_free(&vs);
	free(old);
	return err;
}

/*
 * Incremental changes.
 *
 * A rule keeps its slot (its bit) while others come and go: fw_layout()
 * gives the new rules of a chain slots from the set in use, and
 * fw_set_update() brings the set not in use to them by rewriting, of
 * each table, only what the slots that differ are in. Per slot changed,
 * a vector of a value whose rules change gets that slot's bit set or
 * cleared in place when nothing else shares it; where values sharing a
 * vector now differ, those that differ get a copy (a port range's ends,
 * mostly). Prefixes each have a vector of their own: a new prefix's is
 * made whole from the rules, a gone one's is freed. The cost is that of
 * the slots changed and of a walk of the 65536-entry tables, not of
 * rebuilding every vector of every rule.
 *
 * What it cannot do (more than FW_CHANGED_MAX slots differ, the set
 * not fully built, its table full) it leaves to fw_set_write(), with
 * the set marked partial if it had begun.
 */
#define FW_CHANGED_MAX	64	/* slots one update handles: a u64 pattern */
#define FW_GAP		8	/* a fresh layout leaves a slot free per 8 */
#define FW_MOVES_MAX	64	/* rules moved to make room, at most */
#define SLOT_NONE	0xffffffffu
/* the fields whose tables set_update() keeps */
#define FW_F_UPDATED	(FW_F_SRC | FW_F_DST | FW_F_PROTO | FW_F_SPORT | \
			 FW_F_DPORT | FW_F_FLAGS | FW_F_STATE | FW_F_ICMP)

static void hole_make(struct fw_rule *r)
{
	memset(r, 0, sizeof(*r));
	r->id = FW_ID_HOLE;
}

/* rule i in slot 1 + i + i / FW_GAP, or i where that does not fit */
static __u32 layout_fresh(__u32 n, __u32 *slot)
{
	bool gaps = n + n / FW_GAP + 1 <= FW_RULES_MAX;
	__u32 i;

	for (i = 0; i < n; i++)
		slot[i] = gaps ? 1 + i + i / FW_GAP : i;
	return n ? slot[n - 1] + 1 : 0;
}

/*
 * The rules without a slot in @slot (SLOT_NONE) take the free ones
 * between their neighbours'; where too few are free, neighbours give up
 * theirs to widen the gap. Returns the number of slots, or 0 (with @n)
 * when more than FW_MOVES_MAX rules would move.
 */
static __u32 layout_fill(__u32 n, __u32 *slot)
{
	__u32 i = 0, j, k, moved = 0, len, g;
	long lo, hi;
	bool left = true;

	while (i < n) {
		if (slot[i] != SLOT_NONE) {
			i++;
			continue;
		}
		for (j = i; j < n && slot[j] == SLOT_NONE; j++)
			;
		for (;;) {
			lo = i ? (long)slot[i - 1] : -1;
			hi = j < n ? (long)slot[j] : FW_RULES_MAX;
			if (hi - lo - 1 >= (long)(j - i))
				break;
			if (++moved > FW_MOVES_MAX || (!i && j == n))
				return 0;
			/* widen on alternate sides, where there is a side */
			if ((left && i) || j == n) {
				slot[--i] = SLOT_NONE;
				while (i && slot[i - 1] == SLOT_NONE)
					i--;
			} else {
				slot[j++] = SLOT_NONE;
				while (j < n && slot[j] == SLOT_NONE)
					j++;
			}
			left = !left;
		}
		len = j - i;
		g = hi - lo - 1;
		/* at the end, appends: next to each other; between two
		 * rules, spread, so that later inserts find room */
		for (k = 0; k < len; k++)
			slot[i + k] = (__u32)(lo + 1) + (j == n ? k :
				      (__u32)(((2 * k + 1) * (__u64)g) / (2 * len)));
		i = j;
	}
	return n ? slot[n - 1] + 1 : 0;
}

int fw_layout(const struct fw_rule *old, __u32 nold, const struct fw_rule *rules,
	      __u32 n, struct fw_rule *out)
{
	__u32 *of = NULL, *slot, i, fresh = 0, nslots = 0;
	long last = -1;

	if (n > FW_RULES_MAX)
		return -E2BIG;
	slot = calloc(n + 1, sizeof(*slot));
	if (nold)
		of = calloc(FW_IDS_MAX, sizeof(*of));
	if (!slot || (nold && !of)) {
		free(slot);
		free(of);
		return -ENOMEM;
	}
	/* the slot + 1 of each rule id in @old */
	for (i = 0; i < nold; i++)
		if (!hole(&old[i]) && old[i].id < FW_IDS_MAX)
			of[old[i].id] = i + 1;
	for (i = 0; i < n; i++) {
		__u32 o = of && rules[i].id < FW_IDS_MAX ? of[rules[i].id] : 0;

		slot[i] = SLOT_NONE;
		if (o && (long)(o - 1) > last) {
			slot[i] = o - 1;
			last = o - 1;
		} else {
			fresh++;
		}
	}
	if (fresh <= FW_MOVES_MAX)
		nslots = layout_fill(n, slot);
	if (!nslots)
		nslots = layout_fresh(n, slot);
	for (i = 0; i < nslots; i++)
		hole_make(&out[i]);
	for (i = 0; i < n; i++)
		out[slot[i]] = rules[i];
	free(slot);
	free(of);
	return nslots;
}

struct incr {
	const struct fw_maps *m;
	__u32 set;
	__u32 nslots;
	const struct fw_rule *rules;	/* the new slots */
	__u32 chg[FW_CHANGED_MAX];	/* the slots that differ */
	const struct fw_rule *now[FW_CHANGED_MAX]; /* their rules, or NULL */
	const struct fw_rule *was[FW_CHANGED_MAX]; /* as the set has them */
	__u32 k;
	int vfd;			/* the set's vector table */
	struct fw_vec **chunk;		/* its chunks, mapped when touched */
	int fail;			/* a chunk could not be mapped */
	__u32 cap;
	__u32 *ref;			/* references to each vector */
	__u32 next_free;		/* where alloc goes on looking */
	__u32 top;			/* vectors in use: 0..top-1 */
	/* remap(): per vector */
	__u64 *pat0;
	__u32 *cnt;
	__u8 *flag;
	__u8 *dirty;
};

/*
 * Vector @id of the set, mapped VEC_CHUNK at a time, when first touched:
 * a change touches a few vectors of tens of thousands, and mapping a
 * table maps all its pages at once. A chunk that cannot be mapped gives
 * a scratch vector and fails the update.
 */
#define VEC_CHUNK	128		/* vectors: a whole number of pages */

static struct fw_vec *vec_at(struct incr *c, __u32 id)
{
	static struct fw_vec scratch;
	__u32 ch = id / VEC_CHUNK, n;
	size_t page = sysconf(_SC_PAGESIZE), len;
	void *p;

	if (!c->chunk[ch]) {
		n = c->cap - ch * VEC_CHUNK;
		if (n > VEC_CHUNK)
			n = VEC_CHUNK;
		len = ((size_t)n * sizeof(struct fw_vec) + page - 1) & ~(page - 1);
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, c->vfd,
			 (off_t)ch * VEC_CHUNK * sizeof(struct fw_vec));
		if (p == MAP_FAILED) {
			c->fail = -errno;
			return &scratch;
		}
		c->chunk[ch] = p;
	}
	return &c->chunk[ch][id % VEC_CHUNK];
}

static void vec_unmap(struct incr *c)
{
	size_t page = sysconf(_SC_PAGESIZE), len;
	__u32 ch, n;

	for (ch = 0; c->chunk && ch * VEC_CHUNK < c->cap; ch++) {
		if (!c->chunk[ch])
			continue;
		n = c->cap - ch * VEC_CHUNK;
		if (n > VEC_CHUNK)
			n = VEC_CHUNK;
		len = ((size_t)n * sizeof(struct fw_vec) + page - 1) & ~(page - 1);
		munmap(c->chunk[ch], len);
	}
	free(c->chunk);
}

/* a vector no table points at: ENOSPC if none */
static int incr_alloc(struct incr *c, __u32 *id)
{
	for (; c->next_free < c->cap; c->next_free++)
		if (!c->ref[c->next_free]) {
			c->ref[c->next_free] = 1;
			*id = c->next_free++;
			if (*id >= c->top)
				c->top = *id + 1;
			return 0;
		}
	return -ENOSPC;
}

/* Set the bits of the changed slots of vector @v as @pat says: only
 * those that differ are written (and their summary bits). */
static void apply_pat(const struct incr *c, struct fw_vec *v, __u64 pat)
{
	__u32 j, s, w;
	__u64 bit;

	for (j = 0; j < c->k; j++) {
		s = c->chg[j];
		w = s / 64;
		bit = 1ull << (s % 64);
		if (!(v->bits[w] & bit) == !(pat >> j & 1))
			continue;
		v->bits[w] ^= bit;
		if (v->bits[w])
			v->summary[w / 64] |= 1ull << (w % 64);
		else
			v->summary[w / 64] &= ~(1ull << (w % 64));
	}
}

/*
 * @pats[v]: which of the changed slots' rules match value v of table @t
 * (0, 1: ports, by a sweep over their ranges' ends; 2 + d: small table
 * d), for v < @nv
 */
static void patterns(const struct incr *c, const struct fw_rule *const *now,
		     int t, __u64 *pats, __u32 nv)
{
	__u64 on[65536 / 64 + 1] = {}, pat = 0;
	static __u64 add[65537], del[65537];
	__u32 j, v;
	int key;

	if (t >= 2) {
		for (v = 0; v < nv; v++) {
			pats[v] = 0;
			for (j = 0; j < c->k; j++) {
				const struct fw_rule *r = now[j];

				if (!r)
					continue;
				key = small_key(r, t - 2);
				if (key < 0 || small_match(key, t - 2, v))
					pats[v] |= 1ull << j;
			}
		}
		return;
	}
	for (j = 0; j < c->k; j++) {
		const struct fw_rule *r = now[j];
		__u32 lo = 0, hi = 65535;

		if (!r)
			continue;
		if (r->fields & (t ? FW_F_DPORT : FW_F_SPORT)) {
			lo = t ? r->dport_lo : r->sport_lo;
			hi = t ? r->dport_hi : r->sport_hi;
		}
		if (!(on[lo / 64] & 1ull << (lo % 64)))
			add[lo] = del[lo] = 0;
		if (!(on[(hi + 1) / 64] & 1ull << ((hi + 1) % 64)))
			add[hi + 1] = del[hi + 1] = 0;
		on[lo / 64] |= 1ull << (lo % 64);
		on[(hi + 1) / 64] |= 1ull << ((hi + 1) % 64);
		add[lo] |= 1ull << j;
		del[hi + 1] |= 1ull << j;
	}
	for (v = 0; v < nv; v++) {
		if (on[v / 64] & 1ull << (v % 64))
			pat = (pat & ~del[v]) | add[v];
		pats[v] = pat;
	}
}

struct split {
	__u64 pat;
	__u32 from;
	__u32 to;			/* + 1; 0: a free entry */
};
#define SPLITS	4096

/*
 * Table @t (0, 1: ports; 2 + d: small table d) of @nv values, whose
 * vector ids are @tab[v * @stride]: give each value the changed slots'
 * bits it now has, in place where a vector's values all agree and
 * nothing else points at it, else in a copy shared by the values that
 * agree.
 */
static int remap(struct incr *c, int t, __u32 *tab, __u32 stride, __u32 nv)
{
	static __u64 pats[65536], olds[65536];
	struct split *sp;
	__u32 v, x, b, y;
	__u64 p;
	int err = 0;

	/* a vector has the bits the old rules give its values: one whose
	 * values all keep theirs is left alone (flag 3) */
	patterns(c, c->now, t, pats, nv);
	patterns(c, c->was, t, olds, nv);
	memset(c->flag, 0, c->cap);
	memset(c->dirty, 0, c->cap);
	for (v = 0; v < nv; v++) {
		x = tab[v * stride];
		p = pats[v];
		c->dirty[x] |= p != olds[v];
		if (!c->flag[x]) {
			c->flag[x] = 1;
			c->pat0[x] = p;
			c->cnt[x] = 1;
			continue;
		}
		c->cnt[x]++;
	}
	sp = calloc(SPLITS, sizeof(*sp));
	if (!sp)
		return -ENOMEM;
	for (v = 0; !err && v < nv; v++) {
		x = tab[v * stride];
		p = pats[v];
		if (!c->dirty[x])
			continue;
		if (c->cnt[x] == c->ref[x] && p == c->pat0[x]) {
			/* its own: once, in place */
			if (c->flag[x] == 1) {
				apply_pat(c, vec_at(c, x), p);
				c->flag[x] = 2;
			}
			continue;
		}
		b = (x * 0x9e3779b1u ^ (__u32)(p * 0x94d049bb133111ebull)) &
		    (SPLITS - 1);
		for (; sp[b].to; b = (b + 1) & (SPLITS - 1))
			if (sp[b].from == x && sp[b].pat == p)
				break;
		if (!sp[b].to) {
			err = incr_alloc(c, &y);
			if (err)
				break;
			memcpy(vec_at(c, y), vec_at(c, x), sizeof(struct fw_vec));
			apply_pat(c, vec_at(c, y), p);
			sp[b] = (struct split){ .pat = p, .from = x, .to = y + 1 };
		}
		tab[v * stride] = sp[b].to - 1;
	}
	free(sp);
	return err;
}

/* Does rule @r (NULL: a hole) hold prefix @x of dimension @d, @family? */
static bool pfx_match(const struct fw_rule *r, int d, int family,
		      const struct pfx *x)
{
	const __u8 *a;
	__u8 plen;

	if (!r || hole(r))
		return false;
	if (addr_any(r, d))
		return true;
	if (r->family != family)
		return false;
	a = rule_addr(r, d, &plen);
	return plen <= x->plen && prefix_holds(a, x->addr, plen);
}

/*
 * Prefixes of dimension @d, @family: @q as the set has them (with
 * their vectors), @p as the new rules do. Kept ones keep their vector,
 * new ones get one, made whole; handles and trie entries follow.
 */
static int incr_prefixes(struct incr *c, int d, int family, struct pfx *q,
			 __u32 nq, struct pfx *p, __u32 np, __u32 *dir16,
			 bool *moved)
{
	__u32 words = (c->nslots + 63) / 64, i, j, s, n = 0;
	__u32 *keys = calloc(np + 1, sizeof(*keys));
	__u32 *vals = calloc(np + 1, sizeof(*vals));
	const struct pfx *hit;
	int err = 0;

	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	pfx_bytes = family == 4 ? 4 : 16;
	for (i = 0; !err && i < np; i++) {
		hit = i ? bsearch(&p[i], q + 1, nq - 1, sizeof(*q), pfx_cmp) : q;
		if (hit) {
			__u64 pat = 0, was = 0;

			p[i].vec = hit->vec;
			for (j = 0; j < c->k; j++) {
				pat |= (__u64)pfx_match(c->now[j], d, family,
							&p[i]) << j;
				was |= (__u64)pfx_match(c->was[j], d, family,
							&p[i]) << j;
			}
			if (pat != was)
				apply_pat(c, vec_at(c, p[i].vec), pat);
			if (hit->handle == p[i].handle)
				continue;
		} else {
			struct fw_vec *v;

			*moved = true;
			err = incr_alloc(c, &p[i].vec);
			if (err)
				break;
			v = vec_at(c, p[i].vec);
			memset(v, 0, sizeof(*v));
			for (s = 0; s < c->nslots; s++)
				if (pfx_match(&c->rules[s], d, family, &p[i]))
					vec_set(v, s);
			vec_summarize(v, words);
		}
		keys[n] = FW_HANDLE_KEY(c->set, d, p[i].handle);
		vals[n++] = p[i].vec;
	}
	if (!err)
		err = keyed_write(c->m->handles, keys, sizeof(*keys), vals,
				  sizeof(*vals), n);
	if (!err)
		err = lpm_sync(c->m, c->set, d, family, q, nq, p, np);
	/* the first level changes only where prefixes come or go */
	if (np != nq)
		*moved = true;
	if (!err && dir16 && *moved)
		build_dir16(p, np, dir16);
out:
	free(keys);
	free(vals);
	return err;
}

/* -EAGAIN: the update cannot be done here, fw_set_write() must */
static int set_update(const struct fw_maps *m, __u32 set,
		      const struct fw_rule *rules, __u32 nslots, __u32 policy)
{
	struct incr c = { .m = m, .set = set, .nslots = nslots,
			  .rules = rules, .next_free = FW_VEC_NO_FLAGS + 1 };
	struct fw_rule *old = NULL, none;
	struct pfx *p[2][2] = {}, *q[2][2] = {};
	__u32 np[2][2] = {}, nq[2][2] = {}, s, i, d, f, id, nrules = 0;
	__u32 *handles = NULL, small[FW_SMALL_DIMS][256], ilen;
	static __u32 dir16[2][65536];
	struct bpf_map_info info = {};
	struct fw_vec_id *ids = NULL;
	size_t ilen2 = 0;
	struct fw_set prev, hdr;
	bool moved[2][2] = {};
	int fd = -1, err;

	if (nslots > FW_RULES_MAX)
		return -E2BIG;
	if (bpf_map_lookup_elem(m->sets, &set, &prev))
		return -errno;
	if ((prev.flags & FW_SET_PARTIAL) || !prev.nvecs ||
	    prev.nslots > FW_RULES_MAX)
		return -EAGAIN;
	for (s = 0; s < nslots; s++) {
		if (hole(&rules[s]))
			continue;
		if (rules[s].id >= FW_IDS_MAX)
			return -EINVAL;
		nrules++;
	}
	old = calloc(prev.nslots + 1, sizeof(*old));
	if (!old)
		return -ENOMEM;
	err = fw_rules_read(m, set, old, prev.nslots);
	if (err)
		goto out;
	/* the slots that differ */
	hole_make(&none);
	for (s = 0; s < nslots || s < prev.nslots; s++) {
		const struct fw_rule *o = s < prev.nslots ? &old[s] : &none;
		const struct fw_rule *r = s < nslots ? &rules[s] : &none;

		if (!memcmp(o, r, sizeof(*r)))
			continue;
		/* a field this update does not know the tables of (a match
		 * added since): built whole, never half-updated */
		if ((o->fields | r->fields) & ~FW_F_UPDATED)
			c.k = FW_CHANGED_MAX;
		if (c.k == FW_CHANGED_MAX) {
			err = -EAGAIN;
			goto out;
		}
		c.now[c.k] = hole(r) ? NULL : r;
		c.was[c.k] = hole(o) ? NULL : o;
		c.chg[c.k++] = s;
	}
	/* its vector table, mapped whole */
	err = -EAGAIN;
	if (bpf_map_lookup_elem(m->vecs, &set, &id))
		goto out;
	fd = bpf_map_get_fd_by_id(id);
	ilen = sizeof(info);
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &ilen) ||
	    info.value_size != sizeof(struct fw_vec))
		goto out;
	c.cap = info.max_entries;
	c.vfd = fd;
	c.chunk = calloc(c.cap / VEC_CHUNK + 1, sizeof(*c.chunk));
	ids = map_mmap(m->ids, FW_IDS_KEY(set, 0, 0) * sizeof(*ids),
		       FW_T_NUM * 65536 * sizeof(*ids), &ilen2);
	handles = calloc(2 * FW_HANDLES, sizeof(*handles));
	c.ref = calloc(c.cap, sizeof(*c.ref));
	c.pat0 = calloc(c.cap, sizeof(*c.pat0));
	c.cnt = calloc(c.cap, sizeof(*c.cnt));
	c.flag = calloc(c.cap, 1);
	c.dirty = calloc(c.cap, 1);
	if (!c.chunk || !ids || !handles || !c.ref || !c.pat0 || !c.cnt ||
	    !c.flag || !c.dirty) {
		err = -ENOMEM;
		goto out;
	}
	err = 0;
	for (d = 0; !err && d < FW_SMALL_DIMS; d++)
		err = array_read(m->small, FW_SMALL_KEY(set, d, 0), small[d],
				 sizeof(__u32), 256);
	for (d = 0; !err && d < 2; d++)
		for (f = 0; !err && f < 2; f++) {
			err = collect_prefixes(old, prev.nslots, d, f ? 6 : 4,
					       &q[d][f], &nq[d][f]);
			if (!err)
				err = collect_prefixes(rules, nslots, d,
						       f ? 6 : 4, &p[d][f],
						       &np[d][f]);
		}
	/* the handles of the set's prefixes: rule ids up to the highest
	 * one that has a prefix, and the /0s' */
	for (d = 0; !err && d < 2; d++) {
		__u32 hmax = 0;

		for (f = 0; f < 2; f++)
			for (i = 1; i < nq[d][f]; i++)
				if (q[d][f][i].handle + 1 > hmax)
					hmax = q[d][f][i].handle + 1;
		err = array_read(m->handles, FW_HANDLE_KEY(set, d, 0),
				 handles + d * FW_HANDLES, sizeof(*handles),
				 hmax);
		if (!err)
			err = array_read(m->handles,
					 FW_HANDLE_KEY(set, d, FW_HANDLE_ANY4),
					 handles + d * FW_HANDLES +
					 FW_HANDLE_ANY4, sizeof(*handles), 2);
	}
	if (err)
		goto out;
	/* who points at each vector: the tables, the kept prefixes */
	err = -EAGAIN;
	c.top = prev.nvecs;
	for (i = 0; i <= FW_VEC_NO_FLAGS; i++)
		c.ref[i]++;
	for (i = 0; i < 2 * 65536; i++) {
		id = ids[FW_T_SPORT * 65536 + i].vec;
		if (id >= c.cap)
			goto out;
		c.ref[id]++;
	}
	for (d = 0; d < FW_SMALL_DIMS; d++)
		for (i = 0; i < 256; i++) {
			if (small[d][i] >= c.cap)
				goto out;
			c.ref[small[d][i]]++;
		}
	for (d = 0; d < 2; d++)
		for (f = 0; f < 2; f++) {
			pfx_bytes = f ? 16 : 4;
			for (i = 0; i < nq[d][f]; i++) {
				struct pfx *x = &q[d][f][i];

				x->vec = handles[d * FW_HANDLES + x->handle];
				if (x->vec >= c.cap)
					goto out;
				if (!i || bsearch(x, p[d][f] + 1, np[d][f] - 1,
						  sizeof(*x), pfx_cmp))
					c.ref[x->vec]++;
			}
		}

	/* from here on the set is neither the old one nor the new one */
	hdr = prev;
	hdr.flags = FW_SET_PARTIAL;
	if (bpf_map_update_elem(m->sets, &set, &hdr, BPF_ANY)) {
		err = -errno;
		goto out;
	}
	err = 0;
	for (i = 0; i <= FW_VEC_NO_FLAGS; i++) {
		__u64 pat = 0;
		__u32 j;

		for (j = 0; j < c.k; j++) {
			const struct fw_rule *r = c.now[j];

			pat |= (__u64)(r && (i == FW_VEC_ALL ||
				(i == FW_VEC_NO_PORTS &&
				 !(r->fields & (FW_F_SPORT | FW_F_DPORT))) ||
				(i == FW_VEC_NO_FLAGS &&
				 !(r->fields & FW_F_FLAGS)))) << j;
		}
		apply_pat(&c, vec_at(&c, i), pat);
	}
	for (d = 0; !err && d < 2; d++)
		err = remap(&c, d, &ids[(FW_T_SPORT + d) * 65536].vec, 2, 65536);
	for (d = 0; !err && d < FW_SMALL_DIMS; d++) {
		err = remap(&c, 2 + d, small[d], 1, 256);
		if (!err)
			err = array_write(m->small, FW_SMALL_KEY(set, d, 0),
					  small[d], sizeof(__u32), 256);
	}
	for (d = 0; !err && d < 2; d++)
		for (f = 0; !err && f < 2; f++)
			err = incr_prefixes(&c, d, f ? 6 : 4, q[d][f], nq[d][f],
					    p[d][f], np[d][f],
					    f ? NULL : dir16[d], &moved[d][f]);
	for (d = 0; !err && d < 2; d++)
		for (i = 0; moved[d][0] && i < 65536; i++)
			if (ids[(FW_T_SRC16 + d) * 65536 + i].vec != dir16[d][i])
				ids[(FW_T_SRC16 + d) * 65536 + i].vec = dir16[d][i];
	if (!err && c.fail)
		err = -ENOSPC;		/* built whole, below */
	pcn_fault_point("fw-build-half");
	for (i = 0; !err && i < c.k; i++) {
		__u32 key = set * FW_RULES_MAX + c.chg[i];

		if (bpf_map_update_elem(m->rules, &key, c.now[i] ? c.now[i] :
					&none, BPF_ANY))
			err = -errno;
	}
	hdr = (struct fw_set){ .nrules = nrules, .policy = policy,
			       .nvecs = c.top, .nslots = nslots };
	if (!err && bpf_map_update_elem(m->sets, &set, &hdr, BPF_ANY))
		err = -errno;
	/* a table too full: built whole, which it knows is partial */
	if (err == -ENOSPC)
		err = -EAGAIN;
out:
	for (d = 0; d < 2; d++)
		for (f = 0; f < 2; f++) {
			free(p[d][f]);
			free(q[d][f]);
		}
	vec_unmap(&c);
	if (ids)
		munmap(ids, ilen2);
	if (fd >= 0)
		close(fd);
	free(handles);
	free(c.ref);
	free(c.pat0);
	free(c.cnt);
	free(c.flag);
	free(c.dirty);
	free(old);
	return err;
}

int fw_set_update(const struct fw_maps *m, __u32 set,
		  const struct fw_rule *rules, __u32 nslots, __u32 policy)
{
	int err = set_update(m, set, rules, nslots, policy);

	return err == -EAGAIN ? fw_set_write(m, set, rules, nslots, policy) :
				err;
}
