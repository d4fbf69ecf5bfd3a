// SPDX-License-Identifier: GPL-2.0
/*
 * The nat datapath through BPF_PROG_TEST_RUN, XDP and TC builds of the
 * same source. Rules are written into the cube's maps as pcn writes
 * them; both programs hand what they pass to pcn_final_pass, so a
 * packet passed comes back as the build's pass verdict with its bytes.
 * Every packet that comes out rewritten has its checksums checked
 * against a full recomputation (IPv4 header, TCP/UDP/ICMP/ICMPv6 with
 * the pseudo header), never against what the incremental update
 * should have given.
 *
 *   snat_tcp          out and back: addresses, ports, checksums
 *   snat_udp          the same; a zero UDP checksum stays zero
 *   snat_icmp_echo    the echo id translated, the reply back
 *   same_source_port  two inside hosts, one port: two outside ports
 *   port_range_full   a range of one port: the second flow is dropped,
 *                     counted no_port, and the port is free again once
 *                     the first flow ended (a TCP RST)
 *   snat_ipv6         NAT66 SNAT of TCP, UDP, ICMPv6 echo, out and back
 *   dnat_ipv6         NAT66 port forwarding, checksums of IPv6
 *   one_to_one        inbound, then its reply outbound
 *   malformed         a TCP header cut short, a later fragment, a TCP
 *                     packet that opens nothing: dropped, counted
 *   table_full        a table of 4 flows: the 5th is dropped, counted;
 *                     once a flow ended its room is swept free, at most
 *                     once a second
 *   icmp_err_*        ICMP errors quoting a packet of a translated flow:
 *                     outer and quoted addresses and ports back as the
 *                     flow's inside end sees them, the quoted IPv4
 *                     header's, the quoted L4 and the ICMP checksums
 *                     right (the whole packet is quoted, so even the
 *                     quoted L4 checksum is recomputed and checked);
 *                     quotes cut short dropped, errors about no flow
 *                     passed untouched
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf_test.h"
#include "harness.h"
#include "pcn_shared.h"
#include "cube.h"
#include "nat.h"
#include "proto.h"
#include "nat_xdp.skel.h"
#include "nat_tc.skel.h"
#include "port_xdp.skel.h"
#include "port_tc.skel.h"

struct env {
	bool tc;
	struct bpf_object *nat, *port;
	int prog[2];			/* [dir] */
	int stats, rules, state;
	__u32 pass, drop;
	__u32 n;			/* rules written */
	__u32 flows_max;		/* nat_flows' size; 0: as built */
};

static int setup(struct env *e)
{
	const void *nat_elf, *port_elf;
	size_t nat_size, port_size;
	__u32 slot = PCN_SLOT_PASS, zero = 0;
	struct nat_state st = {};

	if (e->tc) {
		nat_elf = nat_tc__elf_bytes(&nat_size);
		port_elf = port_tc__elf_bytes(&port_size);
		e->pass = TC_ACT_OK;
		e->drop = TC_ACT_SHOT;
	} else {
		nat_elf = nat_xdp__elf_bytes(&nat_size);
		port_elf = port_xdp__elf_bytes(&port_size);
		e->pass = XDP_PASS;
		e->drop = XDP_DROP;
	}
	e->nat = bpf_object__open_mem(nat_elf, nat_size, NULL);
	if (!e->nat)
		return -errno;
	if (obj_set_rodata_u32(e->nat, "pcn_next_in", slot) ||
	    obj_set_rodata_u32(e->nat, "pcn_next_eg", slot))
		return -EINVAL;
	if (e->flows_max &&
	    bpf_map__set_max_entries(bpf_object__find_map_by_name(e->nat,
								  "nat_flows"),
				     e->flows_max))
		return -EINVAL;
	if (bpf_object__load(e->nat))
		return -errno;
	if (final_pass_load(e->nat, port_elf, port_size, slot, &e->port))
		return -errno;
	e->prog[PCN_DIR_INGRESS] = prog_fd(e->nat, "nat_in");
	e->prog[PCN_DIR_EGRESS] = prog_fd(e->nat, "nat_eg");
	e->stats = map_fd(e->nat, "nat_stats");
	e->rules = map_fd(e->nat, "nat_rules");
	e->state = map_fd(e->nat, "nat_state");
	return bpf_map_update_elem(e->state, &zero, &st, BPF_ANY) ? -errno : 0;
}

/* append rule @r (generation 0), as pcn does */
static int rule_add(struct env *e, struct nat_rule r)
{
	struct nat_state st = { .rules = e->n + 1 };
	__u32 key = e->n, zero = 0;

	if (bpf_map_update_elem(e->rules, &key, &r, BPF_ANY) ||
	    bpf_map_update_elem(e->state, &zero, &st, BPF_ANY))
		return -errno;
	e->n++;
	return 0;
}

static void addr(int family, const char *s, __u8 *a)
{
	memset(a, 0, 16);
	inet_pton(family == 4 ? AF_INET : AF_INET6, s, a);
}

/* ---- packets ---- */

struct pkt {
	int family;
	__u8 proto;
	__u8 flags;			/* TCP; ICMP: the type */
	__u16 sport, dport;		/* ICMP: the id in sport */
	__u8 src[16], dst[16];
	bool zero_csum;			/* UDP sent without a checksum */
	bool cut;			/* the L4 header cut short */
	bool later_frag;		/* an IPv4 fragment after the first */
};

