// SPDX-License-Identifier: GPL-2.0
/*
 * pcn: network functions in eBPF, one command, no daemon.
 *
 * Global options, the table of objects and -batch. Each object lives in a
 * file of its own (cube.c, link.c) and is reached through pcn_dispatch().
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "bpffs.h"
#include "json_print.h"
#include "pcn.h"
#include "sweep.h"
#include "utils.h"

static const struct pcn_object objects[] = {
	{ "cube", do_cube, "network functions: add, delete, configure, show" },
	{ "link", do_link, "wire cubes: ports to interfaces and to each other" },
	{ "fdb", do_fdb, "forwarding database of bridge cubes" },
	{ "addr", do_addr, "IPv4 addresses of router ports" },
	{ "route", do_route, "routes of router cubes" },
	{ "neigh", do_neigh, "neighbour (ARP) tables of router cubes" },
	{ "rule", do_rule, "rules of firewall cubes" },
	{ "ct", do_ct, "connection tracking tables of firewall cubes" },
	{ "help", do_help, "this text" },
};

const struct pcn_object *pcn_objects(size_t *count)
{
	*count = ARRAY_SIZE(objects);
	return objects;
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: pcn [ OPTIONS ] OBJECT { COMMAND | help }\n"
		"       pcn [ -force ] -batch FILE\n"
		"where  OBJECT := { cube | link | fdb | addr | route | neigh | rule | ct | help }\n"
		"       OPTIONS := { -V | -j | -p | -s | -d | -n NETNS | -root DIR |\n"
		"                    -h }\n"
		"       (long forms: -Version -json -pretty -statistics -details\n"
		"        -netns -help; -stats for -s)\n"
		"\nObjects:\n");
	for (i = 0; i < ARRAY_SIZE(objects); i++)
		fprintf(f, "  %-6s %s\n", objects[i].name, objects[i].summary);
}

int do_help(int argc, char **argv)
{
	if (argc > 0)
		return pcn_err(PCN_EXIT_USAGE,
			       "\"help\" takes no argument; try \"pcn %s help\"",
			       *argv);
	usage(stdout);
	return 0;
}

int pcn_cmd_select(const char *object, const struct pcn_cmd *cmds, int argc,
		   char **argv, void (*print_usage)(FILE *f))
{
	const struct pcn_cmd *c;

	if (argc < 1)
		return cmds[0].fn(0, argv);
	for (c = cmds; c->name; c++)
		if (is_kw(*argv, c->name))
			return c->fn(argc - 1, argv + 1);
	if (is_kw(*argv, "help")) {
		if (argc > 1)
			return pcn_err(PCN_EXIT_USAGE,
				       "unexpected \"%s\" after help", argv[1]);
		print_usage(stdout);
		return 0;
	}
	return pcn_err(PCN_EXIT_USAGE,
		       "command \"%s\" is unknown, try \"pcn %s help\"", *argv,
		       object);
}

unsigned long pcn_cmd_gen;

/* No object given: one error line, the synopsis in it. */
static int object_missing(void)
{
	return pcn_err(PCN_EXIT_USAGE,
		       "OBJECT is missing: pcn [ OPTIONS ] OBJECT { COMMAND | help }, try \"pcn help\"");
}

int pcn_dispatch(int argc, char **argv)
{
	size_t i;

	pcn_cmd_gen++;
	if (argc < 1)
		return object_missing();
	for (i = 0; i < ARRAY_SIZE(objects); i++)
		if (is_kw(argv[0], objects[i].name))
			return objects[i].fn(argc - 1, argv + 1);
	return pcn_err(PCN_EXIT_USAGE,
		       "object \"%s\" is unknown, try \"pcn help\"", argv[0]);
}

