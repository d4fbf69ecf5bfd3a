// SPDX-License-Identifier: GPL-2.0
/*
 * pcn rule import: the filter table of an iptables-save (or
 * ip6tables-save) file as a firewall's two chains.
 *
 *   pcn rule import FIREWALL { iptables | ip6tables } { FILE | - }
 *       [ { iptables | ip6tables } { FILE | - } ]
 *       [ ingress CHAIN ] [ egress CHAIN ] [ dev IFNAME ]
 *
 * iptables chains are a tree (jumps, RETURN); a pcn chain is a list
 * where the first rule that matches decides. The tree is flattened in
 * order: a jump puts the rules of the chain it calls in its place, each
 * ANDed with the jump's own match; a RETURN whose match holds puts
 * there, ANDed with that match, the rest of every chain it returns to
 * and a last rule of the built-in chain's policy, so that its packets
 * are decided before the rules after the RETURN. iptables' matches that
 * are lists (multiport, iprange, --ports) become one rule each. Every
 * rule of a family's file is kept to that family (src 0.0.0.0/0 or
 * ::/0 when it has no address).
 *
 * What pcn cannot match is refused with the file, line and word, and
 * nothing is changed; what it can is applied as one change, both
 * chains and policies in one switch (in a -batch, with the batch).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netdb.h>

#include "fw.h"

#define IPT_CHAINS_MAX	1024
#define IPT_DEPTH_MAX	16		/* jumps inside jumps */
#define IPT_ARGS_MAX	128

enum ipt_target { T_NONE, T_ACCEPT, T_DROP, T_RETURN, T_JUMP, T_REJECT,
		  T_LOG };

struct ipt_rule {
	int line;
	enum ipt_target target;
	char jump[32];			/* T_JUMP: the chain */
	char in[20], out[20];		/* -i, -o */
	struct fw_rule *alt;		/* matches any of these */
	int nalt;
};

struct ipt_chain {
	char name[32];
	bool builtin;
	__u32 policy;
	struct ipt_rule *rules;
	int n, cap;
};

struct ipt_file {
	const char *name;
	int family;			/* 4 or 6 */
	struct ipt_chain *chains;
	int n;
};

/* where the flattening goes */
struct flat {
	const struct ipt_file *f;
	struct fw_rule *out;		/* FW_RULES_MAX */
	__u32 n;
	int dir;			/* FW_INGRESS / FW_EGRESS */
	const char *dev;
	__u32 policy;			/* of the built-in chain */
};

/* a frame of the chains a RETURN goes back to */
struct frame {
	const struct ipt_chain *c;
	int next;			/* the rule after the jump */
};

static int err_at(const struct ipt_file *f, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int err_at(const struct ipt_file *f, int line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return pcn_err(PCN_EXIT_USAGE, "%s:%d: %s (nothing applied)",
		       f->name, line, msg);
}

static struct ipt_chain *chain_find(const struct ipt_file *f, const char *name)
{
	int i;

	for (i = 0; i < f->n; i++)
		if (!strcmp(f->chains[i].name, name))
			return &f->chains[i];
	return NULL;
}

/* Split @s in place into words; "..." keeps spaces (\" inside). */
static int split(char *s, char **argv, int max)
{
	int argc = 0;
	char *w;

	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			s++;
		if (!*s)
			return argc;
		if (argc == max)
			return -E2BIG;
		if (*s == '"') {
			argv[argc++] = w = ++s;
			while (*s && *s != '"') {
				if (*s == '\\' && s[1])
					s++;
				*w++ = *s++;
			}
			if (*s)
				s++;
			*w = '\0';
			continue;
		}
		argv[argc++] = s;
		while (*s && *s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			s++;
		if (*s)
			*s++ = '\0';
	}
}

/* the conditions of one rule before they are multiplied out */
#define LIST_MAX 64
struct conds {
	struct fw_rule base;
	struct range { __u16 lo, hi; } sp[LIST_MAX], dp[LIST_MAX], ep[LIST_MAX];
	int nsp, ndp, nep;
	struct pfx { __u8 a[16]; __u8 plen; } src[LIST_MAX], dst[LIST_MAX];
	int nsrc, ndst;
	__u8 hmode;			/* --hashlimit-mode: enum fw_limit_by */
};

/* "N", "N:M", ":M", "N:" (iptables' ranges) */
static int ipt_range(const char *s, struct range *r)
{
	const char *colon = strchr(s, ':');
	char lo[8] = "0", hi[8] = "65535";
	__u32 a, b;

	if (!colon) {
		if (pcn_parse_u32(s, 10, &a) || a > 65535)
			return -EINVAL;
		r->lo = r->hi = a;
		return 0;
	}
	if (colon - s >= (long)sizeof(lo) || strlen(colon + 1) >= sizeof(hi))
		return -EINVAL;
	if (colon > s) {
		memcpy(lo, s, colon - s);
		lo[colon - s] = '\0';
	}
	if (colon[1])
		strcpy(hi, colon + 1);
	if (pcn_parse_u32(lo, 10, &a) || pcn_parse_u32(hi, 10, &b) ||
	    a > b || b > 65535)
		return -EINVAL;
	r->lo = a;
	r->hi = b;
	return 0;
}

/* "N[,N:M...]" into @r, at most LIST_MAX */
static int ipt_ranges(char *s, struct range *r, int *n)
{
	char *tok, *save = NULL;

	for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (*n == LIST_MAX || ipt_range(tok, &r[*n]))
			return -EINVAL;
		(*n)++;
	}
	return *n ? 0 : -EINVAL;
}

