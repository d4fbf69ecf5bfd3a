/* SPDX-License-Identifier: GPL-2.0 */
/*
 * capture cube: what user space and the datapath share.
 *
 * The cube copies each packet it is asked for into a BPF ring buffer
 * (cap_ring), a record per packet: struct cap_rec, then the first
 * caplen bytes of the frame. A ring buffer rather than a perf buffer:
 * one buffer for every CPU, read in the order records were committed
 * (so the file is in time order without merging per-CPU streams), with
 * room reserved in place and filled straight from the packet, and a
 * failed reservation the program sees and counts (cap_stats.ring_full).
 */
#ifndef __PCN_CAPTURE_H
#define __PCN_CAPTURE_H

#include <linux/types.h>

/* The ring: records of all CPUs, in bytes (a power of 2 of pages). */
#define CAP_RING_BYTES		(16u << 20)
/*
 * Bytes a record may copy: a frame up to a 64 KiB GSO skb. Room is
 * reserved in steps of powers of 2 from 64 (see capture.bpf.c).
 */
#define CAP_MAX_COPY		65536u
#define CAP_DEFAULT_SNAPLEN	262144u	/* as tcpdump's */
/* how often the reader looks at the ring when not woken (capture.bpf.c) */
#define CAP_POLL_MS		20

/* filter fields: all of those given must match */
#define CAP_F_SRC	0x01
#define CAP_F_DST	0x02
#define CAP_F_HOST	0x04		/* src or dst */
#define CAP_F_PROTO	0x08
#define CAP_F_SPORT	0x10
#define CAP_F_DPORT	0x20
#define CAP_F_PORT	0x40		/* sport or dport */
#define CAP_F_VLAN	0x80
/* what needs an IP header, and what needs the ports */
#define CAP_F_IP	(CAP_F_SRC | CAP_F_DST | CAP_F_HOST | CAP_F_PROTO | \
			 CAP_F_SPORT | CAP_F_DPORT | CAP_F_PORT)
#define CAP_F_L4	(CAP_F_SPORT | CAP_F_DPORT | CAP_F_PORT)

struct cap_prefix {
	__u8 addr[16];			/* IPv4 in the first 4 bytes */
	__u8 plen;
	__u8 pad[3];
};

/* cap_config: the globals of section .data.cap_config, one record. */
struct cap_config {
	__u32 snaplen;			/* bytes of each frame kept */
	__u32 fields;			/* CAP_F_* */
	__u8 family;			/* 4 or 6 with addresses, else 0 */
	__u8 proto;
	__u16 vid;
	__u16 sport[2];			/* ranges: low, high */
	__u16 dport[2];
	__u16 port[2];
	struct cap_prefix src, dst, host;
};

/*
 * One record of the ring: this header, then caplen bytes of the frame.
 * In tc the stack may hold the frame's outer VLAN tag aside, out of the
 * data (vlan = 1): user space puts it back after the MAC addresses, as
 * tcpdump does, so the file has the frame as it was on the wire (4
 * bytes longer than len and caplen say here).
 */
struct cap_rec {
	__u64 ts;			/* bpf_ktime_get_boot_ns() */
	__u32 len;			/* the frame's length */
	__u32 caplen;			/* bytes that follow */
	__u8 dir;			/* enum pcn_dir: the capture point */
	__u8 vlan;			/* a tag held aside */
	__be16 vlan_proto;
	__u16 vlan_tci;
	__u16 pad;
};

/* cap_stats: BPF_MAP_TYPE_PERCPU_ARRAY, one entry per direction. */
struct cap_stats {
	__u64 seen;			/* packets that came by */
	__u64 captured;			/* copied into the ring */
	__u64 bytes;			/* of them, as they were on the wire */
	__u64 filtered;			/* not matching the filter */
	__u64 ring_full;		/* matching, but the ring had no room */
};

#endif /* __PCN_CAPTURE_H */
