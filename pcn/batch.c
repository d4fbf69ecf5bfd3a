// SPDX-License-Identifier: GPL-2.0
/*
 * pcn -batch FILE, and pcn restore FILE: many commands in one process,
 * each line run by the dispatcher pcn.c hands in (so that this file
 * calls nothing above it).
 *
 * A line is a command line without "pcn"; it may start with "-n NETNS"
 * (pcn save -all writes those), and a line "schema N" says which save
 * schema the file is written in. Before any line runs, the interfaces
 * that "link add ... dev IFNAME" lines name are looked up, in the
 * namespace of each line (each namespace must be there): all those
 * missing are named in one error, and nothing runs.
 *
 * -batch runs the lines in turn and stops at the first error (-force:
 * goes on); the types commit what they staged (the firewalls' rules)
 * when the batch ends, or when it moves to another namespace.
 *
 * restore makes each namespace the file names what the file says, as
 * one change: it takes what each one holds (as pcn save would print
 * it), flushes it, and runs the lines; if one fails, every namespace it
 * touched is put back as it was (the cubes the file added go; if that
 * is not enough, the namespace is flushed and made again from what it
 * held), so that nothing of the file is left applied.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>

#include "netns.h"
#include "pcn.h"

/* A batch file, read whole before anything runs. */
struct batch {
	const char *file;		/* for errors: FILE:LINE */
	char **lines;
	int n;
	bool restore;			/* restore: whole or nothing */
	bool has_schema;
	bool named;			/* a line has "-n NETNS" */
};

/* A namespace the batch ran lines in: what it held before (restore). */
struct touched {
	char *name;			/* -n NETNS; NULL: the batch's own */
	char *before;			/* pcn save of it, before */
};

struct run {
	struct batch *b;
	int (*dispatch)(int argc, char **argv);
	int home;			/* fd of the batch's own namespace */
	char *ns;			/* where the lines run now (NULL: home) */
	struct touched *t;
	int nt;
	int ret;
	int failed_line;
};

static void batch_free(struct batch *b)
{
	int i;

	for (i = 0; i < b->n; i++)
		free(b->lines[i]);
	free(b->lines);
}

static int batch_read(struct batch *b, const char *name)
{
	char *line = NULL, **lines;
	size_t len = 0;
	int err;
	FILE *f;

	f = strcmp(name, "-") ? fopen(name, "r") : stdin;
	if (!f)
		return pcn_err_kernel(errno, "cannot open batch file \"%s\"",
				      name);
	b->file = name;
	while (getline(&line, &len, f) >= 0) {
		lines = realloc(b->lines, (b->n + 1) * sizeof(*lines));
		if (!lines)
			break;
		b->lines = lines;
		b->lines[b->n] = line;
		b->n++;
		line = NULL;
		len = 0;
	}
	free(line);
	err = ferror(f) ? -EIO : feof(f) ? 0 : -ENOMEM;
	if (f != stdin)
		fclose(f);
	return err ? pcn_err_kernel(err, "cannot read batch file \"%s\"", name)
		   : 0;
}

/*
 * Line @i of @b split into words in @buf (a copy), into @argv: the
 * namespace of a leading "-n NETNS" in *@ns (else NULL) taken off.
 * Return: the number of words left, or -1 after reporting an error.
 */
static int line_words(struct batch *b, int i, char *buf, size_t size,
		      char **argv, int max, const char **ns)
{
	int argc;

	*ns = NULL;
	snprintf(buf, size, "%s", b->lines[i]);
	if (strlen(b->lines[i]) >= size) {
		pcn_err(PCN_EXIT_USAGE, "the line is too long");
		return -1;
	}
	argc = split_words(buf, argv, max);
	if (argc < 0) {
		pcn_err(PCN_EXIT_USAGE, "unbalanced quotes or too many words");
		return -1;
	}
	if (argc > 0 && (is_kw(argv[0], "-n") || is_kw(argv[0], "-netns") ||
			 is_kw(argv[0], "--netns"))) {
		if (argc < 3) {
			pcn_err(PCN_EXIT_USAGE,
				argc < 2 ? "\"%s\" needs NETNS" :
					   "\"%s NETNS\" needs a command after it",
				argv[0]);
			return -1;
		}
		*ns = argv[1];
		memmove(argv, argv + 2, (argc - 2) * sizeof(*argv));
		argc -= 2;
	}
	return argc;
}

