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
#include <string.h>
#include <unistd.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

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
	int prog, ports, fdb, cfg, brports, stats, scratch;
};

static int setup(struct env *e)
{
	struct pcn_port p = { .peer = PCN_PEER_IFACE, .ifindex = LO,
			      .eg_point = PCN_POINT_NONE };
	struct br_config cfg = { .ageing_ns = 300 * 1000000000ull };
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
	e->brports = bpf_map__fd(bpf_object__find_map_by_name(obj, "br_ports"));
	e->stats = bpf_map__fd(bpf_object__find_map_by_name(obj, "br_stats"));
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

FIXTURE_SETUP(br)
{
	self->e.tc = strstr(_metadata->name, "_tc") != NULL;
	ASSERT_EQ(0, setup(&self->e));
}

FIXTURE_TEARDOWN(br)
{
	if (self->e.tc)
		bridge_tc__destroy(self->e.skel);
	else
		bridge_xdp__destroy(self->e.skel);
}

/* Run a frame of @len bytes from @src to @dst as if it entered @port. */
static int run(struct env *e, __u32 port, const char *dst, const char *src,
	       const unsigned char *rest, size_t rest_len, size_t len,
	       __u32 *ret)
{
	unsigned char frame[128] = {};
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = len,
		    .repeat = 1);
	struct __sk_buff skb = {};
	int err;

	memcpy(frame, dst, 6);
	memcpy(frame + 6, src, 6);
	frame[12] = 0x88;
	frame[13] = 0xb5;
	if (rest)
		memcpy(frame + 12, rest, rest_len);
	if (e->tc) {
		skb.cb[0] = port;
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
	return err ? -errno : 0;
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
		}
	return s;
}

static int fdb_get(struct env *e, const char *mac, struct br_fdb_entry *out)
{
	struct br_fdb_key k = {};

	memcpy(k.mac, mac, 6);
	return bpf_map_lookup_elem(e->fdb, &k, out) ? -errno : 0;
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

TEST_F(br, malformed_xdp) { malformed(_metadata, &self->e); }
TEST_F(br, malformed_tc) { malformed(_metadata, &self->e); }

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

TEST_F(br, learn_and_forward_xdp) { learn_and_forward(_metadata, &self->e); }
TEST_F(br, learn_and_forward_tc) { learn_and_forward(_metadata, &self->e); }

static void states_and_link_local(struct __test_metadata *_metadata,
				  struct env *e)
{
	struct br_port blocking = { .state = BR_BLOCKING };
	struct br_port learning = { .state = BR_LEARNING };
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

TEST_F(br, states_and_link_local_xdp) { states_and_link_local(_metadata, &self->e); }
TEST_F(br, states_and_link_local_tc) { states_and_link_local(_metadata, &self->e); }

static void ageing(struct __test_metadata *_metadata, struct env *e)
{
	struct br_fdb_key k = {};
	struct br_fdb_entry old = { .port = 1, .seen_ns = 1 }, fe;
	__u32 ret;

	/* B learned long ago: dead, forgotten, and the frame flooded */
	memcpy(k.mac, B, 6);
	ASSERT_EQ(0, bpf_map_update_elem(e->fdb, &k, &old, BPF_ANY));
	ASSERT_EQ(0, run(e, 0, B, A, NULL, 0, 60, &ret));
	EXPECT_EQ(v_flood(e), ret);
	EXPECT_EQ(-ENOENT, fdb_get(e, B, &fe));
	/* a static entry does not age */
	old.flags = BR_FDB_STATIC;
	ASSERT_EQ(0, bpf_map_update_elem(e->fdb, &k, &old, BPF_ANY));
	ASSERT_EQ(0, run(e, 0, B, A, NULL, 0, 60, &ret));
	EXPECT_EQ(v_redirect(e), ret);
}

TEST_F(br, ageing_xdp) { ageing(_metadata, &self->e); }
TEST_F(br, ageing_tc) { ageing(_metadata, &self->e); }

/* Tags are payload to a VLAN-unaware bridge: bridged by MAC, unchanged. */
static void tagged(struct __test_metadata *_metadata, struct env *e)
{
	static const unsigned char one_tag[] = { 0x81, 0x00, 0x00, 0x0a,
						 0x08, 0x00 };
	static const unsigned char two_tags[] = { 0x88, 0xa8, 0x00, 0x14,
						  0x81, 0x00, 0x00, 0x0a,
						  0x08, 0x00 };
	static const unsigned char cut_tag[] = { 0x81, 0x00 };
	__u32 ret;

	ASSERT_EQ(0, run(e, 1, BCAST, B, NULL, 0, 60, &ret));
	ASSERT_EQ(0, run(e, 0, B, A, one_tag, sizeof(one_tag), 64, &ret));
	EXPECT_EQ(v_redirect(e), ret);
	ASSERT_EQ(0, run(e, 0, B, A, two_tags, sizeof(two_tags), 64, &ret));
	EXPECT_EQ(v_redirect(e), ret);
	/* a tag cut short is still a whole Ethernet header */
	ASSERT_EQ(0, run(e, 0, B, A, cut_tag, sizeof(cut_tag), 14, &ret));
	EXPECT_EQ(v_redirect(e), ret);
}

TEST_F(br, tagged_xdp) { tagged(_metadata, &self->e); }
TEST_F(br, tagged_tc) { tagged(_metadata, &self->e); }

TEST_HARNESS_MAIN
