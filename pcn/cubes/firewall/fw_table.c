// SPDX-License-Identifier: GPL-2.0
/*
 * A firewall's chains as a table (struct fw_table): read from the
 * kernel, changed in memory by the commands, then committed: each
 * changed chain is built into its generation not in use (fw_build.c)
 * and one write of fw_state switches them all. In a -batch, the tables
 * of every firewall changed are committed when the batch ends, if no
 * line failed: a batch of rule changes applies whole or not at all.
 */
#include <errno.h>
#include <netinet/in.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "fw.h"

static const char *const chains[] = { "ingress", "egress" };
static const char *const actions[] = { "accept", "drop", "reject" };

const char *fw_chain_name(__u32 c)
{
	return chains[c & 1];
}

const char *fw_action_name(__u32 a)
{
	return a < ARRAY_SIZE(actions) ? actions[a] : "?";
}

int fw_chain_parse(const char *arg, __u32 *c)
{
	for (*c = 0; *c < 2; (*c)++)
		if (is_kw(arg, chains[*c]))
			return 0;
	return pcn_err(PCN_EXIT_USAGE, "chain \"%s\" is unknown: ingress or egress",
		       arg);
}

int fw_action_parse(const char *arg, __u32 *a)
{
	/* a policy: accept or drop (reject is a rule's) */
	for (*a = 0; *a <= FW_DROP; (*a)++)
		if (is_kw(arg, actions[*a]))
			return 0;
	return pcn_err(PCN_EXIT_USAGE, "action \"%s\" is unknown: accept or drop",
		       arg);
}

/* The part of meta.config the firewall keeps: nothing the maps lack. */

int fw_maps_open(struct pcn_cube *c, struct fw_maps *m)
{
	static const char *const files[] = { "fw_state", "fw_sets", "fw_rules",
					     "fw_vecs", "fw_lpm4", "fw_lpm6",
					     "fw_handles", "fw_ids", "fw_small",
					     "fw_counters" };
	int *fds = (int *)m;
	size_t i;

	_Static_assert(sizeof(*m) == ARRAY_SIZE(files) * sizeof(int),
		       "one fd per map");
	for (i = 0; i < ARRAY_SIZE(files); i++)
		fds[i] = -1;
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		fds[i] = cube_obj_fd(c, files[i]);
		if (fds[i] < 0)
			return -errno;
	}
	return 0;
}

