// SPDX-License-Identifier: GPL-2.0
/*
 * The firewall datapath through BPF_PROG_TEST_RUN, XDP and TC builds of
 * the same source. Chains are built into the cube's maps by
 * fw_set_write(), as pcn builds them; both programs hand what they
 * accept to pcn_final_pass in their next slot, so an accepted packet
 * comes back as the build's pass verdict, a dropped one as its drop.
 *
 * The test keeps a model of what the datapath owes: each packet's
 * verdict and the counter it moves (its first match's, or the chain's
 * policy count) are checked as it goes, every rule's counters and every
 * chain's statistics at the end, so a packet counted twice or by the
 * wrong rule is seen. The first match comes from a linear scan with the
 * datapath's semantics (ref_first()) or is written by hand, and then
 * the scan must agree.
 *
 *   classbench_*      ClassBench rule sets against their traces: the
 *                     first 10 rules of acl1_1k, then acl1 and fw1,
 *                     1k and 8k, whole (read from $PCN_CLASSBENCH, else
 *                     CLASSBENCH_DIR; skipped without them)
 *   ipv6              /0, /48 and /128 prefixes; families kept apart
 *   malformed         headers cut short or wrong: dropped, no rule seen
 *   headers_walked    VLAN tags, IPv4 options, IPv6 extension headers
 *   fragments         a later fragment takes the first rule matching
 *                     what it has, and fails closed on one on ports
 *   icmp_types        ICMP and ICMPv6 type and code, kept apart from
 *                     TCP ports of the same numbers
 *   non_ip            passes, uncounted
 *   conntrack         flows live until their timeout whenever they were
 *                     stamped (before boot too); an ICMP error is
 *                     related by a quote within its own IP packet only
 *   tcp_window        out-of-window segments and RSTs are invalid
 *   icmpv6_nd         neighbour discovery passes as new, untracked
 *   icmpv6_error_related  an ICMPv6 error about a flow is related
 *   reject_answers    the RST and ICMP/ICMPv6 answers, byte by byte
 *   generations       a set built beside the one in use, one switch
 *   counters          packets and bytes by rule, statistics by chain
 *   cost              ns per packet at 10 to 7824 rules, printed only
 *   incremental       random appends, inserts, deletes and replaces at
 *                     2000 rules, each written into the generation not
 *                     in use by fw_set_update() as pcn does, against a
 *                     scan of the rules, and a build from nothing
 *   ipv6_eight_extensions, ports_below_every_range,
 *   ports_first_build_after_rebuild: the edges of the parser and of
 *                     the port tables
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
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
#include "cubes/firewall/fw.h"
#include "firewall_xdp.skel.h"
#include "firewall_tc.skel.h"
#include "port_xdp.skel.h"
#include "port_tc.skel.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* where the ClassBench files are, unless PCN_CLASSBENCH says */
#define CLASSBENCH_DIR "/work/shared/data/classbench"
#define SET(gen, chain) ((gen) * 2 + (chain))
/* rule ids: set * IDS_PER_SET + index, unique in the cube */
#define IDS_PER_SET (FW_IDS_MAX / FW_SETS)
#define FRAG_MF 0x2000		/* IPv4 more fragments */
#define L3 ETH_HLEN		/* where an untagged frame's IP header is */

/* What a frame carries (what rules look at), and how it is wrapped. */
struct pkt {
	__u8 family;		/* 4 or 6 */
	__u8 proto;		/* after any IPv6 extension headers */
	__u8 tcp_flags;
	bool mf;		/* more fragments */
	__u16 frag_off;		/* bytes; not 0: a later fragment, no ports */
	__u16 sport;
	__u16 dport;
	__u8 src[16];
	__u8 dst[16];
	__u16 tags[3];		/* VLAN TPIDs, outer first; 0: no more */
	__u8 ext[9];		/* IPv6 extension headers, in order */
	__u8 next;		/* how many */
	__u8 ip_opts;		/* bytes of IPv4 options */
	__u8 payload;		/* bytes after the L4 header */
};

/* A packet written by hand, with the rule it must meet first. */
struct tcase {
	const char *src, *dst;	/* of one family: the packet's */
	struct pkt p;		/* the rest */
	int rule;		/* the index of its first match, -1: none */
};

#define TCP(s, d) { .proto = IPPROTO_TCP, .sport = (s), .dport = (d) }
#define UDP(s, d) { .proto = IPPROTO_UDP, .sport = (s), .dport = (d) }
#define PROTO(n) { .proto = (n) }
/* ICMP and ICMPv6 type and code, in the ports' fields */
#define ICMP(t, c) { .proto = IPPROTO_ICMP, .sport = (t), .dport = (c) }
#define ICMP6(t, c) { .proto = IPPROTO_ICMPV6, .sport = (t), .dport = (c) }

struct frame {
	__u32 len;
	unsigned char b[512];
};

/* a ClassBench rule set and its trace */
struct classbench {
	struct fw_rule *rules;
	struct pkt *trace;
	__u32 n, ntrace;
};

#define CB_MAX FW_RULES_MAX	/* rules or headers, of one file or more */

struct env {
	bool tc;
	struct bpf_object *fw, *port;
	int prog[2];		/* [chain]: firewall_in, firewall_eg */
	int stats;		/* fw_stats */
	struct fw_maps m;
	__u32 pass, drop;	/* the build's verdicts */
	/* what the maps hold, as written */
	struct fw_state state;
	struct fw_rule *rules[FW_SETS];
	__u32 n[FW_SETS], policy[FW_SETS];
	/* what the datapath owes: counters by rule id, statistics by chain */
	struct fw_counter *want;
	struct fw_stats want_st[2];
	struct classbench cb;
};

static __u32 set_in_use(const struct env *e, __u32 ch)
{
	return SET(e->state.gen[ch], ch);
}

/* Set @set: @n @rules (numbered here) and @policy, built as pcn does. */
static int set_write(struct env *e, __u32 set, const struct fw_rule *rules,
		     __u32 n, __u32 policy)
{
	struct fw_rule *copy = NULL;
	__u32 i;

	if (n > FW_RULES_MAX)
		return -E2BIG;
	if (n) {
		copy = malloc(n * sizeof(*copy));
		if (!copy)
			return -ENOMEM;
		memcpy(copy, rules, n * sizeof(*copy));
	}
	/* a set of more than IDS_PER_SET rules (the cost test) shares
	 * ids with the next one */
	for (i = 0; i < n; i++)
		copy[i].id = (set * IDS_PER_SET + i) % FW_IDS_MAX;
	free(e->rules[set]);
	e->rules[set] = copy;
	e->n[set] = n;
	e->policy[set] = policy;
	return fw_set_write(&e->m, set, copy, n, policy);
}

/* Generations @in and @eg in use, switched in one write, as pcn does. */
static int state_write(struct env *e, __u32 in, __u32 eg)
{
	__u32 zero = 0;

	e->state = (struct fw_state){ .gen = { in, eg } };
	return bpf_map_update_elem(e->m.state, &zero, &e->state, BPF_ANY) ?
		       -errno : 0;
}

/*
 * The firewall with both next slots on pcn_final_pass, in a patch panel
 * of its own, and its maps as pcn's fw_init() leaves them: every set
 * empty, accepting, generation 0 in use.
 */
static int setup(struct env *e)
{
	const void *fw_elf, *port_elf;
	size_t fw_size, port_size;
	__u32 slot = PCN_SLOT_PASS, set;
	int err;

	if (e->tc) {
		fw_elf = firewall_tc__elf_bytes(&fw_size);
		port_elf = port_tc__elf_bytes(&port_size);
		e->pass = TC_ACT_OK;
		e->drop = TC_ACT_SHOT;
	} else {
		fw_elf = firewall_xdp__elf_bytes(&fw_size);
		port_elf = port_xdp__elf_bytes(&port_size);
		e->pass = XDP_PASS;
		e->drop = XDP_DROP;
	}
	e->fw = bpf_object__open_mem(fw_elf, fw_size, NULL);
	if (!e->fw)
		return -errno;
	err = obj_set_rodata_u32(e->fw, "pcn_next_in", slot) ?:
	      obj_set_rodata_u32(e->fw, "pcn_next_eg", slot);
	if (err)
		return err;
	if (bpf_object__load(e->fw))
		return -errno;
	if (final_pass_load(e->fw, port_elf, port_size, slot, &e->port))
		return -errno;

	e->prog[FW_INGRESS] = prog_fd(e->fw, "firewall_in");
	e->prog[FW_EGRESS] = prog_fd(e->fw, "firewall_eg");
	e->stats = map_fd(e->fw, "fw_stats");
	e->m = (struct fw_maps){
		.state = map_fd(e->fw, "fw_state"),
		.sets = map_fd(e->fw, "fw_sets"),
		.rules = map_fd(e->fw, "fw_rules"),
		.vecs = map_fd(e->fw, "fw_vecs"),
		.lpm4 = map_fd(e->fw, "fw_lpm4"),
		.lpm6 = map_fd(e->fw, "fw_lpm6"),
		.handles = map_fd(e->fw, "fw_handles"),
		.ids = map_fd(e->fw, "fw_ids"),
		.small = map_fd(e->fw, "fw_small"),
		.counters = map_fd(e->fw, "fw_counters"),
	};
	e->want = calloc(FW_IDS_MAX, sizeof(*e->want));
	if (!e->want)
		return -ENOMEM;
	for (set = 0; set < FW_SETS; set++) {
		err = set_write(e, set, NULL, 0, FW_ACCEPT);
		if (err)
			return err;
	}
	return state_write(e, 0, 0);
}

FIXTURE(fw) {
	struct env e;
};

FIXTURE_VARIANT(fw) {
	bool tc;			/* the TC build, else the XDP one */
};

FIXTURE_VARIANT_ADD(fw, xdp) { .tc = false, };
FIXTURE_VARIANT_ADD(fw, tc) { .tc = true, };

FIXTURE_SETUP(fw)
{
	self->e.tc = variant->tc;
	ASSERT_EQ(0, setup(&self->e));
}

FIXTURE_TEARDOWN(fw)
{
	int i;

	bpf_object__close(self->e.port);
	bpf_object__close(self->e.fw);
	for (i = 0; i < FW_SETS; i++)
		free(self->e.rules[i]);
	free(self->e.want);
	free(self->e.cb.rules);
	free(self->e.cb.trace);
}

/* Each test runs on the XDP build, then on the TC build (variants). */
#define BOTH_BUILDS(name)						\
	static void test_##name(struct __test_metadata *_metadata,	\
				struct env *e);				\
	TEST_F(fw, name)						\
	{								\
		test_##name(_metadata, &self->e);			\
	}								\
	static void test_##name(struct __test_metadata *_metadata,	\
				struct env *e)

/* ---- rules ---- */

/* "10.0.0.0/8", "2001:db8::1": rule @r's source, or its destination */
static int prefix_parse(const char *arg, struct fw_rule *r, int dst)
{
	int family = strchr(arg, ':') ? 6 : 4;
	unsigned int plen = family == 4 ? 32 : 128;
	char buf[INET6_ADDRSTRLEN + 5], *slash;

	snprintf(buf, sizeof(buf), "%s", arg);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		plen = atoi(slash + 1);
	}
	if (inet_pton(family == 4 ? AF_INET : AF_INET6, buf,
		      dst ? r->dst : r->src) != 1)
		return -EINVAL;
	r->family = family;
	r->fields |= dst ? FW_F_DST : FW_F_SRC;
	if (dst)
		r->dst_plen = plen;
	else
		r->src_plen = plen;
	return 0;
}

static int ports_parse(const char *arg, __u16 *lo, __u16 *hi)
{
	int n = sscanf(arg, "%hu-%hu", lo, hi);

	if (n == 1)
		*hi = *lo;
	return n >= 1 ? 0 : -EINVAL;
}

/*
 * A rule in pcn's grammar, with protocols by number and tcp-flags as
 * VALUE/MASK in hex: "src 10.0.0.0/8 proto 6 dport 80-89 action drop".
 */
