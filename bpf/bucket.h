/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A token bucket, as the ddos and firewall cubes rate-limit: tokens
 * are kept scaled (a packet costs @cost, e.g. NSEC_PER_SEC for a rate
 * per second), refilled by @gain per nanosecond since the last packet,
 * capped at @cap (the burst).
 *
 * No lock: the kernel has no bpf_spin_lock in an LRU hash. Two CPUs
 * taking from one bucket at the same moment may each see the same
 * tokens, so a packet more can get through per such race: a limit errs
 * towards letting through, never below its rate.
 */
#ifndef __PCN_BUCKET_H
#define __PCN_BUCKET_H

#include <linux/types.h>

/* @*tokens refilled for @dt ns at @gain per ns, capped at @cap */
static __always_inline __u64 pcn_bucket_fill(__u64 tokens, __u64 dt,
					     __u64 gain, __u64 cap)
{
	/* no overflow: past the time it takes to fill, it is full */
	if (!gain || dt > cap / gain)
		return gain ? cap : tokens;
	tokens += dt * gain;
	return tokens > cap ? cap : tokens;
}

/*
 * Take @cost from the bucket (@stamp: the last refill, @tokens), at
 * @now. Return: 1 if there was as much (and it is taken), else 0
 * (nothing is: the rate is what gets through).
 */
static __always_inline int pcn_bucket_take(__u64 *stamp, __u64 *tokens,
					   __u64 gain, __u64 cap, __u64 cost,
					   __u64 now)
{
	__u64 dt = now - *stamp;

	if ((__s64)dt < 0)
		dt = 0;			/* another CPU's clock a tick ahead */
	*stamp = now;
	*tokens = pcn_bucket_fill(*tokens, dt, gain, cap);
	if (*tokens < cost)
		return 0;
	*tokens -= cost;
	return 1;
}

#endif /* __PCN_BUCKET_H */