void fw_maps_close(struct fw_maps *m)
{
	int *fds = (int *)m;
	size_t i;

	for (i = 0; i < sizeof(*m) / sizeof(int); i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

static struct fw_table *staged;

void fw_table_free(struct fw_table *t)
{
	if (!t)
		return;
	free(t->rules[0]);
	free(t->rules[1]);
	free(t->slots[0]);
	free(t->slots[1]);
	free(t->lines);
	free(t);
}

static int table_read(struct pcn_cube *c, struct fw_table *t)
{
	struct fw_maps m;
	__u32 zero = 0, ch, i;
	int err;

	err = fw_maps_open(c, &m);
	if (!err && bpf_map_lookup_elem(m.state, &zero, &t->state))
		err = -errno;
	t->map_id = err ? 0 : map_fd_id(m.rules);
	for (ch = 0; !err && ch < 2; ch++) {
		__u32 set = (t->state.gen[ch] & 1) * 2 + ch;
		struct fw_set hdr;

		if (bpf_map_lookup_elem(m.sets, &set, &hdr)) {
			err = -errno;
			break;
		}
		t->nslots[ch] = hdr.nslots <= FW_RULES_MAX ? hdr.nslots : 0;
		t->policy[ch] = hdr.policy;
		err = fw_rules_read(&m, set, t->slots[ch], t->nslots[ch]);
		/* the rules, without the holes between them */
		t->n[ch] = 0;
		for (i = 0; !err && i < t->nslots[ch]; i++)
			if (t->slots[ch][i].id != FW_ID_HOLE)
				t->rules[ch][t->n[ch]++] = t->slots[ch][i];
	}
	fw_maps_close(&m);
	return err;
}

/*
 * The table of firewall @name as the kernel has it: to change (@change:
 * the write lock; the table is staged, and a table staged already in
 * this batch is the one returned) or to read (free it with
 * fw_table_free()).
 */
struct fw_table *fw_table_get(const char *name, bool change, int *err)
{
	struct fw_table *t;
	struct pcn_cube c;

	for (t = staged; change && t; t = t->next)
		if (!strcmp(t->name, name))
			return t;
	*err = cube_open_type(name, "firewall", &c, change);
	if (*err)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (t) {
		t->rules[0] = calloc(FW_RULES_MAX, sizeof(struct fw_rule));
		t->rules[1] = calloc(FW_RULES_MAX, sizeof(struct fw_rule));
		t->slots[0] = calloc(FW_RULES_MAX, sizeof(struct fw_rule));
		t->slots[1] = calloc(FW_RULES_MAX, sizeof(struct fw_rule));
	}
	if (!t || !t->rules[0] || !t->rules[1] || !t->slots[0] ||
	    !t->slots[1]) {
		*err = pcn_err_kernel(-ENOMEM, "cannot read firewall \"%s\"",
				      name);
		goto fail;
	}
	name_copy(t->name, name);
	*err = table_read(&c, t);
	if (*err) {
		*err = pcn_err_kernel(*err, "cannot read firewall \"%s\"", name);
		goto fail;
	}
	cube_close(&c);
	if (change) {
		t->next = staged;
		staged = t;
	}
	return t;
fail:
	cube_close(&c);
	fw_table_free(t);
	return NULL;
}

/* The ids @t's rules have, and those it gave out: in @t->used. */
static void ids_scan(struct fw_table *t)
{
	__u32 ch, i;

	memcpy(t->used, t->fresh, sizeof(t->used));
	for (ch = 0; ch < 2; ch++)
		for (i = 0; i < t->n[ch]; i++)
			t->used[t->rules[ch][i].id % FW_IDS_MAX] = 1;
	t->id_next = 0;
	t->ids_known = true;
}

/*
 * A rule id no rule of @t has; its counters start from zero. The ids
 * freed since the last scan are found again only when none is left
 * after it: a batch of N appends costs O(N + FW_IDS_MAX), not O(N x
 * FW_IDS_MAX).
 */
__u32 fw_table_new_id(struct fw_table *t)
{
	int pass;

	for (pass = 0; pass < 2; pass++) {
		if (!t->ids_known || pass)
			ids_scan(t);
		for (; t->id_next < FW_IDS_MAX; t->id_next++)
			if (!t->used[t->id_next]) {
				t->used[t->id_next] = 1;
				t->fresh[t->id_next] = 1;
				return t->id_next++;
			}
	}
	return 0;		/* cannot be: FW_IDS_MAX covers both chains */
}

/*
 * Switch @t's changed chains to new generations. With @spare (the end
 * of a batch), then also rebuild the generations just left with the
 * same rules: a batch can change many rules, and the next single change
 * then writes only its own difference, not the batch's again.
 */
static int table_commit(struct fw_table *t, bool spare)
{
	struct fw_state next = t->state;
	bool changed[2] = { t->dirty[0], t->dirty[1] };
	struct fw_rule *out[2] = {};
	int nout[2] = {};
	struct pcn_cube c;
	struct fw_maps m;
	__u32 ch, zero = 0, i;
	int err;

	err = cube_open_type(t->name, "firewall", &c, true);
	if (err)
		return err;
	err = fw_maps_open(&c, &m);
	if (!err && map_fd_id(m.rules) != t->map_id) {
		fw_maps_close(&m);
		cube_close(&c);
		return pcn_err(PCN_EXIT_KERNEL,
			       "firewall \"%s\" was deleted during the batch: its rule changes are not applied",
			       t->name);
	}
	for (ch = 0; !err && ch < 2; ch++) {
		int ncpu = libbpf_num_possible_cpus();
		struct fw_counter zeros[ncpu > 0 ? ncpu : 1];

		if (!t->dirty[ch])
			continue;
		next.gen[ch] = !(t->state.gen[ch] & 1);
		/* rules keep their slots: only what changed is written */
		out[ch] = malloc(FW_RULES_MAX * sizeof(*out[ch]));
		nout[ch] = out[ch] ? fw_layout(t->slots[ch], t->nslots[ch],
					       t->rules[ch], t->n[ch],
					       out[ch]) : -ENOMEM;
		err = nout[ch] < 0 ? nout[ch] :
		      fw_set_update(&m, next.gen[ch] * 2 + ch, out[ch],
				    nout[ch], t->policy[ch]);
		/* new rules start from zero */
		memset(zeros, 0, sizeof(zeros));
		for (i = 0; !err && i < t->n[ch]; i++) {
			__u32 id = t->rules[ch][i].id % FW_IDS_MAX;

			if (!t->fresh[id])
				continue;
			if (bpf_map_update_elem(m.counters, &id, zeros, BPF_ANY))
				err = -errno;
			t->fresh[id] = 0;
		}
	}
	/* the switch: one write, every chain changed at once */
	if (!err && bpf_map_update_elem(m.state, &zero, &next, BPF_ANY))
		err = -errno;
	if (!err) {
		t->state = next;
		t->dirty[0] = t->dirty[1] = t->state_dirty = false;
		for (ch = 0; ch < 2; ch++) {
			if (!out[ch])
				continue;
			memcpy(t->slots[ch], out[ch],
			       nout[ch] * sizeof(*out[ch]));
			t->nslots[ch] = nout[ch];
		}
		map_readers_wait();
	}
	/* no packet is in the generations left: a failure here leaves one
	 * marked partial, which the next change builds whole */
	for (ch = 0; !err && spare && ch < 2; ch++)
		if (changed[ch] && out[ch])
			fw_set_update(&m, !(next.gen[ch] & 1) * 2 + ch,
				      out[ch], nout[ch], t->policy[ch]);
	free(out[0]);
	free(out[1]);
	fw_maps_close(&m);
	cube_close(&c);
	if (err == -E2BIG)
		return pcn_err(PCN_EXIT_KERNEL,
			       "firewall \"%s\": too many rules or distinct values for its tables",
			       t->name);
	return err ? pcn_err_kernel(err, "cannot change firewall \"%s\"",
				    t->name) : 0;
}

/* Outside a batch, a change is committed at once. */
int fw_table_done(struct fw_table *t)
{
	int *l;

	if (!batch_line)
		return fw_tables_end(true, false, 0);
	/* which lines it holds, to say so if they are dropped */
	if (t->nlines && t->lines[t->nlines - 1] == batch_line)
		return 0;
	if (t->nlines == t->cap) {
		l = realloc(t->lines, (t->cap ? 2 * t->cap : 64) * sizeof(*l));
		if (!l)
			return pcn_err_kernel(-ENOMEM, "cannot stage the change");
		t->lines = l;
		t->cap = t->cap ? 2 * t->cap : 64;
	}
	t->lines[t->nlines++] = batch_line;
	return 0;
}

static bool table_dirty(const struct fw_table *t)
{
	return t->dirty[0] || t->dirty[1] || t->state_dirty;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/*
 * One error for each batch line whose changes to @only (NULL: to any
 * firewall staged) are dropped, in the order of the file, saying why;
 * a run of such lines, one after the other, as FIRST-LAST.
 */
static void lines_dropped(const struct fw_table *only, int failed_line)
{
	const struct fw_table *t;
	int i, j, n = 0, *all, saved = batch_line, saved_end = batch_line_end;

	for (t = only ?: staged; t; t = only ? NULL : t->next)
		n += table_dirty(t) ? t->nlines : 0;
	all = calloc(n ? n : 1, sizeof(*all));
	if (!all)
		return;
	n = 0;
	for (t = only ?: staged; t; t = only ? NULL : t->next)
		for (i = 0; table_dirty(t) && i < t->nlines; i++)
			all[n++] = t->lines[i];
	qsort(all, n, sizeof(*all), cmp_int);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && all[j] == all[j - 1] + 1; j++)
			;
		batch_line = all[i];
		batch_line_end = all[j - 1];
		if (only)
			pcn_err(PCN_EXIT_KERNEL,
				"not applied: firewall \"%s\" refused the batch's changes",
				only->name);
		else
			pcn_err(PCN_EXIT_KERNEL,
				"not applied: the rule changes of a batch are made only if no line fails, and line %d failed",
				failed_line);
	}
	batch_line = saved;
	batch_line_end = saved_end;
	free(all);
}

int fw_tables_end(bool commit, bool spare, int failed_line)
{
	struct fw_table *t;
	int err = 0, e;

	/* no line to name: the whole batch is undone (restore) */
	if (!commit && failed_line)
		lines_dropped(NULL, failed_line);
	while ((t = staged)) {
		staged = t->next;
		if (commit && table_dirty(t)) {
			e = table_commit(t, spare);
			if (e)
				lines_dropped(t, 0);
			err = err ?: e;
		}
		fw_table_free(t);
	}
	return err;
}

int fw_rule_fits(const struct fw_table *t, const struct fw_rule *r)
{
	if ((r->fields & FW_F_STATE) && (t->state.flags & FW_NO_CT))
		return pcn_err(PCN_EXIT_KERNEL,
			       "firewall \"%s\" does not track connections: a rule on state needs conntrack on",
			       t->name);
	return 0;
}

struct icmp_name {
	const char *name;
	__u8 type;
	__u8 v6;
};

/* the ICMP and ICMPv6 types iptables names (man iptables-extensions) */
static const struct icmp_name icmp_names[] = {
	{ "echo-reply", 0, 0 }, { "destination-unreachable", 3, 0 },
	{ "source-quench", 4, 0 }, { "redirect", 5, 0 },
	{ "echo-request", 8, 0 }, { "router-advertisement", 9, 0 },
	{ "router-solicitation", 10, 0 }, { "time-exceeded", 11, 0 },
	{ "parameter-problem", 12, 0 }, { "timestamp-request", 13, 0 },
	{ "timestamp-reply", 14, 0 },
	{ "destination-unreachable", 1, 1 }, { "packet-too-big", 2, 1 },
	{ "time-exceeded", 3, 1 }, { "parameter-problem", 4, 1 },
	{ "echo-request", 128, 1 }, { "echo-reply", 129, 1 },
	{ "router-solicitation", 133, 1 }, { "router-advertisement", 134, 1 },
	{ "neighbour-solicitation", 135, 1 },
	{ "neighbor-solicitation", 135, 1 },
	{ "neighbour-advertisement", 136, 1 },
	{ "neighbor-advertisement", 136, 1 }, { "redirect", 137, 1 },
};

int fw_icmp_parse(const char *arg, __u8 proto, __u8 *val)
{
	__u32 v, i;

	if (!pcn_parse_u32(arg, 10, &v)) {
		if (v > 255)
			return -ERANGE;
		*val = v;
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(icmp_names); i++)
		if (icmp_names[i].v6 == (proto == IPPROTO_ICMPV6) &&
		    !strcmp(arg, icmp_names[i].name)) {
			*val = icmp_names[i].type;
			return 0;
		}
	return -EINVAL;
}

int fw_rule_check(const struct fw_rule *r)
{
	bool icmp = (r->fields & FW_F_PROTO) &&
		    (r->proto == 1 || r->proto == IPPROTO_ICMPV6);

	if (r->fields & FW_F_ICMP) {
		if (!icmp)
			return pcn_err(PCN_EXIT_USAGE,
				       "icmp-type needs proto icmp or icmpv6");
		if (!(r->fields & FW_F_SPORT))
			return pcn_err(PCN_EXIT_USAGE, "icmp-code needs icmp-type");
		return fw_reject_check(r);
	}
	/* ports and flags belong to a protocol that has them */
	if ((r->fields & (FW_F_SPORT | FW_F_DPORT)) &&
	    (!(r->fields & FW_F_PROTO) || (r->proto != 6 && r->proto != 17)))
		return pcn_err(PCN_EXIT_USAGE, "sport and dport need proto tcp or udp");
	if ((r->fields & FW_F_FLAGS) &&
	    (!(r->fields & FW_F_PROTO) || r->proto != 6))
		return pcn_err(PCN_EXIT_USAGE, "tcp-flags needs proto tcp");
	return fw_reject_check(r);
}
