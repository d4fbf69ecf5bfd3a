// SPDX-License-Identifier: GPL-2.0
/*
 * pcn rule: the rules of firewall cubes, like "iptables" and "nft".
 *
 *   pcn rule show [ FIREWALL [ CHAIN ] ]
 *   pcn rule append FIREWALL CHAIN RULE
 *   pcn rule insert FIREWALL CHAIN [ index N ] RULE
 *   pcn rule replace FIREWALL CHAIN N RULE
 *   pcn rule delete FIREWALL CHAIN { N | RULE }
 *   pcn rule flush FIREWALL [ CHAIN ]
 *   pcn rule reset FIREWALL [ CHAIN ]
 *   RULE := [ src ADDRS ] [ dst ADDRS ] [ proto PROTO ]
 *           [ sport PORTS ] [ dport PORTS ] [ tcp-flags FLAGS/FLAGS ]
 *           [ icmp-type TYPE [ icmp-code CODE ] ]
 *           [ state STATES ] action { accept | drop | reject [ with HOW ] }
 *
 * Rules are numbered from 1 in each chain, first match wins. Each
 * change builds the chain anew and switches to it in one step (see
 * pcn/firewall.c); in a -batch, all the rule changes of the batch do.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "fw.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: pcn rule show [ FIREWALL [ CHAIN ] ]\n"
		"       pcn rule append FIREWALL CHAIN RULE\n"
		"       pcn rule insert FIREWALL CHAIN [ index N ] RULE\n"
		"       pcn rule replace FIREWALL CHAIN N RULE\n"
		"       pcn rule delete FIREWALL CHAIN { N | RULE }\n"
		"       pcn rule flush FIREWALL [ CHAIN ]\n"
		"       pcn rule reset FIREWALL [ CHAIN ]\n"
		"       pcn rule import FIREWALL { iptables | ip6tables } { FILE | - }\n"
		"               [ { iptables | ip6tables } { FILE | - } ] [ ingress CHAIN ] [ egress CHAIN ] [ dev IFNAME ]\n"
		"       pcn rule log FIREWALL [ follow ]\n"
		"       pcn rule help\n"
		"where  CHAIN := { ingress | egress }\n"
		"       RULE := [ src ADDRS ] [ dst ADDRS ] [ proto PROTO ] [ sport PORTS ] [ dport PORTS ]\n"
		"               [ tcp-flags FLAGS/FLAGS ] [ icmp-type TYPE [ icmp-code CODE ] ]\n"
		"               [ state STATES ] [ mark VALUE[/MASK] ] [ limit RATE [ burst N ] ]\n"
		"               [ hashlimit RATE [ burst N ] [ by { src | dst | src-dst } ] [ mask LEN ] ]\n"
		"               action { accept | drop | reject [ with HOW ] | log [ prefix TEXT ] [ level LEVEL ] }\n"
		"       RATE := N[/UNIT]   UNIT := { second | minute | hour | day }\n"
		"       ADDRS := ADDR[,ADDR...]   ADDR := { PREFIX | IP-IP }\n"
		"       PREFIX := { A.B.C.D[/LEN] | X:X::X[/LEN] }\n"
		"       PROTO := { tcp | udp | icmp | icmpv6 | NUMBER }\n"
		"       PORTS := PORT[-PORT][,PORT[-PORT]...]\n"
		"       FLAGS := { FLAG[,FLAG...] | none }   FLAG := { fin | syn | rst | psh | ack | urg | ece | cwr }\n"
		"       STATES := STATE[,STATE...]   STATE := { new | established | related | invalid }\n"
		"       TYPE := { NUMBER | echo-request | echo-reply | destination-unreachable | ... }\n"
		"       HOW := { icmp-port-unreachable | icmp-net-unreachable | icmp-host-unreachable |\n"
		"                icmp-admin-prohibited | tcp-reset | icmp-proto-unreachable | icmp-net-prohibited |\n"
		"                icmp-host-prohibited | icmp6-port-unreachable | icmp6-no-route |\n"
		"                icmp6-addr-unreachable | icmp6-adm-prohibited }\n");
}

static const char *const flag_names[] = { "fin", "syn", "rst", "psh",
					   "ack", "urg", "ece", "cwr" };
static const char *const state_names[] = {
	[PCN_CT_NEW] = "new",
	[PCN_CT_ESTABLISHED] = "established",
	[PCN_CT_RELATED] = "related",
	[PCN_CT_INVALID] = "invalid",
};

/* "10.0.0.0/8", "2001:db8::/32": host bits must be zero */
static int parse_addr(const char *arg, struct fw_rule *r, int dst)
{
	__u8 *a = dst ? r->dst : r->src;
	__u32 plen;
	int family, err;

	err = pcn_parse_prefix(arg, a, &plen, &family);
	if (err)
		return pcn_err_parse(err, "prefix", arg);
	if (r->family && r->family != family)
		return pcn_err(PCN_EXIT_USAGE,
			       "\"%s\": src and dst must be of one family", arg);
	r->family = family;
	if (dst) {
		r->dst_plen = plen;
		r->fields |= FW_F_DST;
	} else {
		r->src_plen = plen;
		r->fields |= FW_F_SRC;
	}
	return 0;
}

