// SPDX-License-Identifier: GPL-2.0
/*
 * Transparent cubes in the patch panel, through BPF_PROG_TEST_RUN, in XDP
 * and TC builds. A port's entry program hands the packet to two
 * transparent programs in order (progs/chain_probe.bpf.c: they count,
 * and drop where told), each by its own next slot, then to the
 * forwarder; a drop stops the walk; an egress chain runs after the
 * forwarder and ends in the program that sends out of an interface;
 * rewiring one slot at a time gives the old list or the new; an empty
 * slot fails closed; a loop runs until the kernel's 33 tail calls, and
 * the packet is dropped and counted as tail_call_limit where the 34th
 * failed, in a standard cube or a transparent one, never as an empty
 * slot's drop.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness.h"

#include "pcn_shared.h"
#include "cube.h"
#include "forwarder.h"
#include "forwarder_xdp.skel.h"
#include "forwarder_tc.skel.h"
#include "chain_probe_xdp.skel.h"
#include "chain_probe_tc.skel.h"
#include "port_xdp.skel.h"
#include "port_tc.skel.h"

#define LO 1
/* the layout pcn would make: a cube's slots, then an entry slot */
enum { S_FWD = 4, S_A = 100, S_B = 110, S_ENTRY = 10 };
#define OUT(port) (S_FWD + 1 + (port))
#define IN_PROG(base) ((base) + PCN_DIR_INGRESS)
#define EG_PROG(base) ((base) + PCN_DIR_EGRESS)
#define NEXT_IN(base) ((base) + 2)
#define NEXT_EG(base) ((base) + 3)

static unsigned char pkt[64] = { 0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 1,
				 0x08, 0x00, 0x45 };

enum { O_A, O_B, O_FWD, O_ENTRY, O_FINALS, O_N };

struct env {
	bool tc;
	struct bpf_object *obj[O_N];
	int panel, scratch;
	int ports, actions, stats, drop[2], seen[2], limits[2];
};

static int map_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, name);

	return m ? bpf_map__fd(m) : -1;
}

static int prog_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_program *p = bpf_object__find_program_by_name(obj, name);

	return p ? bpf_program__fd(p) : -1;
}

/* Open object @i, share the panel and scratch, set its .rodata, load. */
static int load(struct env *e, int i, const void *elf, size_t sz)
{
	static const char *const var[][2] = {
		[O_A] = { "pcn_next_in", "pcn_next_eg" },
		[O_B] = { "pcn_next_in", "pcn_next_eg" },
		[O_FWD] = { "pcn_out_base", NULL },
		[O_ENTRY] = { "pcn_slot", "pcn_port" },
		[O_FINALS] = { NULL, NULL },
	};
	const __u32 val[][2] = {
		[O_A] = { NEXT_IN(S_A), NEXT_EG(S_A) },
		[O_B] = { NEXT_IN(S_B), NEXT_EG(S_B) },
		[O_FWD] = { OUT(0), 0 },
		[O_ENTRY] = { S_ENTRY, 0 },
	};
	LIBBPF_OPTS(bpf_object_open_opts, o);
	struct bpf_object *obj;
	struct bpf_map *m;
	int k;

	obj = bpf_object__open_mem(elf, sz, &o);
	if (!obj)
		return -errno;
	e->obj[i] = obj;
	m = bpf_object__find_map_by_name(obj, "pcn_patchpanel");
	if (m && e->panel > 0 && bpf_map__reuse_fd(m, e->panel))
		return -errno;
	m = bpf_object__find_map_by_name(obj, "pcn_scratch");
	if (m && e->scratch > 0 && bpf_map__reuse_fd(m, e->scratch))
		return -errno;
	for (k = 0; k < 2; k++)
		if (var[i][k] && obj_set_rodata_u32(obj, var[i][k], val[i][k]))
			return -EINVAL;
	if (i == O_ENTRY || i == O_FINALS) {
		struct bpf_program *p;

		bpf_object__for_each_program(p, obj)
			bpf_program__set_autoload(
				p, (i == O_ENTRY) ==
					   !strcmp(bpf_program__name(p),
						   "pcn_port_in"));
	}
	if (bpf_object__load(obj))
		return -errno;
	if (e->panel <= 0)
		e->panel = map_fd(obj, "pcn_patchpanel");
	if (e->scratch <= 0)
		e->scratch = map_fd(obj, "pcn_scratch");
	return 0;
}