struct frame {
	__u32 len;
	__u32 l4;			/* where the L4 header is */
	__u8 pad[2];			/* the IP header 4-byte aligned */
	__u8 b[256];
};

static __u32 sum16(const void *p, __u32 len, __u32 sum)
{
	const __u8 *b = p;
	__u32 i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (b[i] << 8) | b[i + 1];
	if (len & 1)
		sum += b[len - 1] << 8;
	return sum;
}

static __u16 fold(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* the L4 checksum of the frame, computed whole: 0xffff if right */
static __u16 l4_sum(const struct frame *f, int family, __u8 proto)
{
	__u32 l4len = f->len - f->l4, sum = 0;
	const __u8 *ip = f->b + ETH_HLEN;

	if (proto != IPPROTO_ICMP) {
		if (family == 4)
			sum = sum16(ip + 12, 8, 0);
		else
			sum = sum16(ip + 8, 32, 0);
		sum += proto + l4len;
	}
	return fold(sum16(f->b + f->l4, l4len, sum));
}

static __u16 ip_sum(const struct frame *f)
{
	return fold(sum16(f->b + ETH_HLEN, 20, 0));
}

static void build(struct frame *f, const struct pkt *p)
{
	__u8 *b = f->b, *l4;
	__u32 l4len, iphl = p->family == 4 ? 20 : 40, payload = 12;
	__u16 c;

	memset(f, 0, sizeof(*f));
	b[12] = p->family == 4 ? 0x08 : 0x86;
	b[13] = p->family == 4 ? 0x00 : 0xdd;
	f->l4 = ETH_HLEN + iphl;
	l4 = b + f->l4;
	l4len = (p->proto == IPPROTO_TCP ? 20 : 8) + payload;
	if (p->cut)
		l4len = 6;
	f->len = f->l4 + l4len;
	if (p->family == 4) {
		struct iphdr *ip = (void *)(b + ETH_HLEN);

		ip->version = 4;
		ip->ihl = 5;
		ip->ttl = 64;
		ip->protocol = p->proto;
		ip->tot_len = htons(iphl + l4len);
		ip->frag_off = htons(p->later_frag ? 100 : 0);
		memcpy(&ip->saddr, p->src, 4);
		memcpy(&ip->daddr, p->dst, 4);
		ip->check = htons(~fold(sum16(ip, 20, 0)) & 0xffff);
	} else {
		struct ipv6hdr *ip6 = (void *)(b + ETH_HLEN);

		ip6->version = 6;
		ip6->nexthdr = p->proto;
		ip6->hop_limit = 64;
		ip6->payload_len = htons(l4len);
		memcpy(&ip6->saddr, p->src, 16);
		memcpy(&ip6->daddr, p->dst, 16);
	}
	if (p->cut)
		return;
	memset(l4 + l4len - payload, 0xa5, payload);
	if (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP) {
		l4[0] = p->sport >> 8;
		l4[1] = p->sport;
		l4[2] = p->dport >> 8;
		l4[3] = p->dport;
	}
	if (p->proto == IPPROTO_TCP) {
		l4[12] = 5 << 4;
		l4[13] = p->flags;
	} else if (p->proto == IPPROTO_UDP) {
		l4[4] = l4len >> 8;
		l4[5] = l4len;
	} else {
		l4[0] = p->flags;		/* type */
		l4[4] = p->sport >> 8;
		l4[5] = p->sport;
		l4[7] = 1;			/* sequence */
	}
	if (p->zero_csum)
		return;
	c = ~l4_sum(f, p->family, p->proto);
	if (p->proto == IPPROTO_UDP && !c)
		c = 0xffff;
	l4[p->proto == IPPROTO_TCP ? 16 : p->proto == IPPROTO_UDP ? 6 : 2] =
		c >> 8;
	l4[(p->proto == IPPROTO_TCP ? 16 : p->proto == IPPROTO_UDP ? 6 : 2) + 1] =
		c;
}

/* run @f through direction @dir; the frame comes back rewritten */
static int run(struct env *e, int dir, struct frame *f)
{
	__u8 out[256];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f->b,
		    .data_size_in = f->len, .data_out = out,
		    .data_size_out = sizeof(out), .repeat = 1);

	if (bpf_prog_test_run_opts(e->prog[dir], &o))
		return -errno;
	if (o.data_size_out == f->len)
		memcpy(f->b, out, f->len);
	return o.retval;
}

/* what a frame says, read back */
static void parse(const struct frame *f, int family, __u8 proto,
		  struct pkt *p)
{
	const __u8 *b = f->b + ETH_HLEN, *l4 = f->b + f->l4;

	memset(p, 0, sizeof(*p));
	p->family = family;
	p->proto = proto;
	if (family == 4) {
		memcpy(p->src, b + 12, 4);
		memcpy(p->dst, b + 16, 4);
	} else {
		memcpy(p->src, b + 8, 16);
		memcpy(p->dst, b + 24, 16);
	}
	if (proto == IPPROTO_ICMP || proto == PCN_IPPROTO_ICMPV6) {
		p->sport = l4[4] << 8 | l4[5];
		p->flags = l4[0];
	} else {
		p->sport = l4[0] << 8 | l4[1];
		p->dport = l4[2] << 8 | l4[3];
	}
}

