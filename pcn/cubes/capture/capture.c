// SPDX-License-Identifier: GPL-2.0
/*
 * pcn capture: packets from any point of the cube graph into a pcapng
 * (or pcap) file, as tcpdump -w does for an interface.
 *
 * The capture point is a transparent cube of type capture, placed as
 * "pcn link add" places any: on an interface or on a cube's port, in
 * either direction, before or after the cubes already there. It lives
 * as long as the command: made when it starts, removed when it ends
 * (count reached, SIGINT, SIGTERM, SIGHUP, a reader of "-w -" gone); if
 * the command is killed, the next mutating pcn removes it, as its owner
 * (lib/owner.h) is gone. In between the command holds no lock: other
 * pcn commands run meanwhile.
 *
 * Time: the datapath stamps each packet with bpf_ktime_get_boot_ns()
 * (CLOCK_BOOTTIME, which goes on through a suspend); the command adds
 * the offset of CLOCK_REALTIME to it, read again at every wakeup (at
 * least every CAP_POLL_MS), so a step of the wall clock shows in the file
 * within that time. See pcn-capture(8).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cap.h"
#include "capture.h"
#include "chain.h"
#include "owner.h"
#include "pcn.h"
#include "transparent.h"
#include "capture_xdp.skel.h"
#include "capture_tc.skel.h"

static const __u32 zero;

/* what "cube add" of a capture cube keeps: the rest comes after */
struct cap_meta {
	__u32 snaplen;
};

/* only "pcn capture" makes capture cubes: nothing else would read them */
static bool making;

static int cap_parse_add(int argc, char **argv, __u8 *config)
{
	struct cap_meta m = { CAP_DEFAULT_SNAPLEN };

	if (!making)
		return pcn_err(PCN_EXIT_USAGE,
			       "capture cubes are made by \"pcn capture\", which reads them");
	if (argc == 2 && is_kw(argv[0], "snaplen") &&
	    !pcn_parse_u32(argv[1], 10, &m.snaplen)) {
		memcpy(config, &m, sizeof(m));
		return 0;
	}
	return pcn_err(PCN_EXIT_USAGE, "capture cubes take \"snaplen N\" alone");
}

static int cap_init(struct pcn_cube *c)
{
	struct cap_config cfg = {};
	struct cap_meta m;

	memcpy(&m, c->meta.config, sizeof(m));
	cfg.snaplen = m.snaplen;
	return cube_map_put(c, "cap_config", &zero, &cfg);
}

static void print_filter(const struct cap_config *f);

static void cap_show(struct pcn_cube *c)
{
	struct cap_config cfg;

	if (cube_map_get(c, "cap_config", &zero, &cfg))
		return;
	print_uint(PRINT_ANY, "snaplen", " snaplen %u", cfg.snaplen);
	print_filter(&cfg);
}

/* struct cap_stats, per direction */
#define CAP_COUNTERS(dir)                                                  \
	{ dir, "seen", " %" PRIu64 " seen" },                              \
	{ dir, "captured", ", captured %" PRIu64 },                        \
	{ dir, "bytes", " (%" PRIu64 " bytes)" },                          \
	{ dir, "filtered", ", not matching %" PRIu64 },                    \
	{ dir, "ring_full", ", ring full %" PRIu64 },                      \
	{ NULL, NULL, NULL }

static const struct pcn_counter cap_ingress[] = { CAP_COUNTERS("ingress") };
static const struct pcn_counter cap_egress[] = { CAP_COUNTERS("egress") };

static const struct pcn_counters cap_counters[] = {
	{ "cap_stats", PCN_DIR_INGRESS, "\n    ingress", cap_ingress },
	{ "cap_stats", PCN_DIR_EGRESS, "\n    egress", cap_egress },
	{ NULL, 0, NULL, NULL },
};

_Static_assert(sizeof(struct cap_stats) ==
		       (ARRAY_SIZE(cap_ingress) - 1) * sizeof(__u64),
	       "a counter for every field");

static const struct pcn_object capture_object;
static const struct pcn_object *const cap_objects[] = { &capture_object, NULL };

static const struct cube_type capture_type = {
	.name = "capture",
	.summary = "transparent: copies packets to \"pcn capture\", which makes it",
	.order = 95,
	.add_usage = "snaplen N",
	.elf_xdp = capture_xdp__elf_bytes,
	.elf_tc = capture_tc__elf_bytes,
	.max_ports = 0,
	.parse_add = cap_parse_add,
	.init = cap_init,
	.show = cap_show,
	.counters = cap_counters,
	.objects = cap_objects,
};

