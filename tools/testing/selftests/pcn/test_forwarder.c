// SPDX-License-Identifier: GPL-2.0
/*
 * The forwarder datapath and the metadata hand-off, through
 * BPF_PROG_TEST_RUN: every action, the counters, a port entry program
 * tail-calling its cube, and one cube handing a packet to another, in XDP
 * and in TC builds of the same source.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness.h"
#include "pcn_shared.h"
#include "forwarder.h"
#include "forwarder_xdp.skel.h"
#include "forwarder_tc.skel.h"
#include "port_xdp.skel.h"
#include "port_tc.skel.h"

#define LO_IFINDEX 1

/* A 64-byte UDP/IPv4 frame; the forwarder does not parse it. */
static unsigned char pkt[64] = {
	0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00,
	0x45, 0, 0, 50, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
	0x30, 0x39, 0x00, 0x35, 0, 30, 0, 0,
};

/* The two builds, behind one set of fds. */
struct cube {
	void *skel;
	int prog_fd;
	int ports_fd, stats_fd, actions_fd, devmap_fd;
	int panel_fd, scratch_fd, chains_fd;
};

FIXTURE(fwd) {
	bool tc;
	struct cube a, b;	/* two forwarders sharing a patch panel */
};

static int cube_open_xdp(struct cube *c, int panel_fd, int scratch_fd)
{
	struct forwarder_xdp *s = forwarder_xdp__open();

	if (!s)
		return -errno;
	c->skel = s;
	/* cube a's ports lead out by slots 100.., cube b's by 200.. */
	s->rodata->pcn_out_base = panel_fd >= 0 ? 200 : 100;
	if (panel_fd >= 0 &&
	    (bpf_map__reuse_fd(s->maps.pcn_patchpanel, panel_fd) ||
	     bpf_map__reuse_fd(s->maps.pcn_scratch, scratch_fd)))
		return -errno;
	if (forwarder_xdp__load(s))
		return -errno;
	c->prog_fd = bpf_program__fd(s->progs.forwarder);
	c->ports_fd = bpf_map__fd(s->maps.pcn_ports);
	c->stats_fd = bpf_map__fd(s->maps.pcn_stats);
	c->actions_fd = bpf_map__fd(s->maps.fwd_actions);
	c->devmap_fd = bpf_map__fd(s->maps.pcn_devmap);
	c->panel_fd = bpf_map__fd(s->maps.pcn_patchpanel);
	c->scratch_fd = bpf_map__fd(s->maps.pcn_scratch);
	return 0;
}

static int cube_open_tc(struct cube *c, int panel_fd)
{
	struct forwarder_tc *s = forwarder_tc__open();

	if (!s)
		return -errno;
	c->skel = s;
	s->rodata->pcn_out_base = panel_fd >= 0 ? 200 : 100;
	if (panel_fd >= 0 && bpf_map__reuse_fd(s->maps.pcn_patchpanel, panel_fd))
		return -errno;
	if (forwarder_tc__load(s))
		return -errno;
	c->prog_fd = bpf_program__fd(s->progs.forwarder);
	c->ports_fd = bpf_map__fd(s->maps.pcn_ports);
	c->stats_fd = bpf_map__fd(s->maps.pcn_stats);
	c->actions_fd = bpf_map__fd(s->maps.fwd_actions);
	c->devmap_fd = -1;
	c->panel_fd = bpf_map__fd(s->maps.pcn_patchpanel);
	c->scratch_fd = -1;
	return 0;
}

static void cube_close(struct cube *c, bool tc)
{
	if (!c->skel)
		return;
	if (tc)
		forwarder_tc__destroy(c->skel);
	else
		forwarder_xdp__destroy(c->skel);
	c->skel = NULL;
}

static int fixture_open(bool tc, struct cube *a, struct cube *b)
{
	int err;

	err = tc ? cube_open_tc(a, -1) : cube_open_xdp(a, -1, -1);
	if (!err)
		err = tc ? cube_open_tc(b, a->panel_fd)
			 : cube_open_xdp(b, a->panel_fd, a->scratch_fd);
	return err;
}

FIXTURE_VARIANT(fwd) {
	bool tc;			/* the TC build, else the XDP one */
};

