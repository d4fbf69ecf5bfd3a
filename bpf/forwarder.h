/* SPDX-License-Identifier: GPL-2.0 */
/* forwarder cube: the action map, seen by user space and the datapath. */
#ifndef __PCN_FORWARDER_H
#define __PCN_FORWARDER_H

#include <linux/types.h>

enum fwd_action {
	FWD_PASS = 0,		/* to the host stack (the default) */
	FWD_DROP = 1,
	FWD_FORWARD = 2,	/* out of out_port */
};

/* fwd_actions: BPF_MAP_TYPE_ARRAY indexed by ingress port. */
struct fwd_entry {
	__u32 action;		/* enum fwd_action */
	__u32 out_port;
};

#endif /* __PCN_FORWARDER_H */