/* "A.B.C.D[/N]" (or IPv6) of @family, host bits allowed as iptables */
static int ipt_prefix(const char *s, int family, struct pfx *p)
{
	char buf[64];
	__u32 plen;
	int fam;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	if (!strchr(buf, '/'))
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "/%d",
			 family == 4 ? 32 : 128);
	/* iptables-save writes the prefix's network address */
	if (pcn_parse_prefix(buf, p->a, &plen, &fam) || fam != family)
		return -EINVAL;
	p->plen = plen;
	return 0;
}

/*
 * "A-B" (-m iprange) as the fewest prefixes that cover it exactly: the
 * native address lists' parser (rule_list.c) does the covering; an
 * iprange is one range, of the rule's family.
 */
static int ipt_iprange(const char *s, int family, struct pfx *p, int *n)
{
	struct fw_alist l;
	int fam = family, i;

	if (!strchr(s, '-') || strchr(s, ',') ||
	    fw_addr_list_parse(s, &fam, &l))
		return -EINVAL;
	for (i = 0; i < l.n; i++) {
		if (*n == LIST_MAX)
			return -E2BIG;
		memcpy(p[*n].a, l.p[i].a, 16);
		p[*n].plen = l.p[i].plen;
		(*n)++;
	}
	return 0;
}

/* "SYN,ACK", "ALL", "NONE" as TCP flag bits */
static int ipt_flags(char *s, __u8 *out)
{
	static const char *const names[] = { "FIN", "SYN", "RST", "PSH",
					     "ACK", "URG", "ECE", "CWR" };
	char *tok, *save = NULL;
	unsigned i;

	*out = 0;
	for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "ALL")) {
			*out |= 0x3f;
			continue;
		}
		if (!strcmp(tok, "NONE"))
			continue;
		for (i = 0; i < ARRAY_SIZE(names); i++)
			if (!strcmp(tok, names[i]))
				break;
		if (i == ARRAY_SIZE(names))
			return -EINVAL;
		*out |= 1u << i;
	}
	return 0;
}

/* "NEW,ESTABLISHED" as a state mask */
static int ipt_states(char *s, __u8 *out)
{
	static const char *const names[] = {
		[PCN_CT_NEW] = "NEW", [PCN_CT_ESTABLISHED] = "ESTABLISHED",
		[PCN_CT_RELATED] = "RELATED", [PCN_CT_INVALID] = "INVALID",
	};
	char *tok, *save = NULL;
	unsigned i;

	*out = 0;
	for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < ARRAY_SIZE(names); i++)
			if (!strcmp(tok, names[i]))
				break;
		if (i == ARRAY_SIZE(names))
			return -EINVAL;
		*out |= 1u << i;
	}
	return *out ? 0 : -EINVAL;
}

static bool is_opt(const char *w, const char *a, const char *b)
{
	return !strcmp(w, a) || (b && !strcmp(w, b));
}

/* the modules whose options pcn knows */
static const char *const modules[] = {
	"tcp", "udp", "icmp", "icmp6", "icmpv6", "multiport", "conntrack",
	"state", "iprange", "comment", "mark", "limit", "hashlimit",
};

/*
 * One "-A CHAIN ..." line (argv[0] is "-A") into @r, or an error that
 * names the word pcn cannot take.
 */
