// SPDX-License-Identifier: GPL-2.0
/*
 * The chain of transparent cubes through BPF_PROG_TEST_RUN, in XDP and TC
 * builds: a port's entry program hands the packet to two helloworld cubes
 * in order, then to the forwarder; an egress chain runs after the
 * forwarder; a drop stops the walk; and while a point is being rewired
 * (record switched, entry slot not yet) a packet follows one record from
 * start to end, never a mix.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness.h"
#include "pcn_shared.h"
#include "cube.h"
#include "forwarder.h"
#include "helloworld.h"
#include "forwarder_xdp.skel.h"
#include "forwarder_tc.skel.h"
#include "helloworld_xdp.skel.h"
#include "helloworld_tc.skel.h"
#include "port_xdp.skel.h"
#include "port_tc.skel.h"

#define LO 1
enum { S_FWD = 1, S_HWA = 2, S_HWB = 3, S_ENTRY = 10, S_EGRESS = 11 };
enum { P_IN = 5, P_EG = 6 };
enum { R_AB = 7, R_B = 8, R_EG = 9 };

static unsigned char pkt[64] = { 0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 1,
				 0x08, 0x00, 0x45 };

/* Every object of one build, sharing the netns maps of the first. */
struct env {
	bool tc;
	struct bpf_object *obj[4];	/* hw a, hw b, forwarder, entry */
	int prog[4];
	int panel, scratch, chains, points;
	int ports, actions, stats, hw_cfg[2], hw_stats[2];
};

static int map_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, name);

	return m ? bpf_map__fd(m) : -1;
}

/* Open object @i from its ELF, share the maps, set .rodata, load. */
static int load(struct env *e, int i, const void *elf, size_t sz, __u32 self)
{
	static const char *const shared[] = { "pcn_patchpanel", "pcn_scratch",
					      "pcn_chains", "pcn_points" };
	LIBBPF_OPTS(bpf_object_open_opts, o);
	int *fds[] = { &e->panel, &e->scratch, &e->chains, &e->points };
	struct bpf_object *obj;
	struct bpf_program *p;
	struct bpf_map *m;
	unsigned int k;

	obj = bpf_object__open_mem(elf, sz, &o);
	if (!obj)
		return -errno;
	e->obj[i] = obj;
	for (k = 0; k < 4; k++) {
		m = bpf_object__find_map_by_name(obj, shared[k]);
		if (m && *fds[k] > 0 && bpf_map__reuse_fd(m, *fds[k]))
			return -errno;
	}
	/* the entry program: slot, point, port; a cube: its own slot */
	if (i == 3 && (obj_set_rodata_u32(obj, "pcn_slot", S_ENTRY) ||
		       obj_set_rodata_u32(obj, "pcn_point", P_IN) ||
		       obj_set_rodata_u32(obj, "pcn_port", 0)))
		return -EINVAL;
	if (self != PCN_SLOT_NONE &&
	    obj_set_rodata_u32(obj, "pcn_self_slot", self))
		return -EINVAL;
	if (bpf_object__load(obj))
		return -errno;
	p = bpf_object__next_program(obj, NULL);
	e->prog[i] = bpf_program__fd(p);
	for (k = 0; k < 4; k++)
		if (*fds[k] <= 0)
			*fds[k] = map_fd(obj, shared[k]);
	return 0;
}

static int put(int fd, __u32 key, const void *val)
{
	return bpf_map_update_elem(fd, &key, val, BPF_ANY) ? -errno : 0;
}

