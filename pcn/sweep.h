/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sweep: a mutating pcn, once it holds the lock, finishes or undoes
 * what killed runs left in staging directories, following the intent
 * record each one carries. Re-running a killed command then converges.
 */
#ifndef __PCN_SWEEP_H
#define __PCN_SWEEP_H

int pcn_sweep(void);

#endif /* __PCN_SWEEP_H */