static int parse_line(const struct ipt_file *f, int line, int argc,
		      char **argv, struct ipt_rule *r, struct conds *c)
{
	struct fw_rule *b = &c->base;
	const char *w = argv[0];
	unsigned m;
	int i, j;

	memset(c, 0, sizeof(*c));
	for (i = 2; i < argc; i++) {
		char *v = i + 1 < argc ? argv[i + 1] : NULL;

		w = argv[i];

		if (!strcmp(w, "!"))
			return err_at(f, line, "\"!\": negated matches are not supported");
		if (is_opt(w, "-m", "--match")) {
			if (!v)
				goto missing;
			for (m = 0; m < ARRAY_SIZE(modules); m++)
				if (!strcmp(v, modules[m]))
					break;
			if (m == ARRAY_SIZE(modules))
				return err_at(f, line, "\"-m %s\": match not supported", v);
			i++;
		} else if (is_opt(w, "--comment", NULL)) {
			if (!v)
				goto missing;
			i++;
		} else if (is_opt(w, "-s", "--source") ||
			   is_opt(w, "-d", "--destination")) {
			bool d = w[1] == 'd' || w[2] == 'd';

			if (!v)
				goto missing;
			if (d ? c->ndst : c->nsrc)
				goto twice;
			if (ipt_prefix(v, f->family, d ? c->dst : c->src))
				return err_at(f, line, "\"%s %s\": not an IPv%d prefix", w, v, f->family);
			d ? c->ndst++ : c->nsrc++;
			i++;
		} else if (is_opt(w, "--src-range", "--dst-range")) {
			bool d = w[2] == 'd';

			if (!v)
				goto missing;
			if (d ? c->ndst : c->nsrc)
				goto twice;
			if (ipt_iprange(v, f->family, d ? c->dst : c->src,
					d ? &c->ndst : &c->nsrc))
				return err_at(f, line, "\"%s %s\": not an IPv%d range", w, v, f->family);
			i++;
		} else if (is_opt(w, "-p", "--protocol")) {
			if (!v)
				goto missing;
			if (b->fields & FW_F_PROTO)
				goto twice;
			if (!strcmp(v, "all")) {
				i++;
				continue;
			}
			if (!strcmp(v, "ipv6-icmp") || !strcmp(v, "icmp6"))
				v = "icmpv6";
			if (pcn_parse_proto(v, &b->proto)) {
				/* iptables-save names them as /etc/protocols */
				struct protoent *pe = getprotobyname(v);

				if (!pe || pe->p_proto > 255)
					return err_at(f, line, "\"-p %s\": protocol not known", v);
				b->proto = pe->p_proto;
			}
			b->fields |= FW_F_PROTO;
			i++;
		} else if (is_opt(w, "--sport", "--source-port") ||
			   is_opt(w, "--sports", "--source-ports") ||
			   is_opt(w, "--dport", "--destination-port") ||
			   is_opt(w, "--dports", "--destination-ports") ||
			   is_opt(w, "--ports", NULL)) {
			bool d = strstr(w, "-d") != NULL;
			bool e = !strcmp(w, "--ports");
			struct range *list = e ? c->ep : d ? c->dp : c->sp;
			int *n = e ? &c->nep : d ? &c->ndp : &c->nsp;

			if (!v)
				goto missing;
			if (*n)
				goto twice;
			if (ipt_ranges(v, list, n))
				return err_at(f, line, "\"%s %s\": not a port list", w, v);
			i++;
		} else if (is_opt(w, "--tcp-flags", NULL)) {
			if (i + 2 >= argc)
				goto missing;
			if (b->fields & FW_F_FLAGS)
				goto twice;
			if (ipt_flags(argv[i + 1], &b->flags_mask) ||
			    ipt_flags(argv[i + 2], &b->flags_value))
				return err_at(f, line, "\"--tcp-flags\": not TCP flags");
			b->flags_value &= b->flags_mask;
			b->fields |= FW_F_FLAGS;
			i += 2;
		} else if (is_opt(w, "--syn", NULL)) {
			if (b->fields & FW_F_FLAGS)
				goto twice;
			/* SYN set, RST ACK FIN clear */
			b->flags_mask = 0x17;
			b->flags_value = 0x02;
			b->fields |= FW_F_FLAGS;
		} else if (is_opt(w, "--state", "--ctstate")) {
			if (!v)
				goto missing;
			if (b->fields & FW_F_STATE)
				goto twice;
			if (ipt_states(v, &b->state_mask))
				return err_at(f, line, "\"%s %s\": pcn tracks NEW, ESTABLISHED, RELATED, INVALID", w, v);
			b->fields |= FW_F_STATE;
			i++;
		} else if (is_opt(w, "--icmp-type", "--icmpv6-type")) {
			char t[64], *slash;
			__u8 type, code;

			if (!v)
				goto missing;
			if (b->fields & FW_F_ICMP)
				goto twice;
			snprintf(t, sizeof(t), "%s", v);
			slash = strchr(t, '/');
			if (slash)
				*slash++ = '\0';
			if (!strcmp(t, "any")) {
				i++;
				continue;
			}
			if (fw_icmp_parse(t, f->family == 6 ? IPPROTO_ICMPV6 : 1, &type) ||
			    (slash && fw_icmp_parse(slash, 0, &code)))
				return err_at(f, line, "\"%s %s\": ICMP type not known to pcn", w, v);
			b->fields |= FW_F_ICMP | FW_F_SPORT;
			b->sport_lo = b->sport_hi = type;
			if (slash) {
				b->fields |= FW_F_DPORT;
				b->dport_lo = b->dport_hi = code;
			}
			i++;
		} else if (is_opt(w, "--mark", NULL)) {
			if (!v)
				goto missing;
			if (b->fields & FW_F_MARK)
				goto twice;
			if (fw_mark_parse(v, b))
				return err_at(f, line, "\"--mark %s\": not VALUE[/MASK]", v);
			i++;
		} else if (is_opt(w, "--limit", "--hashlimit-upto") ||
			   is_opt(w, "--hashlimit", NULL)) {
			if (!v)
				goto missing;
			if (b->fields & FW_F_LIMIT)
				goto twice;
			if (fw_rate_parse(v, &b->limit_num, &b->limit_unit))
				return err_at(f, line, "\"%s %s\": not a rate pcn takes", w, v);
			b->fields |= FW_F_LIMIT;
			b->limit_by = strcmp(w, "--limit") ? FW_LIMIT_SRCDST : FW_LIMIT_RULE;
			if (!b->limit_burst)
				b->limit_burst = 5;
			if (!b->limit_plen)
				b->limit_plen = 128;
			i++;
		} else if (is_opt(w, "--limit-burst", "--hashlimit-burst")) {
			__u32 x;

			if (!v)
				goto missing;
			if (pcn_parse_u32(v, 10, &x) || !x || x > FW_BURST_MAX)
				return err_at(f, line, "\"%s %s\": 1 to %d", w, v, FW_BURST_MAX);
			b->limit_burst = x;
			i++;
		} else if (is_opt(w, "--hashlimit-mode", NULL)) {
			if (!v)
				goto missing;
			if (!strcmp(v, "srcip"))
				c->hmode = FW_LIMIT_SRC;
			else if (!strcmp(v, "dstip"))
				c->hmode = FW_LIMIT_DST;
			else if (!strcmp(v, "srcip,dstip") || !strcmp(v, "dstip,srcip"))
				c->hmode = FW_LIMIT_SRCDST;
			else
				return err_at(f, line, "\"--hashlimit-mode %s\": pcn takes srcip, dstip or both", v);
			i++;
		} else if (is_opt(w, "--hashlimit-srcmask", "--hashlimit-dstmask")) {
			__u32 x;

			if (!v)
				goto missing;
			if (pcn_parse_u32(v, 10, &x) || x > 128)
				return err_at(f, line, "\"%s %s\": a prefix length", w, v);
			b->limit_plen = x;
			i++;
		} else if (is_opt(w, "--hashlimit-name", NULL)) {
			if (!v)
				goto missing;
			i++;
		} else if (is_opt(w, "-i", "--in-interface") ||
			   is_opt(w, "-o", "--out-interface")) {
			bool o = w[1] == 'o' || w[2] == 'o';

			if (!v)
				goto missing;
			snprintf(o ? r->out : r->in, sizeof(r->in), "%s", v);
			i++;
		} else if (is_opt(w, "-j", "--jump")) {
			if (!v)
				goto missing;
			if (!strcmp(v, "ACCEPT"))
				r->target = T_ACCEPT;
			else if (!strcmp(v, "DROP"))
				r->target = T_DROP;
			else if (!strcmp(v, "RETURN"))
				r->target = T_RETURN;
			else if (!strcmp(v, "REJECT"))
				r->target = T_REJECT;
			else if (!strcmp(v, "LOG"))
				r->target = T_LOG;
			else if (chain_find(f, v) && !chain_find(f, v)->builtin)
				r->target = T_JUMP;
			else
				return err_at(f, line, "\"-j %s\": target not supported", v);
			snprintf(r->jump, sizeof(r->jump), "%s", v);
			/* REJECT [--reject-with HOW]: the default as iptables' */
			b->action = r->target == T_REJECT ? FW_REJECT : 0;
			if (r->target == T_REJECT)
				fw_reject_parse(f->family == 6 ?
						"icmp6-port-unreachable" :
						"icmp-port-unreachable", b);
			if (r->target == T_REJECT && i + 3 < argc &&
			    !strcmp(argv[i + 2], "--reject-with")) {
				if (fw_reject_parse(argv[i + 3], b))
					return err_at(f, line, "\"--reject-with %s\": not known to pcn", argv[i + 3]);
				i += 2;
			}
			/* LOG [--log-prefix P] [--log-level L] */
			if (r->target == T_LOG) {
				b->action = FW_LOG;
				b->log_level = 4;
			}
			while (r->target == T_LOG && i + 3 < argc &&
			       (!strcmp(argv[i + 2], "--log-prefix") ||
				!strcmp(argv[i + 2], "--log-level"))) {
				const char *o = argv[i + 2], *x = argv[i + 3];

				if (o[6] == 'p' ? fw_log_prefix_set(x, b) :
				    fw_log_level_parse(x, &b->log_level))
					return err_at(f, line, "\"%s %s\": not taken by pcn", o, x);
				i += 2;
			}
			if (i + 2 < argc)
				return err_at(f, line, "\"%s\": option of target %s not supported", argv[i + 2], v);
			i++;
		} else {
			return err_at(f, line, "\"%s\": not supported", w);
		}
	}
	/* a hashlimit without a mode: one bucket, as a limit */
	if ((b->fields & FW_F_LIMIT) && b->limit_by != FW_LIMIT_RULE)
		b->limit_by = c->hmode;
	if ((b->fields & FW_F_LIMIT) && (r->target == T_JUMP ||
					 r->target == T_RETURN))
		return err_at(f, line, "a limit on a jump or RETURN: pcn checks limits on the rules that decide");
	fw_log_default_limit(b);
	if (c->nep && (c->nsp || c->ndp))
		return err_at(f, line, "\"--ports\" with other ports");
	if ((c->nsp || c->ndp || c->nep) && b->fields & FW_F_ICMP)
		return err_at(f, line, "ports and ICMP type in one rule");
	if ((c->nsp || c->ndp || c->nep) && (!(b->fields & FW_F_PROTO) ||
					     (b->proto != 6 && b->proto != 17)))
		return err_at(f, line, "ports need -p tcp or -p udp");
	if ((b->fields & FW_F_FLAGS) && (!(b->fields & FW_F_PROTO) || b->proto != 6))
		return err_at(f, line, "TCP flags need -p tcp");
	if ((b->fields & FW_F_ICMP) && (!(b->fields & FW_F_PROTO) ||
					(b->proto != 1 && b->proto != IPPROTO_ICMPV6)))
		return err_at(f, line, "an ICMP type needs -p icmp");

	/* multiply the lists out: one rule per combination */
	{
		int ns = c->nsrc ?: 1, nd = c->ndst ?: 1, np, k, s2, d2;

		np = c->nep ? 2 * c->nep : (c->nsp ?: 1) * (c->ndp ?: 1);
		if ((long)ns * nd * np > FW_RULES_MAX)
			return err_at(f, line, "more than %d rules once its lists are multiplied out", FW_RULES_MAX);
		r->alt = calloc((size_t)ns * nd * np, sizeof(*r->alt));
		if (!r->alt)
			return pcn_err_kernel(-ENOMEM, "cannot read \"%s\"", f->name);
		for (s2 = 0; s2 < ns; s2++)
			for (d2 = 0; d2 < nd; d2++)
				for (k = 0; k < np; k++) {
					struct fw_rule *x = &r->alt[r->nalt++];

					*x = *b;
					x->family = f->family;
					/* kept to the file's family */
					x->fields |= FW_F_SRC;
					if (c->nsrc) {
						memcpy(x->src, c->src[s2].a, 16);
						x->src_plen = c->src[s2].plen;
					}
					if (c->ndst) {
						x->fields |= FW_F_DST;
						memcpy(x->dst, c->dst[d2].a, 16);
						x->dst_plen = c->dst[d2].plen;
					}
					if (c->nep) {
						const struct range *e = &c->ep[k / 2];

						x->fields |= k & 1 ? FW_F_DPORT : FW_F_SPORT;
						if (k & 1) {
							x->dport_lo = e->lo;
							x->dport_hi = e->hi;
						} else {
							x->sport_lo = e->lo;
							x->sport_hi = e->hi;
						}
						continue;
					}
					j = c->nsp ? k % c->nsp : 0;
					if (c->nsp) {
						x->fields |= FW_F_SPORT;
						x->sport_lo = c->sp[j].lo;
						x->sport_hi = c->sp[j].hi;
					}
					if (c->ndp) {
						j = k / (c->nsp ?: 1);
						x->fields |= FW_F_DPORT;
						x->dport_lo = c->dp[j].lo;
						x->dport_hi = c->dp[j].hi;
					}
				}
	}
	return 0;
missing:
	return err_at(f, line, "\"%s\": value missing", w);
twice:
	return err_at(f, line, "a condition given twice");
}

