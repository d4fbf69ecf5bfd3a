// SPDX-License-Identifier: GPL-2.0
/*
 * pcn nat: the rules of nat cubes, and the translations they made.
 *
 *   pcn nat add NAT RULE
 *   pcn nat del NAT N
 *   pcn nat show [ NAT ]
 *   pcn nat flush NAT
 *   pcn nat translation show [ NAT ]
 *   pcn nat translation flush NAT
 *
 * The rules are kept twice (two generations, bpf/nat.h): a change
 * writes the generation not in use, then switches to it in one map
 * write, so a packet sees the old list or the new one. A rule deleted
 * opens no new flow; the flows it translated go on until they end, or
 * until "translation flush".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "nat_user.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: pcn nat add NAT RULE\n"
		"       pcn nat del NAT N\n"
		"       pcn nat show [ NAT ]\n"
		"       pcn nat flush NAT\n"
		"       pcn nat translation show [ NAT ]\n"
		"       pcn nat translation flush NAT\n"
		"       pcn nat help\n"
		"RULE := { snat src PREFIX [ dst PREFIX ] [ proto PROTO ] to ADDR [ ports PORTS ] |\n"
		"          masquerade src PREFIX [ dst PREFIX ] [ proto PROTO ] [ ports PORTS ] |\n"
		"          dnat dst ADDR [ proto PROTO [ dport PORT ] ] to ADDR [ port PORT ] |\n"
		"          1:1 ADDR ADDR }\n"
		"PROTO := { tcp | udp | icmp | icmpv6 }\n"
		"PORTS := LOW-HIGH (1-65535; default 1024-65535)\n");
}

static const char *const kind_names[] = {
	[NAT_SNAT] = "snat",
	[NAT_MASQ] = "masquerade",
	[NAT_DNAT] = "dnat",
	[NAT_ONE2ONE] = "1:1",
};

static const __u32 zero;

int nat_rules_read(struct pcn_cube *c, struct nat_rule *rules, __u32 *n)
{
	struct nat_state st;
	__u32 i, key;
	int err, fd;

	*n = 0;
	err = cube_map_get(c, "nat_state", &zero, &st);
	if (err)
		return err;
	fd = cube_obj_fd(c, "nat_rules");
	if (fd < 0)
		return -errno;
	for (i = 0; i < NAT_RULES_N(st.rules) && i < NAT_RULES_MAX; i++) {
		key = NAT_RULES_GEN(st.rules) * NAT_RULES_MAX + i;
		if (bpf_map_lookup_elem(fd, &key, &rules[i])) {
			err = -errno;
			break;
		}
		*n = i + 1;
	}
	close(fd);
	return err;
}

/* Make @rules (@n) the rules in use: the other generation, one switch. */
static int nat_rules_write(struct pcn_cube *c, const struct nat_rule *rules,
			   __u32 n)
{
	struct nat_state st;
	__u32 i, key, gen;
	int err, fd;

	err = cube_map_get(c, "nat_state", &zero, &st);
	if (err)
		return err;
	gen = !NAT_RULES_GEN(st.rules);
	fd = cube_obj_fd(c, "nat_rules");
	if (fd < 0)
		return -errno;
	for (i = 0; i < n; i++) {
		key = gen * NAT_RULES_MAX + i;
		if (bpf_map_update_elem(fd, &key, &rules[i], BPF_ANY)) {
			err = -errno;
			break;
		}
	}
	close(fd);
	if (err)
		return err;
	st.rules = (__u64)gen << 32 | n;
	return cube_map_put(c, "nat_state", &zero, &st);
}

static int family_af(int family)
{
	return family == 4 ? AF_INET : AF_INET6;
}

/* "ADDR" of @family, or "ADDR/LEN" (@prefix) */
static void addr_str(const struct nat_rule *r, const __u8 *a, int plen,
		     char *buf, size_t len)
{
	char p[PCN_PREFIX_STRLEN];

	if (plen >= 0) {
		snprintf(buf, len, "%s", pcn_prefix_str(r->family, a, plen, p));
		return;
	}
	inet_ntop(family_af(r->family), a, buf, len);
}

