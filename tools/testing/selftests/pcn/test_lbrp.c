// SPDX-License-Identifier: GPL-2.0
/*
 * The lbrp datapath through BPF_PROG_TEST_RUN, XDP and TC builds of the
 * same source, the services written into the cube's maps as pcn writes
 * them. What a program passes goes to pcn_final_pass (the port
 * program's), so it comes back as the build's pass verdict with its
 * bytes. Every rewritten packet has its checksums checked against a
 * full recomputation (IPv4 header; TCP, UDP with the pseudo header),
 * and every byte the rewrite must not touch compared.
 *
 * rewrites:
 *   tcp_v4       client -> VIP:80 goes to backend:8080 (ingress), its
 *                reply comes back from VIP:80 (egress); the flow keeps
 *                its backend and is counted once
 *   udp_v6       the same for an IPv6 service over UDP
 *   udp_v4_zero  a UDP datagram without a checksum stays without one
 * fail_closed:  to a VIP: a later fragment, a TCP header cut short,
 *                an ICMP error with a quote cut short, a port with no
 *                service dropped and counted; not to a VIP, and no
 *                known reply: unchanged
 * reply_frags:  a backend's fragmented reply: the first fragment from
 *                the VIP (ports and all), the later ones of the same
 *                datagram from the VIP too (IPv4 checksum right, the
 *                rest untouched); those of another datagram unchanged
 * icmp_errors:  ICMP and ICMPv6 errors about a balanced flow, both
 *                ways: the backend's port unreachable (and a router's)
 *                going to the client quotes the client's packet as the
 *                client sent it, byte for byte, from the VIP when the
 *                backend sent it; the client's (or a router's) error
 *                to the VIP goes to the backend quoting its reply as
 *                it sent it; the ICMP checksum recomputed whole. About
 *                no flow, to someone else, or cut short: dropped or
 *                passed, counted.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf_test.h"
#include "harness.h"
#include "pcn_shared.h"
#include "cube.h"
#include "lbrp.h"
#include "maglev_table.h"
#include "lbrp_xdp.skel.h"
#include "lbrp_tc.skel.h"
#include "port_xdp.skel.h"
#include "port_tc.skel.h"

#define BE_SLOT		5	/* the backend's entry of lb_backends */

struct env {
	bool tc;
	struct bpf_object *lb, *port;
	int prog[2];			/* [dir] */
	__u32 pass, drop;
};

static int setup(struct env *e)
{
	const void *lb_elf, *port_elf;
	size_t lb_size, port_size;
	__u32 slot = PCN_SLOT_PASS;

	if (e->tc) {
		lb_elf = lbrp_tc__elf_bytes(&lb_size);
		port_elf = port_tc__elf_bytes(&port_size);
		e->pass = TC_ACT_OK;
		e->drop = TC_ACT_SHOT;
	} else {
		lb_elf = lbrp_xdp__elf_bytes(&lb_size);
		port_elf = port_xdp__elf_bytes(&port_size);
		e->pass = XDP_PASS;
		e->drop = XDP_DROP;
	}
	e->lb = bpf_object__open_mem(lb_elf, lb_size, NULL);
	if (!e->lb)
		return -errno;
	if (obj_set_rodata_u32(e->lb, "pcn_next_in", slot) ||
	    obj_set_rodata_u32(e->lb, "pcn_next_eg", slot))
		return -EINVAL;
	if (bpf_object__load(e->lb))
		return -errno;
	if (final_pass_load(e->lb, port_elf, port_size, slot, &e->port))
		return -errno;
	e->prog[PCN_DIR_INGRESS] = prog_fd(e->lb, "lbrp_in");
	e->prog[PCN_DIR_EGRESS] = prog_fd(e->lb, "lbrp_eg");
	return 0;
}

static void addr(int family, const char *s, __u8 *a)
{
	memset(a, 0, 16);
	inet_pton(family == 4 ? AF_INET : AF_INET6, s, a);
}

/*
 * Service @id at VIP @vip:@port/@proto with backend @be:@be_port alone
 * (entry BE_SLOT + @id), written as pcn writes them.
 */
