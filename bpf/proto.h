/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Protocol headers and numbers that the datapath needs and the BPF side
 * lacks (linux/icmp.h and friends pull in the C library): as they are
 * on the wire. User space (the tests) includes this header too, instead
 * of copies.
 */
#ifndef __PCN_PROTO_H
#define __PCN_PROTO_H

#include <linux/types.h>

#define NSEC_PER_SEC		1000000000ull

#ifndef ETH_ALEN
#define ETH_ALEN		6
#endif
#define VLAN_HLEN		4

/* an 802.1Q / 802.1ad tag, after the MAC addresses */
struct vlan_hdr {
	__be16 tci;
	__be16 proto;			/* the encapsulated ethertype */
};

/* ARP for IPv4 over Ethernet (RFC 826) */
struct arp_eth {
	__be16 htype;
	__be16 ptype;
	__u8 hlen;
	__u8 plen;
	__be16 op;
	__u8 sha[ETH_ALEN];
	__be32 sip;
	__u8 tha[ETH_ALEN];
	__be32 tip;
} __attribute__((packed));

#define ARPOP_REQ		1
#define ARPOP_REP		2

#ifdef __bpf__
/* ICMP and ICMPv6: the part before the message's own data (user space
 * has it from linux/icmp.h, which the BPF side cannot include) */
struct icmphdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be32 rest;			/* id and sequence, or unused */
};
#endif

#ifndef IPPROTO_ICMP
#define IPPROTO_ICMP		1
#define IPPROTO_TCP		6
#define IPPROTO_UDP		17
#endif
#define PCN_IPPROTO_ICMPV6	58

#ifndef ICMP_ECHOREPLY
#define ICMP_ECHOREPLY		0
#define ICMP_DEST_UNREACH	3
#define ICMP_NET_UNREACH	0
#define ICMP_ECHO		8
#define ICMP_TIME_EXCEEDED	11
#define ICMP_EXC_TTL		0
#define ICMP_TIMESTAMP		13
#define ICMP_TIMESTAMPREPLY	14
#endif

/* TCP flags, as in the 14th byte of the header */
#define TCP_FIN			0x01
#define TCP_SYN			0x02
#define TCP_RST			0x04
#define TCP_PSH			0x08
#define TCP_ACK			0x10

/* IPv4 fragment offset and more-fragments bits (host order) */
#define PCN_IP_MF		0x2000
#define PCN_IP_OFFSET		0x1fff

/* an IPv6 extension header: next header, length (8-byte units; AH:
 * 4-byte units), and the fragment header's offset */
struct ext_hdr {
	__u8 next;
	__u8 len;
	__be16 frag_off;
};

#endif /* __PCN_PROTO_H */
