/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dynmon: a transparent cube that runs a probe the user loads (pcn
 * probe load), on the packets of each direction. What user space, the
 * cube's programs and the probes (include/pcn/probe.h) share.
 */
#ifndef __PCN_DYNMON_H
#define __PCN_DYNMON_H

#include <linux/types.h>

/*
 * dm_probes: BPF_MAP_TYPE_PROG_ARRAY. Slot DIR holds the probe of
 * direction DIR (empty: none); slot DM_SLOT_RESUME + DIR the cube's own
 * program that passes the packet on, which a probe tail-calls when it
 * lets the packet go. Loading a probe is one update of slot DIR.
 */
#define DM_SLOT_RESUME 2
#define DM_SLOTS 4

/* dm_stats: BPF_MAP_TYPE_PERCPU_ARRAY, one entry per direction. */
struct dm_stats {
	__u64 packets;		/* seen by the cube */
	__u64 unprobed;		/* passed on with no probe loaded */
	__u64 dropped;		/* dropped by the probe */
};

#endif /* __PCN_DYNMON_H */