static void stats(struct env *e, int dir, struct nat_stats *st)
{
	percpu_sum(e->stats, dir, st, sizeof(*st));
}

FIXTURE(nat) {
	struct env e;
};

FIXTURE_VARIANT(nat) {
	bool tc;
};

FIXTURE_VARIANT_ADD(nat, xdp) { .tc = false, };
FIXTURE_VARIANT_ADD(nat, tc) { .tc = true, };

FIXTURE_SETUP(nat)
{
	self->e.tc = variant->tc;
	ASSERT_EQ(0, setup(&self->e));
}

FIXTURE_TEARDOWN(nat)
{
	bpf_object__close(self->e.port);
	bpf_object__close(self->e.nat);
}

/* checksums of @f right, by a full recomputation */
#define ASSERT_CSUMS(f, family, proto, zero_udp)                            \
	do {                                                                \
		if ((family) == 4)                                          \
			ASSERT_EQ(0xffff, ip_sum(f));                       \
		if (zero_udp)                                               \
			ASSERT_EQ(0, (f)->b[(f)->l4 + 6] | (f)->b[(f)->l4 + 7]);\
		else                                                        \
			ASSERT_EQ(0xffff, l4_sum(f, family, proto));        \
	} while (0)

static struct nat_rule snat4(const char *src, __u8 plen, const char *to,
			     __u16 lo, __u16 hi)
{
	struct nat_rule r = { .kind = NAT_SNAT, .family = 4, .src_plen = plen,
			      .port_lo = lo, .port_hi = hi };

	addr(4, src, r.src);
	addr(4, to, r.to);
	return r;
}

/* the addresses of out_and_back: inside, outside, public */
static const char *const oab_addrs[2][3] = {
	{ "10.0.0.2", "203.0.113.7", "198.51.100.1" },
	{ "fd00::2", "2001:db8:7::7", "2001:db8::1" },
};

/* out from the inside's @sport to the outside's port 80 and back,
 * SNAT'd to the public address (@family 4 or 6) */
static void out_and_back_fam(struct __test_metadata *_metadata,
			     struct env *e, int family, __u8 proto, bool zero,
			     __u16 sport, __u16 *seen)
{
	const char *const *a = oab_addrs[family == 6];
	bool icmp = proto == IPPROTO_ICMP || proto == PCN_IPPROTO_ICMPV6;
	struct pkt p = { .family = family, .proto = proto, .sport = sport,
			 .dport = 80, .zero_csum = zero,
			 .flags = proto == IPPROTO_TCP ? TCP_SYN :
				  proto == IPPROTO_ICMP ? 8 :
				  proto == PCN_IPPROTO_ICMPV6 ? 128 : 0 };
	struct pkt q;
	struct frame f;
	__u8 pub[16] = {};

	addr(family, a[0], p.src);
	addr(family, a[1], p.dst);
	addr(family, a[2], pub);
	build(&f, &p);
	ASSERT_EQ(e->pass, run(e, PCN_DIR_EGRESS, &f));
	parse(&f, family, proto, &q);
	ASSERT_EQ(0, memcmp(q.src, pub, 16));
	ASSERT_EQ(0, memcmp(q.dst, p.dst, 16));
	ASSERT_CSUMS(&f, family, proto, zero);
	*seen = q.sport;
	/* the reply, to the outside port */
	memcpy(p.src, q.dst, 16);
	memcpy(p.dst, pub, 16);
	if (icmp) {
		p.flags = proto == IPPROTO_ICMP ? 0 : 129;	/* echo reply */
		p.sport = q.sport;
	} else {
		p.sport = 80;
		p.dport = q.sport;
		p.flags = TCP_SYN | TCP_ACK;
	}
	build(&f, &p);
	ASSERT_EQ(e->pass, run(e, PCN_DIR_INGRESS, &f));
	parse(&f, family, proto, &q);
	memset(pub, 0, sizeof(pub));
	addr(family, a[0], pub);
	ASSERT_EQ(0, memcmp(q.dst, pub, 16));
	if (icmp)
		ASSERT_EQ(sport, q.sport);
	else
		ASSERT_EQ(sport, q.dport);
	ASSERT_CSUMS(&f, family, proto, zero);
}

static void out_and_back(struct __test_metadata *_metadata, struct env *e,
			 __u8 proto, bool zero, __u16 sport, __u16 *seen)
{
	out_and_back_fam(_metadata, e, 4, proto, zero, sport, seen);
}

TEST_F(nat, snat_tcp)
{
	struct nat_stats st;
	__u16 port;

	ASSERT_EQ(0, rule_add(&self->e, snat4("10.0.0.0", 24, "198.51.100.1",
					     1024, 65535)));
	out_and_back(_metadata, &self->e, IPPROTO_TCP, false, 1234, &port);
	ASSERT_EQ(1234, port);		/* in the range and free: kept */
	stats(&self->e, PCN_DIR_EGRESS, &st);
	ASSERT_EQ(1, st.new_flows);
	ASSERT_EQ(1, st.translated);
	stats(&self->e, PCN_DIR_INGRESS, &st);
	ASSERT_EQ(1, st.translated);
}

