// SPDX-License-Identifier: GPL-2.0
/*
 * The lbdsr datapath through BPF_PROG_TEST_RUN, XDP and TC builds: a
 * packet to a service leaves by the backend port with only its MAC
 * addresses rewritten (the rest byte for byte, so the checksums are
 * those it came with), IPv4 and IPv6; ARP and NDP for a VIP answered in
 * place (the advertisement's checksum recomputed whole);
 * an ICMP error about a balanced flow follows it to its backend; later
 * fragments, truncated headers and VIP ports with no service dropped
 * and counted; other frames cross unchanged.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf_test.h"
#include "harness.h"
#include "pcn_shared.h"
#include "lbdsr.h"
#include "maglev_table.h"
#include "lbdsr_xdp.skel.h"
#include "lbdsr_tc.skel.h"

#define LO_IFINDEX 1

static const __u8 cube_mac[6] = { 0x02, 0xcc, 0, 0, 0, 1 };
static const __u8 be_mac[6] = { 0x02, 0xbb, 0, 0, 0, 1 };
static const __u8 client_mac[6] = { 0x02, 0xaa, 0, 0, 0, 1 };

FIXTURE(lb) {
	bool tc;
	void *skel;
	struct bpf_object *obj;
	int prog_fd;
};

FIXTURE_VARIANT(lb) {
	bool tc;
};

FIXTURE_VARIANT_ADD(lb, xdp) { .tc = false, };
FIXTURE_VARIANT_ADD(lb, tc) { .tc = true, };

static int set_port(struct bpf_object *obj, __u32 idx)
{
	struct pcn_port p = {
		.peer = PCN_PEER_IFACE,
		.ifindex = LO_IFINDEX,
		.eg_point = PCN_POINT_NONE,
	};
	__u32 ifindex = LO_IFINDEX;
	int fd = map_fd(obj, "pcn_devmap");

	snprintf(p.name, sizeof(p.name), "p%u", idx);
	if (bpf_map_update_elem(map_fd(obj, "pcn_ports"), &idx, &p, BPF_ANY))
		return -errno;
	if (fd >= 0 && bpf_map_update_elem(fd, &idx, &ifindex, BPF_ANY))
		return -errno;
	return 0;
}

/* service @id at @vip (family @family) port 80/tcp with backend 4 + @id alone */
static int add_service(struct bpf_object *obj, __u32 id, int family,
		       const char *vip)
{
	struct lb_svc_key k = { .port = 80, .proto = IPPROTO_TCP,
				.family = family };
	struct lb_svc_key vk = { .family = family };
	struct lb_svc svc = { .id = id };
	struct pcn_maglev_backend mb = { .weight = 1, .id = 4 + id };
	struct lb_backend be = { .svc_id = id, .weight = 1, .gen = 7,
				 .family = family };
	static __u16 table[PCN_MAGLEV_SIZE];
	static struct pcn_maglev_chunk chunks[PCN_MAGLEV_CHUNKS];
	__u32 one = 1, i, slot = 4 + id;
	int inner;

	inet_pton(family == 4 ? AF_INET : AF_INET6, vip, k.vip);
	memcpy(vk.vip, k.vip, 16);
	memcpy(be.mac, be_mac, 6);
	if (pcn_maglev_build(&mb, 1, table))
		return -EINVAL;
	pcn_maglev_chunks(table, chunks);
	inner = bpf_map_create(BPF_MAP_TYPE_ARRAY, "t", 4, sizeof(chunks[0]),
			       PCN_MAGLEV_CHUNKS, NULL);
	if (inner < 0)
		return -errno;
	for (i = 0; i < PCN_MAGLEV_CHUNKS; i++)
		if (bpf_map_update_elem(inner, &i, &chunks[i], BPF_ANY))
			return -errno;
	if (bpf_map_update_elem(map_fd(obj, "lb_maglev"), &id, &inner, BPF_ANY) ||
	    bpf_map_update_elem(map_fd(obj, "lb_backends"), &slot, &be, BPF_ANY) ||
	    bpf_map_update_elem(map_fd(obj, "lb_services"), &k, &svc, BPF_ANY) ||
	    bpf_map_update_elem(map_fd(obj, "lb_vips"), &vk, &one, BPF_ANY))
		return -errno;
	close(inner);
	return 0;
}