static int add_service(struct env *e, __u32 id, int family, const char *vip,
		       __u16 port, __u8 proto, const char *be, __u16 be_port)
{
	struct lb_svc_key k = { .port = port, .proto = proto,
				.family = family };
	struct lb_svc_key vk = { .family = family };
	struct lb_svc svc = { .id = id };
	struct pcn_maglev_backend mb = { .weight = 1, .id = BE_SLOT + id };
	struct lb_backend b = { .svc_id = id, .weight = 1, .gen = 3,
				.family = family, .port = be_port };
	static __u16 table[PCN_MAGLEV_SIZE];
	static struct pcn_maglev_chunk chunks[PCN_MAGLEV_CHUNKS];
	__u32 one = 1, i, slot = BE_SLOT + id;
	int inner, err = 0;

	addr(family, vip, k.vip);
	memcpy(vk.vip, k.vip, 16);
	addr(family, be, b.addr);
	memcpy(mb.key, b.addr, 16);
	if (pcn_maglev_build(&mb, 1, table))
		return -EINVAL;
	pcn_maglev_chunks(table, chunks);
	inner = bpf_map_create(BPF_MAP_TYPE_ARRAY, "t", 4, sizeof(chunks[0]),
			       PCN_MAGLEV_CHUNKS, NULL);
	if (inner < 0)
		return -errno;
	for (i = 0; i < PCN_MAGLEV_CHUNKS && !err; i++)
		if (bpf_map_update_elem(inner, &i, &chunks[i], BPF_ANY))
			err = -errno;
	if (!err &&
	    (bpf_map_update_elem(map_fd(e->lb, "lb_maglev"), &id, &inner, BPF_ANY) ||
	     bpf_map_update_elem(map_fd(e->lb, "lb_backends"), &slot, &b, BPF_ANY) ||
	     bpf_map_update_elem(map_fd(e->lb, "lb_services"), &k, &svc, BPF_ANY) ||
	     bpf_map_update_elem(map_fd(e->lb, "lb_vips"), &vk, &one, BPF_ANY)))
		err = -errno;
	close(inner);
	return err;
}

/* ---- packets ---- */

struct pkt {
	int family;
	__u8 proto;
	__u16 sport, dport;
	__u8 src[16], dst[16];
	bool zero_csum;			/* UDP sent without a checksum */
	bool cut;			/* the L4 header cut short */
	bool later_frag;		/* an IPv4 fragment after the first */
	bool first_frag;		/* the first of several (IPv4) */
	__u16 ip_id;
	__u8 icmp_type;			/* proto ICMP: the type */
};

struct frame {
	__u32 len;
	__u32 l4;
	__u8 pad[2];			/* the IP header 4-byte aligned */
	__u8 b[256];
};

