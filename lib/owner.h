/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Cubes that live as long as a process: "pcn capture" makes one, and
 * removes it when it ends. If the process is killed, the next mutating
 * pcn removes it: the owner holds an exclusive flock on owners/<cube>,
 * a directory of the netns tree, for as long as it lives; the kernel
 * lets the lock go when the process dies, however it dies. A sweep that
 * can take the lock knows the owner is gone (a pid could have been
 * reused; a lock does not outlive its process).
 *
 * The marker is made and its lock taken under the root's exclusive
 * lock, before the cube is: a sweep, which holds that lock too, never
 * sees a marker between the two steps.
 *
 * Functions return 0 (or an fd) or -errno and leave no reason.
 */
#ifndef __PCN_OWNER_H
#define __PCN_OWNER_H

#include <stdbool.h>

#define PCN_OWNERS_DIR "owners"

/*
 * Make the marker of cube @cube and lock it (the netns tree held for
 * writing). Keep the fd open for as long as the cube must live.
 * Return: the fd; -EEXIST if a live owner holds it; another -errno.
 */
int pcn_owner_claim(const char *cube);

/* Remove the marker of @cube and let its lock go (@fd from claim). */
void pcn_owner_release(const char *cube, int fd);

/*
 * Does cube @cube have an owner (alive, or gone and not swept yet)?
 * Return: true if it has a marker.
 */
bool pcn_owner_marked(const char *cube);

/*
 * Call @fn(cube) for each marker whose owner is gone, then remove the
 * marker, until @fn returns non-zero (the tree held for writing).
 * Return: 0, what @fn returned, or -errno.
 */
int pcn_owner_orphans(int (*fn)(const char *cube, void *arg), void *arg);

#endif /* __PCN_OWNER_H */