static int put(int fd, __u32 key, const void *val)
{
	return bpf_map_update_elem(fd, &key, val, BPF_ANY) ? -errno : 0;
}

static int slot(struct env *e, __u32 s, int fd)
{
	return put(e->panel, s, &fd);
}

static int setup(struct env *e)
{
	const void *probe, *fw, *port;
	size_t sprobe, sfw, sport;
	int err, i;

	if (e->tc) {
		probe = chain_probe_tc__elf_bytes(&sprobe);
		fw = forwarder_tc__elf_bytes(&sfw);
		port = port_tc__elf_bytes(&sport);
	} else {
		probe = chain_probe_xdp__elf_bytes(&sprobe);
		fw = forwarder_xdp__elf_bytes(&sfw);
		port = port_xdp__elf_bytes(&sport);
	}
	err = load(e, O_A, probe, sprobe);
	err = err ?: load(e, O_B, probe, sprobe);
	err = err ?: load(e, O_FWD, fw, sfw);
	err = err ?: load(e, O_ENTRY, port, sport);
	err = err ?: load(e, O_FINALS, port, sport);
	if (err)
		return err;
	e->ports = map_fd(e->obj[O_FWD], "pcn_ports");
	e->actions = map_fd(e->obj[O_FWD], "fwd_actions");
	e->stats = map_fd(e->obj[O_FWD], "pcn_stats");
	for (i = 0; i < 2; i++) {
		e->drop[i] = map_fd(e->obj[i], ".bss");
		e->seen[i] = map_fd(e->obj[i], "probe_seen");
		e->limits[i] = map_fd(e->obj[i], "pcn_limits");
	}

	/* the cubes and finals in their slots; entry -> a -> b -> forwarder */
	err = slot(e, PCN_SLOT_PASS, prog_fd(e->obj[O_FINALS], "pcn_final_pass"));
	err = err ?: slot(e, PCN_SLOT_TX, prog_fd(e->obj[O_FINALS], "pcn_final_tx"));
	err = err ?: slot(e, S_FWD, prog_fd(e->obj[O_FWD], "forwarder"));
	err = err ?: slot(e, IN_PROG(S_A), prog_fd(e->obj[O_A], "probe_in"));
	err = err ?: slot(e, EG_PROG(S_A), prog_fd(e->obj[O_A], "probe_eg"));
	err = err ?: slot(e, IN_PROG(S_B), prog_fd(e->obj[O_B], "probe_in"));
	err = err ?: slot(e, EG_PROG(S_B), prog_fd(e->obj[O_B], "probe_eg"));
	err = err ?: slot(e, NEXT_IN(S_B), prog_fd(e->obj[O_FWD], "forwarder"));
	err = err ?: slot(e, NEXT_IN(S_A), prog_fd(e->obj[O_B], "probe_in"));
	err = err ?: slot(e, S_ENTRY, prog_fd(e->obj[O_A], "probe_in"));
	if (err)
		return err;
	{
		/* port 0 forwards to port 1, on an interface */
		struct pcn_port p = { .name = "p0", .peer = PCN_PEER_IFACE,
				      .ifindex = LO, .in_slot = S_ENTRY,
				      .eg_point = PCN_POINT_NONE };
		struct fwd_entry fe = { .action = FWD_FORWARD, .out_port = 1 };
		__u32 dev = LO;

		err = put(e->ports, 0, &p);
		p.name[1] = '1';
		err = err ?: put(e->ports, 1, &p);
		err = err ?: put(e->actions, 0, &fe);
		if (!err && !e->tc)
			err = put(map_fd(e->obj[O_FWD], "pcn_devmap"), 1, &dev);
	}
	return err;
}

