// SPDX-License-Identifier: GPL-2.0
/*
 * pcn-bench: the traffic generator, the sink and the microbenchmark of
 * pcn's benchmarks. Needs no NIC and no kernel module.
 *
 *   pcn-bench run gen NETNS IFNAME [ sink NETNS IFNAME ]
 *             [ dut NETNS IFNAME { drop | redirect IFNAME | redirect-eth IFNAME |
 *                                  tcredirect IFNAME | via BITS IFNAME } ]
 *             [ seconds S | count N ] [ size BYTES ] [ flows N ]
 *             [ src A.B.C.D[/N] ] [ dst A.B.C.D[/N] ]
 *             [ sport PORT[/N] ] [ dport PORT[/N] ] [ dmac MAC ] [ ipv6 ]
 *             [ cputime PID[,PID...] ] [ progstats NETNS IFNAME ]
 *
 * The generator runs BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES on
 * bench_gen as if frames came in on IFNAME: bench_gen writes all headers
 * and returns XDP_TX, so each frame leaves by IFNAME into its veth peer,
 * where the device under test sits. With "ipv6", the frames are
 * UDP/IPv6 from and to fd00::<the IPv4 address as a number> (src
 * 10.200.0.1/256: fd00::ac8:1 and on). The sink (bench_sink, native XDP)
 * counts per CPU and drops. A "dut" attaches a bare baseline program
 * instead of a pcn cube: drop (counting), redirect (XDP, devmap),
 * redirect-eth (the same after reading the Ethernet header, as any cube
 * must) or tcredirect (tcx, bpf_redirect); or "via BITS", the redirect
 * with pieces of a pcn forwarder's way added (bench.h, VIA_*: 1 an entry
 * program and a tail call, 2 the metadata through a per-CPU map, 4 the
 * per-port counters, 8 the action and port lookups). Prints one JSON
 * object: sent and received packets over the measured time, and their
 * rates. "cputime" adds the CPU time the threads PID... ran meanwhile
 * (/proc/PID/schedstat: time on a CPU, what the host stole not in it)
 * and that per received packet: the DUT's cost, which a machine busy
 * with other work (fewer turns on the CPU) does not inflate as it does
 * 1/rate. "progstats" turns the kernel's run-time statistics of eBPF
 * programs on for the run (BPF_ENABLE_STATS) and adds the average ns
 * of a run of the XDP program attached to IFNAME (for pcn, its port's
 * entry program with all it tail-calls): the program's own share of
 * the DUT's cost, live (each run then also pays two clock reads).
 *
 *   pcn-bench prog { empty | redirect | tailcalls N [ count ] | id PROG_ID |
 *                    link PIN }
 *             [ repeat N ] [ runs K ] [ size BYTES ]
 *             [ dmac MAC ] [ src A.B.C.D ] [ dst A.B.C.D ] [ dport PORT ]
 *
 * Runs a program with BPF_PROG_TEST_RUN (non-live: the same frame each
 * time) and prints the kernel's average ns per run. For a pcn port entry
 * program, "link PIN" takes the program of a pinned bpf_link. "redirect"
 * is bench_redirect, the live runs' floor, its devmap holding lo. The
 * frame is 64-byte UDP/IPv4 to 02:00:00:00:00:02 (the generator's
 * default), from 10.200.0.1 port 1024 to 10.201.0.1 port 9, header
 * checksum right; dmac, src, dst and dport change it (a router's port
 * MAC and a routed destination, say).
 * "tailcalls N" runs a chain of N + 1 bench_hop programs, each loaded
 * with the next one's slot as its constant index: N tail calls, as many
 * as N pcn hops, with nothing else done; with "count", each hop first
 * counts the frame in per-CPU counters of its own, as a cube does, and
 * "counted" sums what all of them counted: (N + 1) x repeat x runs.
 * "runs K" measures the same program K times: ns_per_run is then the
 * median (the lower middle one of an even K), and "runs" lists them
 * all (what one load of a chain costs stays put from run to run; it
 * changes from load to load).
 *
 *   pcn-bench insns PIN...
 *
 * For each pinned program (the prog_* pins of a cube), its name and the
 * instructions the verifier processed to load it (verified_insns): what
 * a cube add spends most of its time on. One JSON array.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "json_writer.h"
#include "bench.h"
#include "bench.skel.h"

#define TCX_INGRESS 46		/* BPF_TCX_INGRESS, newer than libbpf 1.1 */

