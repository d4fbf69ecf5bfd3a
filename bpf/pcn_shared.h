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
/* 5: egress stacks mirrored; tail-call limit counters; flood copies */
#define PCN_SCHEMA_VERSION	5
#define PCN_META_MAGIC		0x70636e31	/* "pcn1" */

#define PCN_NAME_LEN		16	/* names fit IFNAMSIZ, NUL included */
#define PCN_MAX_PORTS		64	/* ports per standard cube */
#define PCN_MAX_SLOTS		16384	/* patch-panel slots per netns and mode */
#define PCN_SLOT_NONE		0xffffffffu
#define PCN_MAX_HOPS		8	/* transparent cubes per attachment point */
#define PCN_MAX_POINTS		1024	/* attachment points per netns */
#define PCN_MAX_CHAINS		4096	/* chain records per netns */
#define PCN_POINT_NONE		0xffffffffu
#define PCN_REC_NONE		0xffffffffu	/* no chain record yet */
/* Tail calls a packet may take on its way through the graph (the kernel's). */
#define PCN_TAIL_CALL_BUDGET	33

/* Patch-panel slots every netns has: where finished chains go. */
#define PCN_SLOT_PASS		0	/* to the host stack */
#define PCN_SLOT_TX		1	/* out of md.ifindex */
#define PCN_SLOT_FIRST		2	/* the first one handed out */

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

/*
 * ports: BPF_MAP_TYPE_ARRAY, one per port index of a cube.
 *
 * Packets enter a port by its patch-panel slot in_slot, which holds the
 * cube itself or the first transparent cube attached at the port's
 * ingress. They leave it (to a peer cube, or through transparent cubes
 * on the way out) by the cube's slot out_base + index, with a constant
 * index: see pcn_tx().
 */
struct pcn_port {
	char name[PCN_NAME_LEN];	/* "" = free entry */
	__u32 peer;			/* enum pcn_peer */
	__u32 ifindex;			/* PCN_PEER_IFACE */
	__u32 peer_slot;		/* PCN_PEER_CUBE: the peer port's in_slot */
	__u32 peer_port;		/* PCN_PEER_CUBE: its index */
	char peer_name[PCN_NAME_LEN];	/* interface name, or peer cube */
	char peer_port_name[PCN_NAME_LEN]; /* peer cube's port */
	__u32 attach;			/* enum pcn_attach, for interfaces */
	__u32 peer_point;		/* PCN_PEER_CUBE: its ingress point */
	__u32 in_slot;			/* this port's ingress entry slot */
	__u32 in_point;			/* this port's ingress point */
	__u32 eg_chain;			/* transparent cubes on the way out */
	__u32 eg_point;			/* egress point, or PCN_POINT_NONE */
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
	/* sent out of the port to what follows by a tail call, and
	 * dropped: the packet had had the kernel's 33 (a loop) */
	__u64 tail_call_limit;
};

/*
 * pcn_limits of a transparent cube: BPF_MAP_TYPE_PERCPU_ARRAY of one.
 * Packets it passed on by a tail call, and dropped: they had had the
 * kernel's 33 (a loop), by direction (enum pcn_dir).
 */
struct pcn_limit_stats {
	__u64 tail_call_limit[2];
};

/*
 * Metadata handed from a port's entry program to the cube, and from one
 * cube to the next: in skb->cb in TC, in a per-CPU scratch map in XDP
 * (the whole tail-call chain runs on one CPU, never nested).
 */
struct pcn_md {
	__u32 in_port;			/* ingress port of the standard cube */
	__u32 ifindex;			/* where PCN_SLOT_TX sends */
	__u32 aux[2];			/* [0] for cubes to pass along,
					 * [1] a copy's depth (below) */
};

/*
 * Copies. A cube that sends one frame out of several ports (a bridge's
 * flood) reaches the ports that lead into the graph again (a peer cube,
 * transparent cubes on the way out) by copies that re-enter it through
 * the netns copy device, a veth pair (lib/copy.c): sent into
 * PCN_COPY_TX, they come in by PCN_COPY_RX, whose program
 * (pcn_copy_in) tail-calls the cube's slot with md.in_port = the port
 * to send the copy out of and md.aux[0] = PCN_MD_COPY.
 *
 * In XDP a copy is one of a devmap broadcast, with struct pcn_copy in
 * the frame's metadata, written by the cube. Every copy entry of the
 * devmap leads into PCN_COPY_TX, and a devmap runs one program for all
 * the frames it queues to a device at once: so each copy takes the
 * next of the ports in pcn_copy.targets as it goes by pcn_copy_out
 * (one program per netns), which tells the copies of one frame from
 * those of the next by pcn_copy.seq. In TC the cube clones the frame
 * into PCN_COPY_RX's ingress, the cube and the port in skb->mark.
 *
 * A copy's depth is how many times its frame has come back by the copy
 * device: copies of a frame of depth d have depth d + 1. Each pass
 * starts a new chain of tail calls, so the depth is what bounds a frame
 * flooded round a ring of cubes (bridges linked without STP): a flood
 * at depth PCN_COPY_MAX_DEPTH sends no copy into the graph, counted as
 * tail_call_limit on the port the frame came in by. In XDP the depth
 * stays in the metadata, which the next flood takes over; in TC it is
 * in the mark, then md.aux[1], which pcn_tx() hands on.
 */
