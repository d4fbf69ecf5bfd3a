// SPDX-License-Identifier: GPL-2.0
/*
 * pcn: network functions in eBPF, one command, no daemon.
 *
 * Global options, the table of objects, -batch and restore (whose lines
 * batch.c runs through pcn_dispatch()). Each object lives in a file of
 * its own (cube.c, link.c, save.c, netns.c) and is reached through
 * pcn_dispatch().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "pcn.h"
#include "profile.h"

static int do_help(int argc, char **argv);
static void usage(FILE *f);
static int restore_cmd(int argc, char **argv);
static void restore_usage(FILE *f);

static const struct pcn_object restore_object = {
	.name = "restore",
	.fn = restore_cmd,
	.summary = "make namespaces what pcn save printed, all or nothing",
	.usage = restore_usage,
};

static const struct pcn_object help_object = {
	.name = "help",
	.fn = do_help,
	.summary = "this text",
	.usage = usage,
};

/*
 * Every object, in the order "pcn help" lists them: the core ones, those
 * of each type in the types' order, then help. @fn for each until it
 * returns non-zero, which is returned.
 */
static int for_each_object(int (*fn)(const struct pcn_object *o, void *arg),
			   void *arg)
{
	static const struct pcn_object *const core[] = { &cube_object,
							  &link_object };
	static const struct pcn_object *const tail[] = {
		&save_object, &restore_object, &flush_object,
		&netns_object, &metrics_object, &profile_object, &help_object,
	};
	const struct cube_type *const *t;
	const struct pcn_object *const *o;
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(core); i++) {
		ret = fn(core[i], arg);
		if (ret)
			return ret;
	}
	for (t = cube_types(); *t; t++)
		for (o = (*t)->objects; o && *o; o++) {
			ret = fn(*o, arg);
			if (ret)
				return ret;
		}
	for (i = 0; i < ARRAY_SIZE(tail); i++) {
		ret = fn(tail[i], arg);
		if (ret)
			return ret;
	}
	return 0;
}

static int print_name(const struct pcn_object *o, void *arg)
{
	FILE *f = arg;

	fprintf(f, "%s %s", o == &cube_object ? "" : " |", o->name);
	return 0;
}

static int print_summary(const struct pcn_object *o, void *arg)
{
	FILE *f = arg;

	fprintf(f, "  %-7s %s\n", o->name, o->summary);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: pcn [ OPTIONS ] OBJECT { COMMAND | help }\n"
		"       pcn [ -force ] -batch FILE\n"
		"where  OBJECT := {");
	for_each_object(print_name, f);
	fprintf(f,
		" }\n"
		"       OPTIONS := { -V | -j | -p | -s | -d | -n NETNS | -root DIR |\n"
		"                    -h }\n"
		"       (long forms: -Version -json -pretty -statistics -details\n"
		"        -netns -help; -stats for -s)\n"
		"\nObjects:\n");
	for_each_object(print_summary, f);
}

static void restore_usage(FILE *f)
{
	fprintf(f,
		"Usage: pcn restore FILE\n"
		"       pcn restore help\n"
		"FILE is what pcn save printed (- for standard input): each network\n"
		"namespace it names is flushed and made as it says, all or nothing.\n");
}

/* restore FILE: the batch engine (batch.c) runs it, whole or not at all */
static int restore_cmd(int argc, char **argv)
{
	if (argc < 1)
		return pcn_err(PCN_EXIT_USAGE, "FILE is missing: pcn restore FILE");
	if (is_kw(argv[0], "help") && argc == 1) {
		restore_usage(stdout);
		return 0;
	}
	if (argc > 1)
		return pcn_err(PCN_EXIT_USAGE, "unexpected \"%s\" after FILE",
			       argv[1]);
	if (batch_line)
		return pcn_err(PCN_EXIT_USAGE, "restore cannot run in a batch");
	return batch_file_run(argv[0], true, pcn_dispatch);
}

static int do_help(int argc, char **argv)
{
	if (argc > 0)
		return pcn_err(PCN_EXIT_USAGE,
			       "\"help\" takes no argument; try \"pcn %s help\"",
			       *argv);
	usage(stdout);
	return 0;
}

/* No object given: one error line, the synopsis in it. */
static int object_missing(void)
{
	return pcn_err(PCN_EXIT_USAGE,
		       "OBJECT is missing: pcn [ OPTIONS ] OBJECT { COMMAND | help }, try \"pcn help\"");
}

static int object_named(const struct pcn_object *o, void *arg)
{
	const struct pcn_object **found = arg;

	if (!is_kw((*found)->name, o->name))
		return 0;
	*found = o;
	return 1;
}

int pcn_dispatch(int argc, char **argv)
{
	struct pcn_object want = {};
	const struct pcn_object *o = &want;

	pcn_cmd_gen++;
	pcn_reason_clear();
	if (argc < 1)
		return object_missing();
	want.name = argv[0];
	if (for_each_object(object_named, &o) != 1)
		return pcn_err(PCN_EXIT_USAGE,
			       "object \"%s\" is unknown, try \"pcn help\"",
			       argv[0]);
	if (o->cmds)
		return pcn_cmd_select(o->name, o->cmds, argc - 1, argv + 1,
				      o->usage);
	return o->fn(argc - 1, argv + 1);
}

/* "-x" and "--x" are the same option; each has a short and a long form */
static bool is_opt(const char *arg, const char *s, const char *l)
{
	if (arg[0] == '-' && arg[1] == '-')
		arg++;
	return !strcmp(arg, s) || !strcmp(arg, l);
}

/* PCN_PROFILE=1: each step of the command, on stderr (pcn-profile(8)) */
static void print_step(const char *step, __u64 ns, void *arg)
{
	__u64 *total = arg;

	*total += ns;
	fprintf(stderr, "profile: %9.3f ms  %s\n", ns / 1e6, step);
}

static int run(int argc, char **argv);

int pcn_run(int argc, char **argv)
{
	__u64 total = 0;
	int ret;

	pcn_prof_start();
	ret = run(argc, argv);
	if (pcn_prof_on()) {
		pcn_prof_step("the rest (parse, print, close)");
		pcn_prof_each(print_step, &total);
		fprintf(stderr, "profile: %9.3f ms  total\n", total / 1e6);
	}
	return ret;
}

static int run(int argc, char **argv)
{
	const char *netns = NULL, *batch = NULL;
	int ret;

	pcn_libbpf_setup(0);
	tree_orphan_delete = cube_delete;

	/* for bash-completion/pcn: every word after it is the line's */
	if (argc > 1 && is_opt(argv[1], "-complete", "-complete"))
		return pcn_complete(argc - 2, argv + 2, for_each_object);
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
	pcn_libbpf_setup(show_details);

	if (netns) {
		ret = netns_switch(netns);
		if (ret)
			return ret;
	}
	if (batch) {
		if (argc > 1)
			return pcn_err(PCN_EXIT_USAGE,
				       "-batch takes no command after the file");
		return batch_file_run(batch, false, pcn_dispatch);
	}
	if (force)
		return pcn_err(PCN_EXIT_USAGE, "-force goes with -batch");
	return pcn_dispatch(argc - 1, argv + 1);
}