static int rule_parse(const char *text, struct fw_rule *r)
{
	char buf[256], *save, *kw, *arg;
	int err = 0;

	memset(r, 0, sizeof(*r));
	snprintf(buf, sizeof(buf), "%s", text);
	for (kw = strtok_r(buf, " ", &save); kw && !err;
	     kw = strtok_r(NULL, " ", &save)) {
		arg = strtok_r(NULL, " ", &save);
		if (!arg)
			return -EINVAL;
		if (!strcmp(kw, "src") || !strcmp(kw, "dst")) {
			err = prefix_parse(arg, r, kw[0] == 'd');
		} else if (!strcmp(kw, "proto")) {
			r->fields |= FW_F_PROTO;
			r->proto = atoi(arg);
		} else if (!strcmp(kw, "sport")) {
			r->fields |= FW_F_SPORT;
			err = ports_parse(arg, &r->sport_lo, &r->sport_hi);
		} else if (!strcmp(kw, "dport")) {
			r->fields |= FW_F_DPORT;
			err = ports_parse(arg, &r->dport_lo, &r->dport_hi);
		} else if (!strcmp(kw, "icmp-type")) {
			r->fields |= FW_F_ICMP | FW_F_SPORT;
			r->sport_lo = r->sport_hi = atoi(arg);
		} else if (!strcmp(kw, "icmp-code")) {
			r->fields |= FW_F_ICMP | FW_F_DPORT;
			r->dport_lo = r->dport_hi = atoi(arg);
		} else if (!strcmp(kw, "tcp-flags")) {
			r->fields |= FW_F_FLAGS;
			if (sscanf(arg, "%hhx/%hhx", &r->flags_value,
				   &r->flags_mask) != 2)
				err = -EINVAL;
		} else if (!strcmp(kw, "state")) {
			/* a mask of enum pcn_ct_state bits, in hex */
			r->fields |= FW_F_STATE;
			r->state_mask = strtoul(arg, NULL, 16);
		} else if (!strcmp(kw, "action")) {
			if (!strcmp(arg, "drop"))
				r->action = FW_DROP;
			/* reject-rst, or reject-icmp: port unreachable */
			else if (!strcmp(arg, "reject-rst"))
				r->reject = FW_REJECT_TCP_RESET;
			else if (!strcmp(arg, "reject-icmp"))
				r->reject_code[0] = 3, r->reject_code[1] = 4;
			else if (strcmp(arg, "accept"))
				err = -EINVAL;
			if (!strncmp(arg, "reject-", 7))
				r->action = FW_REJECT;
		} else {
			err = -EINVAL;
		}
	}
	return err;
}

/* Set @set from @n rules in text (see rule_parse()) and @policy. */
static int set_text(struct env *e, __u32 set, const char *const *text,
		    __u32 n, __u32 policy)
{
	struct fw_rule rules[16];
	__u32 i;
	int err;

	if (n > ARRAY_SIZE(rules))
		return -E2BIG;
	for (i = 0; i < n; i++) {
		err = rule_parse(text[i], &rules[i]);
		if (err)
			return err;
	}
	return set_write(e, set, rules, n, policy);
}

/* Both chains of generation 0: @rules and @policy. */
#define CHAINS_TEXT(e, rules, policy)					\
	do {								\
		ASSERT_EQ(0, set_text(e, FW_INGRESS, rules,		\
				      ARRAY_SIZE(rules), policy));	\
		ASSERT_EQ(0, set_text(e, FW_EGRESS, rules,		\
				      ARRAY_SIZE(rules), policy));	\
	} while (0)

/* ---- the reference: a linear scan ---- */

/* Do the first @plen bits of @a and @prefix agree? */
static bool prefix_match(const __u8 *a, const __u8 *prefix, __u32 plen)
{
	__u32 full = plen / 8, rest = plen % 8;
	__u8 mask = 0xff << (8 - rest);

	if (memcmp(a, prefix, full))
		return false;
	return !rest || !((a[full] ^ prefix[full]) & mask);
}

/*
 * Does @r match @p, as the datapath means it? Addresses within their
 * family (a rule with none matches both), ports of TCP and UDP only,
 * flags of TCP only; an ICMP or ICMPv6 message's type and code stand
 * in its ports (a rule's icmp-type and icmp-code are kept there). A
 * later fragment has no ports nor flags: they do not stop the match
 * (and the verdict is then a drop if the rule has them, see
 * expect_packet()).
 */
static bool ref_match(const struct fw_rule *r, const struct pkt *p)
{
	bool ports = p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP ||
		     (p->family == 4 && p->proto == IPPROTO_ICMP) ||
		     (p->family == 6 && p->proto == IPPROTO_ICMPV6);

	if ((r->fields & (FW_F_SRC | FW_F_DST)) && r->family != p->family)
		return false;
	if ((r->fields & FW_F_SRC) &&
	    !prefix_match(p->src, r->src, r->src_plen))
		return false;
	if ((r->fields & FW_F_DST) &&
	    !prefix_match(p->dst, r->dst, r->dst_plen))
		return false;
	if ((r->fields & FW_F_PROTO) && r->proto != p->proto)
		return false;
	if (p->frag_off)
		return true;
	if ((r->fields & FW_F_SPORT) &&
	    (!ports || p->sport < r->sport_lo || p->sport > r->sport_hi))
		return false;
	if ((r->fields & FW_F_DPORT) &&
	    (!ports || p->dport < r->dport_lo || p->dport > r->dport_hi))
		return false;
	return !(r->fields & FW_F_FLAGS) ||
	       (p->proto == IPPROTO_TCP &&
		(p->tcp_flags & r->flags_mask) == r->flags_value);
}

/* The index of @p's first match among @rules, -1 if none matches. */
static int ref_first(const struct fw_rule *rules, __u32 n,
		     const struct pkt *p)
{
	__u32 i;

	for (i = 0; i < n; i++)
		if (ref_match(&rules[i], p))
			return i;
	return -1;
}

/* ---- frames ---- */

static unsigned char *put16(unsigned char *c, __u16 v)
{
	c[0] = v >> 8;
	c[1] = v & 0xff;
	return c + 2;
}

/*
 * IPv6 extension header @type of @p, before @next: 8 bytes, or 24 for
 * AH (an ICV of 12, as HMAC-SHA1-96 has), whose length counts 4-byte
 * words where the others count 8-byte ones
 */
static unsigned char *ext_put(unsigned char *c, __u8 type, __u8 next,
			      const struct pkt *p)
{
	c[0] = next;
	if (type == IPPROTO_AH) {
		c[1] = 24 / 4 - 2;
		return c + 24;
	}
	if (type == IPPROTO_FRAGMENT) {
		/* the offset in 8-byte units, shifted by 3: in bytes */
		put16(c + 2, p->frag_off | p->mf);
		c[7] = 1;	/* identification */
	} else if (type != IPPROTO_ROUTING) {
		c[2] = 1;	/* options: one PadN over the rest */
		c[3] = 4;
	}
	return c + 8;
}

/*
 * @p as a frame: Ethernet, its VLAN tags, IPv4 with its options or IPv6
 * with its extension headers, then a TCP header, a UDP one, or 8 bytes
 * of any other protocol, and the payload. Checksums are left at zero:
 * the firewall does not read them.
 */
static void frame_build(struct frame *f, const struct pkt *p)
{
	__u32 l4 = (p->proto == IPPROTO_TCP ? 20 : 8) + p->payload, i;
	unsigned char *c;

	memset(f, 0, sizeof(*f));
	memcpy(f->b, "\x02\0\0\0\0\x01\x02\0\0\0\0\x02", 2 * ETH_ALEN);
	c = f->b + 2 * ETH_ALEN;
	for (i = 0; i < ARRAY_SIZE(p->tags) && p->tags[i]; i++) {
		c = put16(c, p->tags[i]);
		c = put16(c, 10 + i);	/* the VLAN id */
	}
	if (p->family == 4) {
		struct iphdr ip = { .version = 4, .ihl = 5 + p->ip_opts / 4,
				    .ttl = 64, .protocol = p->proto };

		ip.tot_len = htons(ip.ihl * 4 + l4);
		ip.frag_off = htons(p->frag_off / 8 | (p->mf ? FRAG_MF : 0));
		memcpy(&ip.saddr, p->src, 4);
		memcpy(&ip.daddr, p->dst, 4);
		c = put16(c, ETH_P_IP);
		memcpy(c, &ip, sizeof(ip));
		memset(c + sizeof(ip), IPOPT_NOOP, p->ip_opts);
		c += ip.ihl * 4;
	} else {
		struct ipv6hdr ip6 = { .version = 6, .hop_limit = 64 };
		unsigned char *hdr;

		ip6.nexthdr = p->next ? p->ext[0] : p->proto;
		memcpy(&ip6.saddr, p->src, 16);
		memcpy(&ip6.daddr, p->dst, 16);
		hdr = put16(c, ETH_P_IPV6);
		c = hdr + sizeof(ip6);
		for (i = 0; i < p->next; i++)
			c = ext_put(c, p->ext[i],
				    i + 1 < p->next ? p->ext[i + 1] : p->proto,
				    p);
		ip6.payload_len = htons(c - hdr - sizeof(ip6) + l4);
		memcpy(hdr, &ip6, sizeof(ip6));
	}
	if (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP) {
		put16(c, p->sport);
		put16(c + 2, p->dport);
	}
	if (p->proto == IPPROTO_TCP) {
		c[12] = 5 << 4;		/* data offset: 20 bytes */
		c[13] = p->tcp_flags;
	} else if (p->proto == IPPROTO_UDP) {
		put16(c + 4, l4);
	} else if (p->proto == IPPROTO_ICMP || p->proto == IPPROTO_ICMPV6) {
		c[0] = p->sport;	/* type */
		c[1] = p->dport;	/* code */
	}
	f->len = c + l4 - f->b;
}

/* @len bytes of EtherType @type, behind a VLAN tag if @tag is set */
static void frame_other(struct frame *f, __u16 tag, __u16 type, __u32 len)
{
	unsigned char *c = f->b + 2 * ETH_ALEN;

	memset(f, 0, sizeof(*f));
	memset(f->b, 0xff, ETH_ALEN);
	if (tag) {
		c = put16(c, tag);
		c = put16(c, 10);
	}
	put16(c, type);
	f->len = len;
}

/* @c's packet in @p */
static int case_pkt(const struct tcase *c, struct pkt *p)
{
	int af = strchr(c->src, ':') ? AF_INET6 : AF_INET;

	*p = c->p;
	p->family = af == AF_INET ? 4 : 6;
	if (inet_pton(af, c->src, p->src) != 1 ||
	    inet_pton(af, c->dst, p->dst) != 1)
		return -EINVAL;
	return 0;
}

/* "proto 6 10.0.0.1 1024 > 10.0.0.2 80 flags 0x12 frag 0", for logs */
static const char *pkt_str(const struct pkt *p)
{
	int af = p->family == 4 ? AF_INET : AF_INET6;
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	static char buf[160];

	inet_ntop(af, p->src, s, sizeof(s));
	inet_ntop(af, p->dst, d, sizeof(d));
	snprintf(buf, sizeof(buf), "proto %u %s %u > %s %u flags %#x frag %u",
		 p->proto, s, p->sport, d, p->dport, p->tcp_flags,
		 p->frag_off);
	return buf;
}

/* ---- running and counting ---- */

/*
 * Run @f through chain @ch @repeat times: the verdict, or -errno; the
 * mean time of a run in @ns, if not NULL.
 */
static int run(struct env *e, __u32 ch, const struct frame *f,
	       __u32 repeat, __u32 *ns)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f->b,
		    .data_size_in = f->len, .repeat = repeat);

	if (bpf_prog_test_run_opts(e->prog[ch], &o))
		return -errno;
	if (ns)
		*ns = o.duration;
	return o.retval;
}

static __u32 verdict(const struct env *e, __u32 action)
{
	return action == FW_ACCEPT ? e->pass : e->drop;
}

static struct fw_counter counter(struct env *e, __u32 id)
{
	struct fw_counter c;

	percpu_sum(e->m.counters, id, &c, sizeof(c));
	return c;
}

/* the counters of rule @i of set @set */
static struct fw_counter rule_counter(struct env *e, __u32 set, __u32 i)
{
	return counter(e, e->rules[set][i].id);
}

static struct fw_stats stats(struct env *e, __u32 ch)
{
	struct fw_stats s;

	percpu_sum(e->stats, ch, &s, sizeof(s));
	return s;
}

#define FW_STAT(f) { #f, offsetof(struct fw_stats, f) / sizeof(__u64) }

static const struct {
	const char *name;
	size_t idx;
} stat_names[] = {
	FW_STAT(accepted), FW_STAT(dropped), FW_STAT(policy),
	FW_STAT(malformed), FW_STAT(fragments), FW_STAT(rejected),
	FW_STAT(logged), FW_STAT(log_lost),
};

_Static_assert(ARRAY_SIZE(stat_names) * sizeof(__u64) ==
		       sizeof(struct fw_stats),
	       "a name for every statistic");

/*
 * NULL when chain @ch's statistics are what the model says; else the
 * first that is not, for EXPECT_STATS.
 */
static const char *stats_diff(struct env *e, __u32 ch)
{
	const __u64 *w = (const __u64 *)&e->want_st[ch];
	struct fw_stats seen = stats(e, ch);
	const __u64 *s = (const __u64 *)&seen;
	static char buf[96];
	size_t i, k;

	for (i = 0; i < ARRAY_SIZE(stat_names); i++) {
		k = stat_names[i].idx;
		if (s[k] != w[k]) {
			snprintf(buf, sizeof(buf), "%s %s %llu, expected %llu",
				 ch ? "egress" : "ingress", stat_names[i].name,
				 (unsigned long long)s[k],
				 (unsigned long long)w[k]);
			return buf;
		}
	}
	return NULL;
}

