// SPDX-License-Identifier: GPL-2.0
/*
 * A rule's lists: "src 10.0.0.5-10.0.0.20,192.168.0.0/16" and
 * "dport 80,443,8000-8080" (nft's sets and ranges, iptables' multiport
 * and iprange). The classifier matches one prefix per address and one
 * range per port, so a rule with lists is kept as several entries of
 * the chain, one per combination, that differ only in those values:
 * every entry but the first has fw_rule.cont set. show, save, delete,
 * insert and replace see the entries of a rule as one rule (its counter
 * is the sum of theirs); the datapath sees entries.
 *
 * A list is canonical: addresses as their merged ranges, each as the
 * fewest prefixes that cover it (a range that is one prefix is written
 * as that prefix); ports as their merged ranges, in order. So what show
 * writes is read back to the same entries.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw.h"

typedef unsigned __int128 u128;

static u128 num_of(const __u8 *a, int bytes)
{
	u128 v = 0;
	int i;

	for (i = 0; i < bytes; i++)
		v = v << 8 | a[i];
	return v;
}

static void addr_of(u128 v, __u8 *a, int bytes)
{
	int i;

	memset(a, 0, 16);
	for (i = bytes - 1; i >= 0; i--) {
		a[i] = v & 0xff;
		v >>= 8;
	}
}

struct arange {
	u128 lo, hi;
};

static int arange_cmp(const void *pa, const void *pb)
{
	const struct arange *a = pa, *b = pb;

	return a->lo < b->lo ? -1 : a->lo > b->lo;
}

static int prange_cmp(const void *pa, const void *pb)
{
	const struct fw_prange *a = pa, *b = pb;

	return (int)a->lo - (int)b->lo;
}

/*
 * "ITEM[,ITEM...]" (@arg) copied into @buf (@size bytes) and cut at its
 * commas into @tok: how many items, -EINVAL (empty, too long, an empty
 * item) or -E2BIG (over FW_LIST_MAX).
 */
static int list_split(const char *arg, char *buf, size_t size, char **tok)
{
	char *t, *save = NULL;
	int n = 0;

	if (strlen(arg) >= size || !*arg)
		return -EINVAL;
	strcpy(buf, arg);
	if (buf[strlen(buf) - 1] == ',' || strstr(buf, ",,") || buf[0] == ',')
		return -EINVAL;
	for (t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (n == FW_LIST_MAX)
			return -E2BIG;
		tok[n++] = t;
	}
	return n;
}

/* one item: "PREFIX" or "ADDR-ADDR", of @*family (0: not known yet) */
static int addr_item(const char *s, int *family, struct arange *r)
{
	int bits, bytes, fam;
	const char *dash = strchr(s, '-');
	__u8 a[16] = {}, b[16] = {};
	char lo[64];
	__u32 plen;
	u128 span;

	if (!dash) {
		if (pcn_parse_prefix(s, a, &plen, &fam))
			return -EINVAL;
	} else {
		if (dash - s >= (long)sizeof(lo))
			return -EINVAL;
		memcpy(lo, s, dash - s);
		lo[dash - s] = '\0';
		fam = strchr(lo, ':') ? 6 : 4;
		if (inet_pton(fam == 4 ? AF_INET : AF_INET6, lo, a) != 1 ||
		    inet_pton(fam == 4 ? AF_INET : AF_INET6, dash + 1, b) != 1)
			return -EINVAL;
	}
	if (*family && *family != fam)
		return -EXDEV;
	*family = fam;
	bits = fam == 4 ? 32 : 128;
	bytes = bits / 8;
	r->lo = num_of(a, bytes);
	if (dash) {
		r->hi = num_of(b, bytes);
		return r->lo <= r->hi ? 0 : -ERANGE;
	}
	span = plen == 0 ? ~(u128)0 : (((u128)1 << (bits - plen)) - 1);
	if (bits == 32)
		span &= 0xffffffffu;
	r->hi = r->lo + span;
	return 0;
}