const char *nat_rule_str(const struct nat_rule *r, char *buf, size_t len)
{
	char a[PCN_PREFIX_STRLEN], b[PCN_PREFIX_STRLEN], t[64];
	int o;

	switch (r->kind) {
	case NAT_SNAT:
	case NAT_MASQ:
		addr_str(r, r->src, r->src_plen, a, sizeof(a));
		o = snprintf(buf, len, "%s src %s", kind_names[r->kind], a);
		if (r->dst_plen) {
			addr_str(r, r->dst, r->dst_plen, b, sizeof(b));
			o += snprintf(buf + o, len - o, " dst %s", b);
		}
		if (r->proto)
			o += snprintf(buf + o, len - o, " proto %s",
				      pcn_proto_name(r->proto));
		if (r->kind == NAT_SNAT) {
			addr_str(r, r->to, -1, t, sizeof(t));
			o += snprintf(buf + o, len - o, " to %s", t);
		}
		snprintf(buf + o, len - o, " ports %u-%u", r->port_lo,
			 r->port_hi);
		break;
	case NAT_DNAT:
		addr_str(r, r->dst, -1, a, sizeof(a));
		o = snprintf(buf, len, "dnat dst %s", a);
		if (r->proto)
			o += snprintf(buf + o, len - o, " proto %s",
				      pcn_proto_name(r->proto));
		if (r->dport)
			o += snprintf(buf + o, len - o, " dport %u", r->dport);
		addr_str(r, r->to, -1, t, sizeof(t));
		o += snprintf(buf + o, len - o, " to %s", t);
		if (r->port_lo)
			snprintf(buf + o, len - o, " port %u", r->port_lo);
		break;
	default:
		addr_str(r, r->src, -1, a, sizeof(a));
		addr_str(r, r->dst, -1, b, sizeof(b));
		snprintf(buf, len, "1:1 %s %s", a, b);
		break;
	}
	return buf;
}

/* An address (no length) of the rule's family, or the first sets it. */
static int take_addr(const char *what, const char *arg, struct nat_rule *r,
		     __u8 *addr)
{
	__u32 plen;
	int family, err;

	err = pcn_parse_prefix(arg, addr, &plen, &family);
	if (err)
		return pcn_err_parse(err, what, arg);
	if (plen != (family == 4 ? 32u : 128u))
		return pcn_err(PCN_EXIT_USAGE, "%s \"%s\" is a prefix, not an address",
			       what, arg);
	if (r->family && r->family != family)
		return pcn_err(PCN_EXIT_USAGE,
			       "%s \"%s\" is not of the rule's family (IPv%u)",
			       what, arg, r->family);
	r->family = family;
	return 0;
}

static int take_prefix(const char *what, const char *arg, struct nat_rule *r,
		       __u8 *addr, __u8 *plenp)
{
	__u32 plen;
	int family, err;

	err = pcn_parse_prefix(arg, addr, &plen, &family);
	if (err)
		return pcn_err_parse(err, what, arg);
	if (r->family && r->family != family)
		return pcn_err(PCN_EXIT_USAGE,
			       "%s \"%s\" is not of the rule's family (IPv%u)",
			       what, arg, r->family);
	r->family = family;
	*plenp = plen;
	return 0;
}

static int take_port(const char *what, const char *arg, __u16 *port)
{
	__u32 v;

	if (pcn_parse_u32(arg, 10, &v) || v < 1 || v > 65535)
		return pcn_err(PCN_EXIT_USAGE, "%s \"%s\" is not a port (1-65535)",
			       what, arg);
	*port = v;
	return 0;
}

