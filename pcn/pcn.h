/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pcn command: what its objects and the cube types share. A cube
 * type (a folder pcn/cubes/TYPE) includes this header, fills a struct cube_type
 * named TYPE_type, and is found by the build (see "Adding a cube type"
 * in Documentation/cube-types.md); nothing here names a type.
 *
 * Layers, each calling only down: cube types, the command (pcn:
 * options, dispatch, batch, the cube and link objects, what objects
 * share), the engine (lib: returns 0 or -errno and never prints), the
 * datapath headers (bpf/). Functions of this layer return an exit code
 * (report.h) after reporting any error once.
 */
#ifndef __PCN_PCN_H
#define __PCN_PCN_H

#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <linux/types.h>

#include "args.h"
#include "bpffs.h"
#include "clock.h"
#include "copy.h"
#include "cube.h"
#include "error.h"
#include "json_print.h"
#include "map.h"
#include "parse.h"
#include "port.h"
#include "report.h"
#include "utils.h"

/*
 * A command line being completed (pcn -complete, complete.c), as an
 * object's completer sees it: the verb, the values its grammar bound so
 * far ("FIREWALL" to "fw1"), and where the candidates go.
 */
struct pcn_line;
const char *pcn_line_verb(const struct pcn_line *l);
/* the word bound to value @name ("CHAIN"), or NULL */
const char *pcn_line_value(const struct pcn_line *l, const char *name);
/* offer a candidate (dropped unless it extends the word being typed) */
void pcn_line_emit(struct pcn_line *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* call @fn on each cube of type @type, or on cube @only if not NULL */
void pcn_line_cubes(struct pcn_line *l, const char *type, const char *only,
		    void (*fn)(struct pcn_line *l, struct pcn_cube *c));

/* How an object completes value @value of its grammar ("N", "MAC"). */
struct pcn_completion {
	const char *value;		/* NULL ends */
	void (*fn)(struct pcn_line *l);
};

/* The verbs of an object, bpftool's cmd_select() style. */
struct pcn_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
};

/*
 * An object: "pcn OBJECT VERB ..." runs the verb of @cmds (see
 * pcn_cmd_select()), or fn(argc, argv) after OBJECT for an object
 * without verbs.
 */
struct pcn_object {
	const char *name;
	const struct pcn_cmd *cmds;
	int (*fn)(int argc, char **argv);
	const char *summary;
	/* its usage, as "pcn OBJECT help" prints it: also its grammar, for
	 * completion (lines "pcn OBJECT ..." and "X := ...") */
	void (*usage)(FILE *f);
	const struct pcn_completion *complete;
};

/*
 * pcn -complete [ OPTIONS ] WORD...: what may follow (complete.c), from
 * the grammar of the objects @each_object walks.
 */
int pcn_complete(int argc, char **argv,
		 int (*each_object)(int (*fn)(const struct pcn_object *o,
					      void *arg), void *arg));

/*
 * Run verb argv[0] of @object from @cmds, a table ended by a NULL name
 * whose first entry runs when no verb is given; "help" prints @usage.
 */
int pcn_cmd_select(const char *object, const struct pcn_cmd *cmds, int argc,
		   char **argv, void (*usage)(FILE *f));

/*
 * A cube's counters: per-CPU __u64s at @key of its map @map, in the order
 * of struct they are in, each printed by one generic path. In JSON they
 * are "stats": { GROUP: { KEY: N, ... }, ... } (see pcn(8), COUNTERS);
 * in text, each counter's @fmt, in the order given.
 */
struct pcn_counter {
	const char *group;		/* JSON: the object it is in */
	const char *key;		/* JSON: its name there */
	const char *fmt;		/* text: with one PRIu64 */
};

struct pcn_counters {
	const char *map;		/* NULL ends a list of these */
	__u32 key;
	const char *heading;		/* text before the counters, or NULL */
	const struct pcn_counter *counter;	/* one per field, NULL key ends */
};

