// SPDX-License-Identifier: GPL-2.0
/*
 * The bridge datapath through BPF_PROG_TEST_RUN, XDP and TC builds:
 * multicast sources dropped and counted, link-local groups to
 * the host whatever the port state, learning (and no map update for a
 * station already known), unknown unicast and broadcast flooded, known
 * unicast out of its port, back to its own port filtered, port states,
 * ageing, 802.1Q-tagged and double-tagged frames bridged by MAC.
 */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf_test.h"
#include "harness.h"
#include "pcn_shared.h"
#include "bridge.h"
#include "bridge_xdp.skel.h"
#include "bridge_tc.skel.h"

#define LO 1
#define A "\x02\0\0\0\0\xa1"
#define B "\x02\0\0\0\0\xb2"
#define BCAST "\xff\xff\xff\xff\xff\xff"

struct env {
	bool tc;
	void *skel;
	int prog, ports, fdb, cfg, brports, stats, scratch, devmap, gen;
};

static int setup(struct env *e)
{
	struct pcn_port p = { .peer = PCN_PEER_IFACE, .ifindex = LO,
			      .eg_point = PCN_POINT_NONE };
	struct br_config cfg = { .ageing_ns = 300 * 1000000000ull };
	/* port 0: access, VLAN 1; port 1: trunk of 10 and 20, native 1 */
	struct br_port access = { .mode = BR_ACCESS, .pvid = 1 };
	struct br_port trunk = { .mode = BR_TRUNK, .pvid = 1 };
	__u32 i, zero = 0;
	struct bpf_object *obj;

	if (e->tc) {
		struct bridge_tc *s = bridge_tc__open_and_load();

		if (!s)
			return -errno;
		e->skel = s;
		obj = s->obj;
		e->scratch = -1;
	} else {
		struct bridge_xdp *s = bridge_xdp__open_and_load();

		if (!s)
			return -errno;
		e->skel = s;
		obj = s->obj;
		e->scratch = bpf_map__fd(s->maps.pcn_scratch);
	}
	e->prog = bpf_program__fd(bpf_object__find_program_by_name(obj, "bridge"));
	e->ports = bpf_map__fd(bpf_object__find_map_by_name(obj, "pcn_ports"));
	e->fdb = bpf_map__fd(bpf_object__find_map_by_name(obj, "br_fdb"));
	e->cfg = bpf_map__fd(bpf_object__find_map_by_name(obj, "br_config"));
	e->gen = bpf_map__fd(bpf_object__find_map_by_name(obj, "br_gen"));
	e->brports = bpf_map__fd(bpf_object__find_map_by_name(obj, "br_ports"));
	e->stats = bpf_map__fd(bpf_object__find_map_by_name(obj, "br_stats"));
	e->devmap = e->tc ? -1 : bpf_map__fd(bpf_object__find_map_by_name(obj, "pcn_devmap"));
	trunk.allowed[0] = 1ull << 10 | 1ull << 20;
	i = 0;
	if (bpf_map_update_elem(e->brports, &i, &access, BPF_ANY))
		return -errno;
	i = 1;
	if (bpf_map_update_elem(e->brports, &i, &trunk, BPF_ANY))
		return -errno;
	for (i = 0; i < 2; i++) {
		snprintf(p.name, sizeof(p.name), "p%u", i);
		if (bpf_map_update_elem(e->ports, &i, &p, BPF_ANY))
			return -errno;
		if (!e->tc &&
		    bpf_map_update_elem(bpf_map__fd(bpf_object__find_map_by_name(
						obj, "pcn_devmap")),
					&i, &p.ifindex, BPF_ANY))
			return -errno;
	}
	return bpf_map_update_elem(e->cfg, &zero, &cfg, BPF_ANY) ? -errno : 0;
}

FIXTURE(br) {
	struct env e;
};

FIXTURE_VARIANT(br) {
	bool tc;			/* the TC build, else the XDP one */
};

FIXTURE_VARIANT_ADD(br, xdp) { .tc = false, };
FIXTURE_VARIANT_ADD(br, tc) { .tc = true, };