/* RULE (see usage) into @r */
static int parse_rule(int argc, char **argv, struct nat_rule *r)
{
	bool src = false, dst = false, proto = false, to = false,
	     ports = false, dport = false, port = false;
	const char *kind = argc ? *argv : NULL;
	int err;

	memset(r, 0, sizeof(*r));
	if (!kind)
		return pcn_err(PCN_EXIT_USAGE, "RULE missing");
	if (is_kw(kind, "snat"))
		r->kind = NAT_SNAT;
	else if (is_kw(kind, "masquerade"))
		r->kind = NAT_MASQ;
	else if (is_kw(kind, "dnat"))
		r->kind = NAT_DNAT;
	else if (is_kw(kind, "1:1"))
		r->kind = NAT_ONE2ONE;
	else
		return pcn_err(PCN_EXIT_USAGE,
			       "rule \"%s\" is unknown: snat, masquerade, dnat or 1:1",
			       kind);
	argc--;
	argv++;
	if (r->kind == NAT_ONE2ONE) {
		if (argc != 2)
			return pcn_err(PCN_EXIT_USAGE,
				       "1:1 takes two addresses: inside, outside");
		err = take_addr("address", argv[0], r, r->src);
		if (!err)
			err = take_addr("address", argv[1], r, r->dst);
		if (!err && !memcmp(r->src, r->dst, 16))
			return pcn_err(PCN_EXIT_USAGE,
				       "1:1 maps an address to itself");
		return err;
	}
	while (argc > 0) {
		if (is_kw(*argv, "src") && r->kind != NAT_DNAT) {
			DUP_CHECK(src, "src");
			NEXT_ARG();
			err = take_prefix("prefix", *argv, r, r->src,
					  &r->src_plen);
		} else if (is_kw(*argv, "dst")) {
			DUP_CHECK(dst, "dst");
			NEXT_ARG();
			if (r->kind == NAT_DNAT)
				err = take_addr("address", *argv, r, r->dst);
			else
				err = take_prefix("prefix", *argv, r, r->dst,
						  &r->dst_plen);
		} else if (is_kw(*argv, "proto")) {
			DUP_CHECK(proto, "proto");
			NEXT_ARG();
			err = pcn_parse_proto(*argv, &r->proto);
			if (err)
				return pcn_err_parse(err, "protocol", *argv);
			if (r->proto != IPPROTO_TCP && r->proto != IPPROTO_UDP &&
			    r->proto != IPPROTO_ICMP && r->proto != 58)
				return pcn_err(PCN_EXIT_USAGE,
					       "NAT translates tcp, udp, icmp and icmpv6 echo, not \"%s\"",
					       *argv);
		} else if (is_kw(*argv, "to") && r->kind != NAT_MASQ) {
			DUP_CHECK(to, "to");
			NEXT_ARG();
			err = take_addr("address", *argv, r, r->to);
		} else if (is_kw(*argv, "ports") && r->kind != NAT_DNAT) {
			DUP_CHECK(ports, "ports");
			NEXT_ARG();
			err = pcn_parse_port_range(*argv, &r->port_lo,
						   &r->port_hi);
			if (err)
				return pcn_err_parse(err, "ports", *argv);
			if (!r->port_lo || r->port_lo > r->port_hi)
				return pcn_err(PCN_EXIT_USAGE,
					       "ports \"%s\" is empty or not within 1-65535",
					       *argv);
		} else if (is_kw(*argv, "dport") && r->kind == NAT_DNAT) {
			DUP_CHECK(dport, "dport");
			NEXT_ARG();
			err = take_port("dport", *argv, &r->dport);
		} else if (is_kw(*argv, "port") && r->kind == NAT_DNAT) {
			DUP_CHECK(port, "port");
			NEXT_ARG();
			err = take_port("port", *argv, &r->port_lo);
			r->port_hi = r->port_lo;
		} else {
			return pcn_unknown_kw("nat", *argv);
		}
		if (err)
			return err;
		argc--;
		argv++;
	}
	if (r->kind == NAT_DNAT) {
		if (!dst || !to)
			return pcn_err(PCN_EXIT_USAGE, "dnat needs dst and to");
		if ((dport || port) && r->proto != IPPROTO_TCP &&
		    r->proto != IPPROTO_UDP)
			return pcn_err(PCN_EXIT_USAGE,
				       "dport and port need proto tcp or udp");
	} else {
		if (!src)
			return pcn_err(PCN_EXIT_USAGE, "%s needs src", kind);
		if (r->kind == NAT_SNAT && !to)
			return pcn_err(PCN_EXIT_USAGE, "snat needs to");
		if (!ports) {
			r->port_lo = NAT_PORT_LO;
			r->port_hi = NAT_PORT_HI;
		}
	}
	if ((r->proto == IPPROTO_ICMP && r->family != 4) ||
	    (r->proto == 58 && r->family != 6))
		return pcn_err(PCN_EXIT_USAGE,
			       "proto %s is not of the rule's family (IPv%u)",
			       pcn_proto_name(r->proto), r->family);
	return 0;
}

