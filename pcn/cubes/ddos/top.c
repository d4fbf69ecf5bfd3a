// SPDX-License-Identifier: GPL-2.0
/*
 * pcn blocklist show DDOS top N: what a ddos cube meets per second, and
 * the sources it drops most of, from two reads of its counters and of
 * its rate table a second apart (no thread, nothing kept between runs).
 *
 * A source is what the rate table tracks (an address, or a prefix as
 * src_len makes it): sources are known only while the cube has a rate
 * or a limit per protocol. A source's packets and drops are the sums
 * over its buckets (the cube's own and one per limit it met), which
 * count each packet once (bpf/ddos.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dm.h"

#define TOP_INTERVAL_NS 1000000000ull

struct top_src {
	struct ddos_bucket_key k;	/* .limit 0: the source alone */
	__u64 packets[2];		/* first read, second */
	__u64 dropped[2];
};

struct top_read {
	__u64 ns;
	__u64 stats[sizeof(struct ddos_stats) / 8];	/* both directions */
	struct top_src *src;
	__u32 n;
};

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int src_cmp(const void *a, const void *b)
{
	return memcmp(&((const struct top_src *)a)->k,
		      &((const struct top_src *)b)->k,
		      sizeof(struct ddos_bucket_key));
}

/*
 * The cube's counters and its sources (the buckets of one source
 * merged, sorted by source) into @r, the counts in slot 0.
 */
static int top_read(struct pcn_cube *c, struct top_read *r)
{
	__u64 sum[sizeof(struct ddos_stats) / 8];
	struct ddos_bucket_key *k = NULL;
	struct ddos_bucket *v = NULL;
	int fd, n, d, i, j;
	size_t f;

	memset(r, 0, sizeof(*r));
	fd = cube_obj_fd(c, "ddos_stats");
	if (fd < 0)
		return fd;
	for (d = 0; d < 2; d++) {
		map_percpu_sum(fd, d, sum, ARRAY_SIZE(sum));
		for (f = 0; f < ARRAY_SIZE(sum); f++)
			r->stats[f] += sum[f];
	}
	close(fd);
	fd = cube_obj_fd(c, "ddos_buckets");
	if (fd < 0)
		return fd;
	r->ns = mono_ns();
	n = map_dump(fd, sizeof(*k), sizeof(*v), DDOS_BUCKETS, (void **)&k,
		     (void **)&v);
	close(fd);
	if (n < 0)
		return n;
	r->src = calloc(n ? n : 1, sizeof(*r->src));
	if (!r->src) {
		free(k);
		free(v);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		r->src[i].k = k[i];
		r->src[i].k.limit = 0;
		r->src[i].packets[0] = v[i].packets;
		r->src[i].dropped[0] = v[i].dropped;
	}
	free(k);
	free(v);
	qsort(r->src, n, sizeof(*r->src), src_cmp);
	for (i = 0, j = -1; i < n; i++) {
		if (j >= 0 && !src_cmp(&r->src[j], &r->src[i])) {
			r->src[j].packets[0] += r->src[i].packets[0];
			r->src[j].dropped[0] += r->src[i].dropped[0];
		} else {
			r->src[++j] = r->src[i];
		}
	}
	r->n = j + 1;
	return 0;
}

/* by drops in the interval, then packets in it, most first */
static int top_cmp(const void *a, const void *b)
{
	const struct top_src *x = a, *y = b;
	__u64 dx = x->dropped[1] - x->dropped[0];
	__u64 dy = y->dropped[1] - y->dropped[0];
	__u64 px = x->packets[1] - x->packets[0];
	__u64 py = y->packets[1] - y->packets[0];

	if (dx != dy)
		return dx < dy ? 1 : -1;
	if (px != py)
		return px < py ? 1 : -1;
	return src_cmp(a, b);
}

static __u64 per_s(__u64 d, __u64 ns)
{
	return ns ? (__u64)((double)d * 1e9 / ns + 0.5) : 0;
}

#define STAT(a, b, field)                                                  \
	((b)->stats[offsetof(struct ddos_stats, field) / 8] -              \
	 (a)->stats[offsetof(struct ddos_stats, field) / 8])

int dm_top(struct pcn_cube *c, __u32 count)
{
	struct top_read a, b;
	struct ddos_state st;
	char buf[PCN_PREFIX_STRLEN];
	__u32 zero = 0, i, j, plen;
	__u64 ns;
	int err;

	err = cube_map_get(c, "ddos_state", &zero, &st);
	if (err)
		return err;
	err = top_read(c, &a);
	if (err)
		return err;
	usleep(TOP_INTERVAL_NS / 1000);
	err = top_read(c, &b);
	if (err) {
		free(a.src);
		return err;
	}
	ns = b.ns - a.ns;
	/* a source of the second read: its counts of the first, if any */
	for (i = 0, j = 0; i < b.n; i++) {
		while (j < a.n && src_cmp(&a.src[j], &b.src[i]) < 0)
			j++;
		b.src[i].packets[1] = b.src[i].packets[0];
		b.src[i].dropped[1] = b.src[i].dropped[0];
		if (j < a.n && !src_cmp(&a.src[j], &b.src[i])) {
			b.src[i].packets[0] = a.src[j].packets[0];
			b.src[i].dropped[0] = a.src[j].dropped[0];
		} else {
			b.src[i].packets[0] = 0;
			b.src[i].dropped[0] = 0;
		}
	}
	qsort(b.src, b.n, sizeof(*b.src), top_cmp);
	open_json_object(NULL);
	print_string(PRINT_ANY, "cube", "%s", c->name);
	print_u64(PRINT_ANY, "pps", " %" PRIu64 " packets/s",
		  per_s(STAT(&a, &b, packets), ns));
	print_u64(PRINT_ANY, "passed_pps", ", passed %" PRIu64 "/s",
		  per_s(STAT(&a, &b, passed), ns));
	print_u64(PRINT_ANY, "list_pps", ", dropped by list %" PRIu64 "/s",
		  per_s(STAT(&a, &b, list), ns));
	print_u64(PRINT_ANY, "rate_pps", ", by rate %" PRIu64 "/s",
		  per_s(STAT(&a, &b, rate), ns));
	print_u64(PRINT_ANY, "malformed_pps", ", malformed %" PRIu64 "/s",
		  per_s(STAT(&a, &b, malformed), ns));
	print_uint(PRINT_ANY, "sources", ", sources %u", b.n);
	print_nl();
	open_json_array(PRINT_JSON, "top");
	for (i = 0; i < b.n && i < count; i++) {
		const struct top_src *s = &b.src[i];

		plen = s->k.family == 4 ? st.plen4 : st.plen6;
		open_json_object(NULL);
		print_string(PRINT_ANY, "source", "  %s",
			     pcn_prefix_str(s->k.family, s->k.addr, plen, buf));
		print_u64(PRINT_ANY, "pps", " %" PRIu64 " packets/s",
			  per_s(s->packets[1] - s->packets[0], ns));
		print_u64(PRINT_ANY, "dropped_pps", ", dropped %" PRIu64 "/s",
			  per_s(s->dropped[1] - s->dropped[0], ns));
		print_u64(PRINT_ANY, "dropped", ", %" PRIu64 " dropped",
			  s->dropped[1]);
		close_json_object();
		print_nl();
	}
	close_json_array(PRINT_JSON, NULL);
	close_json_object();
	free(a.src);
	free(b.src);
	return 0;
}
