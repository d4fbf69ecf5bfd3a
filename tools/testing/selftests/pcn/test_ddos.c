// SPDX-License-Identifier: GPL-2.0
/*
 * The ddos datapath through BPF_PROG_TEST_RUN, XDP and TC builds of the
 * same source. The lists are written into the cube's maps as pcn writes
 * them (set = gen * 2 + side, bpf/ddos.h); what the cube passes goes to
 * pcn_final_pass in its next slot, so a packet that gets through comes
 * back as the build's pass verdict, a dropped one as its drop.
 *
 *   ipv4, ipv6        exact addresses and prefixes, source and
 *                     destination: a match drops, counted on the entry
 *                     the longest prefix gives; the families apart
 *   vlan              one and two tags looked through; three: malformed
 *   fragments         a later fragment carries the addresses: matched
 *   truncated         headers cut short or wrong: dropped, malformed
 *   non_ip            passes
 *   generations       entries of the generation not in use see nothing
 *                     until the switch
 *   rate              a burst passes, then the source is limited; an
 *                     other source is not
 *   limits            the limit of a protocol's ports before the
 *                     protocol's own; a later fragment, without ports,
 *                     takes the protocol's; IPv6 alike; other protocols
 *                     untouched; a UDP header cut short is malformed
 *   synproxy          a SYN to a protected port is answered (a redirect back
 *                     out of its device) with a SYN-ACK checked field by
 *                     field: addresses and ports swapped, the tags
 *                     kept, ack = seq + 1, window 0, the options as
 *                     documented, the checksums against a full
 *                     recomputation; its cookie in an ACK passes, and
 *                     the connection's next packets too; a bad cookie,
 *                     an RST of no connection, a SYN-ACK are dropped;
 *                     a TCP header cut short is malformed; other ports
 *                     pass; IPv4 and IPv6, 0 to 2 VLAN tags
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf_test.h"
#include "harness.h"
#include "pcn_shared.h"
#include "cube.h"
#include "ddos.h"
#include "ddos_xdp.skel.h"
#include "ddos_tc.skel.h"
#include "port_xdp.skel.h"
#include "port_tc.skel.h"

#define L3 ETH_HLEN

struct env {
	bool tc;
	struct bpf_object *dm, *port;
	int prog;			/* ddos_in */
	int state, lpm4, lpm6, hits, stats;
	struct ddos_state st;
	__u32 pass, drop;
};

struct frame {
	__u32 len;
	unsigned char b[256];
};

static int state_write(struct env *e)
{
	__u32 zero = 0;

	return bpf_map_update_elem(e->state, &zero, &e->st, BPF_ANY) ? -errno : 0;
}

/* the cube, its next slot on pcn_final_pass, in a patch panel of its own */
static int setup(struct env *e)
{
	const void *dm_elf, *port_elf;
	size_t dm_size, port_size;
	__u32 slot = PCN_SLOT_PASS;
	int err;

	if (e->tc) {
		dm_elf = ddos_tc__elf_bytes(&dm_size);
		port_elf = port_tc__elf_bytes(&port_size);
		e->pass = TC_ACT_OK;
		e->drop = TC_ACT_SHOT;
	} else {
		dm_elf = ddos_xdp__elf_bytes(&dm_size);
		port_elf = port_xdp__elf_bytes(&port_size);
		e->pass = XDP_PASS;
		e->drop = XDP_DROP;
	}
	e->dm = bpf_object__open_mem(dm_elf, dm_size, NULL);
	if (!e->dm)
		return -errno;
	err = obj_set_rodata_u32(e->dm, "pcn_next_in", slot) ?:
	      obj_set_rodata_u32(e->dm, "pcn_next_eg", slot);
	if (err)
		return err;
	if (bpf_object__load(e->dm))
		return -errno;
	if (final_pass_load(e->dm, port_elf, port_size, slot, &e->port))
		return -errno;
	e->prog = prog_fd(e->dm, "ddos_in");
	e->state = map_fd(e->dm, "ddos_state");
	e->lpm4 = map_fd(e->dm, "ddos_lpm4");
	e->lpm6 = map_fd(e->dm, "ddos_lpm6");
	e->hits = map_fd(e->dm, "ddos_hits");
	e->stats = map_fd(e->dm, "ddos_stats");
	e->st = (struct ddos_state){ .spare_ok = 1, .plen4 = 32, .plen6 = 128 };
	return state_write(e);
}

