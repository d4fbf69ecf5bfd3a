/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Time, as the datapath keeps it: pcn_now_ns() in bpf/pcn_cube.h reads
 * CLOCK_MONOTONIC to a scheduler tick, and compares two times by their
 * signed difference (pcn_older()). User space reads and compares the
 * same way, so that "pcn ... show" ages an entry exactly as the
 * datapath does, also one stamped within the first timeout after boot
 * (when now minus the timeout lies before zero) or on a CPU whose clock
 * runs a tick ahead. Nothing here can fail.
 */
#ifndef __PCN_CLOCK_H
#define __PCN_CLOCK_H

#include <stdbool.h>
#include <linux/types.h>

#define NSEC_PER_SEC 1000000000ull

/* Now, on the datapath's clock. Return: CLOCK_MONOTONIC_COARSE in ns. */
__u64 pcn_now_ns(void);

/*
 * How long before @now @then is.
 * Return: @now - @then in ns; 0 when it is not before (a tick ahead).
 */
static inline __u64 pcn_age_ns(__u64 now, __u64 then)
{
	__s64 d = (__s64)(now - then);

	return d > 0 ? (__u64)d : 0;
}

/*
 * Whether @then lies more than @ns before @now, as the datapath asks.
 * Return: true if pcn_age_ns(@now, @then) > @ns.
 */
static inline bool pcn_older(__u64 now, __u64 then, __u64 ns)
{
	return pcn_age_ns(now, then) > ns;
}

/*
 * A number that grows with every call in this boot, also from one pcn
 * run to the next (CLOCK_MONOTONIC in ns): the order things were made.
 * Return: CLOCK_MONOTONIC in ns, never less than an earlier call's.
 */
__u64 pcn_seq_next(void);

#endif /* __PCN_CLOCK_H */