TEST_F(nat, snat_udp)
{
	__u16 port;

	ASSERT_EQ(0, rule_add(&self->e, snat4("10.0.0.0", 24, "198.51.100.1",
					     40000, 40100)));
	out_and_back(_metadata, &self->e, IPPROTO_UDP, false, 5353, &port);
	ASSERT_TRUE(port >= 40000 && port <= 40100);
	out_and_back(_metadata, &self->e, IPPROTO_UDP, true, 5354, &port);
	ASSERT_TRUE(port >= 40000 && port <= 40100);
}

TEST_F(nat, snat_icmp_echo)
{
	__u16 id;

	ASSERT_EQ(0, rule_add(&self->e, snat4("10.0.0.0", 8, "198.51.100.1",
					     2000, 2000)));
	out_and_back(_metadata, &self->e, IPPROTO_ICMP, false, 77, &id);
	ASSERT_EQ(2000, id);
}

TEST_F(nat, same_source_port)
{
	struct pkt p = { .family = 4, .proto = IPPROTO_UDP, .sport = 7000,
			 .dport = 53 }, q1, q2;
	struct frame f;

	ASSERT_EQ(0, rule_add(&self->e, snat4("10.0.0.0", 24, "198.51.100.1",
					     7000, 7001)));
	addr(4, "10.0.0.2", p.src);
	addr(4, "203.0.113.7", p.dst);
	build(&f, &p);
	ASSERT_EQ(self->e.pass, run(&self->e, PCN_DIR_EGRESS, &f));
	parse(&f, 4, IPPROTO_UDP, &q1);
	addr(4, "10.0.0.3", p.src);
	build(&f, &p);
	ASSERT_EQ(self->e.pass, run(&self->e, PCN_DIR_EGRESS, &f));
	parse(&f, 4, IPPROTO_UDP, &q2);
	ASSERT_EQ(7000, q1.sport);
	ASSERT_EQ(7001, q2.sport);
	ASSERT_CSUMS(&f, 4, IPPROTO_UDP, false);
}

TEST_F(nat, port_range_full)
{
	struct pkt p = { .family = 4, .proto = IPPROTO_TCP, .sport = 1111,
			 .dport = 80, .flags = TCP_SYN }, q;
	struct nat_stats st;
	struct frame f;

	ASSERT_EQ(0, rule_add(&self->e, snat4("10.0.0.0", 24, "198.51.100.1",
					     9000, 9000)));
	addr(4, "10.0.0.2", p.src);
	addr(4, "203.0.113.7", p.dst);
	build(&f, &p);
	ASSERT_EQ(self->e.pass, run(&self->e, PCN_DIR_EGRESS, &f));
	/* another host: the one port is taken */
	addr(4, "10.0.0.3", p.src);
	build(&f, &p);
	ASSERT_EQ(self->e.drop, run(&self->e, PCN_DIR_EGRESS, &f));
	stats(&self->e, PCN_DIR_EGRESS, &st);
	ASSERT_EQ(1, st.no_port);
	/* the first flow ends (RST from the outside): the port is free */
	addr(4, "203.0.113.7", p.src);
	addr(4, "198.51.100.1", p.dst);
	p.sport = 80;
	p.dport = 9000;
	p.flags = TCP_RST;
	build(&f, &p);
	ASSERT_EQ(self->e.pass, run(&self->e, PCN_DIR_INGRESS, &f));
	addr(4, "10.0.0.3", p.src);
	addr(4, "203.0.113.7", p.dst);
	p.sport = 1111;
	p.dport = 80;
	p.flags = TCP_SYN;
	build(&f, &p);
	ASSERT_EQ(self->e.pass, run(&self->e, PCN_DIR_EGRESS, &f));
	parse(&f, 4, IPPROTO_TCP, &q);
	ASSERT_EQ(9000, q.sport);
}

/* NAT66 SNAT, out and back: TCP, UDP and ICMPv6 echo, ports and the
 * echo id from the rule's range, checksums recomputed whole */
TEST_F(nat, snat_ipv6)
{
	struct nat_rule r = { .kind = NAT_SNAT, .family = 6, .src_plen = 64,
			      .port_lo = 3000, .port_hi = 3009 };
	struct nat_stats st;
	__u16 port;

	addr(6, "fd00::", r.src);
	addr(6, "2001:db8::1", r.to);
	ASSERT_EQ(0, rule_add(&self->e, r));
	out_and_back_fam(_metadata, &self->e, 6, IPPROTO_TCP, false, 1234,
			 &port);
	ASSERT_TRUE(port >= 3000 && port <= 3009);
	out_and_back_fam(_metadata, &self->e, 6, IPPROTO_UDP, false, 5353,
			 &port);
	ASSERT_TRUE(port >= 3000 && port <= 3009);
	out_and_back_fam(_metadata, &self->e, 6, PCN_IPPROTO_ICMPV6, false,
			 77, &port);
	ASSERT_TRUE(port >= 3000 && port <= 3009);
	stats(&self->e, PCN_DIR_EGRESS, &st);
	ASSERT_EQ(3, st.new_flows);
	ASSERT_EQ(3, st.translated);
	ASSERT_EQ(0, st.errors);
	stats(&self->e, PCN_DIR_INGRESS, &st);
	ASSERT_EQ(3, st.translated);
}