PCN_CUBE_TYPE(capture_type);

/* ---- the command ---- */

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: pcn capture { dev IFNAME | port CUBE:PORT } [ DIR ] [ POS ] [ OPTION ]... -w FILE\n"
		"       pcn capture help\n"
		"where  DIR := { ingress | egress | both }\n"
		"       POS := { first | last | before TCUBE | after TCUBE }\n"
		"       OPTION := { mode MODE | snaplen N | count N | format { pcapng | pcap } |\n"
		"                   name NAME | filter MATCH... | pcap-filter EXPRESSION }\n"
		"       MODE := { xdp | xdpgeneric | tc }\n"
		"       MATCH := { src PREFIX | dst PREFIX | host PREFIX | proto PROTO |\n"
		"                  sport PORTS | dport PORTS | port PORTS | vlan VID }\n"
		"       PREFIX := { A.B.C.D[/LEN] | X:X::X[/LEN] }    PORTS := PORT[-PORT]\n"
		"       FILE := { PATH | - }\n");
}

struct cap_opts {
	struct where w;
	bool want[2], dir_set;
	const char *pos[2];		/* "first"... and its cube */
	enum pcn_mode mode;
	bool mode_set;
	__u32 snaplen;
	__u64 count;			/* 0: no end */
	bool pcap;
	const char *name;
	const char *file;
	const char *expr;		/* pcap-filter */
	struct cap_config f;		/* the datapath's filter */
};

static int parse_prefix(const char *arg, struct cap_config *f,
			struct cap_prefix *p)
{
	int family;
	__u32 plen;

	if (pcn_parse_prefix(arg, p->addr, &plen, &family))
		return pcn_bad_arg("prefix", arg);
	if (f->family && f->family != family)
		return pcn_err(PCN_EXIT_USAGE,
			       "\"%s\": the filter's addresses are all IPv4 or all IPv6",
			       arg);
	f->family = family;
	p->plen = plen;
	return 0;
}

/* "filter MATCH...": the matches that follow, into @f */
static int parse_filter(int *argcp, char ***argvp, struct cap_config *f)
{
	int argc = *argcp, n = 0, err = 0;
	char **argv = *argvp;
	__u32 bit;

	while (argc > 1) {
		const char *kw = argv[1], *arg;

		if (is_kw(kw, "src"))
			bit = CAP_F_SRC;
		else if (is_kw(kw, "dst"))
			bit = CAP_F_DST;
		else if (is_kw(kw, "host"))
			bit = CAP_F_HOST;
		else if (is_kw(kw, "proto"))
			bit = CAP_F_PROTO;
		else if (is_kw(kw, "sport"))
			bit = CAP_F_SPORT;
		else if (is_kw(kw, "dport"))
			bit = CAP_F_DPORT;
		else if (is_kw(kw, "port"))
			bit = CAP_F_PORT;
		else if (is_kw(kw, "vlan"))
			bit = CAP_F_VLAN;
		else
			break;
		if (f->fields & bit)
			return pcn_dup_arg(kw);
		if (argc < 3)
			return pcn_missing_arg(kw);
		arg = argv[2];
		f->fields |= bit;
		switch (bit) {
		case CAP_F_SRC:
			err = parse_prefix(arg, f, &f->src);
			break;
		case CAP_F_DST:
			err = parse_prefix(arg, f, &f->dst);
			break;
		case CAP_F_HOST:
			err = parse_prefix(arg, f, &f->host);
			break;
		case CAP_F_PROTO:
			if (pcn_parse_proto(arg, &f->proto))
				err = pcn_bad_arg("protocol", arg);
			break;
		case CAP_F_SPORT:
		case CAP_F_DPORT:
		case CAP_F_PORT: {
			__u16 *r = bit == CAP_F_SPORT ? f->sport :
				   bit == CAP_F_DPORT ? f->dport : f->port;

			if (pcn_parse_port_range(arg, &r[0], &r[1]))
				err = pcn_bad_arg("port range", arg);
			break;
		}
		case CAP_F_VLAN:
			err = arg_vid(arg, &f->vid);
			break;
		}
		if (err)
			return err;
		argc -= 2;
		argv += 2;
		n++;
	}
	if (!n)
		return pcn_err(PCN_EXIT_USAGE,
			       "\"filter\" wants at least one MATCH (src, dst, host, proto, sport, dport, port, vlan)");
	*argcp = argc;
	*argvp = argv;
	return 0;
}

