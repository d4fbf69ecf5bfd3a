// SPDX-License-Identifier: GPL-2.0
/*
 * Datapath profile: cpu-clock samples of the kernel's instruction
 * pointer, attributed to eBPF programs by their JIT images (dpprof.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <bpf/bpf.h>

#include "dpprof.h"

/* pages of each CPU's ring, after its header page: a power of 2 */
#define DPPROF_RING_PAGES 64

int dpprof_prog_ranges(int fd, int owner, struct dpprof_range *r, int *n,
		       int max)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), i, nk;
	__u64 *ksyms = NULL;
	__u32 *lens = NULL;
	int err = 0;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	nk = info.nr_jited_ksyms;
	if (!nk || nk != info.nr_jited_func_lens)
		return -EPERM;	/* not JITed, or the addresses are hidden */
	ksyms = calloc(nk, sizeof(*ksyms));
	lens = calloc(nk, sizeof(*lens));
	if (!ksyms || !lens) {
		err = -ENOMEM;
		goto out;
	}
	memset(&info, 0, sizeof(info));
	info.nr_jited_ksyms = nk;
	info.nr_jited_func_lens = nk;
	info.jited_ksyms = (__u64)(unsigned long)ksyms;
	info.jited_func_lens = (__u64)(unsigned long)lens;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = -errno;
		goto out;
	}
	for (i = 0; i < nk && !err; i++) {
		if (!ksyms[i]) {
			err = -EPERM;
		} else if (*n == max) {
			err = -ENOSPC;
		} else {
			r[*n].start = ksyms[i];
			r[*n].end = ksyms[i] + lens[i];
			r[*n].owner = owner;
			(*n)++;
		}
	}
out:
	free(ksyms);
	free(lens);
	return err;
}

static int by_start(const void *a, const void *b)
{
	const struct dpprof_range *x = a, *y = b;

	return (x->start > y->start) - (x->start < y->start);
}

void dpprof_sort(struct dpprof_range *r, int n)
{
	if (n > 1)
		qsort(r, n, sizeof(*r), by_start);
}

static int owner_of(const struct dpprof_range *r, int n, __u64 ip)
{
	int lo = 0, hi = n - 1, mid;

	while (lo <= hi) {
		mid = (lo + hi) / 2;
		if (ip < r[mid].start)
			hi = mid - 1;
		else if (ip >= r[mid].end)
			lo = mid + 1;
		else
			return r[mid].owner;
	}
	return -1;
}

void dpprof_close(struct dpprof *p)
{
	int i;

	for (i = 0; p->fd && i < p->ncpu; i++) {
		if (p->ring[i])
			munmap(p->ring[i], p->ring_len);
		if (p->fd[i] >= 0)
			close(p->fd[i]);
	}
	free(p->fd);
	free(p->ring);
	p->fd = NULL;
	p->ring = NULL;
}

int dpprof_open(struct dpprof *p, __u64 period)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.sample_period = period,
		.sample_type = PERF_SAMPLE_IP,
		.exclude_user = 1,
		.exclude_hv = 1,
		.wakeup_events = 1,
	};
	long page = sysconf(_SC_PAGESIZE);
	int i, err = 0, open = 0;

	memset(p, 0, sizeof(*p));
	p->period = period;
	p->ncpu = sysconf(_SC_NPROCESSORS_CONF);
	if (p->ncpu < 1)
		return -EINVAL;
	p->fd = calloc(p->ncpu, sizeof(*p->fd));
	p->ring = calloc(p->ncpu, sizeof(*p->ring));
	if (!p->fd || !p->ring) {
		dpprof_close(p);
		return -ENOMEM;
	}
	p->ring_len = (1 + DPPROF_RING_PAGES) * page;
	for (i = 0; i < p->ncpu; i++)
		p->fd[i] = -1;
	for (i = 0; i < p->ncpu && !err; i++) {
		p->fd[i] = syscall(__NR_perf_event_open, &attr, -1, i, -1,
				   PERF_FLAG_FD_CLOEXEC);
		if (p->fd[i] < 0) {
			/* an offline CPU runs nothing */
			if (errno != ENODEV && errno != EINVAL)
				err = -errno;
			else if (!open && i == p->ncpu - 1)
				err = -errno;
			p->fd[i] = -1;
			continue;
		}
		p->ring[i] = mmap(NULL, p->ring_len, PROT_READ | PROT_WRITE,
				  MAP_SHARED, p->fd[i], 0);
		if (p->ring[i] == MAP_FAILED) {
			p->ring[i] = NULL;
			err = -errno;
		}
		open++;
	}
	if (err)
		dpprof_close(p);
	return err;
}

int dpprof_drain(struct dpprof *p, const struct dpprof_range *r, int n,
		 void (*fn)(int owner, void *arg), void *arg)
{
	size_t data_len = p->ring_len - sysconf(_SC_PAGESIZE);
	int i;

	for (i = 0; i < p->ncpu; i++) {
		struct perf_event_mmap_page *m = p->ring[i];
		__u8 *data;
		__u64 head, tail;

		if (!m)
			continue;
		data = (__u8 *)m + m->data_offset;
		if (m->data_size)
			data_len = m->data_size;
		head = __atomic_load_n(&m->data_head, __ATOMIC_ACQUIRE);
		tail = m->data_tail;
		while (tail < head) {
			struct perf_event_header h;
			__u8 rec[64];
			size_t off = tail % data_len, k;

			/* a record may wrap around the end of the ring */
			for (k = 0; k < sizeof(h); k++)
				((__u8 *)&h)[k] = data[(off + k) % data_len];
			if (h.size < sizeof(h))
				break;	/* cannot be: stop reading this ring */
			for (k = 0; k < h.size && k < sizeof(rec); k++)
				rec[k] = data[(off + k) % data_len];
			if (h.type == PERF_RECORD_SAMPLE &&
			    h.size >= sizeof(h) + sizeof(__u64)) {
				__u64 ip;

				memcpy(&ip, rec + sizeof(h), sizeof(ip));
				p->samples++;
				fn(owner_of(r, n, ip), arg);
			} else if (h.type == PERF_RECORD_LOST &&
				   h.size >= sizeof(h) + 2 * sizeof(__u64)) {
				__u64 lost;

				memcpy(&lost, rec + sizeof(h) + sizeof(__u64),
				       sizeof(lost));
				p->lost += lost;
			}
			tail += h.size;
		}
		__atomic_store_n(&m->data_tail, tail, __ATOMIC_RELEASE);
	}
	return 0;
}
