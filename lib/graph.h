/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cube graph and the kernel's tail-call budget (see graph.c): a
 * model of the standard cubes, their ports, their links and the
 * transparent cubes at each point, built from the state, changed as a
 * command would change it, and checked before the command changes
 * anything. Functions return 0 or -errno; only budget_check() leaves a
 * reason.
 */
#ifndef __PCN_GRAPH_H
#define __PCN_GRAPH_H

#include <stdbool.h>
#include <stddef.h>

struct graph;

/*
 * Changes, as commands make them: ports @a:@pa and @b:@pb (made if new)
 * linked.
 * Return: 0, or -ENOENT if a cube is not in the graph (no such standard
 * cube) or has no free port.
 */
int graph_add_peer(struct graph *g, const char *a, const char *pa,
		   const char *b, const char *pb);
/*
 * @delta more transparent cubes at the ingress (or egress) of
 * @cube:@port.
 * Return: 0, or -ENOENT if there is no such cube or port.
 */
int graph_add_hops(struct graph *g, const char *cube, const char *port,
		   bool egress, int delta);
/*
 * Port @cube:@port (made if new) on an interface.
 * Return: 0, or -ENOENT if the cube is not in the graph or has no free
 * port.
 */
int graph_add_iface(struct graph *g, const char *cube, const char *port);

/*
 * Would the graph, changed by @change, keep every loop-free path from
 * an interface within the budget? (Loops themselves are allowed.)
 * Return: 0; -E2BIG with the reason "cannot @what: why";
 * another -errno (what @change returned; -ENOMEM if the graph cannot
 * be read), with a reason too.
 */
int budget_check(const char *what, int (*change)(struct graph *g, void *arg),
		 void *arg);

#endif /* __PCN_GRAPH_H */
