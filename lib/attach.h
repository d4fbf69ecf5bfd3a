/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A cube port on an interface: the port's entry program (bpf/port.bpf.c,
 * specialised by .rodata) attached as a pinned bpf_link: XDP (native or
 * generic) or tcx, with netlink clsact where the kernel has no tcx.
 * Functions returning int return 0 (or an fd) or -errno and leave no
 * reason, but attach_fail(), which gives one for the kernel's refusal.
 */
#ifndef __PCN_ATTACH_H
#define __PCN_ATTACH_H

#include <stdbool.h>
#include <linux/types.h>

#include "pcn_shared.h"

/*
 * Load the entry program of an attachment point on an interface: it
 * enters patch panel slot @slot with ingress port @port.
 * Return: its fd, or -errno, no reason (the verifier's word in
 * pcn_libbpf_last_log()).
 */
int port_prog_load(enum pcn_mode mode, __u32 slot, __u32 port);

/*
 * Put the programs that end chains in PCN_SLOT_PASS and PCN_SLOT_TX,
 * unless both are there.
 * Return: 0 or -errno, no reason.
 */
int finals_ensure(enum pcn_mode mode);

/*
 * Load program @name of the copy device: pcn_copy_in, or in XDP the
 * devmap program pcn_copy_out. Return: its fd, or -errno.
 */
int copy_prog_load(enum pcn_mode mode, const char *name);

/*
 * Attach @prog_fd to the ingress (or, TC only, egress) of @ifindex for a
 * cube in @mode. On success *link_fd is
 * a bpf_link fd to pin (or -1 for clsact, which has no link) and *how
 * says which hook took it.
 * Return: 0; -EINVAL for egress in an XDP mode (XDP has no egress
 * hook); another -errno, no reason (see attach_fail()).
 */
int port_attach(enum pcn_mode mode, int ifindex, bool egress, int prog_fd,
		const char *name, int *link_fd, enum pcn_attach *how);
/*
 * Undo an attachment that has no bpf_link (clsact).
 * Return: 0 (also for any other @how: nothing to undo) or -errno.
 */
int port_detach_nolink(enum pcn_attach how, int ifindex, bool egress);

struct link_state {
	__u32 link_id;
	__u32 prog_id;
	__u32 ifindex;		/* 0: the interface is gone */
	bool present;		/* false: no attachment found at all */
};

/*
 * What the kernel says about the attachment pinned at @pin_path.
 * Return: 0, with st->present false when nothing is attached; -errno,
 * no reason.
 */
int link_query(const char *pin_path, enum pcn_attach how, int ifindex,
	       bool egress, struct link_state *st);

/* The word for @how. Return: "xdp", "tcx", ...; "unknown" if none. */
const char *attach_name(enum pcn_attach how);


/*
 * The kernel refused to attach @what to @ifname (@err): leave the reason,
 * with a hint, or the netlink extended acknowledgement.
 * Return: @err.
 */
int attach_fail(const char *what, const char *ifname, enum pcn_mode mode,
		int err);

#endif /* __PCN_ATTACH_H */
