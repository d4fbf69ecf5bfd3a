// SPDX-License-Identifier: GPL-2.0
/*
 * ddos: a transparent cube that drops what a block list names and what
 * goes over a rate per source (bpf/ddos.bpf.c).
 *
 *   pcn cube add NAME type ddos [ LIMITS ]
 *   pcn cube set NAME LIMITS
 *   LIMITS := [ rate { PPS | none } ] [ burst PACKETS ]
 *             [ byte_rate { BPS | none } ] [ byte_burst BYTES ]
 *             [ src_len LEN4/LEN6 ]
 *
 * The list is the object "blocklist" (blocklist.c, dm_table.c).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "dm.h"
#include "ddos_xdp.skel.h"
#include "ddos_tc.skel.h"

#define LIMITS_USAGE                                                       \
	"[ rate { PPS | none } ] [ burst PACKETS ] [ byte_rate { BPS | none } ] " \
	"[ byte_burst BYTES ] [ src_len LEN4/LEN6 ]"

/* the bounds of each value: no overflow in the datapath's arithmetic */
#define RATE_MAX	1000000000ull		/* packets/s */
#define BYTE_RATE_MAX	100000000000ull		/* bytes/s */
#define BURST_MAX	1000000000ull		/* packets */
#define BYTE_BURST_MIN	1514ull			/* a full frame must fit */
#define BYTE_BURST_MAX	10000000000ull		/* bytes */

/* the limits of a ddos_state */
struct dm_limits {
	__u64 rate_pps, burst_pkts, rate_bps, burst_bytes;
	__u32 plen4, plen6;
};

static int u64_parse(const char *kw, const char *arg, __u64 lo, __u64 hi,
		     __u64 *v)
{
	char *end;

	errno = 0;
	*v = strtoull(arg, &end, 10);
	if (!*arg || *end || errno || *arg == '-' || *v < lo || *v > hi)
		return pcn_err(PCN_EXIT_USAGE,
			       "%s \"%s\": a number from %llu to %llu", kw, arg,
			       (unsigned long long)lo, (unsigned long long)hi);
	return 0;
}

/* "{ N | none }" */
static int rate_parse(const char *kw, const char *arg, __u64 hi, __u64 *v)
{
	if (is_kw(arg, "none")) {
		*v = 0;
		return 0;
	}
	return u64_parse(kw, arg, 1, hi, v);
}

/* "LEN4/LEN6": the prefix lengths of a source, IPv4 and IPv6 */
static int src_len_parse(const char *arg, struct dm_limits *l)
{
	unsigned int a, b;
	int n = -1;

	if (sscanf(arg, "%3u/%3u%n", &a, &b, &n) != 2 || n != (int)strlen(arg) ||
	    !isdigit((unsigned char)arg[0]) || a < 1 || a > 32 || b < 1 ||
	    b > 128)
		return pcn_err(PCN_EXIT_USAGE,
			       "src_len \"%s\": LEN4/LEN6, from 1 to 32 and 1 to 128",
			       arg);
	l->plen4 = a;
	l->plen6 = b;
	return 0;
}

/* LIMITS into @l; bursts not given follow their rate (one second's) */
static int limits_parse(int argc, char **argv, struct dm_limits *l)
{
	bool seen[5] = {}, burst_set = false, bburst_set = false;
	static const char *const kws[] = { "rate", "burst", "byte_rate",
					   "byte_burst", "src_len" };
	int k, err;

	while (argc > 0) {
		for (k = 0; k < 5 && !is_kw(*argv, kws[k]); k++)
			;
		if (k == 5)
			return pcn_unknown_kw("cube", *argv);
		DUP_CHECK(seen[k], kws[k]);
		NEXT_ARG();
		switch (k) {
		case 0:
			err = rate_parse(kws[k], *argv, RATE_MAX, &l->rate_pps);
			break;
		case 1:
			err = u64_parse(kws[k], *argv, 1, BURST_MAX, &l->burst_pkts);
			burst_set = true;
			break;
		case 2:
			err = rate_parse(kws[k], *argv, BYTE_RATE_MAX, &l->rate_bps);
			break;
		case 3:
			err = u64_parse(kws[k], *argv, BYTE_BURST_MIN,
					BYTE_BURST_MAX, &l->burst_bytes);
			bburst_set = true;
			break;
		default:
			err = src_len_parse(*argv, l);
		}
		if (err)
			return err;
		argc--;
		argv++;
	}
	if (seen[0] && !burst_set)
		l->burst_pkts = l->rate_pps > BURST_MAX ? BURST_MAX : l->rate_pps;
	if (seen[2] && !bburst_set)
		l->burst_bytes = l->rate_bps < BYTE_BURST_MIN ? BYTE_BURST_MIN :
				 l->rate_bps > BYTE_BURST_MAX ? BYTE_BURST_MAX :
				 l->rate_bps;
	if (!l->rate_pps)
		l->burst_pkts = 0;
	if (!l->rate_bps)
		l->burst_bytes = 0;
	if ((burst_set && !l->rate_pps) || (bburst_set && !l->rate_bps))
		return pcn_err(PCN_EXIT_USAGE,
			       "a burst needs its rate: %s", burst_set && !l->rate_pps ?
			       "rate" : "byte_rate");
	return 0;
}