/* entry "ADDR/LEN" of side @side in generation @gen, id @id */
static int entry_add(struct env *e, __u32 gen, __u32 side, const char *text,
		     __u32 id)
{
	char addr[64], *slash;
	struct ddos_lpm4_key k4 = { .set = gen * 2 + side };
	struct ddos_lpm6_key k6 = { .set = gen * 2 + side };
	unsigned int plen;
	int family;

	snprintf(addr, sizeof(addr), "%s", text);
	slash = strchr(addr, '/');
	*slash = 0;
	plen = atoi(slash + 1);
	family = strchr(addr, ':') ? 6 : 4;
	if (family == 4) {
		if (inet_pton(AF_INET, addr, k4.addr) != 1)
			return -EINVAL;
		k4.prefixlen = 8 + plen;
		if (bpf_map_update_elem(e->lpm4, &k4, &id, BPF_ANY))
			return -errno;
	} else {
		if (inet_pton(AF_INET6, addr, k6.addr) != 1)
			return -EINVAL;
		k6.prefixlen = 8 + plen;
		if (bpf_map_update_elem(e->lpm6, &k6, &id, BPF_ANY))
			return -errno;
	}
	e->st.nonempty[gen] |= DDOS_HAS(family, side);
	return state_write(e);
}

static unsigned char *put16(unsigned char *c, __u16 v)
{
	c[0] = v >> 8;
	c[1] = v;
	return c + 2;
}

/*
 * An Ethernet frame with @ntags VLAN tags and a UDP datagram from @src
 * to @dst (one family), @frag_off bytes into its packet (0: first).
 */
static void frame_build(struct frame *f, const char *src, const char *dst,
			int ntags, __u16 frag_off)
{
	unsigned char *c = f->b;
	int i, v6 = !!strchr(src, ':');

	memset(f, 0, sizeof(*f));
	memcpy(c, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01", 12);
	c += 12;
	for (i = 0; i < ntags; i++) {
		c = put16(c, i ? ETH_P_8021Q : ETH_P_8021AD);
		c = put16(c, 10 + i);
	}
	c = put16(c, v6 ? ETH_P_IPV6 : ETH_P_IP);
	/* built aside and copied in: the headers are not aligned there */
	if (!v6) {
		struct iphdr ip = {};

		ip.version = 4;
		ip.ihl = 5;
		ip.ttl = 64;
		ip.protocol = IPPROTO_UDP;
		ip.tot_len = htons(20 + 8 + 18);
		ip.frag_off = htons(frag_off / 8);
		inet_pton(AF_INET, src, &ip.saddr);
		inet_pton(AF_INET, dst, &ip.daddr);
		memcpy(c, &ip, sizeof(ip));
		c += 20;
	} else {
		struct ipv6hdr ip6 = {};

		ip6.version = 6;
		ip6.nexthdr = IPPROTO_UDP;
		ip6.hop_limit = 64;
		ip6.payload_len = htons(8 + 18);
		inet_pton(AF_INET6, src, &ip6.saddr);
		inet_pton(AF_INET6, dst, &ip6.daddr);
		memcpy(c, &ip6, sizeof(ip6));
		c += 40;
	}
	c = put16(c, 1000);
	c = put16(c, 53);
	c = put16(c, 8 + 18);
	c += 2 + 18;
	f->len = c - f->b;
}

static int run(struct env *e, const struct frame *f)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f->b,
		    .data_size_in = f->len, .repeat = 1);

	if (bpf_prog_test_run_opts(e->prog, &o))
		return -errno;
	return o.retval;
}

static struct ddos_stats stats(struct env *e)
{
	struct ddos_stats s;

	percpu_sum(e->stats, PCN_DIR_INGRESS, &s, sizeof(s));
	return s;
}