static void file_free(struct ipt_file *f)
{
	int i, j;

	for (i = 0; i < f->n; i++) {
		for (j = 0; j < f->chains[i].n; j++)
			free(f->chains[i].rules[j].alt);
		free(f->chains[i].rules);
	}
	free(f->chains);
	f->chains = NULL;
	f->n = 0;
}

static int chain_add(struct ipt_file *f, int line, const char *name,
		     const char *policy)
{
	struct ipt_chain *c;

	if (strlen(name) >= sizeof(c->name))
		return err_at(f, line, "\"%s\": chain name too long", name);
	if (chain_find(f, name))
		return err_at(f, line, "\"%s\": chain declared twice", name);
	if (f->n == IPT_CHAINS_MAX)
		return err_at(f, line, "more than %d chains", IPT_CHAINS_MAX);
	if (!f->chains) {
		f->chains = calloc(IPT_CHAINS_MAX, sizeof(*f->chains));
		if (!f->chains)
			return pcn_err_kernel(-ENOMEM, "cannot read \"%s\"", f->name);
	}
	c = &f->chains[f->n];
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->builtin = strcmp(policy, "-") != 0;
	if (c->builtin && strcmp(policy, "ACCEPT") && strcmp(policy, "DROP"))
		return err_at(f, line, "\"%s\": policy not supported", policy);
	c->policy = !strcmp(policy, "DROP") ? FW_DROP : FW_ACCEPT;
	f->n++;
	return 0;
}