#define LINE_MAX_LEN 8192
#define WORDS_MAX 256

/* "schema N": a save schema this pcn reads (pcn.h). */
static int schema_check(int argc, char **argv)
{
	__u32 v;

	if (argc != 2 || pcn_parse_u32(argv[1], 10, &v))
		return pcn_err(PCN_EXIT_USAGE, "\"schema\" takes one number");
	if (v != PCN_SAVE_SCHEMA)
		return pcn_err(PCN_EXIT_USAGE,
			       "the file is written in save schema %u, which this pcn does not know (it reads schema %d)",
			       v, PCN_SAVE_SCHEMA);
	return 0;
}

/* Enter the namespace @ns (NULL: the batch's own, @home). */
static int enter(struct run *r, const char *ns)
{
	int err;

	free(r->ns);
	r->ns = NULL;
	if (!ns) {
		err = pcn_netns_enter(NULL, r->home);
		if (err)
			return pcn_err_kernel(err,
					      "cannot come back to the batch's network namespace");
		pcn_netns_entered();
		return 0;
	}
	err = netns_switch(ns);
	if (!err && !(r->ns = strdup(ns)))
		err = pcn_err_kernel(-ENOMEM, "cannot enter netns \"%s\"", ns);
	return err;
}

/* Do lines in namespace @ns run somewhere else than the last ones? */
static bool moves(const struct run *r, const char *ns)
{
	return (ns || r->ns) && (!ns || !r->ns || strcmp(ns, r->ns));
}

/* One missing interface, for the error that names them all. */
static void missing_add(char *msg, size_t size, const char *ifname,
			const char *ns, int line)
{
	size_t n = strlen(msg);

	if (n + 1 >= size)
		return;
	snprintf(msg + n, size - n, "%s%s (%s%s%sline %d)", n ? ", " : "",
		 ifname, ns ? "netns " : "", ns ? ns : "", ns ? ", " : "",
		 line);
}

/*
 * Before anything runs: the schema lines, each namespace named, and
 * the interfaces "link add" lines name, in the namespace of each line;
 * those missing are named in one error.
 */
static int precheck(struct run *r)
{
	struct batch *b = r->b;
	char buf[LINE_MAX_LEN], *argv[WORDS_MAX], msg[1024] = "";
	const char *ns;
	int i, j, argc, err = 0;

	for (i = 0; i < b->n && !err; i++) {
		batch_line = i + 1;
		argc = line_words(b, i, buf, sizeof(buf), argv, WORDS_MAX, &ns);
		if (argc < 0)
			return PCN_EXIT_USAGE;
		b->named |= ns != NULL;
		if (argc > 0 && is_kw(argv[0], "schema")) {
			err = schema_check(argc, argv);
			b->has_schema = true;
			continue;
		}
		/* every namespace named is there */
		if (moves(r, ns))
			err = enter(r, ns);
		if (err || argc < 3 || !is_kw(argv[0], "link") ||
		    !is_kw(argv[1], "add"))
			continue;
		for (j = 2; j < argc - 1 && !is_kw(argv[j], "dev"); j++)
			;
		if (j == argc - 1 || strlen(argv[j + 1]) >= IF_NAMESIZE)
			continue;	/* the command says what is wrong */
		if (!if_nametoindex(argv[j + 1]))
			missing_add(msg, sizeof(msg), argv[j + 1], ns, i + 1);
	}
	batch_line = 0;
	if (!err && b->restore && !b->has_schema)
		err = pcn_err(PCN_EXIT_USAGE,
			      "%s has no \"schema\" line: it is not a file pcn save wrote, and restore flushes what the file does not hold",
			      b->file);
	if (!err && msg[0])
		err = pcn_err(PCN_EXIT_KERNEL,
			      "%s: interfaces missing, nothing applied: %s",
			      b->file, msg);
	return err ?: enter(r, NULL);
}