FIXTURE_VARIANT_ADD(fwd, xdp) { .tc = false, };
FIXTURE_VARIANT_ADD(fwd, tc) { .tc = true, };

FIXTURE_SETUP(fwd)
{
	self->tc = variant->tc;
	ASSERT_EQ(0, fixture_open(self->tc, &self->a, &self->b));
}

FIXTURE_TEARDOWN(fwd)
{
	cube_close(&self->a, self->tc);
	cube_close(&self->b, self->tc);
}

static int set_port(struct cube *c, __u32 idx, __u32 peer, __u32 ifindex,
		    __u32 peer_slot, __u32 peer_port)
{
	struct pcn_port p = {
		.peer = peer,
		.ifindex = ifindex,
		.peer_slot = peer_slot,
		.peer_port = peer_port,
		.eg_point = PCN_POINT_NONE,
	};

	snprintf(p.name, sizeof(p.name), "p%u", idx);
	if (bpf_map_update_elem(c->ports_fd, &idx, &p, BPF_ANY))
		return -errno;
	if (peer == PCN_PEER_IFACE && c->devmap_fd >= 0 &&
	    bpf_map_update_elem(c->devmap_fd, &idx, &ifindex, BPF_ANY))
		return -errno;
	return 0;
}

static int set_action(struct cube *c, __u32 idx, __u32 action, __u32 out)
{
	struct fwd_entry e = { .action = action, .out_port = out };

	return bpf_map_update_elem(c->actions_fd, &idx, &e, BPF_ANY) ? -errno : 0;
}

static struct pcn_port_stats stats(struct cube *c, __u32 idx)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	struct pcn_port_stats v[ncpu], sum = {};

	if (bpf_map_lookup_elem(c->stats_fd, &idx, v))
		return sum;
	for (i = 0; i < ncpu; i++) {
		sum.rx_packets += v[i].rx_packets;
		sum.rx_bytes += v[i].rx_bytes;
		sum.tx_packets += v[i].tx_packets;
		sum.tx_bytes += v[i].tx_bytes;
		sum.drop_packets += v[i].drop_packets;
		sum.pass_packets += v[i].pass_packets;
		sum.tail_call_limit += v[i].tail_call_limit;
	}
	return sum;
}

/* Run @prog_fd on the frame as if it entered port @in_port. */
static int run(bool tc, struct cube *c, int prog_fd, __u32 in_port,
	       __u32 *retval)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt,
		    .data_size_in = sizeof(pkt), .repeat = 1);
	struct __sk_buff skb = {};
	int err;

	if (tc) {
		skb.cb[0] = in_port;
		opts.ctx_in = &skb;
		opts.ctx_size_in = sizeof(skb);
	} else {
		int ncpu = libbpf_num_possible_cpus(), i;
		struct pcn_md md[ncpu];
		__u32 zero = 0;

		for (i = 0; i < ncpu; i++)
			md[i] = (struct pcn_md){ .in_port = in_port };
		if (bpf_map_update_elem(c->scratch_fd, &zero, md, BPF_ANY))
			return -errno;
	}
	err = bpf_prog_test_run_opts(prog_fd, &opts);
	*retval = opts.retval;
	return err ? -errno : 0;
}

static __u32 v_pass(bool tc) { return tc ? TC_ACT_OK : XDP_PASS; }
static __u32 v_drop(bool tc) { return tc ? TC_ACT_SHOT : XDP_DROP; }
static __u32 v_redirect(bool tc) { return tc ? TC_ACT_REDIRECT : XDP_REDIRECT; }

static void check_actions(struct __test_metadata *_metadata, bool tc,
			  struct cube *a)
{
	struct pcn_port_stats st;
	__u32 ret;

	ASSERT_EQ(0, set_port(a, 0, PCN_PEER_IFACE, LO_IFINDEX, 0, 0));
	ASSERT_EQ(0, set_port(a, 1, PCN_PEER_IFACE, LO_IFINDEX, 0, 0));
	ASSERT_EQ(0, set_port(a, 2, PCN_PEER_NONE, 0, 0, 0));

	/* a new port passes to the host */
	ASSERT_EQ(0, run(tc, a, a->prog_fd, 0, &ret));
	EXPECT_EQ(v_pass(tc), ret);
	st = stats(a, 0);
	EXPECT_EQ(1, st.rx_packets);
	EXPECT_EQ(sizeof(pkt), st.rx_bytes);
	EXPECT_EQ(1, st.pass_packets);