FIXTURE_SETUP(lb)
{
	struct lb_config cfg = { .frontend = 1, .backend = 2 };
	__u32 zero = 0;

	self->tc = variant->tc;
	if (self->tc) {
		struct lbdsr_tc *s = lbdsr_tc__open_and_load();

		ASSERT_NE(NULL, s);
		self->skel = s;
		self->obj = s->obj;
		self->prog_fd = bpf_program__fd(s->progs.lbdsr);
	} else {
		struct lbdsr_xdp *s = lbdsr_xdp__open_and_load();

		ASSERT_NE(NULL, s);
		self->skel = s;
		self->obj = s->obj;
		self->prog_fd = bpf_program__fd(s->progs.lbdsr);
	}
	memcpy(cfg.mac, cube_mac, 6);
	ASSERT_EQ(0, set_port(self->obj, 0));
	ASSERT_EQ(0, set_port(self->obj, 1));
	ASSERT_EQ(0, bpf_map_update_elem(map_fd(self->obj, "lb_config"), &zero,
					 &cfg, BPF_ANY));
	ASSERT_EQ(0, add_service(self->obj, 1, 4, "10.0.0.100"));
	ASSERT_EQ(0, add_service(self->obj, 2, 6, "2001:db8::100"));
}

FIXTURE_TEARDOWN(lb)
{
	if (self->tc)
		lbdsr_tc__destroy(self->skel);
	else
		lbdsr_xdp__destroy(self->skel);
}

struct frame {
	__u8 b[256];
	__u32 len;
};

static void eth(struct frame *f, __u16 proto)
{
	memcpy(f->b, cube_mac, 6);
	memcpy(f->b + 6, client_mac, 6);
	f->b[12] = proto >> 8;
	f->b[13] = proto & 0xff;
	f->len = 14;
}

/* IPv4 @src -> @dst, @proto, @l4len bytes of payload to follow */
static __u8 *ipv4(struct frame *f, const char *src, const char *dst,
		  __u8 proto, __u16 l4len, __u16 frag)
{
	__u8 *ip = f->b + f->len;

	eth(f, ETH_P_IP);
	ip = f->b + 14;
	ip[0] = 0x45;
	ip[2] = (20 + l4len) >> 8;
	ip[3] = (20 + l4len) & 0xff;
	ip[6] = frag >> 8;
	ip[7] = frag & 0xff;
	ip[8] = 64;
	ip[9] = proto;
	ip[10] = 0x12;		/* a checksum, which the cube must not touch */
	ip[11] = 0x34;
	inet_pton(AF_INET, src, ip + 12);
	inet_pton(AF_INET, dst, ip + 16);
	f->len = 34 + l4len;
	return ip + 20;
}

static void ports(__u8 *l4, __u16 sport, __u16 dport)
{
	l4[0] = sport >> 8;
	l4[1] = sport & 0xff;
	l4[2] = dport >> 8;
	l4[3] = dport & 0xff;
}

static void tcp4(struct frame *f, const char *src, const char *dst,
		 __u16 sport, __u16 dport)
{
	__u8 *l4 = ipv4(f, src, dst, IPPROTO_TCP, 20, 0);

	ports(l4, sport, dport);
	l4[12] = 0x50;
	l4[13] = 0x02;		/* SYN */
	l4[16] = 0xab;		/* its checksum */
	l4[17] = 0xcd;
}

