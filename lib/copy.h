/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The copy device of a netns: the veth pair by which copies of a frame
 * (a bridge's flood to ports that lead into the graph again) re-enter
 * it (see pcn_shared.h). Made when a cube first needs it, with
 * pcn_copy_in attached to its receiving end for each hook in use (by a
 * bpf_link pinned as copy_xdp or copy_tc in the netns directory), and
 * deleted with the last cube of the netns.
 *
 * Functions return 0 or -errno unless said otherwise.
 */
#ifndef __PCN_COPY_H
#define __PCN_COPY_H

#include "pcn_shared.h"

/*
 * Make the copy device for hook @mode if it is not there, and give its
 * two ends' ifindexes. -EEXIST: an interface of that name is not pcn's.
 */
int copy_dev_ensure(enum pcn_mode mode, int *tx_ifindex, int *rx_ifindex);

/*
 * The XDP devmap program of the copy entries (one per netns, pinned as
 * copy_out), for a devmap entry into the copy device; made if it is
 * not there. Return: its fd, or -errno.
 */
int copy_out_prog(void);

/* Delete the copy device if no cube is left in the netns. */
int copy_dev_gc(void);

#endif /* __PCN_COPY_H */
