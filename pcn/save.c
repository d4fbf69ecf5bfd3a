// SPDX-License-Identifier: GPL-2.0
/*
 * pcn save [ -n NETNS | -all ]: what recreates the cubes of a namespace
 * (or of every one), as a batch that pcn restore (or -batch) replays.
 *
 *   # comments: what pcn does not save
 *   schema N                                  the grammar it is in
 *   cube add NAME type TYPE mode MODE ARGS    every cube, by name
 *   link add CUBE:PORT [ dev IFNAME | peer CUBE:PORT ]
 *   link add TCUBE { dev IFNAME | port CUBE:PORT } DIR
 *                                             each chain, in order
 *   ...                                       each type's own lines
 *
 * With -all the lines of each other namespace begin with "-n NAME".
 * Cubes are taken by name, links so that each cube's ports are made in
 * the order of their indexes, the rest by name or sorted: the same
 * configuration is always saved the same, byte for byte, and restoring
 * it makes the same.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>

#include "chain.h"
#include "netns.h"
#include "owner.h"
#include "pcn.h"
#include "transparent.h"

/* What is known of a cube while its namespace is saved. */
struct cube_saved {
	char name[PCN_NAME_LEN];
	struct pcn_meta meta;
	char *args;
	char *lines;
	struct pcn_port ports[PCN_MAX_PORTS];
	__u32 order[PCN_MAX_PORTS];	/* port indexes, by name */
	int nports;
	bool linked[PCN_MAX_PORTS];	/* its link line written */
};

/* What learned state the save leaves out: every type's words, once. */
struct skips {
	const char *what[32];
	int n;
};

struct pcn_save {
	struct cube_saved *cube;
	FILE *args;
	FILE *lines;
	struct skips *skips;
};

static void save_vprintf(FILE *f, const char *fmt, va_list ap)
{
	if (f)
		vfprintf(f, fmt, ap);
}

void pcn_save_args(struct pcn_save *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	save_vprintf(s->args, fmt, ap);
	va_end(ap);
}

void pcn_save_line(struct pcn_save *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	save_vprintf(s->lines, fmt, ap);
	va_end(ap);
	if (s->lines)
		fputc('\n', s->lines);
}

void pcn_save_skip(struct pcn_save *s, const char *what)
{
	int i;

	for (i = 0; i < s->skips->n; i++)
		if (!strcmp(s->skips->what[i], what))
			return;
	if (s->skips->n < (int)ARRAY_SIZE(s->skips->what))
		s->skips->what[s->skips->n++] = what;
}

const struct pcn_port *pcn_save_port(struct pcn_save *s, int i, __u32 *idx)
{
	if (i < 0 || i >= s->cube->nports)
		return NULL;
	*idx = s->cube->order[i];
	return &s->cube->ports[*idx];
}

static const struct pcn_port *sort_ports;

static int port_cmp(const void *a, const void *b)
{
	return strncmp(sort_ports[*(const __u32 *)a].name,
		       sort_ports[*(const __u32 *)b].name, PCN_NAME_LEN);
}

/* The cubes of the namespace, each with what its type saves of it. */
struct ns_saved {
	struct cube_saved *cubes;
	int n;
	bool quiet;			/* no warnings: a snapshot */
};

static void ns_saved_free(struct ns_saved *ns)
{
	int i;

	for (i = 0; i < ns->n; i++) {
		free(ns->cubes[i].args);
		free(ns->cubes[i].lines);
	}
	free(ns->cubes);
}

/* What cube @c (open) is, and what its type saves of it. */
static int cube_save(struct cube_saved *cs, struct pcn_cube *c,
		     struct skips *skips)
{
	struct pcn_save s = { .cube = cs, .skips = skips };
	const char *name = c->name;
	const struct cube_type *type;
	size_t alen = 0, llen = 0;
	int i, err;

	name_copy(cs->name, name);
	cs->meta = c->meta;
	type = cube_type_find(c->meta.type);
	err = cube_ports_read(c, cs->ports);
	if (err)
		return pcn_err_kernel(err, "cannot read the ports of \"%s\"",
				      name);
	for (i = 0; i < PCN_MAX_PORTS; i++)
		if (cs->ports[i].name[0])
			cs->order[cs->nports++] = i;
	sort_ports = cs->ports;
	qsort(cs->order, cs->nports, sizeof(*cs->order), port_cmp);
	if (!type)
		return pcn_err(PCN_EXIT_KERNEL,
			       "cube \"%s\" is a %s, a type this pcn is built without: it cannot save it",
			       name, c->meta.type);
	s.args = open_memstream(&cs->args, &alen);
	s.lines = open_memstream(&cs->lines, &llen);
	if (!s.args || !s.lines)
		err = pcn_err_kernel(-ENOMEM, "cannot save \"%s\"", name);
	else if (type->save)
		err = type->save(c, &s);
	if (s.args)
		fclose(s.args);
	if (s.lines)
		fclose(s.lines);
	return err;
}

