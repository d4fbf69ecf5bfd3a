// SPDX-License-Identifier: GPL-2.0
/*
 * firewall: a transparent cube with a chain of rules per direction,
 * IPv4 and IPv6, and connection tracking.
 *
 *   pcn cube add NAME type firewall [ ingress ACTION ] [ egress ACTION ]
 *                                   [ conntrack { on | off } ]
 *   pcn cube set NAME [ ingress ACTION ] [ egress ACTION ]
 *                     [ conntrack { on | off } ]
 *   ACTION := { accept | drop }        the chain's policy, accept first
 *
 * The rules are the object "rule" (rule.c), the flows "ct" (ct.c).
 * Every change goes through a table of the chains (fw_table.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>

#include "fw.h"
#include "firewall_xdp.skel.h"
#include "firewall_tc.skel.h"

/* what "cube add" and "cube set" of a firewall take */
struct fw_config {
	__u32 policy[2];
	__u32 flags;			/* FW_NO_CT */
};

/* [ingress ACTION] [egress ACTION] [conntrack {on|off}] into @cfg */
static int parse_config(int argc, char **argv, struct fw_config *cfg)
{
	bool seen[2] = { false, false }, ct_seen = false;
	__u32 ch;
	int err;

	while (argc > 0) {
		if (is_kw(*argv, "conntrack")) {
			DUP_CHECK(ct_seen, "conntrack");
			NEXT_ARG();
			if (is_kw(*argv, "on"))
				cfg->flags &= ~FW_NO_CT;
			else if (is_kw(*argv, "off"))
				cfg->flags |= FW_NO_CT;
			else
				return pcn_err(PCN_EXIT_USAGE,
					       "conntrack \"%s\" is neither on nor off",
					       *argv);
			argc--;
			argv++;
			continue;
		}
		for (ch = 0; ch < 2 && !is_kw(*argv, fw_chain_name(ch)); ch++)
			;
		if (ch == 2)
			return pcn_unknown_kw("cube", *argv);
		DUP_CHECK(seen[ch], fw_chain_name(ch));
		NEXT_ARG();
		err = fw_action_parse(*argv, &cfg->policy[ch]);
		if (err)
			return err;
		argc--;
		argv++;
	}
	return 0;
}

static int fw_parse_add(int argc, char **argv, __u8 *config)
{
	struct fw_config cfg = { { FW_ACCEPT, FW_ACCEPT }, 0 };
	int err = parse_config(argc, argv, &cfg);

	_Static_assert(sizeof(cfg) <= PCN_TYPE_CONFIG_LEN, "config fits");
	if (!err)
		memcpy(config, &cfg, sizeof(cfg));
	return err;
}

/*
 * Generation 0 of both chains empty, with the policies: what packets
 * read. Generation 1 is built whole by the first change (an unwritten
 * set is one with no rules, no vector table and no trie entries, as
 * fw_set_write() finds it); building it here too cost a cube add half
 * its map writes, and a wait for the programs' RCU per vector table.
 */
static int fw_init(struct pcn_cube *c)
{
	struct fw_state st = {};
	struct fw_config cfg;
	__u32 set, zero = 0;
	struct fw_maps m;
	int err;

	memcpy(&cfg, c->meta.config, sizeof(cfg));
	st.flags = cfg.flags;
	err = fw_maps_open(c, &m);
	for (set = 0; !err && set < 2; set++)
		err = fw_set_write(&m, set, NULL, 0, cfg.policy[set & 1]);
	if (!err && bpf_map_update_elem(m.state, &zero, &st, BPF_ANY))
		err = -errno;
	fw_maps_close(&m);
	return err;
}

static int fw_set(struct pcn_cube *c, int argc, char **argv)
{
	struct fw_config cfg;
	struct fw_table *t;
	__u32 ch, i;
	int err;

	t = fw_table_get(c->name, true, &err);
	if (!t)
		return err;
	memcpy(cfg.policy, t->policy, sizeof(cfg.policy));
	cfg.flags = t->state.flags;
	err = parse_config(argc, argv, &cfg);
	if (err)
		return err;
	if ((cfg.flags & FW_NO_CT) && !(t->state.flags & FW_NO_CT))
		for (ch = 0; ch < 2; ch++)
			for (i = 0; i < t->n[ch]; i++)
				if (t->rules[ch][i].fields & FW_F_STATE)
					return pcn_err(PCN_EXIT_KERNEL,
						       "rule %u of chain %s of \"%s\" matches state: conntrack cannot be off",
						       i + 1, fw_chain_name(ch), t->name);
	for (ch = 0; ch < 2; ch++) {
		if (cfg.policy[ch] != t->policy[ch])
			t->dirty[ch] = true;
		t->policy[ch] = cfg.policy[ch];
	}
	if (cfg.flags != t->state.flags) {
		t->state.flags = cfg.flags;
		t->state_dirty = true;
	}
	return fw_table_done(t);
}

