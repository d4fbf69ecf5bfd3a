// SPDX-License-Identifier: GPL-2.0
/*
 * pcn -complete [ OPTIONS ] WORD...: what may come after the words of a
 * command line (the last one, maybe empty, being typed), one candidate a
 * line, for bash-completion/pcn.
 *
 * The candidates come from the grammar pcn prints in its usage, read
 * back from the registry: each object's usage lines ("pcn OBJ VERB
 * ...", "X := ..."), and for TYPE_ARGS the cube type's own grammar
 * (add_usage, set_usage, definitions). So what completion offers is
 * what "help" says, for every type, with nothing kept apart.
 *
 * The grammar is iproute2's: keywords in lower case, values in upper
 * case, [ optional ], { one | or another }, and "..." repeating what
 * comes before it. It becomes a small NFA; the words typed are run
 * through it; the keywords and values reachable next are offered.
 * Optional groups that follow one another may come in any order, as
 * pcn's parsers take them; a keyword given once is not offered again
 * unless it is inside a group that repeats. Values are offered from the
 * state: cubes (by type, or transparent), CUBE:PORT endpoints, the ports
 * of the cube named before, interfaces, network namespaces; and, where
 * an object knows better, its own (rule numbers, addresses, prefixes).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>

#include "pcn.h"

/* ---- the grammar as a tree ---- */

enum g_kind { G_WORD, G_SEQ, G_ALT, G_OPT, G_REP };

struct g_node {
	enum g_kind kind;
	char *word;			/* G_WORD */
	struct g_node **kid;
	int n;
	struct g_node *made_next;	/* every node made, to free them */
};

static struct g_node *g_made;

static struct g_node *g_new(enum g_kind kind)
{
	struct g_node *g = calloc(1, sizeof(*g));

	if (!g)
		abort();
	g->kind = kind;
	g->made_next = g_made;
	g_made = g;
	return g;
}

/* Free every node made, in trees or not: the NFA's words go with them. */
static void g_free_all(void)
{
	struct g_node *g;

	while ((g = g_made)) {
		g_made = g->made_next;
		free(g->word);
		free(g->kid);
		free(g);
	}
}

static void g_add(struct g_node *g, struct g_node *k)
{
	g->kid = realloc(g->kid, (g->n + 1) * sizeof(*g->kid));
	if (!g->kid)
		abort();
	g->kid[g->n++] = k;
}

/*
 * A keyword: the letters, digits, '-' and '_' of a literal word, which
 * may be an option of the object ("-all").
 */
static bool is_keyword(const char *w)
{
	if (*w == '-' && islower((unsigned char)w[1]))
		w++;
	if (!*w || *w == '-')
		return false;
	for (; *w; w++)
		if (!(islower((unsigned char)*w) || isdigit((unsigned char)*w) ||
		      *w == '-' || *w == '_'))
			return false;
	return true;
}

struct toks {
	char **t;
	int n, i;
};

static struct g_node *parse_alt(struct toks *tk, const char *close);

/* items up to "|" or @close (or the end): one sequence */
static struct g_node *parse_seq(struct toks *tk, const char *close)
{
	struct g_node *seq = g_new(G_SEQ), *item, *rep;

	while (tk->i < tk->n) {
		const char *t = tk->t[tk->i];

		if (!strcmp(t, "|") || (close && !strcmp(t, close)))
			break;
		if (!strcmp(t, "]") || !strcmp(t, "}"))
			return NULL;		/* closes what was not opened */
		tk->i++;
		if (!strcmp(t, "[")) {
			item = g_new(G_OPT);
			rep = parse_alt(tk, "]");
			if (!rep)
				return NULL;
			g_add(item, rep);
		} else if (!strcmp(t, "{")) {
			item = parse_alt(tk, "}");
			if (!item)
				return NULL;
		} else if (!strcmp(t, "...")) {
			/* repeats the group before it, or else all so far */
			if (!seq->n)
				return NULL;
			if (seq->kid[seq->n - 1]->kind != G_WORD) {
				rep = g_new(G_REP);
				g_add(rep, seq->kid[seq->n - 1]);
				seq->kid[seq->n - 1] = rep;
			} else {
				struct g_node *all = g_new(G_SEQ);

				all->kid = seq->kid;
				all->n = seq->n;
				seq->kid = NULL;
				seq->n = 0;
				rep = g_new(G_REP);
				g_add(rep, all);
				g_add(seq, rep);
			}
			continue;
		} else {
			item = g_new(G_WORD);
			item->word = strdup(t);
			if (!item->word)
				abort();
		}
		g_add(seq, item);
	}
	return seq;
}