FIXTURE_SETUP(br)
{
	cpu_set_t one;

	/* one CPU: what the datapath caches per CPU is met again */
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(one), &one));
	self->e.tc = variant->tc;
	ASSERT_EQ(0, setup(&self->e));
}

FIXTURE_TEARDOWN(br)
{
	if (self->e.tc)
		bridge_tc__destroy(self->e.skel);
	else
		bridge_xdp__destroy(self->e.skel);
}

/*
 * Run @in as if it entered @port; the frame as it left (the packet
 * test-run gives back) goes to @out, unless it is NULL.
 */
static int run_out(struct env *e, __u32 port, const unsigned char *in,
		   size_t len, unsigned char *out, __u32 *out_len, __u32 *ret)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in, .data_size_in = len,
		    .data_out = out, .data_size_out = out ? 128 : 0,
		    .repeat = 1);
	struct __sk_buff skb = { .cb = { port } };
	int err;

	if (e->tc) {
		o.ctx_in = &skb;
		o.ctx_size_in = sizeof(skb);
	} else {
		int ncpu = libbpf_num_possible_cpus(), c;
		struct pcn_md md[ncpu];
		__u32 zero = 0;

		for (c = 0; c < ncpu; c++)
			md[c] = (struct pcn_md){ .in_port = port };
		if (bpf_map_update_elem(e->scratch, &zero, md, BPF_ANY))
			return -errno;
	}
	err = bpf_prog_test_run_opts(e->prog, &o);
	*ret = o.retval;
	if (out_len)
		*out_len = o.data_size_out;
	return err ? -errno : 0;
}

/* Run a frame of @len bytes from @src to @dst as if it entered @port. */
static int run(struct env *e, __u32 port, const char *dst, const char *src,
	       const unsigned char *rest, size_t rest_len, size_t len,
	       __u32 *ret)
{
	unsigned char frame[128] = {};

	memcpy(frame, dst, 6);
	memcpy(frame + 6, src, 6);
	frame[12] = 0x88;
	frame[13] = 0xb5;
	if (rest)
		memcpy(frame + 12, rest, rest_len);
	return run_out(e, port, frame, len, NULL, NULL, ret);
}

static struct br_stats counters(struct env *e)
{
	int ncpu = libbpf_num_possible_cpus(), c;
	struct br_stats v[ncpu], s = {};
	__u32 zero = 0;

	if (!bpf_map_lookup_elem(e->stats, &zero, v))
		for (c = 0; c < ncpu; c++) {
			s.flooded += v[c].flooded;
			s.learned += v[c].learned;
			s.moved += v[c].moved;
			s.malformed += v[c].malformed;
			s.link_local += v[c].link_local;
			s.filtered += v[c].filtered;
			s.vlan_dropped += v[c].vlan_dropped;
		}
	return s;
}

/* the fdb key of @mac in VLAN 1 */
static struct br_fdb_key key1(const char *mac)
{
	struct br_fdb_key k = { .vid = 1 };

	memcpy(k.mac, mac, 6);
	return k;
}

static int fdb_get(struct env *e, const char *mac, struct br_fdb_entry *out)
{
	struct br_fdb_key k = key1(mac);

	return bpf_map_lookup_elem(e->fdb, &k, out) ? -errno : 0;
}

/* Void the CPUs' cached copies of the fdb, as pcn does after a change. */
static int gen_bump(struct env *e)
{
	struct br_gen g;
	__u32 zero = 0;

	if (bpf_map_lookup_elem(e->gen, &zero, &g))
		return -errno;
	g.gen++;
	return bpf_map_update_elem(e->gen, &zero, &g, BPF_ANY) ? -errno : 0;
}

static int fdb_put(struct env *e, const struct br_fdb_key *k,
		   const struct br_fdb_entry *v)
{
	if (bpf_map_update_elem(e->fdb, k, v, BPF_ANY))
		return -errno;
	return gen_bump(e);
}