static struct touched *touched_find(struct run *r, const char *ns)
{
	int i;

	for (i = 0; i < r->nt; i++)
		if ((!ns && !r->t[i].name) ||
		    (ns && r->t[i].name && !strcmp(ns, r->t[i].name)))
			return &r->t[i];
	return NULL;
}

/*
 * The first line in namespace @ns of a restore: what it holds, and then
 * none of it. The lock stays held until the process ends.
 */
static int ns_begin(struct run *r, const char *ns)
{
	struct touched *t;
	bool none;
	int err;

	if (!r->b->restore || touched_find(r, ns))
		return 0;
	t = realloc(r->t, (r->nt + 1) * sizeof(*t));
	if (!t)
		return pcn_err_kernel(-ENOMEM, "cannot restore");
	r->t = t;
	t = &r->t[r->nt];
	memset(t, 0, sizeof(*t));
	if (ns && !(t->name = strdup(ns)))
		return pcn_err_kernel(-ENOMEM, "cannot restore");
	r->nt++;
	err = tree_open(PCN_WRITE_EXISTING, &none);
	if (!err)
		err = save_ns_text(&t->before);
	if (!err && !none)
		err = cube_flush_all();
	return err;
}

/* The types commit what they staged (@commit), or drop it. */
static int staged_end(struct run *r, bool commit)
{
	int saved = batch_line, err;

	batch_line = 0;
	/* restore names no line: the whole file is dropped */
	err = batch_end(commit, r->b->restore ? 0 : r->failed_line);
	batch_line = saved;
	return err;
}

/* Run line @i. Return: 0, or the exit code of the error reported. */
static int run_line(struct run *r, int i)
{
	char buf[LINE_MAX_LEN], *argv[WORDS_MAX];
	const char *ns;
	int argc, err;

	argc = line_words(r->b, i, buf, sizeof(buf), argv, WORDS_MAX, &ns);
	if (argc <= 0)
		return argc < 0 ? PCN_EXIT_USAGE : 0;
	if (is_kw(argv[0], "schema"))
		return schema_check(argc, argv);
	if (moves(r, ns)) {
		/* what the types staged belongs to the namespace left */
		err = staged_end(r, !r->ret);
		r->ret = r->ret ?: err;
		if (r->ret && !force)
			return 0;
		err = enter(r, ns);
		if (err)
			return err;
	}
	err = ns_begin(r, ns);
	return err ?: r->dispatch(argc, argv);
}

static int run_lines(struct run *r)
{
	int i, err;

	for (i = 0; i < r->b->n; i++) {
		batch_line = i + 1;
		err = run_line(r, i);
		if (err && !r->ret) {
			r->ret = err;
			r->failed_line = batch_line;
		}
		if (r->ret && !force)
			break;
	}
	batch_line = 0;
	err = staged_end(r, !r->ret);
	return r->ret ?: err;
}

/* "cube add NAME " lines of a save: is @name one of them? */
static bool saved_has(const char *save, const char *name)
{
	char want[PCN_NAME_LEN + 16];
	const char *p;
	size_t len;

	len = snprintf(want, sizeof(want), "cube add %s ", name);
	for (p = save; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, want, len))
			return true;
	return false;
}