static bool is_builtin(const char *name)
{
	return !strcmp(name, "INPUT") || !strcmp(name, "FORWARD") ||
	       !strcmp(name, "OUTPUT");
}

/* The filter table of iptables-save output @fp into @f. */
static int file_read(struct ipt_file *f, FILE *fp)
{
	char *buf = NULL, *argv[IPT_ARGS_MAX];
	bool filter = false, in_table = false, seen = false;
	size_t cap = 0;
	int line = 0, argc, err = 0;
	struct conds *cd = malloc(sizeof(*cd));

	if (!cd)
		return pcn_err_kernel(-ENOMEM, "cannot read \"%s\"", f->name);
	while (!err && getline(&buf, &cap, fp) > 0) {
		char **a = argv;

		line++;
		argc = split(buf, argv, IPT_ARGS_MAX);
		if (argc < 0) {
			err = err_at(f, line, "more than %d words", IPT_ARGS_MAX);
			break;
		}
		if (!argc || argv[0][0] == '#')
			continue;
		if (argv[0][0] == '*') {
			if (in_table) {
				err = err_at(f, line, "\"%s\": table inside a table", argv[0]);
				break;
			}
			in_table = true;
			filter = !strcmp(argv[0], "*filter");
			if (filter && seen) {
				err = err_at(f, line, "a second filter table");
				break;
			}
			seen |= filter;
			continue;
		}
		if (!in_table) {
			err = err_at(f, line, "\"%s\": outside a table", argv[0]);
			break;
		}
		if (!strcmp(argv[0], "COMMIT")) {
			in_table = false;
			continue;
		}
		/* other tables (nat, mangle, raw) are not the filter's */
		if (!filter)
			continue;
		if (argv[0][0] == ':') {
			err = argc < 2 ? err_at(f, line, "\"%s\": policy missing", argv[0])
				       : chain_add(f, line, argv[0] + 1, argv[1]);
			continue;
		}
		/* counters, as iptables-save -c writes them: not kept */
		if (argv[0][0] == '[') {
			a++;
			argc--;
		}
		if (argc < 2 || strcmp(a[0], "-A")) {
			err = err_at(f, line, "\"%s\": not supported (only -A lines and chains)",
				     argc ? a[0] : "[");
			continue;
		}
		{
			struct ipt_chain *c = chain_find(f, a[1]);
			struct ipt_rule *r;

			/* iptables-restore input may leave out the built-in
			 * chains' lines: they are there, policy ACCEPT */
			if (!c && is_builtin(a[1])) {
				err = chain_add(f, line, a[1], "ACCEPT");
				if (err)
					continue;
				c = chain_find(f, a[1]);
			}
			if (!c) {
				err = err_at(f, line, "\"%s\": no such chain", a[1]);
				continue;
			}
			if (c->n == c->cap) {
				void *p = realloc(c->rules, (c->cap ? 2 * c->cap : 16) *
							     sizeof(*c->rules));

				if (!p) {
					err = pcn_err_kernel(-ENOMEM, "cannot read \"%s\"", f->name);
					continue;
				}
				c->rules = p;
				c->cap = c->cap ? 2 * c->cap : 16;
			}
			r = &c->rules[c->n];
			memset(r, 0, sizeof(*r));
			r->line = line;
			err = parse_line(f, line, argc, a, r, cd);
			if (err)
				free(r->alt);
			else
				c->n++;
		}
	}
	if (!err && in_table)
		err = err_at(f, line, "COMMIT missing");
	if (!err && !seen)
		err = pcn_err(PCN_EXIT_USAGE, "%s: no filter table (nothing applied)", f->name);
	free(buf);
	free(cd);
	return err;
}

