/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The records user space and the eBPF programs both see: the layout of the
 * maps every cube carries and of the per-packet metadata passed between
 * cubes. Changing a layout here changes PCN_SCHEMA_VERSION.
 */
#ifndef __PCN_SHARED_H
#define __PCN_SHARED_H

#include <linux/types.h>

/*
 * Version of the pin tree layout (meta records, ports, stats). A cube
 * pinned by a pcn with another version is refused, never reused.
 */
#define PCN_SCHEMA_VERSION	1
#define PCN_META_MAGIC		0x70636e31	/* "pcn1" */

#define PCN_NAME_LEN		16	/* names fit IFNAMSIZ, NUL included */
#define PCN_MAX_PORTS		64	/* ports per standard cube */
#define PCN_MAX_SLOTS		1024	/* patch-panel slots per netns */
#define PCN_SLOT_NONE		0xffffffffu

enum pcn_mode {
	PCN_MODE_NONE = 0,
	PCN_MODE_XDP = 1,	/* native XDP */
	PCN_MODE_XDPGENERIC = 2, /* XDP in the generic (skb) path */
	PCN_MODE_TC = 3,	/* tcx (or clsact) */
};

/* What a cube port is connected to. */
enum pcn_peer {
	PCN_PEER_NONE = 0,
	PCN_PEER_IFACE = 1,	/* an interface: ifindex */
	PCN_PEER_CUBE = 2,	/* a port of another cube: slot + port */
};

/* ports: BPF_MAP_TYPE_ARRAY, one per port index of a cube. */
struct pcn_port {
	char name[PCN_NAME_LEN];	/* "" = free entry */
	__u32 peer;			/* enum pcn_peer */
	__u32 ifindex;			/* PCN_PEER_IFACE */
	__u32 peer_slot;		/* PCN_PEER_CUBE */
	__u32 peer_port;		/* PCN_PEER_CUBE */
	char peer_name[PCN_NAME_LEN];	/* interface name, or peer cube */
	char peer_port_name[PCN_NAME_LEN]; /* peer cube's port */
	__u32 attach;			/* enum pcn_attach, for interfaces */
	__u32 pad;
};

/* How a port's entry program is attached to its interface. */
enum pcn_attach {
	PCN_ATTACH_NONE = 0,
	PCN_ATTACH_XDP = 1,		/* XDP bpf_link, native */
	PCN_ATTACH_XDPGENERIC = 2,	/* XDP bpf_link, generic */
	PCN_ATTACH_TCX = 3,		/* tcx bpf_link */
	PCN_ATTACH_CLSACT = 4,		/* netlink clsact + cls_bpf (old kernels) */
};

/* stats: BPF_MAP_TYPE_PERCPU_ARRAY, one per port index. */
struct pcn_port_stats {
	__u64 rx_packets;
	__u64 rx_bytes;
	__u64 tx_packets;
	__u64 tx_bytes;
	__u64 drop_packets;		/* dropped by the cube */
	__u64 pass_packets;		/* handed to the host stack */
};

/*
 * Metadata handed from a port's entry program to the cube, and from one
 * cube to the next: in skb->cb in TC, in a per-CPU scratch map in XDP
 * (the whole tail-call chain runs on one CPU, never nested).
 */
struct pcn_md {
	__u32 in_port;			/* ingress port of the cube entered */
	__u32 aux[3];			/* for cubes to pass along */
};

#endif /* __PCN_SHARED_H */