static __u64 hits(struct env *e, __u32 id)
{
	struct ddos_hit h = {};

	bpf_map_lookup_elem(e->hits, &id, &h);
	return h.packets;
}

/*
 * Linux will not test-run in TC an IP frame shorter than its fixed
 * header (XDP runs those): is @ret that refusal?
 */
static bool tc_refused(const struct env *e, const struct frame *f, int ret)
{
	return e->tc && ret == -EINVAL && f->len < L3 + 40;
}

FIXTURE(dm) {
	struct env e;
};

FIXTURE_VARIANT(dm) {
	bool tc;
};

FIXTURE_VARIANT_ADD(dm, xdp) { .tc = false, };
FIXTURE_VARIANT_ADD(dm, tc) { .tc = true, };

FIXTURE_SETUP(dm)
{
	self->e.tc = variant->tc;
	ASSERT_EQ(0, setup(&self->e));
}

FIXTURE_TEARDOWN(dm)
{
	bpf_object__close(self->e.port);
	bpf_object__close(self->e.dm);
}

/* verdict of a UDP frame SRC -> DST with @tags tags, @frag bytes in */
static int verdict(struct env *e, const char *src, const char *dst, int tags,
		   __u16 frag)
{
	struct frame f;

	frame_build(&f, src, dst, tags, frag);
	return run(e, &f);
}

TEST_F(dm, ipv4)
{
	struct env *e = &self->e;

	ASSERT_EQ(0, entry_add(e, 0, DDOS_SRC, "203.0.113.0/24", 7));
	ASSERT_EQ(0, entry_add(e, 0, DDOS_SRC, "203.0.113.9/32", 8));
	ASSERT_EQ(0, entry_add(e, 0, DDOS_DST, "198.51.100.7/32", 9));
	EXPECT_EQ(e->drop, verdict(e, "203.0.113.1", "10.0.0.1", 0, 0));
	EXPECT_EQ(e->drop, verdict(e, "203.0.113.255", "10.0.0.1", 0, 0));
	/* the longest match counts it */
	EXPECT_EQ(e->drop, verdict(e, "203.0.113.9", "10.0.0.1", 0, 0));
	EXPECT_EQ(e->pass, verdict(e, "203.0.114.1", "10.0.0.1", 0, 0));
	EXPECT_EQ(e->drop, verdict(e, "10.0.0.1", "198.51.100.7", 0, 0));
	EXPECT_EQ(e->pass, verdict(e, "10.0.0.1", "198.51.100.8", 0, 0));
	/* a source entry does not match a destination */
	EXPECT_EQ(e->pass, verdict(e, "10.0.0.1", "203.0.113.1", 0, 0));
	EXPECT_EQ(2, hits(e, 7));
	EXPECT_EQ(1, hits(e, 8));
	EXPECT_EQ(1, hits(e, 9));
	struct ddos_stats s = stats(e);
	EXPECT_EQ(7, s.packets);
	EXPECT_EQ(4, s.list);
	EXPECT_EQ(3, s.passed);
	EXPECT_EQ(0, s.malformed);
}

TEST_F(dm, ipv6)
{
	struct env *e = &self->e;

	ASSERT_EQ(0, entry_add(e, 0, DDOS_SRC, "2001:db8:bad::/48", 1));
	ASSERT_EQ(0, entry_add(e, 0, DDOS_DST, "2001:db8::7/128", 2));
	ASSERT_EQ(0, entry_add(e, 0, DDOS_SRC, "0.0.0.0/0", 3));
	/* the IPv4 /0 takes no IPv6 packet */
	EXPECT_EQ(e->drop, verdict(e, "2001:db8:bad:1::1", "2001:db8::1", 0, 0));
	EXPECT_EQ(e->pass, verdict(e, "2001:db8:bae::1", "2001:db8::1", 0, 0));
	EXPECT_EQ(e->drop, verdict(e, "2001:db8::1", "2001:db8::7", 0, 0));
	EXPECT_EQ(e->pass, verdict(e, "2001:db8::1", "2001:db8::8", 0, 0));
	EXPECT_EQ(e->drop, verdict(e, "10.1.1.1", "10.2.2.2", 0, 0));
	EXPECT_EQ(1, hits(e, 1));
	EXPECT_EQ(1, hits(e, 2));
	EXPECT_EQ(1, hits(e, 3));
}