/* @r (merged) as the fewest prefixes that cover it, appended to @l */
static int cover(const struct arange *r, int family, struct fw_alist *l)
{
	int bits = family == 4 ? 32 : 128, k;
	u128 x = r->lo, y = r->hi;

	for (;;) {
		/* the largest block aligned at x that ends by y */
		for (k = 0; k < bits; k++) {
			u128 size = (u128)1 << (k + 1);

			if (k + 1 == 128 || (x & (size - 1)) ||
			    x + size - 1 > y)
				break;
		}
		if (k == 127 && x == 0 && y == ~(u128)0)
			k = 128;
		if (l->n == FW_LIST_MAX)
			return -E2BIG;
		addr_of(x, l->p[l->n].a, bits / 8);
		l->p[l->n].plen = bits - k;
		l->n++;
		if (k == bits || x + (((u128)1 << k) - 1) >= y)
			return 0;
		x += (u128)1 << k;
	}
}

int fw_addr_list_parse(const char *arg, int *family, struct fw_alist *l)
{
	struct arange r[FW_LIST_MAX];
	char buf[2048], *tok[FW_LIST_MAX];
	int n, i, m, err;

	l->n = 0;
	n = list_split(arg, buf, sizeof(buf), tok);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		err = addr_item(tok[i], family, &r[i]);
		if (err)
			return err;
	}
	qsort(r, n, sizeof(*r), arange_cmp);
	for (i = 1, m = 0; i < n; i++) {
		if (r[i].lo <= r[m].hi + 1 && r[m].hi + 1 != 0) {
			if (r[i].hi > r[m].hi)
				r[m].hi = r[i].hi;
		} else if (r[m].hi + 1 == 0) {
			continue;	/* r[m] runs to the end */
		} else {
			r[++m] = r[i];
		}
	}
	n = n ? m + 1 : 0;
	for (i = 0; i < n; i++) {
		err = cover(&r[i], *family, l);
		if (err)
			return err;
	}
	return 0;
}

int fw_port_list_parse(const char *arg, struct fw_plist *l)
{
	char buf[1024], *tok[FW_LIST_MAX];
	int n, i, m;

	l->n = 0;
	n = list_split(arg, buf, sizeof(buf), tok);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		if (pcn_parse_port_range(tok[i], &l->r[i].lo, &l->r[i].hi))
			return -EINVAL;
	}
	l->n = n;
	qsort(l->r, l->n, sizeof(l->r[0]), prange_cmp);
	for (i = 1, m = 0; i < l->n; i++) {
		if ((__u32)l->r[i].lo <= (__u32)l->r[m].hi + 1) {
			if (l->r[i].hi > l->r[m].hi)
				l->r[m].hi = l->r[i].hi;
		} else {
			l->r[++m] = l->r[i];
		}
	}
	l->n = l->n ? m + 1 : 0;
	return 0;
}

int fw_rule_expand(const struct fw_rule *base, const struct fw_lists *ls,
		   struct fw_rule *out, int max)
{
	int ns = ls->addr[0].n ?: 1, nd = ls->addr[1].n ?: 1;
	int np = ls->port[0].n ?: 1, nq = ls->port[1].n ?: 1;
	int s, d, p, q, n = 0;

	if ((long)ns * nd * np * nq > max)
		return -E2BIG;
	for (s = 0; s < ns; s++)
		for (d = 0; d < nd; d++)
			for (p = 0; p < np; p++)
				for (q = 0; q < nq; q++) {
					struct fw_rule *x = &out[n];

					*x = *base;
					x->cont = n > 0;
					if (ls->addr[0].n) {
						memcpy(x->src, ls->addr[0].p[s].a, 16);
						x->src_plen = ls->addr[0].p[s].plen;
					}
					if (ls->addr[1].n) {
						memcpy(x->dst, ls->addr[1].p[d].a, 16);
						x->dst_plen = ls->addr[1].p[d].plen;
					}
					if (ls->port[0].n) {
						x->sport_lo = ls->port[0].r[p].lo;
						x->sport_hi = ls->port[0].r[p].hi;
					}
					if (ls->port[1].n) {
						x->dport_lo = ls->port[1].r[q].lo;
						x->dport_hi = ls->port[1].r[q].hi;
					}
					n++;
				}
	return n;
}