static int fdb_forget(struct env *e, const char *mac)
{
	struct br_fdb_key k = key1(mac);

	if (bpf_map_delete_elem(e->fdb, &k))
		return -errno;
	return gen_bump(e);
}

static __u32 v_drop(struct env *e) { return e->tc ? TC_ACT_SHOT : XDP_DROP; }
static __u32 v_pass(struct env *e) { return e->tc ? TC_ACT_OK : XDP_PASS; }
static __u32 v_redirect(struct env *e)
{
	return e->tc ? TC_ACT_REDIRECT : XDP_REDIRECT;
}
/* a flood: XDP broadcasts by redirect; TC clones, then drops the frame */
static __u32 v_flood(struct env *e) { return e->tc ? TC_ACT_SHOT : XDP_REDIRECT; }

static void malformed(struct __test_metadata *_metadata, struct env *e)
{
	__u32 ret;

	/*
	 * The kernel will not test-run a frame shorter than an Ethernet
	 * header (nor does a veth deliver one): the shortest there is.
	 */
	EXPECT_EQ(-EINVAL, run(e, 0, B, A, NULL, 0, 13, &ret));
	ASSERT_EQ(0, run(e, 0, B, A, NULL, 0, 14, &ret));
	EXPECT_EQ(v_flood(e), ret);
	/* a multicast source */
	ASSERT_EQ(0, run(e, 0, B, "\x03\0\0\0\0\x01", NULL, 0, 60, &ret));
	EXPECT_EQ(v_drop(e), ret);
	EXPECT_EQ(1, counters(e).malformed);
	EXPECT_EQ(1, counters(e).learned);
}

TEST_F(br, malformed) { malformed(_metadata, &self->e); }

static void learn_and_forward(struct __test_metadata *_metadata, struct env *e)
{
	struct br_fdb_entry fe;
	__u64 seen;
	__u32 ret;

	/* A on port 0 talks to B, unknown: flooded, A learned */
	ASSERT_EQ(0, run(e, 0, B, A, NULL, 0, 60, &ret));
	EXPECT_EQ(v_flood(e), ret);
	ASSERT_EQ(0, fdb_get(e, A, &fe));
	EXPECT_EQ(0, fe.port);
	EXPECT_EQ(1, counters(e).learned);
	EXPECT_EQ(1, counters(e).flooded);
	seen = fe.seen_ns;

	/* B answers from port 1: known unicast to port 0, B learned */
	ASSERT_EQ(0, run(e, 1, A, B, NULL, 0, 60, &ret));
	EXPECT_EQ(v_redirect(e), ret);
	EXPECT_EQ(1, counters(e).flooded);
	EXPECT_EQ(2, counters(e).learned);

	/* A again within a second: the entry is not written */
	ASSERT_EQ(0, run(e, 0, B, A, NULL, 0, 60, &ret));
	EXPECT_EQ(v_redirect(e), ret);
	ASSERT_EQ(0, fdb_get(e, A, &fe));
	EXPECT_EQ(seen, fe.seen_ns);

	/* to a station on the port it came in by: filtered */
	ASSERT_EQ(0, run(e, 1, B, "\x02\0\0\0\0\xc3", NULL, 0, 60, &ret));
	EXPECT_EQ(v_drop(e), ret);
	EXPECT_EQ(1, counters(e).filtered);

	/* A moves to port 1 */
	ASSERT_EQ(0, run(e, 1, BCAST, A, NULL, 0, 60, &ret));
	EXPECT_EQ(v_flood(e), ret);
	ASSERT_EQ(0, fdb_get(e, A, &fe));
	EXPECT_EQ(1, fe.port);
	EXPECT_EQ(1, counters(e).moved);
}

TEST_F(br, learn_and_forward) { learn_and_forward(_metadata, &self->e); }

/*
 * What a CPU cached of the fdb never outlives a change: a static entry
 * rewritten, a station moving, an entry deleted (the test runs on one
 * CPU, so every frame meets the cache the one before it filled).
 */