TEST_F(dm, vlan)
{
	struct env *e = &self->e;
	struct frame f;

	ASSERT_EQ(0, entry_add(e, 0, DDOS_SRC, "203.0.113.0/24", 1));
	EXPECT_EQ(e->drop, verdict(e, "203.0.113.1", "10.0.0.1", 1, 0));
	EXPECT_EQ(e->drop, verdict(e, "203.0.113.1", "10.0.0.1", 2, 0));
	EXPECT_EQ(e->pass, verdict(e, "10.0.0.2", "10.0.0.1", 2, 0));
	EXPECT_EQ(2, hits(e, 1));
	/* three tags: more than it looks through */
	frame_build(&f, "10.0.0.2", "10.0.0.1", 3, 0);
	EXPECT_EQ(e->drop, run(e, &f));
	EXPECT_EQ(1, stats(e).malformed);
}

TEST_F(dm, fragments)
{
	struct env *e = &self->e;

	ASSERT_EQ(0, entry_add(e, 0, DDOS_SRC, "203.0.113.0/24", 1));
	EXPECT_EQ(e->drop, verdict(e, "203.0.113.1", "10.0.0.1", 0, 1480));
	EXPECT_EQ(e->pass, verdict(e, "10.0.0.2", "10.0.0.1", 0, 1480));
	EXPECT_EQ(1, hits(e, 1));
}

TEST_F(dm, truncated)
{
	struct env *e = &self->e;
	struct frame f;
	__u64 want = 0;
	__u32 len;
	int ret;

	ASSERT_EQ(0, entry_add(e, 0, DDOS_SRC, "203.0.113.0/24", 1));
	/* IPv4 cut anywhere inside its header */
	for (len = L3; len < L3 + 20; len++) {
		frame_build(&f, "10.0.0.2", "10.0.0.1", 0, 0);
		f.len = len;
		ret = run(e, &f);
		if (tc_refused(e, &f, ret))
			continue;
		EXPECT_EQ(e->drop, ret);
		want++;
	}
	/* IPv6 the same */
	for (len = L3; len < L3 + 40; len++) {
		frame_build(&f, "2001:db8::2", "2001:db8::1", 0, 0);
		f.len = len;
		ret = run(e, &f);
		if (tc_refused(e, &f, ret))
			continue;
		EXPECT_EQ(e->drop, ret);
		want++;
	}
	/* a tag cut short */
	frame_build(&f, "10.0.0.2", "10.0.0.1", 1, 0);
	f.len = ETH_HLEN + 2;
	ret = run(e, &f);
	if (!tc_refused(e, &f, ret)) {
		EXPECT_EQ(e->drop, ret);
		want++;
	}
	/* IHL below 5, a version that is not 4, a total length below IHL */
	frame_build(&f, "10.0.0.2", "10.0.0.1", 0, 0);
	f.b[L3] = 0x44;
	EXPECT_EQ(e->drop, run(e, &f));
	f.b[L3] = 0x65;
	EXPECT_EQ(e->drop, run(e, &f));
	f.b[L3] = 0x45;
	f.b[L3 + 2] = 0;
	f.b[L3 + 3] = 10;
	EXPECT_EQ(e->drop, run(e, &f));
	/* an IPv6 header whose version is not 6 */
	frame_build(&f, "2001:db8::2", "2001:db8::1", 0, 0);
	f.b[L3] = 0x40;
	EXPECT_EQ(e->drop, run(e, &f));
	want += 4;
	EXPECT_EQ(want, stats(e).malformed);
	EXPECT_EQ(0, stats(e).passed);
}

TEST_F(dm, non_ip)
{
	struct env *e = &self->e;
	struct frame f;

	ASSERT_EQ(0, entry_add(e, 0, DDOS_SRC, "0.0.0.0/0", 1));
	frame_build(&f, "10.0.0.2", "10.0.0.1", 0, 0);
	f.b[12] = 0x08;
	f.b[13] = 0x06;			/* ARP */
	EXPECT_EQ(e->pass, run(e, &f));
	EXPECT_EQ(1, stats(e).passed);
}

