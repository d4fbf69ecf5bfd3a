// SPDX-License-Identifier: GPL-2.0
/* Time, as the datapath keeps it (see clock.h). */
#include <time.h>

#include "clock.h"

static __u64 clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (__u64)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

__u64 pcn_now_ns(void)
{
	/* bpf_ktime_get_coarse_ns()'s clock, which the datapath reads
	 * once a tick per CPU: a time pcn writes is at most a tick ahead
	 * of a CPU's now, and pcn_older() compares signed */
	return clock_ns(CLOCK_MONOTONIC_COARSE);
}

__u64 pcn_seq_next(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}