static int run(FIXTURE_DATA(lb) *self, struct frame *f, __u32 in_port,
	       __u32 *retval)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = f->b,
		    .data_size_in = f->len < 60 ? 60 : f->len,
		    .data_out = f->b, .data_size_out = sizeof(f->b),
		    .repeat = 1);
	struct __sk_buff skb = {};
	int err;

	if (self->tc) {
		skb.cb[0] = in_port;
		opts.ctx_in = &skb;
		opts.ctx_size_in = sizeof(skb);
	} else {
		int ncpu = libbpf_num_possible_cpus(), i;
		struct pcn_md md[ncpu];
		__u32 zero = 0;

		for (i = 0; i < ncpu; i++)
			md[i] = (struct pcn_md){ .in_port = in_port };
		if (bpf_map_update_elem(map_fd(self->obj, "pcn_scratch"), &zero,
					md, BPF_ANY))
			return -errno;
	}
	err = bpf_prog_test_run_opts(self->prog_fd, &opts);
	*retval = opts.retval;
	return err ? -errno : 0;
}

static __u32 v_drop(bool tc) { return tc ? TC_ACT_SHOT : XDP_DROP; }
static __u32 v_redirect(bool tc) { return tc ? TC_ACT_REDIRECT : XDP_REDIRECT; }

static __u64 lb_stat(struct bpf_object *obj, size_t off)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	struct lb_stats v[ncpu];
	__u64 sum = 0;
	__u32 zero = 0;

	if (bpf_map_lookup_elem(map_fd(obj, "lb_stats"), &zero, v))
		return ~0ull;
	for (i = 0; i < ncpu; i++)
		sum += *(__u64 *)((char *)&v[i] + off);
	return sum;
}

#define STAT(obj, f) lb_stat(obj, offsetof(struct lb_stats, f))

static __u64 be_stat(struct bpf_object *obj, __u32 id, size_t off)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	struct lb_obj_stats v[ncpu];
	__u64 sum = 0;

	if (bpf_map_lookup_elem(map_fd(obj, "lb_backend_stats"), &id, v))
		return ~0ull;
	for (i = 0; i < ncpu; i++)
		sum += *(__u64 *)((char *)&v[i] + off);
	return sum;
}

/* balanced: the MACs rewritten, every other byte as it came */
static void balanced_v4(struct __test_metadata *_metadata, FIXTURE_DATA(lb) *self)
{
	struct frame f = {}, in;
	__u32 ret;

	tcp4(&f, "192.168.1.1", "10.0.0.100", 40000, 80);
	in = f;
	ASSERT_EQ(0, run(self, &f, 0, &ret));
	EXPECT_EQ(v_redirect(self->tc), ret);
	EXPECT_EQ(0, memcmp(f.b, be_mac, 6));
	EXPECT_EQ(0, memcmp(f.b + 6, cube_mac, 6));
	EXPECT_EQ(0, memcmp(f.b + 12, in.b + 12, in.len - 12));
	EXPECT_EQ(1, STAT(self->obj, balanced));
	EXPECT_EQ(1, be_stat(self->obj, 5, offsetof(struct lb_obj_stats, flows)));
	/* the same flow again: no new flow */
	f = in;
	ASSERT_EQ(0, run(self, &f, 0, &ret));
	EXPECT_EQ(v_redirect(self->tc), ret);
	EXPECT_EQ(1, be_stat(self->obj, 5, offsetof(struct lb_obj_stats, flows)));
	EXPECT_EQ(2, be_stat(self->obj, 5, offsetof(struct lb_obj_stats, packets)));
}

static void balanced_v6(struct __test_metadata *_metadata, FIXTURE_DATA(lb) *self)
{
	struct frame f = {}, in;
	__u8 *ip, *l4;
	__u64 before = STAT(self->obj, balanced);
	__u32 ret;

	eth(&f, ETH_P_IPV6);
	ip = f.b + 14;
	ip[0] = 0x60;
	ip[5] = 20;		/* payload length */
	ip[6] = IPPROTO_TCP;
	ip[7] = 64;
	inet_pton(AF_INET6, "2001:db8:1::1", ip + 8);
	inet_pton(AF_INET6, "2001:db8::100", ip + 24);
	l4 = ip + 40;
	ports(l4, 40000, 80);
	l4[12] = 0x50;
	l4[13] = 0x02;
	f.len = 14 + 40 + 20;
	in = f;
	ASSERT_EQ(0, run(self, &f, 0, &ret));
	EXPECT_EQ(v_redirect(self->tc), ret);
	EXPECT_EQ(0, memcmp(f.b, be_mac, 6));
	EXPECT_EQ(0, memcmp(f.b + 12, in.b + 12, in.len - 12));
	EXPECT_EQ(before + 1, STAT(self->obj, balanced));
}