TEST_F(dm, generations)
{
	struct env *e = &self->e;

	ASSERT_EQ(0, entry_add(e, 1, DDOS_SRC, "203.0.113.0/24", 1));
	ASSERT_EQ(0, entry_add(e, 0, DDOS_SRC, "192.0.2.0/24", 2));
	EXPECT_EQ(e->pass, verdict(e, "203.0.113.1", "10.0.0.1", 0, 0));
	EXPECT_EQ(e->drop, verdict(e, "192.0.2.1", "10.0.0.1", 0, 0));
	e->st.gen = 1;
	ASSERT_EQ(0, state_write(e));
	EXPECT_EQ(e->drop, verdict(e, "203.0.113.1", "10.0.0.1", 0, 0));
	EXPECT_EQ(e->pass, verdict(e, "192.0.2.1", "10.0.0.1", 0, 0));
	/* a side marked empty is not looked up */
	e->st.nonempty[1] = 0;
	ASSERT_EQ(0, state_write(e));
	EXPECT_EQ(e->pass, verdict(e, "203.0.113.1", "10.0.0.1", 0, 0));
}

TEST_F(dm, rate)
{
	struct env *e = &self->e;
	struct frame f;
	int i, passed = 0;

	e->st.rate_pps = 1;
	e->st.burst_pkts = 5;
	ASSERT_EQ(0, state_write(e));
	/* 1 packet/s: within a test run, the burst and at most one more */
	for (i = 0; i < 20; i++)
		passed += verdict(e, "10.0.0.2", "10.0.0.1", 0, 0) == (int)e->pass;
	EXPECT_GE(passed, 5);
	EXPECT_LE(passed, 6);
	/* another source has its own bucket; a /24 shares one */
	EXPECT_EQ(e->pass, verdict(e, "10.0.0.3", "10.0.0.1", 0, 0));
	EXPECT_EQ(2, stats(e).sources);
	EXPECT_EQ(20 - passed, stats(e).rate);
	e->st.plen4 = 24;
	ASSERT_EQ(0, state_write(e));
	for (i = 0; i < 6; i++)
		verdict(e, "10.0.0.4", "10.0.0.1", 0, 0);
	EXPECT_EQ(e->drop, verdict(e, "10.0.0.5", "10.0.0.1", 0, 0));
	EXPECT_EQ(3, stats(e).sources);
	/* bytes: a frame takes its length of the byte burst */
	frame_build(&f, "10.0.9.1", "10.0.0.1", 0, 0);
	e->st.rate_pps = 0;
	e->st.rate_bps = 1;
	e->st.burst_bytes = 1514;
	e->st.plen4 = 32;
	ASSERT_EQ(0, state_write(e));
	passed = 0;
	for (i = 0; i < 40; i++)
		passed += verdict(e, "10.0.9.1", "10.0.0.1", 0, 0) == (int)e->pass;
	EXPECT_EQ(1514 / f.len, passed);
}

static struct ddos_limit_stat limit_stat(struct env *e, __u32 slot)
{
	struct ddos_limit_stat s;

	percpu_sum(map_fd(e->dm, "ddos_limit_stats"), slot, &s, sizeof(s));
	return s;
}

