/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lbdsr cube (direct server return): the records user space and the
 * datapath share.
 *
 * The services and backends are bpf/lb.h's.
 */
#ifndef __PCN_LBDSR_H
#define __PCN_LBDSR_H

#include <linux/types.h>
#include "lb.h"

#define LB_NO_PORT		0	/* lb_config: no port has the role */

/* lb_config[0]: the roles of the ports (index + 1, or LB_NO_PORT) */
struct lb_config {
	__u32 frontend;
	__u32 backend;
	__u8 mac[6];		/* the frontend's: answers ARP for the VIPs */
	__u8 mac_set;		/* given by the user, not the interface's */
	__u8 pad;
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
	__u64 nd_replied;	/* neighbour solicitations for a VIP */
};

#endif /* __PCN_LBDSR_H */
