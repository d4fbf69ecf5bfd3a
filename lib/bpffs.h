/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pin tree in bpffs: the root, its lock, the per-netns directory and
 * staging directories with their intent records.
 *
 *   ROOT/                        default /sys/fs/bpf/pcn, 0700, flock'd
 *     ns-<netns inode>/          one per network namespace
 *       meta                     schema version, netns cookie
 *       panel_xdp  panel_tc      patch panels (prog_array): slot -> cube
 *       scratch_xdp              per-CPU metadata for XDP tail calls
 *       points  chains           attachment points and their chains of
 *                                transparent cubes (see pcn_shared.h)
 *       links/point<id>          entry programs of interface points
 *       cubes/<name>/            one per cube (see cube.h)
 *       owners/<name>/           a cube's owner process (see owner.h)
 *       staging-<pid>-<n>/       a mutation in progress: an "intent"
 *                                record and the objects being built
 *
 * Functions returning int return 0 (or an fd) or -errno; only
 * pcn_state_open() leaves a reason.
 */
#ifndef __PCN_BPFFS_H
#define __PCN_BPFFS_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>

#include "pcn_shared.h"

#define PCN_DEFAULT_ROOT "/sys/fs/bpf/pcn"
#define PCN_ROOT_ENV "PCN_ROOT"
#define PCN_STAGING_PREFIX "staging-"	/* bpffs refuses names with a dot */

enum pcn_access {
	PCN_READ = 1,		/* shared lock; nothing is created */
	PCN_WRITE = 2,		/* exclusive lock; tree created, swept */
	PCN_WRITE_EXISTING = 3,	/* exclusive lock, swept; -ENOENT if no tree */
};

/* The netns directory's record. */
struct pcn_ns_meta {
	__u32 magic;
	__u32 schema;
	__u64 netns_cookie;
	__u64 netns_ino;
	__u32 next_rec;		/* chain records are handed out round-robin */
	__u32 pad;
};

/* What a staging directory was doing, for the sweep to finish or undo. */
enum pcn_intent_op {
	PCN_INTENT_NONE = 0,
	PCN_INTENT_CUBE_ADD = 1,
	PCN_INTENT_CUBE_DEL = 2,
	PCN_INTENT_LINK_ADD = 3,
	PCN_INTENT_LINK_DEL = 4,
	PCN_INTENT_PEER_ADD = 5,	/* cube2:port2 made first, cube:port last */
	PCN_INTENT_PEER_DEL = 6,	/* cube:port removed first */
	PCN_INTENT_CHAIN = 7,		/* a transparent cube (de)attached */
	PCN_INTENT_PORT_SET = 8,	/* a port kept while its peer changes:
					 * cube:port first, cube2:port2 last */
};

struct pcn_intent {
	__u32 op;
	__u32 mode;		/* enum pcn_mode of the cube */
	__u32 slot;
	__u32 port;
	__u32 ifindex;		/* interface of a port being linked */
	__u32 point;		/* point being rewired (CHAIN) */
	char cube[PCN_NAME_LEN];
	char port_name[PCN_NAME_LEN];
	__u32 port2;		/* the other end of a peer link */
	__u32 pad;
	char cube2[PCN_NAME_LEN];
	char port2_name[PCN_NAME_LEN];
};

struct pcn_stage {
	char path[PATH_MAX];
};

/* Override the root (-root option); otherwise $PCN_ROOT or the default. */
void pcn_root_set(const char *path);
/* The root in force. Return: its path, never NULL. */
const char *pcn_root(void);

/*
 * Open the tree for this netns under a lock. PCN_READ and
 * PCN_WRITE_EXISTING change nothing when there is nothing yet (no root
 * or no netns directory). PCN_WRITE mounts bpffs if needed and creates
 * the tree. Calls nest: the lock is held until the process exits.
 * The caller sweeps (lib/sweep.h) once it holds the exclusive lock.
 * Return: 0; -ENOENT when there is no tree (PCN_READ,
 * PCN_WRITE_EXISTING); another -errno, with a reason.
 */