#define EXPECT_STATS(e, ch) EXPECT_STREQ(NULL, stats_diff(e, ch))

/* Every rule of @set has counted what the model says, no more. */
static void expect_counters(struct __test_metadata *_metadata,
			    struct env *e, __u32 set)
{
	__u32 i;

	for (i = 0; i < e->n[set]; i++) {
		const struct fw_counter *w = &e->want[e->rules[set][i].id];
		struct fw_counter c = rule_counter(e, set, i);

		if (c.packets != w->packets || c.bytes != w->bytes)
			TH_LOG("set %u, rule %u", set, i);
		ASSERT_EQ(w->packets, c.packets);
		ASSERT_EQ(w->bytes, c.bytes);
	}
}

/*
 * Run @p through chain @ch, whose set in use has @rule as @p's first
 * match (-1: none): the verdict must be what that rule owes (or the
 * policy), and the counter it moves (the rule's, or the policy count)
 * must have moved by @p, as the model says.
 */
static void expect_packet(struct __test_metadata *_metadata, struct env *e,
			  __u32 ch, const struct pkt *p, int rule)
{
	__u32 set = set_in_use(e, ch), action = e->policy[set], id = 0;
	struct fw_stats *st = &e->want_st[ch];
	struct fw_counter want, seen;
	struct frame f;
	int ret;

	ASSERT_GT((int)e->n[set], rule);
	frame_build(&f, p);
	st->fragments += p->frag_off > 0;
	if (rule < 0) {
		st->policy++;
		want = (struct fw_counter){ .packets = st->policy };
	} else {
		const struct fw_rule *r = &e->rules[set][rule];

		/* a later fragment may not pass by what it does not have */
		action = p->frag_off && (r->fields & FW_F_L4) ? FW_DROP :
							       r->action;
		id = r->id;
		e->want[id].packets++;
		e->want[id].bytes += f.len;
		want = e->want[id];
	}
	if (action == FW_ACCEPT)
		st->accepted++;
	else
		st->dropped++;
	ret = run(e, ch, &f, 1, NULL);
	if (rule < 0)
		seen = (struct fw_counter){ .packets = stats(e, ch).policy };
	else
		seen = counter(e, id);
	if (ret != (int)verdict(e, action) || seen.packets != want.packets ||
	    seen.bytes != want.bytes)
		TH_LOG("%s on %s: first match %d", pkt_str(p),
		       ch ? "egress" : "ingress", rule);
	ASSERT_EQ(verdict(e, action), ret);
	ASSERT_EQ(want.packets, seen.packets);
	ASSERT_EQ(want.bytes, seen.bytes);
}

/* @c through chain @ch, the scan agreeing with its first match */
static void expect_case(struct __test_metadata *_metadata, struct env *e,
			__u32 ch, const struct tcase *c)
{
	__u32 set = set_in_use(e, ch);
	struct pkt p;
	int first;

	ASSERT_EQ(0, case_pkt(c, &p));
	first = ref_first(e->rules[set], e->n[set], &p);
	if (first != c->rule)
		TH_LOG("the scan disagrees on %s", pkt_str(&p));
	ASSERT_EQ(c->rule, first);
	expect_packet(_metadata, e, ch, &p, c->rule);
}

/* @n cases through both chains, then every counter */
static void expect_cases(struct __test_metadata *_metadata, struct env *e,
			 const struct tcase *c, size_t n)
{
	__u32 ch;
	size_t i;

	for (ch = 0; ch < 2; ch++) {
		for (i = 0; i < n; i++)
			expect_case(_metadata, e, ch, &c[i]);
		expect_counters(_metadata, e, set_in_use(e, ch));
		EXPECT_STATS(e, ch);
	}
}

/*
 * Linux 6.18 will not test-run in TC an untagged IP frame without its
 * whole fixed header (XDP runs those): is @ret that refusal?
 */
static bool tc_refused(const struct env *e, const struct frame *f, int ret)
{
	__u16 type = f->b[12] << 8 | f->b[13];

	return e->tc && ret == -EINVAL &&
	       ((type == ETH_P_IP && f->len < L3 + sizeof(struct iphdr)) ||
		(type == ETH_P_IPV6 && f->len < L3 + sizeof(struct ipv6hdr)));
}

/*
 * Run @f, which no rule may see, through chain @ch: verdict @want, and
 * the statistics as the model has them once @count (the one that
 * counts @f, or NULL) has.
 */
static void expect_unclassified(struct __test_metadata *_metadata,
				struct env *e, __u32 ch,
				const struct frame *f, __u32 want,
				__u64 *count, const char *what)
{
	int ret = run(e, ch, f, 1, NULL);
	const char *diff;

	if (tc_refused(e, f, ret))
		return;
	if (count)
		(*count)++;
	diff = stats_diff(e, ch);
	if (ret != (int)want || diff)
		TH_LOG("%s", what);
	EXPECT_EQ(want, ret);
	EXPECT_STREQ(NULL, diff);
}

/* ---- ClassBench ---- */

/*
 * A ClassBench rule as classbench.py makes it a pcn rule: a prefix
 * unless /0, the protocol when its mask is 0xFF, ports unless 0-65535,
 * the high byte of the 16-bit flags as the TCP flags of a TCP rule;
 * drop on an even line index, accept on an odd one.
 */
static int cb_rule(const char *line, __u32 index, struct fw_rule *r)
{
	unsigned int s[4], d[4], sl, dl, sp[2], dp[2], pv, pm, fv, fm, i;

	if (sscanf(line,
		   "@%u.%u.%u.%u/%u %u.%u.%u.%u/%u %u : %u %u : %u %x/%x %x/%x",
		   &s[0], &s[1], &s[2], &s[3], &sl, &d[0], &d[1], &d[2], &d[3],
		   &dl, &sp[0], &sp[1], &dp[0], &dp[1], &pv, &pm, &fv,
		   &fm) != 18)
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	r->action = index % 2 ? FW_ACCEPT : FW_DROP;
	if (sl || dl)
		r->family = 4;
	for (i = 0; i < 4; i++) {
		r->src[i] = sl ? s[i] : 0;
		r->dst[i] = dl ? d[i] : 0;
	}
	if (sl) {
		r->fields |= FW_F_SRC;
		r->src_plen = sl;
	}
	if (dl) {
		r->fields |= FW_F_DST;
		r->dst_plen = dl;
	}
	if (pm == 0xff) {
		r->fields |= FW_F_PROTO;
		r->proto = pv;
	}
	if (sp[0] || sp[1] != 65535) {
		r->fields |= FW_F_SPORT;
		r->sport_lo = sp[0];
		r->sport_hi = sp[1];
	}
	if (dp[0] || dp[1] != 65535) {
		r->fields |= FW_F_DPORT;
		r->dport_lo = dp[0];
		r->dport_hi = dp[1];
	}
	if (pm == 0xff && pv == IPPROTO_TCP && fm >> 8) {
		r->fields |= FW_F_FLAGS;
		r->flags_mask = fm >> 8;
		r->flags_value = (fv >> 8) & r->flags_mask;
	}
	return 0;
}

/*
 * A trace header: an IPv4 packet. Its flags field is the generating
 * rule's (value << 16 | mask): the high byte of the value is the TCP
 * flags byte that rule asks for.
 */
static int cb_header(const char *line, struct pkt *p)
{
	unsigned int src, dst, sport, dport, proto, flags;
	__be32 a;

	if (sscanf(line, "%u %u %u %u %u %u", &src, &dst, &sport, &dport,
		   &proto, &flags) != 6)
		return -EINVAL;
	memset(p, 0, sizeof(*p));
	p->family = 4;
	a = htonl(src);
	memcpy(p->src, &a, 4);
	a = htonl(dst);
	memcpy(p->dst, &a, 4);
	p->sport = sport;
	p->dport = dport;
	p->proto = proto;
	p->tcp_flags = flags >> 24;
	return 0;
}

static FILE *cb_open(const char *name, const char *ext)
{
	const char *dir = getenv("PCN_CLASSBENCH");
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s_seed1.%s",
		 dir && *dir ? dir : CLASSBENCH_DIR, name, ext);
	return fopen(path, "r");
}

/*
 * ClassBench set @name, its rules until @cb has @max, and its trace,
 * added to what @cb has
 */
static int cb_load(const char *name, __u32 max, struct classbench *cb)
{
	FILE *rf = cb_open(name, "rules"), *tf = cb_open(name, "trace");
	char *line = NULL;
	size_t cap = 0;
	int err = 0;

	if (!cb->rules)
		cb->rules = calloc(CB_MAX, sizeof(*cb->rules));
	if (!cb->trace)
		cb->trace = calloc(CB_MAX, sizeof(*cb->trace));
	if (!rf || !tf)
		err = -ENOENT;
	else if (!cb->rules || !cb->trace)
		err = -ENOMEM;
	for (; !err && cb->n < max && getline(&line, &cap, rf) > 0; cb->n++)
		err = cb->n < CB_MAX ? cb_rule(line, cb->n, &cb->rules[cb->n]) :
				       -E2BIG;
	for (; !err && getline(&line, &cap, tf) > 0; cb->ntrace++)
		err = cb->ntrace < CB_MAX ?
			      cb_header(line, &cb->trace[cb->ntrace]) :
			      -E2BIG;
	free(line);
	if (rf)
		fclose(rf);
	if (tf)
		fclose(tf);
	return err;
}

#define CB_LOAD(e, name, max)						\
	do {								\
		int cb_err = cb_load(name, max, &(e)->cb);		\
									\
		if (cb_err == -ENOENT)					\
			SKIP(return, "no ClassBench set %s (PCN_CLASSBENCH)", \
			     name);					\
		ASSERT_EQ(0, cb_err);					\
	} while (0)

/*
 * The first @max rules of ClassBench set @name in both chains, ingress
 * with policy drop and egress with policy accept, so that a packet no
 * rule matches never passes for one an accept rule does; every header
 * of the trace through both.
 */
static void classbench(struct __test_metadata *_metadata, struct env *e,
		       const char *name, __u32 max)
{
	const struct classbench *cb = &e->cb;
	__u32 i, ch, matched = 0;
	int rule;

	CB_LOAD(e, name, max);
	ASSERT_EQ(0, set_write(e, FW_INGRESS, cb->rules, cb->n, FW_DROP));
	ASSERT_EQ(0, set_write(e, FW_EGRESS, cb->rules, cb->n, FW_ACCEPT));
	for (i = 0; i < cb->ntrace; i++) {
		rule = ref_first(cb->rules, cb->n, &cb->trace[i]);
		matched += rule >= 0;
		for (ch = 0; ch < 2; ch++)
			expect_packet(_metadata, e, ch, &cb->trace[i], rule);
	}
	for (ch = 0; ch < 2; ch++) {
		expect_counters(_metadata, e, ch);
		EXPECT_STATS(e, ch);
	}
	TH_LOG("%s, %u rules: %u of %u headers matched one", name, cb->n,
	       matched, cb->ntrace);
	/* both ways through the search taken: a match, and (in a part of
	 * a set) none */
	EXPECT_LT(0, matched);
	if (cb->n == max)
		EXPECT_GT(cb->ntrace, matched);
}

BOTH_BUILDS(classbench_10)
{
	classbench(_metadata, e, "acl1_1k", 10);
}

BOTH_BUILDS(classbench_acl1_1k)
{
	classbench(_metadata, e, "acl1_1k", CB_MAX);
}

BOTH_BUILDS(classbench_fw1_1k)
{
	classbench(_metadata, e, "fw1_1k", CB_MAX);
}

BOTH_BUILDS(classbench_acl1_8k)
{
	classbench(_metadata, e, "acl1_8k", CB_MAX);
}

BOTH_BUILDS(classbench_fw1_8k)
{
	classbench(_metadata, e, "fw1_8k", CB_MAX);
}

/* ---- by hand ---- */

/*
 * IPv6 prefixes /128, /48 and /0; a rule's addresses are of one family,
 * and a rule with none matches both.
 */