static int parse_ports(const char *arg, __u16 *lo, __u16 *hi)
{
	int err = pcn_parse_port_range(arg, lo, hi);

	return err ? pcn_err_parse(err, "ports", arg) : 0;
}

/* a list of flag names of @len bytes at @s, or "none" */
static int parse_flag_list(const char *s, size_t len, __u8 *out)
{
	char buf[64];

	if (len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (!strcmp(buf, "none")) {
		*out = 0;
		return 0;
	}
	return pcn_parse_names(buf, flag_names, ARRAY_SIZE(flag_names), out);
}

/* "syn/syn,ack": the flags of the mask that must be set */
static int parse_flags(const char *arg, struct fw_rule *r)
{
	const char *slash = strchr(arg, '/');

	if (!slash || slash == arg || !slash[1] ||
	    parse_flag_list(arg, slash - arg, &r->flags_value) ||
	    parse_flag_list(slash + 1, strlen(slash + 1), &r->flags_mask) ||
	    !r->flags_mask || (r->flags_value & ~r->flags_mask))
		return pcn_err(PCN_EXIT_USAGE,
			       "tcp-flags \"%s\": FLAGS/MASK, the flags among the mask that are set, as syn/syn,ack",
			       arg);
	return 0;
}

/* "A,B", "A-B": a list of addresses for @dst into @ls (a prefix alone
 * is the rule's own, as parse_addr() has it) */
static int parse_addr_list(const char *arg, struct fw_rule *r, int dst,
			   struct fw_lists *ls)
{
	const char *kw = dst ? "dst" : "src";
	int family = r->family, err;

	if (!strpbrk(arg, ",-"))
		return parse_addr(arg, r, dst);
	err = fw_addr_list_parse(arg, &family, &ls->addr[dst]);
	if (err == -EXDEV)
		return pcn_err(PCN_EXIT_USAGE,
			       "\"%s\": src and dst must be of one family", arg);
	if (err == -E2BIG)
		return pcn_err(PCN_EXIT_USAGE,
			       "%s \"%s\": more than %d prefixes", kw, arg,
			       FW_LIST_MAX);
	if (err == -ERANGE)
		return pcn_err(PCN_EXIT_USAGE,
			       "%s \"%s\": a range's first address is after its last",
			       kw, arg);
	if (err)
		return pcn_err(PCN_EXIT_USAGE,
			       "%s \"%s\": a list of PREFIX or IP-IP, as 10.0.0.5-10.0.0.20,192.168.0.0/16",
			       kw, arg);
	r->family = family;
	r->fields |= dst ? FW_F_DST : FW_F_SRC;
	return 0;
}

/* "80,443,8000-8080" into @ls (one range alone: the rule's own) */
static int parse_port_list(const char *arg, __u16 *lo, __u16 *hi,
			   struct fw_plist *l, const char *kw)
{
	int err;

	if (!strchr(arg, ','))
		return parse_ports(arg, lo, hi);
	err = fw_port_list_parse(arg, l);
	if (err == -E2BIG)
		return pcn_err(PCN_EXIT_USAGE, "%s \"%s\": more than %d ranges",
			       kw, arg, FW_LIST_MAX);
	if (err)
		return pcn_err(PCN_EXIT_USAGE,
			       "%s \"%s\": a list of PORT[-PORT], as 80,443,8000-8080",
			       kw, arg);
	return 0;
}

/* RULE from argv; every keyword once, action last or anywhere; its
 * lists into @ls */
static int parse_rule_lists(int argc, char **argv, struct fw_rule *r,
			    struct fw_lists *ls)
{
	bool action = false;
	int err = 0;

	memset(r, 0, sizeof(*r));
	memset(ls, 0, sizeof(*ls));
	if (argc <= 0)
		return pcn_err(PCN_EXIT_USAGE, "FIREWALL CHAIN RULE missing");
	while (argc > 0) {
		const char *kw = *argv;

		if (is_kw(kw, "src") || is_kw(kw, "dst")) {
			int dst = is_kw(kw, "dst");

			if (r->fields & (dst ? FW_F_DST : FW_F_SRC))
				return pcn_dup_arg(kw);
			NEXT_ARG();
			err = parse_addr_list(*argv, r, dst, ls);
		} else if (is_kw(kw, "proto")) {
			if (r->fields & FW_F_PROTO)
				return pcn_dup_arg(kw);
			NEXT_ARG();
			r->fields |= FW_F_PROTO;
			err = pcn_parse_proto(*argv, &r->proto);
			if (err)
				err = pcn_err_parse(err, "protocol", *argv);
		} else if (is_kw(kw, "sport") || is_kw(kw, "dport")) {
			int d = is_kw(kw, "dport");

			if (r->fields & (d ? FW_F_DPORT : FW_F_SPORT))
				return pcn_dup_arg(kw);
			if (r->fields & FW_F_ICMP)
				return pcn_err(PCN_EXIT_USAGE,
					       "\"%s\" and icmp-type cannot be in one rule",
					       kw);
			NEXT_ARG();
			r->fields |= d ? FW_F_DPORT : FW_F_SPORT;
			err = d ? parse_port_list(*argv, &r->dport_lo,
						  &r->dport_hi, &ls->port[1], kw)
				: parse_port_list(*argv, &r->sport_lo,
						  &r->sport_hi, &ls->port[0], kw);
		} else if (is_kw(kw, "tcp-flags")) {
			if (r->fields & FW_F_FLAGS)
				return pcn_dup_arg(kw);
			NEXT_ARG();
			r->fields |= FW_F_FLAGS;
			err = parse_flags(*argv, r);
		} else if (is_kw(kw, "icmp-type") || is_kw(kw, "icmp-code")) {
			int code = is_kw(kw, "icmp-code");
			__u8 v;

			if (r->fields & (code ? FW_F_DPORT : FW_F_SPORT))
				return pcn_dup_arg(kw);
			if (r->fields & (FW_F_SPORT | FW_F_DPORT) &&
			    !(r->fields & FW_F_ICMP))
				return pcn_err(PCN_EXIT_USAGE,
					       "\"%s\" and ports cannot be in one rule",
					       kw);
			NEXT_ARG();
			/* names need the protocol first; numbers do not */
			if (fw_icmp_parse(*argv, r->proto, &v))
				return pcn_err(PCN_EXIT_USAGE,
					       "%s \"%s\": a number 0-255%s", kw,
					       *argv, code ? "" :
					       " or a name, after proto icmp or icmpv6");
			r->fields |= FW_F_ICMP |
				     (code ? FW_F_DPORT : FW_F_SPORT);
			if (code)
				r->dport_lo = r->dport_hi = v;
			else
				r->sport_lo = r->sport_hi = v;
		} else if (is_kw(kw, "state")) {
			if (r->fields & FW_F_STATE)
				return pcn_dup_arg(kw);
			NEXT_ARG();
			r->fields |= FW_F_STATE;
			if (pcn_parse_names(*argv, state_names,
					    ARRAY_SIZE(state_names),
					    &r->state_mask) || !r->state_mask)
				err = pcn_err(PCN_EXIT_USAGE,
					      "state \"%s\": a list of new, established, related, invalid",
					      *argv);
		} else if (is_kw(kw, "mark")) {
			if (r->fields & FW_F_MARK)
				return pcn_dup_arg(kw);
			NEXT_ARG();
			if (fw_mark_parse(*argv, r))
				err = pcn_err(PCN_EXIT_USAGE,
					      "mark \"%s\": VALUE[/MASK], numbers, the value within the mask (as 0x1/0xff)",
					      *argv);
		} else if (is_kw(kw, "limit") || is_kw(kw, "hashlimit")) {
			bool h = is_kw(kw, "hashlimit");

			if (r->fields & FW_F_LIMIT)
				return pcn_dup_arg(kw);
			NEXT_ARG();
			r->fields |= FW_F_LIMIT;
			r->limit_burst = 5;	/* iptables' default */
			r->limit_plen = 128;
			r->limit_by = h ? FW_LIMIT_SRC : FW_LIMIT_RULE;
			if (fw_rate_parse(*argv, &r->limit_num, &r->limit_unit))
				return pcn_err(PCN_EXIT_USAGE,
					       "%s \"%s\": N[/UNIT], N 1 to %d, UNIT second, minute, hour or day",
					       kw, *argv, FW_RATE_MAX);
			while (argc > 2 && (is_kw(argv[1], "burst") ||
					    (h && (is_kw(argv[1], "by") ||
						   is_kw(argv[1], "mask"))))) {
				const char *o = argv[1], *v = argv[2];
				__u32 x;

				NEXT_ARG();
				NEXT_ARG();
				if (is_kw(o, "burst") &&
				    (pcn_parse_u32(v, 10, &x) || !x ||
				     x > FW_BURST_MAX))
					return pcn_err(PCN_EXIT_USAGE,
						       "burst \"%s\": 1 to %d packets",
						       v, FW_BURST_MAX);
				if (is_kw(o, "burst"))
					r->limit_burst = x;
				if (is_kw(o, "mask") &&
				    (pcn_parse_u32(v, 10, &x) || x > 128))
					return pcn_err(PCN_EXIT_USAGE,
						       "mask \"%s\": a prefix length, 0 to 128",
						       v);
				if (is_kw(o, "mask"))
					r->limit_plen = x;
				if (is_kw(o, "by")) {
					if (!strcmp(v, "src"))
						r->limit_by = FW_LIMIT_SRC;
					else if (!strcmp(v, "dst"))
						r->limit_by = FW_LIMIT_DST;
					else if (!strcmp(v, "src-dst"))
						r->limit_by = FW_LIMIT_SRCDST;
					else
						return pcn_err(PCN_EXIT_USAGE,
							       "by \"%s\": src, dst or src-dst",
							       v);
				}
			}
		} else if (is_kw(kw, "action")) {
			DUP_CHECK(action, "action");
			NEXT_ARG();
			if (is_kw(*argv, "reject")) {
				r->action = FW_REJECT;
				/* iptables' default answer */
				fw_reject_parse("icmp-port-unreachable", r);
				if (argc > 1 && is_kw(argv[1], "with")) {
					NEXT_ARG();
					NEXT_ARG();
					if (fw_reject_parse(*argv, r))
						err = pcn_err(PCN_EXIT_USAGE,
							      "reject with \"%s\": icmp-port-unreachable, tcp-reset, icmp-host-prohibited, ... (see pcn-rule(8))",
							      *argv);
				}
			} else if (is_kw(*argv, "log")) {
				r->action = FW_LOG;
				r->log_level = 4;	/* iptables' default */
				while (argc > 2 && (is_kw(argv[1], "prefix") ||
						    is_kw(argv[1], "level"))) {
					const char *o = argv[1], *v = argv[2];

					NEXT_ARG();
					NEXT_ARG();
					if (is_kw(o, "level") &&
					    fw_log_level_parse(v, &r->log_level))
						return pcn_err(PCN_EXIT_USAGE,
							       "level \"%s\": 0 to 7, or emerg, alert, crit, err, warning, notice, info, debug",
							       v);
					if (is_kw(o, "prefix") &&
					    fw_log_prefix_set(v, r))
						return pcn_err(PCN_EXIT_USAGE,
							       "prefix \"%s\": at most %d printable characters, no quote or backslash",
							       v, FW_LOG_PREFIX_MAX);
				}
			} else if (is_kw(*argv, "accept") ||
				   is_kw(*argv, "drop")) {
				err = fw_action_parse(*argv, &r->action);
			} else {
				err = pcn_err(PCN_EXIT_USAGE,
					      "action \"%s\" is unknown: accept, drop, reject or log",
					      *argv);
			}
		} else {
			return pcn_unknown_kw("rule", kw);
		}
		if (err)
			return err;
		argc--;
		argv++;
	}
	if (!action)
		return pcn_err(PCN_EXIT_USAGE, "\"action { accept | drop | reject | log }\" is missing");
	fw_log_default_limit(r);
	return fw_rule_check(r);
}

/* RULE from argv as its entries @e (FW_ENTRIES_MAX), @ne of them */
static int parse_rule(int argc, char **argv, struct fw_rule *e, __u32 *ne)
{
	struct fw_lists *ls = malloc(sizeof(*ls));
	struct fw_rule base;
	int err, n;

	if (!ls)
		return pcn_err_kernel(-ENOMEM, "cannot read the rule");
	err = parse_rule_lists(argc, argv, &base, ls);
	if (!err) {
		n = fw_rule_expand(&base, ls, e, FW_ENTRIES_MAX);
		if (n < 0)
			err = pcn_err(PCN_EXIT_USAGE,
				      "the rule's lists make more than %d combinations",
				      FW_ENTRIES_MAX);
		else
			*ne = n;
	}
	free(ls);
	return err;
}

/* the @n entries of one rule, (FW_ENTRIES_MAX), on the heap */
static struct fw_rule *entries_new(void)
{
	return calloc(FW_ENTRIES_MAX, sizeof(struct fw_rule));
}

/* Do two rules match the same packets and do the same? */
static bool rule_same(const struct fw_rule *a, const struct fw_rule *b)
{
	struct fw_rule x = *a, y = *b;

	x.id = y.id = 0;
	x.limit_seed = y.limit_seed = 0;
	x.limit_id = y.limit_id = 0;
	return !memcmp(&x, &y, sizeof(x));
}

/* Are the @n entries at @a the rule of the @m at @b? */
static bool group_same(const struct fw_rule *a, __u32 n,
		       const struct fw_rule *b, __u32 m)
{
	__u32 i;

	if (n != m)
		return false;
	for (i = 0; i < n; i++)
		if (!rule_same(&a[i], &b[i]))
			return false;
	return true;
}

/* A field of a rule, as show and save write it: " KW VALUE". */
struct rule_field {
	const char *key;		/* JSON */
	const char *kw;			/* text */
	char val[1024];
	int num;			/* a number in JSON, or -1 */
};

/* The next field of @f, keyword @kw: where its value goes. */
static char *field(struct rule_field *f, int *n, const char *key,
		   const char *kw)
{
	struct rule_field *x = &f[(*n)++];

	x->key = key;
	x->kw = kw;
	x->num = -1;
	x->val[0] = '\0';
	return x->val;
}

/* The fields of the rule of the @ne entries at @r, in the order of
 * the grammar, action last. */
static int rule_fields(const struct fw_rule *r, __u32 ne,
		       struct rule_field *f)
{
	const size_t size = sizeof(f->val);
	char v[64], m[64];
	const char *name;
	int n = 0;

	if (r->fields & FW_F_SRC)
		fw_group_addr_str(r, ne, 0, field(f, &n, "src", "src"), size);
	if (r->fields & FW_F_DST)
		fw_group_addr_str(r, ne, 1, field(f, &n, "dst", "dst"), size);
	if (r->fields & FW_F_PROTO) {
		name = pcn_proto_name(r->proto);
		snprintf(field(f, &n, "proto", "proto"), size, "%s", name ?: "");
		if (!name) {
			f[n - 1].num = r->proto;
			snprintf(f[n - 1].val, size, "%u", r->proto);
		}
	}
	if (r->fields & FW_F_ICMP) {
		snprintf(field(f, &n, "icmp_type", "icmp-type"), size, "%u",
			 r->sport_lo);
		f[n - 1].num = r->sport_lo;
		if (r->fields & FW_F_DPORT) {
			snprintf(field(f, &n, "icmp_code", "icmp-code"), size,
				 "%u", r->dport_lo);
			f[n - 1].num = r->dport_lo;
		}
	} else {
		if (r->fields & FW_F_SPORT)
			fw_group_port_str(r, ne, 0,
					  field(f, &n, "sport", "sport"), size);
		if (r->fields & FW_F_DPORT)
			fw_group_port_str(r, ne, 1,
					  field(f, &n, "dport", "dport"), size);
	}
	if (r->fields & FW_F_FLAGS) {
		pcn_names_str(r->flags_value, flag_names,
			      ARRAY_SIZE(flag_names), v, sizeof(v));
		pcn_names_str(r->flags_mask, flag_names,
			      ARRAY_SIZE(flag_names), m, sizeof(m));
		snprintf(field(f, &n, "tcp_flags", "tcp-flags"), size, "%s/%s",
			 v[0] ? v : "none", m);
	}
	if (r->fields & FW_F_STATE)
		pcn_names_str(r->state_mask, state_names,
			      ARRAY_SIZE(state_names),
			      field(f, &n, "state", "state"), size);
	if (r->fields & FW_F_MARK)
		fw_mark_str(r, field(f, &n, "mark", "mark"), size);
	if (r->fields & FW_F_LIMIT) {
		bool h = r->limit_by != FW_LIMIT_RULE;

		fw_rate_str(r, h ? field(f, &n, "hashlimit", "hashlimit") :
				   field(f, &n, "limit", "limit"), size);
		snprintf(field(f, &n, "burst", "burst"), size, "%u",
			 r->limit_burst);
		f[n - 1].num = r->limit_burst;
		if (h)
			snprintf(field(f, &n, "by", "by"), size, "%s",
				 r->limit_by == FW_LIMIT_SRC ? "src" :
				 r->limit_by == FW_LIMIT_DST ? "dst" : "src-dst");
		if (h && r->limit_plen < 128) {
			snprintf(field(f, &n, "mask", "mask"), size, "%u",
				 r->limit_plen);
			f[n - 1].num = r->limit_plen;
		}
	}
	snprintf(field(f, &n, "action", "action"), size, "%s",
		 r->action == FW_LOG ? "log" : fw_action_name(r->action));
	if (r->action == FW_REJECT)
		snprintf(field(f, &n, "reject_with", "with"), size, "%s",
			 fw_reject_name(r));
	if (r->action == FW_LOG) {
		/* quoted: a prefix may have blanks ("IN DROP: ") */
		snprintf(field(f, &n, "log_prefix", "prefix"), size, "\"%s\"",
			 r->log_prefix);
		snprintf(field(f, &n, "log_level", "level"), size, "%s",
			 fw_log_level_name(r->log_level));
	}
	return n;
}

#define RULE_FIELDS 20

static void print_rule(const struct fw_rule *r, __u32 ne, __u32 index,
		       const struct fw_counter *cnt)
{
	struct rule_field f[RULE_FIELDS];
	int i, n = rule_fields(r, ne, f);

	open_json_object(NULL);
	print_uint(PRINT_ANY, "index", "    %u", index);
	for (i = 0; i < n; i++) {
		print_string(PRINT_FP, NULL, " %s", f[i].kw);
		if (f[i].num >= 0)
			print_uint(PRINT_ANY, f[i].key, " %u", f[i].num);
		else if (!strcmp(f[i].key, "log_prefix")) {
			print_string(PRINT_FP, NULL, " %s", f[i].val);
			print_string(PRINT_JSON, f[i].key, NULL,
				     r->log_prefix);
		} else
			print_string(PRINT_ANY, f[i].key, " %s", f[i].val);
	}
	print_u64(PRINT_ANY, "packets", " packets %" PRIu64, cnt->packets);
	print_u64(PRINT_ANY, "bytes", " bytes %" PRIu64, cnt->bytes);
	close_json_object();
	print_nl();
}

void fw_rules_save(const struct fw_table *t, struct pcn_save *s)
{
	struct rule_field f[RULE_FIELDS];
	char line[4096];
	size_t len;
	__u32 ch, r, ne;
	int i, n;

	for (ch = 0; ch < 2; ch++)
		for (r = 0; r < t->n[ch]; r += ne) {
			ne = fw_group_len(t->rules[ch], t->n[ch], r);
			n = rule_fields(&t->rules[ch][r], ne, f);
			len = 0;
			for (i = 0; i < n && len < sizeof(line); i++)
				len += snprintf(line + len, sizeof(line) - len,
						" %s %s", f[i].kw, f[i].val);
			pcn_save_line(s, "rule append %s %s%s", t->name,
				      fw_chain_name(ch), line);
		}
}

/* FIREWALL [ CHAIN ]: the chains named, as a mask */
static int chain_args(int argc, char **argv, unsigned *mask)
{
	__u32 ch;
	int err;

	if (argc < 1)
		return pcn_err(PCN_EXIT_USAGE, "FIREWALL missing");
	err = check_name("cube", argv[0]);
	if (err)
		return err;
	if (argc > 2)
		return pcn_err(PCN_EXIT_USAGE, "unexpected \"%s\"", argv[2]);
	*mask = 3;
	if (argc == 2) {
		err = fw_chain_parse(argv[1], &ch);
		if (err)
			return err;
		*mask = 1u << ch;
	}
	return 0;
}

/* The chains of @mask of firewall @c, with each rule's counters. */
static int show_chains(struct pcn_cube *c, unsigned mask)
{
	int ncpu = libbpf_num_possible_cpus(), fd, i, err;
	struct fw_counter v[ncpu > 0 ? ncpu : 1], sum;
	struct fw_table *t;
	__u32 ch, r, e, ne, index;

	/* the chains as the kernel has them */
	t = fw_table_get(c->name, false, &err);
	if (!t)
		return err;
	fd = cube_obj_fd(c, "fw_counters");
	for (ch = 0; ch < 2; ch++) {
		if (!(mask & (1u << ch)))
			continue;
		open_json_object(NULL);
		print_string(PRINT_ANY, "cube", "%s", c->name);
		print_string(PRINT_ANY, "chain", " %s", fw_chain_name(ch));
		print_string(PRINT_ANY, "policy", " policy %s",
			     fw_action_name(t->policy[ch]));
		print_nl();
		open_json_array(PRINT_JSON, "rules");
		/* a rule's counters: the sum of its entries' */
		for (r = 0, index = 1; r < t->n[ch]; r += ne, index++) {
			ne = fw_group_len(t->rules[ch], t->n[ch], r);
			memset(&sum, 0, sizeof(sum));
			for (e = r; fd >= 0 && e < r + ne; e++) {
				__u32 id = t->rules[ch][e].id;

				if (bpf_map_lookup_elem(fd, &id, v))
					continue;
				for (i = 0; i < ncpu; i++) {
					sum.packets += v[i].packets;
					sum.bytes += v[i].bytes;
				}
			}
			print_rule(&t->rules[ch][r], ne, index, &sum);
		}
		close_json_array(PRINT_JSON, NULL);
		close_json_object();
	}
	if (fd >= 0)
		close(fd);
	fw_table_free(t);
	return 0;
}

static int show_all_cb(struct pcn_cube *c, void *arg)
{
	if (strcmp(c->meta.type, "firewall"))
		return 0;
	return show_chains(c, *(unsigned *)arg);
}

/* FIREWALL [ CHAIN ], or every firewall of the netns */
static int rule_show_cmd(int argc, char **argv)
{
	unsigned mask = 3;
	int err;

	if (argc) {
		err = chain_args(argc, argv, &mask);
		if (err)
			return err;
	}
	return cube_show_of_type(argc ? argv[0] : NULL, "firewall", show_all_cb,
				 &mask);
}

/* FIREWALL CHAIN: the table and the chain */
static int table_chain(int argc, char **argv, struct fw_table **t, __u32 *ch)
{
	int err;

	if (argc < 2)
		return pcn_err(PCN_EXIT_USAGE, "FIREWALL and CHAIN missing");
	err = check_name("cube", argv[0]) ?: fw_chain_parse(argv[1], ch);
	if (err)
		return err;
	*t = fw_table_get(argv[0], true, &err);
	return *t ? 0 : err;
}

/*
 * Put the @ne entries @e of a rule in place of the @old entries at
 * entry @pos of chain @ch (0: an insert); the rules after them move.
 * The entries are new: each a new id, counters from zero.
 */
static int rule_put(struct fw_table *t, __u32 ch, __u32 pos, __u32 old,
		    struct fw_rule *e, __u32 ne)
{
	int err = fw_rule_fits(t, e) ?: fw_rule_mode_check(t->name, e);
	__u32 i;

	if (err)
		return err;
	if (t->n[ch] - old + ne > FW_RULES_MAX && ne == 1 && !old)
		return pcn_err(PCN_EXIT_KERNEL,
			       "chain %s of \"%s\" has %d rules, the most it can",
			       fw_chain_name(ch), t->name, FW_RULES_MAX);
	if (t->n[ch] - old + ne > FW_RULES_MAX)
		return pcn_err(PCN_EXIT_KERNEL,
			       "chain %s of \"%s\" would have more than %d entries, the most it can",
			       fw_chain_name(ch), t->name, FW_RULES_MAX);
	/* one bucket for the rule, of its first entry */
	fw_limit_seed(&e[0]);
	for (i = 0; i < ne; i++) {
		e[i].id = fw_table_new_id(t);
		e[i].limit_seed = e[0].limit_seed;
		e[i].limit_id = e[0].id;
	}
	memmove(&t->rules[ch][pos + ne], &t->rules[ch][pos + old],
		(t->n[ch] - pos - old) * sizeof(*e));
	memcpy(&t->rules[ch][pos], e, ne * sizeof(*e));
	t->n[ch] = t->n[ch] - old + ne;
	t->dirty[ch] = true;
	return fw_table_done(t);
}

static int rule_append_cmd(int argc, char **argv)
{
	struct fw_rule *e = entries_new();
	struct fw_table *t;
	__u32 ch, ne;
	int err;

	if (!e)
		return pcn_err_kernel(-ENOMEM, "cannot read the rule");
	err = parse_rule(argc - 2, argv + 2, e, &ne);
	if (!err)
		err = table_chain(argc, argv, &t, &ch);
	err = err ?: rule_put(t, ch, t->n[ch], 0, e, ne);
	free(e);
	return err;
}

/* "N": a rule number of the chain, from 1 (to n + 1 with @append), as
 * the entry it begins at */
static int parse_index(const char *arg, const struct fw_table *t, __u32 ch,
		       bool append, __u32 *pos)
{
	__u32 n = fw_group_count(t->rules[ch], t->n[ch]) + (append ? 1 : 0);

	if (pcn_parse_u32(arg, 10, pos))
		return pcn_bad_arg("rule number", arg);
	if (*pos < 1 || *pos > n)
		return pcn_err(PCN_EXIT_KERNEL,
			       "rule number \"%s\" is not in chain %s of \"%s\" (1 to %u)",
			       arg, fw_chain_name(ch), t->name, n);
	*pos = fw_group_pos(t->rules[ch], t->n[ch], *pos - 1);
	return 0;
}

static int rule_insert_cmd(int argc, char **argv)
{
	struct fw_rule *e = entries_new();
	const char *index = NULL;
	struct fw_table *t;
	__u32 ch, pos = 0, ne;
	int err, skip = 2;

	if (!e)
		return pcn_err_kernel(-ENOMEM, "cannot read the rule");
	if (argc > 3 && is_kw(argv[2], "index")) {
		index = argv[3];
		skip = 4;
	}
	err = parse_rule(argc - skip, argv + skip, e, &ne);
	if (!err)
		err = table_chain(argc, argv, &t, &ch);
	if (!err && index)
		err = parse_index(index, t, ch, true, &pos);
	err = err ?: rule_put(t, ch, pos, 0, e, ne);
	free(e);
	return err;
}

static int rule_replace_cmd(int argc, char **argv)
{
	struct fw_rule *e;
	struct fw_table *t;
	__u32 ch, pos, ne;
	int err;

	if (argc < 3)
		return pcn_err(PCN_EXIT_USAGE, "FIREWALL CHAIN N missing");
	e = entries_new();
	if (!e)
		return pcn_err_kernel(-ENOMEM, "cannot read the rule");
	err = parse_rule(argc - 3, argv + 3, e, &ne);
	if (!err)
		err = table_chain(argc, argv, &t, &ch);
	if (!err)
		err = parse_index(argv[2], t, ch, false, &pos);
	/* a new rule: its counters start from zero */
	err = err ?: rule_put(t, ch, pos,
			      fw_group_len(t->rules[ch], t->n[ch], pos), e, ne);
	free(e);
	return err;
}

static int rule_delete_cmd(int argc, char **argv)
{
	struct fw_rule *e = NULL;
	struct fw_table *t;
	__u32 ch, pos, num, ne = 0, old;
	int err;

	if (argc < 3)
		return pcn_err(PCN_EXIT_USAGE, "FIREWALL CHAIN { N | RULE } missing");
	/* a number (or what was meant as one: "-1"), or a rule to find */
	if (argc == 3 && (!pcn_parse_u32(argv[2], 10, &num) ||
			  strspn(argv[2], "+-0123456789") == strlen(argv[2]))) {
		err = table_chain(argc, argv, &t, &ch);
		if (!err)
			err = parse_index(argv[2], t, ch, false, &pos);
	} else {
		e = entries_new();
		err = e ? parse_rule(argc - 2, argv + 2, e, &ne) :
			  pcn_err_kernel(-ENOMEM, "cannot read the rule");
		if (!err)
			err = table_chain(argc, argv, &t, &ch);
		for (pos = 0; !err && pos < t->n[ch];
		     pos += fw_group_len(t->rules[ch], t->n[ch], pos))
			if (group_same(&t->rules[ch][pos],
				       fw_group_len(t->rules[ch], t->n[ch], pos),
				       e, ne))
				break;
		if (!err && pos == t->n[ch])
			err = pcn_err(PCN_EXIT_KERNEL,
				      "chain %s of \"%s\" has no such rule",
				      fw_chain_name(ch), t->name);
	}
	free(e);
	if (err)
		return err;
	old = fw_group_len(t->rules[ch], t->n[ch], pos);
	memmove(&t->rules[ch][pos], &t->rules[ch][pos + old],
		(t->n[ch] - pos - old) * sizeof(*t->rules[ch]));
	t->n[ch] -= old;
	t->dirty[ch] = true;
	return fw_table_done(t);
}

static int rule_flush_cmd(int argc, char **argv)
{
	struct fw_table *t;
	unsigned mask;
	__u32 ch;
	int err;

	err = chain_args(argc, argv, &mask);
	if (err)
		return err;
	t = fw_table_get(argv[0], true, &err);
	if (!t)
		return err;
	for (ch = 0; ch < 2; ch++) {
		if (!(mask & (1u << ch)))
			continue;
		t->n[ch] = 0;
		t->dirty[ch] = true;
	}
	return fw_table_done(t);
}

/* Counters to zero: the rules' (a new id each), without a rebuild. */
static int rule_reset_cmd(int argc, char **argv)
{
	int ncpu = libbpf_num_possible_cpus(), fd;
	struct fw_counter zeros[ncpu > 0 ? ncpu : 1];
	struct fw_table *t;
	struct pcn_cube c;
	unsigned mask;
	__u32 ch, r;
	int err;

	err = chain_args(argc, argv, &mask);
	if (err)
		return err;
	t = fw_table_get(argv[0], false, &err);
	if (!t)
		return err;
	err = cube_open_type(argv[0], "firewall", &c, true);
	if (err) {
		fw_table_free(t);
		return err;
	}
	fd = cube_obj_fd(&c, "fw_counters");
	memset(zeros, 0, sizeof(zeros));
	for (ch = 0; fd >= 0 && !err && ch < 2; ch++) {
		if (!(mask & (1u << ch)))
			continue;
		for (r = 0; !err && r < t->n[ch]; r++)
			if (bpf_map_update_elem(fd, &t->rules[ch][r].id, zeros,
						BPF_ANY))
				err = -errno;
	}
	if (fd < 0)
		err = -errno;
	if (fd >= 0)
		close(fd);
	cube_close(&c);
	fw_table_free(t);
	return err ? pcn_err_kernel(err, "cannot reset the counters of \"%s\"",
				    argv[0]) : 0;
}

static const struct pcn_cmd cmds[] = {
	{ "show", rule_show_cmd },
	{ "list", rule_show_cmd },
	{ "append", rule_append_cmd },
	{ "add", rule_append_cmd },
	{ "insert", rule_insert_cmd },
	{ "replace", rule_replace_cmd },
	{ "delete", rule_delete_cmd },
	{ "del", rule_delete_cmd },
	{ "flush", rule_flush_cmd },
	{ "reset", rule_reset_cmd },
	{ "import", fw_import_cmd },
	{ "log", fw_rule_log_cmd },
	{ NULL, NULL },
};

/* "N": the numbers of the rules of the chain named, from 1 */
static void rule_numbers(struct pcn_line *l, struct pcn_cube *c)
{
	const char *chain = pcn_line_value(l, "CHAIN");
	struct fw_table *t;
	__u32 ch, i;
	int err;

	if (!chain || (!is_kw(chain, "ingress") && !is_kw(chain, "egress")) ||
	    fw_chain_parse(chain, &ch))
		return;
	t = fw_table_get(c->name, false, &err);
	if (!t)
		return;
	/* insert may append: one more */
	for (i = 1; i <= fw_group_count(t->rules[ch], t->n[ch]) +
		    !strcmp(pcn_line_verb(l), "insert"); i++)
		pcn_line_emit(l, "%u", i);
	fw_table_free(t);
}

static void complete_number(struct pcn_line *l)
{
	const char *fw = pcn_line_value(l, "FIREWALL");

	if (fw)
		pcn_line_cubes(l, "firewall", fw, rule_numbers);
}

static const struct pcn_completion completions[] = {
	{ "N", complete_number },
	{ NULL, NULL },
};

const struct pcn_object rule_object = {
	.name = "rule",
	.cmds = cmds,
	.summary = "rules of firewall cubes",
	.usage = usage,
	.complete = completions,
};