/* @a AND @b into @x (@b's action): false if no packet can match both */
static bool rule_and(const struct fw_rule *a, const struct fw_rule *b,
		 struct fw_rule *x)
{
	int d;

	*x = *a;
	x->action = b->action;
	x->reject = b->reject;
	x->reject_code[0] = b->reject_code[0];
	x->reject_code[1] = b->reject_code[1];
	x->reject_name = b->reject_name;
	/* the limit and log of the rule that decides (a jump has none) */
	x->limit_num = b->limit_num;
	x->limit_unit = b->limit_unit;
	x->limit_burst = b->limit_burst;
	x->limit_by = b->limit_by;
	x->limit_plen = b->limit_plen;
	x->log_level = b->log_level;
	memcpy(x->log_prefix, b->log_prefix, sizeof(x->log_prefix));
	if (b->fields & FW_F_MARK) {
		if ((a->fields & FW_F_MARK) &&
		    ((a->mark_value ^ b->mark_value) & a->mark_mask & b->mark_mask))
			return false;
		x->mark_mask = (a->fields & FW_F_MARK ? a->mark_mask : 0) | b->mark_mask;
		x->mark_value = (a->fields & FW_F_MARK ? a->mark_value : 0) | b->mark_value;
	}
	if (a->family && b->family && a->family != b->family)
		return false;
	x->family = a->family ?: b->family;
	for (d = 0; d < 2; d++) {
		__u16 f = d ? FW_F_DST : FW_F_SRC;
		const __u8 *pa = d ? a->dst : a->src, *pb = d ? b->dst : b->src;
		__u8 la = d ? a->dst_plen : a->src_plen;
		__u8 lb = d ? b->dst_plen : b->src_plen, l;
		__u8 *px = d ? x->dst : x->src;
		int i;

		if (!(b->fields & f))
			continue;
		if (!(a->fields & f)) {
			memcpy(px, pb, 16);
			la = 0;
		}
		/* one must hold the other: equal on the shorter */
		l = la < lb ? la : lb;
		for (i = 0; i < l; i++)
			if ((pa[i / 8] ^ pb[i / 8]) & (0x80 >> (i % 8)))
				return false;
		if (lb > la || !(a->fields & f)) {
			memcpy(px, pb, 16);
			if (d)
				x->dst_plen = lb;
			else
				x->src_plen = lb;
		}
		x->fields |= f;
	}
	if (b->fields & FW_F_PROTO) {
		if ((a->fields & FW_F_PROTO) && a->proto != b->proto)
			return false;
		x->proto = b->proto;
	}
	/* ports and an ICMP type: their protocols differ, above */
	x->fields |= b->fields & FW_F_ICMP;
	if (b->fields & FW_F_SPORT) {
		if (a->fields & FW_F_SPORT) {
			x->sport_lo = a->sport_lo > b->sport_lo ? a->sport_lo : b->sport_lo;
			x->sport_hi = a->sport_hi < b->sport_hi ? a->sport_hi : b->sport_hi;
			if (x->sport_lo > x->sport_hi)
				return false;
		} else {
			x->sport_lo = b->sport_lo;
			x->sport_hi = b->sport_hi;
		}
	}
	if (b->fields & FW_F_DPORT) {
		if (a->fields & FW_F_DPORT) {
			x->dport_lo = a->dport_lo > b->dport_lo ? a->dport_lo : b->dport_lo;
			x->dport_hi = a->dport_hi < b->dport_hi ? a->dport_hi : b->dport_hi;
			if (x->dport_lo > x->dport_hi)
				return false;
		} else {
			x->dport_lo = b->dport_lo;
			x->dport_hi = b->dport_hi;
		}
	}
	if (b->fields & FW_F_FLAGS) {
		if ((a->fields & FW_F_FLAGS) &&
		    ((a->flags_value ^ b->flags_value) & a->flags_mask & b->flags_mask))
			return false;
		x->flags_mask = (a->fields & FW_F_FLAGS ? a->flags_mask : 0) | b->flags_mask;
		x->flags_value = (a->fields & FW_F_FLAGS ? a->flags_value : 0) | b->flags_value;
	}
	if (b->fields & FW_F_STATE) {
		x->state_mask = (a->fields & FW_F_STATE ? a->state_mask : 0xff) & b->state_mask;
		if (!x->state_mask)
			return false;
	}
	x->fields |= b->fields;
	return true;
}

