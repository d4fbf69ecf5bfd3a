/* SPDX-License-Identifier: GPL-2.0 */
/* The pcn command: objects, cube types and the helpers they share. */
#ifndef __PCN_PCN_H
#define __PCN_PCN_H

#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <linux/types.h>

#include "clock.h"
#include "cube.h"

/* Objects: "pcn OBJECT ..." dispatches through a table of these. */
struct pcn_object {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

/* The verbs of an object, bpftool's cmd_select() style. */
struct pcn_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
};

/*
 * Run verb argv[0] of @object from @cmds, a table ended by a NULL name
 * whose first entry runs when no verb is given; "help" prints @usage.
 */
int pcn_cmd_select(const char *object, const struct pcn_cmd *cmds, int argc,
		   char **argv, void (*usage)(FILE *f));

int do_cube(int argc, char **argv);
int do_link(int argc, char **argv);
int do_help(int argc, char **argv);

/* The whole command: global options, then one object or -batch. */
int pcn_run(int argc, char **argv);

/* Run one command line (argv[0] is the object), as main and -batch do. */
int pcn_dispatch(int argc, char **argv);
/*
 * Counts the commands run: a command may keep what it opened for the
 * next one if that comes right after it (pcn_cmd_gen one higher), when
 * nothing else can have changed the tree in between.
 */
extern unsigned long pcn_cmd_gen;
const struct pcn_object *pcn_objects(size_t *count);

/*
 * Cube types. A new network function is one struct like this in its own
 * pcn/<type>.c, a line in the table in pcn/cube.c, and bpf/<type>.bpf.c.
 */
struct cube_type {
	const char *name;
	const char *summary;
	/* grammar of "cube set NAME ..." for this type, for usage() */
	const char *set_usage;
	const void *(*elf_xdp)(size_t *size);
	const void *(*elf_tc)(size_t *size);
	__u32 max_ports;	/* 0 for a transparent cube */
	/* "cube add NAME type T [mode M] ARGS": fill meta config */
	int (*parse_add)(int argc, char **argv, __u8 *config);
	/* fill the cube's maps from its meta config, before it is published */
	int (*init)(struct pcn_cube *c);
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
};

const struct cube_type *cube_type_find(const char *name);

/*
 * Take the write lock and open an existing cube, for the commands that
 * change one. Reports what is wrong and returns an exit code.
 */
int cube_open_for_change(const char *name, struct pcn_cube *c);
const struct cube_type *const *cube_types(size_t *count);
/* "OBJECT flush cube NAME [ port PORT ] [ vlan VID ] [ dynamic ]" */
struct flush_spec {
	const char *object;		/* "fdb" */
	const char *type;		/* of the cube: "bridge" */
	const char *cube_arg;		/* "BRIDGE", for the error */
	const char *what;		/* "fdb", in "cannot flush the fdb" */
	bool dynamic;			/* takes "dynamic" */
	bool vlan;			/* takes "vlan VID" */
	/* port, vid: -1 for any */
	int (*flush)(struct pcn_cube *c, int port, bool dynamic_only, int vid);
};
int cube_flush_cmd(int argc, char **argv, const struct flush_spec *spec);
/* "KW SECONDS": 1 to 1000000 */
int parse_seconds(const char *kw, const char *arg, __u32 *sec);
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
/* "port CUBE:PORT", given once (@port is "" until then) */
int port_endpoint_arg(const char *arg, char *cube, char *port);
/* The index of port @port of @c, or -(exit code) after reporting */
int cube_port_index(struct pcn_cube *c, const char *port);
/*
 * "OBJECT show [ cube NAME ] [ port NAME:PORT ]": @fn for each cube of
 * @type, or the one named, with the port to show (NULL: all), inside
 * one JSON array.
 */
int cube_show_each(int argc, char **argv, const char *object,
		   const char *type,
		   int (*fn)(struct pcn_cube *c, const char *port));
/*
 * The JSON array (or lines) of @fn for cube @name, which must be of
 * @type, or (@name NULL) for every cube (@fn skips the other types).
 */
int cube_show_of_type(const char *name, const char *type,
		      int (*fn)(struct pcn_cube *c, void *arg), void *arg);
/*
 * Open cube @name, which must be of type @type: for a change (the write
 * lock) or to read. Reports what is wrong and returns an exit code.
 */
int cube_open_type(const char *name, const char *type, struct pcn_cube *c,
		   bool change);

extern const struct cube_type forwarder_type;
extern const struct cube_type helloworld_type;
extern const struct cube_type bridge_type;
extern const struct cube_type router_type;
extern const struct cube_type firewall_type;

int do_fdb(int argc, char **argv);
/* fdb.c: "xx:xx:xx:xx:xx:xx" */
int parse_mac(const char *arg, __u8 *mac);
void print_mac(const char *key, const char *fmt, const __u8 *mac);
/* bridge.c: a VLAN id, 1..4094 (reports, returns 1 otherwise) */
int parse_vid(const char *arg, __u16 *vid);
/* fdb.c: delete a bridge's entries (port/vid -1: any); with @left, only
 * those in VLANs that port settings @left are not in */
struct br_port;
int br_fdb_flush(struct pcn_cube *c, int port, bool dynamic_only, int vid,
		 const struct br_port *left);