	ASSERT_EQ(0, set_action(a, 0, FWD_DROP, 0));
	ASSERT_EQ(0, run(tc, a, a->prog_fd, 0, &ret));
	EXPECT_EQ(v_drop(tc), ret);
	EXPECT_EQ(1, stats(a, 0).drop_packets);

	ASSERT_EQ(0, set_action(a, 0, FWD_FORWARD, 1));
	ASSERT_EQ(0, run(tc, a, a->prog_fd, 0, &ret));
	EXPECT_EQ(v_redirect(tc), ret);
	st = stats(a, 1);
	EXPECT_EQ(1, st.tx_packets);
	EXPECT_EQ(sizeof(pkt), st.tx_bytes);
	EXPECT_EQ(0, st.rx_packets);
	EXPECT_EQ(3, stats(a, 0).rx_packets);

	/* out of a port that leads nowhere: dropped, counted there */
	ASSERT_EQ(0, set_action(a, 0, FWD_FORWARD, 2));
	ASSERT_EQ(0, run(tc, a, a->prog_fd, 0, &ret));
	EXPECT_EQ(v_drop(tc), ret);
	EXPECT_EQ(1, stats(a, 2).drop_packets);

	/* an action naming a port beyond the table */
	ASSERT_EQ(0, set_action(a, 0, FWD_FORWARD, PCN_MAX_PORTS + 3));
	ASSERT_EQ(0, run(tc, a, a->prog_fd, 0, &ret));
	EXPECT_EQ(v_drop(tc), ret);

	/* an unknown action value fails closed */
	ASSERT_EQ(0, set_action(a, 0, 77, 0));
	ASSERT_EQ(0, run(tc, a, a->prog_fd, 0, &ret));
	EXPECT_EQ(v_drop(tc), ret);

	/* metadata naming a port beyond the table: dropped, nothing counted */
	st = stats(a, 0);
	ASSERT_EQ(0, run(tc, a, a->prog_fd, PCN_MAX_PORTS + 5, &ret));
	EXPECT_EQ(v_drop(tc), ret);
	EXPECT_EQ(st.rx_packets, stats(a, 0).rx_packets);
}

TEST_F(fwd, actions)
{
	check_actions(_metadata, self->tc, &self->a);
}

/*
 * A port's entry program, specialised by .rodata, tail-calls its cube
 * with the ingress port in the metadata.
 */
static int port_prog(bool tc, int panel_fd, int scratch_fd, __u32 slot,
		     __u32 port, void **skel)
{
	if (tc) {
		struct port_tc *s = port_tc__open();

		if (!s)
			return -errno;
		*skel = s;
		s->rodata->pcn_slot = slot;
		s->rodata->pcn_port = port;
		bpf_program__set_autoload(s->progs.pcn_final_pass, false);
		bpf_program__set_autoload(s->progs.pcn_final_tx, false);
		if (bpf_map__reuse_fd(s->maps.pcn_patchpanel, panel_fd) ||
		    port_tc__load(s))
			return -errno;
		return bpf_program__fd(s->progs.pcn_port_in);
	} else {
		struct port_xdp *s = port_xdp__open();

		if (!s)
			return -errno;
		*skel = s;
		s->rodata->pcn_slot = slot;
		s->rodata->pcn_port = port;
		bpf_program__set_autoload(s->progs.pcn_final_pass, false);
		bpf_program__set_autoload(s->progs.pcn_final_tx, false);
		if (bpf_map__reuse_fd(s->maps.pcn_patchpanel, panel_fd) ||
		    bpf_map__reuse_fd(s->maps.pcn_scratch, scratch_fd) ||
		    port_xdp__load(s))
			return -errno;
		return bpf_program__fd(s->progs.pcn_port_in);
	}
}

static void port_prog_close(bool tc, void *skel)
{
	if (tc)
		port_tc__destroy(skel);
	else
		port_xdp__destroy(skel);
}

static void check_port_entry(struct __test_metadata *_metadata, bool tc,
			     struct cube *a)
{
	void *skel = NULL, *skel_empty = NULL;
	__u32 slot = 3, ret;
	int fd, fd_empty;

