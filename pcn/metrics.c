// SPDX-License-Identifier: GPL-2.0
/*
 * pcn metrics: the counters of every cube as Prometheus scrapes them,
 * without a daemon.
 *
 * The values are those of "pcn -s cube show", read by the same path
 * (stats.c: cube_counters_each(), port_counters_each(), the types'
 * counter descriptors), named after where the JSON of cube show keeps
 * them:
 *
 *	stats.GROUP.KEY of a cube         pcn_cube_GROUP_KEY_total
 *	stats.GROUP.KEY of a port         pcn_port_GROUP_KEY_total
 *
 * labelled with netns, cube, type (and port), plus pcn_cube_info (1 per
 * cube, with its mode). So a new type's counters are exported as soon
 * as "pcn -s cube show" prints them, and under stable names.
 *
 * Two formats differ only in how a counter's family is named on the
 * HELP and TYPE lines and in the closing "# EOF": the Prometheus text
 * format 0.0.4 (the default: node_exporter's textfile collector and
 * promtool read it) and OpenMetrics 1.0 (-openmetrics, or asked for by
 * the scraper's Accept header under -http).
 *
 * -http answers one HTTP request read on standard input, on standard
 * output: inetd style, for systemd socket activation
 * (scripts/systemd/pcn-metrics.socket) or socat. Nothing is printed
 * unless all of it was read.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <signal.h>
#include <unistd.h>
#include <sys/stat.h>

#include "netns.h"
#include "pcn.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: pcn metrics [ -all ] [ -openmetrics ] [ -http ] [ CUBE... ]\n"
		"       pcn metrics help\n"
		"Prints the counters of the cubes (pcn -s cube show) in the Prometheus\n"
		"text format, or OpenMetrics: of the network namespace, or of every one\n"
		"(-all), or of the cubes named. -http answers one HTTP request read on\n"
		"standard input (inetd style, systemd socket activation).\n");
}

/* One sample: its family, its labels (rendered) and its value. */
struct sample {
	char *family;
	const char *help;
	bool counter;
	const char *suffix;	/* a histogram's sample: see pcn_sample */
	char *labels;
	uint64_t value;
	size_t order;		/* as read, to keep it within a family */
};

struct samples {
	struct sample *s;
	size_t n, cap;
	bool nomem;
	/* labels of what is being read */
	const char *netns;
	const char *cube;
	const char *type;
	const char *port;
};