static void cache_voided(struct __test_metadata *_metadata, struct env *e)
{
	struct br_fdb_key k = key1(B);
	struct br_fdb_entry st = { .port = 1, .flags = BR_FDB_STATIC }, fe;
	__u32 ret;

	ASSERT_EQ(0, fdb_put(e, &k, &st));
	ASSERT_EQ(0, run(e, 0, B, A, NULL, 0, 60, &ret));
	EXPECT_EQ(v_redirect(e), ret);
	/* B's static entry now on port 0, A's own: filtered */
	st.port = 0;
	ASSERT_EQ(0, fdb_put(e, &k, &st));
	ASSERT_EQ(0, run(e, 0, B, A, NULL, 0, 60, &ret));
	EXPECT_EQ(v_drop(e), ret);
	EXPECT_EQ(1, counters(e).filtered);

	/* A cached behind port 0 as a destination, then it moves to 1 */
	ASSERT_EQ(0, run(e, 0, A, B, NULL, 0, 60, &ret));
	EXPECT_EQ(v_drop(e), ret);
	ASSERT_EQ(0, run(e, 1, B, A, NULL, 0, 60, &ret));
	EXPECT_EQ(v_redirect(e), ret);
	EXPECT_EQ(1, counters(e).moved);
	ASSERT_EQ(0, run(e, 0, A, B, NULL, 0, 60, &ret));
	EXPECT_EQ(v_redirect(e), ret);

	/* A deleted: its next frame learns it again at once */
	ASSERT_EQ(0, fdb_forget(e, A));
	ASSERT_EQ(0, run(e, 1, B, A, NULL, 0, 60, &ret));
	EXPECT_EQ(v_redirect(e), ret);
	ASSERT_EQ(0, fdb_get(e, A, &fe));
	EXPECT_EQ(1, fe.port);
	EXPECT_EQ(2, counters(e).learned);
}

TEST_F(br, cache_voided) { cache_voided(_metadata, &self->e); }

static void states_and_link_local(struct __test_metadata *_metadata,
				  struct env *e)
{
	struct br_port blocking = { .state = BR_BLOCKING, .pvid = 1 };
	struct br_port learning = { .state = BR_LEARNING, .pvid = 1 };
	struct br_fdb_entry fe;
	__u32 one = 1, ret;

	ASSERT_EQ(0, bpf_map_update_elem(e->brports, &one, &blocking, BPF_ANY));
	ASSERT_EQ(0, run(e, 1, A, B, NULL, 0, 60, &ret));
	EXPECT_EQ(v_drop(e), ret);
	EXPECT_EQ(-ENOENT, fdb_get(e, B, &fe));
	/* a BPDU still reaches the host */
	ASSERT_EQ(0, run(e, 1, "\x01\x80\xc2\0\0\0", B, NULL, 0, 60, &ret));
	EXPECT_EQ(v_pass(e), ret);
	EXPECT_EQ(1, counters(e).link_local);
	/* learning: learns, forwards nothing */
	ASSERT_EQ(0, bpf_map_update_elem(e->brports, &one, &learning, BPF_ANY));
	ASSERT_EQ(0, run(e, 1, A, B, NULL, 0, 60, &ret));
	EXPECT_EQ(v_drop(e), ret);
	EXPECT_EQ(0, fdb_get(e, B, &fe));
	/* and a known station behind a blocking port is not sent to */
	ASSERT_EQ(0, bpf_map_update_elem(e->brports, &one, &blocking, BPF_ANY));
	ASSERT_EQ(0, run(e, 0, B, A, NULL, 0, 60, &ret));
	EXPECT_EQ(v_drop(e), ret);
}

TEST_F(br, states_and_link_local) { states_and_link_local(_metadata, &self->e); }