static void arp_for_vip(struct __test_metadata *_metadata, FIXTURE_DATA(lb) *self)
{
	struct frame f = {};
	__u8 *a;
	__u32 ret;

	eth(&f, ETH_P_ARP);
	memset(f.b, 0xff, 6);
	a = f.b + 14;
	a[1] = 1;		/* Ethernet */
	a[2] = 0x08;		/* IPv4 */
	a[4] = 6;
	a[5] = 4;
	a[7] = 1;		/* request */
	memcpy(a + 8, client_mac, 6);
	inet_pton(AF_INET, "10.0.0.1", a + 14);
	inet_pton(AF_INET, "10.0.0.100", a + 24);
	f.len = 42;
	ASSERT_EQ(0, run(self, &f, 0, &ret));
	EXPECT_EQ(v_redirect(self->tc), ret);
	EXPECT_EQ(2, a[7]);	/* a reply */
	EXPECT_EQ(0, memcmp(a + 8, cube_mac, 6));
	EXPECT_EQ(0, memcmp(a + 18, client_mac, 6));
	EXPECT_EQ(0, memcmp(f.b, client_mac, 6));
	EXPECT_EQ(0, memcmp(f.b + 6, cube_mac, 6));
	/* the addresses swapped (byte compares: ARP fields are unaligned) */
	EXPECT_EQ(0, memcmp(a + 14, "\x0a\x00\x00\x64", 4));
	EXPECT_EQ(0, memcmp(a + 24, "\x0a\x00\x00\x01", 4));
	EXPECT_EQ(1, STAT(self->obj, arp_replied));

	/* for another address: across, unchanged */
	memset(&f, 0, sizeof(f));
	eth(&f, ETH_P_ARP);
	a = f.b + 14;
	a[1] = 1;
	a[2] = 0x08;
	a[4] = 6;
	a[5] = 4;
	a[7] = 1;
	inet_pton(AF_INET, "10.0.0.99", a + 24);
	f.len = 42;
	ASSERT_EQ(0, run(self, &f, 0, &ret));
	EXPECT_EQ(v_redirect(self->tc), ret);
	EXPECT_EQ(1, a[7]);
	EXPECT_EQ(1, STAT(self->obj, passed));
}

/* the ICMPv6 checksum of @f (IPv6, no extension header), computed
 * whole: 0xffff when right */