/*
 * Does @r contradict @o, a rule there already? The same match as
 * another of its direction (it could never apply, or the two say
 * different things), or two that translate to or from one address in
 * opposite senses.
 */
static const char *contradicts(const struct nat_rule *r,
			       const struct nat_rule *o)
{
	bool out_r = r->kind != NAT_DNAT, out_o = o->kind != NAT_DNAT;

	if (r->family != o->family)
		return NULL;
	if (r->kind == NAT_ONE2ONE && o->kind == NAT_ONE2ONE) {
		if (!memcmp(r->src, o->src, 16))
			return "maps the same inside address";
		if (!memcmp(r->dst, o->dst, 16))
			return "maps the same outside address";
		return NULL;
	}
	if ((r->kind == NAT_DNAT && o->kind == NAT_ONE2ONE &&
	     !memcmp(r->dst, o->dst, 16)) ||
	    (o->kind == NAT_DNAT && r->kind == NAT_ONE2ONE &&
	     !memcmp(o->dst, r->dst, 16)))
		return "translates the same outside address in";
	if (r->kind == NAT_DNAT && o->kind == NAT_DNAT)
		return !memcmp(r->dst, o->dst, 16) && r->proto == o->proto &&
		       r->dport == o->dport ? "has the same match" : NULL;
	if (out_r && out_o && r->kind != NAT_ONE2ONE &&
	    o->kind != NAT_ONE2ONE && r->proto == o->proto &&
	    r->src_plen == o->src_plen && r->dst_plen == o->dst_plen &&
	    !memcmp(r->src, o->src, 16) && !memcmp(r->dst, o->dst, 16))
		return "has the same match";
	return NULL;
}

/* the nat cube @name, for a change (write lock), its rules read */
static int open_rules(const char *name, bool change, struct pcn_cube *c,
		      struct nat_rule *rules, __u32 *n)
{
	struct nat_masq m;
	int err;

	err = cube_open_type(name, "nat", c, change);
	if (err)
		return err;
	err = nat_rules_read(c, rules, n);
	if (!err && change)
		err = nat_masq_refresh(c, &m);
	if (err) {
		cube_close(c);
		return pcn_err_kernel(err, "cannot read nat \"%s\"", name);
	}
	return 0;
}

static int nat_add_cmd(int argc, char **argv)
{
	struct nat_rule rules[NAT_RULES_MAX], r;
	const char *why;
	struct pcn_cube c;
	__u32 n, i, used = 0;
	int err;

	if (argc < 1)
		return pcn_err(PCN_EXIT_USAGE, "NAT missing");
	err = check_name("nat", argv[0]);
	if (err)
		return err;
	err = parse_rule(argc - 1, argv + 1, &r);
	if (err)
		return err;
	err = open_rules(argv[0], true, &c, rules, &n);
	if (err)
		return err;
	err = PCN_EXIT_KERNEL;
	for (i = 0; i < n; i++) {
		why = contradicts(&r, &rules[i]);
		if (why) {
			pcn_err(PCN_EXIT_KERNEL,
				"the rule %s as rule %u of \"%s\" does", why,
				i + 1, c.name);
			goto out;
		}
		if (rules[i].id >= used)
			used = rules[i].id + 1;
	}
	if (n >= NAT_RULES_MAX) {
		pcn_err(PCN_EXIT_KERNEL, "nat \"%s\" has %u rules, the most it takes",
			c.name, n);
		goto out;
	}
	r.id = used;
	rules[n++] = r;
	err = nat_rules_write(&c, rules, n);
	err = err ? pcn_err_kernel(err, "cannot add the rule to \"%s\"",
				   c.name) : 0;
out:
	cube_close(&c);
	return err;
}

