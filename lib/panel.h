/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The patch panel of a network namespace: one prog_array per hook family
 * (XDP, tc), whose slots hold the programs packets tail-call into. A
 * cube owns a range of slots (see struct pcn_meta), a port its entry
 * slot, an interface point its own; slots 0 and 1 hold the programs
 * that end chains (to the host, out of an interface) while a chain can
 * end in them or a transparent cube is attached. Nothing is owned by a
 * record of its own: what owns a slot is read from the cubes and points
 * (slots_mark()).
 * Functions returning int return 0 or -errno and leave no reason.
 */
#ifndef __PCN_PANEL_H
#define __PCN_PANEL_H

#include <stdbool.h>
#include <linux/types.h>

#include "pcn_shared.h"

struct bpf_object;
struct cube_spec;

/* Return: 0 or -errno. */
int panel_set(enum pcn_mode mode, __u32 slot, int prog_fd);
/* Return: 0 or -errno (an empty slot is fine). */
int panel_clear(enum pcn_mode mode, __u32 slot);
void panel_clear_range(enum pcn_mode mode, __u32 slot, __u32 n);
/*
 * Return: the id of the program in @slot, 0 if it is empty (or the panel
 * cannot be read).
 */
__u32 panel_prog_id(enum pcn_mode mode, __u32 slot);
/*
 * Put the program in slot @from also in slot @to.
 * Return: 0; -ENOENT if @from is empty; another -errno.
 */
int panel_copy(enum pcn_mode mode, __u32 from, __u32 to);

/*
 * The slots of @mode's patch panel that the state of the netns gives an
 * owner to (cubes' ranges, ports' entry slots, interface points, the
 * finals while a chain can end in them or any transparent cube is
 * attached), in @used[PCN_MAX_SLOTS].
 * Return: 0 or -errno.
 */
int slots_mark(enum pcn_mode mode, bool *used);
/*
 * @n consecutive free slots, the first in *@base (nothing is written).
 * Return: 0; -ENOSPC if there are none; another -errno.
 */
int panel_alloc(enum pcn_mode mode, __u32 n, __u32 *base);
/*
 * Empty the finals of @mode's panel if nothing uses them (slots_mark()).
 * Return: 0 or -errno.
 */
int finals_gc(enum pcn_mode mode);

/*
 * Put a loaded cube's programs in its slots.
 * Return: 0; -ENOENT if a standard cube's object has no program named
 * after its type; another -errno.
 */
int panel_install(const struct cube_spec *spec, struct bpf_object *obj);

#endif /* __PCN_PANEL_H */