static int self_ns = -1;

static void __attribute__((format(printf, 1, 2), noreturn))
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "Error: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void enter_ns(const char *name)
{
	char path[256];
	int fd;

	if (self_ns < 0)
		self_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (!name) {
		if (setns(self_ns, CLONE_NEWNET))
			die("cannot return to the first netns");
		return;
	}
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET))
		die("cannot enter network namespace \"%s\"", name);
	close(fd);
}

static int ifindex_in(const char *ns, const char *ifname)
{
	int idx;

	enter_ns(ns);
	idx = if_nametoindex(ifname);
	if (!idx)
		die("no interface \"%s\"", ifname);
	return idx;
}

static struct bench *open_bench(void)
{
	struct bench *b = bench__open();

	if (!b)
		die("cannot open the bench object");
	return b;
}

static void load_bench(struct bench *b)
{
	if (bench__load(b))
		die("the kernel refused the bench programs");
}

static __u64 packets(struct bench *b)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	struct bench_counters v[ncpu];
	__u32 zero = 0;
	__u64 sum = 0;

	if (bpf_map_lookup_elem(bpf_map__fd(b->maps.counters), &zero, v))
		return 0;
	for (i = 0; i < ncpu; i++)
		sum += v[i].packets;
	return sum;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int xdp_attach(int prog_fd, int ifindex)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = XDP_FLAGS_DRV_MODE);
	int fd = bpf_link_create(prog_fd, ifindex, BPF_XDP, &opts);

	if (fd < 0)
		die("cannot attach XDP: %s", strerror(errno));
	return fd;
}

/* "NAME N": N as a number from @min to @max, or die */
static unsigned long long number(const char *name, const char *arg,
				 unsigned long long min, unsigned long long max)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno || *end || end == arg || *arg == '-' || v < min || v > max)
		die("%s %llu..%llu", name, min, max);
	return v;
}

/* "A.B.C.D[/N]" or "PORT[/N]": the first one and how many */
static void parse_range(const char *kw, const char *arg, bool ip,
			__u32 *first, __u32 *n)
{
	char buf[64], what[32], *slash;
	struct in_addr a;

	snprintf(buf, sizeof(buf), "%s", arg);
	slash = strchr(buf, '/');
	*n = 1;
	if (slash) {
		*slash = '\0';
		snprintf(what, sizeof(what), "%s .../N: N", kw);
		*n = number(what, slash + 1, 1, ip ? ~0U : 65536);
	}
	if (ip) {
		if (inet_pton(AF_INET, buf, &a) != 1)
			die("bad address \"%s\"", arg);
		*first = ntohl(a.s_addr);
	} else {
		*first = number(kw, buf, 0, 65535);
	}
}

static __u32 clamp_repeat(double n)
{
	if (n < 1 << 16)
		return 1 << 16;
	return n > 1 << 26 ? 1 << 26 : (__u32)n;
}

/*
 * bench_via_entry of loaded @b ready to redirect to @to: the devmap, port
 * 0's action (forward to port 1), port 1 (an interface), the cube's
 * program in the entry's slot. Returns the entry's fd.
 */