/* do @a and @b match the same packets? */
static bool same_match(const struct fw_rule *a, const struct fw_rule *b)
{
	struct fw_rule x = *a, y = *b;

	x.action = y.action = 0;
	x.id = y.id = 0;
	return !memcmp(&x, &y, sizeof(x));
}

static int emit(struct flat *fl, const struct fw_rule *m, __u32 action,
		int line)
{
	if (fl->n == FW_RULES_MAX)
		return err_at(fl->f, line, "flattened into more than %d rules", FW_RULES_MAX);
	fl->out[fl->n] = *m;
	fl->out[fl->n].action = action;
	fl->out[fl->n].id = 0;
	if (action != FW_REJECT) {
		fl->out[fl->n].reject = 0;
		fl->out[fl->n].reject_code[0] = 0;
		fl->out[fl->n].reject_code[1] = 0;
		fl->out[fl->n].reject_name = 0;
	}
	fl->n++;
	return 0;
}

/* does interface @want (iptables: "eth+" is a prefix) take @dev? */
static bool iface_match(const char *want, const char *dev)
{
	size_t n = strlen(want);

	if (n && want[n - 1] == '+')
		return !strncmp(want, dev, n - 1);
	return !strcmp(want, dev);
}

static int walk(struct flat *fl, const struct ipt_chain *c, int from,
		const struct fw_rule *ctx, struct frame *stack, int depth);

/*
 * A RETURN taken by @m: the rest of each chain it returns to, and the
 * policy, for @m's packets only, here.
 */
static int walk_return(struct flat *fl, const struct fw_rule *m,
		       struct frame *stack, int depth, int line)
{
	struct frame copy[IPT_DEPTH_MAX];
	int i, err;

	/* the walks below push their own jumps: onto a copy, so that the
	 * frames of the walk that met the RETURN stay as they are */
	for (i = depth - 1; i >= 0; i--) {
		memcpy(copy, stack, i * sizeof(*copy));
		err = walk(fl, stack[i].c, stack[i].next, m, copy, i);
		if (err)
			return err;
	}
	return emit(fl, m, fl->policy, line);
}

/*
 * Chain @c from rule @from, its packets those of @ctx, as pcn rules
 * into @fl; @stack[0..depth) the chains it returns to.
 */
static int walk(struct flat *fl, const struct ipt_chain *c, int from,
		const struct fw_rule *ctx, struct frame *stack, int depth)
{
	const char *dev_opt = fl->dir == FW_INGRESS ? "-o" : "-i";
	struct fw_rule m;
	int i, k, err;

	for (i = from; i < c->n; i++) {
		const struct ipt_rule *r = &c->rules[i];
		const char *iface = fl->dir == FW_INGRESS ? r->in : r->out;

		if ((fl->dir == FW_INGRESS ? r->out : r->in)[0])
			return err_at(fl->f, r->line, "\"%s\": pcn's %s chain cannot see it",
				      dev_opt, fw_chain_name(fl->dir));
		if (iface[0]) {
			if (!fl->dev)
				return err_at(fl->f, r->line, "\"%s %s\": needs dev IFNAME, the interface the firewall is on",
					      dev_opt[1] == 'o' ? "-i" : "-o", iface);
			/* never seen here: the rule cannot match */
			if (!iface_match(iface, fl->dev))
				continue;
		}
		if (r->target == T_NONE)
			continue;	/* counts only: no verdict */
		for (k = 0; k < r->nalt; k++) {
			if (!rule_and(ctx, &r->alt[k], &m))
				continue;
			switch (r->target) {
			case T_ACCEPT:
				err = emit(fl, &m, FW_ACCEPT, r->line);
				break;
			case T_DROP:
				err = emit(fl, &m, FW_DROP, r->line);
				break;
			case T_REJECT:
				err = emit(fl, &m, FW_REJECT, r->line);
				break;
			case T_LOG:
				/* decides nothing: the packet goes on */
				err = emit(fl, &m, FW_LOG, r->line);
				break;
			case T_RETURN:
				/* all the chain's packets return (a chain's
				 * last "-j RETURN"): they go on after the
				 * jump, as the flattened rules do anyway */
				if (same_match(&m, ctx))
					return 0;
				err = walk_return(fl, &m, stack, depth, r->line);
				break;
			default:
				if (depth == IPT_DEPTH_MAX)
					return err_at(fl->f, r->line, "jumps deeper than %d", IPT_DEPTH_MAX);
				stack[depth].c = c;
				stack[depth].next = i + 1;
				err = walk(fl, chain_find(fl->f, r->jump), 0, &m,
					   stack, depth + 1);
			}
			if (err)
				return err;
		}
	}
	return 0;
}