static int parse_count(const char *kw, const char *arg, __u32 max, __u32 *v)
{
	if (pcn_parse_u32(arg, 10, v) || *v < 1 || *v > max)
		return pcn_err(PCN_EXIT_USAGE, "%s \"%s\" is not a number from 1 to %u",
			       kw, arg, max);
	return 0;
}

static int parse_opts(int argc, char **argv, struct cap_opts *o)
{
	bool pos_set = false, snap_set = false, count_set = false,
	     fmt_set = false, filter_set = false;
	__u32 v;
	int err;

	o->snaplen = CAP_DEFAULT_SNAPLEN;
	if (argc < 1)
		return pcn_err(PCN_EXIT_USAGE,
			       "where? \"dev IFNAME\" or \"port CUBE:PORT\"");
	if (is_kw(*argv, "dev")) {
		NEXT_ARG();
		if (!**argv || strlen(*argv) >= IF_NAMESIZE)
			return pcn_bad_arg("interface name", *argv);
		o->w.dev = true;
		snprintf(o->w.ifname, sizeof(o->w.ifname), "%s", *argv);
	} else if (is_kw(*argv, "port")) {
		NEXT_ARG();
		err = arg_endpoint(*argv, o->w.cube, o->w.port);
		if (err)
			return err;
		if (!o->w.port[0])
			return pcn_err(PCN_EXIT_USAGE,
				       "which port of \"%s\"? give CUBE:PORT",
				       o->w.cube);
	} else {
		return pcn_err(PCN_EXIT_USAGE,
			       "where? \"dev IFNAME\" or \"port CUBE:PORT\", not \"%s\"",
			       *argv);
	}
	argc--;
	argv++;
	while (argc > 0) {
		if (is_kw(*argv, "ingress") || is_kw(*argv, "egress") ||
		    is_kw(*argv, "both")) {
			DUP_CHECK(o->dir_set, "direction");
			o->want[PCN_DIR_INGRESS] = !is_kw(*argv, "egress");
			o->want[PCN_DIR_EGRESS] = !is_kw(*argv, "ingress");
		} else if (is_kw(*argv, "first") || is_kw(*argv, "last")) {
			DUP_CHECK(pos_set, "position");
			o->pos[0] = *argv;
		} else if (is_kw(*argv, "before") || is_kw(*argv, "after")) {
			DUP_CHECK(pos_set, "position");
			o->pos[0] = *argv;
			NEXT_ARG();
			err = check_name("cube", *argv);
			if (err)
				return err;
			o->pos[1] = *argv;
		} else if (is_kw(*argv, "mode")) {
			NEXT_ARG();
			DUP_CHECK(o->mode_set, "mode");
			if (mode_parse(*argv, &o->mode))
				return pcn_err(PCN_EXIT_USAGE,
					       "mode \"%s\" is unknown: xdp, xdpgeneric or tc",
					       *argv);
		} else if (is_kw(*argv, "snaplen")) {
			NEXT_ARG();
			DUP_CHECK(snap_set, "snaplen");
			err = parse_count("snaplen", *argv, CAP_DEFAULT_SNAPLEN,
					  &o->snaplen);
			if (err)
				return err;
		} else if (is_kw(*argv, "count")) {
			NEXT_ARG();
			DUP_CHECK(count_set, "count");
			err = parse_count("count", *argv, UINT32_MAX, &v);
			if (err)
				return err;
			o->count = v;
		} else if (is_kw(*argv, "format")) {
			NEXT_ARG();
			DUP_CHECK(fmt_set, "format");
			if (!is_kw(*argv, "pcapng") && !is_kw(*argv, "pcap"))
				return pcn_err(PCN_EXIT_USAGE,
					       "format \"%s\" is unknown: pcapng or pcap",
					       *argv);
			o->pcap = is_kw(*argv, "pcap");
		} else if (is_kw(*argv, "name")) {
			NEXT_ARG();
			if (o->name)
				return pcn_dup_arg("name");
			err = check_name("cube", *argv);
			if (err)
				return err;
			o->name = *argv;
		} else if (is_kw(*argv, "filter")) {
			DUP_CHECK(filter_set, "filter");
			err = parse_filter(&argc, &argv, &o->f);
			if (err)
				return err;
		} else if (is_kw(*argv, "pcap-filter")) {
			NEXT_ARG();
			if (o->expr)
				return pcn_dup_arg("pcap-filter");
			o->expr = *argv;
		} else if (is_kw(*argv, "-w")) {
			NEXT_ARG();
			if (o->file)
				return pcn_dup_arg("-w");
			o->file = *argv;
		} else {
			return pcn_unknown_kw("capture", *argv);
		}
		argc--;
		argv++;
	}
	if (!o->file)
		return pcn_err(PCN_EXIT_USAGE,
			       "where to? \"-w FILE\" (\"-w -\": standard output)");
	if (o->pos[1] && o->name && !strcmp(o->pos[1], o->name))
		return pcn_err(PCN_EXIT_USAGE, "\"%s\" cannot go before or after itself",
			       o->name);
	return 0;
}