static int setup(struct env *e)
{
	const void *elf[4];
	size_t sz[4];
	int err, i;

	if (e->tc) {
		elf[0] = elf[1] = helloworld_tc__elf_bytes(&sz[0]);
		sz[1] = sz[0];
		elf[2] = forwarder_tc__elf_bytes(&sz[2]);
		elf[3] = port_tc__elf_bytes(&sz[3]);
	} else {
		elf[0] = elf[1] = helloworld_xdp__elf_bytes(&sz[0]);
		sz[1] = sz[0];
		elf[2] = forwarder_xdp__elf_bytes(&sz[2]);
		elf[3] = port_xdp__elf_bytes(&sz[3]);
	}
	err = load(e, 0, elf[0], sz[0], S_HWA);
	if (!err)
		err = load(e, 1, elf[1], sz[1], S_HWB);
	if (!err)
		err = load(e, 2, elf[2], sz[2], PCN_SLOT_NONE);
	if (!err)
		err = load(e, 3, elf[3], sz[3], PCN_SLOT_NONE);
	if (err)
		return err;
	e->ports = map_fd(e->obj[2], "pcn_ports");
	e->actions = map_fd(e->obj[2], "fwd_actions");
	e->stats = map_fd(e->obj[2], "pcn_stats");
	for (i = 0; i < 2; i++) {
		e->hw_cfg[i] = map_fd(e->obj[i], "hw_config");
		e->hw_stats[i] = map_fd(e->obj[i], "hw_stats");
	}

	/* the patch panel: each cube in its slot, the entry slot -> hw a */
	err = put(e->panel, S_FWD, &e->prog[2]);
	err = err ?: put(e->panel, S_HWA, &e->prog[0]);
	err = err ?: put(e->panel, S_HWB, &e->prog[1]);
	err = err ?: put(e->panel, S_ENTRY, &e->prog[0]);
	err = err ?: put(e->panel, S_EGRESS, &e->prog[1]);
	if (err)
		return err;
	{
		/* port 0 (ingress chain at point P_IN) forwards to port 1 */
		struct pcn_port p0 = { .name = "p0", .peer = PCN_PEER_IFACE,
				       .ifindex = LO, .in_slot = S_ENTRY,
				       .in_point = P_IN,
				       .eg_slot = PCN_SLOT_NONE,
				       .eg_point = PCN_POINT_NONE };
		struct pcn_port p1 = p0;
		struct fwd_entry fe = { .action = FWD_FORWARD, .out_port = 1 };
		struct pcn_point pin = { .rec = R_AB, .kind = PCN_POINT_PORT,
					 .entry_slot = S_ENTRY };
		struct pcn_chain ab = {
			.n = 2, .dir = PCN_DIR_INGRESS, .final = PCN_FINAL_CUBE,
			.final_slot = S_FWD, .final_port = 0,
			.final_point = P_IN, .hops = { S_HWA, S_HWB },
		};
		struct pcn_chain b = ab;
		__u32 dev = LO;

		p1.name[1] = '1';
		b.n = 1;
		b.hops[0] = S_HWB;
		b.hops[1] = 0;
		err = put(e->ports, 0, &p0);
		err = err ?: put(e->ports, 1, &p1);
		err = err ?: put(e->actions, 0, &fe);
		err = err ?: put(e->points, P_IN, &pin);
		err = err ?: put(e->chains, R_AB, &ab);
		err = err ?: put(e->chains, R_B, &b);
		if (!err && !e->tc)
			err = put(map_fd(e->obj[2], "pcn_devmap"), 1, &dev);
	}
	return err;
}

FIXTURE(chain) {
	struct env e;
};

FIXTURE_SETUP(chain)
{
	self->e.tc = strstr(_metadata->name, "_tc") != NULL;
	ASSERT_EQ(0, setup(&self->e));
}

FIXTURE_TEARDOWN(chain)
{
	int i;

	for (i = 0; i < 4; i++)
		bpf_object__close(self->e.obj[i]);
}

static int run(struct env *e, __u32 *ret)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt,
		    .data_size_in = sizeof(pkt), .repeat = 1);
	struct __sk_buff skb = {};
	int err;

	if (e->tc) {
		o.ctx_in = &skb;
		o.ctx_size_in = sizeof(skb);
	}
	err = bpf_prog_test_run_opts(e->prog[3], &o);
	*ret = o.retval;
	return err ? -errno : 0;
}

/* packets counted by helloworld @i in direction @dir */
static __u64 hw_count(struct env *e, int i, __u32 dir)
{
	int ncpu = libbpf_num_possible_cpus(), c;
	struct hw_stats v[ncpu];
	__u64 sum = 0;

	if (bpf_map_lookup_elem(e->hw_stats[i], &dir, v))
		return ~0ull;
	for (c = 0; c < ncpu; c++)
		sum += v[c].packets;
	return sum;
}

static __u64 port_rx(struct env *e, __u32 port)
{
	int ncpu = libbpf_num_possible_cpus(), c;
	struct pcn_port_stats v[ncpu];
	__u64 sum = 0;

	if (bpf_map_lookup_elem(e->stats, &port, v))
		return ~0ull;
	for (c = 0; c < ncpu; c++)
		sum += v[c].rx_packets;
	return sum;
}

static __u32 redirect(bool tc) { return tc ? TC_ACT_REDIRECT : XDP_REDIRECT; }
static __u32 drop(bool tc) { return tc ? TC_ACT_SHOT : XDP_DROP; }

static void in_order(struct __test_metadata *_metadata, struct env *e)
{
	struct hw_config dropping = { .action = { HW_DROP, HW_PASS } };
	struct hw_config passing = {};
	__u32 ret;

	ASSERT_EQ(0, run(e, &ret));
	EXPECT_EQ(redirect(e->tc), ret);
	EXPECT_EQ(1, hw_count(e, 0, PCN_DIR_INGRESS));
	EXPECT_EQ(1, hw_count(e, 1, PCN_DIR_INGRESS));
	EXPECT_EQ(1, port_rx(e, 0));

	/* the first drops: the second and the forwarder never see it */
	ASSERT_EQ(0, put(e->hw_cfg[0], 0, &dropping));
	ASSERT_EQ(0, run(e, &ret));
	EXPECT_EQ(drop(e->tc), ret);
	EXPECT_EQ(2, hw_count(e, 0, PCN_DIR_INGRESS));
	EXPECT_EQ(1, hw_count(e, 1, PCN_DIR_INGRESS));
	EXPECT_EQ(1, port_rx(e, 0));
	ASSERT_EQ(0, put(e->hw_cfg[0], 0, &passing));
}