static int ns_read(struct ns_saved *ns, struct skips *skips)
{
	char **names;
	int i, n, err;

	err = tree_cubes(PCN_READ, &names, &n);
	if (err || !n)
		return err;
	ns->cubes = calloc(n ? n : 1, sizeof(*ns->cubes));
	if (!ns->cubes)
		err = pcn_err_kernel(-ENOMEM, "cannot save");
	for (i = 0; i < n && !err; i++) {
		struct pcn_cube c;

		err = cube_open(names[i], &c);
		if (err == -ENOENT) {	/* deleted meanwhile */
			err = 0;
			continue;
		}
		if (err) {
			err = cube_open_err(names[i], err);
			break;
		}
		/* a cube that lives as long as its process (pcn capture) */
		if (pcn_owner_marked(names[i])) {
			struct pcn_save s = { .skips = skips };

			pcn_save_skip(&s, "cubes owned by a running command (pcn capture)");
			cube_close(&c);
			continue;
		}
		err = cube_save(&ns->cubes[ns->n++], &c, skips);
		cube_close(&c);
	}
	cube_names_free(names, n);
	return err;
}

/* What a port or point on an interface names it by: its name now. */
static const char *ifname_now(__u32 ifindex, const char *recorded,
			      char *buf, bool quiet, const char *what)
{
	if (ifindex && if_indextoname(ifindex, buf))
		return buf;
	if (!quiet)
		pcn_warn("%s: interface %s is gone; restoring this save needs it",
			 what, recorded);
	return recorded;
}

/* The port of @cs, by index, whose link is not written yet, or -1. */
static int next_port(const struct cube_saved *cs)
{
	int i;

	for (i = 0; i < PCN_MAX_PORTS; i++)
		if (cs->ports[i].name[0] && !cs->linked[i])
			return i;
	return -1;
}

static struct cube_saved *cube_named(struct ns_saved *ns, const char *name)
{
	int i;

	for (i = 0; i < ns->n; i++)
		if (!strncmp(ns->cubes[i].name, name, PCN_NAME_LEN))
			return &ns->cubes[i];
	return NULL;
}

/* The line that makes port @idx of @cs (both ends of a link between cubes). */
static void link_line(FILE *f, const char *pre, struct ns_saved *ns,
		      struct cube_saved *cs, int idx)
{
	char ifname[IF_NAMESIZE], what[2 * PCN_NAME_LEN + 8];
	const struct pcn_port *p = &cs->ports[idx];
	struct cube_saved *peer;
	int j;

	cs->linked[idx] = true;
	snprintf(what, sizeof(what), "port %s:%s", cs->name, p->name);
	if (p->peer == PCN_PEER_IFACE) {
		fprintf(f, "%slink add %s:%s dev %s\n", pre, cs->name, p->name,
			ifname_now(p->ifindex, p->peer_name, ifname, ns->quiet,
				   what));
	} else if (p->peer == PCN_PEER_CUBE) {
		peer = cube_named(ns, p->peer_name);
		j = peer ? cube_port_find(peer->ports, PCN_MAX_PORTS,
					  p->peer_port_name) : -1;
		if (j >= 0)
			peer->linked[j] = true;
		fprintf(f, "%slink add %s:%s peer %s:%s\n", pre, cs->name,
			p->name, p->peer_name, p->peer_port_name);
	} else {
		/* connected to nothing (made so, or left by its peer) */
		fprintf(f, "%slink add %s:%s\n", pre, cs->name, p->name);
	}
}

/*
 * The links of standard cubes, in an order that makes each cube's ports
 * again in the order of their indexes (a port's index is the lowest
 * free when it is made, and a TC bridge floods into its first port on
 * a peer cube): cube by cube, each one's next port if it is on an
 * interface, or if it is the next port of its peer too. When no order
 * keeps them all (ports deleted and made again), the first cube's next
 * port goes anyway.
 */