static __u16 icmp6_sum(const struct frame *f)
{
	const __u8 *ip = f->b + 14;
	__u32 len = ip[4] << 8 | ip[5], sum = 58 + len, i;

	for (i = 8; i < 40; i += 2)
		sum += ip[i] << 8 | ip[i + 1];
	for (i = 0; i + 1 < len; i += 2)
		sum += ip[40 + i] << 8 | ip[40 + i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* a neighbour solicitation from 2001:db8:1::1 for @target */
static void ns(struct frame *f, const char *target)
{
	__u8 *ip, *nd;
	__u16 c;

	memset(f, 0, sizeof(*f));
	eth(f, ETH_P_IPV6);
	memcpy(f->b, "\x33\x33\xff\x00\x01\x00", 6);
	ip = f->b + 14;
	ip[0] = 0x60;
	ip[5] = 32;
	ip[6] = 58;
	ip[7] = 255;
	inet_pton(AF_INET6, "2001:db8:1::1", ip + 8);
	inet_pton(AF_INET6, "ff02::1:ff00:100", ip + 24);
	nd = ip + 40;
	nd[0] = 135;
	inet_pton(AF_INET6, target, nd + 8);
	nd[24] = 1;
	nd[25] = 1;
	memcpy(nd + 26, client_mac, 6);
	f->len = 14 + 40 + 32;
	c = ~icmp6_sum(f);
	nd[2] = c >> 8;
	nd[3] = c;
}

/* NDP for an IPv6 VIP answered in place, as ARP is for IPv4 */
static void nd_for_vip(struct __test_metadata *_metadata, FIXTURE_DATA(lb) *self)
{
	struct frame f;
	__u8 want[16], *ip = f.b + 14, *nd = f.b + 54;
	__u64 passed = STAT(self->obj, passed);
	__u32 ret;

	ns(&f, "2001:db8::100");
	ASSERT_EQ(0xffff, icmp6_sum(&f));
	ASSERT_EQ(0, run(self, &f, 0, &ret));
	EXPECT_EQ(v_redirect(self->tc), ret);
	EXPECT_EQ(0, memcmp(f.b, client_mac, 6));
	EXPECT_EQ(0, memcmp(f.b + 6, cube_mac, 6));
	inet_pton(AF_INET6, "2001:db8::100", want);
	EXPECT_EQ(0, memcmp(ip + 8, want, 16));		/* from the VIP */
	inet_pton(AF_INET6, "2001:db8:1::1", want);
	EXPECT_EQ(0, memcmp(ip + 24, want, 16));	/* to the asker */
	EXPECT_EQ(255, ip[7]);
	EXPECT_EQ(136, nd[0]);				/* an advertisement */
	EXPECT_EQ(0x60, nd[4]);				/* solicited, override */
	inet_pton(AF_INET6, "2001:db8::100", want);
	EXPECT_EQ(0, memcmp(nd + 8, want, 16));
	EXPECT_EQ(2, nd[24]);				/* target's address */
	EXPECT_EQ(0, memcmp(nd + 26, cube_mac, 6));
	EXPECT_EQ(0xffff, icmp6_sum(&f));
	EXPECT_EQ(1, STAT(self->obj, nd_replied));

	/* for another address, or duplicate address detection (from
	 * ::): across, unchanged */
	ns(&f, "2001:db8::99");
	ASSERT_EQ(0, run(self, &f, 0, &ret));
	EXPECT_EQ(v_redirect(self->tc), ret);
	EXPECT_EQ(135, nd[0]);
	ns(&f, "2001:db8::100");
	memset(ip + 8, 0, 16);
	ASSERT_EQ(0, run(self, &f, 0, &ret));
	EXPECT_EQ(v_redirect(self->tc), ret);
	EXPECT_EQ(135, nd[0]);
	EXPECT_EQ(1, STAT(self->obj, nd_replied));
	EXPECT_EQ(passed + 2, STAT(self->obj, passed));
}

static void fail_closed(struct __test_metadata *_metadata, FIXTURE_DATA(lb) *self)
{
	struct frame f = {};
	__u8 *l4;
	__u32 ret;

	/* a later fragment to a VIP */
	l4 = ipv4(&f, "192.168.1.1", "10.0.0.100", IPPROTO_TCP, 20, 185);
	ports(l4, 40000, 80);
	ASSERT_EQ(0, run(self, &f, 0, &ret));
	EXPECT_EQ(v_drop(self->tc), ret);
	EXPECT_EQ(1, STAT(self->obj, fragments));

	/* a TCP header cut short by the IP length */
	memset(&f, 0, sizeof(f));
	l4 = ipv4(&f, "192.168.1.1", "10.0.0.100", IPPROTO_TCP, 10, 0);
	ports(l4, 40000, 80);
	ASSERT_EQ(0, run(self, &f, 0, &ret));
	EXPECT_EQ(v_drop(self->tc), ret);
	EXPECT_EQ(1, STAT(self->obj, bad_header));

	/* an IHL of 4 */
	memset(&f, 0, sizeof(f));
	tcp4(&f, "192.168.1.1", "10.0.0.100", 40000, 80);
	f.b[14] = 0x44;
	ASSERT_EQ(0, run(self, &f, 0, &ret));
	EXPECT_EQ(v_drop(self->tc), ret);
	EXPECT_EQ(2, STAT(self->obj, bad_header));

	/* a VIP port with no service */
	memset(&f, 0, sizeof(f));
	tcp4(&f, "192.168.1.1", "10.0.0.100", 40000, 81);
	ASSERT_EQ(0, run(self, &f, 0, &ret));
	EXPECT_EQ(v_drop(self->tc), ret);
	EXPECT_EQ(1, STAT(self->obj, no_backend));
	EXPECT_EQ(0, STAT(self->obj, balanced));

	/* not for a VIP: across, unchanged */
	memset(&f, 0, sizeof(f));
	tcp4(&f, "192.168.1.1", "10.0.0.101", 40000, 80);
	ASSERT_EQ(0, run(self, &f, 0, &ret));
	EXPECT_EQ(v_redirect(self->tc), ret);
	EXPECT_EQ(0, memcmp(f.b, cube_mac, 6));
	EXPECT_EQ(1, STAT(self->obj, passed));

	/* from the backend side: across, counted */
	ASSERT_EQ(0, run(self, &f, 1, &ret));
	EXPECT_EQ(v_redirect(self->tc), ret);
	EXPECT_EQ(1, STAT(self->obj, returned));
}

/* an ICMP error quoting a balanced flow's reply goes to its backend */
static void icmp_error(struct frame *f, __u16 client_port)
{
	__u8 *ic, *q;

	memset(f, 0, sizeof(*f));
	ic = ipv4(f, "10.0.0.1", "10.0.0.100", IPPROTO_ICMP, 8 + 20 + 8, 0);
	ic[0] = 3;		/* unreachable */
	ic[1] = 4;		/* fragmentation needed */
	q = ic + 8;
	q[0] = 0x45;
	q[3] = 40;
	q[8] = 64;
	q[9] = IPPROTO_TCP;
	inet_pton(AF_INET, "10.0.0.100", q + 12);
	inet_pton(AF_INET, "192.168.1.1", q + 16);
	ports(q + 20, 80, client_port);
}

static void icmp_error_follows_flow(struct __test_metadata *_metadata, FIXTURE_DATA(lb) *self)
{
	struct frame f = {};
	__u32 ret;

	/* no such flow: dropped, and none opened */
	icmp_error(&f, 40001);
	ASSERT_EQ(0, run(self, &f, 0, &ret));
	EXPECT_EQ(v_drop(self->tc), ret);
	EXPECT_EQ(0, be_stat(self->obj, 5, offsetof(struct lb_obj_stats, flows)));

	tcp4(&f, "192.168.1.1", "10.0.0.100", 40001, 80);
	ASSERT_EQ(0, run(self, &f, 0, &ret));
	EXPECT_EQ(v_redirect(self->tc), ret);
	icmp_error(&f, 40001);
	ASSERT_EQ(0, run(self, &f, 0, &ret));
	EXPECT_EQ(v_redirect(self->tc), ret);
	EXPECT_EQ(0, memcmp(f.b, be_mac, 6));
	EXPECT_EQ(2, STAT(self->obj, balanced));
}

/*
 * Three tests a build, not one a case: each fixture loads the program,
 * whose parse takes the verifier seconds on a loaded machine. The
 * counters are checked as differences where cases share them.
 */
TEST_F(lb, rewrites)
{
	balanced_v4(_metadata, self);
	arp_for_vip(_metadata, self);
}

TEST_F(lb, fail_closed)
{
	fail_closed(_metadata, self);
}

TEST_F(lb, icmp_error_and_v6)
{
	icmp_error_follows_flow(_metadata, self);
	balanced_v6(_metadata, self);
	nd_for_vip(_metadata, self);
}

TEST_HARNESS_MAIN