/*
 * pcn save (save.c) prints what recreates the cubes of a namespace: a
 * "cube add" line for each, then the links, then what each type's hook
 * (cube_type.save) wrote of its cube. The hook writes, through @s:
 *
 *   pcn_save_args()  the words that follow "cube add NAME type TYPE mode
 *                    MODE" (its TYPE_ARGS, every setting given);
 *   pcn_save_line()  whole lines, run once every cube is wired ("cube set
 *                    NAME port PORT ...", "fdb add ...", "rule append ...");
 *   pcn_save_skip()  what the cube learns from traffic, which a save
 *                    leaves out ("dynamic fdb entries"), named once in
 *                    a comment at the top.
 *
 * The lines must be the same for the same configuration, whatever the
 * order the kernel hands entries out in: sort what a map dump returns.
 * A port's index depends on the order ports were made in: go through
 * the ports with pcn_save_port(), in the order of their names.
 */
struct pcn_save;
void pcn_save_args(struct pcn_save *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void pcn_save_line(struct pcn_save *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void pcn_save_skip(struct pcn_save *s, const char *what);
/* The @i-th port of the cube by name (its index in *@idx), NULL after the last. */
const struct pcn_port *pcn_save_port(struct pcn_save *s, int i, __u32 *idx);

/* The save schema: the grammar of what pcn save prints ("schema N"). */
#define PCN_SAVE_SCHEMA 1

/*
 * A sample a cube type adds to pcn metrics beyond its counters (a
 * dynmon's probes' metrics). pcn metrics labels it netns, cube and
 * type, then with the type's own labels.
 */
struct pcn_sample {
	const char *name;		/* its family: a counter's without _total */
	const char *help;
	bool counter;			/* else a gauge */
	const char *label[2][2];	/* { name, value }; NULL name: none */
	__u64 value;
	/*
	 * A histogram's samples: its family's type is histogram, and
	 * @suffix ("_bucket", with an le label, "_sum" or "_count") ends
	 * the sample's name. NULL: a counter or gauge.
	 */
	const char *suffix;
};
typedef void (*pcn_sample_fn)(const struct pcn_sample *s, void *arg);

/*
 * A cube type. Its folder pcn/cubes/NAME/ holds NAME_type and the
 * objects that belong to it; its datapath is bpf/NAME.bpf.c and
 * bpf/NAME.h.
 */
struct cube_type {
	const char *name;
	const char *summary;
	/* where "pcn help" and "pcn cube help" list it: lower first */
	int order;
	/* the grammar of its TYPE_ARGS, for usage and completion */
	const char *add_usage;		/* "cube add NAME type T [mode M] ..." */
	const char *set_usage;		/* "cube set NAME ..." */
	const char *const *definitions;	/* "STATE := { ... }", NULL-ended */
	const void *(*elf_xdp)(size_t *size);
	const void *(*elf_tc)(size_t *size);
	__u32 max_ports;		/* 0 for a transparent cube */
	/* "cube add NAME type T [mode M] ARGS": fill meta config */
	int (*parse_add)(int argc, char **argv, __u8 *config);
	/* fill the cube's maps from its meta config, before it is published */
	int (*init)(struct pcn_cube *c);
	/* before its object is loaded: what its meta config changes in
	 * the object (the sizes of its maps); 0 or -errno */
	int (*prepare)(struct bpf_object *obj, const __u8 *config);
	/* "cube set NAME ARGS" */
	int (*set)(struct pcn_cube *c, int argc, char **argv);
	/* type-specific fields of the cube, and of one port */
	void (*show)(struct pcn_cube *c);
	void (*show_port)(struct pcn_cube *c, const struct pcn_port *ports,
			  __u32 idx);
	/* a port was made (record written, not yet committed) */
	int (*port_added)(struct pcn_cube *c, __u32 idx,
			  const struct pcn_port *p);
	/* a port goes away: drop the type's state that refers to it */
	int (*port_removed)(struct pcn_cube *c, __u32 idx);
	/* a port's record changed from @was to @p: its peer, or the
	 * transparent cubes on its way out */
	int (*port_changed)(struct pcn_cube *c, __u32 idx,
			    const struct pcn_port *was,
			    const struct pcn_port *p);
	/*
	 * The first address of @family (4 or 6) of port @idx, into @addr
	 * (4 or 16 bytes): what the port answers to, for the types that
	 * follow it (nat's masquerade) without reading this type's maps.
	 * Returns 0, -ENOENT (none) or -errno.
	 */
	int (*port_addr)(struct pcn_cube *c, __u32 idx, int family,
			 __u8 *addr);
	/* the cube's own counters (-s), a list ended by a NULL map */
	const struct pcn_counters *counters;
	/* pcn metrics: samples beyond its counters, each through @fn;
	 * returns 0 or -errno */
	int (*metrics)(struct pcn_cube *c, pcn_sample_fn fn, void *arg);
	/*
	 * pcn save: the cube's configuration, through @s (see struct
	 * pcn_save above). Returns an exit code, after reporting.
	 */
	int (*save)(struct pcn_cube *c, struct pcn_save *s);
	/* the objects of the type ("fdb" of the bridge), NULL-ended */
	const struct pcn_object *const *objects;
	/*
	 * A -batch ends: @commit what the batch staged, or drop it and
	 * say so (line @failed_line failed). Returns an exit code.
	 */
	int (*batch_end)(bool commit, int failed_line);
};

/*
 * A type registers itself: PCN_CUBE_TYPE(bridge_type) in its folder puts
 * a pointer to it in the section pcn_types, which the linker gathers
 * from every object the build links (each folder of pcn/cubes/), and no
 * list names it anywhere else.
 */
#define PCN_CUBE_TYPE(t)                                                   \
	static const struct cube_type *const __pcn_type_##t                \
		__attribute__((used, section("pcn_types"))) = &t

/* The types linked in, in listing order; NULL ends. */
const struct cube_type *const *cube_types(void);
const struct cube_type *cube_type_find(const char *name);
/* What the engine asks of a cube's type (its port hooks). */
extern const struct port_hooks type_port_hooks;

/* The whole command: global options, then one object or -batch. */
int pcn_run(int argc, char **argv);
/* pcn called as pcn-cni: a CNI plugin (cni.c). Returns an exit code. */
int cni_main(void);
/*
 * Counts the commands run: a command may keep what it opened for the
 * next one if that comes right after it (pcn_cmd_gen one higher), when
 * nothing else can have changed the tree in between.
 */
extern unsigned long pcn_cmd_gen;

/* Run one command line (argv[0] is the object), as main and -batch do. */
int pcn_dispatch(int argc, char **argv);
/*
 * -batch FILE, or (@restore) restore FILE, whole or nothing (batch.c):
 * each line run by @dispatch. Returns an exit code.
 */
int batch_file_run(const char *name, bool restore,
		   int (*dispatch)(int argc, char **argv));
/*
 * A batch ends (or moves to another namespace): each type commits what
 * it staged, or drops it and says so of each line (@failed_line failed;
 * 0: says nothing, the whole batch is undone). Returns an exit code.
 */
int batch_end(bool commit, int failed_line);
/* Enter network namespace @name (-n NETNS; tree.c). Returns an exit code. */
int netns_switch(const char *name);
/* The process entered another network namespace: forget the last one's state. */
void pcn_netns_entered(void);

/* The core objects (cube.c, link.c, save.c, netns.c). */
extern const struct pcn_object cube_object;
extern const struct pcn_object link_object;
extern const struct pcn_object save_object;
extern const struct pcn_object flush_object;
extern const struct pcn_object netns_object;
extern const struct pcn_object metrics_object;
extern const struct pcn_object profile_object;

/*
 * @fn for each network namespace the root holds state for (netns.c,
 * lib/netns.h), under the root's lock (@write: exclusive): the process
 * is in it while @fn runs if @in (it lives, and has a file to enter it
 * by), else in its own. Stops at the first error; returns an exit code.
 */
struct pcn_netns;
int netns_each(bool write,
	       int (*fn)(const struct pcn_netns *ns, bool in, void *arg),
	       void *arg);

/*
 * What pcn save prints of the namespace the process is in (no "-n"),
 * header included, into *@text (malloc'd; the caller frees it).
 * Returns an exit code.
 */
int save_ns_text(char **text);
/* Delete cube @name (cube.c), as "cube del" does. Returns an exit code. */
int cube_delete(const char *name);
/* Delete every cube of the namespace ("cube flush"). Returns an exit code. */
int cube_flush_all(void);

/*
 * Open the pin tree for a command (tree.c): shared lock to read,
 * exclusive to change (and then swept). *@none (may be NULL for
 * PCN_WRITE) says there is no tree yet for PCN_READ and
 * PCN_WRITE_EXISTING; nothing is reported then.
 */
int tree_open(enum pcn_access access, bool *none);
/*
 * How tree_open() removes a cube whose owner process is gone (lib/owner.h):
 * cube_delete(), which pcn_run() sets (cube.c calls tree.c, not the other
 * way). Returns an exit code.
 */
extern int (*tree_orphan_delete)(const char *name);
/*
 * Let the pin tree's lock go, for a command that goes on running after
 * its change (pcn capture); tree_open() takes it again.
 */
void tree_close(void);

/*
 * The names of the cubes, the tree opened as tree_open() does (none:
 * no tree); free with cube_names_free(). Returns an exit code.
 */
int tree_cubes(enum pcn_access access, char ***names, int *n);

/* Report an error of cube_open() on @name. Returns the exit code. */
int cube_open_err(const char *name, int err);
/*
 * Take the write lock and open an existing cube, for the commands that
 * change one. Reports what is wrong and returns an exit code.
 */
int cube_open_for_change(const char *name, struct pcn_cube *c);
/*
 * Open cube @name, which must be of type @type: for a change (the write
 * lock) or to read. Reports what is wrong and returns an exit code.
 */
int cube_open_type(const char *name, const char *type, struct pcn_cube *c,
		   bool change);
/* The index of port @port of @c in *@idx, or reports there is none. */
int cube_port_index(struct pcn_cube *c, const char *port, int *idx);

/*
 * "OBJECT show [ cube NAME ] [ port NAME:PORT ] [ KW VALUE ]...": @show
 * for each cube of @type, or the one named, with the port to show (NULL:
 * all), inside one JSON array; the type's own keywords through
 * @parse_kw, as cube_flush_cmd() takes them, into @arg.
 */
struct show_spec {
	const char *object;		/* "fdb" */
	const char *type;		/* of the cube: "bridge" */
	int (*parse_kw)(int *argc, char ***argv, void *arg);
	int (*show)(struct pcn_cube *c, const char *port, void *arg);
};
int cube_show_each(int argc, char **argv, const struct show_spec *spec,
		   void *arg);
/*
 * The JSON array (or lines) of @fn for cube @name, which must be of
 * @type, or (@name NULL) for every cube (@fn skips the other types).
 */
int cube_show_of_type(const char *name, const char *type,
		      int (*fn)(struct pcn_cube *c, void *arg), void *arg);

/*
 * "OBJECT flush cube NAME [ port PORT ] [ dynamic ] [ KW VALUE ]...":
 * the type's own keywords through @parse_kw (argv[0] is a keyword: take
 * it and its value, and return 0, or the exit code of the error it
 * reported; -1, taking nothing: not one of its), whose result goes to
 * @flush in @arg (zeroed first).
 */
struct flush_spec {
	const char *object;		/* "fdb" */
	const char *type;		/* of the cube: "bridge" */
	const char *cube_arg;		/* "BRIDGE", for the error */
	const char *what;		/* "fdb", in "cannot flush the fdb" */
	bool dynamic;			/* takes "dynamic" */
	int (*parse_kw)(int *argc, char ***argv, void *arg);
	size_t arg_size;		/* bytes of @arg, zeroed first */
	/* port: -1 for any; returns 0 or -errno */
	int (*flush)(struct pcn_cube *c, int port, bool dynamic_only,
		     const void *arg);
};
int cube_flush_cmd(int argc, char **argv, const struct flush_spec *spec);

/* "cube add NAME type T [ KW SECONDS ]": the seconds, as the first
 * __u32 of the cube's config */
int cube_add_seconds(int argc, char **argv, const char *kw, __u32 dflt,
		     __u8 *config);
/*
 * "cube set NAME [ KW SECONDS ] [ port PORT SETTINGS... ] ...": one
 * setting of the cube itself, @kw, a number of seconds (the first __u32
 * of the cube's meta config, as cube_add_seconds() put it; the datapath
 * reads it in ns, a __u64 at key 0 of the cube's map @kw_map), and
 * settings of @size bytes per port, kept in the cube's map @map.
 * Everything is checked first; then each port named is written in one
 * map update, and @written called; then @kw. Reports errors.
 */
struct port_settings {
	const char *kw;
	const char *kw_map;
	const char *map;
	size_t size;
	/* argv[0] is the port's name; takes what follows that is its */
	int (*parse_port)(int *argcp, char ***argvp, void *settings);
	int (*written)(struct pcn_cube *c, __u32 idx, const void *settings);
};
int cube_set_ports(struct pcn_cube *c, int argc, char **argv,
		   const struct port_settings *ps);
/* a new cube: its @ps->kw seconds, from its meta config, to @ps->kw_map */
int cube_seconds_init(struct pcn_cube *c, const struct port_settings *ps);

/*
 * A cube's counters (-s) through their descriptor @list (stats.c; NULL:
 * none), and for a transparent cube the tail_call_limit of each
 * direction, which every one counts.
 */
void print_counters(struct pcn_cube *c, const struct pcn_counters *list);
/* A port's own counters (rx, tx), for cube show and link show. */
void print_port_counters(struct pcn_cube *c, __u32 idx);
/*
 * The same counters, read the same way, handed one by one to @fn:
 * counter @i of descriptor @d, summed over the CPUs (pcn metrics).
 */
typedef void (*pcn_counter_fn)(const struct pcn_counters *d, size_t i,
			       __u64 value, void *arg);
void cube_counters_each(struct pcn_cube *c, const struct pcn_counters *list,
			pcn_counter_fn fn, void *arg);
void port_counters_each(struct pcn_cube *c, __u32 idx, pcn_counter_fn fn,
			void *arg);

/* The values pcn writes as it reads them (parse.h), as text and JSON. */
void print_mac(const char *key, const char *fmt, const __u8 *mac);
void print_prefix4(const char *key, const char *fmt, __be32 addr, __u32 plen);
void print_ipv4(const char *key, const char *fmt, __be32 addr);
/*
 * A cube's port as the add commands take it: " port CUBE:PORT" in
 * text, "cube" and "port" in JSON (fdb, addr, route and neigh show).
 */
void print_endpoint(const char *cube, const char *port);

/* The peer of a port, and the state of its attachment (cube show). */
void port_print_peer(struct pcn_cube *c, const struct pcn_port *p);
/* link show lines of a transparent cube */
void transparent_print_links(struct pcn_cube *c, const char *only_dev);
/* Print the attachment points of transparent cube @c (cube show). */
void transparent_print_points(struct pcn_cube *c);
/* "link add|del TCUBE { dev IFNAME | port CUBE:PORT } ..." */
int transparent_cmd(bool add, int argc, char **argv);

#endif /* __PCN_PCN_H */
