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

/* br_fdb: BPF_MAP_TYPE_HASH, a station in a VLAN */
struct br_fdb_key {
	__u8 mac[6];
	__u16 vid;
};

#define BR_FDB_STATIC 1			/* never ages, never moves */

struct br_fdb_entry {
	__u32 port;
	__u32 flags;
	__u64 seen_ns;			/* pcn_now_ns() */
};

/*
 * br_cache: BPF_MAP_TYPE_PERCPU_ARRAY, a direct-mapped cache in front of
 * br_fdb on each CPU (as Open vSwitch's exact-match cache in front of
 * its classifier): the stations this CPU saw last, by a hash of the key.
 * An entry holds while its gen is br_gen's: whatever removes an fdb
 * entry or moves it to another port (user space or the datapath)
 * increments br_gen first thing after, so no CPU acts on what was.
 */
#define BR_CACHE_BITS		10
#define BR_CACHE_SIZE		(1u << BR_CACHE_BITS)
#define BR_HASH_MUL		0x9e3779b97f4a7c15ull	/* 2^64 / phi */

struct br_cache {
	__u64 key;			/* struct br_fdb_key, as a number */
	__u64 seen_ns;			/* the fdb entry's, when cached */
	__u32 port;
	__u32 flags;			/* the fdb entry's */
	__u64 gen;			/* br_gen when cached */
};

/* br_gen: BPF_MAP_TYPE_ARRAY (mmapable), one entry */
struct br_gen {
	__u64 gen;
};

/* br_config: BPF_MAP_TYPE_ARRAY, one entry */
struct br_config {
	__u64 ageing_ns;
};

/*
 * br_copy: BPF_MAP_TYPE_ARRAY, one entry: how a flood reaches the
 * ports that lead into the graph again (a peer cube, transparent cubes
 * on the way out) -- by copies through the netns copy device
 * (pcn_shared.h). Zero until the bridge has such a port.
 */
struct br_copy {
	__u32 slot;			/* the bridge's own slot */
	__u32 ifindex;			/* TC: the copy device's receiving end */
	__u64 targets;			/* the ports that take copies (bits) */
};

#define BR_VID_MAX	4094
#define BR_VID_DEFAULT	1

enum br_vlan_mode {
	BR_ACCESS = 0,			/* untagged, in VLAN pvid (the default) */
	BR_TRUNK = 1,			/* tagged VLANs in allowed; untagged:
					 * native VLAN pvid, or dropped if 0 */
};

/* br_ports: BPF_MAP_TYPE_ARRAY, per port index */
struct br_port {
	__u32 state;			/* enum br_state */
	__u16 mode;			/* enum br_vlan_mode */
	__u16 pvid;			/* access VLAN, or trunk's native (0: none) */
	__u64 allowed[64];		/* trunk: VLAN v allowed if bit v set */
};

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#ifdef __bpf__
/* hide a value's range from the compiler, or it drops a mask that the
 * verifier needs after a range check */
#define BR_OPAQUE(x) asm volatile("" : "+r"(x))
#else
#define BR_OPAQUE(x) ((void)0)
#endif

static __always_inline int br_trunk_allows(const struct br_port *bp,
					   __u16 v)
{
	__u32 word = v >> 6;

	BR_OPAQUE(word);
	return (bp->allowed[word & 63] >> (v & 63)) & 1;
}

/* Is port @bp in VLAN @v? */
static __always_inline int br_in_vlan(const struct br_port *bp, __u16 v)
{
	if (bp->mode == BR_ACCESS)
		return bp->pvid == v;
	return (bp->pvid && bp->pvid == v) || br_trunk_allows(bp, v);
}

/* br_stats: BPF_MAP_TYPE_PERCPU_ARRAY, one entry: the bridge's counters */
struct br_stats {
	__u64 flooded;			/* frames sent to every port */
	__u64 learned;			/* new fdb entries */
	__u64 moved;			/* stations seen on another port */
	__u64 fdb_full;			/* not learned: the table is full */
	__u64 malformed;		/* runts, bad source addresses */
	__u64 link_local;		/* BPDUs and the like, to the host */
	__u64 filtered;			/* port state, or back to its own port */
	__u64 vlan_dropped;		/* a VLAN the port is not in, bad tags */
};

