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

static inline __u32 meta_out_slot(const struct pcn_meta *m, __u32 port)
{
	return m->slot + 1 + port;
}

/* a transparent cube's program for direction @dir, and its next slot */
static inline __u32 meta_prog_slot(const struct pcn_meta *m, __u32 dir)
{
	return m->slot + dir;
}

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

const char *mode_name(enum pcn_mode mode);
int mode_parse(const char *arg, enum pcn_mode *mode);

/* Open a published cube of the current netns; -ENOENT if there is none. */
int cube_open(const char *name, struct pcn_cube *c);
void cube_close(struct pcn_cube *c);
/* Report "cube NAME does not exist" etc. for an error of cube_open(). */
int cube_open_err(const char *name, int err);
/* A new fd for the pin FILE of the cube (a map or program). */
int cube_obj_fd(const struct pcn_cube *c, const char *file);
/* One element of the cube's map FILE: read, write (any), delete (gone is fine). */
int cube_map_get(const struct pcn_cube *c, const char *file, const void *key,
		 void *val);
int cube_map_put(const struct pcn_cube *c, const char *file, const void *key,
		 const void *val);
int cube_map_del(const struct pcn_cube *c, const char *file, const void *key);
int cube_meta_write(struct pcn_cube *c);

/*
 * Call @fn for each cube of the current netns that opens, in name order,
 * until it returns non-zero (which is returned). With @only, that cube
 * alone.
 */
int cube_for_each(const char *only, int (*fn)(struct pcn_cube *c, void *arg),
		  void *arg);

/* Names of the cubes of the current netns, sorted; free with cube_names_free */
int cube_names(char ***names, int *count);
void cube_names_free(char **names, int count);

/* Ports */
int cube_ports_read(struct pcn_cube *c, struct pcn_port *ports);
int cube_port_find(const struct pcn_port *ports, int max, const char *name);
int cube_port_write(struct pcn_cube *c, __u32 idx, const struct pcn_port *p);
int cube_port_clear(struct pcn_cube *c, __u32 idx);
int cube_stats_read(struct pcn_cube *c, __u32 idx, struct pcn_port_stats *sum);
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
};

int cube_load(const struct cube_spec *spec, struct bpf_object **objp);
/* fd of the netns map a cube's map @name stands for (pcn_patchpanel...) */
int pcn_shared_map_fd(const char *name, enum pcn_mode mode);
int obj_set_rodata_u32(struct bpf_object *obj, const char *var, __u32 val);
int cube_pin(const struct cube_spec *spec, struct bpf_object *obj,
	     const char *dir);
/* Put the loaded cube's programs in its slots. */
int cube_install(const struct cube_spec *spec, struct bpf_object *obj);

/* Patch panel of the current netns (one per mode). */
int panel_set(enum pcn_mode mode, __u32 slot, int prog_fd);
int panel_clear(enum pcn_mode mode, __u32 slot);
void panel_clear_range(enum pcn_mode mode, __u32 slot, __u32 n);
/* The prog id in a slot, 0 if empty. */
__u32 panel_prog_id(enum pcn_mode mode, __u32 slot);

#endif /* __PCN_CUBE_H */