TEST_F(nat, dnat_ipv6)
{
	struct nat_rule r = { .kind = NAT_DNAT, .family = 6,
			      .proto = IPPROTO_TCP, .dport = 8080,
			      .port_lo = 80, .port_hi = 80 };
	struct pkt p = { .family = 6, .proto = IPPROTO_TCP, .sport = 50000,
			 .dport = 8080, .flags = TCP_SYN }, q;
	__u8 in[16];
	struct frame f;

	addr(6, "2001:db8::1", r.dst);
	addr(6, "2001:db8:1::5", r.to);
	ASSERT_EQ(0, rule_add(&self->e, r));
	addr(6, "2001:db8:ffff::9", p.src);
	addr(6, "2001:db8::1", p.dst);
	build(&f, &p);
	ASSERT_EQ(self->e.pass, run(&self->e, PCN_DIR_INGRESS, &f));
	parse(&f, 6, IPPROTO_TCP, &q);
	ASSERT_EQ(0, memcmp(q.dst, r.to, 16));
	ASSERT_EQ(80, q.dport);
	ASSERT_CSUMS(&f, 6, IPPROTO_TCP, false);
	/* the reply leaves from the public address and port */
	memcpy(in, r.to, 16);
	memcpy(p.src, in, 16);
	addr(6, "2001:db8:ffff::9", p.dst);
	p.sport = 80;
	p.dport = 50000;
	p.flags = TCP_SYN | TCP_ACK;
	build(&f, &p);
	ASSERT_EQ(self->e.pass, run(&self->e, PCN_DIR_EGRESS, &f));
	parse(&f, 6, IPPROTO_TCP, &q);
	ASSERT_EQ(0, memcmp(q.src, r.dst, 16));
	ASSERT_EQ(8080, q.sport);
	ASSERT_CSUMS(&f, 6, IPPROTO_TCP, false);
}

TEST_F(nat, one_to_one)
{
	struct nat_rule r = { .kind = NAT_ONE2ONE, .family = 4 };
	struct pkt p = { .family = 4, .proto = IPPROTO_UDP, .sport = 3333,
			 .dport = 4444 }, q;
	struct frame f;

	addr(4, "10.0.0.5", r.src);
	addr(4, "198.51.100.5", r.dst);
	ASSERT_EQ(0, rule_add(&self->e, r));
	addr(4, "203.0.113.7", p.src);
	addr(4, "198.51.100.5", p.dst);
	build(&f, &p);
	ASSERT_EQ(self->e.pass, run(&self->e, PCN_DIR_INGRESS, &f));
	parse(&f, 4, IPPROTO_UDP, &q);
	ASSERT_EQ(0, memcmp(q.dst, r.src, 16));
	ASSERT_EQ(4444, q.dport);
	ASSERT_CSUMS(&f, 4, IPPROTO_UDP, false);
	memcpy(p.src, r.src, 16);
	addr(4, "203.0.113.7", p.dst);
	p.sport = 4444;
	p.dport = 3333;
	build(&f, &p);
	ASSERT_EQ(self->e.pass, run(&self->e, PCN_DIR_EGRESS, &f));
	parse(&f, 4, IPPROTO_UDP, &q);
	ASSERT_EQ(0, memcmp(q.src, r.dst, 16));
	ASSERT_CSUMS(&f, 4, IPPROTO_UDP, false);
}

TEST_F(nat, malformed)
{
	struct pkt p = { .family = 4, .proto = IPPROTO_TCP, .sport = 1,
			 .dport = 2, .flags = TCP_SYN };
	struct nat_stats st;
	struct frame f;

	ASSERT_EQ(0, rule_add(&self->e, snat4("10.0.0.0", 24, "198.51.100.1",
					     1024, 65535)));
	addr(4, "10.0.0.2", p.src);
	addr(4, "203.0.113.7", p.dst);
	p.cut = true;
	build(&f, &p);
	ASSERT_EQ(self->e.drop, run(&self->e, PCN_DIR_EGRESS, &f));
	p.cut = false;
	p.later_frag = true;
	build(&f, &p);
	ASSERT_EQ(self->e.drop, run(&self->e, PCN_DIR_EGRESS, &f));
	p.later_frag = false;
	p.flags = TCP_ACK;		/* opens nothing */
	build(&f, &p);
	ASSERT_EQ(self->e.drop, run(&self->e, PCN_DIR_EGRESS, &f));
	stats(&self->e, PCN_DIR_EGRESS, &st);
	ASSERT_EQ(1, st.malformed);
	ASSERT_EQ(1, st.fragments);
	ASSERT_EQ(1, st.invalid);
	ASSERT_EQ(0, st.new_flows);
}