#define PCN_COPY_MAX_DEPTH	16
#define PCN_COPY_TX		"pcn-copy-tx"
#define PCN_COPY_RX		"pcn-copy-rx"
#define PCN_MD_COPY		0x70636e43	/* "pcnC" */
#define PCN_COPY_MAGIC		0x70c3

struct pcn_copy {
	__u16 magic;			/* PCN_COPY_MAGIC */
	__u8 in_port;			/* the frame came in by: no copy */
	__u8 port;			/* the copy goes out of */
	__u32 slot;			/* the cube's slot */
	__u64 targets;			/* the ports with a copy entry */
	__u32 seq;			/* the frame's, random */
	__u32 depth;			/* the copies' (see above) */
};

/* TC: skb->mark of a copy: 6 bits of magic, the depth, the slot, the port */
#define PCN_COPY_MARK_MAGIC	0x2bu
#define PCN_COPY_MARK(slot, port, depth)                                    \
	((PCN_COPY_MARK_MAGIC << 26) | ((__u32)(depth) << 20) |              \
	 ((__u32)(slot) << 6) | (port))
#define PCN_COPY_MARK_OK(m)	((m) >> 26 == PCN_COPY_MARK_MAGIC)
#define PCN_COPY_MARK_DEPTH(m)	(((m) >> 20) & 0x3f)
#define PCN_COPY_MARK_SLOT(m)	(((m) >> 6) & (PCN_MAX_SLOTS - 1))
#define PCN_COPY_MARK_PORT(m)	((m) & (PCN_MAX_PORTS - 1))
_Static_assert(PCN_MAX_SLOTS <= 1 << 14, "the slot fits below the depth");
_Static_assert(PCN_COPY_MAX_DEPTH < 0x3f, "the depth fits in the mark");

/* Where a packet goes once every transparent cube of a point passed it. */
enum pcn_final {
	PCN_FINAL_DROP = 0,
	PCN_FINAL_HOST = 1,		/* XDP_PASS / TC_ACT_OK */
	PCN_FINAL_IFACE = 2,		/* out of an interface */
	PCN_FINAL_CUBE = 3,		/* into a standard cube's port */
};

enum pcn_dir {
	PCN_DIR_INGRESS = 0,
	PCN_DIR_EGRESS = 1,
};

/*
 * chains: BPF_MAP_TYPE_ARRAY of records, never changed once a point uses
 * them: a rewiring writes a fresh record and switches the point to it.
 * The records are the canonical configuration; the datapath follows the
 * patch panel, where each transparent cube's "next" slot holds what
 * comes after it.
 */
struct pcn_chain {
	__u32 n;			/* transparent cubes */
	__u32 dir;			/* enum pcn_dir */
	__u32 final;			/* enum pcn_final */
	__u32 final_slot;
	__u32 final_port;
	__u32 final_point;
	__u32 final_ifindex;
	__u32 pad;
	/* the cubes' slots (meta.slot), the stack from first (outermost)
	 * to last: packets meet them in this order on the way in, in the
	 * reverse order on the way out */
	__u32 hops[PCN_MAX_HOPS];
};

enum pcn_point_kind {
	PCN_POINT_FREE = 0,
	PCN_POINT_DEV = 1,		/* an interface, not connected to a cube */
	PCN_POINT_PORT = 2,		/* a port of a standard cube */
};

/* points: BPF_MAP_TYPE_ARRAY, what each attachment point is. */
struct pcn_point {
	__u32 rec;			/* chain record in force, or NONE */
	__u32 kind;			/* enum pcn_point_kind */
	__u32 dir;			/* enum pcn_dir */
	__u32 entry_slot;		/* patch-panel slot packets enter by */
	__u32 mode;			/* enum pcn_mode of the hook (DEV) */
	__u32 ifindex;			/* DEV */
	char ifname[PCN_NAME_LEN];	/* DEV */
	char cube[PCN_NAME_LEN];	/* PORT */
	char port[PCN_NAME_LEN];	/* PORT */
	__u32 attach;			/* enum pcn_attach (DEV) */
	/* PORT ingress without a record: the chain is empty, ends here */
	__u32 cube_slot;
	__u32 port_idx;
	__u32 pad;
};

#endif /* __PCN_SHARED_H */
