/* SPDX-License-Identifier: GPL-2.0 */
/*
 * firewall cube: what user space and the datapath share.
 *
 * Classification is a linear bit vector search (LBVS, as in
 * bpf-iptables) with a summary level. Each chain's rules are numbered
 * in priority order; for every field ("dimension") the packet's value
 * is looked up in a structure that gives a vector: one bit per rule
 * that the value matches. The first rule whose bit is set in the AND
 * of all the vectors is the match. A vector begins with a summary, one
 * bit per 64-rule word that is not zero, so the AND visits only the
 * words that every dimension has something in: the cost depends on the
 * rules a packet could match, not on how many rules there are.
 *
 * Everything derived from a chain's rules is built twice: generation
 * 0 and 1. A change builds the generation not in use, then switches
 * fw_state.gen in one write; a packet reads gen once and sees one
 * generation whole. (set = gen * 2 + chain, in the keys below.) The
 * rules of the generation in use are the chain's canonical list.
 */
#ifndef __PCN_FIREWALL_H
#define __PCN_FIREWALL_H

#include <linux/types.h>

#include "ct.h"

#define FW_RULES_MAX		16384	/* rules per chain */
#define FW_WORDS		(FW_RULES_MAX / 64)
#define FW_SUMMARY		(FW_WORDS / 64)
#define FW_SETS			4	/* 2 generations x 2 chains */
#define FW_VECS_MAX		65536	/* vectors of a set */
#define FW_IDS_MAX		(2 * FW_RULES_MAX) /* rule ids of a cube */

enum fw_chain {
	FW_INGRESS = 0,			/* = PCN_DIR_INGRESS */
	FW_EGRESS = 1,
};

enum fw_action {
	FW_ACCEPT = 0,
	FW_DROP = 1,
	FW_REJECT = 2,			/* a rule's only: drop, and answer
					 * (fw_rule.reject says how) */
	FW_LOG = 3,			/* a rule's only: an event in fw_log,
					 * and the packet goes on to the
					 * rules after (iptables' LOG) */
};

/* how a rule rejects (fw_rule.reject): a TCP RST, or an ICMP or ICMPv6
 * destination unreachable of code fw_rule.reject_code[family is 6] */
enum fw_reject_how {
	FW_REJECT_ICMP = 0,
	FW_REJECT_TCP_RESET = 1,
};

/* rule fields */
#define FW_F_SRC	0x01		/* src prefix given */
#define FW_F_DST	0x02
#define FW_F_PROTO	0x04
#define FW_F_SPORT	0x08
#define FW_F_DPORT	0x10
#define FW_F_FLAGS	0x20		/* TCP flags */
#define FW_F_STATE	0x40		/* connection tracking state */
/* sport and dport hold an ICMP or ICMPv6 type and code: the datapath
 * looks an ICMP message's type and code up in the ports' tables */
#define FW_F_ICMP	0x80
/* checked on the rule the classifier found, after it (fw_rule_post()
 * in the datapath): a rule they fail does not match, and the search
 * goes on from the rule after it */
#define FW_F_MARK	0x100		/* (skb mark & mark_mask) == mark_value */
#define FW_F_LIMIT	0x200		/* a token bucket: limit_* */
#define FW_F_POST	(FW_F_MARK | FW_F_LIMIT)
/* what a fragment after the first does not tell */
#define FW_F_L4		(FW_F_SPORT | FW_F_DPORT | FW_F_FLAGS | FW_F_STATE)

/* fw_rules: BPF_MAP_TYPE_ARRAY, set * FW_RULES_MAX + slot: the rules of
 * each set in priority order, the canonical list of the generation in
 * use; the datapath reads action and id. A rule's slot is its bit in
 * the vectors. Slots keep the rules' order but may leave gaps (a slot
 * of id FW_ID_HOLE has no rule and no bit): a rule keeps its slot while
 * others come and go around it, so a change of one rule rewrites only
 * what that rule is in (fw_set_update() in pcn/cubes/firewall). */