static int via_setup(struct bench *b, int to)
{
	struct { char name[16]; __u32 peer, ifindex, pad[16]; } port = {
		.peer = 1, .ifindex = to };
	__u32 zero = 0, one = 1;
	int fd = bpf_program__fd(b->progs.bench_via_cube);

	if (sizeof(port) != bpf_map__value_size(b->maps.via_ports))
		die("struct via_port changed");
	if (bpf_map_update_elem(bpf_map__fd(b->maps.tx_port), &zero, &to, 0) ||
	    bpf_map_update_elem(bpf_map__fd(b->maps.via_actions), &zero,
				&one, 0) ||
	    bpf_map_update_elem(bpf_map__fd(b->maps.via_ports), &one, &port,
				0) ||
	    bpf_map_update_elem(bpf_map__fd(b->maps.via_progs), &zero, &fd, 0))
		die("cannot fill the via maps: %s", strerror(errno));
	return bpf_program__fd(b->progs.bench_via_entry);
}

#define MAX_PIDS 16

/*
 * The ns each thread of comma-separated @pids ran so far, in @ns (~0
 * for one that is gone: a NAPI thread of the same name elsewhere may
 * come and go). Returns how many.
 */
static int cputimes(const char *pids, __u64 *ns)
{
	const char *p = pids;
	char path[64], *end;
	int n = 0;

	while (*p) {
		unsigned long long v;
		long pid = strtol(p, &end, 10);
		FILE *f;

		if (end == p || pid <= 0 || (*end && *end != ',') ||
		    n == MAX_PIDS)
			die("bad pid list \"%s\"", pids);
		snprintf(path, sizeof(path), "/proc/%ld/schedstat", pid);
		f = fopen(path, "r");
		ns[n] = ~0ULL;
		if (f && fscanf(f, "%llu", &v) == 1)
			ns[n] = v;
		if (f)
			fclose(f);
		n++;
		p = *end ? end + 1 : end;
	}
	return n;
}

/* what the threads there at both times ran in between */
static __u64 cputime_delta(const __u64 *a, const __u64 *b, int n)
{
	__u64 sum = 0;
	int i;

	for (i = 0; i < n; i++)
		if (a[i] != ~0ULL && b[i] != ~0ULL)
			sum += b[i] - a[i];
	return sum;
}

/* run time and count of the XDP program on @ns @ifname */
static void xdp_prog_stats(const char *ns, const char *ifname, __u64 *time,
			   __u64 *cnt)
{
	struct bpf_prog_info info = {};
	__u32 id, len = sizeof(info);
	int fd;

	if (bpf_xdp_query_id(ifindex_in(ns, ifname), 0, &id) || !id)
		die("no XDP program on %s", ifname);
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		die("cannot read the program on %s", ifname);
	close(fd);
	*time = info.run_time_ns;
	*cnt = info.run_cnt;
}