/* sequences separated by "|", up to @close (consumed) */
static struct g_node *parse_alt(struct toks *tk, const char *close)
{
	struct g_node *alt = g_new(G_ALT), *seq;

	for (;;) {
		seq = parse_seq(tk, close);
		if (!seq)
			return NULL;
		g_add(alt, seq);
		if (tk->i >= tk->n)
			return close ? NULL : alt;
		if (!strcmp(tk->t[tk->i], "|")) {
			tk->i++;
			continue;
		}
		if (close && !strcmp(tk->t[tk->i], close)) {
			tk->i++;
			return alt;
		}
		return NULL;
	}
}

/* @text (a grammar) as a tree; NULL if it is not one (prose). */
static struct g_node *g_parse(const char *text)
{
	struct toks tk = {};
	struct g_node *g = NULL;
	char *copy = strdup(text), *w, *save;

	if (!copy)
		abort();
	for (w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		tk.t = realloc(tk.t, (tk.n + 1) * sizeof(*tk.t));
		if (!tk.t)
			abort();
		tk.t[tk.n++] = w;
	}
	if (tk.n)
		g = parse_alt(&tk, NULL);
	if (g && tk.i != tk.n)
		g = NULL;
	free(tk.t);
	free(copy);
	return g;
}

/* ---- definitions: "X := grammar" ---- */

#define MAX_DEFS 64

struct def {
	char name[32];
	struct g_node *g;		/* NULL: a value with no grammar */
	char list_of[32];		/* "X[,X...]": a list of X */
};

struct defs {
	struct def d[MAX_DEFS];
	int n;
};

static const struct def *def_find(const struct defs *ds, const char *name)
{
	int i;

	for (i = ds->n - 1; i >= 0; i--)
		if (!strcmp(ds->d[i].name, name))
			return &ds->d[i];
	return NULL;
}

/*
 * "X := rhs" (several on a line, apart by 3 blanks or more): a grammar
 * if the right side opens with a group and parses, else prose.
 */
static void defs_add_line(struct defs *ds, const char *line)
{
	char buf[1024], *p = buf, *next, *eq;

	snprintf(buf, sizeof(buf), "%s", line);
	while (p && *p) {
		while (*p == ' ')
			p++;
		next = strstr(p, "   ");
		if (next)
			*next = '\0';
		eq = strstr(p, " := ");
		if (eq && ds->n < MAX_DEFS) {
			struct def *d = &ds->d[ds->n];

			*eq = '\0';
			if (strlen(p) < sizeof(d->name) && !strchr(p, ' ')) {
				size_t n;

				snprintf(d->name, sizeof(d->name), "%s", p);
				eq += 4;
				d->g = (*eq == '{' || *eq == '[') ? g_parse(eq)
								 : NULL;
				n = strcspn(eq, "[");
				d->list_of[0] = '\0';
				if (n < sizeof(d->list_of) && !strncmp(eq + n, "[,", 2) &&
				    !strncmp(eq + n + 2, eq, n))
					snprintf(d->list_of, sizeof(d->list_of),
						 "%.*s", (int)n, eq);
				ds->n++;
			}
		}
		p = next ? next + 3 : NULL;
	}
}

/* ---- the NFA ---- */

enum st_kind { S_EPS, S_WORD, S_TYPE_ARGS, S_ACCEPT };

struct st {
	enum st_kind kind;
	const char *word;		/* S_WORD: the keyword, or value name */
	const char *def;		/* the value name it stands for */
	bool keyword;
	int rep;			/* the explicit repeat it is inside */
	int out[2];			/* S_EPS: up to two; S_WORD: out[0] */
	int clear_rep;			/* an S_EPS back edge: forget rep's */
	int choice;			/* an S_EPS into a group of an any-order
					 * run: taken once */
};

#define MAX_STATES 8192

static struct st states[MAX_STATES];
static int nstates;

static int st_new(enum st_kind kind)
{
	if (nstates == MAX_STATES)
		abort();
	memset(&states[nstates], 0, sizeof(states[0]));
	states[nstates].kind = kind;
	states[nstates].out[0] = states[nstates].out[1] = -1;
	return nstates++;
}