FIXTURE(chain) {
	struct env e;
};

FIXTURE_VARIANT(chain) {
	bool tc;			/* the TC build, else the XDP one */
};

FIXTURE_VARIANT_ADD(chain, xdp) { .tc = false, };
FIXTURE_VARIANT_ADD(chain, tc) { .tc = true, };

FIXTURE_SETUP(chain)
{
	self->e.tc = variant->tc;
	ASSERT_EQ(0, setup(&self->e));
}

FIXTURE_TEARDOWN(chain)
{
	int i;

	for (i = 0; i < O_N; i++)
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
	err = bpf_prog_test_run_opts(prog_fd(e->obj[O_ENTRY], "pcn_port_in"),
				     &o);
	*ret = o.retval;
	return err ? -errno : 0;
}

/*
 * The __u64 at @off in the values of size @size at @key of per-CPU map
 * @fd, summed over the CPUs (~0 if it cannot be read).
 */
static __u64 percpu_sum(int fd, __u32 key, size_t size, size_t off)
{
	int ncpu = libbpf_num_possible_cpus(), c;
	__u8 v[ncpu * ((size + 7) & ~(size_t)7)];
	__u64 sum = 0, x;

	if (bpf_map_lookup_elem(fd, &key, v))
		return ~0ull;
	for (c = 0; c < ncpu; c++) {
		memcpy(&x, v + c * ((size + 7) & ~(size_t)7) + off, sizeof(x));
		sum += x;
	}
	return sum;
}

/* packets probe @i saw in direction @dir */
static __u64 seen(struct env *e, int i, __u32 dir)
{
	return percpu_sum(e->seen[i], dir, sizeof(__u64), 0);
}

/* probe @i's probe_drop[]: drop in direction @dir */
static int drop_in(struct env *e, int i, __u32 dir)
{
	__u32 drop[2] = {};

	drop[dir] = 1;
	return put(e->drop[i], 0, drop);
}

/* counter @field of port @port */
#define port_stat(e, port, field)                                          \
	percpu_sum((e)->stats, port, sizeof(struct pcn_port_stats),        \
		   offsetof(struct pcn_port_stats, field))

static __u64 port_rx(struct env *e, __u32 port)
{
	return port_stat(e, port, rx_packets);
}

/* probe @i's tail_call_limit in direction @dir */
static __u64 limit_of(struct env *e, int i, __u32 dir)
{
	return percpu_sum(e->limits[i], 0, sizeof(struct pcn_limit_stats),
			  offsetof(struct pcn_limit_stats,
				   tail_call_limit[dir & 1]));
}

static __u32 redirect(bool tc) { return tc ? TC_ACT_REDIRECT : XDP_REDIRECT; }
static __u32 drop(bool tc) { return tc ? TC_ACT_SHOT : XDP_DROP; }

static void in_order(struct __test_metadata *_metadata, struct env *e)
{
	__u32 ret;

	ASSERT_EQ(0, run(e, &ret));
	EXPECT_EQ(redirect(e->tc), ret);
	EXPECT_EQ(1, seen(e, O_A, PCN_DIR_INGRESS));
	EXPECT_EQ(1, seen(e, O_B, PCN_DIR_INGRESS));
	EXPECT_EQ(1, port_rx(e, 0));

	/* the first drops: the second and the forwarder never see it */
	ASSERT_EQ(0, drop_in(e, O_A, PCN_DIR_INGRESS));
	ASSERT_EQ(0, run(e, &ret));
	EXPECT_EQ(drop(e->tc), ret);
	EXPECT_EQ(2, seen(e, O_A, PCN_DIR_INGRESS));
	EXPECT_EQ(1, seen(e, O_B, PCN_DIR_INGRESS));
	EXPECT_EQ(1, port_rx(e, 0));
}