static int cmd_run(int argc, char **argv)
{
	const char *gen_ns = NULL, *gen_if = NULL, *sink_ns = NULL,
		   *sink_if = NULL, *dut_ns = NULL, *dut_if = NULL,
		   *dut_kind = NULL, *dut_to = NULL, *pids = NULL,
		   *ps_ns = NULL, *ps_if = NULL;
	__u64 pt0 = 0, pt1 = 0, pc0 = 0, pc1 = 0;
	int stats_fd = -1;
	struct bench *gen, *sink = NULL, *dut = NULL, *counted;
	double seconds = 1, t0, t1, elapsed;
	unsigned long long count = 0;
	__u32 size = 64, flows = 1, v, n, via = 0;
	int links[2] = { -1, -1 }, nlinks = 0, i;
	__u64 sent0, sent1, rx0, rx1, cpu0[MAX_PIDS], cpu1[MAX_PIDS];
	int npids = 0;
	unsigned char frame[1600] = {};
	struct xdp_md md = {};
	json_writer_t *jw;

	gen = open_bench();
	gen->rodata->cfg.saddr = 0x0ac80001;	/* 10.200.0.1 */
	gen->rodata->cfg.daddr = 0x0ac90001;	/* 10.201.0.1 */
	gen->rodata->cfg.sport = 1024;
	gen->rodata->cfg.dport = 9;
	memcpy((void *)gen->rodata->cfg.dmac, "\x02\0\0\0\0\x02", 6);
	memcpy((void *)gen->rodata->cfg.smac, "\x02\0\0\0\0\x01", 6);

	for (i = 0; i < argc; i++) {
		const char *kw = argv[i];

		if (!strcmp(kw, "gen") && i + 2 < argc) {
			gen_ns = argv[++i];
			gen_if = argv[++i];
		} else if (!strcmp(kw, "sink") && i + 2 < argc) {
			sink_ns = argv[++i];
			sink_if = argv[++i];
		} else if (!strcmp(kw, "dut") && i + 3 < argc) {
			dut_ns = argv[++i];
			dut_if = argv[++i];
			dut_kind = argv[++i];
			if (!strcmp(dut_kind, "via")) {
				if (i + 2 >= argc)
					die("\"via\" needs BITS and a target");
				via = number("via", argv[++i], 0, 15);
			}
			if (strcmp(dut_kind, "drop")) {
				if (i + 1 >= argc)
					die("\"%s\" needs a target", dut_kind);
				dut_to = argv[++i];
			}
		} else if (!strcmp(kw, "progstats") && i + 2 < argc) {
			ps_ns = argv[++i];
			ps_if = argv[++i];
		} else if (!strcmp(kw, "cputime") && i + 1 < argc) {
			pids = argv[++i];
			npids = cputimes(pids, cpu0);
		} else if (!strcmp(kw, "seconds") && i + 1 < argc) {
			seconds = atof(argv[++i]);
		} else if (!strcmp(kw, "count") && i + 1 < argc) {
			count = number("count", argv[++i], 1, ULLONG_MAX);
		} else if (!strcmp(kw, "size") && i + 1 < argc) {
			size = number("size", argv[++i], 60, sizeof(frame));
		} else if (!strcmp(kw, "flows") && i + 1 < argc) {
			flows = number("flows", argv[++i], 1, ~0U);
		} else if (!strcmp(kw, "src") && i + 1 < argc) {
			parse_range(kw, argv[++i], true, &v, &n);
			gen->rodata->cfg.saddr = v;
			gen->rodata->cfg.nsaddr = n;
		} else if (!strcmp(kw, "dst") && i + 1 < argc) {
			parse_range(kw, argv[++i], true, &v, &n);
			gen->rodata->cfg.daddr = v;
			gen->rodata->cfg.ndaddr = n;
		} else if (!strcmp(kw, "sport") && i + 1 < argc) {
			parse_range(kw, argv[++i], false, &v, &n);
			gen->rodata->cfg.sport = v;
			gen->rodata->cfg.nsport = n;
		} else if (!strcmp(kw, "dport") && i + 1 < argc) {
			parse_range(kw, argv[++i], false, &v, &n);
			gen->rodata->cfg.dport = v;
			gen->rodata->cfg.ndport = n;
		} else if (!strcmp(kw, "ipv6")) {
			gen->rodata->cfg.ipv6 = 1;
		} else if (!strcmp(kw, "dmac") && i + 1 < argc) {
			unsigned int m[6];
			int k;

			if (sscanf(argv[++i], "%x:%x:%x:%x:%x:%x", &m[0], &m[1],
				   &m[2], &m[3], &m[4], &m[5]) != 6)
				die("bad MAC \"%s\"", argv[i]);
			for (k = 0; k < 6; k++)
				((__u8 *)gen->rodata->cfg.dmac)[k] = m[k];
		} else {
			die("unknown or incomplete \"%s\" (see the comment at the top of tools/pcn-bench.c)",
			    kw);
		}
	}
	if (!gen_if)
		die("\"gen NETNS IFNAME\" is missing");
	if (seconds <= 0)
		die("seconds > 0");
	gen->rodata->cfg.frame_len = size;
	gen->rodata->cfg.flows = flows;
	load_bench(gen);

	if (sink_if) {
		sink = open_bench();
		load_bench(sink);
		links[nlinks++] = xdp_attach(bpf_program__fd(sink->progs.bench_sink),
					     ifindex_in(sink_ns, sink_if));
	}
	if (dut_if) {
		int dut_idx = ifindex_in(dut_ns, dut_if), to = 0;

		if (dut_to)
			to = ifindex_in(dut_ns, dut_to);
		dut = open_bench();
		dut->rodata->redirect_ifindex = to;
		dut->rodata->via = via;
		load_bench(dut);
		if (!strcmp(dut_kind, "drop")) {
			links[nlinks++] = xdp_attach(
				bpf_program__fd(dut->progs.bench_sink), dut_idx);
		} else if (!strcmp(dut_kind, "redirect") ||
			   !strcmp(dut_kind, "redirect-eth")) {
			__u32 zero = 0;

			if (bpf_map_update_elem(bpf_map__fd(dut->maps.tx_port),
						&zero, &to, 0))
				die("cannot fill the devmap: %s", strerror(errno));
			links[nlinks++] = xdp_attach(bpf_program__fd(
				strcmp(dut_kind, "redirect") ?
				dut->progs.bench_redirect_eth :
				dut->progs.bench_redirect), dut_idx);
		} else if (!strcmp(dut_kind, "via")) {
			links[nlinks++] = xdp_attach(via_setup(dut, to), dut_idx);
		} else if (!strcmp(dut_kind, "tcredirect")) {
			int fd = bpf_link_create(
				bpf_program__fd(dut->progs.bench_tc_redir),
				dut_idx, TCX_INGRESS, NULL);

			if (fd < 0)
				die("cannot attach tcx: %s", strerror(errno));
			links[nlinks++] = fd;
		} else {
			die("dut kind \"%s\": drop, redirect, tcredirect or via",
			    dut_kind);
		}
	}
	counted = dut && !strcmp(dut_kind, "drop") ? dut : sink;
	if (ps_ns) {
		stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
		if (stats_fd < 0)
			die("cannot turn program statistics on: %s",
			    strerror(errno));
	}

	md.ingress_ifindex = ifindex_in(gen_ns, gen_if);
	md.data_end = size;
	{
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame,
			    .data_size_in = size, .ctx_in = &md,
			    .ctx_size_in = sizeof(md),
			    .flags = BPF_F_TEST_XDP_LIVE_FRAMES,
			    .repeat = 1 << 16, .batch_size = 64);
		int fd = bpf_program__fd(gen->progs.bench_gen);

		/* warm up: pages, NAPI, caches; then the measured stretch */
		sent0 = packets(gen);
		t0 = now();
		while ((t1 = now()) - t0 < 0.1)
			if (bpf_prog_test_run_opts(fd, &opts))
				die("live-frames test run failed: %s",
				    strerror(errno));
		/*
		 * Each call sets a page pool up and tears it down, which
		 * waits for an RCU grace period (tens of ms, no frame sent):
		 * few calls per measurement, about a quarter of it each.
		 */
		opts.repeat = clamp_repeat((packets(gen) - sent0) / (t1 - t0) *
					   seconds / 4);
		/* let the warm-up frames in flight land before counting */
		usleep(20000);
		sent0 = packets(gen);
		rx0 = counted ? packets(counted) : 0;
		if (pids)
			cputimes(pids, cpu0);
		if (ps_ns) {
			xdp_prog_stats(ps_ns, ps_if, &pt0, &pc0);
			enter_ns(gen_ns);
		}
		t0 = now();
		do {
			/* with a count, the last call sends just what is left */
			if (count && count - (packets(gen) - sent0) <
					     (unsigned long long)opts.repeat)
				opts.repeat = count - (packets(gen) - sent0);
			if (bpf_prog_test_run_opts(fd, &opts))
				die("live-frames test run failed: %s",
				    strerror(errno));
			t1 = now();
		} while (count ? packets(gen) - sent0 < count
			       : t1 - t0 < seconds);
		sent1 = packets(gen);
		/* frames still in flight land within a few microseconds */
		usleep(20000);
		rx1 = counted ? packets(counted) : 0;
		if (pids)
			cputimes(pids, cpu1);
		if (ps_ns)
			xdp_prog_stats(ps_ns, ps_if, &pt1, &pc1);
	}
	enter_ns(NULL);
	elapsed = t1 - t0;

	jw = jsonw_new(stdout);
	jsonw_start_object(jw);
	jsonw_uint_field(jw, "sent", sent1 - sent0);
	jsonw_uint_field(jw, "received", rx1 - rx0);
	jsonw_float_field(jw, "seconds", elapsed);
	jsonw_float_field(jw, "tx_pps", (sent1 - sent0) / elapsed);
	jsonw_float_field(jw, "rx_pps", (rx1 - rx0) / elapsed);
	if (stats_fd >= 0)
		close(stats_fd);
	if (ps_ns)
		jsonw_float_field(jw, "prog_ns_per_run", pc1 > pc0 ?
				  (double)(pt1 - pt0) / (pc1 - pc0) : 0);
	if (pids) {
		__u64 d = cputime_delta(cpu0, cpu1, npids);

		jsonw_uint_field(jw, "cpu_ns", d);
		jsonw_float_field(jw, "cpu_ns_per_packet", rx1 > rx0 ?
				  (double)d / (rx1 - rx0) : 0);
	}
	jsonw_end_object(jw);
	jsonw_destroy(&jw);

	for (i = 0; i < nlinks; i++)
		close(links[i]);
	if (dut)
		bench__destroy(dut);
	if (sink)
		bench__destroy(sink);
	bench__destroy(gen);
	return 0;
}