static void ageing(struct __test_metadata *_metadata, struct env *e)
{
	/* the longest ageing time: B's stamp lies before boot */
	struct br_config cfg = { .ageing_ns = DP_TIMEOUT_MAX_NS };
	struct br_fdb_key k = key1(B);
	struct br_fdb_entry old = { .port = 1 }, fe;
	__u32 ret, zero = 0;

	ASSERT_EQ(0, bpf_map_update_elem(e->cfg, &zero, &cfg, BPF_ANY));
	/* B learned a second more than the ageing time ago: alive a
	 * second before that */
	old.seen_ns = dp_ago_ns(cfg.ageing_ns - 1000000000ull);
	ASSERT_EQ(0, fdb_put(e, &k, &old));
	ASSERT_EQ(0, run(e, 0, B, A, NULL, 0, 60, &ret));
	EXPECT_EQ(v_redirect(e), ret);
	/* B learned long ago: dead, forgotten, and the frame flooded */
	old.seen_ns = dp_ago_ns(cfg.ageing_ns + 1000000000ull);
	ASSERT_EQ(0, fdb_put(e, &k, &old));
	ASSERT_EQ(0, run(e, 0, B, A, NULL, 0, 60, &ret));
	EXPECT_EQ(v_flood(e), ret);
	EXPECT_EQ(-ENOENT, fdb_get(e, B, &fe));
	/* a static entry does not age */
	old.flags = BR_FDB_STATIC;
	ASSERT_EQ(0, fdb_put(e, &k, &old));
	ASSERT_EQ(0, run(e, 0, B, A, NULL, 0, 60, &ret));
	EXPECT_EQ(v_redirect(e), ret);
}

TEST_F(br, ageing) { ageing(_metadata, &self->e); }

/* dst B, src A, then @tags (TPID, TCI pairs), then IPv4 */
static size_t frame(unsigned char *f, const __u16 *tags, int ntags)
{
	size_t n = 12;
	int i;

	memset(f, 0, 64);
	memcpy(f, B, 6);
	memcpy(f + 6, A, 6);
	for (i = 0; i < ntags; i++) {
		f[n++] = tags[2 * i] >> 8;
		f[n++] = tags[2 * i] & 0xff;
		f[n++] = tags[2 * i + 1] >> 8;
		f[n++] = tags[2 * i + 1] & 0xff;
	}
	f[n++] = 0x08;
	f[n++] = 0x00;
	return 64;
}

/*
 * VLANs: port 0 is an access port of VLAN 1, port 1 a trunk of 10 and
 * 20 with native VLAN 1. Tags go on and come off on the way out; a frame
 * of a VLAN a port is not in never gets in or out.
 */
static void vlans(struct __test_metadata *_metadata, struct env *e)
{
	static const __u16 t10[] = { 0x8100, 10 }, t30[] = { 0x8100, 30 },
			   t20_10[] = { 0x88a8, 20, 0x8100, 10 },
			   prio[] = { 0x8100, 0x6000 };
	struct br_fdb_key k = {};
	struct br_fdb_entry on1 = { .port = 1, .flags = BR_FDB_STATIC };
	unsigned char in[128], out[128];
	__u32 ret, olen;

	memcpy(k.mac, B, 6);
	k.vid = 1;
	ASSERT_EQ(0, fdb_put(e, &k, &on1));
	k.vid = 10;
	ASSERT_EQ(0, fdb_put(e, &k, &on1));

	/* untagged on the access port: VLAN 1, out of the trunk untagged
	 * (its native VLAN) */
	ASSERT_EQ(0, run_out(e, 0, in, frame(in, NULL, 0), out, &olen, &ret));
	EXPECT_EQ(v_redirect(e), ret);
	EXPECT_EQ(64, olen);
	EXPECT_EQ(0x08, out[12]);
	/* a priority tag on the access port: VLAN 1 too, tag gone */
	ASSERT_EQ(0, run_out(e, 0, in, frame(in, prio, 1), out, &olen, &ret));
	EXPECT_EQ(v_redirect(e), ret);
	/* tagged 10 on the access port: not its VLAN */
	ASSERT_EQ(0, run_out(e, 0, in, frame(in, t10, 1), out, &olen, &ret));
	EXPECT_EQ(v_drop(e), ret);
	EXPECT_EQ(1, counters(e).vlan_dropped);
	/* tagged 30 on the trunk: not allowed */
	ASSERT_EQ(0, run_out(e, 1, in, frame(in, t30, 1), out, &olen, &ret));
	EXPECT_EQ(v_drop(e), ret);
	EXPECT_EQ(2, counters(e).vlan_dropped);
	/* tagged 10 on the trunk to B, known in 10 behind port 1 itself */
	ASSERT_EQ(0, run_out(e, 1, in, frame(in, t10, 1), out, &olen, &ret));
	EXPECT_EQ(v_drop(e), ret);
	EXPECT_EQ(1, counters(e).filtered);
	/* double-tagged: the outer tag (20) is the VLAN; B unknown there */
	ASSERT_EQ(0, run_out(e, 1, in, frame(in, t20_10, 2), out, &olen, &ret));
	EXPECT_EQ(v_flood(e), ret);
	EXPECT_EQ(1, counters(e).flooded);
	/* A learned per VLAN: behind port 1 in 20, still behind 0 in 1 */
	k.vid = 20;
	memcpy(k.mac, A, 6);
	ASSERT_EQ(0, bpf_map_lookup_elem(e->fdb, &k, &on1));
	EXPECT_EQ(1, on1.port);
	k.vid = 1;
	ASSERT_EQ(0, bpf_map_lookup_elem(e->fdb, &k, &on1));
	EXPECT_EQ(0, on1.port);
	/* nothing learned in VLAN 30, which port 1 refused */
	k.vid = 30;
	EXPECT_NE(0, bpf_map_lookup_elem(e->fdb, &k, &on1));
}

