/* SPDX-License-Identifier: GPL-2.0 */
/* bridge cube: what user space and the datapath share. */
#ifndef __PCN_BRIDGE_H
#define __PCN_BRIDGE_H

#include <linux/types.h>

#define BR_FDB_MAX		8192	/* learned and static entries */
#define BR_AGEING_DEFAULT	300	/* seconds */

/* Port states, as in 802.1D: only forwarding forwards, learning learns. */
enum br_state {
	BR_FORWARDING = 0,		/* the default */
	BR_DISABLED = 1,
	BR_BLOCKING = 2,
	BR_LISTENING = 3,
	BR_LEARNING = 4,
};

/* br_fdb: BPF_MAP_TYPE_HASH */
struct br_fdb_key {
	__u8 mac[6];
	__u16 vid;			/* 0: the bridge is VLAN-unaware */
};

#define BR_FDB_STATIC 1			/* never ages, never moves */

struct br_fdb_entry {
	__u32 port;
	__u32 flags;
	__u64 seen_ns;			/* bpf_ktime_get_boot_ns() */
};

/* br_config: BPF_MAP_TYPE_ARRAY, one entry */
struct br_config {
	__u64 ageing_ns;
};

/* br_ports: BPF_MAP_TYPE_ARRAY, per port index */
struct br_port {
	__u32 state;			/* enum br_state */
	__u32 pad;
};

/* br_stats: BPF_MAP_TYPE_PERCPU_ARRAY, one entry: the bridge's counters */
struct br_stats {
	__u64 flooded;			/* frames sent to every port */
	__u64 learned;			/* new fdb entries */
	__u64 moved;			/* stations seen on another port */
	__u64 fdb_full;			/* not learned: the table is full */
	__u64 malformed;		/* runts, bad source addresses */
	__u64 link_local;		/* BPDUs and the like, to the host */
	__u64 filtered;			/* port state, or back to its own port */
};

#endif /* __PCN_BRIDGE_H */