/*
 * A chain of @n tail calls: instance 0's hop program (bench_hop, or
 * bench_hop_count if @count) jumps to slot 1 of their shared hops map,
 * which holds instance 1's, and so on; instance n's call finds slot
 * n + 1 empty, and it returns. The instances are kept in @b; returns
 * instance 0's program.
 */
static int hop_chain(struct bench **b, __u32 n, bool count)
{
	int first = -1;
	__u32 i;

	if (n > BENCH_MAX_HOPS)
		die("tailcalls 0..%d", BENCH_MAX_HOPS);
	for (i = 0; i <= n; i++) {
		struct bpf_program *p, *hop;
		int fd;

		b[i] = open_bench();
		hop = count ? b[i]->progs.bench_hop_count
			    : b[i]->progs.bench_hop;
		bpf_object__for_each_program(p, b[i]->obj)
			bpf_program__set_autoload(p, p == hop);
		b[i]->rodata->hop_next = i + 1;
		if (i && bpf_map__reuse_fd(b[i]->maps.hops,
					   bpf_map__fd(b[0]->maps.hops)))
			die("cannot share the hops map: %s", strerror(errno));
		load_bench(b[i]);
		fd = bpf_program__fd(hop);
		if (!i)
			first = fd;
		else if (bpf_map_update_elem(bpf_map__fd(b[0]->maps.hops), &i,
					     &fd, BPF_ANY))
			die("cannot fill the hops map: %s", strerror(errno));
	}
	return first;
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

/* the median of @n values: for an even count, the lower middle one */
static __u32 median_u32(const __u32 *v, __u32 n)
{
	__u32 s[BENCH_MAX_RUNS];

	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), cmp_u32);
	return s[(n - 1) / 2];
}

