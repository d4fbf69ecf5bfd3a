// SPDX-License-Identifier: GPL-2.0
/*
 * nat: a transparent cube that translates addresses and ports (SNAT,
 * masquerade, DNAT and port forwarding, 1:1), IPv4 and IPv6.
 *
 *   pcn cube add NAME type nat [ flows N ]
 *
 * Its rules are the object "nat" (rule.c). It belongs on the outside of
 * a network, most often a router's outside port: its egress translates
 * what leaves, its ingress what comes in.
 *
 * Masquerade's address follows where the cube is attached: masq.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "nat_user.h"
#include "nat_xdp.skel.h"
#include "nat_tc.skel.h"

static const __u32 zero;

_Static_assert(sizeof(struct nat_meta) <= PCN_TYPE_CONFIG_LEN,
	       "the nat's settings fit in the cube's meta config");

static __u32 nat_flows(const __u8 *config)
{
	struct nat_meta m = {};

	if (config)
		memcpy(&m, config, sizeof(m));
	return m.flows ?: NAT_FLOWS_DEFAULT;
}

/* "[ flows N ]" */
static int nat_parse_add(int argc, char **argv, __u8 *config)
{
	struct nat_meta m = { .flows = NAT_FLOWS_DEFAULT };
	bool flows_set = false;

	while (argc > 0) {
		if (!is_kw(*argv, "flows"))
			return pcn_unknown_kw("cube", *argv);
		DUP_CHECK(flows_set, "flows");
		NEXT_ARG();
		if (pcn_parse_u32(*argv, 10, &m.flows) || !m.flows ||
		    m.flows > NAT_FLOWS_LIMIT)
			return pcn_err(PCN_EXIT_USAGE,
				       "flows \"%s\": a number from 1 to %u",
				       *argv, NAT_FLOWS_LIMIT);
		argc--;
		argv++;
	}
	memcpy(config, &m, sizeof(m));
	return 0;
}

/* The flow tables' sizes, before the object is loaded. */
static int nat_prepare(struct bpf_object *obj, const __u8 *config)
{
	__u32 n = 2 * nat_flows(config);
	struct bpf_map *flows, *ct;
	int err;

	flows = bpf_object__find_map_by_name(obj, "nat_flows");
	ct = bpf_object__find_map_by_name(obj, "nat_ct");
	if (!flows || !ct)
		return -ENOENT;
	err = bpf_map__set_max_entries(flows, n);
	return err ?: bpf_map__set_max_entries(ct, n);
}

static int nat_init(struct pcn_cube *c)
{
	struct nat_state st = {};
	struct nat_masq m = {};
	__u64 now = 0;
	int err;

	err = cube_map_put(c, "nat_state", &zero, &st);
	if (!err)
		err = cube_map_put(c, "nat_masq", &zero, &m);
	if (!err)
		err = cube_map_put(c, "nat_gc", &zero, &now);
	return err;
}

static void nat_show(struct pcn_cube *c)
{
	struct nat_rule rules[NAT_RULES_MAX];
	char a[INET6_ADDRSTRLEN];
	struct nat_masq m;
	__u32 n = 0;

	nat_rules_read(c, rules, &n);
	print_uint(PRINT_ANY, "flows", " flows %u", nat_flows(c->meta.config));
	print_uint(PRINT_ANY, "rules", " rules %u", n);
	if (nat_masq_refresh(c, &m))
		return;
	if (*(__u32 *)m.addr4)
		print_string(PRINT_ANY, "masquerade", " masquerade %s",
			     inet_ntop(AF_INET, m.addr4, a, sizeof(a)));
	if (m.addr6[0])
		print_string(PRINT_ANY, "masquerade6", " masquerade6 %s",
			     inet_ntop(AF_INET6, m.addr6, a, sizeof(a)));
}

/* struct nat_stats, per direction */
#define NAT_COUNTERS(dir)                                                  \
	{ dir, "translated", " translated %" PRIu64 },                      \
	{ dir, "new_flows", ", new flows %" PRIu64 },                       \
	{ dir, "table_full", ", table full %" PRIu64 },                     \
	{ dir, "no_port", ", no port %" PRIu64 },                           \
	{ dir, "no_address", ", no address %" PRIu64 },                     \
	{ dir, "invalid", ", invalid %" PRIu64 },                           \
	{ dir, "fragments", ", fragments %" PRIu64 },                       \
	{ dir, "malformed", ", malformed %" PRIu64 },                       \
	{ dir, "errors", ", errors %" PRIu64 },                             \
	{ dir, "icmp_errors", ", icmp errors %" PRIu64 },                   \
	{ NULL, NULL, NULL }

static const struct pcn_counter nat_ingress[] = { NAT_COUNTERS("ingress") };
static const struct pcn_counter nat_egress[] = { NAT_COUNTERS("egress") };

static const struct pcn_counters nat_counters[] = {
	{ "nat_stats", PCN_DIR_INGRESS, "\n    ingress:", nat_ingress },
	{ "nat_stats", PCN_DIR_EGRESS, "\n    egress:", nat_egress },
	{ NULL, 0, NULL, NULL },
};

_Static_assert(sizeof(struct nat_stats) ==
		       (ARRAY_SIZE(nat_ingress) - 1) * sizeof(__u64),
	       "a counter for every field");

/* the rules, in order, as "nat add" lines */
static int nat_save(struct pcn_cube *c, struct pcn_save *s)
{
	struct nat_rule rules[NAT_RULES_MAX];
	char buf[256];
	__u32 n, i;
	int err;

	pcn_save_args(s, " flows %u", nat_flows(c->meta.config));
	err = nat_rules_read(c, rules, &n);
	if (err)
		return pcn_err_kernel(err, "cannot read the rules of \"%s\"",
				      c->name);
	for (i = 0; i < n; i++)
		pcn_save_line(s, "nat add %s %s", c->name,
			      nat_rule_str(&rules[i], buf, sizeof(buf)));
	pcn_save_skip(s, "NAT translations");
	return 0;
}

static const struct pcn_object *const nat_objects[] = {
	&nat_object, NULL,
};

static const struct cube_type nat_type = {
	.name = "nat",
	.summary = "transparent: SNAT, masquerade, DNAT, 1:1, IPv4 and IPv6",
	.order = 50,
	.elf_xdp = nat_xdp__elf_bytes,
	.elf_tc = nat_tc__elf_bytes,
	.max_ports = 0,
	.add_usage = "[ flows N ]",
	.parse_add = nat_parse_add,
	.prepare = nat_prepare,
	.init = nat_init,
	.show = nat_show,
	.counters = nat_counters,
	.save = nat_save,
	.objects = nat_objects,
};

PCN_CUBE_TYPE(nat_type);
