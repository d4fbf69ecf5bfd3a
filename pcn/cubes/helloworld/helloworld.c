// SPDX-License-Identifier: GPL-2.0
/*
 * helloworld: a transparent cube that passes or drops, per direction.
 *
 *   pcn cube add NAME type helloworld [ ingress ACTION ] [ egress ACTION ]
 *   pcn cube set NAME [ ingress ACTION ] [ egress ACTION ]
 *   ACTION := { pass | drop }			(both pass by default)
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "helloworld.h"
#include "pcn.h"
#include "helloworld_xdp.skel.h"
#include "helloworld_tc.skel.h"

static const char *const dirs[] = { "ingress", "egress" };

/* "ingress ACTION egress ACTION" into @cfg, each at most once */
static int parse_actions(int argc, char **argv, struct hw_config *cfg)
{
	bool seen[2] = { false, false };
	int d;

	while (argc > 0) {
		for (d = 0; d < 2; d++)
			if (is_kw(*argv, dirs[d]))
				break;
		if (d == 2)
			return pcn_unknown_kw("cube", *argv);
		DUP_CHECK(seen[d], dirs[d]);
		NEXT_ARG();
		if (is_kw(*argv, "pass"))
			cfg->action[d] = HW_PASS;
		else if (is_kw(*argv, "drop"))
			cfg->action[d] = HW_DROP;
		else
			return pcn_err(PCN_EXIT_USAGE,
				       "action \"%s\" is unknown: pass or drop",
				       *argv);
		argc--;
		argv++;
	}
	return 0;
}

static int hw_parse_add(int argc, char **argv, __u8 *config)
{
	struct hw_config cfg = {};
	int err = parse_actions(argc, argv, &cfg);

	if (!err)
		memcpy(config, &cfg, sizeof(cfg));
	return err;
}

static const __u32 zero;

static int hw_init(struct pcn_cube *c)
{
	struct hw_config cfg;

	memcpy(&cfg, c->meta.config, sizeof(cfg));
	return cube_map_put(c, "hw_config", &zero, &cfg);
}

static int hw_read(struct pcn_cube *c, struct hw_config *cfg)
{
	return cube_map_get(c, "hw_config", &zero, cfg);
}

static int hw_set(struct pcn_cube *c, int argc, char **argv)
{
	struct hw_config cfg;
	int err;

	err = hw_read(c, &cfg);
	if (err)
		return pcn_err_kernel(err, "cannot read cube \"%s\"", c->name);
	err = parse_actions(argc, argv, &cfg);
	if (err)
		return err;
	/* one map update: a packet sees the old actions or the new ones */
	err = cube_map_put(c, "hw_config", &zero, &cfg);
	if (!err) {
		memcpy(c->meta.config, &cfg, sizeof(cfg));
		err = cube_meta_write(c);
	}
	return err ? pcn_err_kernel(err, "cannot set cube \"%s\"", c->name) : 0;
}

static const char *action_name(const struct hw_config *cfg, __u32 d)
{
	return cfg->action[d] == HW_DROP ? "drop" : "pass";
}

static void hw_show(struct pcn_cube *c)
{
	struct hw_config cfg;
	__u32 d;

	if (hw_read(c, &cfg))
		return;
	for (d = 0; d < 2; d++)
		print_string(PRINT_ANY, dirs[d], d ? " egress %s" : " ingress %s",
			     action_name(&cfg, d));
}

/* "cube add" takes both actions */
static int hw_save(struct pcn_cube *c, struct pcn_save *s)
{
	struct hw_config cfg;
	int err = hw_read(c, &cfg);

	if (err)
		return pcn_err_kernel(err, "cannot read cube \"%s\"", c->name);
	pcn_save_args(s, " ingress %s egress %s", action_name(&cfg, 0),
		      action_name(&cfg, 1));
	return 0;
}

/* struct hw_stats, per direction */
static const struct pcn_counter hw_ingress[] = {
	{ "ingress", "packets", " %" PRIu64 " packets" },
	{ "ingress", "bytes", " %" PRIu64 " bytes" },
	{ "ingress", "dropped", ", dropped %" PRIu64 },
	{ NULL, NULL, NULL },
};

static const struct pcn_counter hw_egress[] = {
	{ "egress", "packets", " %" PRIu64 " packets" },
	{ "egress", "bytes", " %" PRIu64 " bytes" },
	{ "egress", "dropped", ", dropped %" PRIu64 },
	{ NULL, NULL, NULL },
};

static const struct pcn_counters hw_counters[] = {
	{ "hw_stats", PCN_DIR_INGRESS, "\n    ingress", hw_ingress },
	{ "hw_stats", PCN_DIR_EGRESS, "\n    egress", hw_egress },
	{ NULL, 0, NULL, NULL },
};

_Static_assert(sizeof(struct hw_stats) ==
		       (ARRAY_SIZE(hw_ingress) - 1) * sizeof(__u64),
	       "a counter for every field");

static const struct cube_type helloworld_type = {
	.name = "helloworld",
	.summary = "transparent: pass or drop per direction, with counters",
	.order = 90,
	.add_usage = "[ ingress { pass | drop } ] [ egress { pass | drop } ]",
	.set_usage = "[ ingress { pass | drop } ] [ egress { pass | drop } ]",
	.elf_xdp = helloworld_xdp__elf_bytes,
	.elf_tc = helloworld_tc__elf_bytes,
	.max_ports = 0,
	.parse_add = hw_parse_add,
	.init = hw_init,
	.set = hw_set,
	.show = hw_show,
	.counters = hw_counters,
	.save = hw_save,
};

PCN_CUBE_TYPE(helloworld_type);
