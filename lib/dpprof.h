/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Datapath profile (pcn profile): where the CPUs' time goes among eBPF
 * programs, by sampling. Each online CPU gets a software cpu-clock
 * perf event (hardware cycles are often missing in a VM) that samples
 * the kernel's instruction pointer every @period ns; a sample whose
 * address lies in a program's JIT image (its jited_ksyms and
 * jited_func_lens, read with bpf_obj_get_info_by_fd) is that
 * program's. Unlike the kernel's run-time statistics
 * (kernel.bpf_stats_enabled), this sees the programs reached by a tail
 * call, which is how packets go from cube to cube. Nothing runs but
 * while the profile is open.
 */
#ifndef __PCN_LIB_DPPROF_H
#define __PCN_LIB_DPPROF_H

#include <linux/types.h>

/* the code of one program (or subprogram): [start, end) */
struct dpprof_range {
	__u64 start, end;
	int owner;		/* the caller's: whose program it is */
};

struct dpprof {
	int ncpu;
	int *fd;		/* a perf event per CPU (-1: offline) */
	void **ring;
	size_t ring_len;
	__u64 period;		/* ns of CPU time per sample */
	__u64 samples;		/* every sample read */
	__u64 lost;		/* samples the rings could not take */
};

/*
 * Add the JIT images of program @fd to @r (*@n ranges, @max at most),
 * owned by @owner. Return: 0, -ENOSPC when full, -EPERM when the
 * kernel hides the addresses (kernel.kptr_restrict), another -errno.
 */
int dpprof_prog_ranges(int fd, int owner, struct dpprof_range *r, int *n,
		       int max);

/*
 * Start sampling every CPU every @period ns.
 * Return: 0 or -errno (-ENOENT, -EOPNOTSUPP: no such event here).
 */
int dpprof_open(struct dpprof *p, __u64 period);

/*
 * Read the samples taken so far: @fn(owner, arg) for each whose address
 * is in one of the @n ranges @r (sorted by dpprof_sort()), @fn(-1, arg)
 * for the others. Return: 0 or -errno.
 */
int dpprof_drain(struct dpprof *p, const struct dpprof_range *r, int n,
		 void (*fn)(int owner, void *arg), void *arg);

/* sort @n ranges for dpprof_drain() */
void dpprof_sort(struct dpprof_range *r, int n);

/* stop sampling */
void dpprof_close(struct dpprof *p);

#endif /* __PCN_LIB_DPPROF_H */