TEST_F(chain, in_order_xdp)
{
	in_order(_metadata, &self->e);
}

TEST_F(chain, in_order_tc)
{
	in_order(_metadata, &self->e);
}

/*
 * The point switched to [b] while the entry slot still holds a: a hands
 * the packet to b untouched. And switched back to [a, b] while the slot
 * holds b: b hands it to a, then it walks a, b in order.
 */
static void mid_rewire(struct __test_metadata *_metadata, struct env *e)
{
	struct pcn_point pt = { .rec = R_B, .kind = PCN_POINT_PORT,
				.entry_slot = S_ENTRY };
	__u32 ret;

	ASSERT_EQ(0, put(e->points, P_IN, &pt));
	ASSERT_EQ(0, run(e, &ret));
	EXPECT_EQ(redirect(e->tc), ret);
	EXPECT_EQ(0, hw_count(e, 0, PCN_DIR_INGRESS));
	EXPECT_EQ(1, hw_count(e, 1, PCN_DIR_INGRESS));

	pt.rec = R_AB;
	ASSERT_EQ(0, put(e->points, P_IN, &pt));
	ASSERT_EQ(0, put(e->panel, S_ENTRY, &e->prog[1]));
	ASSERT_EQ(0, run(e, &ret));
	EXPECT_EQ(redirect(e->tc), ret);
	EXPECT_EQ(1, hw_count(e, 0, PCN_DIR_INGRESS));
	EXPECT_EQ(2, hw_count(e, 1, PCN_DIR_INGRESS));
	EXPECT_EQ(2, port_rx(e, 0));
}

TEST_F(chain, mid_rewire_xdp)
{
	mid_rewire(_metadata, &self->e);
}

TEST_F(chain, mid_rewire_tc)
{
	mid_rewire(_metadata, &self->e);
}

/* The forwarder's port 1 has an egress chain [b] ending at the interface. */
static void egress(struct __test_metadata *_metadata, struct env *e)
{
	struct pcn_port p1 = { .name = "p1", .peer = PCN_PEER_IFACE,
			       .ifindex = LO, .eg_slot = S_EGRESS,
			       .eg_point = P_EG };
	struct pcn_point pt = { .rec = R_EG, .kind = PCN_POINT_PORT,
				.dir = PCN_DIR_EGRESS,
				.entry_slot = S_EGRESS };
	struct pcn_chain ch = { .n = 1, .dir = PCN_DIR_EGRESS,
				.final = PCN_FINAL_IFACE, .final_ifindex = LO,
				.hops = { S_HWB } };
	struct hw_config eg_drop = { .action = { HW_PASS, HW_DROP } };
	__u32 ret;

	ASSERT_EQ(0, put(e->chains, R_EG, &ch));
	ASSERT_EQ(0, put(e->points, P_EG, &pt));
	ASSERT_EQ(0, put(e->ports, 1, &p1));
	ASSERT_EQ(0, run(e, &ret));
	EXPECT_EQ(redirect(e->tc), ret);
	EXPECT_EQ(1, hw_count(e, 1, PCN_DIR_EGRESS));
	EXPECT_EQ(1, hw_count(e, 1, PCN_DIR_INGRESS));

	ASSERT_EQ(0, put(e->hw_cfg[1], 0, &eg_drop));
	ASSERT_EQ(0, run(e, &ret));
	EXPECT_EQ(drop(e->tc), ret);
	EXPECT_EQ(2, hw_count(e, 1, PCN_DIR_EGRESS));
}

TEST_F(chain, egress_xdp)
{
	egress(_metadata, &self->e);
}

TEST_F(chain, egress_tc)
{
	egress(_metadata, &self->e);
}

/* A point whose record is missing or broken drops (fails closed). */
static void broken(struct __test_metadata *_metadata, struct env *e)
{
	struct pcn_point pt = { .rec = PCN_REC_NONE, .kind = PCN_POINT_PORT,
				.entry_slot = S_ENTRY };
	struct pcn_chain bad = { .n = 200, .hops = { S_HWB } };
	__u32 ret;

	ASSERT_EQ(0, put(e->points, P_IN, &pt));
	ASSERT_EQ(0, run(e, &ret));
	EXPECT_EQ(drop(e->tc), ret);
	pt.rec = R_B;
	ASSERT_EQ(0, put(e->chains, R_B, &bad));
	ASSERT_EQ(0, put(e->points, P_IN, &pt));
	ASSERT_EQ(0, run(e, &ret));
	EXPECT_EQ(drop(e->tc), ret);
	EXPECT_EQ(0, port_rx(e, 0));
}

TEST_F(chain, broken_record_xdp)
{
	broken(_metadata, &self->e);
}

TEST_F(chain, broken_record_tc)
{
	broken(_metadata, &self->e);
}

TEST_HARNESS_MAIN