TEST_F(dm, limits)
{
	struct env *e = &self->e;
	struct frame f;
	int i, passed = 0;

	/* slot 2: UDP to 50-60, 3 at once; slot 5: the rest of UDP */
	e->st.limits[2] = (struct ddos_limit){ .proto = IPPROTO_UDP,
		.dport_lo = 50, .dport_hi = 60, .rate_pps = 1, .burst_pkts = 3 };
	e->st.limits[5] = (struct ddos_limit){ .proto = IPPROTO_UDP,
		.rate_pps = 1, .burst_pkts = 10 };
	e->st.limits[6] = (struct ddos_limit){ .proto = IPPROTO_TCP,
		.rate_pps = 1, .burst_pkts = 1 };
	e->st.limits_used = 1u << 2 | 1u << 5 | 1u << 6;
	ASSERT_EQ(0, state_write(e));
	/* frames are UDP to port 53 */
	for (i = 0; i < 10; i++)
		passed += verdict(e, "10.0.0.2", "10.0.0.1", 0, 0) == (int)e->pass;
	EXPECT_GE(passed, 3);
	EXPECT_LE(passed, 4);
	EXPECT_EQ(10, limit_stat(e, 2).packets);
	EXPECT_EQ(10 - passed, limit_stat(e, 2).dropped);
	EXPECT_EQ(10 - passed, stats(e).rate);
	/* a later fragment has no port: UDP's own limit, with its burst */
	EXPECT_EQ(e->pass, verdict(e, "10.0.0.2", "10.0.0.1", 0, 1480));
	EXPECT_EQ(1, limit_stat(e, 5).packets);
	/* IPv6: the same limits, a bucket of its own */
	EXPECT_EQ(e->pass, verdict(e, "2001:db8::2", "2001:db8::1", 0, 0));
	EXPECT_EQ(11, limit_stat(e, 2).packets);
	/* the other port of a limit's: UDP's own */
	frame_build(&f, "10.0.0.2", "10.0.0.1", 0, 0);
	f.b[L3 + 20 + 3] = 61;
	EXPECT_EQ(e->pass, run(e, &f));
	EXPECT_EQ(2, limit_stat(e, 5).packets);
	/* no limit of ICMP: passes, whatever the UDP buckets hold */
	frame_build(&f, "10.0.0.2", "10.0.0.1", 0, 0);
	f.b[L3 + 9] = IPPROTO_ICMP;
	EXPECT_EQ(e->pass, run(e, &f));
	EXPECT_EQ(0, limit_stat(e, 6).packets);
	/* a UDP header cut short: malformed once a limit needs the port */
	frame_build(&f, "2001:db8::2", "2001:db8::1", 0, 0);
	f.len = L3 + 40 + 4;
	EXPECT_EQ(e->drop, run(e, &f));
	EXPECT_EQ(1, stats(e).malformed);
	/* a slot whose bit is clear is not in force */
	e->st.limits_used = 0;
	ASSERT_EQ(0, state_write(e));
	EXPECT_EQ(e->pass, verdict(e, "10.0.0.2", "10.0.0.1", 0, 0));
	EXPECT_EQ(11, limit_stat(e, 2).packets);
}

/* the one's complement sum of @n bytes at @p, folded, after @sum */
static __u16 csum16(const unsigned char *p, __u32 n, __u32 sum)
{
	__u32 i;

	for (i = 0; i + 1 < n; i += 2)
		sum += p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

static __u32 get32(const unsigned char *c)
{
	return (__u32)c[0] << 24 | c[1] << 16 | c[2] << 8 | c[3];
}

static unsigned char *put32(unsigned char *c, __u32 v)
{
	return put16(put16(c, v >> 16), v);
}

/* a TCP segment's addresses and ports */
struct tcp_tuple {
	const char *src, *dst;
	__u16 sport, dport;
};

/*
 * An Ethernet frame with @ntags tags and a TCP header with @flags,
 * @seq, @ack and the options @opt (@optlen, a multiple of 4). Returns
 * the TCP header's offset.
 */
static __u32 tcp_build(struct frame *f, const struct tcp_tuple *t, int ntags,
		       __u8 flags, __u32 seq, __u32 ack, const void *opt,
		       __u32 optlen)
{
	__u32 l4, tl = 20 + optlen;
	unsigned char *c;
	int v6 = !!strchr(t->src, ':');

	frame_build(f, t->src, t->dst, ntags, 0);
	l4 = L3 + ntags * 4 + (v6 ? 40 : 20);
	if (v6) {
		f->b[l4 - 40 + 6] = IPPROTO_TCP;
		put16(f->b + l4 - 40 + 4, tl);
	} else {
		f->b[l4 - 20 + 9] = IPPROTO_TCP;
		put16(f->b + l4 - 20 + 2, 20 + tl);
	}
	c = f->b + l4;
	memset(c, 0, tl);
	c = put16(c, t->sport);
	c = put16(c, t->dport);
	c = put32(c, seq);
	c = put32(c, ack);
	*c++ = tl / 4 << 4;
	*c++ = flags;
	put16(c, 64240);
	if (optlen)
		memcpy(f->b + l4 + 20, opt, optlen);
	f->len = l4 + tl;
	return l4;
}

/* run @f, the frame that comes out in @out */
static int run_out(struct env *e, const struct frame *f, struct frame *out)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f->b,
		    .data_size_in = f->len, .data_out = out->b,
		    .data_size_out = sizeof(out->b), .repeat = 1);

	memset(out, 0, sizeof(*out));
	if (bpf_prog_test_run_opts(e->prog, &o))
		return -errno;
	out->len = o.data_size_out;
	return o.retval;
}