static void st_link(int from, int to)
{
	if (states[from].out[0] < 0)
		states[from].out[0] = to;
	else
		states[from].out[1] = to;
}

static int reps, choices;

static int build(const struct g_node *g, const struct defs *ds, int rep,
		 int depth, const char *def, int *end);

static bool optional(const struct g_node *g)
{
	return g->kind == G_OPT ||
	       (g->kind == G_REP && g->kid[0]->kind == G_OPT);
}

/*
 * Optional groups @from to @to (excluded) of @g, as one loop: any of
 * them, in any order, then out.
 */
static int build_any_order(const struct g_node *g, int from, int to,
			   const struct defs *ds, int rep, int depth,
			   const char *def, int *end)
{
	int k = to - from, s[k], e[k], r[k], top, a, out, i;

	for (i = 0; i < k; i++) {
		const struct g_node *kid = g->kid[from + i];

		r[i] = rep;
		/* a group that repeats: its keywords may come again */
		if (kid->kind == G_REP) {
			r[i] = ++reps;
			kid = kid->kid[0];
		}
		s[i] = build(kid->kid[0], ds, r[i], depth, def, &e[i]);
	}
	top = st_new(S_EPS);
	for (a = top, i = 0; i < k; i++) {
		int fork = st_new(S_EPS), guard = s[i];

		/* a group that does not repeat is taken once */
		if (r[i] == rep) {
			guard = st_new(S_EPS);
			states[guard].choice = ++choices;
			st_link(guard, s[i]);
		}
		st_link(a, guard);
		st_link(a, fork);
		a = fork;
	}
	out = st_new(S_EPS);
	st_link(a, out);
	for (i = 0; i < k; i++) {
		if (r[i] != rep) {
			int back = st_new(S_EPS);

			states[back].clear_rep = r[i];
			st_link(e[i], back);
			st_link(back, top);
		} else {
			st_link(e[i], top);
		}
	}
	*end = out;
	return top;
}

static int build(const struct g_node *g, const struct defs *ds, int rep,
		 int depth, const char *def, int *end)
{
	int s, e, i, j, a, b, start;
	const struct def *d;

	switch (g->kind) {
	case G_WORD:
		if (!is_keyword(g->word) && !strcmp(g->word, "TYPE_ARGS")) {
			s = st_new(S_TYPE_ARGS);
			*end = s;
			return s;
		}
		d = is_keyword(g->word) ? NULL : def_find(ds, g->word);
		if (d && d->g && depth < 8)
			return build(d->g, ds, rep, depth + 1, d->name, end);
		s = st_new(S_WORD);
		states[s].word = g->word;
		states[s].keyword = is_keyword(g->word);
		states[s].rep = rep;
		states[s].def = def;
		e = st_new(S_EPS);
		states[s].out[0] = e;
		*end = e;
		return s;
	case G_SEQ:
		start = st_new(S_EPS);
		e = start;
		for (i = 0; i < g->n; i = j) {
			/* optional groups one after the other: in any order */
			for (j = i; j < g->n && optional(g->kid[j]); j++)
				;
			if (j - i >= 2) {
				s = build_any_order(g, i, j, ds, rep, depth, def,
						    &b);
			} else {
				s = build(g->kid[i], ds, rep, depth, def, &b);
				j = i + 1;
			}
			st_link(e, s);
			e = b;
		}
		*end = e;
		return start;
	case G_ALT:
		start = st_new(S_EPS);
		e = st_new(S_EPS);
		a = start;
		for (i = 0; i < g->n; i++) {
			s = build(g->kid[i], ds, rep, depth, def, &b);
			st_link(b, e);
			if (i + 1 < g->n) {
				int fork = st_new(S_EPS);

				st_link(a, s);
				st_link(a, fork);
				a = fork;
			} else {
				st_link(a, s);
			}
		}
		*end = e;
		return start;
	case G_OPT:
		start = st_new(S_EPS);
		s = build(g->kid[0], ds, rep, depth, def, &b);
		e = st_new(S_EPS);
		st_link(start, s);
		st_link(start, e);
		st_link(b, e);
		*end = e;
		return start;
	case G_REP: {
		int r = ++reps, back;

		start = st_new(S_EPS);
		s = build(g->kid[0], ds, r, depth, def, &b);
		e = st_new(S_EPS);
		back = st_new(S_EPS);
		states[back].clear_rep = r;
		st_link(start, s);
		st_link(b, back);
		st_link(back, s);
		st_link(back, e);
		*end = e;
		return start;
	}
	}
	abort();
}

