/* SPDX-License-Identifier: GPL-2.0 */
/* The nat cube's user space: nat.c (the type), rule.c (the object). */
#ifndef __PCN_NAT_USER_H
#define __PCN_NAT_USER_H

#include "nat.h"			/* bpf/nat.h */
#include "pcn.h"

extern const struct pcn_object nat_object;

/*
 * What "cube add" of a nat keeps in its meta config: the flows its
 * tables hold (0, from a cube made before the option: the default).
 * nat_flows gets two entries a flow (one per direction), nat_ct as many.
 */
struct nat_meta {
	__u32 flows;
};

#define NAT_FLOWS_DEFAULT	(NAT_FLOWS_MAX / 2)
#define NAT_FLOWS_LIMIT		(1U << 22)	/* 8M translations */

/* A cube's rules in use, in *@n (at most NAT_RULES_MAX). 0 or -errno. */
int nat_rules_read(struct pcn_cube *c, struct nat_rule *rules, __u32 *n);
/* The text of rule @r as "nat add" takes it, into @buf. */
const char *nat_rule_str(const struct nat_rule *r, char *buf, size_t len);
/*
 * Masquerade's addresses, re-read from where @c is attached (the
 * interface's, or the router port's) into its nat_masq map: what every
 * command that touches the cube does. 0 or -errno.
 */
int nat_masq_refresh(struct pcn_cube *c, struct nat_masq *m);

#endif /* __PCN_NAT_USER_H */
