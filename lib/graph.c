// SPDX-License-Identifier: GPL-2.0
/*
 * The cube graph and the kernel's tail-call budget.
 *
 * A packet moves through the graph by tail calls, each handing it to one
 * more program: the standard cube entered from an interface, each
 * transparent cube on the way, each peer cube, and, after the
 * transparent cubes on a port's way out to an interface, the program
 * that sends out. The kernel allows 33 per packet
 * (PCN_TAIL_CALL_BUDGET). Since a cube may send a packet out of any
 * port but the one it came in by, every loop-free path through the
 * graph counts: a change that would let one exceed the budget is
 * refused before it is made. Loops are allowed (a triangle of routers,
 * a ring of bridges): a packet that goes round one until the kernel's
 * limit is dropped there and counted (tail_call_limit, pcn_cube.h),
 * and a protocol (TTL, STP) is what keeps packets from doing so.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chain.h"
#include "cube.h"
#include "error.h"
#include "graph.h"
#include "utils.h"

struct gport {
	char name[PCN_NAME_LEN];
	int peer_cube;			/* -1: an interface or nothing */
	int peer_port;
	bool iface;
	int in_hops;
	int eg_hops;
	/* while the graph is read: the peer's names, resolved at the end */
	char peer_name[PCN_NAME_LEN];
	char peer_port_name[PCN_NAME_LEN];
};

struct gcube {
	char name[PCN_NAME_LEN];
	int nports;
	struct gport ports[PCN_MAX_PORTS];
	bool on_path;			/* the walk has been through it */
};

struct graph {
	int n;
	struct gcube *cubes;
};

static int gcube_find(const struct graph *g, const char *name)
{
	int i;

	for (i = 0; i < g->n; i++)
		if (!strncmp(g->cubes[i].name, name, PCN_NAME_LEN))
			return i;
	return -1;
}

static int gport_find(const struct gcube *c, const char *name)
{
	int i;

	for (i = 0; i < c->nports; i++)
		if (!strncmp(c->ports[i].name, name, PCN_NAME_LEN))
			return i;
	return -1;
}

static void graph_free(struct graph *g)
{
	if (g)
		free(g->cubes);
	free(g);
}

/* peer links by name, once all cubes are in */
static void graph_resolve(struct graph *g)
{
	int i, j, pc;

	for (i = 0; i < g->n; i++)
		for (j = 0; j < g->cubes[i].nports; j++) {
			struct gport *gp = &g->cubes[i].ports[j];

			if (!gp->peer_name[0])
				continue;
			pc = gcube_find(g, gp->peer_name);
			gp->peer_port = pc < 0 ? -1
					       : gport_find(&g->cubes[pc],
							    gp->peer_port_name);
			gp->peer_cube = gp->peer_port < 0 ? -1 : pc;
		}
}

/*
 * Every cube's ports, read once: a link add checks the budget against
 * all of them, and a batch of many makes this its hot path.
 */
static struct graph *graph_load(void)
{
	static __u32 hops[PCN_MAX_POINTS];
	struct pcn_port ports[PCN_MAX_PORTS];
	struct graph *g;
	char **names;
	int n, i, j;

	if (points_hops(hops) || cube_names(&names, &n))
		return NULL;
	g = calloc(1, sizeof(*g));
	if (g)
		g->cubes = calloc(n + 2, sizeof(*g->cubes));
	if (!g || !g->cubes) {
		graph_free(g);
		cube_names_free(names, n);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		struct pcn_cube c;
		struct gcube *gc;

		if (cube_open(names[i], &c))
			continue;
		if (!c.meta.max_ports || cube_ports_read(&c, ports)) {
			cube_close(&c);
			continue;
		}
		gc = &g->cubes[g->n++];
		name_copy(gc->name, c.name);
		for (j = 0; j < PCN_MAX_PORTS; j++) {
			struct gport *gp;

			if (!ports[j].name[0])
				continue;
			gp = &gc->ports[gc->nports++];
			name_copy(gp->name, ports[j].name);
			gp->peer_cube = -1;
			gp->peer_port = -1;
			gp->iface = ports[j].peer == PCN_PEER_IFACE;
			gp->in_hops = ports[j].in_point < PCN_MAX_POINTS ?
				      hops[ports[j].in_point] : 0;
			gp->eg_hops = ports[j].eg_point < PCN_MAX_POINTS ?
				      hops[ports[j].eg_point] : 0;
			if (ports[j].peer == PCN_PEER_CUBE) {
				name_copy(gp->peer_name, ports[j].peer_name);
				name_copy(gp->peer_port_name,
					  ports[j].peer_port_name);
			}
		}
		cube_close(&c);
	}
	cube_names_free(names, n);
	graph_resolve(g);
	return g;
}