TEST_F(nat, table_full)
{
	struct pkt p = { .family = 4, .proto = IPPROTO_TCP, .dport = 80,
			 .flags = TCP_SYN }, q;
	struct nat_stats st;
	__u64 long_ago = 0;
	__u16 first = 0;
	struct frame f;
	__u32 zero = 0;
	int i;

	/* again, with room for 4 flows (two translations each) */
	bpf_object__close(self->e.port);
	bpf_object__close(self->e.nat);
	self->e.flows_max = 8;
	ASSERT_EQ(0, setup(&self->e));
	ASSERT_EQ(0, rule_add(&self->e, snat4("10.0.0.0", 24, "198.51.100.1",
					     1024, 65535)));
	addr(4, "10.0.0.2", p.src);
	addr(4, "203.0.113.7", p.dst);
	for (i = 0; i < 4; i++) {
		p.sport = 2000 + i;
		build(&f, &p);
		ASSERT_EQ(self->e.pass, run(&self->e, PCN_DIR_EGRESS, &f));
		parse(&f, 4, IPPROTO_TCP, &q);
		if (!i)
			first = q.sport;
	}
	p.sport = 2004;
	build(&f, &p);
	ASSERT_EQ(self->e.drop, run(&self->e, PCN_DIR_EGRESS, &f));
	stats(&self->e, PCN_DIR_EGRESS, &st);
	ASSERT_EQ(1, st.table_full);
	ASSERT_EQ(4, st.new_flows);
	/* the first flow ends (RST from the outside) */
	addr(4, "203.0.113.7", p.src);
	addr(4, "198.51.100.1", p.dst);
	p.sport = 80;
	p.dport = first;
	p.flags = TCP_RST;
	build(&f, &p);
	ASSERT_EQ(self->e.pass, run(&self->e, PCN_DIR_INGRESS, &f));
	/* swept a moment ago (the 5th flow's try): not yet again */
	addr(4, "10.0.0.2", p.src);
	addr(4, "203.0.113.7", p.dst);
	p.sport = 2004;
	p.dport = 80;
	p.flags = TCP_SYN;
	build(&f, &p);
	ASSERT_EQ(self->e.drop, run(&self->e, PCN_DIR_EGRESS, &f));
	stats(&self->e, PCN_DIR_EGRESS, &st);
	ASSERT_EQ(2, st.table_full);
	/* the last sweep long ago: this one frees the ended flow's room */
	ASSERT_EQ(0, bpf_map_update_elem(map_fd(self->e.nat, "nat_gc"), &zero,
					 &long_ago, BPF_ANY));
	build(&f, &p);
	ASSERT_EQ(self->e.pass, run(&self->e, PCN_DIR_EGRESS, &f));
	stats(&self->e, PCN_DIR_EGRESS, &st);
	ASSERT_EQ(2, st.table_full);
	ASSERT_EQ(5, st.new_flows);
}

/* ---- ICMP errors ---- */

/*
 * Frame @f: an ICMP error (@type, @code) from @src to @dst quoting the
 * first @n bytes (0: all) of the IP packet in frame @q.
 */
static void build_err(struct frame *f, const struct frame *q, __u32 n,
		      int family, __u8 type, __u8 code, const char *src,
		      const char *dst)
{
	__u32 qlen = q->len - ETH_HLEN, iphl = family == 4 ? 20 : 40;
	__u8 proto = family == 4 ? IPPROTO_ICMP : PCN_IPPROTO_ICMPV6;
	struct pkt p = { .family = family, .proto = proto };
	__u8 *l4;
	__u16 c;

	if (n && n < qlen)
		qlen = n;
	addr(family, src, p.src);
	addr(family, dst, p.dst);
	build(f, &p);
	l4 = f->b + f->l4;
	f->len = f->l4 + 8 + qlen;
	memset(l4, 0, 8);
	l4[0] = type;
	l4[1] = code;
	memcpy(l4 + 8, q->b + ETH_HLEN, qlen);
	if (family == 4) {
		struct iphdr *ip = (void *)(f->b + ETH_HLEN);

		ip->tot_len = htons(iphl + 8 + qlen);
		ip->check = 0;
		ip->check = htons(~fold(sum16(ip, 20, 0)) & 0xffff);
	} else {
		struct ipv6hdr *ip6 = (void *)(f->b + ETH_HLEN);

		ip6->payload_len = htons(8 + qlen);
	}
	c = ~l4_sum(f, family, proto);
	l4[2] = c >> 8;
	l4[3] = c;
}

/* the packet quoted by the error in @f, as a frame of its own */
static void quoted(const struct frame *f, int family, struct frame *q)
{
	memset(q, 0, sizeof(*q));
	q->len = f->len - f->l4 - 8 + ETH_HLEN;
	memcpy(q->b + ETH_HLEN, f->b + f->l4 + 8, q->len - ETH_HLEN);
	q->l4 = ETH_HLEN + (family == 4 ? (q->b[ETH_HLEN] & 0xf) * 4 : 40);
}

/* the error in @f right: outer checksums; the quote's, whole */
#define ASSERT_ERR_CSUMS(f, family, qproto, zero_udp)                       \
	do {                                                                \
		struct frame q_;                                            \
		quoted(f, family, &q_);                                     \
		ASSERT_CSUMS(f, family, (family) == 4 ? IPPROTO_ICMP :      \
				PCN_IPPROTO_ICMPV6, false);                 \
		ASSERT_CSUMS(&q_, family, qproto, zero_udp);                \
	} while (0)

/*
 * SNAT'd UDP from 10.0.0.2:5353 (@zero: without a checksum); the port
 * unreachable from its destination, then a time exceeded from a
 * router on the way, come back to 10.0.0.2 about 10.0.0.2:5353
 */