/* ---- running it ---- */

#define MAX_BIND 16
#define MAX_SEEN 32

/* where a run is: a state, what the values bound, the keywords seen */
struct pos {
	int st;
	int nb;
	const char *bname[MAX_BIND];
	const char *bval[MAX_BIND];
	int ns;
	const char *seen[MAX_SEEN];
	int seen_rep[MAX_SEEN];
	int nt;
	int taken[MAX_SEEN];		/* the any-order groups taken */
};

struct run {
	struct pos *p;
	int n, cap;
};

struct ctx {
	const char *object;		/* the object's name */
	const struct pcn_object *o;
	const char *cur;		/* the word being typed */
	const char *verb;		/* the first word after the object */
	bool add;			/* a production "add NAME ..." */
	bool files;			/* FILE: bash completes file names */
	char **out;
	int nout, capout;
};

/* Add @p to @r. Return: false if it was there already. */
static bool run_add(struct run *r, const struct pos *p)
{
	int i;

	for (i = 0; i < r->n; i++)
		if (r->p[i].st == p->st && r->p[i].nb == p->nb &&
		    r->p[i].ns == p->ns && r->p[i].nt == p->nt &&
		    !memcmp(r->p[i].bval, p->bval, sizeof(p->bval[0]) * p->nb) &&
		    !memcmp(r->p[i].seen, p->seen, sizeof(p->seen[0]) * p->ns) &&
		    !memcmp(r->p[i].taken, p->taken, sizeof(p->taken[0]) * p->nt))
			return false;
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->p = realloc(r->p, r->cap * sizeof(*r->p));
		if (!r->p)
			abort();
	}
	r->p[r->n++] = *p;
	return true;
}

static const char *bound(const struct pos *p, const char *name)
{
	int i;

	for (i = p->nb - 1; i >= 0; i--)
		if (!strcmp(p->bname[i], name))
			return p->bval[i];
	return NULL;
}

static int type_args_start(const struct pos *p, struct ctx *c);

/* @p and everything its empty moves reach, into @r */
static void closure(struct run *r, struct pos p, struct ctx *c, int depth)
{
	const struct st *s;
	int i, k;

	if (depth > 256)
		return;
	s = &states[p.st];
	if (s->kind == S_EPS && s->choice) {
		for (i = 0; i < p.nt; i++)
			if (p.taken[i] == s->choice)
				return;
		if (p.nt < MAX_SEEN)
			p.taken[p.nt++] = s->choice;
	}
	if (s->kind == S_EPS && s->clear_rep) {
		for (i = k = 0; i < p.ns; i++)
			if (p.seen_rep[i] != s->clear_rep) {
				p.seen[k] = p.seen[i];
				p.seen_rep[k++] = p.seen_rep[i];
			}
		p.ns = k;
	}
	if (!run_add(r, &p))
		return;
	if (s->kind == S_TYPE_ARGS) {
		int t = type_args_start(&p, c);

		if (t >= 0) {
			struct pos q = p;

			q.st = t;
			closure(r, q, c, depth + 1);
		}
		return;
	}
	if (s->kind != S_EPS)
		return;
	for (i = 0; i < 2; i++) {
		struct pos q = p;

		if (s->out[i] < 0)
			continue;
		q.st = s->out[i];
		closure(r, q, c, depth + 1);
	}
}

/* The run after word @w. */
static struct run step(const struct run *r, const char *w, struct ctx *c)
{
	struct run next = {};
	bool keyword = false;
	int i, j;