int pcn_state_open(enum pcn_access access);
/*
 * Open and lock the root alone, as pcn_state_open() does before it
 * opens the netns directory: for what looks at every namespace.
 * Return: 0; -ENOENT when there is no root (PCN_READ,
 * PCN_WRITE_EXISTING); another -errno, with a reason.
 */
int pcn_root_open(enum pcn_access access);
/*
 * Forget the netns directory opened, keeping the root and its lock:
 * the process entered another network namespace, whose directory the
 * next pcn_state_open() opens (and a writer sweeps).
 */
void pcn_state_leave(void);
/*
 * Let the lock go, and forget the tree: for a process that goes on
 * running after its change (pcn capture, the STP agent between its
 * passes), so that other commands run meanwhile. The next
 * pcn_state_open() takes the lock again, opens the netns directory
 * afresh, and a writer sweeps again; what was opened before may have
 * changed by then.
 */
void pcn_state_unlock(void);
/*
 * Whether this process swept the netns since it locked it, and say so.
 * Return: true once pcn_state_set_swept() was called.
 */
bool pcn_state_swept(void);
void pcn_state_set_swept(void);

/*
 * Absolute path of the current netns directory.
 * Return: the path, in static storage ("" before pcn_state_open()).
 */
const char *pcn_ns_dir(void);
/*
 * The same for the path @fmt inside it, in @buf.
 * Return: 0, or -ENAMETOOLONG if it did not fit (@buf cut).
 */
int pcn_ns_path(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Remove the netns directory once its last cube is gone, so that a
 * namespace without cubes leaves nothing behind. Needs the write lock.
 * Return: 0 (also when it is not empty, or none is open) or -errno.
 */
int pcn_ns_remove_if_empty(void);

/*
 * Remove the netns directory @name ("ns-INODE") of the root, whatever
 * it holds: renamed out of sight in one step, then taken apart. Needs
 * the write lock.
 * Return: 0 or -errno.
 */
int pcn_ns_dir_remove(const char *name);
/* The cookie of the network namespace the process is in. Return: 0 or -errno. */
int pcn_netns_cookie(__u64 *cookie);
/* Read the record of the netns directory @dir. Return: 0 or -errno. */
int pcn_ns_dir_meta(const char *dir, struct pcn_ns_meta *meta);

/*
 * Shared per-netns maps, as new fds (caller closes): the patch panel of
 * @mode's hook family.
 * Return: the fd, or -errno (-ENOENT if it is not pinned).
 */
int pcn_panel_fd(enum pcn_mode mode);
/* The XDP scratch map. Return: its fd, or -errno. */
int pcn_scratch_fd(void);
/* The points map. Return: its fd, or -errno. */
int pcn_points_fd(void);
/* The chains map. Return: its fd, or -errno. */
int pcn_chains_fd(void);
/* Read the netns directory's record. Return: 0 or -errno. */
int pcn_ns_meta_get(struct pcn_ns_meta *meta);
/* Overwrite the netns directory's record. Return: 0 or -errno. */
int pcn_ns_meta_put(const struct pcn_ns_meta *meta);

/*
 * Staging directories with intent records: make one holding @intent;
 * remove it with what it holds.
 * Return: 0 or -errno.
 */
int pcn_stage_begin(struct pcn_stage *st, const struct pcn_intent *intent);
void pcn_stage_end(struct pcn_stage *st);
/* The intent record of @stage_dir. Return: 0 or -errno. */
int pcn_intent_read(const char *stage_dir, struct pcn_intent *intent);

/*
 * Remove a directory tree of pins; missing is fine.
 * Return: 0 or -errno (-ENOTEMPTY if something inside stayed).
 */
int pcn_rmtree(const char *path);
/* Is there anything at @path? Return: true if lstat() finds it. */
bool pcn_path_exists(const char *path);

/*
 * Iterate over the current netns' staging directories (for the sweep),
 * until @fn returns non-zero.
 * Return: 0, what @fn returned, or -errno.
 */
int pcn_for_each_stage(int (*fn)(const char *path, void *arg), void *arg);


#endif /* __PCN_BPFFS_H */