static const struct dm_limits default_limits = { 0, 0, 0, 0, 32, 128 };

static int dm_parse_add(int argc, char **argv, __u8 *config)
{
	struct dm_limits l = default_limits;
	int err = limits_parse(argc, argv, &l);

	_Static_assert(sizeof(l) <= PCN_TYPE_CONFIG_LEN, "config fits");
	if (!err)
		memcpy(config, &l, sizeof(l));
	return err;
}

static void limits_to_state(const struct dm_limits *l, struct ddos_state *st)
{
	st->rate_pps = l->rate_pps;
	st->burst_pkts = l->burst_pkts;
	st->rate_bps = l->rate_bps;
	st->burst_bytes = l->burst_bytes;
	st->plen4 = l->plen4;
	st->plen6 = l->plen6;
}

static void limits_of_state(const struct ddos_state *st, struct dm_limits *l)
{
	l->rate_pps = st->rate_pps;
	l->burst_pkts = st->burst_pkts;
	l->rate_bps = st->rate_bps;
	l->burst_bytes = st->burst_bytes;
	l->plen4 = st->plen4;
	l->plen6 = st->plen6;
}

static const __u32 zero;

/* an empty list in both generations, the limits */
static int dm_init(struct pcn_cube *c)
{
	struct ddos_state st = { .spare_ok = 1 };
	struct dm_limits l;

	memcpy(&l, c->meta.config, sizeof(l));
	limits_to_state(&l, &st);
	return cube_map_put(c, "ddos_state", &zero, &st);
}

static int dm_set(struct pcn_cube *c, int argc, char **argv)
{
	struct ddos_state st;
	struct dm_limits l;
	int err;

	err = cube_map_get(c, "ddos_state", &zero, &st);
	if (err)
		return pcn_err_kernel(err, "cannot read cube \"%s\"", c->name);
	limits_of_state(&st, &l);
	err = limits_parse(argc, argv, &l);
	if (err)
		return err;
	/* one write: a packet sees the old limits or the new ones */
	limits_to_state(&l, &st);
	err = cube_map_put(c, "ddos_state", &zero, &st);
	if (!err) {
		memcpy(c->meta.config, &l, sizeof(l));
		err = cube_meta_write(c);
	}
	return err ? pcn_err_kernel(err, "cannot set cube \"%s\"", c->name) : 0;
}

static void dm_show(struct pcn_cube *c)
{
	struct ddos_state st;

	if (cube_map_get(c, "ddos_state", &zero, &st))
		return;
	print_uint(PRINT_ANY, "entries", " entries %u", st.count);
	if (st.rate_pps) {
		print_u64(PRINT_ANY, "rate", " rate %" PRIu64, st.rate_pps);
		print_u64(PRINT_ANY, "burst", " burst %" PRIu64, st.burst_pkts);
	} else {
		print_string(PRINT_ANY, "rate", " rate %s", "none");
	}
	if (st.rate_bps) {
		print_u64(PRINT_ANY, "byte_rate", " byte_rate %" PRIu64,
			  st.rate_bps);
		print_u64(PRINT_ANY, "byte_burst", " byte_burst %" PRIu64,
			  st.burst_bytes);
	} else {
		print_string(PRINT_ANY, "byte_rate", " byte_rate %s", "none");
	}
	print_uint(PRINT_FP, NULL, " src_len %u", st.plen4);
	print_uint(PRINT_FP, NULL, "/%u", st.plen6);
	print_uint(PRINT_JSON, "src_len4", NULL, st.plen4);
	print_uint(PRINT_JSON, "src_len6", NULL, st.plen6);
	if (show_stats) {
		/* sources the buckets hold now, and those they let go */
		struct ddos_bucket_key *k;
		struct ddos_bucket *v;
		__u64 sum[2][sizeof(struct ddos_stats) / 8], made;
		int fd, n, d;

		fd = cube_obj_fd(c, "ddos_stats");
		for (d = 0; d < 2; d++)
			map_percpu_sum(fd, d, sum[d], ARRAY_SIZE(sum[d]));
		if (fd >= 0)
			close(fd);
		made = sum[0][offsetof(struct ddos_stats, sources) / 8] +
		       sum[1][offsetof(struct ddos_stats, sources) / 8];
		fd = cube_obj_fd(c, "ddos_buckets");
		n = fd < 0 ? 0 : map_dump(fd, sizeof(*k), sizeof(*v),
					  DDOS_BUCKETS, (void **)&k, (void **)&v);
		if (fd >= 0)
			close(fd);
		if (n < 0)
			n = 0;
		else if (fd >= 0) {
			free(k);
			free(v);
		}
		print_string(PRINT_FP, NULL, "%s", "\n    sources:");
		open_json_object("sources");
		print_uint(PRINT_ANY, "tracked", " tracked %u", n);
		print_u64(PRINT_ANY, "evicted", ", evicted %" PRIu64,
			  made > (__u64)n ? made - n : 0);
		close_json_object();
	}
}