static void err_snat_udp(struct __test_metadata *_metadata, struct env *e,
			 bool zero)
{
	struct pkt p = { .family = 4, .proto = IPPROTO_UDP, .sport = 5353,
			 .dport = 53, .zero_csum = zero }, q, in;
	struct frame f, out, g;
	struct nat_stats st;
	__u8 a[16];

	ASSERT_EQ(0, rule_add(e, snat4("10.0.0.0", 24, "198.51.100.1",
				       40000, 40000)));
	addr(4, "10.0.0.2", p.src);
	addr(4, "203.0.113.7", p.dst);
	build(&out, &p);
	ASSERT_EQ(e->pass, run(e, PCN_DIR_EGRESS, &out));
	parse(&out, 4, IPPROTO_UDP, &q);
	ASSERT_EQ(40000, q.sport);

	build_err(&f, &out, 0, 4, 3, 3, "203.0.113.7", "198.51.100.1");
	ASSERT_EQ(e->pass, run(e, PCN_DIR_INGRESS, &f));
	parse(&f, 4, IPPROTO_ICMP, &q);
	addr(4, "203.0.113.7", a);
	ASSERT_EQ(0, memcmp(q.src, a, 16));
	ASSERT_EQ(0, memcmp(q.dst, p.src, 16));
	quoted(&f, 4, &g);
	parse(&g, 4, IPPROTO_UDP, &in);
	ASSERT_EQ(0, memcmp(in.src, p.src, 16));
	ASSERT_EQ(0, memcmp(in.dst, p.dst, 16));
	ASSERT_EQ(5353, in.sport);
	ASSERT_EQ(53, in.dport);
	ASSERT_ERR_CSUMS(&f, 4, IPPROTO_UDP, zero);
	/* the quote is what 10.0.0.2 sent, byte for byte */
	build(&g, &p);
	ASSERT_EQ(0, memcmp(f.b + f.l4 + 8, g.b + ETH_HLEN, g.len - ETH_HLEN));

	/* from a router on the way: its own address kept */
	build_err(&f, &out, 0, 4, 11, 0, "192.0.2.99", "198.51.100.1");
	ASSERT_EQ(e->pass, run(e, PCN_DIR_INGRESS, &f));
	parse(&f, 4, IPPROTO_ICMP, &q);
	addr(4, "192.0.2.99", a);
	ASSERT_EQ(0, memcmp(q.src, a, 16));
	ASSERT_EQ(0, memcmp(q.dst, p.src, 16));
	ASSERT_ERR_CSUMS(&f, 4, IPPROTO_UDP, zero);
	ASSERT_EQ(0, memcmp(f.b + f.l4 + 8, g.b + ETH_HLEN, g.len - ETH_HLEN));
	stats(e, PCN_DIR_INGRESS, &st);
	ASSERT_EQ(2, st.icmp_errors);
}

TEST_F(nat, icmp_err_snat_udp)
{
	err_snat_udp(_metadata, &self->e, false);
}

TEST_F(nat, icmp_err_snat_udp_zero_csum)
{
	err_snat_udp(_metadata, &self->e, true);
}

/* a TTL exceeded about an echo request: the quoted id back, with its
 * checksum; only the first 8 bytes of the echo quoted */
TEST_F(nat, icmp_err_echo)
{
	struct pkt p = { .family = 4, .proto = IPPROTO_ICMP, .sport = 77,
			 .flags = 8 }, q;
	struct frame f, out, g, want;

	ASSERT_EQ(0, rule_add(&self->e, snat4("10.0.0.0", 8, "198.51.100.1",
					     2000, 2000)));
	addr(4, "10.0.0.2", p.src);
	addr(4, "203.0.113.7", p.dst);
	build(&out, &p);
	ASSERT_EQ(self->e.pass, run(&self->e, PCN_DIR_EGRESS, &out));
	build_err(&f, &out, 28, 4, 11, 0, "192.0.2.99", "198.51.100.1");
	ASSERT_EQ(self->e.pass, run(&self->e, PCN_DIR_INGRESS, &f));
	parse(&f, 4, IPPROTO_ICMP, &q);
	ASSERT_EQ(0, memcmp(q.dst, p.src, 16));
	ASSERT_CSUMS(&f, 4, IPPROTO_ICMP, false);
	quoted(&f, 4, &g);
	ASSERT_EQ(0xffff, ip_sum(&g));
	/* the quoted echo header as sent: id 77, its checksum */
	build(&want, &p);
	ASSERT_EQ(0, memcmp(f.b + f.l4 + 8, want.b + ETH_HLEN, 28 - 8));
	ASSERT_EQ(0, memcmp(f.b + f.l4 + 8 + 20, want.b + want.l4, 8));
}

/*
 * NAT66 port forwarding; the inside server's port unreachable (ICMPv6
 * type 1) leaves from the public address about the public port; a
 * packet too big (type 2) from a router inside keeps its source. The
 * quoted TCP checksum is carried and recomputed.
 */