static int do_batch(const char *name)
{
	char *line = NULL, *argv[256];
	size_t len = 0;
	int argc, ret = 0, err, failed_line = 0;
	FILE *f;

	if (strcmp(name, "-") == 0) {
		f = stdin;
		batch_file = "-";
	} else {
		f = fopen(name, "r");
		if (!f)
			return pcn_err_kernel(errno, "cannot open batch file \"%s\"",
					      name);
		batch_file = name;
	}
	while (getline(&line, &len, f) > 0) {
		batch_line++;
		argc = split_words(line, argv, ARRAY_SIZE(argv));
		if (argc < 0) {
			err = pcn_err(PCN_EXIT_USAGE,
				      "unbalanced quotes or too many words");
		} else if (argc == 0) {
			continue;
		} else {
			err = pcn_dispatch(argc, argv);
		}
		if (err) {
			if (!ret) {
				ret = err;
				failed_line = batch_line;
			}
			if (!force)
				break;
		}
	}
	free(line);
	if (f != stdin)
		fclose(f);
	/* rule changes apply whole, when no line failed; each line whose
	 * changes are dropped is named */
	batch_line = 0;
	err = fw_tables_end(ret == 0, true, failed_line);
	return ret ?: err;
}

static int netns_switch(const char *name)
{
	char path[4096];
	int fd;

	if (strchr(name, '/'))
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pcn_err_kernel(errno,
				      "cannot open network namespace \"%s\"",
				      name);
	/* the network namespace only: the mount namespace keeps bpffs */
	if (setns(fd, CLONE_NEWNET)) {
		close(fd);
		return pcn_err_kernel(errno,
				      "cannot enter network namespace \"%s\"",
				      name);
	}
	close(fd);
	return 0;
}

/* "-x" and "--x" are the same option; each has a short and a long form */
static bool is_opt(const char *arg, const char *s, const char *l)
{
	if (arg[0] == '-' && arg[1] == '-')
		arg++;
	return !strcmp(arg, s) || !strcmp(arg, l);
}

int pcn_run(int argc, char **argv)
{
	const char *netns = NULL, *batch = NULL;
	int ret;

	pcn_libbpf_setup();
	pcn_sweep_hook = pcn_sweep;

	while (argc > 1 && argv[1][0] == '-') {
		const char *opt = argv[1];

		if (is_opt(opt, "-j", "-json")) {
			json = 1;
		} else if (is_opt(opt, "-p", "-pretty")) {
			pretty = 1;
		} else if (is_opt(opt, "-s", "-statistics") ||
			   is_opt(opt, "-s", "-stats")) {
			show_stats++;
		} else if (is_opt(opt, "-d", "-details")) {
			show_details++;
		} else if (is_opt(opt, "-force", "-f")) {
			force = 1;
		} else if (is_opt(opt, "-V", "-Version")) {
			printf("pcn %s (libbpf %s, schema %d)\n", PCN_VERSION,
			       libbpf_version_string(), PCN_SCHEMA_VERSION);
			return 0;
		} else if (is_opt(opt, "-h", "-help")) {
			usage(stdout);
			return 0;
		} else if (is_opt(opt, "-n", "-netns")) {
			if (argc < 3)
				return pcn_missing_arg(opt);
			if (netns)
				return pcn_dup_arg(opt);
			netns = argv[2];
			argc--;
			argv++;
		} else if (is_opt(opt, "-b", "-batch")) {
			if (argc < 3)
				return pcn_missing_arg(opt);
			if (batch)
				return pcn_dup_arg(opt);
			batch = argv[2];
			argc--;
			argv++;
		} else if (is_opt(opt, "-root", "-root")) {
			if (argc < 3)
				return pcn_missing_arg(opt);
			pcn_root_set(argv[2]);
			argc--;
			argv++;
		} else {
			set_json_mode(json, pretty);
			return pcn_err(PCN_EXIT_USAGE,
				       "option \"%s\" is unknown, try \"pcn -help\"",
				       opt);
		}
		argc--;
		argv++;
	}
	/* as in bpftool, -p implies -j */
	if (pretty)
		json = 1;
	set_json_mode(json, pretty);

	if (netns) {
		ret = netns_switch(netns);
		if (ret)
			return ret;
	}
	if (batch) {
		if (argc > 1)
			return pcn_err(PCN_EXIT_USAGE,
				       "-batch takes no command after the file");
		return do_batch(batch);
	}
	if (force)
		return pcn_err(PCN_EXIT_USAGE, "-force goes with -batch");
	return pcn_dispatch(argc - 1, argv + 1);
}