static int nat_del_cmd(int argc, char **argv)
{
	struct nat_rule rules[NAT_RULES_MAX];
	struct pcn_cube c;
	__u32 n, num;
	int err;

	if (argc != 2)
		return pcn_err(PCN_EXIT_USAGE, argc < 2 ? "NAT N missing%s" :
			       "unexpected \"%s\"", argc > 2 ? argv[2] : "");
	err = check_name("nat", argv[0]);
	if (err)
		return err;
	if (pcn_parse_u32(argv[1], 10, &num) || !num)
		return pcn_err(PCN_EXIT_USAGE, "rule \"%s\" is not a number from 1",
			       argv[1]);
	err = open_rules(argv[0], true, &c, rules, &n);
	if (err)
		return err;
	if (num > n) {
		err = pcn_err(PCN_EXIT_KERNEL, "nat \"%s\" has no rule %u",
			      c.name, num);
		goto out;
	}
	memmove(&rules[num - 1], &rules[num],
		(n - num) * sizeof(rules[0]));
	err = nat_rules_write(&c, rules, n - 1);
	err = err ? pcn_err_kernel(err, "cannot delete the rule of \"%s\"",
				   c.name) : 0;
out:
	cube_close(&c);
	return err;
}

static int nat_flush_cmd(int argc, char **argv)
{
	struct nat_rule rules[NAT_RULES_MAX];
	struct pcn_cube c;
	__u32 n;
	int err;

	if (argc != 1)
		return pcn_err(PCN_EXIT_USAGE, argc ? "unexpected \"%s\"" :
			       "NAT missing%s", argc ? argv[1] : "");
	err = open_rules(argv[0], true, &c, rules, &n);
	if (err)
		return err;
	err = nat_rules_write(&c, rules, 0);
	cube_close(&c);
	return err ? pcn_err_kernel(err, "cannot flush \"%s\"", argv[0]) : 0;
}

static void print_addr(const char *key, const char *fmt, int family,
		       const __u8 *a)
{
	char buf[INET6_ADDRSTRLEN];

	print_string(PRINT_ANY, key, fmt,
		     inet_ntop(family_af(family), a, buf, sizeof(buf)));
}

static void print_prefix(const char *key, const char *fmt, int family,
			 const __u8 *a, __u32 plen)
{
	char buf[PCN_PREFIX_STRLEN];

	print_string(PRINT_ANY, key, fmt, pcn_prefix_str(family, a, plen, buf));
}

static void print_rule(const char *cube, __u32 num, const struct nat_rule *r)
{
	open_json_object(NULL);
	print_string(PRINT_ANY, "cube", "%s", cube);
	print_uint(PRINT_ANY, "rule", " %u:", num);
	print_string(PRINT_ANY, "kind", " %s", kind_names[r->kind]);
	if (r->kind == NAT_ONE2ONE) {
		print_addr("inside", " %s", r->family, r->src);
		print_addr("outside", " %s", r->family, r->dst);
	} else if (r->kind == NAT_DNAT) {
		print_addr("dst", " dst %s", r->family, r->dst);
	} else {
		print_prefix("src", " src %s", r->family, r->src, r->src_plen);
		if (r->dst_plen)
			print_prefix("dst", " dst %s", r->family, r->dst,
				     r->dst_plen);
	}
	if (r->proto)
		print_string(PRINT_ANY, "proto", " proto %s",
			     pcn_proto_name(r->proto));
	if (r->dport)
		print_uint(PRINT_ANY, "dport", " dport %u", r->dport);
	if (r->kind == NAT_SNAT || r->kind == NAT_DNAT)
		print_addr("to", " to %s", r->family, r->to);
	if (r->kind == NAT_DNAT && r->port_lo)
		print_uint(PRINT_ANY, "port", " port %u", r->port_lo);
	if (r->kind == NAT_SNAT || r->kind == NAT_MASQ) {
		print_uint(PRINT_ANY, "port_lo", " ports %u", r->port_lo);
		print_uint(PRINT_ANY, "port_hi", "-%u", r->port_hi);
	}
	close_json_object();
	print_nl();
}