BOTH_BUILDS(ipv6)
{
	static const char *const rules[] = {
		"src 2001:db8:1::/48 dst 2001:db8:2::1/128 "
		"proto 6 dport 443 action accept",
		"src 2001:db8:1::/48 proto 17 dport 5353 action drop",
		"src 10.1.0.0/16 action accept",
		"dst ::/0 proto 17 action accept",
		"proto 47 action drop",
		"dst 0.0.0.0/0 proto 6 action accept",
		"src ::/0 action drop",
	};
	static const struct tcase cases[] = {
		{ "2001:db8:1::5", "2001:db8:2::1", TCP(1024, 443), 0 },
		/* the ends of the /48; the /128's neighbour */
		{ "2001:db8:1:ffff:ffff:ffff:ffff:ffff", "2001:db8:2::1",
		  TCP(1024, 443), 0 },
		{ "2001:db8:0:ffff::1", "2001:db8:2::1", TCP(1024, 443), 6 },
		{ "2001:db8:1::5", "2001:db8:2::2", TCP(1024, 443), 6 },
		{ "2001:db8:1::5", "2001:db8:2::1", TCP(1024, 444), 6 },
		{ "2001:db8:1::5", "2001:db8:9::9", UDP(1024, 5353), 1 },
		{ "2001:db8:1::5", "2001:db8:9::9", UDP(1024, 5354), 3 },
		/* 10.1.2.3 in its first bits: the IPv4 rule is not for it */
		{ "a01:203::1", "2001:db8:2::1", TCP(1024, 443), 6 },
		{ "2001:db8:9::9", "2001:db8:2::1", PROTO(47), 4 },
		{ "10.9.0.1", "10.9.0.2", PROTO(47), 4 },
		{ "10.1.2.3", "10.9.0.2", UDP(1024, 5353), 2 },
		{ "10.9.0.1", "10.9.0.2", TCP(1024, 443), 5 },
		/* 2001:db8 in its 32 bits: no IPv6 rule, not even a /0 */
		{ "32.1.13.184", "10.9.0.2", UDP(1024, 5353), -1 },
	};

	CHAINS_TEXT(e, rules, FW_DROP);
	expect_cases(_metadata, e, cases, ARRAY_SIZE(cases));
}

/* A frame's @c, then broken: cut to @len, or byte @at set to @val. */
struct damage {
	const char *what;
	struct tcase c;
	__u32 len;
	__u32 at;
	__u8 val;
};

#define V4 "10.0.0.1", "10.0.0.2"
#define V6 "2001:db8::1", "2001:db8::2"
#define DSTOPTS4 IPPROTO_DSTOPTS, IPPROTO_DSTOPTS, IPPROTO_DSTOPTS, \
		 IPPROTO_DSTOPTS

/*
 * ICMP and ICMPv6 types and codes: a type with a code, a type with any
 * code, a type of one family only; a TCP port of the type's number is
 * not the type.
 */
BOTH_BUILDS(icmp_types)
{
	static const char *const rules[] = {
		"proto 1 icmp-type 3 icmp-code 4 action accept",
		"proto 1 icmp-type 3 action drop",
		"proto 58 icmp-type 135 action accept",
		"proto 6 dport 8 action drop",
		"proto 1 icmp-type 8 action accept",
		"proto 1 action drop",
		"proto 58 icmp-type 1 icmp-code 4 action drop",
	};
	static const struct tcase cases[] = {
		{ V4, ICMP(3, 4), 0 },
		{ V4, ICMP(3, 1), 1 },
		{ V4, ICMP(3, 255), 1 },
		{ V4, ICMP(8, 0), 4 },
		{ V4, ICMP(8, 1), 4 },
		{ V4, ICMP(0, 0), 5 },
		{ V4, ICMP(135, 0), 5 },
		{ V4, TCP(1024, 8), 3 },
		{ V4, TCP(8, 0), -1 },
		{ V6, ICMP6(135, 0), 2 },
		{ V6, ICMP6(136, 0), -1 },
		{ V6, ICMP6(1, 4), 6 },
		{ V6, ICMP6(1, 3), -1 },
		{ V6, ICMP6(3, 4), -1 },
	};

	CHAINS_TEXT(e, rules, FW_ACCEPT);
	expect_cases(_metadata, e, cases, ARRAY_SIZE(cases));
}

/*
 * Fail closed: what the parser cannot read whole, or reads wrong, is
 * dropped before any rule and counted malformed. Each frame with a cut
 * or a changed byte passes whole first.
 */
BOTH_BUILDS(malformed)
{
	static const char *const rules[] = {
		"proto 6 dport 80 action drop",
	};
	static const struct damage cases[] = {
		{ "IPv4 cut in its header", { V4, TCP(1024, 443), -1 },
		  .len = L3 + 10 },
		{ "TCP cut in its header", { V4, TCP(1024, 443), -1 },
		  .len = L3 + 20 + 12 },
		{ "UDP cut in its header", { V4, UDP(1024, 443), -1 },
		  .len = L3 + 20 + 6 },
		{ "IPv4 ihl 4", { V4, TCP(1024, 443), -1 },
		  .at = L3, .val = 0x44 },
		{ "IPv4 tot_len 19", { V4, TCP(1024, 443), -1 },
		  .at = L3 + 3, .val = 19 },
		{ "IPv4 tot_len short of TCP", { V4, TCP(1024, 443), -1 },
		  .at = L3 + 3, .val = 20 + 12 },
		{ "IPv4 options past the end", { V4, TCP(1024, 443), -1 },
		  .len = L3 + 22, .at = L3, .val = 0x46 },
		{ "IPv4 version 6", { V4, TCP(1024, 443), -1 },
		  .at = L3, .val = 0x65 },
		{ "IPv6 version 4", { V6, TCP(1024, 443), -1 },
		  .at = L3, .val = 0x40 },
		{ "IPv6 cut in its header", { V6, TCP(1024, 443), -1 },
		  .len = L3 + 30 },
		{ "IPv6 cut in an extension header",
		  { V6, { .proto = IPPROTO_TCP, .dport = 443,
			  .ext = { IPPROTO_HOPOPTS }, .next = 1 }, -1 },
		  .len = L3 + 40 + 2 },
		{ "TCP cut after IPv6", { V6, TCP(1024, 443), -1 },
		  .len = L3 + 40 + 12 },
		{ "IPv6 payload_len short of UDP", { V6, UDP(1024, 443), -1 },
		  .at = L3 + 5, .val = 6 },
		{ "ICMP cut in its header", { V4, ICMP(8, 0), -1 },
		  .len = L3 + 20 + 6 },
		{ "ICMPv6 cut in its header", { V6, ICMP6(128, 0), -1 },
		  .len = L3 + 40 + 4 },
		{ "nine IPv6 extension headers",
		  .c = { V6, { .proto = IPPROTO_TCP, .dport = 443,
			  .ext = { DSTOPTS4, DSTOPTS4, IPPROTO_DSTOPTS },
			  .next = 9 }, -1 } },
		{ "three VLAN tags",
		  .c = { V4, { .proto = IPPROTO_TCP, .dport = 443,
			  .tags = { ETH_P_8021AD, ETH_P_8021Q,
				    ETH_P_8021Q } }, -1 } },
		{ "VLAN tag cut", { V4, { .proto = IPPROTO_TCP, .dport = 443,
					  .tags = { ETH_P_8021Q } }, -1 },
		  .len = L3 + 2 },
	};
	__u32 ch;
	size_t i;

	CHAINS_TEXT(e, rules, FW_ACCEPT);
	for (ch = 0; ch < 2; ch++) {
		for (i = 0; i < ARRAY_SIZE(cases); i++) {
			const struct damage *d = &cases[i];
			struct frame f;
			struct pkt p;

			ASSERT_EQ(0, case_pkt(&d->c, &p));
			if (d->len || d->at)
				expect_case(_metadata, e, ch, &d->c);
			frame_build(&f, &p);
			if (d->len)
				f.len = d->len;
			if (d->at)
				f.b[d->at] = d->val;
			expect_unclassified(_metadata, e, ch, &f, e->drop,
					    &e->want_st[ch].malformed,
					    d->what);
		}
		expect_counters(_metadata, e, ch);
	}
}

/*
 * What wraps the IP packet or sits between its header and the ports is
 * looked through: one or two VLAN tags, IPv4 options, IPv6 extension
 * headers; the ports after them are classified.
 */
BOTH_BUILDS(headers_walked)
{
	static const char *const rules[] = {
		"proto 6 dport 80 action drop",
	};
	static const struct tcase cases[] = {
		{ V4, { .proto = IPPROTO_TCP, .dport = 80,
			.tags = { ETH_P_8021Q } }, 0 },
		{ V4, { .proto = IPPROTO_TCP, .dport = 443,
			.tags = { ETH_P_8021Q } }, -1 },
		{ V4, { .proto = IPPROTO_TCP, .dport = 80,
			.tags = { ETH_P_8021AD } }, 0 },
		{ V4, { .proto = IPPROTO_TCP, .dport = 80,
			.tags = { ETH_P_8021AD, ETH_P_8021Q } }, 0 },
		{ V4, { .proto = IPPROTO_TCP, .dport = 443,
			.tags = { ETH_P_8021AD, ETH_P_8021Q } }, -1 },
		{ V6, { .proto = IPPROTO_TCP, .dport = 80,
			.tags = { ETH_P_8021Q, ETH_P_8021Q } }, 0 },
		{ V4, { .proto = IPPROTO_TCP, .dport = 80, .ip_opts = 8 }, 0 },
		{ V4, { .proto = IPPROTO_TCP, .dport = 443, .ip_opts = 40 },
		  -1 },
		{ V6, { .proto = IPPROTO_TCP, .dport = 80,
			.ext = { IPPROTO_HOPOPTS, IPPROTO_ROUTING,
				 IPPROTO_DSTOPTS }, .next = 3 }, 0 },
		{ V6, { .proto = IPPROTO_TCP, .dport = 443,
			.ext = { IPPROTO_HOPOPTS, IPPROTO_ROUTING,
				 IPPROTO_DSTOPTS }, .next = 3 }, -1 },
		{ V6, { .proto = IPPROTO_TCP, .dport = 80,
			.ext = { IPPROTO_DSTOPTS, IPPROTO_AH }, .next = 2 },
		  0 },
		{ V6, { .proto = IPPROTO_UDP, .dport = 80,
			.ext = { IPPROTO_AH }, .next = 1 }, -1 },
		/* a fragment header at offset 0: the first fragment */
		{ V6, { .proto = IPPROTO_TCP, .dport = 80, .mf = true,
			.ext = { IPPROTO_HOPOPTS, IPPROTO_FRAGMENT },
			.next = 2 }, 0 },
	};

	CHAINS_TEXT(e, rules, FW_ACCEPT);
	expect_cases(_metadata, e, cases, ARRAY_SIZE(cases));
}

/*
 * The parser walks MAX_EXT (8) extension headers: eight are as many as
 * it can, and the ports after them are classified.
 */
BOTH_BUILDS(ipv6_eight_extensions)
{
	static const char *const rules[] = {
		"proto 6 dport 80 action drop",
	};
	static const struct tcase cases[] = {
		{ V6, { .proto = IPPROTO_TCP, .dport = 80,
			.ext = { DSTOPTS4, DSTOPTS4 }, .next = 8 }, 0 },
		{ V6, { .proto = IPPROTO_TCP, .dport = 443,
			.ext = { DSTOPTS4, DSTOPTS4 }, .next = 8 }, -1 },
	};

	CHAINS_TEXT(e, rules, FW_ACCEPT);
	expect_cases(_metadata, e, cases, ARRAY_SIZE(cases));
}

#define D4 "10.0.0.9"
#define D6 "2001:db8::9"
#define LATER(p) { .proto = (p), .dport = 443, .frag_off = 1480 }
#define LATER6(p) { .proto = (p), .dport = 443, .frag_off = 1480, \
		    .ext = { IPPROTO_FRAGMENT }, .next = 1 }

/*
 * A fragment after the first has no ports: it takes the first rule that
 * matches the rest of it, and is dropped if that rule has ports or
 * flags, so it never passes where its first fragment would not. (The
 * ports its bytes happen to hold are payload, not looked at.)
 */
BOTH_BUILDS(fragments)
{
	static const char *const rules[] = {
		"src 10.0.0.1 proto 6 dport 80 action drop",
		"src 10.0.0.2 action accept",
		"src 10.0.0.3 proto 6 dport 80 action accept",
		"src 2001:db8::1 proto 6 dport 80 action drop",
		"src 2001:db8::2 action accept",
		"src 2001:db8::3 proto 6 dport 80 action accept",
	};
	static const struct tcase cases[] = {
		/* whole, and first fragments: by their ports */
		{ "10.0.0.1", D4, TCP(1024, 443), -1 },
		{ "10.0.0.3", D4, TCP(1024, 80), 2 },
		{ "10.0.0.1", D4,
		  { .proto = IPPROTO_TCP, .dport = 80, .mf = true }, 0 },
		{ "10.0.0.1", D4,
		  { .proto = IPPROTO_TCP, .dport = 443, .mf = true }, -1 },
		{ "2001:db8::1", D6,
		  { .proto = IPPROTO_TCP, .dport = 443, .mf = true,
		    .ext = { IPPROTO_FRAGMENT }, .next = 1 }, -1 },
		/* later ones */
		{ "10.0.0.1", D4, LATER(IPPROTO_TCP), 0 },
		{ "10.0.0.2", D4, LATER(IPPROTO_TCP), 1 },
		{ "10.0.0.3", D4, LATER(IPPROTO_TCP), 2 },
		{ "10.0.0.1", D4, LATER(IPPROTO_UDP), -1 },
		{ "2001:db8::1", D6, LATER6(IPPROTO_TCP), 3 },
		{ "2001:db8::2", D6, LATER6(IPPROTO_TCP), 4 },
		{ "2001:db8::3", D6, LATER6(IPPROTO_TCP), 5 },
		{ "2001:db8::1", D6, LATER6(IPPROTO_UDP), -1 },
	};

	CHAINS_TEXT(e, rules, FW_ACCEPT);
	expect_cases(_metadata, e, cases, ARRAY_SIZE(cases));
	/* 8 later fragments on each chain */
	EXPECT_EQ(8, stats(e, FW_INGRESS).fragments);
	EXPECT_EQ(8, stats(e, FW_EGRESS).fragments);
}

