// SPDX-License-Identifier: GPL-2.0
/*
 * ddos: a transparent cube that drops what a block list names and what
 * goes over a rate per source (bpf/ddos.bpf.c).
 *
 *   pcn cube add NAME type ddos [ LIMITS ]
 *   pcn cube set NAME LIMITS
 *                [ limit proto PROTO [ dport PORTS ] { RATES | none } ]...
 *                [ synproxy dport PORTS { [ mss MSS ] [ wscale SCALE ]
 *                                         | none } ]...
 *   LIMITS := RATES [ src_len LEN4/LEN6 ]
 *   RATES  := [ rate { PPS | none } ] [ burst PACKETS ]
 *             [ byte_rate { BPS | none } ] [ byte_burst BYTES ]
 *
 * A "limit" is a rate limit per source of one protocol (of TCP or UDP
 * to some destination ports), kept in ddos_state.limits: too many for
 * the cube's meta config, so "cube add" does not take them and "pcn
 * save" writes them as "cube set" lines.
 *
 * A "synproxy" names TCP destination ports whose SYNs the datapath
 * answers with SYN cookies (bpf/ddos_syn.h), in ddos_state.syn; saved
 * as "cube set" lines too.
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
#include <netinet/in.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dm.h"
#include "ddos_xdp.skel.h"
#include "ddos_tc.skel.h"

#define LIMITS_USAGE                                                       \
	"[ rate { PPS | none } ] [ burst PACKETS ] [ byte_rate { BPS | none } ] " \
	"[ byte_burst BYTES ] [ src_len LEN4/LEN6 ]"
#define SET_USAGE                                                          \
	LIMITS_USAGE " [ limit proto PROTO [ dport PORTS ] { RATES | none } ] ..." \
	" [ synproxy dport PORTS { [ mss MSS ] [ wscale SCALE ] | none } ] ..."

static const char *const dm_definitions[] = {
	"RATES := [ rate PPS ] [ burst PACKETS ] [ byte_rate BPS ] [ byte_burst BYTES ]",
	"PROTO := { tcp | udp | icmp | icmpv6 | NUMBER }   PORTS := PORT[-PORT]",
	NULL,
};

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

/*
 * LIMITS (RATES only if not @src_len) into @l; bursts not given follow
 * their rate (one second's)
 */