static int cmd_prog(int argc, char **argv)
{
	__u32 repeat = 1000000, size = 64, nhops = 0, runs = 1, r;
	__u32 ns[BENCH_MAX_RUNS];
	bool count = false;
	struct bench *b = NULL, *hops[BENCH_MAX_HOPS + 1] = {};
	unsigned char frame[1600] = {};
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	int fd = -1, i;
	json_writer_t *jw;
	__u8 dmac[6] = { 2, 0, 0, 0, 0, 2 };
	__u32 saddr = 0x0ac80001, daddr = 0x0ac90001, dport = 9, sum, k;

	for (i = 0; i < argc; i++) {
		int had = fd;

		if (!strcmp(argv[i], "empty")) {
			b = open_bench();
			load_bench(b);
			fd = bpf_program__fd(b->progs.bench_empty);
		} else if (!strcmp(argv[i], "redirect")) {
			__u32 zero = 0, lo = 1;

			b = open_bench();
			load_bench(b);
			if (bpf_map_update_elem(bpf_map__fd(b->maps.tx_port),
						&zero, &lo, 0))
				die("cannot fill the devmap: %s",
				    strerror(errno));
			fd = bpf_program__fd(b->progs.bench_redirect);
		} else if (!strcmp(argv[i], "dmac") && i + 1 < argc) {
			unsigned int m[6];

			if (sscanf(argv[++i], "%x:%x:%x:%x:%x:%x", &m[0], &m[1],
				   &m[2], &m[3], &m[4], &m[5]) != 6)
				die("bad MAC \"%s\"", argv[i]);
			for (k = 0; k < 6; k++)
				dmac[k] = m[k];
		} else if ((!strcmp(argv[i], "src") || !strcmp(argv[i], "dst")) &&
			   i + 1 < argc) {
			struct in_addr a;

			if (inet_pton(AF_INET, argv[i + 1], &a) != 1)
				die("bad address \"%s\"", argv[i + 1]);
			*(argv[i][0] == 's' ? &saddr : &daddr) = ntohl(a.s_addr);
			i++;
		} else if (!strcmp(argv[i], "dport") && i + 1 < argc) {
			dport = number("dport", argv[++i], 0, 65535);
		} else if (!strcmp(argv[i], "tailcalls") && i + 1 < argc) {
			nhops = number("tailcalls", argv[++i], 0,
				       BENCH_MAX_HOPS);
			if (i + 1 < argc && !strcmp(argv[i + 1], "count")) {
				count = true;
				i++;
			}
			fd = hop_chain(hops, nhops, count);
		} else if (!strcmp(argv[i], "id") && i + 1 < argc) {
			fd = bpf_prog_get_fd_by_id(number("id", argv[++i], 1,
							  ~0U));
			if (fd < 0)
				die("no program with id %s", argv[i]);
		} else if (!strcmp(argv[i], "link") && i + 1 < argc) {
			struct bpf_link_info li = {};
			__u32 llen = sizeof(li);
			int lfd = bpf_obj_get(argv[++i]);

			if (lfd < 0 || bpf_obj_get_info_by_fd(lfd, &li, &llen))
				die("no link pinned at %s", argv[i]);
			fd = bpf_prog_get_fd_by_id(li.prog_id);
			close(lfd);
		} else if (!strcmp(argv[i], "repeat") && i + 1 < argc) {
			repeat = number("repeat", argv[++i], 1, ~0U);
		} else if (!strcmp(argv[i], "runs") && i + 1 < argc) {
			runs = number("runs", argv[++i], 1, BENCH_MAX_RUNS);
		} else if (!strcmp(argv[i], "size") && i + 1 < argc) {
			size = number("size", argv[++i], 60, sizeof(frame));
		} else {
			die("unknown or incomplete \"%s\"", argv[i]);
		}
		if (had >= 0 && fd != had)
			die("one program at a time");
	}
	if (fd < 0)
		die("which program? empty, redirect, tailcalls N, id ID or link PIN");
	/* an IPv4/UDP frame, as the generator makes them */
	memcpy(frame, dmac, 6);
	memcpy(frame + 6, "\x02\0\0\0\0\x01\x08\x00\x45\x00", 10);
	frame[16] = (size - 14) >> 8;
	frame[17] = (size - 14) & 0xff;
	frame[22] = 64;
	frame[23] = 17;
	for (k = 0; k < 4; k++) {
		frame[26 + k] = saddr >> (24 - 8 * k);
		frame[30 + k] = daddr >> (24 - 8 * k);
	}
	for (sum = 0, k = 14; k < 34; k += 2)
		sum += frame[k] << 8 | frame[k + 1];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = ~((sum & 0xffff) + (sum >> 16)) & 0xffff;
	frame[24] = sum >> 8;
	frame[25] = sum & 0xff;
	frame[34] = 1024 >> 8;
	frame[36] = dport >> 8;
	frame[37] = dport & 0xff;
	frame[38] = (size - 34) >> 8;
	frame[39] = (size - 34) & 0xff;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		die("cannot read the program: %s", strerror(errno));
	{
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame,
			    .data_size_in = size, .repeat = repeat);
		struct __sk_buff skb = {};

		if (info.type == BPF_PROG_TYPE_SCHED_CLS) {
			opts.ctx_in = &skb;
			opts.ctx_size_in = sizeof(skb);
		}
		for (r = 0; r < runs; r++) {
			if (bpf_prog_test_run_opts(fd, &opts))
				die("test run failed: %s", strerror(errno));
			ns[r] = opts.duration;
		}
		jw = jsonw_new(stdout);
		jsonw_start_object(jw);
		jsonw_string_field(jw, "name", info.name);
		jsonw_uint_field(jw, "repeat", repeat);
		jsonw_uint_field(jw, "ns_per_run", median_u32(ns, runs));
		jsonw_uint_field(jw, "retval", opts.retval);
		if (count) {
			__u64 counted = 0;

			for (r = 0; r <= nhops; r++)
				counted += packets(hops[r]);
			jsonw_uint_field(jw, "counted", counted);
		}
		if (runs > 1) {
			jsonw_name(jw, "runs");
			jsonw_start_array(jw);
			for (r = 0; r < runs; r++)
				jsonw_uint(jw, ns[r]);
			jsonw_end_array(jw);
		}
		jsonw_end_object(jw);
		jsonw_destroy(&jw);
	}
	if (b)
		bench__destroy(b);
	for (i = 0; i <= (int)nhops; i++)
		if (hops[i])
			bench__destroy(hops[i]);
	return 0;
}