static void save_links(FILE *f, const char *pre, struct ns_saved *ns)
{
	struct cube_saved *cs, *peer;
	bool progress = true;
	int i, idx, j;

	while (progress) {
		progress = false;
		for (i = 0; i < ns->n; i++) {
			cs = &ns->cubes[i];
			idx = next_port(cs);
			if (idx < 0)
				continue;
			if (cs->ports[idx].peer == PCN_PEER_CUBE) {
				peer = cube_named(ns, cs->ports[idx].peer_name);
				j = peer ? cube_port_find(peer->ports, PCN_MAX_PORTS,
							  cs->ports[idx].peer_port_name) : -1;
				if (j >= 0 && next_port(peer) != j)
					continue;
			}
			link_line(f, pre, ns, cs, idx);
			progress = true;
		}
		for (i = 0; !progress && i < ns->n; i++) {
			idx = next_port(&ns->cubes[i]);
			if (idx >= 0) {
				link_line(f, pre, ns, &ns->cubes[i], idx);
				progress = true;
			}
		}
	}
}

/* A point with a chain, and where the user names it. */
struct point_saved {
	char place[64];
	__u32 dir;
	__u32 mode;
	struct pcn_chain ch;
};

static int point_cmp(const void *pa, const void *pb)
{
	const struct point_saved *a = pa, *b = pb;
	int c = strcmp(a->place, b->place);

	return c ?: (int)a->dir - (int)b->dir;
}

/* The transparent cube in @slot of @mode's hook. */
static const char *hop_name(struct ns_saved *ns, __u32 mode, __u32 slot)
{
	int i;

	for (i = 0; i < ns->n; i++)
		if (!ns->cubes[i].meta.max_ports &&
		    ns->cubes[i].meta.slot == slot &&
		    mode_same_hook(ns->cubes[i].meta.mode, mode))
			return ns->cubes[i].name;
	return NULL;
}

/* Each chain of transparent cubes, in order: each one placed last. */
static int save_chains(FILE *f, const char *pre, struct ns_saved *ns)
{
	static struct pcn_point all[PCN_MAX_POINTS];
	struct point_saved *ps;
	char ifname[IF_NAMESIZE];
	int i, n = 0, err;
	__u32 h;

	err = points_read_all(all);
	if (err == -ENOENT)
		return 0;
	if (err)
		return pcn_err_kernel(err, "cannot read the attachment points");
	ps = calloc(PCN_MAX_POINTS, sizeof(*ps));
	if (!ps)
		return pcn_err_kernel(-ENOMEM, "cannot save");
	for (i = 0; i < PCN_MAX_POINTS; i++) {
		struct point_saved *p = &ps[n];

		if (all[i].kind == PCN_POINT_FREE || point_chain(i, &p->ch) ||
		    !p->ch.n)
			continue;
		if (all[i].kind == PCN_POINT_DEV)
			snprintf(p->place, sizeof(p->place), "dev %s",
				 ifname_now(all[i].ifindex, all[i].ifname,
					    ifname, ns->quiet,
					    "a transparent cube"));
		else
			snprintf(p->place, sizeof(p->place), "port %s:%s",
				 all[i].cube, all[i].port);
		p->dir = all[i].dir & 1;
		p->mode = all[i].mode;
		n++;
	}
	qsort(ps, n, sizeof(*ps), point_cmp);
	for (i = 0; i < n; i++)
		for (h = 0; h < ps[i].ch.n && h < PCN_MAX_HOPS; h++) {
			const char *t = hop_name(ns, ps[i].mode, ps[i].ch.hops[h]);

			if (t)
				fprintf(f, "%slink add %s %s %s\n", pre, t,
					ps[i].place, pcn_dir_names[ps[i].dir]);
		}
	free(ps);
	return 0;
}

/* @text's lines, each after @pre */
static void put_lines(FILE *f, const char *pre, const char *text)
{
	const char *nl;

	while (text && *text) {
		nl = strchr(text, '\n');
		fprintf(f, "%s%.*s\n", pre,
			(int)(nl ? (size_t)(nl - text) : strlen(text)), text);
		text = nl ? nl + 1 : NULL;
	}
}

/* The lines of the namespace the process is in, each after @pre. */
static int save_ns(FILE *f, const char *pre, struct skips *skips, bool quiet)
{
	struct ns_saved ns = { .quiet = quiet };
	int i, err;

	err = ns_read(&ns, skips);
	for (i = 0; !err && i < ns.n; i++)
		fprintf(f, "%scube add %s type %s mode %s%s\n", pre,
			ns.cubes[i].name, ns.cubes[i].meta.type,
			mode_name(ns.cubes[i].meta.mode),
			ns.cubes[i].args ? ns.cubes[i].args : "");
	if (!err && ns.n) {
		save_links(f, pre, &ns);
		err = save_chains(f, pre, &ns);
	}
	for (i = 0; !err && i < ns.n; i++)
		put_lines(f, pre, ns.cubes[i].lines);
	ns_saved_free(&ns);
	return err;
}