static void print_prefix(const char *key, const char *kw, int family,
			 const struct cap_prefix *p)
{
	char buf[PCN_PREFIX_STRLEN], fmt[32];

	snprintf(fmt, sizeof(fmt), " %s %%s", kw);
	print_string(PRINT_ANY, key, fmt,
		     pcn_prefix_str(family, p->addr, p->plen, buf));
}

static void print_range(const char *kw, const __u16 *r)
{
	char buf[PCN_PORTS_STRLEN], fmt[32];

	snprintf(fmt, sizeof(fmt), " %s %%s", kw);
	print_string(PRINT_ANY, kw, fmt, pcn_port_range_str(r[0], r[1], buf));
}

/* " filter ..." as it was given: what cube show prints */
static void print_filter(const struct cap_config *f)
{
	if (!f->fields)
		return;
	print_string(PRINT_FP, NULL, " filter", NULL);
	open_json_object("filter");
	if (f->fields & CAP_F_SRC)
		print_prefix("src", "src", f->family, &f->src);
	if (f->fields & CAP_F_DST)
		print_prefix("dst", "dst", f->family, &f->dst);
	if (f->fields & CAP_F_HOST)
		print_prefix("host", "host", f->family, &f->host);
	if (f->fields & CAP_F_PROTO)
		print_string(PRINT_ANY, "proto", " proto %s",
			     pcn_proto_name(f->proto));
	if (f->fields & CAP_F_SPORT)
		print_range("sport", f->sport);
	if (f->fields & CAP_F_DPORT)
		print_range("dport", f->dport);
	if (f->fields & CAP_F_PORT)
		print_range("port", f->port);
	if (f->fields & CAP_F_VLAN)
		print_uint(PRINT_ANY, "vlan", " vlan %u", f->vid);
	close_json_object();
}

/*
 * The mode of the cube: as the hook the point is at runs. A port's cube
 * has one; an interface a port owns, that cube's; an interface with
 * transparent cubes on it, theirs; a bare interface, tc, where both ways
 * can be seen.
 */
static enum pcn_mode point_mode(const struct cap_opts *o)
{
	char cube[PCN_NAME_LEN] = "", port[PCN_NAME_LEN];
	struct pcn_point pt;
	struct pcn_cube c;
	enum pcn_mode m = PCN_MODE_TC;
	int d, id;

	if (!o->w.dev)
		snprintf(cube, sizeof(cube), "%s", o->w.cube);
	else
		port_find_by_dev(o->w.ifname, cube, port);
	if (cube[0]) {
		if (!cube_open(cube, &c)) {
			m = c.meta.mode;
			cube_close(&c);
		}
		return m;
	}
	for (d = PCN_DIR_INGRESS; d <= PCN_DIR_EGRESS; d++) {
		id = point_of(&o->w, d);
		if (id >= 0 && !point_get(id, &pt) && pt.mode != PCN_MODE_NONE)
			return pt.mode;
	}
	return m;
}

/* Is the point there? Said before a cube is loaded for nothing. */
static int point_check(const struct cap_opts *o)
{
	struct pcn_cube c;
	int err, idx;

	if (o->w.dev)
		return if_nametoindex(o->w.ifname) ? 0 :
			pcn_err(PCN_EXIT_KERNEL, "interface \"%s\" does not exist",
				o->w.ifname);
	err = cube_open(o->w.cube, &c);
	if (err)
		return cube_open_err(o->w.cube, err);
	err = cube_port_index(&c, o->w.port, &idx);
	cube_close(&c);
	return err;
}

