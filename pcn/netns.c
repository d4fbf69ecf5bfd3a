// SPDX-License-Identifier: GPL-2.0
/*
 * The namespaces pcn holds state for (lib/netns.c finds them):
 *
 *   pcn netns show        each, alive or dead, with its cubes
 *   pcn netns prune       remove what dead namespaces left pinned
 *   pcn flush [ -all ]    delete every cube of this namespace, or of
 *                         every namespace (and prune the dead ones)
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netns.h"
#include "pcn.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: pcn netns show\n"
		"       pcn netns prune\n"
		"       pcn netns help\n"
		"show: the network namespaces pcn holds state for, alive or dead;\n"
		"prune: remove what the dead ones left (-d: pins and locked memory).\n");
}

/* The namespaces of the root, its lock taken (@write: exclusive). */
static int list(struct pcn_netns **l, int *n, bool write, bool usage)
{
	int err;

	*l = NULL;
	*n = 0;
	err = pcn_root_open(write ? PCN_WRITE_EXISTING : PCN_READ);
	if (err == -ENOENT)
		return 0;
	if (err)
		return pcn_err_kernel(err, "cannot open %s", pcn_root());
	err = pcn_netns_list(l, n, usage);
	return err ? pcn_err_kernel(err, "cannot list the namespaces") : 0;
}

static int netns_show_cmd(int argc, char **argv)
{
	struct pcn_netns *l;
	int i, n, err;

	if (argc > 0)
		return pcn_unknown_kw("netns", *argv);
	err = list(&l, &n, false, show_details);
	if (err)
		return err;
	new_json_obj(json, pretty);
	open_json_array(PRINT_JSON, NULL);
	for (i = 0; i < n; i++) {
		open_json_object(NULL);
		print_string(PRINT_ANY, "dir", "%s", l[i].dir);
		print_u64(PRINT_JSON, "inode", NULL, l[i].ino);
		if (l[i].name[0])
			print_string(PRINT_ANY, "name", " name %s", l[i].name);
		print_bool(PRINT_JSON, "current", NULL, l[i].current);
		if (l[i].current)
			print_string(PRINT_FP, NULL, "%s", " current");
		print_bool(PRINT_JSON, "alive", NULL, l[i].alive);
		print_string(PRINT_FP, NULL, " %s", l[i].alive ? "alive" : "dead");
		print_int(PRINT_ANY, "cubes", " cubes %d", l[i].cubes);
		if (!l[i].alive || show_details) {
			print_int(PRINT_ANY, "pins", " pins %d", l[i].pins);
			print_u64(PRINT_ANY, "memlock", " memlock %" PRIu64,
				  l[i].memlock);
		}
		print_nl();
		close_json_object();
	}
	close_json_array(PRINT_JSON, NULL);
	delete_json_obj();
	free(l);
	return 0;
}

static int prune(const struct pcn_netns *ns)
{
	int err = pcn_ns_dir_remove(ns->dir);

	return err ? pcn_err_kernel(err, "cannot remove %s/%s", pcn_root(),
				    ns->dir) : 0;
}

static int netns_prune_cmd(int argc, char **argv)
{
	struct pcn_netns *l;
	int i, n, err;

	if (argc > 0)
		return pcn_unknown_kw("netns", *argv);
	err = list(&l, &n, true, false);
	for (i = 0; i < n && !err; i++)
		if (!l[i].alive)
			err = prune(&l[i]);
	free(l);
	return err;
}

static const struct pcn_cmd cmds[] = {
	{ "show", netns_show_cmd },
	{ "list", netns_show_cmd },
	{ "prune", netns_prune_cmd },
	{ NULL, NULL },
};

const struct pcn_object netns_object = {
	.name = "netns",
	.cmds = cmds,
	.summary = "namespaces pcn holds state for; prune what dead ones left",
	.usage = usage,
};

int netns_each(bool write,
	       int (*fn)(const struct pcn_netns *ns, bool in, void *arg),
	       void *arg)
{
	struct pcn_netns *l;
	int i, n, home, err;
	bool in;

	err = list(&l, &n, write, false);
	if (err || !n)
		return err;
	home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (home < 0)
		err = pcn_err_kernel(errno, "cannot open /proc/self/ns/net");
	for (i = 0; i < n && !err; i++) {
		in = l[i].alive && l[i].path[0];
		if (!in || l[i].current) {
			err = fn(&l[i], in, arg);
			continue;
		}
		err = netns_switch(l[i].path) ?: fn(&l[i], true, arg);
		if (pcn_netns_enter(NULL, home))
			err = err ?: pcn_err_kernel(errno,
						    "cannot come back to pcn's network namespace");
		pcn_netns_entered();
	}
	if (home >= 0)
		close(home);
	free(l);
	return err;
}

/* flush -all: every namespace, the dead ones pruned */
static int flush_one(const struct pcn_netns *ns, bool in, void *arg)
{
	if (!ns->alive)
		return prune(ns);
	if (!in)
		return pcn_err(PCN_EXIT_KERNEL,
			       "%s/%s: its namespace lives (an interface it is attached to is there) but nothing names it: not flushed",
			       pcn_root(), ns->dir);
	return cube_flush_all();
}

static void flush_usage(FILE *f)
{
	fprintf(f,
		"Usage: pcn flush [ -all ]\n"
		"       pcn flush help\n"
		"Deletes every cube of the network namespace, as \"pcn cube flush\",\n"
		"or with -all of every namespace, and prunes what dead ones left.\n");
}

static int flush_cmd(int argc, char **argv)
{
	if (argc == 1 && is_kw(*argv, "help")) {
		flush_usage(stdout);
		return 0;
	}
	if (argc > 0 && !is_kw(*argv, "-all") && !is_kw(*argv, "--all"))
		return pcn_unknown_kw("flush", *argv);
	if (argc > 1)
		return pcn_err(PCN_EXIT_USAGE, "unexpected \"%s\" after -all",
			       argv[1]);
	return argc ? netns_each(true, flush_one, NULL) : cube_flush_all();
}

const struct pcn_object flush_object = {
	.name = "flush",
	.fn = flush_cmd,
	.summary = "delete every cube: of this namespace, or of all (-all)",
	.usage = flush_usage,
};
