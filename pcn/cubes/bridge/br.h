/* SPDX-License-Identifier: GPL-2.0 */
/* The bridge's user space: bridge.c (the type) and fdb.c (its object). */
#ifndef __PCN_BR_H
#define __PCN_BR_H

#include <stdbool.h>

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

#endif /* __PCN_BR_H */
