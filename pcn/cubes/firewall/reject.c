// SPDX-License-Identifier: GPL-2.0
/*
 * How a rule of action reject answers: the names iptables and
 * ip6tables give --reject-with, as the codes the datapath sends
 * (bpf/fw_reject.h).
 */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>

#include "fw.h"

struct reject_name {
	const char *name;
	const char *alias;		/* ip6tables' short name */
	__u8 how;			/* enum fw_reject_how */
	__u8 code4, code6;		/* ICMP, ICMPv6 destination unreachable */
	__u8 family;			/* 0: both; else its only one */
};

/*
 * The first is the default, as iptables'. A name of one family answers
 * the other family's packets of a rule on no address with its
 * counterpart; the names of one family only need an address of it.
 */
static const struct reject_name names[] = {
	{ "icmp-port-unreachable", NULL, FW_REJECT_ICMP, 3, 4, 0 },
	{ "icmp-net-unreachable", NULL, FW_REJECT_ICMP, 0, 0, 0 },
	{ "icmp-host-unreachable", NULL, FW_REJECT_ICMP, 1, 3, 0 },
	{ "icmp-admin-prohibited", NULL, FW_REJECT_ICMP, 13, 1, 0 },
	{ "tcp-reset", NULL, FW_REJECT_TCP_RESET, 0, 0, 0 },
	{ "icmp-proto-unreachable", NULL, FW_REJECT_ICMP, 2, 0, 4 },
	{ "icmp-net-prohibited", NULL, FW_REJECT_ICMP, 9, 0, 4 },
	{ "icmp-host-prohibited", NULL, FW_REJECT_ICMP, 10, 0, 4 },
	{ "icmp6-port-unreachable", "port-unreach", FW_REJECT_ICMP, 3, 4, 6 },
	{ "icmp6-no-route", "no-route", FW_REJECT_ICMP, 0, 0, 6 },
	{ "icmp6-addr-unreachable", "addr-unreach", FW_REJECT_ICMP, 1, 3, 6 },
	{ "icmp6-adm-prohibited", "adm-prohibited", FW_REJECT_ICMP, 13, 1, 6 },
};

int fw_reject_parse(const char *arg, struct fw_rule *r)
{
	__u8 i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(arg, names[i].name) ||
		    (names[i].alias && !strcmp(arg, names[i].alias))) {
			r->reject = names[i].how;
			r->reject_code[0] = names[i].code4;
			r->reject_code[1] = names[i].code6;
			r->reject_name = i;
			return 0;
		}
	return -EINVAL;
}

const char *fw_reject_name(const struct fw_rule *r)
{
	return r->reject_name < ARRAY_SIZE(names) ? names[r->reject_name].name
						  : "?";
}

const char *fw_reject_ipt_name(const struct fw_rule *r, int family)
{
	/* iptables-save's name of the same answer in @family */
	static const char *const v6[] = {
		"icmp6-port-unreachable", "icmp6-no-route",
		"icmp6-addr-unreachable", "icmp6-adm-prohibited",
	};
	__u8 i = r->reject_name;

	if (i >= ARRAY_SIZE(names))
		return NULL;
	if (names[i].family)
		return names[i].family == family ? names[i].name : NULL;
	if (family == 6 && i < ARRAY_SIZE(v6))
		return v6[i];
	return names[i].name;
}

int fw_reject_check(const struct fw_rule *r)
{
	const struct reject_name *n;

	if (r->action != FW_REJECT) {
		if (r->reject || r->reject_code[0] || r->reject_code[1] ||
		    r->reject_name)
			return pcn_err(PCN_EXIT_USAGE,
				       "\"with\" belongs to action reject");
		return 0;
	}
	if (r->reject_name >= ARRAY_SIZE(names))
		return pcn_err(PCN_EXIT_USAGE, "reject: no such answer");
	n = &names[r->reject_name];
	if (n->how == FW_REJECT_TCP_RESET &&
	    (!(r->fields & FW_F_PROTO) || r->proto != IPPROTO_TCP))
		return pcn_err(PCN_EXIT_USAGE,
			       "reject with tcp-reset needs proto tcp");
	if (n->family && r->family != n->family)
		return pcn_err(PCN_EXIT_USAGE,
			       "reject with %s answers IPv%d only: the rule needs an IPv%d src or dst",
			       n->name, n->family, n->family);
	return 0;
}