/* built-in chain @name of @f as pcn chain @dir into @out (appended) */
static int flatten(const struct ipt_file *f, const char *name, int dir,
		   const char *dev, struct fw_rule *out, __u32 *n,
		   __u32 *policy)
{
	struct frame stack[IPT_DEPTH_MAX];
	struct flat fl = { .f = f, .out = out, .n = *n, .dir = dir,
			   .dev = dev };
	const struct ipt_chain *c = chain_find(f, name);
	struct fw_rule any = { .family = f->family, .fields = FW_F_SRC };
	int err;

	/* a built-in chain the file does not name: empty, ACCEPT */
	if (!c && is_builtin(name)) {
		*policy = FW_ACCEPT;
		return 0;
	}
	if (!c || !c->builtin)
		return pcn_err(PCN_EXIT_USAGE, "%s: no built-in chain \"%s\" (nothing applied)",
			       f->name, name);
	fl.policy = c->policy;
	err = walk(&fl, c, 0, &any, stack, 0);
	*n = fl.n;
	*policy = c->policy;
	return err;
}

int fw_import_cmd(int argc, char **argv)
{
	const char *chain[2] = { "INPUT", "OUTPUT" }, *dev = NULL;
	struct ipt_file files[2] = {};
	struct fw_rule *out[2] = {};
	__u32 n[2] = {}, policy[2][2] = {};
	int nfiles = 0, i, ch, err = 0;
	bool chain_set[2] = {};
	struct fw_table *t;
	const char *name;

	if (argc < 1)
		return pcn_err(PCN_EXIT_USAGE, "FIREWALL missing");
	name = argv[0];
	err = check_name("cube", name);
	if (err)
		return err;
	for (i = 1; i < argc; i += 2) {
		const char *kw = argv[i];

		if (i + 1 >= argc)
			return pcn_err(PCN_EXIT_USAGE, "\"%s\": value missing", kw);
		if (is_kw(kw, "iptables") || is_kw(kw, "ip6tables")) {
			int fam = is_kw(kw, "iptables") ? 4 : 6;

			if (nfiles == 2 || (nfiles && files[0].family == fam))
				return pcn_err(PCN_EXIT_USAGE, "one iptables and one ip6tables file at most");
			files[nfiles].family = fam;
			files[nfiles++].name = argv[i + 1];
		} else if (is_kw(kw, "ingress") || is_kw(kw, "egress")) {
			ch = is_kw(kw, "egress");
			if (chain_set[ch])
				return pcn_dup_arg(kw);
			chain_set[ch] = true;
			chain[ch] = argv[i + 1];
		} else if (is_kw(kw, "dev")) {
			if (dev)
				return pcn_dup_arg(kw);
			dev = argv[i + 1];
		} else {
			return pcn_unknown_kw("import", kw);
		}
	}
	if (!nfiles)
		return pcn_err(PCN_EXIT_USAGE, "{ iptables | ip6tables } FILE missing");
	if (nfiles == 2 && !strcmp(files[0].name, "-") && !strcmp(files[1].name, "-"))
		return pcn_err(PCN_EXIT_USAGE, "only one file can be \"-\"");
	for (i = 0; !err && i < nfiles; i++) {
		FILE *fp = strcmp(files[i].name, "-") ? fopen(files[i].name, "r") : stdin;

		if (!fp) {
			err = pcn_err(PCN_EXIT_USAGE, "cannot open \"%s\": %s",
				      files[i].name, strerror(errno));
			break;
		}
		if (fp == stdin)
			files[i].name = "-";
		err = file_read(&files[i], fp);
		if (fp != stdin)
			fclose(fp);
	}
	for (ch = 0; !err && ch < 2; ch++) {
		out[ch] = calloc(FW_RULES_MAX, sizeof(*out[ch]));
		if (!out[ch]) {
			err = pcn_err_kernel(-ENOMEM, "cannot import");
			break;
		}
		for (i = 0; !err && i < nfiles; i++)
			err = flatten(&files[i], chain[ch], ch, dev, out[ch],
				      &n[ch], &policy[ch][i]);
		/* a second family whose policy differs: its own last rule */
		if (!err && nfiles == 2 && policy[ch][1] != policy[ch][0]) {
			struct fw_rule any = { .family = files[1].family,
					       .fields = FW_F_SRC };
			struct flat fl = { .f = &files[1], .out = out[ch],
					   .n = n[ch] };

			err = emit(&fl, &any, policy[ch][1], 0);
			n[ch] = fl.n;
		}
	}
	for (i = 0; i < nfiles; i++)
		file_free(&files[i]);
	if (!err) {
		t = fw_table_get(name, true, &err);
		for (ch = 0; t && !err && ch < 2; ch++) {
			__u32 r;

			for (r = 0; !err && r < n[ch]; r++)
				err = fw_rule_check(&out[ch][r]) ?:
				      fw_rule_fits(t, &out[ch][r]) ?:
				      fw_rule_mode_check(name, &out[ch][r]);
			if (err)
				break;
			t->n[ch] = 0;
			for (r = 0; r < n[ch]; r++) {
				out[ch][r].id = fw_table_new_id(t);
				fw_limit_seed(&out[ch][r]);
				out[ch][r].limit_id = out[ch][r].id;
				t->rules[ch][r] = out[ch][r];
			}
			t->n[ch] = n[ch];
			t->policy[ch] = policy[ch][0];
			t->dirty[ch] = true;
		}
		if (t && !err)
			err = fw_table_done(t);
	}
	free(out[0]);
	free(out[1]);
	return err;
}