/* The file: made (or opened) now, emptied once the capture is there. */
struct cap_file {
	FILE *f;
	bool made;			/* by us: removed if we fail */
	const char *path;
};

static int file_open(struct cap_file *cf, const char *path)
{
	struct stat st;
	int fd;

	cf->path = path;
	if (!strcmp(path, "-")) {
		cf->f = stdout;
		return 0;
	}
	cf->made = stat(path, &st) != 0;
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return pcn_err_kernel(errno, "cannot write \"%s\"", path);
	cf->f = fdopen(fd, "w");
	if (!cf->f) {
		close(fd);
		return pcn_err_kernel(errno, "cannot write \"%s\"", path);
	}
	return 0;
}

static void file_abandon(struct cap_file *cf)
{
	if (cf->f && cf->f != stdout) {
		fclose(cf->f);
		if (cf->made)
			unlink(cf->path);
	}
	cf->f = NULL;
}

/* The capture running: what the ring's callback needs. */
struct cap_run {
	struct cap_writer w;
	__s64 offset;			/* CLOCK_BOOTTIME -> CLOCK_REALTIME */
	__u32 ifid[2];			/* by direction */
	__u64 count, written, rejected;
	int err;
	void *prog;			/* pcap-filter, or NULL */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct cap_run *r = ctx;
	const struct cap_rec *rec = data;
	static __u8 frame[CAP_MAX_COPY + 4];
	const __u8 *pkt = (const __u8 *)(rec + 1);
	__u32 caplen = rec->caplen, len;

	if (r->count && r->written >= r->count)
		return -ECANCELED;
	if (size < sizeof(*rec) || caplen > size - sizeof(*rec) ||
	    rec->dir > PCN_DIR_EGRESS)
		return 0;
	len = rec->len;
	/* the tag tc held aside, back after the MAC addresses */
	if (rec->vlan && caplen >= 12) {
		memcpy(frame, pkt, 12);
		memcpy(frame + 12, &rec->vlan_proto, 2);
		frame[14] = rec->vlan_tci >> 8;
		frame[15] = rec->vlan_tci & 0xff;
		memcpy(frame + 16, pkt + 12, caplen - 12);
		pkt = frame;
		caplen += 4;
		len += 4;
	}
	if (caplen > r->w.snaplen)
		caplen = r->w.snaplen;
	if (r->prog && !cap_expr_match(r->prog, pkt, caplen, len)) {
		r->rejected++;
		return 0;
	}
	r->err = cap_write_packet(&r->w, r->ifid[rec->dir],
				  rec->ts + r->offset, pkt, caplen, len,
				  rec->dir == PCN_DIR_EGRESS);
	if (r->err)
		return r->err;
	r->written++;
	return 0;
}

