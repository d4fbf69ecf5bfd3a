/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lbdsr cube (direct server return): the records user space and the
 * datapath share.
 *
 * Canonical configuration, in the kernel: lb_services (a service by
 * VIP, port, protocol -> its id and affinity) and lb_backends (an
 * array: a backend's service, address, MAC, weight). What the datapath
 * derives: each service's Maglev table (lb_maglev, a map of maps
 * indexed by service id), rebuilt aside and switched with one write
 * whenever a backend of the service changes.
 */
#ifndef __PCN_LBDSR_H
#define __PCN_LBDSR_H

#include <linux/types.h>

#define LB_SERVICES_MAX		1024
#define LB_BACKENDS_MAX		4096	/* of a cube, all services */
#define LB_SVC_BACKENDS_MAX	64	/* of a service */
#define LB_FLOWS_MAX		65536	/* the affinity table (LRU) */
#define LB_WEIGHT_DEFAULT	1
#define LB_NO_PORT		0	/* lb_config: no port has the role */

enum lb_affinity {
	LB_AFF_FLOW = 0,	/* client address, port and protocol */
	LB_AFF_SOURCE = 1,	/* client address alone */
};

/* lb_config[0]: the roles of the ports (index + 1, or LB_NO_PORT) */
struct lb_config {
	__u32 frontend;
	__u32 backend;
	__u8 mac[6];		/* the frontend's: answers ARP for the VIPs */
	__u8 mac_set;		/* given by the user, not the interface's */
	__u8 pad;
};

/* lb_services: a hash */
struct lb_svc_key {
	__u8 vip[16];		/* IPv4: the first 4 bytes */
	__u16 port;		/* host order */
	__u8 proto;
	__u8 family;		/* 4 or 6 */
};

struct lb_svc {
	__u32 id;		/* 1..: lb_maglev, lb_svc_stats */
	__u32 affinity;		/* enum lb_affinity */
};

/* lb_backends: an array; a free entry has svc_id LB_FREE (ids from 1) */
#define LB_FREE			0

struct lb_backend {
	__u32 svc_id;
	__u32 weight;		/* 0: drained (no new flows) */
	__u32 gen;		/* bumped each time the entry is taken */
	__u8 addr[16];
	__u8 mac[6];
	__u8 family;
	__u8 pad;
};

/* lb_flows: LRU hash, a client's flow -> its backend */
struct lb_flow_key {
	__u8 addr[16];
	__u32 svc_id;
	__u16 port;		/* 0 for source affinity */
	__u8 proto;		/* 0 for source affinity */
	__u8 pad;
};

struct lb_flow {
	__u32 backend;
	__u32 gen;		/* the backend entry's, when it was chosen */
};

/* lb_stats[0], per CPU */
struct lb_stats {
	__u64 balanced;		/* frontend -> a backend */
	__u64 arp_replied;
	__u64 passed;		/* not for a service: across, unchanged */
	__u64 returned;		/* backend side -> frontend */
	__u64 no_backend;	/* a service with no backend to take it */
	__u64 fragments;	/* later fragments to a service: dropped */
	__u64 bad_header;
	__u64 no_port;		/* a port with no role, or no port to go */
};

/* lb_svc_stats[svc id], lb_backend_stats[backend], per CPU */
struct lb_obj_stats {
	__u64 packets;
	__u64 bytes;
	__u64 flows;		/* new flows given to it */
};

#endif /* __PCN_LBDSR_H */