/* struct ddos_stats, per direction */
#define DM_COUNTERS(dir)                                                   \
	{ dir, "packets", " %" PRIu64 " packets" },                        \
	{ dir, "passed", ", passed %" PRIu64 },                            \
	{ dir, "list", ", dropped by list %" PRIu64 },                     \
	{ dir, "rate", ", by rate %" PRIu64 },                             \
	{ dir, "malformed", ", malformed %" PRIu64 },                      \
	{ dir, "sources", ", new sources %" PRIu64 },                      \
	{ NULL, NULL, NULL }

static const struct pcn_counter dm_ingress[] = { DM_COUNTERS("ingress") };
static const struct pcn_counter dm_egress[] = { DM_COUNTERS("egress") };

static const struct pcn_counters dm_counters[] = {
	{ "ddos_stats", PCN_DIR_INGRESS, "\n    ingress", dm_ingress },
	{ "ddos_stats", PCN_DIR_EGRESS, "\n    egress", dm_egress },
	{ NULL, 0, NULL, NULL },
};

_Static_assert(sizeof(struct ddos_stats) ==
		       (ARRAY_SIZE(dm_ingress) - 1) * sizeof(__u64),
	       "a counter for every field");

/* every limit on the "cube add" line, then the list */
static int dm_save(struct pcn_cube *c, struct pcn_save *s)
{
	struct ddos_state st;
	int err;

	err = cube_map_get(c, "ddos_state", &zero, &st);
	if (err)
		return pcn_err_kernel(err, "cannot read cube \"%s\"", c->name);
	if (st.rate_pps)
		pcn_save_args(s, " rate %" PRIu64 " burst %" PRIu64,
			      (uint64_t)st.rate_pps, (uint64_t)st.burst_pkts);
	else
		pcn_save_args(s, " rate none");
	if (st.rate_bps)
		pcn_save_args(s, " byte_rate %" PRIu64 " byte_burst %" PRIu64,
			      (uint64_t)st.rate_bps, (uint64_t)st.burst_bytes);
	else
		pcn_save_args(s, " byte_rate none");
	pcn_save_args(s, " src_len %u/%u", st.plen4, st.plen6);
	err = dm_list_save(c, s);
	if (err)
		return pcn_err_kernel(err, "cannot read the list of \"%s\"",
				      c->name);
	pcn_save_skip(s, "rate-limit buckets");
	return 0;
}

static int dm_batch_end(bool commit, int failed_line)
{
	return dm_tables_end(commit, failed_line);
}

static const struct pcn_object *const dm_objects[] = {
	&blocklist_object, NULL,
};

static const struct cube_type ddos_type = {
	.name = "ddos",
	.summary = "transparent: block lists (IPv4/IPv6 prefixes) and rate limits per source",
	.order = 45,
	.add_usage = LIMITS_USAGE,
	.set_usage = LIMITS_USAGE,
	.elf_xdp = ddos_xdp__elf_bytes,
	.elf_tc = ddos_tc__elf_bytes,
	.max_ports = 0,
	.parse_add = dm_parse_add,
	.init = dm_init,
	.set = dm_set,
	.show = dm_show,
	.counters = dm_counters,
	.save = dm_save,
	.objects = dm_objects,
	.batch_end = dm_batch_end,
};

PCN_CUBE_TYPE(ddos_type);