/* a label value, escaped as both formats want: \\, \" and \n */
static void put_value(FILE *f, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fprintf(f, "\\%c", *v);
		else if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

static void put_label(FILE *f, bool *first, const char *name, const char *v)
{
	if (!v)
		return;
	fprintf(f, "%s%s=\"", *first ? "" : ",", name);
	put_value(f, v);
	fputc('"', f);
	*first = false;
}

/* a name part: what is not [a-zA-Z0-9_] becomes _ */
static void put_name(FILE *f, const char *v)
{
	for (; *v; v++)
		fputc((*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z') ||
			      (*v >= '0' && *v <= '9') ?
			      *v : '_', f);
}

/* a sample of family @family with the labels being read, then @extra */
static void add_sample(struct samples *l, const char *family,
		       const char *help, bool counter, const char *suffix,
		       const char *mode, const char *const (*extra)[2],
		       __u64 value)
{
	struct sample *s;
	size_t len;
	FILE *f;
	bool first = true;
	int i;

	if (l->nomem)
		return;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 256;
		struct sample *n = realloc(l->s, cap * sizeof(*n));

		if (!n) {
			l->nomem = true;
			return;
		}
		l->s = n;
		l->cap = cap;
	}
	s = &l->s[l->n];
	memset(s, 0, sizeof(*s));
	s->help = help;
	s->counter = counter;
	s->suffix = suffix;
	s->value = value;
	s->order = l->n;
	s->family = strdup(family);
	if (!s->family)
		goto nomem;
	f = open_memstream(&s->labels, &len);
	if (!f)
		goto nomem;
	put_label(f, &first, "netns", l->netns);
	put_label(f, &first, "cube", l->cube);
	put_label(f, &first, "type", l->type);
	put_label(f, &first, "port", l->port);
	put_label(f, &first, "mode", mode);
	for (i = 0; extra && i < 2; i++)
		if (extra[i][0])
			put_label(f, &first, extra[i][0], extra[i][1]);
	if (fclose(f))
		goto nomem;
	l->n++;
	return;
nomem:
	free(s->family);
	free(s->labels);
	l->nomem = true;
}

/* a counter of -s: PREFIX_GROUP_KEY */
static void add(struct samples *l, const char *prefix, const char *group,
		const char *key, const char *help, bool counter,
		const char *mode, __u64 value)
{
	char *family = NULL;
	size_t len;
	FILE *f;

	f = open_memstream(&family, &len);
	if (!f) {
		l->nomem = true;
		return;
	}
	fputs(prefix, f);
	if (group) {
		fputc('_', f);
		put_name(f, group);
	}
	fputc('_', f);
	put_name(f, key);
	if (fclose(f)) {
		l->nomem = true;
		return;
	}
	add_sample(l, family, help, counter, NULL, mode, NULL, value);
	free(family);
}

/* a sample of the cube's type's own */
static void type_sample(const struct pcn_sample *s, void *arg)
{
	add_sample(arg, s->name, s->help, s->counter, s->suffix, NULL,
		   s->label, s->value);
}

static void cube_counter(const struct pcn_counters *d, size_t i, __u64 v,
			 void *arg)
{
	add(arg, "pcn_cube", d->counter[i].group, d->counter[i].key,
	    "a counter of the cube, as pcn -s cube show prints it (stats.GROUP.KEY)",
	    true, NULL, v);
}

static void port_counter(const struct pcn_counters *d, size_t i, __u64 v,
			 void *arg)
{
	add(arg, "pcn_port", d->counter[i].group, d->counter[i].key,
	    "a counter of a port, as pcn -s cube show prints it (ports[].stats.GROUP.KEY)",
	    true, NULL, v);
}

/* what pcn -s cube show prints of cube @name */
static int read_cube(struct samples *l, const char *name)
{
	struct pcn_port ports[PCN_MAX_PORTS];
	const struct cube_type *type;
	struct pcn_cube c;
	__u32 i;
	int err;

	err = cube_open(name, &c);
	if (err)
		return err;
	err = cube_ports_read(&c, ports);
	if (err)
		goto out;
	type = cube_type_find(c.meta.type);
	l->cube = c.name;
	l->type = c.meta.type;
	add(l, "pcn_cube", NULL, "info", "a cube: its type and mode", false,
	    mode_name(c.meta.mode), 1);
	if (type && (type->counters || !c.meta.max_ports))
		cube_counters_each(&c, type->counters, cube_counter, l);
	if (type && type->metrics) {
		err = type->metrics(&c, type_sample, l);
		if (err)
			goto out;
	}
	for (i = 0; c.meta.max_ports && i < PCN_MAX_PORTS; i++) {
		if (!ports[i].name[0])
			continue;
		l->port = ports[i].name;
		port_counters_each(&c, i, port_counter, l);
		l->port = NULL;
	}
out:
	l->cube = l->type = NULL;
	cube_close(&c);
	return err;
}

/*
 * The name of the namespace the process is in, under /run/netns, else
 * "ns-INODE" as the root's directory of it is named.
 */
static void netns_label(char *buf, size_t size)
{
	struct stat self, st;
	struct dirent *e;
	char path[300];
	DIR *d;

	buf[0] = '\0';
	if (stat("/proc/self/ns/net", &self))
		return;
	snprintf(buf, size, "ns-%llu", (unsigned long long)self.st_ino);
	d = opendir("/run/netns");
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/run/netns/%s", e->d_name);
		if (!stat(path, &st) && st.st_ino == self.st_ino &&
		    st.st_dev == self.st_dev) {
			snprintf(buf, size, "%s", e->d_name);
			break;
		}
	}
	closedir(d);
}

struct metrics_args {
	struct samples *l;
	int argc;		/* the cubes named, or all */
	char **argv;
};