#define SYN_PORT	8080

/* MSS 1460, SACK permitted, timestamp 0x11223344, NOP, window scale 10 */
static const unsigned char syn_opts[20] = {
	2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0x11, 0x22, 0x33, 0x44, 0, 0, 0, 0,
	1, 3, 3, 10,
};

/*
 * The SYN-ACK @a answers the SYN @q (TCP at @l4, with syn_opts if
 * @opts): check it whole. Returns its cookie.
 */
static __u32 synack_check(struct __test_metadata *_metadata,
			  const struct frame *q, const struct frame *a,
			  __u32 l4, int v6, bool opts)
{
	const unsigned char *ip = a->b + l4 - (v6 ? 40 : 20), *t = a->b + l4;
	const unsigned char *qip = q->b + l4 - (v6 ? 40 : 20);
	__u32 tl = opts ? 40 : 24, sum, alen = v6 ? 16 : 4;

	EXPECT_EQ(l4 + tl, a->len);
	/* Ethernet swapped, the tags as they were */
	EXPECT_EQ(0, memcmp(a->b, q->b + 6, 6));
	EXPECT_EQ(0, memcmp(a->b + 6, q->b, 6));
	EXPECT_EQ(0, memcmp(a->b + 12, q->b + 12, (v6 ? l4 - 40 : l4 - 20) - 12));
	/* addresses swapped, IP checksum right */
	if (v6) {
		EXPECT_EQ(0x60, ip[0]);
		EXPECT_EQ(IPPROTO_TCP, ip[6]);
		EXPECT_EQ(tl, (__u32)(ip[4] << 8 | ip[5]));
		EXPECT_EQ(0, memcmp(ip + 8, qip + 24, 16));
		EXPECT_EQ(0, memcmp(ip + 24, qip + 8, 16));
	} else {
		EXPECT_EQ(0x45, ip[0]);
		EXPECT_EQ(IPPROTO_TCP, ip[9]);
		EXPECT_EQ(20 + tl, (__u32)(ip[2] << 8 | ip[3]));
		EXPECT_EQ(0x40, ip[6]);		/* DF */
		EXPECT_EQ(0, memcmp(ip + 12, qip + 16, 4));
		EXPECT_EQ(0, memcmp(ip + 16, qip + 12, 4));
		EXPECT_EQ(0xffff, csum16(ip, 20, 0));
	}
	/* TCP: the pseudo-header and the segment sum to all ones */
	sum = csum16(ip + (v6 ? 8 : 12), 2 * alen, IPPROTO_TCP + tl);
	EXPECT_EQ(0xffff, csum16(t, tl, sum));
	EXPECT_EQ(0, memcmp(t, q->b + l4 + 2, 2));
	EXPECT_EQ(0, memcmp(t + 2, q->b + l4, 2));
	EXPECT_EQ(get32(q->b + l4 + 4) + 1, get32(t + 8));
	EXPECT_EQ(tl / 4 << 4, t[12]);
	EXPECT_EQ(0x12, t[13]);			/* SYN ACK */
	EXPECT_EQ(0, t[14] << 8 | t[15]);	/* window 0 */
	EXPECT_EQ(0, t[18] << 8 | t[19]);
	/* MSS: ours, 20 less for IPv6 */
	EXPECT_EQ(2, t[20]);
	EXPECT_EQ(4, t[21]);
	EXPECT_EQ(v6 ? 1440 : 1460, t[22] << 8 | t[23]);
	if (opts) {
		__u32 ts = get32(t + 28);

		/* SACK permitted, then the timestamp: its low bits the
		 * client's window scale (10) and SACK (bit 4) */
		EXPECT_EQ(0, memcmp(t + 24, "\x04\x02\x08\x0a", 4));
		EXPECT_EQ(10, ts & 0xf);
		EXPECT_EQ(0x10, ts & 0x30);
		EXPECT_EQ(0x11223344, get32(t + 32));
		/* our window scale */
		EXPECT_EQ(0, memcmp(t + 36, "\x01\x03\x03\x07", 4));
	}
	return get32(t + 4);
}

