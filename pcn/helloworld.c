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
#include "json_print.h"
#include "pcn.h"
#include "utils.h"
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

static void hw_show(struct pcn_cube *c)
{
	int ncpu = libbpf_num_possible_cpus(), fd, i;
	struct hw_stats v[ncpu > 0 ? ncpu : 1], sum;
	struct hw_config cfg;
	__u32 d;

	if (hw_read(c, &cfg))
		return;
	for (d = 0; d < 2; d++)
		print_string(PRINT_ANY, dirs[d], d ? " egress %s" : " ingress %s",
			     cfg.action[d] == HW_DROP ? "drop" : "pass");
	if (!show_stats)
		return;
	fd = cube_obj_fd(c, "hw_stats");
	if (fd < 0)
		return;
	open_json_object("stats");
	for (d = 0; d < 2; d++) {
		memset(&sum, 0, sizeof(sum));
		if (!bpf_map_lookup_elem(fd, &d, v)) {
			for (i = 0; i < ncpu; i++) {
				sum.packets += v[i].packets;
				sum.bytes += v[i].bytes;
				sum.dropped += v[i].dropped;
			}
		}
		open_json_object(dirs[d]);
		print_string(PRINT_FP, NULL, "\n    %s", dirs[d]);
		print_u64(PRINT_ANY, "packets", " %" PRIu64 " packets",
			  sum.packets);
		print_u64(PRINT_ANY, "bytes", " %" PRIu64 " bytes", sum.bytes);
		print_u64(PRINT_ANY, "dropped", ", dropped %" PRIu64,
			  sum.dropped);
		close_json_object();
	}
	close_json_object();
	close(fd);
}

const struct cube_type helloworld_type = {
	.name = "helloworld",
	.summary = "transparent: pass or drop per direction, with counters",
	.set_usage = "[ ingress { pass | drop } ] [ egress { pass | drop } ]",
	.elf_xdp = helloworld_xdp__elf_bytes,
	.elf_tc = helloworld_tc__elf_bytes,
	.max_ports = 0,
	.parse_add = hw_parse_add,
	.init = hw_init,
	.set = hw_set,
	.show = hw_show,
};
