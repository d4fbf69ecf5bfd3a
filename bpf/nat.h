/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nat cube: what user space and the datapath share.
 *
 * The cube sits on the outside of a network: its egress is what goes
 * out (SNAT, masquerade, 1:1 outbound), its ingress what comes in
 * (DNAT, 1:1 inbound, and the replies of flows translated on the way
 * out). A packet that opens a flow is matched against the rules, first
 * match wins; the translation chosen is entered in nat_flows twice,
 * once per direction (the packet's 5-tuple as it is met there -> the
 * 5-tuple it leaves with), so every later packet of the flow, either
 * way, takes one lookup. The flow's state (TCP states, timeouts) is
 * the connection tracking of bpf/ct.h, in nat_ct, keyed by the flow as
 * the inside sees it: the translations of a flow live as long as its
 * entry there.
 */
#ifndef __PCN_NAT_H
#define __PCN_NAT_H

#include <linux/types.h>

#include "ct.h"

#define NAT_RULES_MAX		64	/* rules of a cube */
#define NAT_FLOWS_MAX		65536	/* translations: two per flow */
#define NAT_CT_MAX		NAT_FLOWS_MAX	/* flows: twice what fits */
#define NAT_PORT_TRIES		32	/* ports tried for a new flow */
#define NAT_PORT_LO		1024	/* the default range */
#define NAT_PORT_HI		65535

enum nat_kind {
	NAT_SNAT = 1,			/* src PREFIX to ADDR */
	NAT_MASQ = 2,			/* src PREFIX to the point's address */
	NAT_DNAT = 3,			/* dst ADDR [dport P] to ADDR [port Q] */
	NAT_ONE2ONE = 4,		/* 1:1 INSIDE OUTSIDE */
};

/*
 * nat_rules: BPF_MAP_TYPE_ARRAY, 2 * NAT_RULES_MAX: generation g's
 * rules at g * NAT_RULES_MAX, in order: the canonical list of the
 * generation in use. A change writes the other generation, then
 * switches nat_state.rules in one write.
 */
struct nat_rule {
	__u8 kind;			/* enum nat_kind */
	__u8 family;			/* 4 or 6 */
	__u8 proto;			/* 0: any (tcp, udp, icmp echo) */
	__u8 src_plen;			/* snat, masquerade: src PREFIX */
	__u8 dst_plen;			/* snat, masquerade: dst PREFIX */
	__u8 pad[3];
	__u16 dport;			/* dnat: matched, 0 any */
	__u16 port_lo;			/* snat, masquerade: ports to use;
					 * dnat: the new port (0: kept) */
	__u16 port_hi;
	__u16 pad2;
	__u32 id;			/* stable: its counters */
	__u8 src[16];			/* snat, masq: prefix; 1:1: inside */
	__u8 dst[16];			/* snat, masq: prefix; dnat: matched;
					 * 1:1: outside */
	__u8 to[16];			/* snat, dnat: the new address */
};

/* nat_state: BPF_MAP_TYPE_ARRAY, one entry */
struct nat_state {
	/* generation << 32 | number of rules, one word: a packet reads
	 * both at once */
	__u64 rules;
};

/*
 * nat_masq: BPF_MAP_TYPE_ARRAY, one entry: masquerade's addresses, those
 * of the point the cube is attached to, written by pcn whenever a
 * command touches the cube (0: none known; a new flow of a masquerade
 * rule is then dropped, counted as no_address).
 */
struct nat_masq {
	__u8 addr4[4];
	__u8 addr6[16];
};

#define NAT_RULES_GEN(r)	((__u32)((r) >> 32) & 1)
#define NAT_RULES_N(r)		((__u32)(r))

/*
 * nat_flows: BPF_MAP_TYPE_HASH, nat_key -> nat_xlate. Ports in host
 * order; ICMP echo: the id in both.
 */
struct nat_key {
	__u8 dir;			/* enum pcn_dir the packet is met in */
	__u8 family;
	__u8 proto;
	__u8 pad;
	__u16 sport;
	__u16 dport;
	__u8 src[16];
	__u8 dst[16];
};

#define NAT_X_ORIG	0x01		/* the direction that opened it */

struct nat_xlate {
	__u8 src[16];			/* the packet leaves with these */
	__u8 dst[16];
	__u16 sport;
	__u16 dport;
	__u8 kind;			/* of the rule that made it */
	__u8 flags;			/* NAT_X_* */
	__u16 pad;
	struct pcn_ct_key ct;		/* its flow in nat_ct */
};

/* nat_ct: BPF_MAP_TYPE_LRU_HASH, pcn_ct_key -> pcn_ct (bpf/ct.h) */

/* nat_stats: BPF_MAP_TYPE_PERCPU_ARRAY, per direction */
struct nat_stats {
	__u64 translated;		/* packets rewritten */
	__u64 new_flows;
	__u64 table_full;		/* a new flow found no room: dropped */
	__u64 no_port;			/* every port tried was taken: dropped */
	__u64 no_address;		/* masquerade with no address known */
	__u64 invalid;			/* opens nothing (TCP without SYN),
					 * matched a rule: dropped */
	__u64 fragments;		/* after the first: dropped */
	__u64 malformed;		/* cut short, bad headers: dropped */
	__u64 errors;			/* a rewrite failed: dropped */
	__u64 icmp_errors;		/* ICMP errors about a flow: their
					 * quotes translated */
};

#endif /* __PCN_NAT_H */