TEST_F(chain, in_order)
{
	in_order(_metadata, &self->e);
}

/*
 * Rewired the way pcn does it, the tail first and the switch last: a
 * out ([b]), then a back after b ([b, a]).
 */
static void rewire(struct __test_metadata *_metadata, struct env *e)
{
	__u32 ret;

	/* [b]: the entry slot is the switch */
	ASSERT_EQ(0, slot(e, S_ENTRY, prog_fd(e->obj[O_B], "probe_in")));
	ASSERT_EQ(0, run(e, &ret));
	EXPECT_EQ(redirect(e->tc), ret);
	EXPECT_EQ(0, seen(e, O_A, PCN_DIR_INGRESS));
	EXPECT_EQ(1, seen(e, O_B, PCN_DIR_INGRESS));

	/* [b, a]: a's next first (a is not reachable yet), then b's */
	ASSERT_EQ(0, slot(e, NEXT_IN(S_A), prog_fd(e->obj[O_FWD], "forwarder")));
	ASSERT_EQ(0, run(e, &ret));
	EXPECT_EQ(0, seen(e, O_A, PCN_DIR_INGRESS));
	ASSERT_EQ(0, slot(e, NEXT_IN(S_B), prog_fd(e->obj[O_A], "probe_in")));
	ASSERT_EQ(0, run(e, &ret));
	EXPECT_EQ(redirect(e->tc), ret);
	EXPECT_EQ(1, seen(e, O_A, PCN_DIR_INGRESS));
	EXPECT_EQ(3, seen(e, O_B, PCN_DIR_INGRESS));
	EXPECT_EQ(3, port_rx(e, 0));
}

TEST_F(chain, rewire)
{
	rewire(_metadata, &self->e);
}

/*
 * Port 1 has an egress chain [b]: the forwarder sends by its out slot,
 * b counts the packet on its way out, and the final sends it out of the
 * interface the metadata names.
 */
static void egress(struct __test_metadata *_metadata, struct env *e)
{
	struct pcn_port p1 = { .name = "p1", .peer = PCN_PEER_IFACE,
			       .ifindex = LO, .eg_chain = 1 };
	__u32 ret;

	ASSERT_EQ(0, slot(e, NEXT_EG(S_B), prog_fd(e->obj[O_FINALS], "pcn_final_tx")));
	ASSERT_EQ(0, slot(e, OUT(1), prog_fd(e->obj[O_B], "probe_eg")));
	ASSERT_EQ(0, put(e->ports, 1, &p1));
	ASSERT_EQ(0, run(e, &ret));
	EXPECT_EQ(redirect(e->tc), ret);
	EXPECT_EQ(1, seen(e, O_B, PCN_DIR_EGRESS));
	EXPECT_EQ(1, seen(e, O_B, PCN_DIR_INGRESS));

	ASSERT_EQ(0, drop_in(e, O_B, PCN_DIR_EGRESS));
	ASSERT_EQ(0, run(e, &ret));
	EXPECT_EQ(drop(e->tc), ret);
	EXPECT_EQ(2, seen(e, O_B, PCN_DIR_EGRESS));
}

TEST_F(chain, egress)
{
	egress(_metadata, &self->e);
}

/* A next slot left empty (a cube going away) drops the packet. */
static void empty_slot(struct __test_metadata *_metadata, struct env *e)
{
	__u32 key = NEXT_IN(S_B), ret;

	ASSERT_EQ(0, bpf_map_delete_elem(e->panel, &key));
	ASSERT_EQ(0, run(e, &ret));
	EXPECT_EQ(drop(e->tc), ret);
	EXPECT_EQ(1, seen(e, O_B, PCN_DIR_INGRESS));
	EXPECT_EQ(0, port_rx(e, 0));
	/* a drop, not the limit */
	EXPECT_EQ(0, limit_of(e, O_B, PCN_DIR_INGRESS));
}

TEST_F(chain, empty_slot)
{
	empty_slot(_metadata, &self->e);
}