/* ---- connection tracking ---- */

/* The flow of IPv4 @a:@pa <-> @b:@pb, @proto: its key, as ct_order() */
static struct pcn_ct_key ct_key4(__u8 proto, const char *a, __u16 pa,
				const char *b, __u16 pb)
{
	struct pcn_ct_key k = { .family = 4, .proto = proto };
	__u8 x[16] = {}, y[16] = {};
	int swap;

	inet_pton(AF_INET, a, x);
	inet_pton(AF_INET, b, y);
	swap = memcmp(x, y, 16) > 0 || (!memcmp(x, y, 16) && pa > pb);
	memcpy(k.addr[0], swap ? y : x, 16);
	memcpy(k.addr[1], swap ? x : y, 16);
	k.port[0] = swap ? pb : pa;
	k.port[1] = swap ? pa : pb;
	return k;
}

/*
 * An ICMP destination unreachable from @from to @to quoting @p (its
 * IPv4 header and 8 bytes of TCP); with @in_padding, the error's IP
 * length ends after the ICMP header and the quote follows in the frame.
 */
static void icmp_error_frame(struct frame *f, const char *from,
			     const char *to, const struct pkt *p,
			     bool in_padding)
{
	struct iphdr ip = { .version = 4, .ihl = 5, .ttl = 64,
			    .protocol = IPPROTO_ICMP };
	struct frame q;
	unsigned char *c;

	frame_build(&q, p);
	memset(f, 0, sizeof(*f));
	memcpy(f->b, "\x02\0\0\0\0\x01\x02\0\0\0\0\x02", 2 * ETH_ALEN);
	c = put16(f->b + 2 * ETH_ALEN, ETH_P_IP);
	ip.tot_len = htons(sizeof(ip) + 8 + (in_padding ? 0 : 20 + 8));
	inet_pton(AF_INET, from, &ip.saddr);
	inet_pton(AF_INET, to, &ip.daddr);
	memcpy(c, &ip, sizeof(ip));
	c += sizeof(ip);
	c[0] = 3;		/* destination unreachable */
	c[1] = 1;		/* host unreachable */
	c += 8;
	memcpy(c, q.b + L3, 20 + 8);
	f->len = c + 20 + 8 - f->b;
}

/*
 * A TCP flow that saw its reply lives PCN_CT_TCP_OPEN seconds after its
 * last refresh: stamps a second either side of that, which lie before
 * boot on a machine up for less than five days, are alive and dead. An
 * ICMP error about the flow is related only if its quote lies within
 * the error's IP packet.
 */
BOTH_BUILDS(conntrack)
{
	/* established and related pass; the rest takes the policy */
	static const char *const rules[] = {
		"state 6 action accept",
	};
	static const struct tcase reply = {
		"10.0.0.2", "10.0.0.1",
		{ .proto = IPPROTO_TCP, .sport = 80, .dport = 1000,
		  .tcp_flags = 0x10 }, 0
	};
	struct pcn_ct_key k = ct_key4(IPPROTO_TCP, "10.0.0.1", 1000,
				     "10.0.0.2", 80);
	struct pcn_ct flow = { .flags = PCN_CT_REPLIED }, seen;
	struct frame f, err, padded;
	struct pkt p, sent;
	int ct = map_fd(e->fw, "fw_ct");
	__u32 ch;

	ASSERT_LE(0, ct);
	CHAINS_TEXT(e, rules, FW_DROP);
	ASSERT_EQ(0, case_pkt(&reply, &p));
	frame_build(&f, &p);
	/* the packet the error is about: the opener's, to port 80 */
	sent = p;
	memcpy(sent.src, p.dst, 16);
	memcpy(sent.dst, p.src, 16);
	sent.sport = 1000;
	sent.dport = 80;
	icmp_error_frame(&err, "10.0.0.9", "10.0.0.1", &sent, false);
	icmp_error_frame(&padded, "10.0.0.9", "10.0.0.1", &sent, true);
	for (ch = 0; ch < 2; ch++) {
		flow.seen_ns = dp_ago_ns((PCN_CT_TCP_OPEN - 1) * 1000000000ull);
		ASSERT_EQ(0, bpf_map_update_elem(ct, &k, &flow, BPF_ANY));
		EXPECT_EQ(e->pass, run(e, ch, &f, 1, NULL));
		EXPECT_EQ(e->pass, run(e, ch, &err, 1, NULL));
		EXPECT_EQ(e->drop, run(e, ch, &padded, 1, NULL));
		/* the replies refreshed it: it is now */
		ASSERT_EQ(0, bpf_map_lookup_elem(ct, &k, &seen));
		EXPECT_TRUE(dp_after(seen.seen_ns, flow.seen_ns));

		flow.seen_ns = dp_ago_ns((PCN_CT_TCP_OPEN + 1) * 1000000000ull);
		ASSERT_EQ(0, bpf_map_update_elem(ct, &k, &flow, BPF_ANY));
		EXPECT_EQ(e->drop, run(e, ch, &err, 1, NULL));
		/* an ACK of no live flow: invalid, and the dead entry goes */
		EXPECT_EQ(e->drop, run(e, ch, &f, 1, NULL));
		EXPECT_EQ(-ENOENT, bpf_map_lookup_elem(ct, &k, &seen) ? -errno : 0);
	}
}

/* A TCP segment @a:@pa > @b:@pb of @flags, @seq, @ack and @len bytes */
static void tcp_frame(struct frame *f, const char *a, __u16 pa, const char *b,
		      __u16 pb, __u8 flags, __u32 seq, __u32 ack, __u8 len)
{
	struct tcase c = { a, b, { .proto = IPPROTO_TCP, .sport = pa,
				   .dport = pb, .tcp_flags = flags,
				   .payload = len }, -1 };
	unsigned char *t;
	struct pkt p;

	case_pkt(&c, &p);
	frame_build(f, &p);
	t = f->b + f->len - len - 20;
	put16(put16(t + 4, seq >> 16), seq);
	put16(put16(t + 8, ack >> 16), ack);
}

/*
 * TCP sequence tracking (bpf/ct.h): once both sides are seen, a
 * segment or RST whose sequence number lies more than
 * PCN_CT_TCP_WINDOW from where its sender is, or that acknowledges
 * what the other side never sent, is invalid, and moves nothing; one
 * in the window passes, across the wrap of the sequence space too. A
 * RST in the window ends the flow.
 */
BOTH_BUILDS(tcp_window)
{
	/* new and established pass; invalid takes the policy */
	static const char *const rules[] = {
		"state 3 action accept",
	};
	const __u32 far = PCN_CT_TCP_WINDOW + 1, cs = 0xfffffff0, ss = 5000;
	struct pcn_ct_key k = ct_key4(IPPROTO_TCP, "10.0.0.1", 1000,
				     "10.0.0.2", 80);
	int ct = map_fd(e->fw, "fw_ct");
	struct pcn_ct seen;
	struct frame f;

	ASSERT_LE(0, ct);
	CHAINS_TEXT(e, rules, FW_DROP);
#define C2S(fl, seq, ack, len) \
	tcp_frame(&f, "10.0.0.1", 1000, "10.0.0.2", 80, fl, seq, ack, len)
#define S2C(fl, seq, ack, len) \
	tcp_frame(&f, "10.0.0.2", 80, "10.0.0.1", 1000, fl, seq, ack, len)
	C2S(0x02, cs, 0, 0);
	EXPECT_EQ(e->pass, run(e, FW_INGRESS, &f, 1, NULL));
	/* one side seen: the other's numbers are not judged yet */
	S2C(0x12, ss, cs + 1, 0);
	EXPECT_EQ(e->pass, run(e, FW_EGRESS, &f, 1, NULL));
	/* 32 bytes across the wrap, then the next ones after them */
	C2S(0x18, cs + 1, ss + 1, 32);
	EXPECT_EQ(e->pass, run(e, FW_INGRESS, &f, 1, NULL));
	C2S(0x18, cs + 33, ss + 1, 10);
	EXPECT_EQ(e->pass, run(e, FW_INGRESS, &f, 1, NULL));
	ASSERT_EQ(0, bpf_map_lookup_elem(ct, &k, &seen));
	EXPECT_EQ(PCN_CT_SEQ0 | PCN_CT_SEQ1,
		  seen.flags & (PCN_CT_SEQ0 | PCN_CT_SEQ1));
	EXPECT_EQ(cs + 43, seen.end[0]);	/* 10.0.0.1 is side 0 */
	EXPECT_EQ(ss + 1, seen.end[1]);
	/* a retransmission in the window passes */
	C2S(0x18, cs + 1, ss + 1, 32);
	EXPECT_EQ(e->pass, run(e, FW_INGRESS, &f, 1, NULL));
	/* out of the window: a RST far ahead, far behind, data far
	 * behind, an ACK of what the server never sent */
	S2C(0x04, ss + 1 + far, 0, 0);
	EXPECT_EQ(e->drop, run(e, FW_EGRESS, &f, 1, NULL));
	S2C(0x14, ss + 1 - far, cs + 43, 0);
	EXPECT_EQ(e->drop, run(e, FW_EGRESS, &f, 1, NULL));
	C2S(0x18, cs + 43 - far, ss + 1, 10);
	EXPECT_EQ(e->drop, run(e, FW_INGRESS, &f, 1, NULL));
	C2S(0x10, cs + 43, ss + 2, 0);
	EXPECT_EQ(e->drop, run(e, FW_INGRESS, &f, 1, NULL));
	/* the flow is still there, its numbers unmoved */
	ASSERT_EQ(0, bpf_map_lookup_elem(ct, &k, &seen));
	EXPECT_EQ(cs + 43, seen.end[0]);
	EXPECT_EQ(ss + 1, seen.end[1]);
	/* a RST in the window: established, and the flow is gone */
	S2C(0x04, ss + 1 + 1000, 0, 0);
	EXPECT_EQ(e->pass, run(e, FW_EGRESS, &f, 1, NULL));
	EXPECT_EQ(-ENOENT, bpf_map_lookup_elem(ct, &k, &seen) ? -errno : 0);
#undef C2S
#undef S2C
}

/* How many flows @fd holds */
static int ct_count(int fd)
{
	struct pcn_ct_key k, next;
	int n = 0;

	while (!bpf_map_get_next_key(fd, n ? &k : NULL, &next)) {
		k = next;
		n++;
	}
	return n;
}

/*
 * ICMPv6 neighbour discovery (router and neighbour solicitation and
 * advertisement, redirect) is not tracked, and is new: never invalid,
 * so a rule dropping invalid packets does not cut a host off its
 * neighbours (netfilter has them invalid, which is why ip6tables rule
 * sets accept them by type before their conntrack rules).
 */
BOTH_BUILDS(icmpv6_nd)
{
	static const char *const rules[] = {
		"state 8 action drop",
		"state 1 proto 58 action accept",
	};
	static const struct tcase cases[] = {
		{ "fe80::1", "ff02::2", ICMP6(133, 0), 1 },
		{ "fe80::2", "fe80::1", ICMP6(134, 0), 1 },
		{ "fe80::1", "ff02::1:ff00:2", ICMP6(135, 0), 1 },
		{ "fe80::2", "fe80::1", ICMP6(136, 0), 1 },
		{ "fe80::2", "fe80::1", ICMP6(137, 0), 1 },
	};
	int ct = map_fd(e->fw, "fw_ct");
	struct frame f;
	struct pkt p;
	__u32 ch;
	size_t i;

	ASSERT_LE(0, ct);
	CHAINS_TEXT(e, rules, FW_DROP);
	/* (the model of expect_case() knows no state: run by hand) */
	for (ch = 0; ch < 2; ch++) {
		for (i = 0; i < ARRAY_SIZE(cases); i++) {
			ASSERT_EQ(0, case_pkt(&cases[i], &p));
			frame_build(&f, &p);
			EXPECT_EQ(e->pass, run(e, ch, &f, 1, NULL));
		}
		EXPECT_EQ(0, rule_counter(e, set_in_use(e, ch), 0).packets);
		EXPECT_EQ(ARRAY_SIZE(cases),
			  rule_counter(e, set_in_use(e, ch), 1).packets);
	}
	EXPECT_EQ(0, ct_count(ct));
}

/*
 * An ICMPv6 destination unreachable from @from to @to quoting @p (its
 * IPv6 header and 8 bytes of UDP)
 */