#define FW_ID_HOLE		0xffffffffu
struct fw_rule {
	__u32 action;			/* enum fw_action */
	__u32 id;			/* counters index, stable */
	__u16 fields;			/* FW_F_* */
	__u8 family;			/* 0: any, 4 or 6 (with addresses) */
	__u8 proto;
	__u8 src_plen;
	__u8 dst_plen;
	__u8 flags_value;		/* TCP flags: (flags & mask) == value */
	__u8 flags_mask;
	__u16 sport_lo;
	__u16 sport_hi;
	__u16 dport_lo;
	__u16 dport_hi;
	__u8 src[16];			/* IPv4 in the first 4 bytes */
	__u8 dst[16];
	__u8 state_mask;		/* bit s: enum pcn_ct_state s matches */
	__u8 reject;			/* FW_REJECT: enum fw_reject_how */
	__u8 reject_code[2];		/* its ICMP code, ICMPv6 code */
	__u8 reject_name;		/* the name it was given (pcn only) */
	__u8 cont;			/* continues the rule of the entry
					 * before (its lists: rule_list.c);
					 * pcn only */
	__u8 pad[2];
	/* FW_F_MARK (tc only: XDP has no mark) */
	__u32 mark_value;
	__u32 mark_mask;
	/* FW_F_LIMIT: limit_num packets per limit_unit seconds, bursts of
	 * limit_burst; one bucket for the rule, or per source or
	 * destination address (limit_by, hashlimit) masked to limit_plen */
	__u32 limit_num;
	__u32 limit_unit;		/* 1, 60, 3600 or 86400 */
	__u32 limit_burst;
	__u8 limit_by;			/* enum fw_limit_by */
	__u8 limit_plen;		/* of the address the bucket is by */
	/* FW_LOG: the event's prefix and level (as syslog's, 0-7) */
	__u8 log_level;
	__u8 pad2;
	char log_prefix[32];		/* NUL-terminated, at most 29 */
	/* a number of this rule's own, new with each rule: a bucket of
	 * another seed is a former rule's, of the same id (refilled) */
	__u32 limit_seed;
	/* the id whose bucket it takes from: the first entry's of the
	 * rule (one bucket for all the entries of a rule's lists) */
	__u32 limit_id;
};

enum fw_limit_by {
	FW_LIMIT_RULE = 0,		/* limit: one bucket */
	FW_LIMIT_SRC = 1,		/* hashlimit: one per source */
	FW_LIMIT_DST = 2,		/* one per destination */
	FW_LIMIT_SRCDST = 3,		/* one per pair */
};

#define FW_LOG_PREFIX_MAX	29

/* fw_limits: BPF_MAP_TYPE_ARRAY by rule id: a limit's bucket; the
 * buckets of a hashlimit are in fw_hlimits (BPF_MAP_TYPE_LRU_HASH) */
struct fw_hlimit_key {
	__u32 id;
	__u32 seed;			/* fw_rule.limit_seed */
	__u8 family;
	__u8 pad[3];
	__u8 src[16];			/* masked to limit_plen, or 0 */
	__u8 dst[16];
};
#define FW_HLIMITS_MAX		65536

/*
 * fw_log: BPF_MAP_TYPE_RINGBUF of the events of rules of action log:
 * "pcn rule log FIREWALL" reads them. An event that does not fit
 * (nobody reads) is counted in fw_stats.log_lost.
 */
#define FW_LOG_BYTES		(256 * 1024)
struct fw_log_event {
	__u64 ns;			/* CLOCK_BOOTTIME */
	__u32 id;			/* the rule's */
	__u32 ifindex;			/* where the packet is */
	__u32 len;
	__u32 mark;
	__u8 chain;			/* enum fw_chain */
	__u8 family;
	__u8 proto;
	__u8 level;
	__u8 l4;			/* ports (2) or type and code (ICMP) */
	__u8 flags;			/* TCP */
	__u16 sport;			/* or ICMP type */
	__u16 dport;			/* or ICMP code */
	__u16 pad;
	__u8 src[16];
	__u8 dst[16];
	char prefix[32];
};

/* fw_sets: BPF_MAP_TYPE_ARRAY, one per set */
struct fw_set {
	__u32 nrules;
	__u32 policy;			/* enum fw_action, with no rule matched */
	__u32 nvecs;			/* vectors 0..nvecs-1 of the set */
	__u32 flags;
	__u32 nslots;			/* slots 0..nslots-1: rules and holes */
};

/* a build of the set began and did not finish: its tables hold what
 * neither build knows, and the next one clears them whole */
#define FW_SET_PARTIAL	1

/* fw_state: BPF_MAP_TYPE_ARRAY, one entry: the generation in use per
 * chain, both switched by one write, and the firewall's flags */
struct fw_state {
	__u32 gen[2];			/* [chain]: 0 or 1 */
	__u32 flags;			/* FW_NO_CT */
	__u32 pad;
};

/* connection tracking off: no flow looked up or entered, and no rule
 * may match a state (pcn refuses them) */
#define FW_NO_CT		0x01