	/* a word that is a keyword here is not also taken for a value */
	for (i = 0; i < r->n; i++) {
		const struct st *s = &states[r->p[i].st];

		if (s->kind == S_WORD && s->keyword && !strcmp(s->word, w))
			keyword = true;
	}
	for (i = 0; i < r->n; i++) {
		const struct pos *p = &r->p[i];
		const struct st *s = &states[p->st];
		struct pos q;

		if (s->kind != S_WORD)
			continue;
		if (s->keyword ? strcmp(s->word, w) :
		    keyword || !*w || w[0] == '-')
			continue;
		q = *p;
		q.st = s->out[0];
		if (s->keyword) {
			for (j = 0; j < q.ns && strcmp(q.seen[j], s->word); j++)
				;
			if (j == q.ns && q.ns < MAX_SEEN) {
				q.seen[q.ns] = s->word;
				q.seen_rep[q.ns++] = s->rep;
			}
		}
		/* a value, or a keyword standing for one ("TYPE := {...}") */
		if ((!s->keyword || s->def) && q.nb < MAX_BIND) {
			q.bname[q.nb] = s->keyword ? s->def : s->word;
			q.bval[q.nb++] = w;
		}
		closure(&next, q, c, 0);
	}
	return next;
}

/* ---- candidates ---- */

static void emit(struct ctx *c, const char *w)
{
	int i;

	if (strncmp(w, c->cur, strlen(c->cur)))
		return;
	for (i = 0; i < c->nout; i++)
		if (!strcmp(c->out[i], w))
			return;
	if (c->nout == c->capout) {
		c->capout = c->capout ? 2 * c->capout : 64;
		c->out = realloc(c->out, c->capout * sizeof(*c->out));
		if (!c->out)
			abort();
	}
	c->out[c->nout] = strdup(w);
	if (!c->out[c->nout])
		abort();
	c->nout++;
}

/* ---- what an object's completer sees ---- */

struct pcn_line {
	struct ctx *c;
	const struct pos *p;
};

const char *pcn_line_verb(const struct pcn_line *l)
{
	return l->c->verb;
}

const char *pcn_line_value(const struct pcn_line *l, const char *name)
{
	return bound(l->p, name);
}

void pcn_line_emit(struct pcn_line *l, const char *fmt, ...)
{
	char w[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w, sizeof(w), fmt, ap);
	va_end(ap);
	emit(l->c, w);
}

struct line_cubes {
	struct pcn_line *l;
	const char *type;
	void (*fn)(struct pcn_line *l, struct pcn_cube *c);
};

static int line_cube_cb(struct pcn_cube *cb, void *arg)
{
	struct line_cubes *lc = arg;

	if (!strcmp(cb->meta.type, lc->type))
		lc->fn(lc->l, cb);
	return 0;
}

void pcn_line_cubes(struct pcn_line *l, const char *type, const char *only,
		    void (*fn)(struct pcn_line *l, struct pcn_cube *c))
{
	struct line_cubes lc = { .l = l, .type = type, .fn = fn };
	bool none;

	if (tree_open(PCN_READ, &none) || none)
		return;
	cube_for_each(only, line_cube_cb, &lc);
}

/* the cube type a value name stands for: "BRIDGE" for bridge */
static const struct cube_type *type_of_name(const char *name, size_t len)
{
	const struct cube_type *const *t;
	char lower[PCN_NAME_LEN];
	size_t i;

	if (len >= sizeof(lower))
		return NULL;
	for (i = 0; i < len; i++)
		lower[i] = tolower((unsigned char)name[i]);
	lower[len] = '\0';
	for (t = cube_types(); *t; t++)
		if (!strcmp((*t)->name, lower))
			return *t;
	return NULL;
}

struct cube_filter {
	struct ctx *c;
	const char *type;		/* NULL: any */
	bool transparent;
	bool ports;			/* CUBE:PORT endpoints */
	bool bare;			/* also CUBE alone */
	const char *only;		/* ports of this cube */
};

static int cube_cb(struct pcn_cube *cb, void *arg)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	struct cube_filter *f = arg;
	char ep[2 * PCN_NAME_LEN + 1];
	int i;

	if (f->type && strcmp(cb->meta.type, f->type))
		return 0;
	if (f->transparent && cb->meta.max_ports)
		return 0;
	if (f->only && strcmp(cb->name, f->only))
		return 0;
	if (!f->ports || f->bare)
		emit(f->c, cb->name);
	if (!f->ports || cube_ports_read(cb, ports))
		return 0;
	for (i = 0; i < PCN_MAX_PORTS; i++) {
		if (!ports[i].name[0])
			continue;
		if (f->only)
			emit(f->c, ports[i].name);
		else {
			snprintf(ep, sizeof(ep), "%s:%s", cb->name, ports[i].name);
			emit(f->c, ep);
		}
	}
	return 0;
}

static void cubes(struct cube_filter *f)
{
	bool none;

	if (tree_open(PCN_READ, &none) || none)
		return;
	cube_for_each(NULL, cube_cb, f);
}