TEST_F(dm, synproxy)
{
	static const struct tcp_tuple tuples[] = {
		{ "10.0.0.2", "10.0.0.1", 40000, SYN_PORT },
		{ "2001:db8::2", "2001:db8::1", 40000, SYN_PORT },
	};
	struct env *e = &self->e;
	__u32 tx = e->tc ? TC_ACT_REDIRECT : XDP_REDIRECT;
	__u64 syn = 0, ok = 0, bad = 0, malformed = 0;
	struct frame q, a;
	int v6, tags;

	e->st.syn[3] = (struct ddos_syn_range){ .lo = SYN_PORT,
		.hi = SYN_PORT + 1, .mss = 1460, .wscale = 7 };
	e->st.syn_used = 1u << 3;
	ASSERT_EQ(0, state_write(e));
	for (v6 = 0; v6 < 2; v6++) {
		for (tags = 0; tags <= 2; tags++) {
			struct tcp_tuple t = tuples[v6];
			__u32 l4, cookie;

			t.sport += tags * 2;
			/* with options: all of them answered */
			l4 = tcp_build(&q, &t, tags, 0x02, 1000, 0, syn_opts,
				       sizeof(syn_opts));
			ASSERT_EQ(tx, run_out(e, &q, &a));
			cookie = synack_check(_metadata, &q, &a, l4, v6, true);
			syn++;
			/* without: MSS only */
			tcp_build(&q, &t, tags, 0x02, 1000, 0, NULL, 0);
			ASSERT_EQ(tx, run_out(e, &q, &a));
			synack_check(_metadata, &q, &a, l4, v6, false);
			syn++;
			/* a bad cookie (its hash, not its MSS index, the
			 * low bits, changed): dropped */
			tcp_build(&q, &t, tags, 0x10, 1001,
				  (cookie ^ 0x00abcd00) + 1, NULL, 0);
			EXPECT_EQ(e->drop, run(e, &q));
			bad++;
			/* the right one: passes, then the connection */
			tcp_build(&q, &t, tags, 0x10, 1001, cookie + 1, NULL, 0);
			EXPECT_EQ(e->pass, run(e, &q));
			ok++;
			tcp_build(&q, &t, tags, 0x18, 1001, 12345, NULL, 0);
			EXPECT_EQ(e->pass, run(e, &q));
			/* another source port: no connection, no cookie */
			t.sport++;
			tcp_build(&q, &t, tags, 0x04, 1001, 0, NULL, 0);
			EXPECT_EQ(e->drop, run(e, &q));
			tcp_build(&q, &t, tags, 0x12, 1001, 5, NULL, 0);
			EXPECT_EQ(e->drop, run(e, &q));
			bad += 2;
			/* cut short in the TCP header: malformed */
			tcp_build(&q, &t, tags, 0x02, 1000, 0, NULL, 0);
			q.len -= 8;
			EXPECT_EQ(e->drop, run(e, &q));
			malformed++;
			/* another port: not the proxy's */
			t.dport = SYN_PORT + 2;
			tcp_build(&q, &t, tags, 0x02, 1000, 0, NULL, 0);
			EXPECT_EQ(e->pass, run(e, &q));
		}
	}
	struct ddos_stats s = stats(e);
	EXPECT_EQ(syn, s.syn);
	EXPECT_EQ(ok, s.cookie_ok);
	EXPECT_EQ(bad, s.cookie_bad);
	EXPECT_EQ(malformed, s.malformed);
}

TEST_HARNESS_MAIN