/*
 * fw_vecs: BPF_MAP_TYPE_ARRAY_OF_MAPS, one table per set: a
 * BPF_MAP_TYPE_ARRAY (BPF_F_INNER_MAP) indexed by vector id, made by
 * user space as large as the set needs (up to FW_VECS_MAX). The first
 * three vectors of a set stand for fields a packet does not have: every
 * rule (the ports and flags of a fragment after the first, which are
 * unknown), the rules on no port (the ports of a protocol that has
 * none), the rules on no TCP flags (the flags of anything but TCP).
 */
#define FW_VEC_ALL		0
#define FW_VEC_NO_PORTS		1
#define FW_VEC_NO_FLAGS		2

struct fw_vec {
	__u64 summary[FW_SUMMARY];	/* bit w: word w is not zero */
	__u64 bits[FW_WORDS];		/* bit r: rule r matches */
};

/*
 * fw_lpm4 / fw_lpm6: BPF_MAP_TYPE_LPM_TRIE, prefix -> handle of the
 * prefix; sel = set * 2 + (0: source, 1: dest), and prefixlen counts
 * its 8 bits. fw_handles: BPF_MAP_TYPE_ARRAY, FW_HANDLE_KEY(set, d,
 * handle) -> vector id, of the rules whose prefix holds it. A prefix's
 * handle is the id of the first rule that has it (the /0 of a family:
 * FW_HANDLE_ANY4 or 6), which the changes of other rules leave as it
 * is: a change rewrites the handles' vector ids, in one batch, and the
 * trie entries of the prefixes whose handle changed, one by one.
 */
#define FW_HANDLE_ANY4		FW_IDS_MAX
#define FW_HANDLE_ANY6		(FW_IDS_MAX + 1)
#define FW_HANDLES		(FW_IDS_MAX + 2)	/* per set and dimension */
#define FW_HANDLE_KEY(set, d, h)	(((set) * 2 + (d)) * FW_HANDLES + (h))

struct fw_lpm4_key {
	__u32 prefixlen;
	__u8 sel;
	__u8 addr[4];
};

struct fw_lpm6_key {
	__u32 prefixlen;
	__u8 sel;
	__u8 addr[16];
};

/*
 * fw_ids: BPF_MAP_TYPE_ARRAY (mmapable: user space reads and writes it
 * in place), four tables of 65536 vector ids per set, at
 * FW_IDS_KEY(set, table, value):
 *
 *   FW_T_SPORT, FW_T_DPORT  port -> vector id
 *   FW_T_SRC16, FW_T_DST16  the first level of IPv4 address lookups:
 *                           the address's first 16 bits -> the vector
 *                           id of the longest prefix of the rules that
 *                           holds that whole /16, or FW_DIR16_TRIE where
 *                           a longer prefix lies inside it and the trie
 *                           (fw_lpm4) decides
 *
 * fw_small: BPF_MAP_TYPE_ARRAY, set * 768 + (0: protocol, 1: TCP flags,
 * 2: ct state) * 256 + value -> vector id.
 */
enum fw_id_table {
	FW_T_SPORT = 0,
	FW_T_DPORT = 1,
	FW_T_SRC16 = 2,
	FW_T_DST16 = 3,
	FW_T_NUM = 4,
};
#define FW_IDS_KEY(set, table, v)	(((set) * FW_T_NUM + (table)) * 65536 + (v))
#define FW_DIR16_TRIE			0xffffffffu
#define FW_SMALL_DIMS			3

struct fw_vec_id {
	__u32 vec;
	__u32 pad;			/* an mmapable array's element is 8
					 * bytes: said, not implied */
};
#define FW_SMALL_KEY(set, d, v)		((set) * 768 + (d) * 256 + (v))

/*
 * fw_ct: BPF_MAP_TYPE_LRU_HASH of the flows (bpf/ct.h: struct
 * pcn_ct_key -> struct pcn_ct), shared by both chains.
 */
#define FW_CT_MAX		65536

/* fw_counters: BPF_MAP_TYPE_PERCPU_ARRAY by rule id */
struct fw_counter {
	__u64 packets;
	__u64 bytes;
};

/* fw_stats: BPF_MAP_TYPE_PERCPU_ARRAY, per chain */
struct fw_stats {
	__u64 accepted;			/* by a rule or the policy */
	__u64 dropped;
	__u64 policy;			/* no rule matched */
	__u64 malformed;		/* dropped before any rule: cut short,
					 * bad headers, too many extensions */
	__u64 fragments;		/* after the first: ports unknown */
	__u64 rejected;			/* dropped with an answer sent back */
	__u64 logged;			/* events of rules of action log */
	__u64 log_lost;			/* ... that fw_log had no room for */
};

#endif /* __PCN_FIREWALL_H */