static int cmd_insns(int argc, char **argv)
{
	json_writer_t *jw = jsonw_new(stdout);
	int i;

	jsonw_start_array(jw);
	for (i = 0; i < argc; i++) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_obj_get(argv[i]);

		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
			die("no program pinned at %s", argv[i]);
		close(fd);
		jsonw_start_object(jw);
		jsonw_string_field(jw, "name", info.name);
		jsonw_uint_field(jw, "verified_insns", info.verified_insns);
		jsonw_uint_field(jw, "xlated_bytes", info.xlated_prog_len);
		jsonw_end_object(jw);
	}
	jsonw_end_array(jw);
	jsonw_destroy(&jw);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "run"))
		return cmd_run(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "prog"))
		return cmd_prog(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "insns"))
		return cmd_insns(argc - 2, argv + 2);
	fprintf(stderr,
		"Usage: pcn-bench run gen NETNS IFNAME [ sink NETNS IFNAME ] [ dut ... ] [ seconds S | count N ] ...\n"
		"       pcn-bench prog { empty | tailcalls N [ count ] | id ID | link PIN } [ repeat N ] [ runs K ] [ size B ]\n"
		"       pcn-bench insns PIN...\n"
		"(the comment at the top of tools/pcn-bench.c has the whole grammar)\n");
	return 1;
}
