/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sweep: a mutating pcn, once it holds the exclusive lock, finishes
 * or undoes what killed runs left in staging directories, following the
 * intent record each one carries (bpffs.h); re-running a killed command
 * then converges. The collection of what nothing refers to any more
 * (patch-panel slots, attachment points) follows. Both functions
 * return 0 or -errno and leave no reason.
 */
#ifndef __PCN_SWEEP_H
#define __PCN_SWEEP_H

struct port_hooks;

/*
 * Sweep the current netns (its lock held exclusively); @h: what the
 * types do when a half-made port is taken away.
 * Return: 0 or -errno (-EIO where PCN_FAULT=sweep).
 */
int pcn_sweep(const struct port_hooks *h);

/*
 * The patch-panel slots and points nothing refers to any more.
 * Return: 0 or -errno.
 */
int pcn_gc(void);

#endif /* __PCN_SWEEP_H */