/* Routers (router.c, addr.c, route.c, neigh.c) */
int do_addr(int argc, char **argv);
int do_route(int argc, char **argv);
int do_neigh(int argc, char **argv);
struct rt_port;
struct rt_route;
struct rt_route_key;
/* "A.B.C.D[/N]" (or "default" unless @host); @host: host bits allowed */
int parse_prefix(const char *arg, __be32 *addr, __u32 *plen, bool host);
int parse_ipv4(const char *arg, __be32 *addr);
void print_prefix(const char *key, const char *fmt, __be32 addr, __u32 plen);
void print_ipv4(const char *key, const char *fmt, __be32 addr);
__be32 rt_mask(__u32 plen);
const char *rt_kind_name(__u32 kind);
__u64 rt_neigh_timeout_ns(struct pcn_cube *c);
int rt_port_get(struct pcn_cube *c, __u32 idx, struct rt_port *rp);
int rt_port_put(struct pcn_cube *c, __u32 idx, const struct rt_port *rp);
int rt_ports_read(struct pcn_cube *c, struct rt_port *all);
/* the port of @all with a subnet that holds @a, or -1 */
int rt_port_on_link(const struct rt_port *all, __be32 a);
bool rt_on_link(const struct rt_port *rp, __be32 a);
int rt_routes_read(struct pcn_cube *c, struct rt_route_key **keys,
		   struct rt_route **vals, int *n);
bool rt_better(const struct rt_route *a, const struct rt_route *b);
/* -EEXIST, -E2BIG; the FIB follows */
int rt_route_add(struct pcn_cube *c, const struct rt_route_key *k,
		 __u32 metric);
/* the same on the open maps rt_routes (@rfd) and rt_fib (@ffd) */
int rt_route_insert(int rfd, int ffd, const struct rt_route_key *k,
		    __u32 metric);
/* -EEXIST if a static route of @k's prefix has @metric already */
int rt_route_taken(int rfd, int ffd, const struct rt_route_key *k,
		   __u32 metric);
int rt_route_del(struct pcn_cube *c, const struct rt_route_key *k);
/* a route with its key; read sorted by prefix, then best first */
struct rt_entry;
int rt_entries_read(struct pcn_cube *c, struct rt_entry **out, int *n);
/* rt_fib from the list, for the prefixes of @keys */
int rt_fib_sync(struct pcn_cube *c, const struct rt_route_key *keys, int n);
int rt_routes_drop(struct pcn_cube *c,
		   bool (*drop)(const struct rt_route_key *k,
				const struct rt_route *r, void *arg),
		   void *arg);
/* neigh.c: delete a router's neighbours (port -1: any) */
int rt_neigh_flush(struct pcn_cube *c, int port, bool dynamic_only);

/* Firewalls: pcn/fw.h */
int do_rule(int argc, char **argv);
int do_ct(int argc, char **argv);
/* the batch ends: commit every firewall changed (or drop the changes,
 * saying of each line that made one that line @failed_line failed);
 * @spare: and bring the generations left up to date (see firewall.c) */
int fw_tables_end(bool commit, bool spare, int failed_line);

/* The cube graph, for the tail-call budget (graph.c). */
struct graph;
struct graph *graph_load(void);
void graph_free(struct graph *g);
int graph_add_peer(struct graph *g, const char *a, const char *pa,
		   const char *b, const char *pb);
int graph_add_hops(struct graph *g, const char *cube, const char *port,
		   bool egress, int delta);
int graph_add_iface(struct graph *g, const char *cube, const char *port);
/*
 * 0 if the graph changed by @change keeps every path within the budget
 * and loop-free; else reports "cannot WHAT: why" and returns 2.
 */
int budget_check(const char *what, int (*change)(struct graph *g, void *arg),
		 void *arg);
/* 0, or -ELOOP / -E2BIG with the reason (naming the path) in @why */
int graph_check(struct graph *g, char *why, size_t len);

/* "CUBE[:PORT]"; port is "" when not given. */
int parse_endpoint(const char *arg, char *cube, char *port);

/* The peer of a port, and the state of its attachment (cube show). */
void port_print_peer(struct pcn_cube *c, const struct pcn_port *p);

/* Detach every port of the cube pinned in DIR (being deleted). */
void cube_detach_dir(const char *dir);

/*
 * Remove a port: the type's state, the record (the commit), its
 * attachment points and slots, the devmap entry.
 */
int port_remove(struct pcn_cube *c, __u32 idx);

/* Disconnect port @idx of @c, and the peer's end of a link between cubes. */
int port_disconnect(struct pcn_cube *c, int idx, const struct pcn_port *p);

/*
 * 0, or reports that interface @ifindex is taken: by a cube port, or
 * (with @chains) by transparent cubes.
 */
int iface_in_use(int ifindex, const char *ifname, bool chains);

/* Report a failed attachment with the kernel's reason and a hint. */
int link_add_err(const char *what, const char *ifname, enum pcn_mode mode,
		 int err);

/* " dev NAME state ..." of an attachment pinned at @path. */
void print_attachment(const char *path, enum pcn_attach attach,
		      __u32 ifindex, const char *recorded, bool egress);

/* Transparent cubes (transparent.c) */
bool cube_is_transparent(const char *name);
/* "link add|del TCUBE { dev IFNAME | port CUBE:PORT } ..." */
int transparent_cmd(bool add, int argc, char **argv);
/* the chains at a port's ingress and egress, in cube and link show */
void port_print_chains(struct pcn_cube *c, const struct pcn_port *p);
/* link show lines of a transparent cube */
void transparent_print_links(struct pcn_cube *c, const char *only_dev);

/* Write point @id's chain into the patch panel (transparent.c). */
int point_apply(__u32 id);
/* What port @port of @cube leads to, refreshed after its peer changed. */
int peer_out_refresh(const char *cube, const char *port);

/* Detach transparent cube @c from every point it is attached to. */
int transparent_detach_all(struct pcn_cube *c);

/* Print the attachment points of transparent cube @c (cube show). */
void transparent_print_points(struct pcn_cube *c);

/* Sweep: the panel slots and points nothing refers to any more. */
int pcn_gc(void);

#endif /* __PCN_PCN_H */