static int stats_sum(int fd, struct cap_stats *sum)
{
	int ncpu = libbpf_num_possible_cpus(), i, d;
	struct cap_stats *v;

	memset(sum, 0, sizeof(*sum));
	if (ncpu < 1)
		return -EINVAL;
	v = calloc(ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (d = 0; d < 2; d++) {
		__u32 key = d;

		if (bpf_map_lookup_elem(fd, &key, v))
			continue;
		for (i = 0; i < ncpu; i++) {
			sum->seen += v[i].seen;
			sum->captured += v[i].captured;
			sum->bytes += v[i].bytes;
			sum->filtered += v[i].filtered;
			sum->ring_full += v[i].ring_full;
		}
	}
	free(v);
	return 0;
}

/* tcpdump's lines, and what the filters left out */
static void print_summary(const struct cap_run *r, const struct cap_stats *s)
{
	FILE *f = json && r->w.f != stdout ? stdout : stderr;

	if (json) {
		fprintf(f,
			"{\"captured\":%llu,\"seen\":%llu,\"dropped\":%llu,\"not_matching\":%llu,\"not_matching_pcap_filter\":%llu}\n",
			(unsigned long long)r->written,
			(unsigned long long)s->seen,
			(unsigned long long)s->ring_full,
			(unsigned long long)s->filtered,
			(unsigned long long)r->rejected);
		return;
	}
	fprintf(f, "%llu packets captured\n", (unsigned long long)r->written);
	fprintf(f, "%llu packets received by filter\n",
		(unsigned long long)s->seen);
	fprintf(f, "%llu packets dropped by kernel\n",
		(unsigned long long)s->ring_full);
	fprintf(f, "%llu packets not matching the filter\n",
		(unsigned long long)(s->filtered + r->rejected));
}

/* "dev veth1 ingress": the name of a capture point in the file */
static void point_name(const struct cap_opts *o, int d, char *buf, size_t len)
{
	char place[64];

	where_str(&o->w, place, sizeof(place));
	snprintf(buf, len, "%s %s", place, pcn_dir_names[d]);
}

/* Attach @name where @o says, in the directions it wants. */
static int attach(const struct cap_opts *o, const char *name)
{
	char *argv[8], place[64], dir[8];
	int argc = 0, d;

	argv[argc++] = (char *)name;
	argv[argc++] = o->w.dev ? "dev" : "port";
	if (o->w.dev)
		snprintf(place, sizeof(place), "%s", o->w.ifname);
	else
		snprintf(place, sizeof(place), "%s:%s", o->w.cube, o->w.port);
	argv[argc++] = place;
	d = o->want[0] && o->want[1] ? 2 : o->want[1];
	snprintf(dir, sizeof(dir), "%s", d == 2 ? "both" : pcn_dir_names[d]);
	argv[argc++] = dir;
	if (o->pos[0])
		argv[argc++] = (char *)o->pos[0];
	if (o->pos[1])
		argv[argc++] = (char *)o->pos[1];
	return transparent_cmd(true, argc, argv);
}

/* Remove the cube, if it is still there (someone may have deleted it). */
static int remove_cube(const char *name)
{
	char path[PATH_MAX];
	int err;

	err = tree_open(PCN_WRITE, NULL);
	if (err)
		return err;
	pcn_ns_path(path, sizeof(path), "cubes/%s", name);
	return pcn_path_exists(path) ? cube_delete(name) : 0;
}

static int make_cube(struct cap_opts *o, const char *name)
{
	char snap[16], *argv[9] = { "cube", "add", (char *)name, "type",
				    "capture", "mode",
				    (char *)mode_name(o->mode), "snaplen",
				    snap };
	struct pcn_cube c;
	struct cap_config cfg = o->f;
	int err;

	snprintf(snap, sizeof(snap), "%u", o->snaplen);
	making = true;
	err = pcn_dispatch(ARRAY_SIZE(argv), argv);
	making = false;
	if (err)
		return err;
	/* the filter, before the cube is anywhere */
	err = cube_open(name, &c);
	if (!err) {
		cfg.snaplen = o->snaplen;
		err = cube_map_put(&c, "cap_config", &zero, &cfg);
		cube_close(&c);
	}
	return err ? pcn_err_kernel(err, "cannot set up cube \"%s\"", name) : 0;
}

static int compile_expr(struct cap_run *r, const struct cap_opts *o)
{
	char why[256];
	int err;

	if (!o->expr)
		return 0;
	err = cap_expr_compile(o->expr, o->snaplen, &r->prog, why, sizeof(why));
	if (err == -EINVAL)
		return pcn_err(PCN_EXIT_USAGE, "pcap-filter \"%s\": %s", o->expr,
			       why);
	return err ? pcn_err(PCN_EXIT_USAGE, "pcap-filter: %s", why) : 0;
}

static void run_loop(struct ring_buffer *rb, struct cap_run *r)
{
	int n;

	while (!stop && !r->err) {
		r->offset = cap_boot_to_real();
		n = ring_buffer__poll(rb, CAP_POLL_MS);
		/* not woken (the datapath wakes it only as the ring fills):
		 * what came meanwhile is read all the same */
		if (n >= 0 || n == -EINTR)
			n = ring_buffer__consume(rb);
		if (n == -ECANCELED || (r->count && r->written >= r->count))
			break;
		if (n < 0 && n != -EINTR) {
			r->err = n;
			break;
		}
		if (fflush(r->w.f))
			r->err = -errno;
	}
}

static int capture_cmd(int argc, char **argv)
{
	struct cap_opts o = {};
	struct cap_run r = {};
	struct cap_file cf = {};
	struct ring_buffer *rb = NULL;
	struct cap_stats st;
	struct sigaction sa = {};
	char namebuf[PCN_NAME_LEN], names[2][80];
	const char *idb[2];
	struct pcn_cube c;
	int owner = -1, ring_fd = -1, stats_fd = -1, err, n = 0, d;

	if (argc > 0 && is_kw(*argv, "help")) {
		usage(stdout);
		return 0;
	}
	err = parse_opts(argc, argv, &o);
	if (err)
		return err;
	if (batch_line)
		return pcn_err(PCN_EXIT_USAGE,
			       "\"capture\" runs on its own, not in a batch");
	err = compile_expr(&r, &o);
	if (err)
		return err;
	if (!o.name) {
		snprintf(namebuf, sizeof(namebuf), "cap%d", (int)getpid());
		o.name = namebuf;
	}
	err = file_open(&cf, o.file);
	if (err)
		return err;

	err = tree_open(PCN_WRITE, NULL);
	if (err)
		goto fail;
	err = point_check(&o);
	if (err)
		goto fail;
	if (!o.mode_set)
		o.mode = point_mode(&o);
	if (!o.dir_set) {
		o.want[PCN_DIR_INGRESS] = true;
		o.want[PCN_DIR_EGRESS] = !(o.w.dev && o.mode != PCN_MODE_TC);
	}
	owner = pcn_owner_claim(o.name);
	if (owner < 0) {
		err = owner == -EEXIST ?
			pcn_err(PCN_EXIT_KERNEL, "cube \"%s\" exists", o.name) :
			pcn_err_kernel(owner, "cannot own cube \"%s\"", o.name);
		goto fail;
	}
	err = make_cube(&o, o.name);
	if (err)
		goto fail_owner;
	err = attach(&o, o.name);
	if (err)
		goto fail_cube;
	err = cube_open(o.name, &c);
	if (!err) {
		ring_fd = cube_obj_fd(&c, "cap_ring");
		stats_fd = cube_obj_fd(&c, "cap_stats");
		cube_close(&c);
		err = ring_fd < 0 ? ring_fd : stats_fd < 0 ? stats_fd : 0;
	}
	if (!err) {
		r.count = o.count;
		rb = ring_buffer__new(ring_fd, on_record, &r, NULL);
		if (!rb)
			err = -errno;
	}
	if (err) {
		err = pcn_err_kernel(err, "cannot read cube \"%s\"", o.name);
		goto fail_cube;
	}
	for (d = PCN_DIR_INGRESS; d <= PCN_DIR_EGRESS; d++) {
		if (!o.want[d])
			continue;
		point_name(&o, d, names[d], sizeof(names[d]));
		idb[n] = names[d];
		r.ifid[d] = n++;
	}
	r.w.f = cf.f;
	r.w.pcapng = !o.pcap;
	r.w.snaplen = o.snaplen;
	setvbuf(cf.f, NULL, _IOFBF, 1 << 20);
	if (cf.f != stdout && ftruncate(fileno(cf.f), 0))
		err = -errno;
	err = err ?: cap_write_header(&r.w, idb, n);
	if (err) {
		err = pcn_err_kernel(err, "cannot write \"%s\"", o.file);
		goto fail_cube;
	}
	/* from here on, other commands run while this one reads */
	tree_close();

	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	run_loop(rb, &r);

	/* away, then what it copied before it went */
	err = remove_cube(o.name);
	r.offset = cap_boot_to_real();
	if (!r.err && !(r.count && r.written >= r.count))
		ring_buffer__consume(rb);
	pcn_owner_release(o.name, owner);
	stats_sum(stats_fd, &st);
	if (fflush(cf.f) && !r.err)
		r.err = -errno;
	if (r.err && r.err != -EPIPE && !err)
		err = pcn_err_kernel(r.err, "cannot write \"%s\"", o.file);
	if (cf.f != stdout)
		fclose(cf.f);
	print_summary(&r, &st);
	ring_buffer__free(rb);
	close(ring_fd);
	close(stats_fd);
	cap_expr_free(r.prog);
	return err;

fail_cube:
	ring_buffer__free(rb);
	if (ring_fd >= 0)
		close(ring_fd);
	if (stats_fd >= 0)
		close(stats_fd);
	remove_cube(o.name);
fail_owner:
	pcn_owner_release(o.name, owner);
fail:
	file_abandon(&cf);
	cap_expr_free(r.prog);
	return err;
}

static const struct pcn_object capture_object = {
	.name = "capture",
	.fn = capture_cmd,
	.summary = "write the packets at a point of the graph to a pcapng or pcap file",
	.usage = usage,
};
