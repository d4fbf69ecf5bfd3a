/* SPDX-License-Identifier: GPL-2.0 */
/* The bridge's user space: bridge.c (the type) and fdb.c (its object). */
#ifndef __PCN_BR_H
#define __PCN_BR_H

#include <stdbool.h>
#include <stddef.h>

#include "bridge.h"
#include "pcn.h"

/* fdb.c: delete a bridge's entries (port/vid -1: any); with @left, only
 * those in VLANs that port settings @left are not in. 0 or -errno. */
int br_fdb_flush(struct pcn_cube *c, int port, bool dynamic_only, int vid,
		 const struct br_port *left);

/* fdb.c: "fdb add" lines of the static entries, for pcn save */
int br_fdb_save(struct pcn_cube *c, struct pcn_save *s);

/* the object of the bridge: fdb */
extern const struct pcn_object fdb_object;

/* stp_state.c: the spanning tree's settings and state (br_stp,
 * br_stp_ports); names of roles and port states, by their numbers */
extern const char *const br_stp_roles[BR_ROLE_BACKUP + 1];
extern const char *const br_port_states[BR_LEARNING + 1];
int br_stp_get(struct pcn_cube *c, struct br_stp *st);
bool br_stp_on(struct pcn_cube *c);
__u64 br_stp_bridge_id(const struct br_stp *st);
void br_stp_id_str(__u64 id, char *buf, size_t len);
int br_stp_port_reset(struct pcn_cube *c, __u32 idx);
int br_port_state_put(struct pcn_cube *c, __u32 idx, __u32 state);
bool br_stp_agent_alive(const struct br_stp *st, __u64 now);

/* stp.c: the object "stp", and its lines in pcn save */
int br_stp_save(struct pcn_cube *c, struct pcn_save *s);
extern const struct pcn_object stp_object;

/* stpd.c: the agent, "pcn stp run BRIDGE"; returns an exit code */
int br_stp_run(const char *name);

#endif /* __PCN_BR_H */