/* the cubes of the namespace the process is in */
static int read_ns(struct metrics_args *a)
{
	char label[NAME_MAX + 32];
	char **names = NULL;
	int i, n = 0, err;

	netns_label(label, sizeof(label));
	a->l->netns = label;
	if (a->argc) {
		bool none;

		err = tree_open(PCN_READ, &none);
		if (err)
			return err;
		for (i = 0; i < a->argc; i++) {
			err = none ? -ENOENT : read_cube(a->l, a->argv[i]);
			if (err)
				return cube_open_err(a->argv[i], err);
		}
	} else {
		err = tree_cubes(PCN_READ, &names, &n);
		for (i = 0; !err && i < n; i++) {
			/* a cube deleted meanwhile is just not there */
			err = read_cube(a->l, names[i]);
			if (err == -ENOENT)
				err = 0;
			else if (err)
				err = cube_open_err(names[i], err);
		}
		cube_names_free(names, n);
	}
	a->l->netns = NULL;
	return err;
}

static int read_one_ns(const struct pcn_netns *ns, bool in, void *arg)
{
	/* a dead namespace counts nothing any more */
	if (!in)
		return 0;
	return read_ns(arg);
}

static int by_family(const void *a, const void *b)
{
	const struct sample *x = a, *y = b;
	int d = strcmp(x->family, y->family);

	return d ? d : (x->order > y->order) - (x->order < y->order);
}

/* the exposition of @l, each family's samples together */
static void put_samples(FILE *f, struct samples *l, bool openmetrics)
{
	const char *last = "";
	size_t i;

	if (l->n)	/* no samples: no array (qsort wants one) */
		qsort(l->s, l->n, sizeof(*l->s), by_family);
	for (i = 0; i < l->n; i++) {
		struct sample *s = &l->s[i];
		const char *sfx = s->suffix ?: s->counter ? "_total" : "";
		const char *fsfx = s->suffix ? "" : sfx;

		if (strcmp(s->family, last)) {
			/* OpenMetrics names a counter's family without _total */
			fprintf(f, "# HELP %s%s %s\n", s->family,
				openmetrics ? "" : fsfx, s->help);
			fprintf(f, "# TYPE %s%s %s\n", s->family,
				openmetrics ? "" : fsfx,
				s->suffix ? "histogram" :
				s->counter ? "counter" : "gauge");
			last = s->family;
		}
		fprintf(f, "%s%s{%s} %" PRIu64 "\n", s->family, sfx, s->labels,
			s->value);
	}
	if (openmetrics)
		fputs("# EOF\n", f);
}

static void samples_free(struct samples *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->s[i].family);
		free(l->s[i].labels);
	}
	free(l->s);
}

/* the whole exposition into *@text (malloc'd). Returns an exit code. */
static int metrics_text(struct metrics_args *a, bool all, bool openmetrics,
			char **text)
{
	struct samples l = {};
	size_t len;
	FILE *f;
	int err;

	*text = NULL;
	a->l = &l;
	err = all ? netns_each(false, read_one_ns, a) : read_ns(a);
	if (!err && l.nomem)
		err = pcn_err_kernel(-ENOMEM, "cannot read the counters");
	if (!err) {
		f = open_memstream(text, &len);
		if (!f) {
			err = pcn_err_kernel(-ENOMEM, "cannot read the counters");
		} else {
			put_samples(f, &l, openmetrics);
			if (fclose(f))
				err = pcn_err_kernel(-ENOMEM,
						     "cannot read the counters");
		}
	}
	samples_free(&l);
	if (err) {
		free(*text);
		*text = NULL;
	}
	return err;
}

/* HTTP: the longest request head read, and how long a client may take */
#define HTTP_HEAD_MAX 8192
#define HTTP_TIMEOUT 10

static void http_reply(const char *status, const char *ctype,
		       const char *body, bool head)
{
	printf("HTTP/1.1 %s\r\n"
	       "Content-Type: %s\r\n"
	       "Content-Length: %zu\r\n"
	       "Connection: close\r\n"
	       "\r\n",
	       status, ctype, strlen(body));
	if (!head)
		fputs(body, stdout);
	fflush(stdout);
}

/*
 * A request refused is a request answered: a warning for the log, and
 * exit status 0, since inetd-style relays (socat) cut the answer short
 * when the server exits with another.
 */
static int http_error(const char *status, const char *why)
{
	char body[256];

	snprintf(body, sizeof(body), "%s\n", status);
	http_reply(status, "text/plain; charset=utf-8", body, false);
	pcn_warn("HTTP request refused (%s): %s", status, why);
	return 0;
}