/*
 * Spanning tree (pcn stp, pcn-stp(8)): one tree per bridge, 802.1D or
 * 802.1w. The datapath reads none of it: it acts on br_port.state,
 * which the agent ("pcn stp run") writes; these two maps hold the rest
 * of the protocol's state, so that a show needs no agent and an agent
 * started again carries on from where the last one was.
 *
 * Identifiers are numbers that compare as 802.1D compares them: a
 * bridge id is priority << 48 | MAC, a port id (priority / 16) << 12 |
 * port number (index + 1).
 */
#define BR_STP_PRIO_DEFAULT	32768
#define BR_STP_PORT_PRIO_DEFAULT 128
#define BR_STP_COST_DEFAULT	20000	/* 1 Gb/s, as 802.1D-2004 */
#define BR_STP_HELLO_DEFAULT	2
#define BR_STP_MAX_AGE_DEFAULT	20
#define BR_STP_FWD_DELAY_DEFAULT 15

enum br_stp_version {
	BR_STP_STP = 0,			/* 802.1D: config and TCN BPDUs */
	BR_STP_RSTP = 2,		/* 802.1w: RST BPDUs, STP to old peers */
};

enum br_stp_role {
	BR_ROLE_DISABLED = 0,		/* down, or not an interface */
	BR_ROLE_ROOT = 1,
	BR_ROLE_DESIGNATED = 2,
	BR_ROLE_ALTERNATE = 3,
	BR_ROLE_BACKUP = 4,
};

/* br_stp: BPF_MAP_TYPE_ARRAY, one entry */
struct br_stp {
	__u32 enabled;			/* 0: ports are set by hand */
	__u32 version;			/* enum br_stp_version */
	__u16 priority;			/* 0..61440, by 4096 */
	__u16 hello;			/* seconds */
	__u16 max_age;
	__u16 fwd_delay;
	__u8 mac[6];			/* the bridge's address, made at add */
	__u16 pad;
	/* what the agent found */
	__u64 root_id;
	__u32 root_cost;
	__u32 root_port;		/* index, PCN_MAX_PORTS: this is root */
	__u16 root_max_age;		/* the times in force: the root's */
	__u16 root_hello;
	__u16 root_fwd_delay;
	__u16 pad2;
	__u32 agent_pid;		/* the last agent, 0 when it stopped */
	__u32 tc_count;			/* topology changes seen */
	__u64 tc_until_ns;		/* BPDUs carry TC until then */
	__u64 agent_ns;			/* the agent's last pass (pcn_now_ns) */
};

#define BR_STP_P_MODE_STP	1	/* the neighbour speaks 802.1D */
#define BR_STP_P_PROPOSING	2	/* RSTP: designated, asking to forward */
#define BR_STP_P_AGREED		4	/* RSTP: the neighbour agreed */
#define BR_STP_P_TCA		8	/* STP: acknowledge a TCN */
#define BR_STP_P_INFO		16	/* d_* hold what the port heard */
#define BR_STP_P_EDGE		32	/* set as an edge port (to hosts) */
#define BR_STP_P_EDGE_LOST	64	/* yet it heard a BPDU since it came up */
#define BR_STP_P_TCN		128	/* STP root port: send TCNs until a TCA */

/* br_stp_ports: BPF_MAP_TYPE_ARRAY, per port index */
struct br_stp_port {
	__u32 cost;			/* path cost, 1..200000000 */
	__u8 priority;			/* 0..240, by 16 */
	__u8 role;			/* enum br_stp_role */
	__u16 flags;			/* BR_STP_P_* */
	/* the best BPDU heard on the port: the designated bridge's vector */
	__u64 d_root;
	__u64 d_bridge;
	__u32 d_cost;
	__u16 d_port;
	__u16 d_msg_age;		/* and its times, in 1/256 s */
	__u16 d_max_age;
	__u16 d_hello;
	__u16 d_fwd_delay;
	__u16 pad;
	__u64 info_until_ns;		/* what it heard holds until then */
	__u64 state_ns;			/* when br_port.state last changed */
	__u64 rx_bpdus;
	__u64 tx_bpdus;
};

#endif /* __PCN_BRIDGE_H */
