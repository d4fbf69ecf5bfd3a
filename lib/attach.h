/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A cube port on an interface: the port's entry program (bpf/port.bpf.c,
 * specialised by .rodata) attached as a pinned bpf_link: XDP (native or
 * generic) or tcx, with netlink clsact where the kernel has no tcx.
 */
#ifndef __PCN_ATTACH_H
#define __PCN_ATTACH_H

#include <stdbool.h>
#include <linux/types.h>

#include "pcn_shared.h"

/*
 * Load the entry program of an attachment point on an interface: it
 * enters patch panel slot @slot with ingress port @port. Returns its fd,
 * or -errno.
 */
int port_prog_load(enum pcn_mode mode, __u32 slot, __u32 port);

/* Put the programs that end chains in PCN_SLOT_PASS and PCN_SLOT_TX. */
int finals_ensure(enum pcn_mode mode);

/*
 * Attach @prog_fd to the ingress (or, TC only, egress) of @ifindex for a
 * cube in @mode. On success *link_fd is
 * a bpf_link fd to pin (or -1 for clsact, which has no link) and *how
 * says which hook took it.
 */
int port_attach(enum pcn_mode mode, int ifindex, bool egress, int prog_fd,
		const char *name, int *link_fd, enum pcn_attach *how);
/* Undo an attachment that has no bpf_link (clsact). */
int port_detach_nolink(enum pcn_attach how, int ifindex, bool egress);

struct link_state {
	__u32 link_id;
	__u32 prog_id;
	__u32 ifindex;		/* 0: the interface is gone */
	bool present;		/* false: no attachment found at all */
};

/* What the kernel says about the attachment pinned at @pin_path. */
int link_query(const char *pin_path, enum pcn_attach how, int ifindex,
	       bool egress, struct link_state *st);

const char *attach_name(enum pcn_attach how);

/* Explain a failed attach in a word an operator can act on. */
const char *attach_hint(enum pcn_mode mode, int err);

#endif /* __PCN_ATTACH_H */