	ASSERT_EQ(0, set_port(a, 2, PCN_PEER_IFACE, LO_IFINDEX, 0, 0));
	ASSERT_EQ(0, set_port(a, 5, PCN_PEER_IFACE, LO_IFINDEX, 0, 0));
	ASSERT_EQ(0, set_action(a, 2, FWD_FORWARD, 5));
	ASSERT_EQ(0, bpf_map_update_elem(a->panel_fd, &slot, &a->prog_fd,
					 BPF_ANY));

	fd = port_prog(tc, a->panel_fd, a->scratch_fd, slot, 2, &skel);
	ASSERT_GE(fd, 0);
	/* stale metadata must not matter: the entry program writes it */
	ASSERT_EQ(0, run(tc, a, fd, 9, &ret));
	EXPECT_EQ(v_redirect(tc), ret);
	EXPECT_EQ(1, stats(a, 2).rx_packets);
	EXPECT_EQ(1, stats(a, 5).tx_packets);
	EXPECT_EQ(0, stats(a, 9).rx_packets);

	/* an entry program whose cube left its slot drops */
	fd_empty = port_prog(tc, a->panel_fd, a->scratch_fd, slot + 1, 2,
			     &skel_empty);
	ASSERT_GE(fd_empty, 0);
	ASSERT_EQ(0, run(tc, a, fd_empty, 2, &ret));
	EXPECT_EQ(v_drop(tc), ret);
	EXPECT_EQ(1, stats(a, 2).rx_packets);

	port_prog_close(tc, skel);
	port_prog_close(tc, skel_empty);
}

TEST_F(fwd, port_entry)
{
	check_port_entry(_metadata, self->tc, &self->a);
}

/*
 * Cube a's port 1 is the peer of cube b's port 4: a's way out of port 1,
 * slot out_base + 1, holds b. As pcn lays a cube out, a's own program
 * is in the slot before its out slots (a failed tail call probes it).
 */
static void check_cube_to_cube(struct __test_metadata *_metadata, bool tc,
			       struct cube *a, struct cube *b)
{
	__u32 slot_a = 100 - 1, slot_b = 100 + 1, ret;

	ASSERT_EQ(0, bpf_map_update_elem(a->panel_fd, &slot_a, &a->prog_fd,
					 BPF_ANY));
	ASSERT_EQ(0, bpf_map_update_elem(a->panel_fd, &slot_b, &b->prog_fd,
					 BPF_ANY));
	ASSERT_EQ(0, set_port(a, 0, PCN_PEER_IFACE, LO_IFINDEX, 0, 0));
	ASSERT_EQ(0, set_port(a, 1, PCN_PEER_CUBE, 0, slot_b, 4));
	ASSERT_EQ(0, set_port(b, 4, PCN_PEER_CUBE, 0, 0, 1));
	ASSERT_EQ(0, set_port(b, 6, PCN_PEER_IFACE, LO_IFINDEX, 0, 0));
	ASSERT_EQ(0, set_action(a, 0, FWD_FORWARD, 1));
	ASSERT_EQ(0, set_action(b, 4, FWD_FORWARD, 6));

	ASSERT_EQ(0, run(tc, a, a->prog_fd, 0, &ret));
	EXPECT_EQ(v_redirect(tc), ret);
	EXPECT_EQ(1, stats(a, 1).tx_packets);
	EXPECT_EQ(1, stats(b, 4).rx_packets);
	EXPECT_EQ(1, stats(b, 6).tx_packets);

	/* nothing in the slot any more: dropped, counted at a's port, and
	 * not as the tail-call limit */
	ASSERT_EQ(0, bpf_map_delete_elem(a->panel_fd, &slot_b));
	ASSERT_EQ(0, run(tc, a, a->prog_fd, 0, &ret));
	EXPECT_EQ(v_drop(tc), ret);
	EXPECT_EQ(1, stats(a, 1).drop_packets);
	EXPECT_EQ(0, stats(a, 1).tail_call_limit);
	EXPECT_EQ(1, stats(b, 4).rx_packets);
}

TEST_F(fwd, cube_to_cube)
{
	check_cube_to_cube(_metadata, self->tc, &self->a, &self->b);
}

TEST_HARNESS_MAIN