static void interfaces(struct ctx *c)
{
	struct if_nameindex *ifs = if_nameindex(), *i;

	for (i = ifs; i && i->if_index; i++)
		emit(c, i->if_name);
	if (ifs)
		if_freenameindex(ifs);
}

static void netnses(struct ctx *c)
{
	struct dirent *de;
	DIR *d = opendir("/run/netns");

	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.')
			emit(c, de->d_name);
	if (d)
		closedir(d);
}

/* the last cube a value named on the line */
static const char *cube_bound(const struct pos *p)
{
	int i;

	for (i = p->nb - 1; i >= 0; i--) {
		const char *n = p->bname[i];

		if (!strcmp(n, "NAME") || !strcmp(n, "CUBE") ||
		    !strcmp(n, "TCUBE") || type_of_name(n, strlen(n)))
			return p->bval[i];
	}
	return NULL;
}

/*
 * The candidates of value @name (of definition @def, if in one) at @p:
 * from the object, or from the state.
 */
static void values(const char *name, const char *def, const struct pos *p,
		   struct ctx *c)
{
	struct cube_filter f = { .c = c };
	const struct pcn_completion *oc;
	const struct cube_type *t;
	const char *colon = strchr(name, ':');
	size_t len = colon ? (size_t)(colon - name) : strlen(name);

	for (oc = c->o ? c->o->complete : NULL; oc && oc->value; oc++)
		if (!strcmp(oc->value, name) ||
		    (def && !strcmp(oc->value, def))) {
			struct pcn_line l = { .c = c, .p = p };

			oc->fn(&l);
			return;
		}
	if (!strcmp(name, "IFNAME")) {
		interfaces(c);
		return;
	}
	if (!strcmp(name, "NETNS")) {
		netnses(c);
		return;
	}
	if (!strcmp(name, "FILE")) {
		c->files = true;
		return;
	}
	if (!strcmp(name, "PORT")) {
		f.only = cube_bound(p);
		f.ports = true;
		if (f.only)
			cubes(&f);
		return;
	}
	if (!strcmp(name, "NAME") && c->add && p->nb == 0)
		return;			/* a new cube */
	if (colon && strcmp(colon, ":PORT") && strcmp(colon, ":PORT]"))
		return;
	if (colon) {
		f.ports = true;
		/* "CUBE[:PORT]": the cube alone too */
		f.bare = name[len - 1] == '[';
		if (f.bare)
			len--;
	}
	if ((len == 4 && !strncmp(name, "NAME", 4)) ||
	    (len == 4 && !strncmp(name, "CUBE", 4))) {
		cubes(&f);
		return;
	}
	if (len == 5 && !strncmp(name, "TCUBE", 5)) {
		f.transparent = true;
		cubes(&f);
		return;
	}
	t = type_of_name(name, len);
	if (t) {
		f.type = t->name;
		cubes(&f);
	}
}

/* A list value "X[,X...]": X's values after what the word has so far. */
static bool list_values(const char *name, const struct defs *ds,
			struct ctx *c)
{
	char item[32], pre[256];
	const struct g_node *g;
	const struct def *d;
	const char *comma;
	size_t n = strcspn(name, "[");
	int i;

	d = def_find(ds, name);
	if (d && d->list_of[0]) {
		snprintf(item, sizeof(item), "%s", d->list_of);
	} else {
		if (n >= sizeof(item) || strncmp(name + n, "[,", 2))
			return false;
		memcpy(item, name, n);
		item[n] = '\0';
	}
	d = def_find(ds, item);
	if (!d || !d->g)
		return false;
	g = d->g;
	/* "{ a | b }" parses as an alternative of one sequence of it */
	while (g->kind == G_ALT && g->n == 1 && g->kid[0]->n == 1 &&
	       g->kid[0]->kid[0]->kind == G_ALT)
		g = g->kid[0]->kid[0];
	if (g->kind != G_ALT)
		return false;
	comma = strrchr(c->cur, ',');
	snprintf(pre, sizeof(pre), "%.*s",
		 comma ? (int)(comma - c->cur + 1) : 0, c->cur);
	for (i = 0; i < g->n; i++) {
		const struct g_node *s = g->kid[i];
		char w[300];

		if (s->n != 1 || s->kid[0]->kind != G_WORD ||
		    !is_keyword(s->kid[0]->word) ||
		    strstr(pre, s->kid[0]->word))
			continue;
		snprintf(w, sizeof(w), "%s%s", pre, s->kid[0]->word);
		emit(c, w);
	}
	return true;
}

