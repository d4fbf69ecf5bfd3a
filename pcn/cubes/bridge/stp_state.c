// SPDX-License-Identifier: GPL-2.0
/*
 * The spanning tree's pinned state (br_stp, br_stp_ports in bridge.h)
 * as the bridge type, the stp commands (stp.c) and the agent (stpd.c)
 * all read and write it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>

#include "br.h"

const char *const br_stp_roles[BR_ROLE_BACKUP + 1] = {
	[BR_ROLE_DISABLED] = "disabled",
	[BR_ROLE_ROOT] = "root",
	[BR_ROLE_DESIGNATED] = "designated",
	[BR_ROLE_ALTERNATE] = "alternate",
	[BR_ROLE_BACKUP] = "backup",
};

const char *const br_port_states[BR_LEARNING + 1] = {
	[BR_FORWARDING] = "forwarding",
	[BR_DISABLED] = "disabled",
	[BR_BLOCKING] = "blocking",
	[BR_LISTENING] = "listening",
	[BR_LEARNING] = "learning",
};

int br_stp_get(struct pcn_cube *c, struct br_stp *st)
{
	__u32 zero = 0;

	return cube_map_get(c, "br_stp", &zero, st);
}

__u64 br_stp_bridge_id(const struct br_stp *st)
{
	__u64 id = (__u64)st->priority << 48;
	int i;

	for (i = 0; i < 6; i++)
		id |= (__u64)st->mac[i] << (40 - 8 * i);
	return id;
}

/* as Linux writes them in sysfs: "8000.0a1b2c3d4e5f" */
void br_stp_id_str(__u64 id, char *buf, size_t len)
{
	snprintf(buf, len, "%04x.%012llx", (unsigned int)(id >> 48),
		 (unsigned long long)(id & 0xffffffffffffull));
}

/* A port as "pcn stp add" or a new port leaves it: defaults, no info. */
int br_stp_port_reset(struct pcn_cube *c, __u32 idx)
{
	struct br_stp_port sp = {
		.cost = BR_STP_COST_DEFAULT,
		.priority = BR_STP_PORT_PRIO_DEFAULT,
		.state_ns = pcn_now_ns(),
	};

	return cube_map_put(c, "br_stp_ports", &idx, &sp);
}

bool br_stp_on(struct pcn_cube *c)
{
	struct br_stp st;

	return !br_stp_get(c, &st) && st.enabled;
}

int br_port_state_put(struct pcn_cube *c, __u32 idx, __u32 state)
{
	struct br_port bp;
	int err;

	err = cube_map_get(c, "br_ports", &idx, &bp);
	if (err)
		return err;
	bp.state = state;
	return cube_map_put(c, "br_ports", &idx, &bp);
}

bool br_stp_agent_alive(const struct br_stp *st, __u64 now)
{
	__u64 stale = 3ull * (st->hello ? st->hello : 1) * NSEC_PER_SEC;

	return st->agent_pid && (kill(st->agent_pid, 0) == 0 || errno == EPERM) &&
	       now - st->agent_ns < stale;
}
