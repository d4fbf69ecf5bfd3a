// SPDX-License-Identifier: GPL-2.0
/*
 * The cube graph and the kernel's tail-call budget.
 *
 * A packet moves through the graph by tail calls, each handing it to one
 * more program: the standard cube entered from an interface, each
 * transparent cube on the way, each peer cube, and, after the
 * transparent cubes on a port's way out to an interface, the program
 * that sends out. The kernel allows 33 per packet (PCN_TAIL_CALL_BUDGET). Since a cube may send a packet out
 * of any port but the one it came in by, every such path through the
 * graph counts: a change that would let one exceed the budget, or close
 * a loop (which a packet could go round until the limit), is refused
 * before it is made.
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
};

struct gcube {
	char name[PCN_NAME_LEN];
	int nports;
	struct gport ports[PCN_MAX_PORTS];
	bool on_path;			/* DFS: the walk is inside this cube */
	/* per entry port: longest walk from there, in tail calls */
	bool done[PCN_MAX_PORTS];
	int best[PCN_MAX_PORTS];
	int best_port[PCN_MAX_PORTS];	/* the port it leaves by */
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

static int hops_at(__u32 point)
{
	struct pcn_chain ch;

	if (point == PCN_POINT_NONE || point_chain(point, &ch))
		return 0;
	return ch.n;
}

static void graph_free(struct graph *g)
{
	if (g)
		free(g->cubes);
	free(g);
}

static struct graph *graph_load(void)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	struct graph *g;
	char **names;
	int n, i, j, k;

	if (cube_names(&names, &n))
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
			gp->iface = ports[j].peer == PCN_PEER_IFACE;
			gp->in_hops = hops_at(ports[j].in_point);
			gp->eg_hops = hops_at(ports[j].eg_point);
			gp->peer_port = -1;	/* cube peers: below, by name */
		}
		cube_close(&c);
	}
	/* second pass: peer links by name, now that all cubes are in */
	for (i = 0; i < g->n; i++) {
		struct pcn_cube c;

		if (cube_open(g->cubes[i].name, &c))
			continue;
		if (!cube_ports_read(&c, ports)) {
			for (j = 0; j < PCN_MAX_PORTS; j++) {
				int pc, pp;

				if (!ports[j].name[0] ||
				    ports[j].peer != PCN_PEER_CUBE)
					continue;
				k = gport_find(&g->cubes[i], ports[j].name);
				pc = gcube_find(g, ports[j].peer_name);
				pp = pc < 0 ? -1
					    : gport_find(&g->cubes[pc],
							 ports[j].peer_port_name);
				if (k >= 0 && pp >= 0) {
					g->cubes[i].ports[k].peer_cube = pc;
					g->cubes[i].ports[k].peer_port = pp;
				}
			}
		}
		cube_close(&c);
	}
	cube_names_free(names, n);
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

/* The walk being explored: (cube, port it leaves by), for loop reports. */
struct walk {
	int cube[64];
	int port[64];
	int depth;
};

static void loop_name(const struct graph *g, const struct walk *w, int from,
		      char *why, size_t len)
{
	size_t n = 0;
	int i;

	for (i = 0; i < w->depth && n < len; i++) {
		const struct gcube *c = &g->cubes[w->cube[i]];
		const struct gport *p = &c->ports[w->port[i]];

		if (w->cube[i] != from && n == 0)
			continue;
		n += snprintf(why + n, len - n, "%s%s:%s -> %s:%s",
			      n ? ", " : "", c->name, p->name,
			      g->cubes[p->peer_cube].name,
			      g->cubes[p->peer_cube].ports[p->peer_port].name);
	}
}

/*
 * Longest walk, in tail calls, from cube @ci entered by port @in to
 * wherever a packet leaves the graph. A cube met again on the walk is a
 * loop: returns -1 and names it in @why.
 */