TEST_F(br, vlans) { vlans(_metadata, &self->e); }

/* An access port of VLAN 1 sends VLAN 10 out tagged once made a trunk. */
static void push_pop(struct __test_metadata *_metadata, struct env *e)
{
	static const __u16 t10[] = { 0x8100, 10 };
	struct br_port trunk10 = { .mode = BR_TRUNK };
	struct br_fdb_key k = { .vid = 10 };
	struct br_fdb_entry on0 = { .port = 0, .flags = BR_FDB_STATIC };
	unsigned char in[128], out[128];
	__u32 ret, olen, zero = 0;

	/* port 0 a trunk of 10 (no native); B known on port 0 in 10 */
	trunk10.allowed[0] = 1ull << 10;
	ASSERT_EQ(0, bpf_map_update_elem(e->brports, &zero, &trunk10, BPF_ANY));
	memcpy(k.mac, B, 6);
	ASSERT_EQ(0, fdb_put(e, &k, &on0));
	/* tagged 10 in by the trunk port 1, out by port 0 tagged */
	ASSERT_EQ(0, run_out(e, 1, in, frame(in, t10, 1), out, &olen, &ret));
	EXPECT_EQ(v_redirect(e), ret);
	if (!e->tc) {
		/* XDP: the tag is in the frame */
		EXPECT_EQ(64, olen);
		EXPECT_EQ(0x81, out[12]);
		EXPECT_EQ(10, out[15]);
	}
	/* untagged in by port 1 (native 1) to B known behind port 0 in
	 * VLAN 1: port 0 is no longer in VLAN 1 */
	k.vid = 1;
	ASSERT_EQ(0, fdb_put(e, &k, &on0));
	ASSERT_EQ(0, run_out(e, 1, in, frame(in, NULL, 0), out, &olen, &ret));
	EXPECT_EQ(v_drop(e), ret);
	EXPECT_EQ(1, counters(e).vlan_dropped);
}

TEST_F(br, push_pop) { push_pop(_metadata, &self->e); }

/* A tag cut short is malformed: dropped, counted. */
static void tagged(struct __test_metadata *_metadata, struct env *e)
{
	static const unsigned char cut_tag[] = { 0x81, 0x00 };
	__u32 ret;

	ASSERT_EQ(0, run(e, 1, B, A, cut_tag, sizeof(cut_tag), 16, &ret));
	EXPECT_EQ(v_drop(e), ret);
	EXPECT_EQ(1, counters(e).malformed);
}

TEST_F(br, tagged) { tagged(_metadata, &self->e); }

TEST_HARNESS_MAIN
