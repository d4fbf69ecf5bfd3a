// SPDX-License-Identifier: GPL-2.0
/* Finish or undo the mutations of killed pcn runs (see sweep.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "attach.h"
#include "bpffs.h"
#include "pcn.h"
#include "sweep.h"
#include "utils.h"

static bool link_pinned(const struct pcn_intent *in)
{
	char path[PATH_MAX];

	pcn_ns_path(path, sizeof(path), "cubes/%s/link_%s", in->cube,
		    in->port_name);
	return pcn_path_exists(path);
}

/*
 * A link add or del stopped before (add) or after (del) its commit point,
 * the link pin: the port must go. A clsact filter has no link to die
 * with the process, so remove pcn's filter from the interface too.
 */
static void port_undo(const struct pcn_intent *in)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	struct pcn_cube c;
	int idx;

	if (in->mode == PCN_MODE_TC && in->ifindex)
		port_detach_nolink(PCN_ATTACH_CLSACT, in->ifindex);
	if (cube_open(in->cube, &c))
		return;
	if (!cube_ports_read(&c, ports)) {
		idx = cube_port_find(ports, PCN_MAX_PORTS, in->port_name);
		if (idx >= 0 && (__u32)idx == in->port)
			port_remove(&c, idx);
	}
	cube_close(&c);
}

static bool cube_owns_slot(const struct pcn_intent *in)
{
	struct pcn_cube c;
	bool owns;

	if (cube_open(in->cube, &c))
		return false;
	owns = c.meta.slot == in->slot && c.meta.mode == in->mode;
	cube_close(&c);
	return owns;
}

static int sweep_one(const char *stage, void *arg)
{
	struct pcn_intent in;
	char path[PATH_MAX];

	if (pcn_intent_read(stage, &in) == 0) {
		switch (in.op) {
		case PCN_INTENT_CUBE_ADD:
			if (!cube_owns_slot(&in))
				panel_clear(in.mode, in.slot);
			break;
		case PCN_INTENT_CUBE_DEL:
			snprintf(path, sizeof(path), "%s/cube", stage);
			if (pcn_path_exists(path)) {
				cube_detach_dir(path);
				if (in.slot != PCN_SLOT_NONE)
					panel_clear(in.mode, in.slot);
			}
			break;
		case PCN_INTENT_LINK_ADD:
		case PCN_INTENT_LINK_DEL:
			if (!link_pinned(&in))
				port_undo(&in);
			break;
		}
	}
	/* unpinning what is left detaches and frees it */
	pcn_rmtree(stage);
	return 0;
}

int pcn_sweep(void)
{
	return pcn_for_each_stage(sweep_one, NULL);
}
