/* SPDX-License-Identifier: GPL-2.0 */
/* The ddos cube's user space: ddos.c, blocklist.c, dm_table.c. */
#ifndef __PCN_DM_H
#define __PCN_DM_H

#include <stdbool.h>
#include "ddos.h"
#include "pcn.h"

extern const struct pcn_object blocklist_object;

/* fds of a ddos cube's maps */
struct dm_maps {
	int state;
	int lpm4;
	int lpm6;
	int list;
	int hits;
};
/* Open / close them all. 0 or -errno. */
int dm_maps_open(const struct pcn_cube *c, struct dm_maps *m);
void dm_maps_close(struct dm_maps *m);

/*
 * A ddos cube's block list as a command changes it: each entry it
 * touched, whether the kernel's list had it and whether it is to have
 * it, in a hash of its own. Committed at once outside a batch, at its
 * end in one: one switch of generation for all of it.
 */
struct dm_slot {
	struct ddos_entry e;
	__u8 used;
	__u8 was;			/* in the kernel's list */
	__u8 now;			/* to be in it */
};

struct dm_table {
	struct dm_table *next;		/* staged in a batch */
	char name[PCN_NAME_LEN];
	__u32 map_id;			/* ddos_list as read */
	int list_fd;			/* to look entries up */
	struct dm_slot *slot;
	__u32 size, used;		/* slots, a power of 2; used ones */
	__u32 changes;			/* slots with was != now */
	int first_line, last_line;	/* batch lines it holds */
	__u32 lookups;			/* entries looked up in list_fd */
	bool whole;			/* it holds every entry of list_fd */
};

/* after so many lookups, a table reads the kernel's list whole */
#define DM_LOOKUPS_MAX 4096

/* the table of cube @name, to change (staged in a batch) */
struct dm_table *dm_table_get(const char *name, int *err);
/* is @e to be in the list? */
int dm_table_has(struct dm_table *t, const struct ddos_entry *e, bool *has);
/* @e to be in the list, or not */
int dm_table_put(struct dm_table *t, const struct ddos_entry *e, bool in);
/* every entry (of side @side, or both if < 0) out of the list */
int dm_table_flush(struct dm_table *t, int side);
/* commit @t now, or at the end of the batch. Returns an exit code. */
int dm_table_done(struct dm_table *t);
/* a command failed: forget what it changed of @t (in a batch, the
 * batch's end drops all of it) */
void dm_table_drop(struct dm_table *t);
/* the batch ends: commit or drop what it staged. Returns an exit code. */
int dm_tables_end(bool commit, int failed_line);

/* "src" or "dst" */
const char *dm_side_name(__u32 side);
/* the list of a cube, sorted, into *@es (and the ids in *@ids) */
int dm_list_read(const struct dm_maps *m, struct ddos_entry **es,
		 __u32 **ids);
/* "blocklist add" lines of @c's list, for pcn save */
int dm_list_save(struct pcn_cube *c, struct pcn_save *s);

/*
 * "blocklist show DDOS top N": @c's packets per second, and its @count
 * sources with the most drops, over a second (top.c). 0 or -errno.
 */
int dm_top(struct pcn_cube *c, __u32 count);

#endif /* __PCN_DM_H */