static struct gport *gport_add(struct graph *g, const char *cube,
			       const char *port)
{
	int c = gcube_find(g, cube), p;
	struct gcube *gc;

	if (c < 0)
		return NULL;
	gc = &g->cubes[c];
	p = gport_find(gc, port);
	if (p >= 0)
		return &gc->ports[p];
	if (gc->nports == PCN_MAX_PORTS)
		return NULL;	/* refused before: see port_free_check() */
	p = gc->nports++;
	memset(&gc->ports[p], 0, sizeof(gc->ports[p]));
	name_copy(gc->ports[p].name, port);
	gc->ports[p].peer_cube = -1;
	return &gc->ports[p];
}

int graph_add_peer(struct graph *g, const char *a, const char *pa,
		   const char *b, const char *pb)
{
	struct gport *x = gport_add(g, a, pa), *y;
	int xc = gcube_find(g, a), yc = gcube_find(g, b);

	if (!x)
		return -ENOENT;
	y = gport_add(g, b, pb);
	if (!y)
		return -ENOENT;
	x = &g->cubes[xc].ports[gport_find(&g->cubes[xc], pa)];
	x->peer_cube = yc;
	x->peer_port = gport_find(&g->cubes[yc], pb);
	y->peer_cube = xc;
	y->peer_port = gport_find(&g->cubes[xc], pa);
	return 0;
}

int graph_add_iface(struct graph *g, const char *cube, const char *port)
{
	struct gport *p = gport_add(g, cube, port);

	if (!p)
		return -ENOENT;
	p->iface = true;
	p->peer_cube = -1;
	return 0;
}

int graph_add_hops(struct graph *g, const char *cube, const char *port,
		   bool egress, int delta)
{
	int c = gcube_find(g, cube), p;

	if (c < 0)
		return -ENOENT;
	p = gport_find(&g->cubes[c], port);
	if (p < 0)
		return -ENOENT;
	if (egress)
		g->cubes[c].ports[p].eg_hops += delta;
	else
		g->cubes[c].ports[p].in_hops += delta;
	return 0;
}

/*
 * Past this many steps of the search (cubes entered), about a second
 * here, the graph is refused rather than checked for longer. A tree
 * takes one step a cube and port; four routers each linked to sixteen
 * others, all with a transparent cube on the way, about four million.
 */
#define GRAPH_MAX_STEPS (1 << 24)

/* A loop-free walk from an interface port, and what it has cost. */
struct walk {
	struct graph *g;
	int from_cube, from_port;
	/* (cube, port it leaves by), step by step */
	int cube[PCN_TAIL_CALL_BUDGET + 2];
	int port[PCN_TAIL_CALL_BUDGET + 2];
	int depth;
	int bound;			/* the most the cubes left could add */
	long steps;
	int cost;			/* of the walk found over the budget */
	bool gave_up;
};

/*
 * The most tail calls passing through cube @c can cost: entering it by
 * a link (1, and its transparent cubes there), leaving it (the
 * transparent cubes there), whichever ports.
 */
static int gcube_most(const struct gcube *c)
{
	int i, in = 0, eg = 0;

	for (i = 0; i < c->nports; i++) {
		if (c->ports[i].in_hops > in)
			in = c->ports[i].in_hops;
		if (c->ports[i].eg_hops > eg)
			eg = c->ports[i].eg_hops;
	}
	return 1 + in + eg;
}

/*
 * Every loop-free way on from cube @ci, entered by port @in after
 * @cost tail calls: out of each other port, to an interface (where the
 * transparent cubes on the way out end in one more, the program that
 * sends out) or into the peer cube, unless the walk has been through
 * it already (going round a loop is bounded by the kernel's limit, not
 * by this check). Return: true when a walk over the budget was found
 * (its steps left in @w) or the search gave up; false otherwise.
 */