static __u32 sum16(const __u8 *b, __u32 len, __u32 sum)
{
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

/* the L4 checksum over the frame as it is, pseudo header included:
 * 0xffff when right */
static __u16 l4_sum(const struct frame *f, int family, __u8 proto)
{
	const __u8 *ip = f->b + ETH_HLEN;
	__u32 l4len = f->len - f->l4, sum;

	sum = family == 4 ? sum16(ip + 12, 8, 0) : sum16(ip + 8, 32, 0);
	sum += proto + l4len;
	return fold(sum16(f->b + f->l4, l4len, sum));
}

static __u16 ip_sum(const struct frame *f)
{
	return fold(sum16(f->b + ETH_HLEN, 20, 0));
}

static __u32 csum_off(__u8 proto)
{
	return proto == IPPROTO_TCP ? 16 : proto == IPPROTO_UDP ? 6 : 2;
}

static void build(struct frame *f, const struct pkt *p)
{
	__u32 iphl = p->family == 4 ? 20 : 40, l4len, payload = 12;
	__u8 *b = f->b, *ip = b + ETH_HLEN, *l4;
	__u16 c;

	memset(f, 0, sizeof(*f));
	memset(b, 0x02, 12);
	b[12] = p->family == 4 ? 0x08 : 0x86;
	b[13] = p->family == 4 ? 0x00 : 0xdd;
	f->l4 = ETH_HLEN + iphl;
	l4 = b + f->l4;
	l4len = (p->proto == IPPROTO_TCP ? 20 : 8) + payload;
	if (p->cut)
		l4len = 6;
	f->len = f->l4 + l4len;
	if (p->family == 4) {
		ip[0] = 0x45;
		ip[2] = (iphl + l4len) >> 8;
		ip[3] = iphl + l4len;
		ip[4] = p->ip_id >> 8;
		ip[5] = p->ip_id;
		/* DF, or offset 800, or more fragments */
		ip[6] = p->later_frag ? 0 : p->first_frag ? 0x20 : 0x40;
		ip[7] = p->later_frag ? 100 : 0;
		ip[8] = 64;
		ip[9] = p->proto;
		memcpy(ip + 12, p->src, 4);
		memcpy(ip + 16, p->dst, 4);
		c = ~fold(sum16(ip, 20, 0));
		ip[10] = c >> 8;
		ip[11] = c;
	} else {
		ip[0] = 0x60;
		ip[4] = l4len >> 8;
		ip[5] = l4len;
		ip[6] = p->proto;
		ip[7] = 64;
		memcpy(ip + 8, p->src, 16);
		memcpy(ip + 24, p->dst, 16);
	}
	if (p->cut)
		return;
	memset(l4 + l4len - payload, 0xa5, payload);
	if (p->proto == IPPROTO_ICMP) {
		l4[0] = p->icmp_type;
		/* an error's quote: whatever it holds, it must not pass */
		return;
	}
	l4[0] = p->sport >> 8;
	l4[1] = p->sport;
	l4[2] = p->dport >> 8;
	l4[3] = p->dport;
	if (p->proto == IPPROTO_TCP) {
		l4[12] = 5 << 4;
		l4[13] = 0x02;			/* SYN */
	} else {
		l4[4] = l4len >> 8;
		l4[5] = l4len;
	}
	if (p->zero_csum)
		return;
	c = ~l4_sum(f, p->family, p->proto);
	if (p->proto == IPPROTO_UDP && !c)
		c = 0xffff;
	l4[csum_off(p->proto)] = c >> 8;
	l4[csum_off(p->proto) + 1] = c;
}

/* @f through direction @dir; the frame comes back rewritten */
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

static void stats(struct env *e, int dir, struct lbrp_stats *st)
{
	percpu_sum(map_fd(e->lb, "lbrp_stats"), dir, st, sizeof(*st));
}

static void be_stats(struct env *e, __u32 id, struct lb_obj_stats *st)
{
	percpu_sum(map_fd(e->lb, "lb_backend_stats"), id, st, sizeof(*st));
}

FIXTURE(lbrp) {
	struct env e;
};

FIXTURE_VARIANT(lbrp) {
	bool tc;
};

FIXTURE_VARIANT_ADD(lbrp, xdp) { .tc = false, };
FIXTURE_VARIANT_ADD(lbrp, tc) { .tc = true, };

FIXTURE_SETUP(lbrp)
{
	self->e.tc = variant->tc;
	ASSERT_EQ(0, setup(&self->e));
	ASSERT_EQ(0, add_service(&self->e, 1, 4, "10.0.0.100", 80,
				 IPPROTO_TCP, "10.1.0.11", 8080));
	ASSERT_EQ(0, add_service(&self->e, 2, 6, "2001:db8::100", 53,
				 IPPROTO_UDP, "2001:db8:1::11", 5353));
	ASSERT_EQ(0, add_service(&self->e, 3, 4, "10.0.0.100", 53,
				 IPPROTO_UDP, "10.1.0.12", 53));
}

FIXTURE_TEARDOWN(lbrp)
{
	bpf_object__close(self->e.port);
	bpf_object__close(self->e.lb);
}

/* the L4 header after the ports, and the payload, but the checksum */
static int l4_rest_cmp(const struct frame *a, const struct frame *b,
		       __u8 proto)
{
	__u32 c = a->l4 + csum_off(proto);

	return memcmp(a->b + a->l4 + 4, b->b + a->l4 + 4, c - a->l4 - 4) ||
	       memcmp(a->b + c + 2, b->b + c + 2, a->len - c - 2) ||
	       a->len != b->len;
}

/*
 * @p in by ingress: out to @be:@be_port, the rest as it came, checksums
 * right; then the backend's answer out by egress: from the VIP again.
 */
static void both_ways(struct __test_metadata *_metadata, struct env *e,
		      const struct pkt *p, const char *be, __u16 be_port)
{
	struct frame f, in;
	struct pkt r = *p;
	__u32 alen = p->family == 4 ? 4 : 16, soff, doff;
	__u8 want[16];

	soff = ETH_HLEN + (p->family == 4 ? 12 : 8);
	doff = soff + alen;
	build(&f, p);
	in = f;
	ASSERT_EQ(e->pass, run(e, PCN_DIR_INGRESS, &f));
	addr(p->family, be, want);
	EXPECT_EQ(0, memcmp(f.b + doff, want, alen));
	EXPECT_EQ(0, memcmp(f.b + soff, in.b + soff, alen));
	EXPECT_EQ(be_port, f.b[f.l4 + 2] << 8 | f.b[f.l4 + 3]);
	EXPECT_EQ(0, memcmp(f.b + f.l4, in.b + f.l4, 2));	/* sport */
	EXPECT_EQ(0, l4_rest_cmp(&f, &in, p->proto));
	if (p->family == 4)
		EXPECT_EQ(0xffff, ip_sum(&f));
	if (p->zero_csum)
		EXPECT_EQ(0, f.b[f.l4 + 6] | f.b[f.l4 + 7]);
	else
		EXPECT_EQ(0xffff, l4_sum(&f, p->family, p->proto));

	/* the answer: backend -> client */
	addr(p->family, be, r.src);
	memcpy(r.dst, p->src, 16);
	r.sport = be_port;
	r.dport = p->sport;
	build(&f, &r);
	ASSERT_EQ(e->pass, run(e, PCN_DIR_EGRESS, &f));
	EXPECT_EQ(0, memcmp(f.b + soff, p->dst, alen));
	EXPECT_EQ(0, memcmp(f.b + doff, p->src, alen));
	EXPECT_EQ(p->dport, f.b[f.l4] << 8 | f.b[f.l4 + 1]);
	EXPECT_EQ(p->sport, f.b[f.l4 + 2] << 8 | f.b[f.l4 + 3]);
	if (p->family == 4)
		EXPECT_EQ(0xffff, ip_sum(&f));
	if (p->zero_csum)
		EXPECT_EQ(0, f.b[f.l4 + 6] | f.b[f.l4 + 7]);
	else
		EXPECT_EQ(0xffff, l4_sum(&f, p->family, p->proto));
}

static void tcp_v4(struct __test_metadata *_metadata, FIXTURE_DATA(lbrp) *self)
{
	struct pkt p = { .family = 4, .proto = IPPROTO_TCP, .sport = 40000,
			 .dport = 80 };
	struct lbrp_stats in, eg;
	struct lb_obj_stats bs;

	addr(4, "192.168.1.1", p.src);
	addr(4, "10.0.0.100", p.dst);
	both_ways(_metadata, &self->e, &p, "10.1.0.11", 8080);
	/* the same flow again: its backend, no new flow */
	both_ways(_metadata, &self->e, &p, "10.1.0.11", 8080);
	stats(&self->e, PCN_DIR_INGRESS, &in);
	stats(&self->e, PCN_DIR_EGRESS, &eg);
	EXPECT_EQ(2, in.balanced);
	EXPECT_EQ(2, eg.replied);
	be_stats(&self->e, BE_SLOT + 1, &bs);
	EXPECT_EQ(1, bs.flows);
	EXPECT_EQ(4, bs.packets);
}

static void udp_v6(struct __test_metadata *_metadata, FIXTURE_DATA(lbrp) *self)
{
	struct pkt p = { .family = 6, .proto = IPPROTO_UDP, .sport = 40001,
			 .dport = 53 };

	addr(6, "2001:db8:9::1", p.src);
	addr(6, "2001:db8::100", p.dst);
	both_ways(_metadata, &self->e, &p, "2001:db8:1::11", 5353);
}

static void udp_v4_zero(struct __test_metadata *_metadata,
			FIXTURE_DATA(lbrp) *self)
{
	struct pkt p = { .family = 4, .proto = IPPROTO_UDP, .sport = 40002,
			 .dport = 53, .zero_csum = true };

	addr(4, "192.168.1.2", p.src);
	addr(4, "10.0.0.100", p.dst);
	both_ways(_metadata, &self->e, &p, "10.1.0.12", 53);
}

/* @p through @dir: @verdict, and unchanged when it passes */
static void judged(struct __test_metadata *_metadata, struct env *e, int dir,
		   const struct pkt *p, __u32 verdict)
{
	struct frame f, in;

	build(&f, p);
	in = f;
	EXPECT_EQ(verdict, run(e, dir, &f));
	if (verdict == e->pass)
		EXPECT_EQ(0, memcmp(f.b, in.b, in.len));
}

/* frame @f through @dir: @verdict, and unchanged when it passes */
static void judged_frame(struct __test_metadata *_metadata, struct env *e,
			 int dir, const struct frame *f, __u32 verdict)
{
	struct frame g = *f;

	EXPECT_EQ(verdict, run(e, dir, &g));
	if (verdict == e->pass)
		EXPECT_EQ(0, memcmp(g.b, f->b, f->len));
}

TEST_F(lbrp, fail_closed)
{
	struct pkt p = { .family = 4, .proto = IPPROTO_TCP, .sport = 40003,
			 .dport = 80 };
	struct lbrp_stats in, eg;
	struct pkt q;

	addr(4, "192.168.1.3", p.src);
	addr(4, "10.0.0.100", p.dst);
	q = p;
	q.later_frag = true;
	judged(_metadata, &self->e, PCN_DIR_INGRESS, &q, self->e.drop);
	q = p;
	q.cut = true;
	judged(_metadata, &self->e, PCN_DIR_INGRESS, &q, self->e.drop);
	q = p;
	q.proto = IPPROTO_ICMP;
	q.icmp_type = 3;	/* its "quote" is no IP header */
	judged(_metadata, &self->e, PCN_DIR_INGRESS, &q, self->e.drop);
	q = p;
	q.dport = 81;
	judged(_metadata, &self->e, PCN_DIR_INGRESS, &q, self->e.drop);
	q = p;
	q.proto = IPPROTO_UDP;			/* 80/udp: no service */
	judged(_metadata, &self->e, PCN_DIR_INGRESS, &q, self->e.drop);
	stats(&self->e, PCN_DIR_INGRESS, &in);
	EXPECT_EQ(1, in.fragments);
	EXPECT_EQ(2, in.bad_header);
	EXPECT_EQ(0, in.icmp_errors);
	EXPECT_EQ(2, in.no_backend);
	EXPECT_EQ(0, in.balanced);
	/* not to a VIP: unchanged */
	q = p;
	addr(4, "10.0.0.101", q.dst);
	judged(_metadata, &self->e, PCN_DIR_INGRESS, &q, self->e.pass);
	/* toward a client, of no balanced flow: unchanged */
	q = p;
	addr(4, "10.1.0.11", q.src);
	q.sport = 8080;
	addr(4, "192.168.1.3", q.dst);
	q.dport = 40003;
	judged(_metadata, &self->e, PCN_DIR_EGRESS, &q, self->e.pass);
	stats(&self->e, PCN_DIR_INGRESS, &in);
	stats(&self->e, PCN_DIR_EGRESS, &eg);
	EXPECT_EQ(1, in.passed);
	EXPECT_EQ(0, eg.replied);
	EXPECT_EQ(1, eg.passed);
}

/*
 * ICMP (@family 4) or ICMPv6 error @type/@code from @src to @dst
 * quoting the first @qlen bytes of the IP packet in @q.
 */
static void build_error(struct frame *f, int family, const char *src,
			const char *dst, __u8 type, __u8 code,
			const struct frame *q, __u32 qlen)
{
	struct pkt p = { .family = family,
			 .proto = family == 4 ? IPPROTO_ICMP : 58 };
	__u32 iphl = family == 4 ? 20 : 40, l4len = 8 + qlen;
	__u8 *ip = f->b + ETH_HLEN, *l4;
	__u16 c;

	addr(family, src, p.src);
	addr(family, dst, p.dst);
	p.cut = true;		/* the headers alone: the rest is here */
	build(f, &p);
	l4 = f->b + f->l4;
	f->len = f->l4 + l4len;
	if (family == 4) {
		ip[2] = (iphl + l4len) >> 8;
		ip[3] = iphl + l4len;
		ip[10] = ip[11] = 0;
		c = ~fold(sum16(ip, 20, 0));
		ip[10] = c >> 8;
		ip[11] = c;
	} else {
		ip[4] = l4len >> 8;
		ip[5] = l4len;
	}
	memset(l4, 0, 8);
	l4[0] = type;
	l4[1] = code;
	if (family == 4 && type == 3 && code == 4)
		l4[7] = 0xdc;		/* next-hop MTU 1500 - 4 * 72 */
	if (family == 6 && type == 2)
		l4[6] = 0x05;		/* MTU 1280 */
	memcpy(l4 + 8, q->b + ETH_HLEN, qlen);
	c = family == 4 ? ~fold(sum16(l4, l4len, 0)) : ~l4_sum(f, 6, 58);
	l4[2] = c >> 8;
	l4[3] = c;
}

/* the ICMP checksum of error @f, recomputed whole: 0xffff when right */
static __u16 icmp_sum(const struct frame *f, int family)
{
	if (family == 4)
		return fold(sum16(f->b + f->l4, f->len - f->l4, 0));
	return l4_sum(f, 6, 58);
}

/*
 * Client packet @p to the VIP, in by ingress (to @be:@be_port); then
 * errors about it both ways, each checked whole:
 *   out   @be's port unreachable to the client, quoting the packet
 *         as the backend got it: the quote comes out as @p was sent,
 *         from the VIP; the same from a router @rt: from @rt still
 *   in    the client's port unreachable (@rt's need for a smaller MTU
 *         when @rt is given to the VIP) about the backend's reply
 *         as the client got it: to @be, quoting the reply as @be
 *         sent it
 */
static void error_both_ways(struct __test_metadata *_metadata, struct env *e,
			    const struct pkt *p, const char *be, __u16 be_port,
			    const char *rt)
{
	struct frame sent, got, reply, seen, f;
	__u32 alen = p->family == 4 ? 4 : 16, soff, doff, qlen, qoff;
	char cs[64], vs[64];
	struct pkt r = *p;
	__u8 unreach = p->family == 4 ? 3 : 1;
	__u8 port_code = p->family == 4 ? 3 : 4;
	__u8 want[16];

	inet_ntop(p->family == 4 ? AF_INET : AF_INET6, p->src, cs, sizeof(cs));
	inet_ntop(p->family == 4 ? AF_INET : AF_INET6, p->dst, vs, sizeof(vs));
	soff = ETH_HLEN + (p->family == 4 ? 12 : 8);
	doff = soff + alen;
	build(&sent, p);
	got = sent;
	ASSERT_EQ(e->pass, run(e, PCN_DIR_INGRESS, &got));
	qlen = got.len - ETH_HLEN;
	addr(p->family, be, want);

	/* the backend's port unreachable, to the client */
	build_error(&f, p->family, be, cs, unreach, port_code, &got, qlen);
	qoff = f.l4 + 8;
	ASSERT_EQ(e->pass, run(e, PCN_DIR_EGRESS, &f));
	EXPECT_EQ(0, memcmp(f.b + soff, p->dst, alen));	/* the VIP */
	EXPECT_EQ(0, memcmp(f.b + doff, p->src, alen));
	EXPECT_EQ(0, memcmp(f.b + qoff, sent.b + ETH_HLEN, qlen));
	EXPECT_EQ(0xffff, icmp_sum(&f, p->family));
	if (p->family == 4)
		EXPECT_EQ(0xffff, ip_sum(&f));
	/* a router's, past the cube: from the router still */
	build_error(&f, p->family, rt, cs, unreach, 0, &got, qlen);
	ASSERT_EQ(e->pass, run(e, PCN_DIR_EGRESS, &f));
	addr(p->family, rt, want);
	EXPECT_EQ(0, memcmp(f.b + soff, want, alen));
	EXPECT_EQ(0, memcmp(f.b + qoff, sent.b + ETH_HLEN, qlen));
	EXPECT_EQ(0xffff, icmp_sum(&f, p->family));
	if (p->family == 4)
		EXPECT_EQ(0xffff, ip_sum(&f));

	/* the backend's reply, as the client gets it */
	addr(p->family, be, r.src);
	memcpy(r.dst, p->src, 16);
	r.sport = be_port;
	r.dport = p->sport;
	build(&reply, &r);
	seen = reply;
	ASSERT_EQ(e->pass, run(e, PCN_DIR_EGRESS, &seen));
	/* the client's port unreachable about it, to the VIP */
	build_error(&f, p->family, cs, vs, unreach, port_code, &seen, qlen);
	ASSERT_EQ(e->pass, run(e, PCN_DIR_INGRESS, &f));
	addr(p->family, be, want);
	EXPECT_EQ(0, memcmp(f.b + soff, p->src, alen));
	EXPECT_EQ(0, memcmp(f.b + doff, want, alen));
	EXPECT_EQ(0, memcmp(f.b + qoff, reply.b + ETH_HLEN, qlen));
	EXPECT_EQ(0xffff, icmp_sum(&f, p->family));
	if (p->family == 4)
		EXPECT_EQ(0xffff, ip_sum(&f));
	/* a router's before the cube: too big (IPv4: fragmentation
	 * needed), 8 bytes of the reply's L4 header quoted, no more */
	qlen = (p->family == 4 ? 20 : 40) + 8;
	build_error(&f, p->family, rt, vs, p->family == 4 ? 3 : 2,
		    p->family == 4 ? 4 : 0, &seen, qlen);
	ASSERT_EQ(e->pass, run(e, PCN_DIR_INGRESS, &f));
	addr(p->family, rt, want);
	EXPECT_EQ(0, memcmp(f.b + soff, want, alen));
	addr(p->family, be, want);
	EXPECT_EQ(0, memcmp(f.b + doff, want, alen));
	EXPECT_EQ(0, memcmp(f.b + qoff, reply.b + ETH_HLEN, qlen));
	EXPECT_EQ(0xffff, icmp_sum(&f, p->family));
}

TEST_F(lbrp, icmp_errors)
{
	struct pkt p = { .family = 4, .proto = IPPROTO_UDP, .sport = 40004,
			 .dport = 53 };
	struct pkt t = { .family = 4, .proto = IPPROTO_TCP, .sport = 40005,
			 .dport = 80 };
	struct pkt p6 = { .family = 6, .proto = IPPROTO_UDP, .sport = 40006,
			  .dport = 53 };
	struct frame f, in, got;
	struct lbrp_stats st[2];
	struct lb_obj_stats bs;

	addr(4, "192.168.1.4", p.src);
	addr(4, "10.0.0.100", p.dst);
	error_both_ways(_metadata, &self->e, &p, "10.1.0.12", 53, "10.1.0.1");
	addr(4, "192.168.1.5", t.src);
	addr(4, "10.0.0.100", t.dst);
	error_both_ways(_metadata, &self->e, &t, "10.1.0.11", 8080,
			"192.168.1.254");
	addr(6, "2001:db8:9::4", p6.src);
	addr(6, "2001:db8::100", p6.dst);
	error_both_ways(_metadata, &self->e, &p6, "2001:db8:1::11", 5353,
			"2001:db8:9::fe");
	stats(&self->e, PCN_DIR_INGRESS, &st[0]);
	stats(&self->e, PCN_DIR_EGRESS, &st[1]);
	EXPECT_EQ(6, st[0].icmp_translated);
	EXPECT_EQ(6, st[1].icmp_translated);
	be_stats(&self->e, BE_SLOT + 3, &bs);
	EXPECT_EQ(1, bs.flows);
	EXPECT_EQ(6, bs.packets);	/* the packet, its reply, 4 errors */

	/* about no balanced flow: to a VIP dropped, to a client through */
	p.sport = 40100;
	build(&got, &p);
	build_error(&f, 4, "192.168.1.4", "10.0.0.100", 3, 3, &got, 28);
	judged_frame(_metadata, &self->e, PCN_DIR_INGRESS, &f, self->e.drop);
	build_error(&f, 4, "10.1.0.12", "192.168.1.4", 3, 3, &got, 28);
	judged_frame(_metadata, &self->e, PCN_DIR_EGRESS, &f, self->e.pass);
	/* about the flow, to someone else than its client: dropped */
	p.sport = 40004;
	build(&got, &p);
	in = got;
	ASSERT_EQ(self->e.pass, run(&self->e, PCN_DIR_INGRESS, &got));
	build_error(&f, 4, "10.1.0.12", "192.168.1.99", 3, 3, &got, 28);
	judged_frame(_metadata, &self->e, PCN_DIR_EGRESS, &f, self->e.drop);
	/* the quote cut short (7 bytes of UDP), either way: dropped */
	build_error(&f, 4, "10.1.0.12", "192.168.1.4", 3, 3, &got, 27);
	judged_frame(_metadata, &self->e, PCN_DIR_EGRESS, &f, self->e.drop);
	build_error(&f, 4, "192.168.1.4", "10.0.0.100", 3, 3, &in, 27);
	judged_frame(_metadata, &self->e, PCN_DIR_INGRESS, &f, self->e.drop);
	stats(&self->e, PCN_DIR_INGRESS, &st[0]);
	stats(&self->e, PCN_DIR_EGRESS, &st[1]);
	EXPECT_EQ(1, st[0].icmp_errors);
	EXPECT_EQ(1, st[1].icmp_errors);
	EXPECT_EQ(1, st[0].bad_header);
	EXPECT_EQ(1, st[1].bad_header);
	EXPECT_EQ(6, st[0].icmp_translated);
	EXPECT_EQ(6, st[1].icmp_translated);
}

TEST_F(lbrp, reply_frags)
{
	struct pkt p = { .family = 4, .proto = IPPROTO_UDP, .sport = 40007,
			 .dport = 53 };
	struct pkt r = { .family = 4, .proto = IPPROTO_UDP, .sport = 53,
			 .dport = 40007, .first_frag = true, .ip_id = 0x1234 };
	struct frame f, in;
	struct lbrp_stats eg;
	__u32 soff = ETH_HLEN + 12;

	addr(4, "192.168.1.7", p.src);
	addr(4, "10.0.0.100", p.dst);
	build(&f, &p);
	ASSERT_EQ(self->e.pass, run(&self->e, PCN_DIR_INGRESS, &f));
	addr(4, "10.1.0.12", r.src);
	memcpy(r.dst, p.src, 16);
	build(&f, &r);
	ASSERT_EQ(self->e.pass, run(&self->e, PCN_DIR_EGRESS, &f));
	EXPECT_EQ(0, memcmp(f.b + soff, p.dst, 4));
	EXPECT_EQ(0xffff, ip_sum(&f));
	/* a later fragment of it: from the VIP, nothing else changed */
	r.first_frag = false;
	r.later_frag = true;
	build(&f, &r);
	in = f;
	ASSERT_EQ(self->e.pass, run(&self->e, PCN_DIR_EGRESS, &f));
	EXPECT_EQ(0, memcmp(f.b + soff, p.dst, 4));
	EXPECT_EQ(0xffff, ip_sum(&f));
	EXPECT_EQ(0, memcmp(f.b, in.b, ETH_HLEN + 10));
	EXPECT_EQ(0, memcmp(f.b + soff + 4, in.b + soff + 4,
			    in.len - soff - 4));
	/* of another datagram: unchanged */
	r.ip_id = 0x1235;
	build(&f, &r);
	judged_frame(_metadata, &self->e, PCN_DIR_EGRESS, &f, self->e.pass);
	stats(&self->e, PCN_DIR_EGRESS, &eg);
	EXPECT_EQ(1, eg.replied);
	EXPECT_EQ(1, eg.fragments);
	EXPECT_EQ(1, eg.passed);
}

/*
 * Two tests a build, not one a case: each fixture loads the program,
 * which takes the verifier seconds on a loaded machine.
 */
TEST_F(lbrp, rewrites)
{
	tcp_v4(_metadata, self);
	udp_v6(_metadata, self);
	udp_v4_zero(_metadata, self);
}

TEST_HARNESS_MAIN