static void icmp6_error_frame(struct frame *f, const char *from,
			      const char *to, const struct pkt *p)
{
	struct ipv6hdr ip6 = { .version = 6, .hop_limit = 64,
			       .nexthdr = IPPROTO_ICMPV6 };
	struct frame q;
	unsigned char *c;

	frame_build(&q, p);
	memset(f, 0, sizeof(*f));
	memcpy(f->b, "\x02\0\0\0\0\x01\x02\0\0\0\0\x02", 2 * ETH_ALEN);
	c = put16(f->b + 2 * ETH_ALEN, ETH_P_IPV6);
	ip6.payload_len = htons(8 + 40 + 8);
	inet_pton(AF_INET6, from, &ip6.saddr);
	inet_pton(AF_INET6, to, &ip6.daddr);
	memcpy(c, &ip6, sizeof(ip6));
	c += sizeof(ip6);
	c[0] = 1;		/* destination unreachable */
	c[1] = 4;		/* port unreachable */
	c += 8;
	memcpy(c, q.b + L3, 40 + 8);
	f->len = c + 40 + 8 - f->b;
}

/*
 * An ICMPv6 error about a tracked flow is related (and one about no
 * flow invalid), as an ICMP one is; it opens nothing.
 */
BOTH_BUILDS(icmpv6_error_related)
{
	static const char *const rules[] = {
		"state 4 action accept",
	};
	static const struct tcase out = {
		"2001:db8::1", "2001:db8::2", UDP(1000, 53), 0
	};
	struct frame f, err;
	struct pkt p;
	int ct = map_fd(e->fw, "fw_ct");
	__u32 ch;

	ASSERT_LE(0, ct);
	CHAINS_TEXT(e, rules, FW_DROP);
	ASSERT_EQ(0, case_pkt(&out, &p));
	icmp6_error_frame(&err, "2001:db8::9", "2001:db8::1", &p);
	for (ch = 0; ch < 2; ch++)
		EXPECT_EQ(e->drop, run(e, ch, &err, 1, NULL));
	EXPECT_EQ(0, ct_count(ct));
	/* the flow opened, by an accepting set */
	ASSERT_EQ(0, set_text(e, FW_EGRESS, NULL, 0, FW_ACCEPT));
	frame_build(&f, &p);
	EXPECT_EQ(e->pass, run(e, FW_EGRESS, &f, 1, NULL));
	EXPECT_EQ(1, ct_count(ct));
	ASSERT_EQ(0, set_text(e, FW_EGRESS, rules, 1, FW_DROP));
	for (ch = 0; ch < 2; ch++)
		EXPECT_EQ(e->pass, run(e, ch, &err, 1, NULL));
	EXPECT_EQ(1, ct_count(ct));
}

/* ---- reject: the answers, byte by byte ---- */

/* @n bytes at @b as 16-bit big-endian words added to @sum */
static __u32 sum16(const unsigned char *b, __u32 n, __u32 sum)
{
	__u32 i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (__u32)b[i] << 8 | b[i + 1];
	if (n & 1)
		sum += (__u32)b[n - 1] << 8;
	return sum;
}

static __u16 fold(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/*
 * Is the checksum of the IPv4 header at @ip right, recomputed over the
 * whole header (the sum with the checksum in it is all ones)?
 */
static bool ip4_csum_ok(const unsigned char *ip)
{
	return fold(sum16(ip, (ip[0] & 0xf) * 4, 0)) == 0xffff;
}

/*
 * Is the L4 checksum of the IP packet at @ip right, recomputed over the
 * pseudo-header (not for ICMP) and the whole L4 packet?
 */
static bool l4_csum_ok(const unsigned char *ip)
{
	const unsigned char *l4;
	__u32 sum, len;
	__u8 proto;

	if ((ip[0] >> 4) == 4) {
		l4 = ip + (ip[0] & 0xf) * 4;
		len = (ip[2] << 8 | ip[3]) - (l4 - ip);
		proto = ip[9];
		sum = proto == IPPROTO_ICMP ? 0 : sum16(ip + 12, 8, 0);
	} else {
		l4 = ip + 40;
		len = ip[4] << 8 | ip[5];
		proto = ip[6];
		sum = sum16(ip + 8, 32, 0);
	}
	if (proto != IPPROTO_ICMP)
		sum += proto + len;
	return fold(sum16(l4, len, sum)) == 0xffff;
}

static __u32 get32(const unsigned char *b)
{
	return (__u32)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
}

/* @f through chain @ch, what comes out in @out: the verdict, or -errno */
static int run_out(struct env *e, __u32 ch, const struct frame *f,
		   struct frame *out)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f->b,
		    .data_size_in = f->len, .data_out = out->b,
		    .data_size_out = sizeof(out->b), .repeat = 1);

	memset(out, 0, sizeof(*out));
	if (bpf_prog_test_run_opts(e->prog[ch], &o))
		return -errno;
	out->len = o.data_size_out;
	return o.retval;
}

/* A packet a reject rule answers, and what the answer must be. */
struct rej_case {
	const char *what;
	struct tcase c;
	__u32 seq, ack;		/* the TCP segment's */
	__u8 type, code;	/* the answer's ICMP; 0, 0: a RST */
};

/*
 * Check the answer @a to @f (case @rc): Ethernet addresses swapped and
 * tags kept, IP from the packet's destination to its source, every
 * checksum right as recomputed over the whole packet, and the RST's
 * numbers (RFC 9293 3.10.7.1) or the ICMP error's quote.
 */
static void expect_answer(struct __test_metadata *_metadata,
			  const struct rej_case *rc, const struct frame *f,
			  const struct frame *a)
{
	__u32 l3 = L3, tot, hl, quote, alen;
	const unsigned char *ip, *in, *t;
	int v6 = strchr(rc->c.src, ':') != NULL;

	while (f->b[l3 - 2] == 0x81 || f->b[l3 - 2] == 0x88)
		l3 += 4;	/* a VLAN tag (0x8100, 0x88a8) */
	in = f->b + l3;
	ip = a->b + l3;
	EXPECT_EQ(0, memcmp(a->b, f->b + ETH_ALEN, ETH_ALEN));
	EXPECT_EQ(0, memcmp(a->b + ETH_ALEN, f->b, ETH_ALEN));
	EXPECT_EQ(0, memcmp(a->b + 2 * ETH_ALEN, f->b + 2 * ETH_ALEN,
			    l3 - 2 * ETH_ALEN));
	if (v6) {
		hl = 40;
		tot = 40 + (in[4] << 8 | in[5]);
		EXPECT_EQ(0x60, ip[0]);
		EXPECT_EQ(64, ip[7]);
		EXPECT_EQ(0, memcmp(ip + 8, in + 24, 16));
		EXPECT_EQ(0, memcmp(ip + 24, in + 8, 16));
		alen = 40 + (ip[4] << 8 | ip[5]);
		EXPECT_EQ(rc->type ? IPPROTO_ICMPV6 : IPPROTO_TCP, ip[6]);
	} else {
		hl = 20;
		tot = in[2] << 8 | in[3];
		EXPECT_EQ(0x45, ip[0]);
		EXPECT_EQ(64, ip[8]);
		EXPECT_EQ(0, memcmp(ip + 12, in + 16, 4));
		EXPECT_EQ(0, memcmp(ip + 16, in + 12, 4));
		alen = ip[2] << 8 | ip[3];
		EXPECT_EQ(rc->type ? IPPROTO_ICMP : IPPROTO_TCP, ip[9]);
		EXPECT_TRUE(ip4_csum_ok(ip));
	}
	EXPECT_EQ(l3 + alen, a->len);
	if (l3 + alen != a->len || a->len > sizeof(a->b))
		return;
	EXPECT_TRUE(l4_csum_ok(ip));
	t = ip + hl;
	if (!rc->type) {
		const unsigned char *s = in + hl;

		EXPECT_EQ(hl + 20, alen);
		EXPECT_EQ(0, memcmp(t, s + 2, 2));
		EXPECT_EQ(0, memcmp(t + 2, s, 2));
		EXPECT_EQ(5 << 4, t[12]);
		if (s[13] & 0x10) {	/* ACK: seq is its ack, no ACK */
			EXPECT_EQ(rc->ack, get32(t + 4));
			EXPECT_EQ(0, get32(t + 8));
			EXPECT_EQ(0x04, t[13]);
		} else {		/* acknowledges SYN, FIN and data */
			EXPECT_EQ(0, get32(t + 4));
			EXPECT_EQ(rc->seq + (tot - hl - 20) +
				  !!(s[13] & 0x02) + !!(s[13] & 0x01),
				  get32(t + 8));
			EXPECT_EQ(0x14, t[13]);
		}
		return;
	}
	/* the packet's first bytes, whole 32-bit words, at most 128 */
	quote = (tot < 128 ? tot : 128) & ~3u;
	EXPECT_EQ(hl + 8 + quote, alen);
	EXPECT_EQ(rc->type, t[0]);
	EXPECT_EQ(rc->code, t[1]);
	EXPECT_EQ(0, get32(t + 4));
	EXPECT_EQ(0, memcmp(t + 8, in, quote));
}

/*
 * What a reject sends back, byte by byte, in both families, as a RST
 * and as an ICMP or ICMPv6 port unreachable: on the way in, the answer
 * leaves by the interface the packet came in by (a redirect), every
 * checksum right. In XDP the answer is longer than a
 * short packet (the frame grows at its head) or shorter than a long one.
 */
BOTH_BUILDS(reject_answers)
{
	static const char *const rules[] = {
		"proto 6 dport 80 action reject-rst",
		"proto 6 dport 81 action reject-icmp",
		"proto 17 action reject-icmp",
	};
	static const struct rej_case cases[] = {
		{ "IPv4 SYN, RST", { V4, { .proto = IPPROTO_TCP, .sport = 1024,
			.dport = 80, .tcp_flags = 0x02 }, 0 },
		  .seq = 0xfffffff0 },
		{ "IPv4 ACK with data, RST", { V4, { .proto = IPPROTO_TCP,
			.sport = 1024, .dport = 80, .tcp_flags = 0x18,
			.payload = 11 }, 0 }, .seq = 7, .ack = 0x89abcdef },
		{ "IPv4 FIN with data, no ACK, RST", { V4, { .proto = IPPROTO_TCP,
			.sport = 1024, .dport = 80, .tcp_flags = 0x01,
			.payload = 3 }, 0 }, .seq = 0xfffffffe },
		{ "IPv4 SYN, ICMP", { V4, { .proto = IPPROTO_TCP,
			.sport = 1024, .dport = 81, .tcp_flags = 0x02 }, 1 },
		  .type = 3, .code = 3 },
		{ "IPv4 UDP, ICMP", { V4, { .proto = IPPROTO_UDP, .sport = 5000,
			.dport = 53, .payload = 9 }, 2 }, .type = 3, .code = 3 },
		{ "IPv4 UDP long, ICMP", { V4, { .proto = IPPROTO_UDP,
			.sport = 5000, .dport = 53, .payload = 200 }, 2 },
		  .type = 3, .code = 3 },
		{ "IPv6 SYN, RST", { V6, { .proto = IPPROTO_TCP, .sport = 1024,
			.dport = 80, .tcp_flags = 0x02 }, 0 }, .seq = 1 },
		{ "IPv6 ACK with data, RST", { V6, { .proto = IPPROTO_TCP,
			.sport = 1024, .dport = 80, .tcp_flags = 0x10,
			.payload = 100 }, 0 }, .seq = 5, .ack = 0xfedcba98 },
		{ "IPv6 SYN, ICMPv6", { V6, { .proto = IPPROTO_TCP,
			.sport = 1024, .dport = 81, .tcp_flags = 0x02 }, 1 },
		  .type = 1, .code = 4 },
		{ "IPv6 UDP, ICMPv6", { V6, { .proto = IPPROTO_UDP,
			.sport = 5000, .dport = 53, .payload = 1 }, 2 },
		  .type = 1, .code = 4 },
		{ "IPv6 UDP long, ICMPv6", { V6, { .proto = IPPROTO_UDP,
			.sport = 5000, .dport = 53, .payload = 150 }, 2 },
		  .type = 1, .code = 4 },
		{ "IPv6 in a VLAN, RST", { V6, { .proto = IPPROTO_TCP,
			.sport = 1024, .dport = 80, .tcp_flags = 0x02,
			.tags = { ETH_P_8021Q } }, 0 }, .seq = 9 },
		{ "IPv4 in two VLANs, ICMP", { V4, { .proto = IPPROTO_UDP,
			.sport = 5000, .dport = 53,
			.tags = { ETH_P_8021AD, ETH_P_8021Q } }, 2 },
		  .type = 3, .code = 3 },
	};
	__u32 answered = e->tc ? TC_ACT_REDIRECT : XDP_REDIRECT, set, id;
	struct frame f, a;
	int failed;
	size_t i;

	CHAINS_TEXT(e, rules, FW_ACCEPT);
	set = set_in_use(e, FW_INGRESS);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct rej_case *rc = &cases[i];
		unsigned char *t;
		struct pkt p;
		__u32 l4;

		ASSERT_EQ(0, case_pkt(&rc->c, &p));
		frame_build(&f, &p);
		l4 = f.len - p.payload - (p.proto == IPPROTO_TCP ? 20 : 8);
		t = f.b + l4;
		if (p.proto == IPPROTO_TCP) {
			t[4] = rc->seq >> 24, t[5] = rc->seq >> 16;
			t[6] = rc->seq >> 8, t[7] = rc->seq;
			t[8] = rc->ack >> 24, t[9] = rc->ack >> 16;
			t[10] = rc->ack >> 8, t[11] = rc->ack;
		}
		memset(t + (p.proto == IPPROTO_TCP ? 20 : 8), 0xa5, p.payload);
		failed = _metadata->res->failed;
		EXPECT_EQ(answered, run_out(e, FW_INGRESS, &f, &a));
		expect_answer(_metadata, rc, &f, &a);
		if (!failed && _metadata->res->failed)
			TH_LOG("%s: wrong answer", rc->what);
		id = e->rules[set][rc->c.rule].id;
		e->want[id].packets++;
		e->want[id].bytes += f.len;
	}
	EXPECT_EQ(ARRAY_SIZE(cases), stats(e, FW_INGRESS).rejected);
	expect_counters(_metadata, e, set);
}