static bool walk_from(struct walk *w, int ci, int in, int cost)
{
	struct gcube *c = &w->g->cubes[ci];
	int i, out;

	if (++w->steps > GRAPH_MAX_STEPS) {
		w->gave_up = true;
		return true;
	}
	if (cost > PCN_TAIL_CALL_BUDGET) {
		w->cost = cost;
		return true;
	}
	/* nothing from here can go over: no need to look */
	if (cost + w->bound <= PCN_TAIL_CALL_BUDGET)
		return false;
	c->on_path = true;
	w->bound -= gcube_most(c);
	for (i = 0; i < c->nports; i++) {
		const struct gport *p = &c->ports[i];
		const struct gport *r;

		if (i == in)
			continue;
		out = p->eg_hops + (p->eg_hops && p->peer_cube < 0);
		w->cube[w->depth] = ci;
		w->port[w->depth] = i;
		w->depth++;
		if (p->peer_cube < 0) {
			if (cost + out > PCN_TAIL_CALL_BUDGET) {
				w->cost = cost + out;
				return true;
			}
		} else if (!w->g->cubes[p->peer_cube].on_path) {
			r = &w->g->cubes[p->peer_cube].ports[p->peer_port];
			if (walk_from(w, p->peer_cube, p->peer_port,
				      cost + out + 1 + r->in_hops))
				return true;
		}
		w->depth--;
	}
	w->bound += gcube_most(c);
	c->on_path = false;
	return false;
}

/*
 * "the path from a:eth1, a:b -> b:a, b:eth2", in @why; a path too long
 * for it (33 links, 16 characters a port) ends in ", ...", and leaves
 * @room characters for what the caller adds.
 */
static void walk_name(const struct walk *w, char *why, size_t len,
		      size_t room)
{
	const struct graph *g = w->g;
	size_t n;
	int i;

	n = snprintf(why, len, "the path from %s:%s",
		     g->cubes[w->from_cube].name,
		     g->cubes[w->from_cube].ports[w->from_port].name);
	for (i = 0; i < w->depth && n < len; i++) {
		const struct gcube *c = &g->cubes[w->cube[i]];
		const struct gport *p = &c->ports[w->port[i]];

		if (n + 2 * (2 * PCN_NAME_LEN + 4) + room > len) {
			snprintf(why + n, len - n, ", ...");
			return;
		}
		n += snprintf(why + n, len - n, ", %s:%s", c->name, p->name);
		if (p->peer_cube >= 0 && n < len)
			n += snprintf(why + n, len - n, " -> %s:%s",
				      g->cubes[p->peer_cube].name,
				      g->cubes[p->peer_cube]
					      .ports[p->peer_port].name);
	}
}

/*
 * Does every loop-free path from an interface port fit the budget? The
 * longest way through the graph is searched from each such port, cube
 * by cube, never into a cube the walk has been through, and cut short
 * where the cubes left could not take it over the budget; a tree is
 * walked once, rings once per way round them.
 */
static int graph_check(struct graph *g, char *why, size_t len)
{
	struct walk w = { .g = g };
	int i, j, total = 1;	/* the program that sends out */
	size_t n;

	for (i = 0; i < g->n; i++) {
		g->cubes[i].on_path = false;
		total += gcube_most(&g->cubes[i]);
	}
	for (i = 0; i < g->n; i++) {
		for (j = 0; j < g->cubes[i].nports; j++) {
			if (!g->cubes[i].ports[j].iface)
				continue;
			w.from_cube = i;
			w.from_port = j;
			w.depth = 0;
			w.bound = total;
			if (!walk_from(&w, i, j,
				       1 + g->cubes[i].ports[j].in_hops))
				continue;
			if (w.gave_up) {
				snprintf(why, len,
					 "the graph has too many loop-free paths to check against the tail-call budget (more than %d steps)",
					 GRAPH_MAX_STEPS);
				return -E2BIG;
			}
			/* room for the end below, and for "cannot link
			 * CUBE:PORT to CUBE:PORT: " before it */
			walk_name(&w, why, len, 96 + 96);
			n = strlen(why);
			if (n < len)
				snprintf(why + n, len - n,
					 " would take %d tail calls, more than the %d a packet may (see pcn-link(8))",
					 w.cost, PCN_TAIL_CALL_BUDGET);
			return -E2BIG;
		}
	}
	return 0;
}

int budget_check(const char *what, int (*change)(struct graph *g, void *arg),
		 void *arg)
{
	char why[1024];
	struct graph *g;
	int err;

	g = graph_load();
	if (!g)
		return pcn_fail_sys(-ENOMEM, "cannot read the graph");
	err = change(g, arg);
	if (!err)
		err = graph_check(g, why, sizeof(why));
	graph_free(g);
	if (err == -E2BIG)
		return pcn_fail(err, "cannot %s: %s", what, why);
	if (err == -ENOSPC)
		return pcn_fail(err, "cannot %s: a cube has no free port", what);
	if (err)
		return pcn_fail_sys(err, "cannot check the graph");
	return 0;
}
