/* SPDX-License-Identifier: GPL-2.0 */
/* The firewall's user space: firewall.c, rule.c, fw_build.c. */
#ifndef __PCN_FW_H
#define __PCN_FW_H

#include <stdbool.h>
#include "firewall.h"
#include "pcn.h"

/* the objects of the firewall: rule, ct */
extern const struct pcn_object rule_object, ct_object;

/* the batch ends: commit every firewall changed (or drop the changes,
 * saying of each line that made one that line @failed_line failed, or
 * nothing if it is 0);
 * @spare: and bring the generations left up to date (see firewall.c) */
int fw_tables_end(bool commit, bool spare, int failed_line);

/* fds of a firewall cube's maps */
struct fw_maps {
	int state;
	int sets;
	int rules;
	int vecs;
	int lpm4;
	int lpm6;
	int handles;
	int ids;
	int small;
	int counters;
};
/* Open / close them all. 0 or -errno. */
int fw_maps_open(struct pcn_cube *c, struct fw_maps *m);
void fw_maps_close(struct fw_maps *m);
/*
 * Build set @set (generation * 2 + chain) from @rules (@n slots: the
 * rules in priority order, holes between them, see fw_rules in
 * firewall.h) and @policy, in place of what it held. -E2BIG: too many
 * rules, or too many distinct values.
 */
int fw_set_write(const struct fw_maps *m, __u32 set,
		 const struct fw_rule *rules, __u32 n, __u32 policy);
/* The same, rewriting only what the slots that differ from those the
 * set holds are in; fw_set_write() where it cannot. */
int fw_set_update(const struct fw_maps *m, __u32 set,
		  const struct fw_rule *rules, __u32 n, __u32 policy);
/*
 * Slots for @n @rules (priority order) into @out (room for
 * FW_RULES_MAX), where the set in use has @old (@nold slots): a rule of
 * the same id keeps its slot where the order allows, the others take
 * free slots between their neighbours (or, if that moves too many, all
 * are laid out anew, with gaps). The number of slots, or -errno.
 */
int fw_layout(const struct fw_rule *old, __u32 nold,
	      const struct fw_rule *rules, __u32 n, struct fw_rule *out);
/* the @n slots of set @set */
int fw_rules_read(const struct fw_maps *m, __u32 set, struct fw_rule *rules,
		  __u32 n);
/* fw_table.c: a firewall's chains, changed in memory, then committed */
struct fw_table {
	struct fw_table *next;		/* staged in a batch */
	char name[PCN_NAME_LEN];
	struct fw_state state;		/* as read, or last committed */
	struct fw_rule *rules[2];	/* [chain], FW_RULES_MAX each */
	__u32 n[2];
	struct fw_rule *slots[2];	/* [chain]: the set in use's slots */
	__u32 nslots[2];
	__u32 policy[2];
	bool dirty[2];
	bool state_dirty;		/* flags changed */
	__u32 map_id;			/* fw_rules as read: the same cube */
	__u8 fresh[FW_IDS_MAX];		/* ids of new rules: counters to zero */
	__u8 used[FW_IDS_MAX];		/* ids taken, as of the last scan */
	__u32 id_next;			/* where fw_table_new_id() goes on */
	bool ids_known;			/* used[] scanned */
	int *lines;			/* batch lines whose changes it holds */
	int nlines, cap;
};
struct fw_table *fw_table_get(const char *name, bool change, int *err);
void fw_table_free(struct fw_table *t);
__u32 fw_table_new_id(struct fw_table *t);
/* commit @t now, or at the end of the batch */
int fw_table_done(struct fw_table *t);
const char *fw_chain_name(__u32 c);
const char *fw_action_name(__u32 a);
int fw_chain_parse(const char *arg, __u32 *c);
int fw_action_parse(const char *arg, __u32 *a);
/* rule.c: the "rule append" lines of @t's rules, for pcn save */
void fw_rules_save(const struct fw_table *t, struct pcn_save *s);
/* import.c: pcn rule import FIREWALL ... (argv[0] is FIREWALL) */
int fw_import_cmd(int argc, char **argv);
/* ICMP (@proto 1) or ICMPv6 (58) type or code @arg: a number, or a
 * type's name as iptables has it. 0, -EINVAL or -ERANGE. */
int fw_icmp_parse(const char *arg, __u8 proto, __u8 *val);
/* Are @r's fields consistent (ports with tcp or udp, ...)? 0 or prints
 * an error and returns PCN_EXIT_USAGE. */