/* port 1 of the forwarder linked to its own port 0: a loop */
static int self_link(struct env *e)
{
	struct pcn_port p1 = { .name = "p1", .peer = PCN_PEER_CUBE,
			       .peer_slot = S_FWD, .peer_port = 0,
			       .eg_point = PCN_POINT_NONE };

	return put(e->ports, 1, &p1);
}

/*
 * entry -> a -> b -> forwarder -> forwarder -> ...: the entry program
 * and 33 more run (a, b, and the forwarder 31 times), and the
 * forwarder's 34th tail call fails. The packet is dropped there and
 * counted on the port it was sent out of as tail_call_limit, not as a
 * drop; nothing is sent anywhere.
 */
static void loop_limit(struct __test_metadata *_metadata, struct env *e)
{
	__u32 ret, key = OUT(1);

	ASSERT_EQ(0, self_link(e));
	ASSERT_EQ(0, slot(e, OUT(1), prog_fd(e->obj[O_FWD], "forwarder")));
	ASSERT_EQ(0, run(e, &ret));
	EXPECT_EQ(drop(e->tc), ret);
	EXPECT_EQ(31, port_rx(e, 0));
	EXPECT_EQ(31, port_stat(e, 1, tx_packets));
	EXPECT_EQ(1, port_stat(e, 1, tail_call_limit));
	EXPECT_EQ(0, port_stat(e, 1, drop_packets));
	EXPECT_EQ(0, port_stat(e, 0, drop_packets));

	/* the same port with its slot empty: a drop, not the limit */
	ASSERT_EQ(0, bpf_map_delete_elem(e->panel, &key));
	ASSERT_EQ(0, run(e, &ret));
	EXPECT_EQ(drop(e->tc), ret);
	EXPECT_EQ(32, port_stat(e, 1, tx_packets));
	EXPECT_EQ(1, port_stat(e, 1, tail_call_limit));
	EXPECT_EQ(1, port_stat(e, 1, drop_packets));
	/* the probe ran the forwarder again, which dropped it uncounted */
	EXPECT_EQ(32, port_rx(e, 0));
	EXPECT_EQ(0, port_stat(e, 0, drop_packets));
}

TEST_F(chain, loop_limit)
{
	loop_limit(_metadata, &self->e);
}

/*
 * entry -> a -> forwarder -> a (egress) -> forwarder -> ...: a's egress
 * program makes the 34th tail call, and counts the limit.
 */
static void loop_limit_transparent(struct __test_metadata *_metadata,
				   struct env *e)
{
	__u32 ret;

	ASSERT_EQ(0, self_link(e));
	ASSERT_EQ(0, slot(e, NEXT_IN(S_A), prog_fd(e->obj[O_FWD], "forwarder")));
	ASSERT_EQ(0, slot(e, NEXT_EG(S_A), prog_fd(e->obj[O_FWD], "forwarder")));
	ASSERT_EQ(0, slot(e, OUT(1), prog_fd(e->obj[O_A], "probe_eg")));
	ASSERT_EQ(0, run(e, &ret));
	EXPECT_EQ(drop(e->tc), ret);
	/* calls 1, 3, ..., 33 into a, 2, 4, ..., 32 into the forwarder */
	EXPECT_EQ(1, seen(e, O_A, PCN_DIR_INGRESS));
	EXPECT_EQ(16, seen(e, O_A, PCN_DIR_EGRESS));
	EXPECT_EQ(16, port_rx(e, 0));
	EXPECT_EQ(1, limit_of(e, O_A, PCN_DIR_EGRESS));
	EXPECT_EQ(0, limit_of(e, O_A, PCN_DIR_INGRESS));
	EXPECT_EQ(0, port_stat(e, 1, tail_call_limit));
	EXPECT_EQ(0, port_stat(e, 1, drop_packets));
}

TEST_F(chain, loop_limit_transparent)
{
	loop_limit_transparent(_metadata, &self->e);
}

TEST_HARNESS_MAIN
