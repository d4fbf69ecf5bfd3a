/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Control-plane profile (PCN_PROFILE=1 in the environment): how long
 * each step of a command took. The engine and the command mark the end
 * of each step; the time since the previous mark (or the start) is the
 * step's. Nothing is recorded when PCN_PROFILE is not set, and this
 * never prints: the command prints the steps when it ends.
 */
#ifndef __PCN_PROFILE_H
#define __PCN_PROFILE_H

#include <stdbool.h>
#include <linux/types.h>

/* Start timing if PCN_PROFILE is set (non-empty, not "0"). */
void pcn_prof_start(void);
bool pcn_prof_on(void);
/* The step @step (a string constant) ends now. */
void pcn_prof_step(const char *step);
/* @fn for each step recorded, in order, with its time in ns. */
void pcn_prof_each(void (*fn)(const char *step, __u64 ns, void *arg),
		   void *arg);

#endif /* __PCN_PROFILE_H */