static int show_cb(struct pcn_cube *c, void *arg)
{
	struct nat_rule rules[NAT_RULES_MAX];
	struct nat_masq m;
	__u32 n, i;

	if (strcmp(c->meta.type, "nat"))
		return 0;
	nat_masq_refresh(c, &m);
	if (nat_rules_read(c, rules, &n))
		return 0;
	for (i = 0; i < n; i++)
		print_rule(c->name, i + 1, &rules[i]);
	return 0;
}

static int nat_show_cmd(int argc, char **argv)
{
	if (argc > 1)
		return pcn_err(PCN_EXIT_USAGE, "unexpected \"%s\"", argv[1]);
	return cube_show_of_type(argc ? argv[0] : NULL, "nat", show_cb, NULL);
}

/* --- translations --- */

static void print_end(const char *a, const char *p, int family,
		      const __u8 *addr, __u16 port, bool ports)
{
	print_addr(a, a[0] == 's' ? " src %s" : " dst %s", family, addr);
	if (ports)
		print_uint(PRINT_ANY, p, a[0] == 's' ? " sport %u" : " dport %u",
			   port);
}

static void print_xlate(const char *cube, const struct nat_key *k,
			const struct nat_xlate *x, const struct pcn_ct *ct,
			__u64 now)
{
	const char *name = pcn_proto_name(k->proto);
	bool ports = k->proto == 6 || k->proto == 17;

	open_json_object(NULL);
	print_string(PRINT_ANY, "cube", "%s", cube);
	print_string(PRINT_ANY, "proto", " %s", name ? name : "?");
	print_end("src", "sport", k->family, k->src, k->sport, ports);
	print_end("dst", "dport", k->family, k->dst, k->dport, ports);
	if (!ports)
		print_uint(PRINT_ANY, "id", " id %u", k->sport);
	open_json_object("to");
	print_string(PRINT_FP, NULL, "%s", " to");
	print_end("src", "sport", k->family, x->src, x->sport, ports);
	print_end("dst", "dport", k->family, x->dst, x->dport, ports);
	if (!ports)
		print_uint(PRINT_ANY, "id", " id %u", x->sport);
	close_json_object();
	print_string(PRINT_ANY, "kind", " %s", kind_names[x->kind & 7]);
	print_string(PRINT_ANY, "state", " %s",
		     ct->flags & PCN_CT_CLOSING ? "closing" :
		     ct->flags & PCN_CT_REPLIED ? "established" : "opening");
	print_u64(PRINT_ANY, "age", " age %" PRIu64 "s",
		  pcn_age_ns(now, ct->seen_ns) / NSEC_PER_SEC);
	close_json_object();
	print_nl();
}

/*
 * @fn for each translation of @c (the direction that opened each flow
 * only, unless @both) whose flow lives, or every one (@all).
 */