int fw_rule_check(const struct fw_rule *r);
/* reject.c: "with NAME" of action reject into @r (-EINVAL: no such
 * name); @r's name; its name in iptables-save of @family (NULL: none);
 * are @r's reject fields consistent (0, or prints an error and returns
 * PCN_EXIT_USAGE)? */
int fw_reject_parse(const char *arg, struct fw_rule *r);
const char *fw_reject_name(const struct fw_rule *r);
const char *fw_reject_ipt_name(const struct fw_rule *r, int family);
int fw_reject_check(const struct fw_rule *r);
/* Can @r be in @t? (a rule on state needs connection tracking) */
int fw_rule_fits(const struct fw_table *t, const struct fw_rule *r);

/* rule_list.c: a rule's lists of addresses and ports, as entries */
#define FW_LIST_MAX	64		/* prefixes or ranges of a list */
#define FW_ENTRIES_MAX	1024		/* entries of one rule */
struct fw_alist {
	struct { __u8 a[16]; __u8 plen; } p[FW_LIST_MAX];
	int n;
};
struct fw_prange {
	__u16 lo, hi;
};
struct fw_plist {
	struct fw_prange r[FW_LIST_MAX];
	int n;
};
struct fw_lists {
	struct fw_alist addr[2];	/* [0 src, 1 dst]; n 0: as the rule */
	struct fw_plist port[2];	/* [0 sport, 1 dport] */
};
/* "ITEM[,ITEM...]", ITEM := PREFIX | ADDR-ADDR, of family *@family (0:
 * any, set to the list's), canonical. 0, -EINVAL, -EXDEV (two
 * families), -ERANGE (a range backwards), -E2BIG. */
int fw_addr_list_parse(const char *arg, int *family, struct fw_alist *l);
/* "PORTS[,PORTS...]", canonical. 0, -EINVAL or -E2BIG. */
int fw_port_list_parse(const char *arg, struct fw_plist *l);
/* the entries of @base with lists @ls into @out (at most @max): how
 * many, or -E2BIG */
int fw_rule_expand(const struct fw_rule *base, const struct fw_lists *ls,
		   struct fw_rule *out, int max);
/* entries of the rule at entry @pos; rules in @n entries; the entry of
 * rule @g (0-based; the count: @n) */
__u32 fw_group_len(const struct fw_rule *rules, __u32 n, __u32 pos);
__u32 fw_group_count(const struct fw_rule *rules, __u32 n);
__u32 fw_group_pos(const struct fw_rule *rules, __u32 n, __u32 g);
/* a rule's (@g, @n entries) list of addresses or ports @d (1: dst) */
void fw_group_addr_str(const struct fw_rule *g, __u32 n, int d, char *buf,
		       size_t size);
void fw_group_port_str(const struct fw_rule *g, __u32 n, int d, char *buf,
		       size_t size);

/* rule_match.c: mark, limit, hashlimit, action log */
#define FW_RATE_MAX	1000000		/* packets per unit */
#define FW_BURST_MAX	10000
#define FW_LOG_RATE	10		/* a log rule without a limit: */
#define FW_LOG_BURST	20		/* at most 10 a second, 20 at once */
/* "N[/UNIT]", UNIT := second, minute, hour, day (or iptables' sec, min,
 * s, m, h, d): 0 or -EINVAL */
int fw_rate_parse(const char *arg, __u32 *num, __u32 *unit);
const char *fw_rate_str(const struct fw_rule *r, char *buf, size_t size);
int fw_log_level_parse(const char *arg, __u8 *level);
const char *fw_log_level_name(__u8 level);
/* 0, -E2BIG or -EINVAL (a quote, a backslash, not printable) */
int fw_log_prefix_set(const char *arg, struct fw_rule *r);
/* "V[/M]" into @r (FW_F_MARK): 0 or -EINVAL */
int fw_mark_parse(const char *arg, struct fw_rule *r);
const char *fw_mark_str(const struct fw_rule *r, char *buf, size_t size);
/* a log rule without a limit gets FW_LOG_RATE/second burst FW_LOG_BURST */
void fw_log_default_limit(struct fw_rule *r);
/* can firewall @fw run @r? (mark: tc only) 0 or prints an error */
int fw_rule_mode_check(const char *fw, const struct fw_rule *r);
/* a new fw_rule.limit_seed for @r, if it has a limit */
void fw_limit_seed(struct fw_rule *r);
/* rule_log.c: pcn rule log FIREWALL [ follow ] */
int fw_rule_log_cmd(int argc, char **argv);

#endif /* __PCN_FW_H */