static int limits_parse(int argc, char **argv, struct dm_limits *l,
			bool src_len)
{
	bool seen[5] = {}, burst_set = false, bburst_set = false;
	static const char *const kws[] = { "rate", "burst", "byte_rate",
					   "byte_burst", "src_len" };
	int k, err, nkw = src_len ? 5 : 4;

	while (argc > 0) {
		for (k = 0; k < nkw && !is_kw(*argv, kws[k]); k++)
			;
		if (k == nkw)
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
	int err = limits_parse(argc, argv, &l, true);

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

/* "proto udp dport 53" of @l, in @buf */
static const char *limit_str(const struct ddos_limit *l, char *buf, size_t n)
{
	char ports[PCN_PORTS_STRLEN];
	const char *name = pcn_proto_name(l->proto);
	int k;

	k = name ? snprintf(buf, n, "proto %s", name) :
		   snprintf(buf, n, "proto %u", l->proto);
	if (l->dport_hi && k >= 0 && (size_t)k < n)
		snprintf(buf + k, n - k, " dport %s",
			 pcn_port_range_str(l->dport_lo, l->dport_hi, ports));
	return buf;
}

#define LIMIT_STRLEN 48

/*
 * "proto PROTO [ dport PORTS ] { RATES | none }", the words of one
 * "limit", into @nl; *@del for "none"
 */
static int limit_parse(int argc, char **argv, struct ddos_limit *nl,
		       bool *del)
{
	struct dm_limits l = {};
	__u16 lo, hi;
	int err;

	memset(nl, 0, sizeof(*nl));
	*del = false;
	if (argc < 1 || !is_kw(argv[0], "proto"))
		return pcn_err(PCN_EXIT_USAGE,
			       "limit: \"proto PROTO\" expected, not \"%s\"",
			       argc ? argv[0] : "");
	if (argc < 2)
		return pcn_missing_arg("proto");
	err = pcn_parse_proto(argv[1], &nl->proto);
	if (err)
		return pcn_err_parse(err, "proto", argv[1]);
	argc -= 2;
	argv += 2;
	if (argc && is_kw(argv[0], "dport")) {
		if (nl->proto != IPPROTO_TCP && nl->proto != IPPROTO_UDP)
			return pcn_err(PCN_EXIT_USAGE,
				       "limit: dport needs proto tcp or udp");
		if (argc < 2)
			return pcn_missing_arg("dport");
		err = pcn_parse_port_range(argv[1], &lo, &hi);
		if (err)
			return pcn_err_parse(err, "dport", argv[1]);
		if (!hi)
			return pcn_err(PCN_EXIT_USAGE,
				       "limit: dport 0 is no port");
		nl->dport_lo = lo;
		nl->dport_hi = hi;
		argc -= 2;
		argv += 2;
	}
	if (argc == 1 && is_kw(argv[0], "none")) {
		*del = true;
		return 0;
	}
	if (!argc)
		return pcn_err(PCN_EXIT_USAGE,
			       "limit: its rates, or none, expected");
	err = limits_parse(argc, argv, &l, false);
	if (err)
		return err;
	if (!l.rate_pps && !l.rate_bps)
		return pcn_err(PCN_EXIT_USAGE,
			       "limit: rate or byte_rate expected (none removes it)");
	nl->rate_pps = l.rate_pps;
	nl->burst_pkts = l.burst_pkts;
	nl->rate_bps = l.rate_bps;
	nl->burst_bytes = l.burst_bytes;
	return 0;
}

/*
 * @nl into the limits of @st: in place of the one of the same protocol
 * and ports, or into a free slot (its bit set in *@fresh); @del takes
 * it out. No two limits of a protocol share a port: the datapath finds
 * one limit with ports, or the protocol's without.
 */
static int limit_put(struct ddos_state *st, const struct ddos_limit *nl,
		     bool del, __u32 *fresh)
{
	char a[LIMIT_STRLEN], b[LIMIT_STRLEN];
	int i, free_slot = -1;

	for (i = 0; i < DDOS_LIMITS; i++) {
		struct ddos_limit *l = &st->limits[i];

		if (!(st->limits_used & (1u << i))) {
			if (free_slot < 0)
				free_slot = i;
			continue;
		}
		if (l->proto != nl->proto)
			continue;
		if (l->dport_lo == nl->dport_lo && l->dport_hi == nl->dport_hi) {
			if (del) {
				st->limits_used &= ~(1u << i);
				memset(l, 0, sizeof(*l));
			} else {
				*l = *nl;
			}
			return 0;
		}
		if (l->dport_hi && nl->dport_hi && nl->dport_lo <= l->dport_hi &&
		    l->dport_lo <= nl->dport_hi)
			return pcn_err(PCN_EXIT_USAGE,
				       "limit %s has ports in common with limit %s",
				       limit_str(nl, a, sizeof(a)),
				       limit_str(l, b, sizeof(b)));
	}
	if (del)
		return pcn_err(PCN_EXIT_KERNEL, "there is no limit %s",
			       limit_str(nl, a, sizeof(a)));
	if (free_slot < 0)
		return pcn_err(PCN_EXIT_KERNEL,
			       "limit %s: a cube has %d limits at most",
			       limit_str(nl, a, sizeof(a)), DDOS_LIMITS);
	st->limits[free_slot] = *nl;
	st->limits_used |= 1u << free_slot;
	*fresh |= 1u << free_slot;
	return 0;
}

/* the words up to the next "limit" or "synproxy" */
static int clause_len(int argc, char **argv)
{
	int n;

	for (n = 0; n < argc && !is_kw(argv[n], "limit") &&
		    !is_kw(argv[n], "synproxy"); n++)
		;
	return n;
}

#define SYN_MSS_MIN	536		/* RFC 9293's default */
#define SYN_MSS_MAX	9000		/* a jumbo frame's, IPv4 */
#define SYN_MSS		1460
#define SYN_WSCALE	7		/* Linux's, with its default buffers */

/* does this kernel make SYN cookies for XDP and tc programs? */
static int syn_supported(void)
{
	return libbpf_probe_bpf_helper(BPF_PROG_TYPE_XDP,
				       BPF_FUNC_tcp_raw_gen_syncookie_ipv4,
				       NULL) == 1 &&
	       libbpf_probe_bpf_helper(BPF_PROG_TYPE_SCHED_CLS,
				       BPF_FUNC_tcp_raw_check_syncookie_ipv6,
				       NULL) == 1;
}

/*
 * "dport PORTS { [ mss MSS ] [ wscale SCALE ] | none }", the words of
 * one "synproxy", into @r; *@del for "none"
 */
static int syn_parse(int argc, char **argv, struct ddos_syn_range *r,
		     bool *del)
{
	bool seen[2] = {};
	__u64 v;
	int err;

	memset(r, 0, sizeof(*r));
	r->mss = SYN_MSS;
	r->wscale = SYN_WSCALE;
	*del = false;
	if (argc < 1 || !is_kw(argv[0], "dport"))
		return pcn_err(PCN_EXIT_USAGE,
			       "synproxy: \"dport PORTS\" expected, not \"%s\"",
			       argc ? argv[0] : "");
	if (argc < 2)
		return pcn_missing_arg("dport");
	err = pcn_parse_port_range(argv[1], &r->lo, &r->hi);
	if (err)
		return pcn_err_parse(err, "dport", argv[1]);
	if (!r->hi)
		return pcn_err(PCN_EXIT_USAGE, "synproxy: dport 0 is no port");
	if (!r->lo)
		r->lo = 1;
	argc -= 2;
	argv += 2;
	if (argc == 1 && is_kw(argv[0], "none")) {
		*del = true;
		return 0;
	}
	while (argc > 0) {
		int k = is_kw(argv[0], "mss") ? 0 :
			is_kw(argv[0], "wscale") ? 1 : -1;

		if (k < 0)
			return pcn_unknown_kw("cube", *argv);
		DUP_CHECK(seen[k], argv[0]);
		NEXT_ARG();
		if (k == 0) {
			err = u64_parse("mss", *argv, SYN_MSS_MIN, SYN_MSS_MAX, &v);
			r->mss = v;
		} else {
			err = u64_parse("wscale", *argv, 0, 14, &v);
			r->wscale = v;
		}
		if (err)
			return err;
		argc--;
		argv++;
	}
	return 0;
}

/* "dport 80" or "dport 8000-8080" */
static const char *syn_str(const struct ddos_syn_range *r, char *buf, size_t n)
{
	char ports[PCN_PORTS_STRLEN];

	snprintf(buf, n, "dport %s", pcn_port_range_str(r->lo, r->hi, ports));
	return buf;
}

/* @nr into the ranges of @st, in place of the same, or out (@del) */
static int syn_put(struct ddos_state *st, const struct ddos_syn_range *nr,
		   bool del)
{
	char a[LIMIT_STRLEN], b[LIMIT_STRLEN];
	int i, free_slot = -1;

	for (i = 0; i < DDOS_SYN_PORTS; i++) {
		struct ddos_syn_range *r = &st->syn[i];

		if (!(st->syn_used & (1u << i))) {
			if (free_slot < 0)
				free_slot = i;
			continue;
		}
		if (r->lo == nr->lo && r->hi == nr->hi) {
			if (del) {
				st->syn_used &= ~(1u << i);
				memset(r, 0, sizeof(*r));
			} else {
				*r = *nr;
			}
			return 0;
		}
		if (nr->lo <= r->hi && r->lo <= nr->hi)
			return pcn_err(PCN_EXIT_USAGE,
				       "synproxy %s has ports in common with synproxy %s",
				       syn_str(nr, a, sizeof(a)),
				       syn_str(r, b, sizeof(b)));
	}
	if (del)
		return pcn_err(PCN_EXIT_KERNEL, "there is no synproxy %s",
			       syn_str(nr, a, sizeof(a)));
	if (free_slot < 0)
		return pcn_err(PCN_EXIT_KERNEL,
			       "synproxy %s: a cube has %d port ranges at most",
			       syn_str(nr, a, sizeof(a)), DDOS_SYN_PORTS);
	if (!syn_supported())
		return pcn_err(PCN_EXIT_KERNEL,
			       "synproxy: this kernel makes no SYN cookies for BPF programs (Linux 6.0 or later)");
	st->syn[free_slot] = *nr;
	st->syn_used |= 1u << free_slot;
	return 0;
}

static int dm_set(struct pcn_cube *c, int argc, char **argv)
{
	struct ddos_state st;
	struct ddos_limit nl;
	struct dm_limits l;
	__u32 fresh = 0, i;
	bool del;
	int err, n, fd;

	err = cube_map_get(c, "ddos_state", &zero, &st);
	if (err)
		return pcn_err_kernel(err, "cannot read cube \"%s\"", c->name);
	limits_of_state(&st, &l);
	n = clause_len(argc, argv);
	err = limits_parse(n, argv, &l, true);
	if (err)
		return err;
	limits_to_state(&l, &st);
	/* then each "limit", into the same copy: all of it, or nothing */
	for (argc -= n, argv += n; argc > 0; argc -= n + 1, argv += n + 1) {
		n = clause_len(argc - 1, argv + 1);
		if (is_kw(argv[0], "synproxy")) {
			struct ddos_syn_range r;

			err = syn_parse(n, argv + 1, &r, &del);
			if (!err)
				err = syn_put(&st, &r, del);
		} else {
			err = limit_parse(n, argv + 1, &nl, &del);
			if (!err)
				err = limit_put(&st, &nl, del, &fresh);
		}
		if (err)
			return err;
	}
	/* a new limit's counters start from 0 */
	fd = fresh ? cube_obj_fd(c, "ddos_limit_stats") : -1;
	for (i = 0; fresh && i < DDOS_LIMITS && !err; i++)
		if (fresh & (1u << i))
			err = fd < 0 ? fd : map_percpu_zero(fd, i,
						sizeof(struct ddos_limit_stat));
	if (fd >= 0)
		close(fd);
	if (err)
		return pcn_err_kernel(err, "cannot set cube \"%s\"", c->name);
	/* one write: a packet sees the old limits or the new ones */
	err = cube_map_put(c, "ddos_state", &zero, &st);
	if (!err) {
		memcpy(c->meta.config, &l, sizeof(l));
		err = cube_meta_write(c);
	}
	return err ? pcn_err_kernel(err, "cannot set cube \"%s\"", c->name) : 0;
}

/* the rates of one limit, as "cube set" takes them */
static void rates_print(__u64 pps, __u64 burst, __u64 bps, __u64 bburst)
{
	if (pps) {
		print_u64(PRINT_ANY, "rate", " rate %" PRIu64, pps);
		print_u64(PRINT_ANY, "burst", " burst %" PRIu64, burst);
	} else {
		print_string(PRINT_ANY, "rate", " rate %s", "none");
	}
	if (bps) {
		print_u64(PRINT_ANY, "byte_rate", " byte_rate %" PRIu64, bps);
		print_u64(PRINT_ANY, "byte_burst", " byte_burst %" PRIu64,
			  bburst);
	} else {
		print_string(PRINT_ANY, "byte_rate", " byte_rate %s", "none");
	}
}

/* the limits per protocol: a line each, in JSON the array "limits" */
static void limits_show(struct pcn_cube *c, const struct ddos_state *st)
{
	char buf[LIMIT_STRLEN], ports[PCN_PORTS_STRLEN];
	int fd = -1, i;

	if (show_stats)
		fd = cube_obj_fd(c, "ddos_limit_stats");
	open_json_array(PRINT_JSON, "limits");
	for (i = 0; i < DDOS_LIMITS; i++) {
		const struct ddos_limit *l = &st->limits[i];
		const char *name = pcn_proto_name(l->proto);

		if (!(st->limits_used & (1u << i)))
			continue;
		open_json_object(NULL);
		print_string(PRINT_FP, NULL, "\n    limit %s",
			     limit_str(l, buf, sizeof(buf)));
		if (name)
			print_string(PRINT_JSON, "proto", NULL, name);
		else
			print_uint(PRINT_JSON, "proto", NULL, l->proto);
		if (l->dport_hi)
			print_string(PRINT_JSON, "dport", NULL,
				     pcn_port_range_str(l->dport_lo,
							l->dport_hi, ports));
		rates_print(l->rate_pps, l->burst_pkts, l->rate_bps,
			    l->burst_bytes);
		if (show_stats) {
			__u64 sum[2] = {};

			if (fd >= 0)
				map_percpu_sum(fd, i, sum, 2);
			print_u64(PRINT_ANY, "packets", ", matched %" PRIu64,
				  sum[0]);
			print_u64(PRINT_ANY, "dropped", ", dropped %" PRIu64,
				  sum[1]);
		}
		close_json_object();
	}
	close_json_array(PRINT_JSON, NULL);
	if (fd >= 0)
		close(fd);
}

/* the SYN proxy's ports: a line each, in JSON the array "synproxy" */
static void syn_show(const struct ddos_state *st)
{
	char ports[PCN_PORTS_STRLEN];
	int i;

	open_json_array(PRINT_JSON, "synproxy");
	for (i = 0; i < DDOS_SYN_PORTS; i++) {
		const struct ddos_syn_range *r = &st->syn[i];

		if (!(st->syn_used & (1u << i)))
			continue;
		open_json_object(NULL);
		print_string(PRINT_ANY, "dport", "\n    synproxy dport %s",
			     pcn_port_range_str(r->lo, r->hi, ports));
		print_uint(PRINT_ANY, "mss", " mss %u", r->mss);
		print_uint(PRINT_ANY, "wscale", " wscale %u", r->wscale);
		close_json_object();
	}
	close_json_array(PRINT_JSON, NULL);
}

static void dm_show(struct pcn_cube *c)
{
	struct ddos_state st;

	if (cube_map_get(c, "ddos_state", &zero, &st))
		return;
	print_uint(PRINT_ANY, "entries", " entries %u", st.count);
	rates_print(st.rate_pps, st.burst_pkts, st.rate_bps, st.burst_bytes);
	print_uint(PRINT_FP, NULL, " src_len %u", st.plen4);
	print_uint(PRINT_FP, NULL, "/%u", st.plen6);
	print_uint(PRINT_JSON, "src_len4", NULL, st.plen4);
	print_uint(PRINT_JSON, "src_len6", NULL, st.plen6);
	limits_show(c, &st);
	syn_show(&st);
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
	{ dir, "syn", ", SYNs answered %" PRIu64 },                        \
	{ dir, "cookie_ok", ", cookies valid %" PRIu64 },                  \
	{ dir, "cookie_bad", " invalid %" PRIu64 },                        \
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
	int err, i;

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
	for (i = 0; i < DDOS_LIMITS; i++) {
		const struct ddos_limit *l = &st.limits[i];
		char buf[LIMIT_STRLEN], r[2][64];

		if (!(st.limits_used & (1u << i)))
			continue;
		if (l->rate_pps)
			snprintf(r[0], sizeof(r[0]), " rate %" PRIu64 " burst %" PRIu64,
				 (uint64_t)l->rate_pps, (uint64_t)l->burst_pkts);
		else
			r[0][0] = 0;
		if (l->rate_bps)
			snprintf(r[1], sizeof(r[1]),
				 " byte_rate %" PRIu64 " byte_burst %" PRIu64,
				 (uint64_t)l->rate_bps, (uint64_t)l->burst_bytes);
		else
			r[1][0] = 0;
		pcn_save_line(s, "cube set %s limit %s%s%s", c->name,
			      limit_str(l, buf, sizeof(buf)), r[0], r[1]);
	}
	for (i = 0; i < DDOS_SYN_PORTS; i++) {
		char buf[LIMIT_STRLEN];

		if (st.syn_used & (1u << i))
			pcn_save_line(s, "cube set %s synproxy %s mss %u wscale %u",
				      c->name, syn_str(&st.syn[i], buf, sizeof(buf)),
				      st.syn[i].mss, st.syn[i].wscale);
	}
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
	.set_usage = SET_USAGE,
	.definitions = dm_definitions,
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
