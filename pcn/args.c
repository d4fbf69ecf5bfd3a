// SPDX-License-Identifier: GPL-2.0
/* Reading a command's arguments (args.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "pcn.h"
#include "parse.h"
#include "pcn_shared.h"
#include "utils.h"

int pcn_missing_arg(const char *kw)
{
	return pcn_err(PCN_EXIT_USAGE, "argument missing after \"%s\"", kw);
}

int pcn_dup_arg(const char *kw)
{
	return pcn_err(PCN_EXIT_USAGE, "duplicate \"%s\": it may be given once",
		       kw);
}

int pcn_bad_arg(const char *what, const char *arg)
{
	return pcn_err(PCN_EXIT_USAGE, "invalid %s \"%s\"", what, arg);
}

int pcn_unknown_kw(const char *object, const char *arg)
{
	return pcn_err(PCN_EXIT_USAGE,
		       "unknown keyword \"%s\", try \"pcn %s help\"", arg,
		       object);
}

int check_name(const char *what, const char *name)
{
	if (!name || !*name)
		return pcn_err(PCN_EXIT_USAGE, "%s name is empty", what);
	if (strlen(name) >= PCN_NAME_LEN)
		return pcn_err(PCN_EXIT_USAGE,
			       "%s name \"%s\" is too long (at most %d characters)",
			       what, name, PCN_NAME_LEN - 1);
	if (!name_is_valid(name))
		return pcn_err(PCN_EXIT_USAGE,
			       "%s name \"%s\" has characters other than letters, digits, '_' and '-' (or starts with '-')",
			       what, name);
	return 0;
}

int check_cube_names(int argc, char **argv)
{
	int i, j, err;

	for (i = 0; i < argc; i++) {
		err = check_name("cube", argv[i]);
		if (err)
			return err;
		for (j = 0; j < i; j++)
			if (!strcmp(argv[i], argv[j]))
				return pcn_err(PCN_EXIT_USAGE,
					       "cube \"%s\" is named twice",
					       argv[i]);
	}
	return 0;
}

int take_name(const char *what, int *argc, char ***argv, const char **name)
{
	if (*argc < 1)
		return pcn_err(PCN_EXIT_USAGE, "%s name missing", what);
	*name = **argv;
	(*argc)--;
	(*argv)++;
	return check_name(what, *name);
}

int arg_name_once(const char *kw, const char *arg, const char **name)
{
	if (*name)
		return pcn_dup_arg(kw);
	*name = arg;
	return check_name(kw, arg);
}

int arg_endpoint(const char *arg, char *cube, char *port)
{
	const char *colon = strchr(arg, ':');
	char buf[2 * PCN_NAME_LEN];
	int err;

	if (strlen(arg) >= sizeof(buf))
		return pcn_bad_arg("endpoint (CUBE[:PORT])", arg);
	snprintf(buf, sizeof(buf), "%s", arg);
	port[0] = '\0';
	if (colon) {
		buf[colon - arg] = '\0';
		err = check_name("port", colon + 1);
		if (err)
			return err;
		name_copy(port, colon + 1);
	}
	err = check_name("cube", buf);
	if (err)
		return err;
	name_copy(cube, buf);
	return 0;
}

int arg_port_endpoint(const char *arg, char *cube, char *port)
{
	int err;

	if (port[0])
		return pcn_dup_arg("port");
	err = arg_endpoint(arg, cube, port);
	if (!err && !port[0])
		err = pcn_err(PCN_EXIT_USAGE, "\"port\" takes CUBE:PORT");
	return err;
}

int arg_vid(const char *arg, __u16 *vid)
{
	int err = pcn_parse_vid(arg, vid);

	return err ? pcn_err_parse(err, "VLAN id", arg) : 0;
}

int arg_seconds(const char *kw, const char *arg, __u32 *sec)
{
	if (pcn_parse_seconds(arg, sec))
		return pcn_err(PCN_EXIT_USAGE, "%s \"%s\": 1 to %d seconds", kw,
			       arg, PCN_SECONDS_MAX);
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
