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

/* "probe_ingress" or "probe_egress" */
const char *probe_dir_name(__u32 dir);

/*
 * Load the probe in object file @path into cube @c (a dynmon) for
 * direction @dir, replacing the one there in one step.
 * Return: 0; -ENOENT, -EINVAL (with a reason) for a file that is not a
 * probe; another -errno (the verifier's word in pcn_libbpf_last_log()).
 */
int probe_load(const struct pcn_cube *c, __u32 dir, const char *path);

/*
 * Take the probe of @dir out (packets then pass unprobed).
 * Return: 0, or -ENOENT if there is none, or another -errno.
 */
int probe_unload(const struct pcn_cube *c, __u32 dir);

#endif /* __PCN_LIB_PROBE_H */