static void fw_show(struct pcn_cube *c)
{
	struct fw_state st = {};
	struct fw_set hdr[2] = {};
	__u32 ch, zero = 0, set;
	struct fw_maps m;

	if (fw_maps_open(c, &m) ||
	    bpf_map_lookup_elem(m.state, &zero, &st)) {
		fw_maps_close(&m);
		return;
	}
	for (ch = 0; ch < 2; ch++) {
		set = (st.gen[ch] & 1) * 2 + ch;
		bpf_map_lookup_elem(m.sets, &set, &hdr[ch]);
	}
	fw_maps_close(&m);
	/* " ingress accept (3 rules) egress drop (0 rules)" */
	for (ch = 0; ch < 2; ch++) {
		open_json_object(fw_chain_name(ch));
		print_string(PRINT_FP, NULL, " %s", fw_chain_name(ch));
		print_string(PRINT_ANY, "policy", " %s",
			     fw_action_name(hdr[ch].policy));
		print_uint(PRINT_ANY, "rules", " (%u rules)", hdr[ch].nrules);
		close_json_object();
	}
	print_string(PRINT_ANY, "conntrack", " conntrack %s",
		     st.flags & FW_NO_CT ? "off" : "on");
}

/* struct fw_stats, per chain */
static const struct pcn_counter fw_ingress[] = {
	{ "ingress", "accepted", " accepted %" PRIu64 },
	{ "ingress", "dropped", ", dropped %" PRIu64 },
	{ "ingress", "policy", ", by policy %" PRIu64 },
	{ "ingress", "malformed", ", malformed %" PRIu64 },
	{ "ingress", "fragments", ", fragments %" PRIu64 },
	{ "ingress", "rejected", ", rejected %" PRIu64 },
	{ "ingress", "logged", ", logged %" PRIu64 },
	{ "ingress", "log_lost", ", log lost %" PRIu64 },
	{ NULL, NULL, NULL },
};

static const struct pcn_counter fw_egress[] = {
	{ "egress", "accepted", " accepted %" PRIu64 },
	{ "egress", "dropped", ", dropped %" PRIu64 },
	{ "egress", "policy", ", by policy %" PRIu64 },
	{ "egress", "malformed", ", malformed %" PRIu64 },
	{ "egress", "fragments", ", fragments %" PRIu64 },
	{ "egress", "rejected", ", rejected %" PRIu64 },
	{ "egress", "logged", ", logged %" PRIu64 },
	{ "egress", "log_lost", ", log lost %" PRIu64 },
	{ NULL, NULL, NULL },
};

static const struct pcn_counters fw_counters[] = {
	{ "fw_stats", FW_INGRESS, "\n    ingress:", fw_ingress },
	{ "fw_stats", FW_EGRESS, "\n    egress:", fw_egress },
	{ NULL, 0, NULL, NULL },
};

_Static_assert(sizeof(struct fw_stats) ==
		       (ARRAY_SIZE(fw_ingress) - 1) * sizeof(__u64),
	       "a counter for every field");

/* the policies and conntrack as "cube add" takes them, then the rules */
static int fw_save(struct pcn_cube *c, struct pcn_save *s)
{
	struct fw_table *t;
	__u32 ch;
	int err;

	t = fw_table_get(c->name, false, &err);
	if (!t)
		return err;
	for (ch = 0; ch < 2; ch++)
		pcn_save_args(s, " %s %s", fw_chain_name(ch),
			      fw_action_name(t->policy[ch]));
	pcn_save_args(s, " conntrack %s",
		      t->state.flags & FW_NO_CT ? "off" : "on");
	fw_rules_save(t, s);
	fw_table_free(t);
	pcn_save_skip(s, "connection tracking");
	return 0;
}

static int fw_batch_end(bool commit, int failed_line)
{
	return fw_tables_end(commit, true, failed_line);
}

static const struct pcn_object *const fw_objects[] = {
	&rule_object, &ct_object, NULL,
};

static const struct cube_type firewall_type = {
	.name = "firewall",
	.summary = "transparent: rules per direction, IPv4 and IPv6, connection tracking",
	.order = 40,
	.add_usage = "[ ingress { accept | drop } ] [ egress { accept | drop } ] [ conntrack { on | off } ]",
	.set_usage = "[ ingress { accept | drop } ] [ egress { accept | drop } ] [ conntrack { on | off } ]",
	.elf_xdp = firewall_xdp__elf_bytes,
	.elf_tc = firewall_tc__elf_bytes,
	.max_ports = 0,
	.parse_add = fw_parse_add,
	.init = fw_init,
	.set = fw_set,
	.show = fw_show,
	.counters = fw_counters,
	.save = fw_save,
	.objects = fw_objects,
	.batch_end = fw_batch_end,
};

PCN_CUBE_TYPE(firewall_type);