/* ---- the grammar of an object, and of a cube type's TYPE_ARGS ---- */

static struct defs defs;

/*
 * The usage of @o, as "pcn OBJ help" prints it, into @prods and @defs.
 * The productions point into *@text, which the caller frees.
 */
static int object_grammar(const struct pcn_object *o, char **text,
			  char ***prods, int *n)
{
	char *line, *save, prefix[64], def[2048] = "";
	size_t size = 0, indent = 0;
	FILE *f;

	*n = 0;
	*prods = NULL;
	*text = NULL;
	f = open_memstream(text, &size);
	if (!f)
		return -errno;
	o->usage(f);
	fclose(f);
	snprintf(prefix, sizeof(prefix), "pcn %s ", o->name);
	for (line = strtok_r(*text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *p = line;

		if (!strncmp(p, "Usage: ", 7))
			p += 7;
		if (!strncmp(p, "where ", 6))
			p += 6;
		while (*p == ' ')
			p++;
		/* a definition goes on on lines indented further */
		if (def[0] && (size_t)(p - line) > indent &&
		    !strstr(p, " := ") && strncmp(p, prefix, strlen(prefix))) {
			size_t k = strlen(def);

			snprintf(def + k, sizeof(def) - k, " %s", p);
			continue;
		}
		if (def[0])
			defs_add_line(&defs, def);
		def[0] = '\0';
		if (!strncmp(p, prefix, strlen(prefix))) {
			*prods = realloc(*prods, (*n + 1) * sizeof(**prods));
			if (!*prods)
				abort();
			(*prods)[(*n)++] = p + strlen(prefix);
		} else if (strstr(p, " := ")) {
			snprintf(def, sizeof(def), "%s", p);
			indent = p - line;
		}
	}
	if (def[0])
		defs_add_line(&defs, def);
	return 0;
}

/* the NFA of type @t's add or set grammar, -1 if it has none */
static int type_grammar(const struct cube_type *t, bool add)
{
	static struct {
		const struct cube_type *t;
		bool add;
		int start;
	} made[32];
	static int nmade;
	const char *text = add ? t->add_usage : t->set_usage;
	const char *const *d;
	struct g_node *g;
	int i, s, e, acc;

	for (i = 0; i < nmade; i++)
		if (made[i].t == t && made[i].add == add)
			return made[i].start;
	for (d = t->definitions; d && *d; d++)
		defs_add_line(&defs, *d);
	s = -1;
	if (text && (g = g_parse(text))) {
		s = build(g, &defs, 0, 0, NULL, &e);
		acc = st_new(S_ACCEPT);
		st_link(e, acc);
	}
	if (nmade < (int)ARRAY_SIZE(made)) {
		made[nmade].t = t;
		made[nmade].add = add;
		made[nmade++].start = s;
	}
	return s;
}

static int type_args_start(const struct pos *p, struct ctx *c)
{
	const char *type = bound(p, "TYPE"), *name = bound(p, "NAME");
	const struct cube_type *t;
	struct pcn_cube cb;
	bool none;

	if (type) {
		t = cube_type_find(type);
		return t ? type_grammar(t, true) : -1;
	}
	if (!name || tree_open(PCN_READ, &none) || none || cube_open(name, &cb))
		return -1;
	t = cube_type_find(cb.meta.type);
	cube_close(&cb);
	return t ? type_grammar(t, false) : -1;
}

/* ---- the command line ---- */

static const char *const options[] = {
	"-V", "-j", "-p", "-s", "-d", "-n", "-root", "-batch", "-force", "-h",
	"-Version", "-json", "-pretty", "-statistics", "-stats", "-details",
	"-netns", "-help", NULL,
};

struct obj_find {
	const char *name;
	const struct pcn_object *o;
	struct ctx *c;
};

static int obj_cb(const struct pcn_object *o, void *arg)
{
	struct obj_find *f = arg;

	if (f->c)
		emit(f->c, o->name);
	else if (!strcmp(o->name, f->name))
		f->o = o;
	return 0;
}

static void print_out(struct ctx *c)
{
	int i;

	/* bash completes file names, and adds these */
	if (c->files)
		printf("#files\n");
	for (i = 0; i < c->nout; i++)
		printf("%s\n", c->out[i]);
}

int pcn_complete(int argc, char **argv,
		 int (*each_object)(int (*fn)(const struct pcn_object *o,
					      void *arg), void *arg))
{
	struct ctx c = {};
	struct obj_find of = {};
	struct run r = {};
	char **prods = NULL, *text = NULL;
	int i, n, s, e, acc, nwords;
	char **w;

	if (argc < 1)
		return 0;
	c.cur = argv[argc - 1];
	/* the options before the object, as pcn_run() takes them */
	for (i = 0; i < argc - 1 && argv[i][0] == '-'; i++) {
		const char *o = argv[i] + (argv[i][1] == '-');

		if (!strcmp(o, "-n") || !strcmp(o, "-netns")) {
			if (i + 1 < argc - 1) {
				char path[4096];
				int fd;

				snprintf(path, sizeof(path), strchr(argv[i + 1], '/') ?
					 "%s" : "/run/netns/%s", argv[i + 1]);
				fd = open(path, O_RDONLY | O_CLOEXEC);
				/* failing that, completes in this one */
				if (fd >= 0) {
					setns(fd, CLONE_NEWNET);
					close(fd);
				}
				i++;
			} else {
				netnses(&c);
				goto out;
			}
		} else if (!strcmp(o, "-root") || !strcmp(o, "-batch") ||
			   !strcmp(o, "-b")) {
			if (i + 1 < argc - 1) {
				if (strcmp(o, "-root") == 0)
					pcn_root_set(argv[i + 1]);
				i++;
			} else {
				printf("#files\n");
				goto out;
			}
		}
	}
	if (i == argc - 1) {
		if (c.cur[0] == '-') {
			for (n = 0; options[n]; n++)
				emit(&c, options[n]);
		} else {
			of.c = &c;
			each_object(obj_cb, &of);
		}
		goto out;
	}
	of.name = argv[i];
	each_object(obj_cb, &of);
	if (!of.o || !of.o->usage)
		goto out;
	c.o = of.o;
	c.object = of.o->name;
	w = argv + i + 1;
	nwords = argc - i - 2;
	/* the verbs, and the productions of each */
	if (object_grammar(of.o, &text, &prods, &n))
		goto out;
	/* an object without verbs ("save"): its grammar from the first word */
	if (nwords == 0 && of.o->cmds) {
		for (i = 0; i < n; i++) {
			char verb[64];

			if (sscanf(prods[i], "%63s", verb) == 1 &&
			    is_keyword(verb))
				emit(&c, verb);
			else if (!strncmp(prods[i], "{ ", 2)) {
				/* "{ add | replace } ..." */
				char *p = prods[i] + 2, buf[64];

				while (sscanf(p, "%63s", buf) == 1 &&
				       strcmp(buf, "}")) {
					if (is_keyword(buf))
						emit(&c, buf);
					p = strstr(p, buf) + strlen(buf);
				}
			}
		}
		goto out;
	}
	c.verb = nwords ? w[0] : "";
	c.add = nwords && !strcmp(w[0], "add");
	for (i = 0; i < n; i++) {
		struct g_node *g = g_parse(prods[i]);
		struct pos p = {};

		if (!g)
			continue;
		s = build(g, &defs, 0, 0, NULL, &e);
		acc = st_new(S_ACCEPT);
		st_link(e, acc);
		p.st = s;
		closure(&r, p, &c, 0);
	}
	for (i = 0; i < nwords && r.n; i++) {
		struct run next = step(&r, w[i], &c);

		free(r.p);
		r = next;
	}
	for (i = 0; i < r.n; i++) {
		const struct pos *p = &r.p[i];
		const struct st *st = &states[p->st];
		int j;

		if (st->kind != S_WORD)
			continue;
		if (st->keyword) {
			for (j = 0; j < p->ns && strcmp(p->seen[j], st->word); j++)
				;
			if (j == p->ns)
				emit(&c, st->word);
		} else if (!list_values(st->word, &defs, &c)) {
			values(st->word, st->def, p, &c);
		}
	}
	free(r.p);
out:
	print_out(&c);
	for (i = 0; i < c.nout; i++)
		free(c.out[i]);
	free(c.out);
	free(prods);
	free(text);
	g_free_all();
	return 0;
}