static int longest(struct graph *g, int ci, int in, struct walk *w, char *why,
		   size_t len)
{
	struct gcube *c = &g->cubes[ci];
	int i, cost, sub, best = 0, best_port = -1;

	if (c->done[in])
		return c->best[in];
	if (c->on_path) {
		loop_name(g, w, ci, why, len);
		return -1;
	}
	if (w->depth == (int)ARRAY_SIZE(w->cube)) {
		snprintf(why, len, "a path through more than %d cubes",
			 w->depth);
		return -1;
	}
	c->on_path = true;
	for (i = 0; i < c->nports; i++) {
		const struct gport *p = &c->ports[i];

		if (i == in)
			continue;
		/* out to an interface, the last one hands to the final */
		cost = p->eg_hops + (p->eg_hops && p->peer_cube < 0);
		if (p->peer_cube >= 0) {
			const struct gport *r =
				&g->cubes[p->peer_cube].ports[p->peer_port];

			w->cube[w->depth] = ci;
			w->port[w->depth] = i;
			w->depth++;
			sub = longest(g, p->peer_cube, p->peer_port, w, why,
				      len);
			w->depth--;
			if (sub < 0) {
				c->on_path = false;
				return -1;
			}
			cost += 1 + r->in_hops + sub;
		}
		if (cost > best) {
			best = cost;
			best_port = i;
		}
	}
	c->on_path = false;
	c->done[in] = true;
	c->best[in] = best;
	c->best_port[in] = best_port;
	return best;
}

static int graph_check(struct graph *g, char *why, size_t len)
{
	int i, j, cost, worst = -1, wc = -1, wp = -1;
	struct walk w = { .depth = 0 };
	char loop[1024];

	for (i = 0; i < g->n; i++) {
		memset(g->cubes[i].done, 0, sizeof(g->cubes[i].done));
		g->cubes[i].on_path = false;
	}
	/* every entry of every cube: loops anywhere, reachable or not yet */
	for (i = 0; i < g->n; i++) {
		for (j = 0; j < g->cubes[i].nports; j++) {
			loop[0] = '\0';
			cost = longest(g, i, j, &w, loop, sizeof(loop));
			if (cost < 0) {
				snprintf(why, len,
					 "it would close a loop (%s): a packet could go round it until the kernel's tail-call limit",
					 loop);
				return -ELOOP;
			}
			if (!g->cubes[i].ports[j].iface)
				continue;
			cost += 1 + g->cubes[i].ports[j].in_hops;
			if (cost > worst) {
				worst = cost;
				wc = i;
				wp = j;
			}
		}
	}
	if (worst <= PCN_TAIL_CALL_BUDGET)
		return 0;
	/* name the path: from the interface port, the longest way out */
	{
		size_t n = 0;
		int ci = wc, in = wp;

		n += snprintf(why + n, len - n, "the path from %s:%s",
			      g->cubes[ci].name, g->cubes[ci].ports[in].name);
		while (n < len) {
			const struct gcube *c = &g->cubes[ci];
			const struct gport *out;

			if (c->best_port[in] < 0)
				break;
			out = &c->ports[c->best_port[in]];
			n += snprintf(why + n, len - n, ", %s:%s", c->name,
				      out->name);
			if (out->peer_cube < 0)
				break;
			ci = out->peer_cube;
			in = out->peer_port;
			n += snprintf(why + n, len - n, " -> %s:%s",
				      g->cubes[ci].name,
				      g->cubes[ci].ports[in].name);
		}
		if (n < len)
			snprintf(why + n, len - n,
				 " would take %d tail calls, more than the %d a packet may (see pcn-link(8))",
				 worst, PCN_TAIL_CALL_BUDGET);
	}
	return -E2BIG;
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
	if (err == -ELOOP || err == -E2BIG)
		return pcn_fail(err, "cannot %s: %s", what, why);
	if (err == -ENOSPC)
		return pcn_fail(err, "cannot %s: a cube has no free port", what);
	if (err)
		return pcn_fail_sys(err, "cannot check the graph");
	return 0;
}
