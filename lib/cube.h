/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Cubes as they live in the kernel: one directory per cube,
 *
 *   cubes/<name>/
 *     meta             record: type, mode, patch-panel slot, schema
 *     prog_<name>      the cube's programs (the first is the entry)
 *     <map name>       the cube's maps: pcn_ports, pcn_stats, ...
 *     link_<port>      bpf_link of a port's entry program on its interface
 *
 * and their ports, stats and patch-panel slots. Everything here reads and
 * writes pinned objects; nothing is kept in user space between commands.
 * Functions returning int return 0 (or an fd, an index) or -errno and
 * leave no reason: the caller gives one.
 */
#ifndef __PCN_CUBE_H
#define __PCN_CUBE_H

#include <limits.h>
#include <stdbool.h>
#include <linux/types.h>

#include "pcn_shared.h"

struct bpf_object;

#define PCN_TYPE_CONFIG_LEN 64

/*
 * A cube owns nslots consecutive patch-panel slots from slot on:
 *   standard     slot: its program; slot + 1 + N: what follows port N
 *   transparent  slot: its ingress program, slot + 1: egress program,
 *                slot + 2, slot + 3: what follows it, ingress / egress
 */
struct pcn_meta {
	__u32 magic;
	__u32 schema;
	char type[PCN_NAME_LEN];
	__u32 mode;		/* enum pcn_mode */
	__u32 slot;		/* first patch-panel slot */
	__u32 max_ports;	/* 0: transparent cube */
	__u32 flags;
	__u32 nslots;
	__u32 pad;
	__u8 config[PCN_TYPE_CONFIG_LEN]; /* the cube type's own */
};

#define PCN_TRANSPARENT_SLOTS 4

/* What follows port @port of a standard cube. Return: its slot. */
static inline __u32 meta_out_slot(const struct pcn_meta *m, __u32 port)
{
	return m->slot + 1 + port;
}

/* A transparent cube's program for direction @dir. Return: its slot. */
static inline __u32 meta_prog_slot(const struct pcn_meta *m, __u32 dir)
{
	return m->slot + dir;
}

/* What follows a transparent cube in direction @dir. Return: its slot. */
static inline __u32 meta_next_slot(const struct pcn_meta *m, __u32 dir)
{
	return m->slot + 2 + dir;
}

struct pcn_cube {
	char name[PCN_NAME_LEN];
	char dir[PATH_MAX];
	struct pcn_meta meta;
	int ports_fd;
	int stats_fd;
};

/* The word for @mode. Return: "xdp", "xdpgeneric", "tc" or "unknown". */
const char *mode_name(enum pcn_mode mode);
/*
 * Do cubes of modes @a and @b run at the same hook (XDP, or tc)?
 * Return: true if both are tc or neither is.
 */
static inline bool mode_same_hook(enum pcn_mode a, enum pcn_mode b)
{
	return (a == PCN_MODE_TC) == (b == PCN_MODE_TC);
}
/* Return: 0, or -EINVAL for a word that names no mode. */
int mode_parse(const char *arg, enum pcn_mode *mode);

/*
 * Open a published cube of the current netns.
 * Return: 0; -ENOENT if there is none; -EINVAL for a name no cube may
 * have; -EPROTO for a cube of another schema; -EBADF for a damaged one
 * (pins missing); another -errno.
 */
int cube_open(const char *name, struct pcn_cube *c);
void cube_close(struct pcn_cube *c);
/*
 * A new fd for the pin FILE of the cube (a map or program).
 * Return: the fd, or -errno (-ENOENT if there is no such pin).
 */
int cube_obj_fd(const struct pcn_cube *c, const char *file);
/*
 * One element of the cube's map FILE: read, write (any), delete (gone is
 * fine).
 * Return: 0 or -errno (-ENOENT if the key or the map is absent).
 */
int cube_map_get(const struct pcn_cube *c, const char *file, const void *key,
		 void *val);
/* Write one element. Return: 0 or -errno. */
int cube_map_put(const struct pcn_cube *c, const char *file, const void *key,
		 const void *val);
/* Delete one element. Return: 0 (also if it was gone) or -errno. */
int cube_map_del(const struct pcn_cube *c, const char *file, const void *key);
/* Write @c->meta back to the cube's meta record. Return: 0 or -errno. */
int cube_meta_write(struct pcn_cube *c);

/*
 * Call @fn for each cube of the current netns that opens, in name order,
 * until it returns non-zero (which is returned). With @only, that cube
 * alone. A cube that does not open is skipped, @only too.
 * Return: 0, what @fn returned, or -errno listing the cubes.
 */
int cube_for_each(const char *only, int (*fn)(struct pcn_cube *c, void *arg),
		  void *arg);

/*
 * Names of the cubes of the current netns, sorted; free with
 * cube_names_free().
 * Return: 0 (none: *@names NULL, *@count 0) or -errno (-ENOMEM).
 */
int cube_names(char ***names, int *count);
void cube_names_free(char **names, int count);

/* Ports */
/*
 * The PCN_MAX_PORTS port records of @c (zeros for a transparent cube).
 * Return: 0 or -errno.
 */
int cube_ports_read(struct pcn_cube *c, struct pcn_port *ports);
/* Port @name among @ports[@max]. Return: its index, or -ENOENT. */
int cube_port_find(const struct pcn_port *ports, int max, const char *name);
/* Write the record of port @idx. Return: 0 or -errno. */
int cube_port_write(struct pcn_cube *c, __u32 idx, const struct pcn_port *p);
/* Empty the record of port @idx. Return: 0 or -errno. */
int cube_port_clear(struct pcn_cube *c, __u32 idx);
/* Zero the counters of port @idx on every CPU. Return: 0 or -errno. */
int cube_stats_reset(struct pcn_cube *c, __u32 idx);

/*
 * Loading a cube: open the embedded object, share the netns patch panel
 * and scratch maps with it, load it (verifier), and pin its programs and
 * maps into DIR along with a meta record.
 */
struct cube_spec {
	const char *name;
	const char *type;
	enum pcn_mode mode;
	const void *elf;
	size_t elf_size;
	__u32 max_ports;
	__u32 slot;		/* first of the cube's slots */
	__u32 nslots;
	const __u8 *config;	/* PCN_TYPE_CONFIG_LEN bytes, or NULL */
	/* fills the cube's maps (pinned in the staging directory) */
	int (*init)(struct pcn_cube *c);
	/* before load: sizes of its maps from @config (may be NULL) */
	int (*prepare)(struct bpf_object *obj, const __u8 *config);
};

/*
 * Open and load @spec's object, into *@objp.
 * Return: 0 or -errno (the verifier's word in pcn_libbpf_last_log()).
 */
int cube_load(const struct cube_spec *spec, struct bpf_object **objp);
/*
 * The netns map a cube's map @name stands for (pcn_patchpanel...).
 * Return: a new fd; -ENOENT if @name is not one (or it is not pinned);
 * another -errno.
 */
int pcn_shared_map_fd(const char *name, enum pcn_mode mode);
/*
 * Set a 4-byte .rodata variable of @obj before load, by name.
 * Return: 0; -ENOENT when the object has no such variable; -EINVAL if
 * it is not 4 bytes; another -errno.
 */
int obj_set_rodata_u32(struct bpf_object *obj, const char *var, __u32 val);
/*
 * Pin @obj's programs and maps, and a meta record, into @dir.
 * Return: 0 or -errno.
 */
int cube_pin(const struct cube_spec *spec, struct bpf_object *obj,
	     const char *dir);

#endif /* __PCN_CUBE_H */
