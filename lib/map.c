// SPDX-License-Identifier: GPL-2.0
/* Maps as a whole (map.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/membarrier.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "map.h"

int map_array_read(int fd, __u32 n, size_t vsize, void *vals)
{
	__u32 count = n, out, i, *keys;
	int err = 0;

	memset(vals, 0, n * vsize);
	keys = calloc(n ? n : 1, sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	/* one system call for the whole array where the kernel batches */
	if (bpf_map_lookup_batch(fd, NULL, &out, keys, vals, &count, NULL) &&
	    errno != ENOENT) {
		for (i = 0; i < n && !err; i++)
			if (bpf_map_lookup_elem(fd, &i, (char *)vals + i * vsize))
				err = -errno;
	}
	free(keys);
	return err;
}

/* The same by walking the keys, where batches are not taken. */
static int dump_walk(int fd, size_t ksize, size_t vsize, __u32 max,
		     char *kv, char *vv)
{
	char *k = malloc(ksize), *next = malloc(ksize);
	__u32 cnt = 0;
	int err = 0;

	if (!k || !next) {
		err = -ENOMEM;
		goto out;
	}
	if (bpf_map_get_next_key(fd, NULL, next))
		goto out;
	do {
		memcpy(k, next, ksize);
		if (!bpf_map_lookup_elem(fd, k, vv + cnt * vsize))
			memcpy(kv + cnt++ * ksize, k, ksize);
	} while (cnt < max && !bpf_map_get_next_key(fd, k, next));
out:
	free(k);
	free(next);
	return err ? err : (int)cnt;
}

int map_dump(int fd, size_t ksize, size_t vsize, __u32 max, void **keys,
	     void **vals)
{
	char *kv = calloc(max ? max : 1, ksize);
	char *vv = calloc(max ? max : 1, vsize);
	__u32 cnt = 0, count, batch;
	bool first = true;
	int err = 0;

	if (!kv || !vv) {
		err = -ENOMEM;
		goto out;
	}
	/* batches: one system call for thousands of elements */
	while (cnt < max) {
		count = max - cnt < 4096 ? max - cnt : 4096;
		err = bpf_map_lookup_batch(fd, first ? NULL : &batch, &batch,
					   kv + cnt * ksize, vv + cnt * vsize,
					   &count, NULL);
		if (err && errno == EINVAL && first) {
			err = dump_walk(fd, ksize, vsize, max, kv, vv);
			if (err < 0)
				goto out;
			cnt = err;
			err = 0;
			break;
		}
		first = false;
		cnt += count;
		if (err) {
			err = errno == ENOENT ? 0 : -errno;
			break;
		}
	}
out:
	if (err) {
		free(kv);
		free(vv);
		return err;
	}
	*keys = kv;
	*vals = vv;
	return cnt;
}

int map_percpu_sum(int fd, __u32 key, __u64 *sum, size_t nfields)
{
	int ncpu = libbpf_num_possible_cpus(), c;
	__u64 *v;
	size_t i;
	int err = 0;

	memset(sum, 0, nfields * sizeof(*sum));
	if (ncpu < 0)
		return ncpu;
	v = calloc((size_t)ncpu * nfields, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, &key, v))
		err = -errno;
	for (c = 0; !err && c < ncpu; c++)
		for (i = 0; i < nfields; i++)
			sum[i] += v[(size_t)c * nfields + i];
	free(v);
	return err;
}

int map_percpu_zero(int fd, __u32 key, size_t vsize)
{
	int ncpu = libbpf_num_possible_cpus(), err = 0;
	void *v;

	if (ncpu < 0)
		return ncpu;
	/* each CPU's value is rounded up to 8 bytes */
	v = calloc(ncpu, (vsize + 7) & ~(size_t)7);
	if (!v)
		return -ENOMEM;
	if (bpf_map_update_elem(fd, &key, v, BPF_ANY))
		err = -errno;
	free(v);
	return err;
}

void *map_mmap(int fd, size_t off, size_t bytes, size_t *len)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p;

	*len = (bytes + page - 1) / page * page;
	p = mmap(NULL, *len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		 fd, off);
	return p == MAP_FAILED ? NULL : p;
}

__u32 map_fd_id(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

void map_readers_wait(void)
{
	/* membarrier's global command is a synchronize_rcu(), which waits
	 * for every XDP and TC program running */
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0))
		usleep(20000);
}