/* Run the lines of @text (a save) in the namespace entered. */
static int replay(const struct run *from, const char *text, const char *what)
{
	struct batch b = { .file = what };
	struct run r = { .b = &b, .home = -1, .dispatch = from->dispatch };
	char *copy, *p, *nl;
	int err;
	const char *file = batch_file;

	copy = strdup(text);
	if (!copy)
		return pcn_err_kernel(-ENOMEM, "cannot restore %s", what);
	batch_file = what;
	for (p = copy; *p; p = nl + 1) {
		char **lines = realloc(b.lines, (b.n + 1) * sizeof(*lines));

		nl = strchr(p, '\n');
		if (!lines || !nl)
			break;
		*nl = '\0';
		b.lines = lines;
		b.lines[b.n++] = p;
	}
	err = run_lines(&r);
	batch_file = file;
	free(b.lines);
	free(copy);
	return err;
}

/* Put namespace @t back as it was, in as few steps as it takes. */
static int rollback(struct run *r, struct touched *t)
{
	char *now = NULL, **names = NULL, what[300];
	int i, n = 0, err;
	bool none;

	/* not taken: nothing was flushed, nor run there */
	if (!t->before)
		return 0;
	err = enter(r, t->name);
	if (!err)
		err = tree_open(PCN_WRITE_EXISTING, &none);
	if (!err)
		err = save_ns_text(&now);
	if (err || !strcmp(now, t->before))
		goto out;
	/* the cubes it did not have go */
	err = tree_cubes(PCN_WRITE_EXISTING, &names, &n);
	for (i = 0; i < n && !err; i++)
		if (!saved_has(t->before, names[i]))
			err = cube_delete(names[i]);
	cube_names_free(names, n);
	free(now);
	now = NULL;
	if (!err)
		err = save_ns_text(&now);
	if (err || !strcmp(now, t->before))
		goto out;
	/* not enough: all of it, made again */
	snprintf(what, sizeof(what), "(netns %s as it was)",
		 t->name ? t->name : "of the batch");
	err = tree_open(PCN_WRITE_EXISTING, &none) ?:
	      (none ? 0 : cube_flush_all()) ?: replay(r, t->before, what);
out:
	free(now);
	if (err)
		pcn_err(PCN_EXIT_KERNEL,
			"%s: could not put netns %s back as it was before the restore",
			r->b->file, t->name ? t->name : "of the batch");
	return err;
}

static int batch_run(struct batch *b, int (*dispatch)(int argc, char **argv))
{
	struct run r = { .b = b, .dispatch = dispatch };
	int i, err;

	r.home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (r.home < 0)
		return pcn_err_kernel(errno, "cannot open /proc/self/ns/net");
	batch_file = b->file;
	err = force ? 0 : precheck(&r);
	/* a restore of a file that names no namespace flushes its own */
	if (!err && b->restore && !b->named) {
		err = ns_begin(&r, NULL);
		if (err)
			r.ret = err;
	}
	if (!err && !r.ret)
		err = run_lines(&r);
	if (err && b->restore)
		for (i = r.nt - 1; i >= 0; i--)
			rollback(&r, &r.t[i]);
	for (i = 0; i < r.nt; i++) {
		free(r.t[i].name);
		free(r.t[i].before);
	}
	free(r.t);
	if (r.ns && enter(&r, NULL))
		err = err ?: PCN_EXIT_KERNEL;
	close(r.home);
	return err;
}

int batch_file_run(const char *name, bool restore,
		   int (*dispatch)(int argc, char **argv))
{
	struct batch b = { .restore = restore };
	int err;

	err = batch_read(&b, name);
	if (!err)
		err = batch_run(&b, dispatch);
	batch_free(&b);
	return err;
}

int batch_end(bool commit, int failed_line)
{
	const struct cube_type *const *t;
	int err = 0, e;

	for (t = cube_types(); *t; t++) {
		if (!(*t)->batch_end)
			continue;
		e = (*t)->batch_end(commit, failed_line);
		err = err ?: e;
	}
	return err;
}