__u32 fw_group_len(const struct fw_rule *rules, __u32 n, __u32 pos)
{
	__u32 i = pos + 1;

	while (i < n && rules[i].cont)
		i++;
	return i - pos;
}

__u32 fw_group_count(const struct fw_rule *rules, __u32 n)
{
	__u32 i, c = 0;

	for (i = 0; i < n; i++)
		c += !rules[i].cont;
	return c;
}

__u32 fw_group_pos(const struct fw_rule *rules, __u32 n, __u32 g)
{
	__u32 i;

	for (i = 0; i < n; i++)
		if (!rules[i].cont && g-- == 0)
			return i;
	return n;
}

/* the distinct prefixes of dimension @d (0 src) of the @n entries of a
 * rule, in order, written back as their merged ranges */
void fw_group_addr_str(const struct fw_rule *g, __u32 n, int d, char *buf,
		       size_t size)
{
	int bits = g->family == 4 ? 32 : 128, bytes = bits / 8, af;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], one[PCN_PREFIX_STRLEN];
	struct arange r[FW_LIST_MAX];
	__u8 plen[FW_LIST_MAX], x[16];
	int nr = 0, i, j, k;
	size_t len = 0;
	__u32 e;

	af = g->family == 4 ? AF_INET : AF_INET6;
	for (e = 0; e < n; e++) {
		__u8 pl = d ? g[e].dst_plen : g[e].src_plen;
		u128 lo = num_of(d ? g[e].dst : g[e].src, bytes);

		for (j = 0; j < nr; j++)
			if (r[j].lo == lo && plen[j] == pl)
				break;
		if (j < nr || nr == FW_LIST_MAX)
			continue;
		r[nr].lo = lo;
		r[nr].hi = lo + (pl ? ((u128)1 << (bits - pl)) - 1 : ~(u128)0);
		if (bits == 32)
			r[nr].hi &= 0xffffffffu;
		plen[nr++] = pl;
	}
	buf[0] = '\0';
	for (i = 0; i < nr; i = k) {
		/* a run of adjacent prefixes: one range of the list */
		for (k = i + 1; k < nr && r[k - 1].hi + 1 == r[k].lo &&
		     r[k].lo != 0; k++)
			;
		addr_of(r[i].lo, x, bytes);
		if (k == i + 1) {
			pcn_prefix_str(g->family, x, plen[i], one);
			len += snprintf(buf + len, len < size ? size - len : 0,
					"%s%s", len ? "," : "", one);
			continue;
		}
		inet_ntop(af, x, a, sizeof(a));
		addr_of(r[k - 1].hi, x, bytes);
		inet_ntop(af, x, b, sizeof(b));
		len += snprintf(buf + len, len < size ? size - len : 0,
				"%s%s-%s", len ? "," : "", a, b);
	}
}

/* the distinct port ranges of @d (0 sport) of a rule's @n entries */
void fw_group_port_str(const struct fw_rule *g, __u32 n, int d, char *buf,
		       size_t size)
{
	char one[PCN_PORTS_STRLEN];
	size_t len = 0;
	__u32 i, j;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		__u16 lo = d ? g[i].dport_lo : g[i].sport_lo;
		__u16 hi = d ? g[i].dport_hi : g[i].sport_hi;

		for (j = 0; j < i; j++)
			if ((d ? g[j].dport_lo : g[j].sport_lo) == lo &&
			    (d ? g[j].dport_hi : g[j].sport_hi) == hi)
				break;
		if (j < i)
			continue;
		len += snprintf(buf + len, len < size ? size - len : 0, "%s%s",
				len ? "," : "", pcn_port_range_str(lo, hi, one));
	}
}