TEST_F(nat, icmp_err_dnat_ipv6)
{
	struct nat_rule r = { .kind = NAT_DNAT, .family = 6,
			      .proto = IPPROTO_TCP, .dport = 8080,
			      .port_lo = 80, .port_hi = 80 };
	struct pkt p = { .family = 6, .proto = IPPROTO_TCP, .sport = 50000,
			 .dport = 8080, .flags = TCP_SYN }, q, in;
	struct frame f, g, want;
	__u8 a[16];
	int type;

	addr(6, "2001:db8::1", r.dst);
	addr(6, "2001:db8:1::5", r.to);
	ASSERT_EQ(0, rule_add(&self->e, r));
	addr(6, "2001:db8:ffff::9", p.src);
	addr(6, "2001:db8::1", p.dst);
	build(&want, &p);		/* as the client sent it */
	g = want;
	ASSERT_EQ(self->e.pass, run(&self->e, PCN_DIR_INGRESS, &g));
	for (type = 1; type <= 2; type++) {
		build_err(&f, &g, 0, 6, type, type == 1 ? 4 : 0,
			  type == 1 ? "2001:db8:1::5" : "2001:db8:1::fe",
			  "2001:db8:ffff::9");
		ASSERT_EQ(self->e.pass, run(&self->e, PCN_DIR_EGRESS, &f));
		parse(&f, 6, PCN_IPPROTO_ICMPV6, &q);
		if (type == 1)
			ASSERT_EQ(0, memcmp(q.src, r.dst, 16));
		addr(6, "2001:db8:1::fe", a);
		if (type == 2)
			ASSERT_EQ(0, memcmp(q.src, a, 16));
		ASSERT_EQ(0, memcmp(q.dst, p.src, 16));
		quoted(&f, 6, &g);
		parse(&g, 6, IPPROTO_TCP, &in);
		ASSERT_EQ(0, memcmp(in.dst, r.dst, 16));
		ASSERT_EQ(8080, in.dport);
		ASSERT_EQ(50000, in.sport);
		ASSERT_ERR_CSUMS(&f, 6, IPPROTO_TCP, false);
		ASSERT_EQ(0, memcmp(g.b + ETH_HLEN, want.b + ETH_HLEN,
				    want.len - ETH_HLEN));
		/* the next error quotes the packet as it went in again */
		g = want;
		ASSERT_EQ(self->e.pass, run(&self->e, PCN_DIR_INGRESS, &g));
	}
}

/*
 * Quotes cut short, by the frame or by the error's IP length, and a
 * quoted later fragment: dropped, counted malformed. An error about no
 * flow passes untouched.
 */
TEST_F(nat, icmp_err_malformed)
{
	struct pkt p = { .family = 4, .proto = IPPROTO_UDP, .sport = 5353,
			 .dport = 53 };
	struct frame f, out, copy;
	struct nat_stats st;
	struct iphdr *ip;

	ASSERT_EQ(0, rule_add(&self->e, snat4("10.0.0.0", 24, "198.51.100.1",
					     40000, 40000)));
	addr(4, "10.0.0.2", p.src);
	addr(4, "203.0.113.7", p.dst);
	build(&out, &p);
	ASSERT_EQ(self->e.pass, run(&self->e, PCN_DIR_EGRESS, &out));
	/* the quoted IP header whole, 4 bytes of UDP */
	build_err(&f, &out, 24, 4, 3, 3, "203.0.113.7", "198.51.100.1");
	ASSERT_EQ(self->e.drop, run(&self->e, PCN_DIR_INGRESS, &f));
	/* the quoted IP header cut */
	build_err(&f, &out, 12, 4, 3, 3, "203.0.113.7", "198.51.100.1");
	ASSERT_EQ(self->e.drop, run(&self->e, PCN_DIR_INGRESS, &f));
	/* all there in the frame, but the error's IP length ends first */
	build_err(&f, &out, 0, 4, 3, 3, "203.0.113.7", "198.51.100.1");
	ip = (void *)(f.b + ETH_HLEN);
	ip->tot_len = htons(20 + 8 + 20 + 4);
	ip->check = 0;
	ip->check = htons(~fold(sum16(ip, 20, 0)) & 0xffff);
	ASSERT_EQ(self->e.drop, run(&self->e, PCN_DIR_INGRESS, &f));
	/* a later fragment quoted: no ports to know its flow by */
	copy = out;
	ip = (void *)(copy.b + ETH_HLEN);
	ip->frag_off = htons(100);
	ip->check = 0;
	ip->check = htons(~fold(sum16(ip, 20, 0)) & 0xffff);
	build_err(&f, &copy, 0, 4, 3, 3, "203.0.113.7", "198.51.100.1");
	ASSERT_EQ(self->e.drop, run(&self->e, PCN_DIR_INGRESS, &f));
	stats(&self->e, PCN_DIR_INGRESS, &st);
	ASSERT_EQ(4, st.malformed);
	ASSERT_EQ(0, st.icmp_errors);
	/* about a flow that is not there: untouched */
	p.sport = 5354;
	build(&out, &p);
	build_err(&f, &out, 0, 4, 3, 3, "203.0.113.7", "198.51.100.1");
	copy = f;
	ASSERT_EQ(self->e.pass, run(&self->e, PCN_DIR_INGRESS, &f));
	ASSERT_EQ(0, memcmp(f.b, copy.b, f.len));
	stats(&self->e, PCN_DIR_INGRESS, &st);
	ASSERT_EQ(4, st.malformed);
	ASSERT_EQ(0, st.icmp_errors);
}

TEST_HARNESS_MAIN