static int xlate_walk(struct pcn_cube *c, bool all, bool both,
		      void (*fn)(struct pcn_cube *c, int fd,
				 const struct nat_key *k,
				 const struct nat_xlate *x,
				 const struct pcn_ct *ct))
{
	struct nat_key *keys = NULL;
	struct nat_xlate *vals = NULL;
	int fd, ctfd, n, i, err = 0;
	__u64 now = pcn_now_ns();
	struct pcn_ct ct;

	fd = cube_obj_fd(c, "nat_flows");
	if (fd < 0)
		return -errno;
	ctfd = cube_obj_fd(c, "nat_ct");
	if (ctfd < 0) {
		err = -errno;
		goto out;
	}
	n = map_dump(fd, sizeof(*keys), sizeof(*vals), NAT_FLOWS_MAX,
		     (void **)&keys, (void **)&vals);
	if (n < 0) {
		err = n;
		goto out;
	}
	for (i = 0; i < n; i++) {
		bool live = !bpf_map_lookup_elem(ctfd, &vals[i].ct, &ct) &&
			    !pcn_older(now, ct.seen_ns,
				       pcn_ct_timeout(&ct, vals[i].ct.proto) *
					       NSEC_PER_SEC);

		if (!live)
			memset(&ct, 0, sizeof(ct));
		if ((live || all) && (both || (vals[i].flags & NAT_X_ORIG)))
			fn(c, fd, &keys[i], &vals[i], &ct);
	}
	if (all) {
		struct pcn_ct_key ck, next;
		bool more;

		for (more = !bpf_map_get_next_key(ctfd, NULL, &next); more;) {
			ck = next;
			more = !bpf_map_get_next_key(ctfd, &ck, &next);
			bpf_map_delete_elem(ctfd, &ck);
		}
	}
out:
	free(keys);
	free(vals);
	if (ctfd >= 0)
		close(ctfd);
	close(fd);
	return err;
}

static void show_xlate(struct pcn_cube *c, int fd, const struct nat_key *k,
		       const struct nat_xlate *x, const struct pcn_ct *ct)
{
	print_xlate(c->name, k, x, ct, pcn_now_ns());
}

static int xlate_show_cb(struct pcn_cube *c, void *arg)
{
	if (strcmp(c->meta.type, "nat"))
		return 0;
	return xlate_walk(c, false, false, show_xlate);
}

static void delete_xlate(struct pcn_cube *c, int fd, const struct nat_key *k,
			 const struct nat_xlate *x, const struct pcn_ct *ct)
{
	bpf_map_delete_elem(fd, k);
}

static int xlate_show_cmd(int argc, char **argv)
{
	if (argc > 1)
		return pcn_err(PCN_EXIT_USAGE, "unexpected \"%s\"", argv[1]);
	return cube_show_of_type(argc ? argv[0] : NULL, "nat", xlate_show_cb,
				 NULL);
}

static int xlate_flush_cmd(int argc, char **argv)
{
	struct pcn_cube c;
	int err;

	if (argc != 1)
		return pcn_err(PCN_EXIT_USAGE, argc ? "unexpected \"%s\"" :
			       "NAT missing%s", argc ? argv[1] : "");
	err = cube_open_type(argv[0], "nat", &c, true);
	if (err)
		return err;
	err = xlate_walk(&c, true, true, delete_xlate);
	cube_close(&c);
	return err ? pcn_err_kernel(err, "cannot flush the translations of \"%s\"",
				    argv[0]) : 0;
}

static const struct pcn_cmd xlate_cmds[] = {
	{ "show", xlate_show_cmd },
	{ "list", xlate_show_cmd },
	{ "flush", xlate_flush_cmd },
	{ NULL, NULL },
};

static int nat_xlate_cmd(int argc, char **argv)
{
	return pcn_cmd_select("nat translation", xlate_cmds, argc, argv, usage);
}

static const struct pcn_cmd cmds[] = {
	{ "show", nat_show_cmd },
	{ "list", nat_show_cmd },
	{ "add", nat_add_cmd },
	{ "del", nat_del_cmd },
	{ "flush", nat_flush_cmd },
	{ "translation", nat_xlate_cmd },
	{ NULL, NULL },
};

const struct pcn_object nat_object = {
	.name = "nat",
	.cmds = cmds,
	.summary = "rules and translations of nat cubes",
	.usage = usage,
};