static void header(FILE *f, const struct skips *skips)
{
	int i;

	fprintf(f, "# pcn save (pcn %s): replay with \"pcn restore FILE\"\n",
		PCN_VERSION);
	fprintf(f, "# not saved: counters");
	for (i = 0; i < skips->n; i++)
		fprintf(f, "%s%s", i ? ", " : ", and what cubes learn from traffic: ",
			skips->what[i]);
	fprintf(f, "\nschema %d\n", PCN_SAVE_SCHEMA);
}

static int skip_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The header, with what the body leaves out, then the body. */
static int print_save(FILE *out, struct skips *skips, const char *body)
{
	qsort(skips->what, skips->n, sizeof(*skips->what), skip_cmp);
	header(out, skips);
	fputs(body, out);
	fflush(out);
	return ferror(out) ? pcn_err_kernel(-EIO, "cannot write the save") : 0;
}

int save_ns_text(char **text)
{
	struct skips skips = {};
	char *body = NULL;
	size_t len = 0;
	FILE *f;
	int err;

	*text = NULL;
	f = open_memstream(&body, &len);
	if (!f)
		return pcn_err_kernel(-ENOMEM, "cannot save");
	err = save_ns(f, "", &skips, true);
	fclose(f);
	if (!err) {
		f = open_memstream(text, &len);
		if (!f)
			err = pcn_err_kernel(-ENOMEM, "cannot save");
		else {
			print_save(f, &skips, body);
			fclose(f);
		}
	}
	free(body);
	return err;
}

/* save -all: what is saved of each namespace, into @f */
struct save_all {
	FILE *f;
	struct skips *skips;
};

/* Every namespace with state: this one, then the named ones. */
static int save_one(const struct pcn_netns *ns, bool in, void *arg)
{
	struct save_all *a = arg;
	char pre[NAME_MAX + 8] = "";

	if (!ns->alive) {
		pcn_warn("%s/%s is left by a namespace that is gone: not saved (pcn netns prune removes it)",
			 pcn_root(), ns->dir);
		return 0;
	}
	if (!in || (!ns->current && !ns->name[0])) {
		pcn_warn("%s/%s is of a namespace with no name under /run/netns: not saved%s%s%s",
			 pcn_root(), ns->dir, in ? " (pcn -n " : "",
			 in ? ns->path : "", in ? " save saves it)" : "");
		return 0;
	}
	if (!ns->current)
		snprintf(pre, sizeof(pre), "-n %s ", ns->name);
	return save_ns(a->f, pre, a->skips, false);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: pcn save [ -n NETNS | -all ]\n"
		"       pcn save help\n"
		"Prints a batch that pcn restore (or -batch) replays: the cubes of the\n"
		"network namespace, or of every one (-all: \"-n NETNS\" before the\n"
		"lines of each other one), with their links and their types' settings.\n");
}

static int save_cmd(int argc, char **argv)
{
	struct skips skips = {};
	const char *netns = NULL;
	char *body = NULL;
	bool all = false;
	size_t len = 0;
	FILE *f;
	int err;

	if (argc == 1 && is_kw(*argv, "help")) {
		usage(stdout);
		return 0;
	}
	while (argc > 0) {
		if (is_kw(*argv, "-all") || is_kw(*argv, "--all")) {
			DUP_CHECK(all, "-all");
		} else if (is_kw(*argv, "-n") || is_kw(*argv, "-netns")) {
			NEXT_ARG();
			if (netns)
				return pcn_dup_arg("-n");
			netns = *argv;
		} else {
			return pcn_unknown_kw("save", *argv);
		}
		argc--;
		argv++;
	}
	if (all && netns)
		return pcn_err(PCN_EXIT_USAGE, "-n NETNS and -all: one or the other");
	if (json)
		return pcn_err(PCN_EXIT_USAGE, "save prints a batch, not JSON: no -j");
	if (netns) {
		err = netns_switch(netns);
		if (err)
			return err;
	}
	f = open_memstream(&body, &len);
	if (!f)
		return pcn_err_kernel(-ENOMEM, "cannot save");
	if (all) {
		struct save_all a = { f, &skips };

		err = netns_each(false, save_one, &a);
	} else {
		err = save_ns(f, "", &skips, false);
	}
	fclose(f);
	/* nothing is printed unless all of it is there */
	if (!err)
		err = print_save(stdout, &skips, body);
	free(body);
	return err;
}

const struct pcn_object save_object = {
	.name = "save",
	.fn = save_cmd,
	.summary = "print what recreates the cubes: a batch for pcn restore",
	.usage = usage,
};
