/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading and writing maps as a whole: every element of an array or a
 * hash in few system calls, per-CPU counters summed, an mmapable array
 * mapped in place. Functions returning int return 0 (map_dump(): a
 * count) or -errno and leave no reason.
 */
#ifndef __PCN_MAP_H
#define __PCN_MAP_H

#include <stddef.h>
#include <linux/types.h>

/*
 * Elements 0..@n-1 of array map @fd, each @vsize bytes, into @vals:
 * one read where the kernel batches.
 * Return: 0 or -errno.
 */
int map_array_read(int fd, __u32 n, size_t vsize, void *vals);

/*
 * Every element of hash map @fd (at most @max), keys of @ksize bytes,
 * values of @vsize, into arrays it allocates (caller frees both).
 * Return: the count, or -errno.
 */
int map_dump(int fd, size_t ksize, size_t vsize, __u32 max, void **keys,
	     void **vals);

/*
 * The @nfields __u64 counters at @key of per-CPU map @fd, summed over
 * the CPUs, into @sum (zeros if the key cannot be read).
 * Return: 0 or -errno.
 */
int map_percpu_sum(int fd, __u32 key, __u64 *sum, size_t nfields);

/*
 * Every CPU's value at @key of per-CPU map @fd, @vsize bytes, to zero.
 * Return: 0 or -errno.
 */
int map_percpu_zero(int fd, __u32 key, size_t vsize);


/*
 * @bytes of the values of mmapable array map @fd from byte @off (a
 * multiple of the page size), in place: what the datapath reads. Only
 * those pages are mapped. munmap(@ret, *@len) when done.
 * Return: the mapping, or NULL and errno.
 */
void *map_mmap(int fd, size_t off, size_t bytes, size_t *len);
/*
 * The id of map @fd: a map deleted and made again (a cube deleted and
 * added again) has a new one.
 * Return: the id, or 0 if it cannot be read.
 */
__u32 map_fd_id(int fd);

/*
 * Wait until no XDP or TC program that was running when it was called
 * still runs: after a switch to a new generation of a table, no packet
 * is still in the old one.
 */
void map_readers_wait(void);

#endif /* __PCN_MAP_H */