/* does the request head's Accept header ask for OpenMetrics? */
static bool wants_openmetrics(const char *head)
{
	const char *p = head;

	while ((p = strchr(p, '\n'))) {
		p++;
		if (!strncasecmp(p, "accept:", 7)) {
			const char *end = strchr(p, '\n');
			const char *om = strstr(p, "application/openmetrics-text");

			return om && (!end || om < end);
		}
	}
	return false;
}

/*
 * One request on standard input: GET (or HEAD) /metrics, answered on
 * standard output with the exposition the Accept header prefers.
 */
static int http_serve(struct metrics_args *a, bool all, bool openmetrics)
{
	char head[HTTP_HEAD_MAX + 1], method[16], target[256];
	size_t len = 0;
	char *text;
	bool is_head;
	int err;

	/* a client that sends nothing must not keep this process */
	signal(SIGALRM, SIG_DFL);
	alarm(HTTP_TIMEOUT);
	while (len < HTTP_HEAD_MAX) {
		if (!fgets(head + len, HTTP_HEAD_MAX + 1 - len, stdin))
			break;
		if (!strcmp(head + len, "\r\n") || !strcmp(head + len, "\n"))
			break;
		len += strlen(head + len);
	}
	alarm(0);
	head[len] = '\0';
	if (len >= HTTP_HEAD_MAX)
		return http_error("431 Request Header Fields Too Large",
				  "head too long");
	if (sscanf(head, "%15s %255s HTTP/1.%*1[01]", method, target) != 2 ||
	    !strstr(head, " HTTP/1."))
		return http_error("400 Bad Request", "not an HTTP/1 request");
	is_head = !strcmp(method, "HEAD");
	if (strcmp(method, "GET") && !is_head)
		return http_error("405 Method Not Allowed", method);
	if (strcmp(target, "/metrics") && strncmp(target, "/metrics?", 9))
		return http_error("404 Not Found", target);
	openmetrics = openmetrics || wants_openmetrics(head);
	err = metrics_text(a, all, openmetrics, &text);
	if (err) {
		http_reply("500 Internal Server Error",
			   "text/plain; charset=utf-8",
			   "500 Internal Server Error: see the server's log\n",
			   false);
		return err;
	}
	http_reply("200 OK",
		   openmetrics ?
			   "application/openmetrics-text; version=1.0.0; charset=utf-8" :
			   "text/plain; version=0.0.4; charset=utf-8",
		   text, is_head);
	free(text);
	return 0;
}

static int metrics_cmd(int argc, char **argv)
{
	bool all = false, openmetrics = false, http = false;
	struct metrics_args a = {};
	char *text;
	int err;

	if (argc == 1 && is_kw(*argv, "help")) {
		usage(stdout);
		return 0;
	}
	while (argc > 0 && argv[0][0] == '-') {
		if (is_kw(*argv, "-all") || is_kw(*argv, "--all")) {
			DUP_CHECK(all, "-all");
		} else if (is_kw(*argv, "-openmetrics") ||
			   is_kw(*argv, "--openmetrics")) {
			DUP_CHECK(openmetrics, "-openmetrics");
		} else if (is_kw(*argv, "-http") || is_kw(*argv, "--http")) {
			DUP_CHECK(http, "-http");
		} else {
			return pcn_unknown_kw("metrics", *argv);
		}
		argc--;
		argv++;
	}
	err = check_cube_names(argc, argv);
	if (err)
		return err;
	if (all && argc)
		return pcn_err(PCN_EXIT_USAGE,
			       "-all and cube names: one or the other");
	if (json)
		return pcn_err(PCN_EXIT_USAGE,
			       "metrics prints the Prometheus text format, not JSON: no -j");
	if (batch_line)
		return pcn_err(PCN_EXIT_USAGE, "metrics cannot run in a batch");
	a.argc = argc;
	a.argv = argv;
	if (http)
		return http_serve(&a, all, openmetrics);
	err = metrics_text(&a, all, openmetrics, &text);
	if (err)
		return err;
	fputs(text, stdout);
	free(text);
	return 0;
}

const struct pcn_object metrics_object = {
	.name = "metrics",
	.fn = metrics_cmd,
	.summary = "the cubes' counters for Prometheus (text or HTTP, no daemon)",
	.usage = usage,
};