/* Frames that are not IP are not the firewall's: they pass, uncounted. */
BOTH_BUILDS(non_ip)
{
	static const char *const rules[] = {
		"action drop",
	};
	static const struct tcase ip = { V4, TCP(1024, 443), 0 };
	struct frame f;
	__u32 ch;

	CHAINS_TEXT(e, rules, FW_DROP);
	for (ch = 0; ch < 2; ch++) {
		frame_other(&f, 0, ETH_P_ARP, ETH_HLEN + 28);
		expect_unclassified(_metadata, e, ch, &f, e->pass, NULL,
				    "ARP");
		frame_other(&f, ETH_P_8021Q, ETH_P_ARP, ETH_HLEN + 4 + 28);
		expect_unclassified(_metadata, e, ch, &f, e->pass, NULL,
				    "ARP in a VLAN");
		frame_other(&f, 0, 0x88cc, 60);
		expect_unclassified(_metadata, e, ch, &f, e->pass, NULL,
				    "LLDP");
		/* and IP is dropped, by the rule */
		expect_case(_metadata, e, ch, &ip);
	}
}

/*
 * Packets from 10.1.0.5, 10.2.0.5 and 10.3.0.5 through both chains: on
 * ingress, @want[i] is the first match of the i-th; egress has no rule.
 */
static void expect_generation(struct __test_metadata *_metadata,
			      struct env *e, const int want[3])
{
	static const char *const src[] = { "10.1.0.5", "10.2.0.5",
					   "10.3.0.5" };
	struct tcase c = { .dst = "10.9.0.1", .p = TCP(1024, 443) };
	__u32 ch, i;

	for (i = 0; i < ARRAY_SIZE(src); i++) {
		for (ch = 0; ch < 2; ch++) {
			c.src = src[i];
			c.rule = ch == FW_INGRESS ? want[i] : -1;
			expect_case(_metadata, e, ch, &c);
		}
	}
}

/*
 * A set is built while the other generation is in use, and no packet
 * sees it until fw_state is switched; a set that was in use is rebuilt
 * with another prefix in place of its own, and the old one is gone
 * (left in the trie, it would lead to the new one's vector: a rule of
 * the same shape gets the same vector ids).
 */
BOTH_BUILDS(generations)
{
	static const char *const gen0[] = {
		"src 10.1.0.0/16 action drop",
	};
	static const char *const gen1[] = {
		"src 10.2.0.0/16 action drop",
	};
	static const char *const gen0_again[] = {
		"src 10.3.0.0/16 action drop",
	};
	static const int by_gen0[] = { 0, -1, -1 }, by_gen1[] = { -1, 0, -1 },
			 by_gen0_again[] = { -1, -1, 0 };
	__u32 set;

	/* egress: dropping in generation 0, accepting in 1 */
	ASSERT_EQ(0, set_text(e, SET(0, FW_INGRESS), gen0, 1, FW_ACCEPT));
	ASSERT_EQ(0, set_text(e, SET(0, FW_EGRESS), NULL, 0, FW_DROP));
	expect_generation(_metadata, e, by_gen0);

	ASSERT_EQ(0, set_text(e, SET(1, FW_INGRESS), gen1, 1, FW_ACCEPT));
	ASSERT_EQ(0, set_text(e, SET(1, FW_EGRESS), NULL, 0, FW_ACCEPT));
	expect_generation(_metadata, e, by_gen0);
	ASSERT_EQ(0, state_write(e, 1, 1));
	expect_generation(_metadata, e, by_gen1);

	ASSERT_EQ(0, set_text(e, SET(0, FW_INGRESS), gen0_again, 1,
			      FW_ACCEPT));
	expect_generation(_metadata, e, by_gen1);
	ASSERT_EQ(0, state_write(e, 0, 1));
	expect_generation(_metadata, e, by_gen0_again);

	for (set = 0; set < FW_SETS; set++)
		expect_counters(_metadata, e, set);
	EXPECT_STATS(e, FW_INGRESS);
	EXPECT_STATS(e, FW_EGRESS);
}

/*
 * Packets and bytes are counted by the rule that matched alone, the
 * rest by chain: the numbers written out, not only the model's.
 */
BOTH_BUILDS(counters)
{
	static const char *const in[] = {
		"proto 6 dport 443 action accept",
		"proto 17 action drop",
		"src 10.0.0.0/8 action accept",
	};
	static const char *const eg[] = {
		"proto 6 action drop",
	};
	static const struct tcase in_cases[] = {
		/* 54 + 64 + 74 bytes */
		{ "192.168.0.1", D4, TCP(1024, 443), 0 },
		{ "192.168.0.1", D4, { .proto = IPPROTO_TCP, .dport = 443,
				       .payload = 10 }, 0 },
		{ "192.168.0.1", D4, { .proto = IPPROTO_TCP, .dport = 443,
				       .payload = 20 }, 0 },
		/* 42 + 42 + 42, one a later fragment */
		{ "192.168.0.1", D4, UDP(1024, 5353), 1 },
		{ "10.0.0.1", D4, UDP(1024, 5353), 1 },
		{ "192.168.0.1", D4, LATER(IPPROTO_UDP), 1 },
		/* 42 */
		{ "10.1.1.1", D4, PROTO(IPPROTO_ICMP), 2 },
		{ "192.168.0.1", D4, TCP(1024, 8080), -1 },
	};
	static const struct tcase eg_cases[] = {
		{ "192.168.0.1", D4, TCP(1024, 443), 0 },
		{ "10.0.0.1", D4, TCP(1024, 80), 0 },
		{ "192.168.0.1", D4, UDP(1024, 5353), -1 },
	};
	struct fw_stats s;
	struct frame f;
	struct pkt p;
	size_t i;

	ASSERT_EQ(0, set_text(e, FW_INGRESS, in, ARRAY_SIZE(in), FW_DROP));
	ASSERT_EQ(0, set_text(e, FW_EGRESS, eg, ARRAY_SIZE(eg), FW_ACCEPT));
	for (i = 0; i < ARRAY_SIZE(in_cases); i++)
		expect_case(_metadata, e, FW_INGRESS, &in_cases[i]);
	for (i = 0; i < ARRAY_SIZE(eg_cases); i++)
		expect_case(_metadata, e, FW_EGRESS, &eg_cases[i]);
	/* and a TCP header cut short */
	ASSERT_EQ(0, case_pkt(&in_cases[0], &p));
	frame_build(&f, &p);
	f.len = L3 + 20 + 12;
	expect_unclassified(_metadata, e, FW_INGRESS, &f, e->drop,
			    &e->want_st[FW_INGRESS].malformed, "cut");

	EXPECT_EQ(3, rule_counter(e, FW_INGRESS, 0).packets);
	EXPECT_EQ(54 + 64 + 74, rule_counter(e, FW_INGRESS, 0).bytes);
	EXPECT_EQ(3, rule_counter(e, FW_INGRESS, 1).packets);
	EXPECT_EQ(3 * 42, rule_counter(e, FW_INGRESS, 1).bytes);
	EXPECT_EQ(1, rule_counter(e, FW_INGRESS, 2).packets);
	EXPECT_EQ(42, rule_counter(e, FW_INGRESS, 2).bytes);
	EXPECT_EQ(2, rule_counter(e, FW_EGRESS, 0).packets);
	EXPECT_EQ(2 * 54, rule_counter(e, FW_EGRESS, 0).bytes);
	s = stats(e, FW_INGRESS);
	EXPECT_EQ(4, s.accepted);
	EXPECT_EQ(4, s.dropped);
	EXPECT_EQ(1, s.policy);
	EXPECT_EQ(1, s.malformed);
	EXPECT_EQ(1, s.fragments);
	s = stats(e, FW_EGRESS);
	EXPECT_EQ(1, s.accepted);
	EXPECT_EQ(2, s.dropped);
	EXPECT_EQ(1, s.policy);
	EXPECT_EQ(0, s.malformed);
	EXPECT_EQ(0, s.fragments);
	expect_counters(_metadata, e, FW_INGRESS);
	expect_counters(_metadata, e, FW_EGRESS);
	EXPECT_STATS(e, FW_INGRESS);
	EXPECT_STATS(e, FW_EGRESS);
}

/*
 * The port tables cover every port: one below the lowest range of all
 * the rules on that field matches none of them.
 */
BOTH_BUILDS(ports_below_every_range)
{
	static const char *const rules[] = {
		"proto 6 sport 1024-65535 dport 80 action drop",
	};
	static const struct tcase cases[] = {
		{ V4, TCP(1024, 80), 0 },
		{ V4, TCP(1024, 8080), -1 },
		{ V4, TCP(1024, 22), -1 },
		{ V4, TCP(80, 80), -1 },
	};

	CHAINS_TEXT(e, rules, FW_ACCEPT);
	expect_cases(_metadata, e, cases, ARRAY_SIZE(cases));
}

/*
 * IPv4 addresses are looked up first by their /16 (fw_ids), then, in
 * a /16 that holds a longer prefix, in the trie: each way gives the
 * longest match, on both fields, and a /16 next to one that asks the
 * trie does not.
 */
BOTH_BUILDS(dir16_and_trie)
{
	static const char *const rules[] = {
		"src 10.1.2.0/24 action drop",
		"src 10.1.0.0/16 dst 10.2.0.0/15 action accept",
		"src 10.0.0.0/8 dst 10.3.255.255/32 action drop",
		"src 10.0.0.0/8 action accept",
		"dst 172.16.0.0/12 action drop",
	};
	static const struct tcase cases[] = {
		{ "10.1.2.3", "10.9.0.1", {}, 0 },	/* trie: the /24 */
		{ "10.1.3.3", "10.3.0.1", {}, 1 },	/* trie: the /16 */
		{ "10.1.3.3", "10.4.0.1", {}, 3 },	/* the /8 */
		{ "10.2.0.1", "10.3.255.255", {}, 2 },	/* dst by the trie */
		{ "10.2.0.1", "10.3.255.254", {}, 3 },
		{ "10.1.2.3", "172.20.0.1", {}, 0 },
		{ "192.168.0.1", "172.31.255.255", {}, 4 }, /* dst /16 wide */
		{ "192.168.0.1", "172.32.0.1", {}, -1 },
	};

	CHAINS_TEXT(e, rules, FW_ACCEPT);
	expect_cases(_metadata, e, cases, ARRAY_SIZE(cases));
}

/*
 * A set's first build after another set's rebuild, in one process (as
 * table_commit() builds both chains, or a -batch two firewalls): its
 * port tables are written whole, not as a change from the other set's.
 */
BOTH_BUILDS(ports_first_build_after_rebuild)
{
	static const char *const rules[] = {
		"proto 6 dport 0-80 action drop",
	};
	static const struct tcase cases[] = {
		{ V4, TCP(1024, 80), 0 },
		{ V4, TCP(1024, 443), -1 },
	};

	ASSERT_EQ(0, set_text(e, FW_INGRESS, rules, 1, FW_ACCEPT));
	ASSERT_EQ(0, set_text(e, FW_INGRESS, rules, 1, FW_ACCEPT));
	ASSERT_EQ(0, set_text(e, FW_EGRESS, rules, 1, FW_ACCEPT));
	expect_cases(_metadata, e, cases, ARRAY_SIZE(cases));
}

#define COST_REPEAT (1u << 17)

static void rule_swap(struct fw_rule *a, struct fw_rule *b)
{
	struct fw_rule t = *a;

	*a = *b;
	*b = t;
}

/*
 * The worst case of a linear search, a packet only the last rule
 * matches, at 10, 1,000 and 10,000 rules: fw1_8k ends in a catch-all
 * that alone matches this header; it comes after the first 9 or 999
 * other rules of fw1_8k, or after all of them and the first 2,176 of
 * acl1_8k. Each is timed in 5 rounds, the sizes in turn, and the median
 * is printed, never judged.
 */
