/* SPDX-License-Identifier: GPL-2.0 */
/* helloworld transparent cube: what user space and the datapath share. */
#ifndef __PCN_HELLOWORLD_H
#define __PCN_HELLOWORLD_H

#include <linux/types.h>

enum hw_action {
	HW_PASS = 0,
	HW_DROP = 1,
};

/* hw_config: BPF_MAP_TYPE_ARRAY, one entry: the action per direction. */
struct hw_config {
	__u32 action[2];		/* [PCN_DIR_INGRESS], [PCN_DIR_EGRESS] */
};

/* hw_stats: BPF_MAP_TYPE_PERCPU_ARRAY, one entry per direction. */
struct hw_stats {
	__u64 packets;
	__u64 bytes;
	__u64 dropped;
};

#endif /* __PCN_HELLOWORLD_H */
