/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Probes of a dynmon cube (bpf/dynmon.h, include/pcn/probe.h): a program
 * of the user's, with its maps, loaded from an eBPF object file and put
 * in the cube's probe slot of a direction by one map update. Each probe
 * lives in a directory of the cube,
 *
 *   cubes/<name>/probe_<dir>/     dir: ingress or egress
 *     prog                        its entry program
 *     file                        map: the object file it came from
 *     map_<name>                  its own maps
 *
 * built as probe_<dir>_new, then swapped in (rename exchange) once the
 * slot holds the new program. Functions return 0 or -errno, with a
 * reason where the errno would not say what is wrong.
 */
#ifndef __PCN_LIB_PROBE_H
#define __PCN_LIB_PROBE_H

#include <linux/types.h>

#include "cube.h"

#define PROBE_FILE_LEN 256

/*
 * A metric a probe declares (PCN_METRIC() of <pcn/probe.h>), as pinned
 * in its directory (map "metrics", one entry each, PROBE_MAX_METRICS at
 * most): every string NUL-terminated. A metric of read mode swap has
 * its two generations pinned beside the outer map map_<map>, as
 * gen_<map>_0 and gen_<map>_1.
 */
#define PROBE_MAX_METRICS 16
#define PROBE_MAX_BUCKETS 64

enum probe_read {
	PROBE_READ_ASIS,
	PROBE_READ_EMPTY,	/* zeroed or deleted once read */
	PROBE_READ_SWAP,	/* generations swapped, the old one read */
};

struct probe_metric {
	char name[64];
	char type[16];		/* counter, gauge or histogram */
	char map[32];
	char field[32];		/* "" : the value itself; a histogram's count */
	char label[32];		/* "" for a histogram */
	char help[128];
	__u32 read;		/* enum probe_read */
	__u32 buckets;		/* a histogram's: bounds, then +Inf */
	char sum[32];		/* a histogram's sum field */
	__u64 le[PROBE_MAX_BUCKETS];	/* bounds, inclusive, increasing */
};

/* "probe_ingress" or "probe_egress" */
const char *probe_dir_name(__u32 dir);

/*
 * Load the probe in object file @path into cube @c (a dynmon) for
 * direction @dir, replacing the one there in one step; @name is the
 * file the user gave (@path, or the C file it was built from), for
 * messages and show.
 * Return: 0; -ENOENT, -EINVAL (with a reason) for a file that is not a
 * probe; another -errno (the verifier's word in pcn_libbpf_last_log()).
 */
int probe_load(const struct pcn_cube *c, __u32 dir, const char *path,
	       const char *name);

/*
 * Where the __u64 @field ("": the value itself) of BTF type @value_id
 * is in a value. Return: its offset, or -EINVAL if there is no such
 * __u64.
 */
struct btf;
int probe_metric_offset(const struct btf *btf, __u32 value_id,
			const char *field);

/*
 * The map to read metric @m of the probe of @dir from, into *@fd: the
 * map itself; for read mode swap, the generation the probe counted in
 * until now, once the other is in its place and no probe runs on it
 * any more. Reads that empty a map must hold probe_read_lock().
 * Return: 0 or -errno.
 */
int probe_metric_map(const struct pcn_cube *c, __u32 dir,
		     const struct probe_metric *m, int *fd);

/*
 * Empty map @fd after a read (read modes empty and swap): an array's
 * entries zeroed, a hash's deleted. Return: 0 or -errno.
 */
int probe_map_empty(int fd);

/*
 * Lock the probe of @dir against another read that empties its maps.
 * Return: an fd to close to unlock, or -errno (-ENOENT: no probe).
 */
int probe_read_lock(const struct pcn_cube *c, __u32 dir);

/*
 * Take the probe of @dir out (packets then pass unprobed).
 * Return: 0, or -ENOENT if there is none, or another -errno.
 */
int probe_unload(const struct pcn_cube *c, __u32 dir);

#endif /* __PCN_LIB_PROBE_H */