#define COST_ROUNDS 5

static int u32_cmp(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

BOTH_BUILDS(cost)
{
	struct tcase c = { .src = "200.1.2.3", .dst = "200.4.5.6",
			   .p = { .proto = IPPROTO_TCP, .sport = 40000,
				  .dport = 40000, .tcp_flags = 0x12 } };
	struct classbench *cb = &e->cb;
	__u32 sizes[3] = { 10, 1000, 10000 }, ns[3][COST_ROUNDS], i, n, r;
	__u64 before;
	struct fw_rule last;
	struct frame f;
	struct pkt p;
	int err;

	CB_LOAD(e, "fw1_8k", CB_MAX);
	last = cb->rules[--cb->n];
	CB_LOAD(e, "acl1_8k", sizes[2] - 1);
	cb->rules[cb->n++] = last;
	ASSERT_EQ(sizes[2], cb->n);
	ASSERT_EQ(0, case_pkt(&c, &p));
	frame_build(&f, &p);
	for (r = 0; r < COST_ROUNDS; r++)
		for (i = 0; i < ARRAY_SIZE(sizes); i++) {
			n = sizes[i];
			/* the first n - 1 rules, then the last in place of
			 * the nth */
			rule_swap(&cb->rules[n - 1], &cb->rules[cb->n - 1]);
			err = set_write(e, FW_INGRESS, cb->rules, n, FW_DROP);
			rule_swap(&cb->rules[n - 1], &cb->rules[cb->n - 1]);
			ASSERT_EQ(0, err);
			/* the scan finds no rule before it, and neither
			 * does the datapath, on a packet counted by that
			 * rule */
			c.rule = n - 1;
			if (!r)
				expect_case(_metadata, e, FW_INGRESS, &c);
			before = rule_counter(e, FW_INGRESS, n - 1).packets;
			ASSERT_EQ(e->pass, run(e, FW_INGRESS, &f, COST_REPEAT,
					       &ns[i][r]));
			EXPECT_EQ(before + COST_REPEAT,
				  rule_counter(e, FW_INGRESS, n - 1).packets);
		}
	for (i = 0; i < ARRAY_SIZE(sizes); i++)
		qsort(ns[i], COST_ROUNDS, sizeof(ns[i][0]), u32_cmp);
	r = COST_ROUNDS / 2;
	TH_LOG("classification cost: %u rules %u ns, %u rules %u ns, %u rules %u ns (%.1fx; %s)",
	       sizes[0], ns[0][r], sizes[1], ns[1][r], sizes[2], ns[2][r],
	       (double)ns[2][r] / ns[0][r], e->tc ? "tc" : "xdp");
}

/* ---- incremental changes ---- */

/* xorshift: the same sequence on every run, so a failure repeats */
static __u64 rnd_state;

static __u32 rnd(__u32 n)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return n ? (__u32)(rnd_state % n) : 0;
}

/*
 * A rule of the shapes ClassBench has, from small pools so that rules
 * share prefixes (nested ones too), port ranges and protocols: the
 * vectors that values share are what an update must split and keep.
 */
static void rnd_rule(struct fw_rule *r, __u32 id)
{
	static const __u16 lo[] = { 0, 53, 80, 443, 1024, 1024, 6000 };
	static const __u16 hi[] = { 65535, 53, 80, 443, 65535, 2047, 6100 };
	int d;

	memset(r, 0, sizeof(*r));
	r->id = id;
	r->action = rnd(2) ? FW_ACCEPT : FW_DROP;
	r->family = rnd(5) ? 4 : 6;
	for (d = 0; d < 2; d++) {
		__u8 *a = d ? r->dst : r->src, plen;

		if (!rnd(4))
			continue;
		r->fields |= d ? FW_F_DST : FW_F_SRC;
		if (r->family == 4) {
			static const __u8 pl4[] = { 0, 8, 16, 16, 24, 24, 28, 32 };

			plen = pl4[rnd(ARRAY_SIZE(pl4))];
			a[0] = 10;
			a[1] = rnd(4);
			a[2] = rnd(8);
			a[3] = rnd(16) * 16 + rnd(2);
		} else {
			static const __u8 pl6[] = { 0, 32, 48, 64, 128 };

			plen = pl6[rnd(ARRAY_SIZE(pl6))];
			a[0] = 0x20;
			a[1] = 0x01;
			a[5] = rnd(3);
			a[7] = rnd(4);
			a[15] = rnd(4);
		}
		/* the bits past the prefix: zero, as pcn writes them */
		for (__u32 b = plen; b < (r->family == 4 ? 32u : 128u); b++)
			a[b / 8] &= ~(0x80 >> (b % 8));
		if (d)
			r->dst_plen = plen;
		else
			r->src_plen = plen;
	}
	if (!(r->fields & (FW_F_SRC | FW_F_DST)))
		r->family = 0;
	switch (rnd(4)) {
	case 0:
		return;
	case 1:
		r->fields |= FW_F_PROTO;
		r->proto = r->family == 6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
		if (r->family)
			return;
		r->proto = 47;
		return;
	default:
		r->fields |= FW_F_PROTO;
		r->proto = rnd(2) ? IPPROTO_TCP : IPPROTO_UDP;
	}
	for (d = 0; d < 2; d++) {
		__u32 i = rnd(ARRAY_SIZE(lo));

		if (!rnd(3))
			continue;
		r->fields |= d ? FW_F_DPORT : FW_F_SPORT;
		if (d) {
			r->dport_lo = lo[i];
			r->dport_hi = hi[i];
		} else {
			r->sport_lo = lo[i];
			r->sport_hi = hi[i];
		}
	}
	if (r->proto == IPPROTO_TCP && !rnd(4)) {
		r->fields |= FW_F_FLAGS;
		r->flags_mask = 0x12;
		r->flags_value = rnd(2) ? 0x02 : 0x12;
	}
}

/* a packet near rule @r's values, often in them, sometimes not */
static void rnd_pkt(struct pkt *p, const struct fw_rule *r)
{
	static const __u8 protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP,
				       47 };
	__u32 i;

	memset(p, 0, sizeof(*p));
	p->family = r->family ? r->family : rnd(5) ? 4 : 6;
	memcpy(p->src, r->src, 16);
	memcpy(p->dst, r->dst, 16);
	if (p->family == 4) {
		for (i = 0; i < 2; i++) {
			__u8 *a = i ? p->dst : p->src;

			a[0] = 10;
			if (rnd(3))
				a[3] ^= rnd(4);
			else
				a[2] ^= rnd(2);
		}
	} else {
		p->src[0] = p->dst[0] = 0x20;
		p->src[1] = p->dst[1] = 0x01;
		p->src[15] ^= rnd(2);
		p->dst[7] ^= rnd(2);
	}
	p->proto = (r->fields & FW_F_PROTO) && rnd(4) ? r->proto :
		   protos[rnd(ARRAY_SIZE(protos))];
	if (p->family == 6 && p->proto == IPPROTO_ICMP)
		p->proto = IPPROTO_ICMPV6;
	p->sport = rnd(2) ? r->sport_lo + rnd(3) : r->sport_hi - rnd(2);
	p->dport = rnd(2) ? r->dport_lo + rnd(3) : rnd(65536);
	if (p->proto == IPPROTO_ICMP || p->proto == IPPROTO_ICMPV6) {
		p->sport = rnd(2) ? 8 : 0;
		p->dport = 0;
	}
	p->tcp_flags = rnd(2) ? 0x02 : 0x12;
}

/* the slots of set @set, as pcn reads them: their number */
static __u32 slots_read(struct env *e, __u32 set, struct fw_rule *slots)
{
	struct fw_set hdr = {};

	if (bpf_map_lookup_elem(e->m.sets, &set, &hdr) ||
	    fw_rules_read(&e->m, set, slots, hdr.nslots))
		return FW_RULES_MAX + 1;
	return hdr.nslots;
}

#define INCR_RULES	2000
#define INCR_OPS	150
#define INCR_CHECK	15	/* changes between checks */
#define INCR_PKTS	300	/* packets a check sends */

/*
 * Each packet through the chain in use: the verdict and the counter of
 * the first match (or the policy's count) a scan of @rules gives.
 */
static void expect_scan(struct __test_metadata *_metadata, struct env *e,
			const struct fw_rule *rules, __u32 n, __u32 policy)
{
	struct fw_counter before, after;
	struct fw_stats st0, st1;
	struct frame f;
	struct pkt p;
	__u32 i, action;
	int first, ret;

	for (i = 0; i < INCR_PKTS; i++) {
		rnd_pkt(&p, &rules[rnd(n)]);
		first = ref_first(rules, n, &p);
		action = first < 0 ? policy : rules[first].action;
		frame_build(&f, &p);
		st0 = stats(e, FW_INGRESS);
		if (first >= 0)
			before = counter(e, rules[first].id);
		ret = run(e, FW_INGRESS, &f, 1, NULL);
		if ((__u32)ret != verdict(e, action))
			TH_LOG("%s: first match %d of %u", pkt_str(&p), first, n);
		ASSERT_EQ(verdict(e, action), (__u32)ret);
		st1 = stats(e, FW_INGRESS);
		if (first >= 0) {
			after = counter(e, rules[first].id);
			ASSERT_EQ(before.packets + 1, after.packets);
			ASSERT_EQ(st0.policy, st1.policy);
		} else {
			ASSERT_EQ(st0.policy + 1, st1.policy);
		}
	}
}

/* @rules (@n) into the ingress set not in use, as pcn commits them */
static int incr_commit(struct env *e, struct fw_rule *slots,
		       struct fw_rule *out, const struct fw_rule *rules,
		       __u32 n)
{
	__u32 gen = e->state.gen[FW_INGRESS] & 1, nold;
	int nslots, err;

	nold = slots_read(e, SET(gen, FW_INGRESS), slots);
	if (nold > FW_RULES_MAX)
		return -EIO;
	nslots = fw_layout(slots, nold, rules, n, out);
	if (nslots < 0)
		return nslots;
	err = fw_set_update(&e->m, SET(!gen, FW_INGRESS), out, nslots,
			    FW_ACCEPT);
	return err ?: state_write(e, !gen, e->state.gen[FW_EGRESS]);
}

/*
 * Random appends, inserts, deletes and replaces at INCR_RULES
 * rules, one at a time mostly, a few together now and then, and now and
 * then more than one update handles (built whole): each committed as
 * pcn does, into the generation not in use, then switched. After every
 * INCR_CHECK changes, packets near the rules must meet the first match
 * a scan of the rules finds, counted by that rule; at the end the same
 * with the rules built anew from nothing.
 */
BOTH_BUILDS(incremental)
{
	__u32 n, id = 0, op, c, changes, i, gen;
	struct fw_rule *rules, *slots, *out;

	rules = calloc(FW_RULES_MAX, sizeof(*rules));
	slots = calloc(FW_RULES_MAX, sizeof(*slots));
	out = calloc(FW_RULES_MAX, sizeof(*out));
	ASSERT_TRUE(rules && slots && out);
	rnd_state = 0x9e3779b97f4a7c15ull + e->tc;
	for (n = 0; n < INCR_RULES; n++)
		rnd_rule(&rules[n], id++);
	ASSERT_EQ(0, incr_commit(e, slots, out, rules, n));
	expect_scan(_metadata, e, rules, n, FW_ACCEPT);
	for (op = 1; op <= INCR_OPS; op++) {
		changes = op % 75 == 0 ? 100 : rnd(4) ? 1 : 2 + rnd(4);
		for (c = 0; c < changes; c++) {
			switch (rnd(4)) {
			case 0:		/* append */
				rnd_rule(&rules[n++], id++);
				break;
			case 1:		/* insert */
				i = rnd(n + 1);
				memmove(&rules[i + 1], &rules[i],
					(n++ - i) * sizeof(*rules));
				rnd_rule(&rules[i], id++);
				break;
			case 2:		/* delete */
				i = rnd(n);
				memmove(&rules[i], &rules[i + 1],
					(--n - i) * sizeof(*rules));
				break;
			default:	/* replace, in place */
				i = rnd(n);
				rnd_rule(&rules[i], rules[i].id);
			}
		}
		ASSERT_EQ(0, incr_commit(e, slots, out, rules, n));
		if (op % INCR_CHECK == 0)
			expect_scan(_metadata, e, rules, n, FW_ACCEPT);
	}
	/* the same rules, built from nothing into the other set */
	gen = !(e->state.gen[FW_INGRESS] & 1);
	ASSERT_EQ(0, fw_set_write(&e->m, SET(gen, FW_INGRESS), rules, n,
				  FW_ACCEPT));
	ASSERT_EQ(0, state_write(e, gen, e->state.gen[FW_EGRESS]));
	expect_scan(_metadata, e, rules, n, FW_ACCEPT);
	free(rules);
	free(slots);
	free(out);
}

TEST_HARNESS_MAIN
