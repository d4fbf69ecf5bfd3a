/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading a command's arguments, iproute2-style: exact keywords (no
 * prefix matching), each value checked as it is taken, and the error
 * reported there (report.h). The functions return an exit code.
 */
#ifndef __PCN_ARGS_H
#define __PCN_ARGS_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>

#include "report.h"

static inline bool is_kw(const char *arg, const char *kw)
{
	return arg && kw && __builtin_strcmp(arg, kw) == 0;
}

int pcn_missing_arg(const char *kw);
int pcn_dup_arg(const char *kw);
int pcn_bad_arg(const char *what, const char *arg);
int pcn_unknown_kw(const char *object, const char *arg);

/*
 * Advance to the value of keyword argv[0]; on a missing value report it and
 * return from the calling function with PCN_EXIT_USAGE.
 */
#define NEXT_ARG()                                                        \
	do {                                                              \
		const char *__kw = *argv;                                 \
		argv++;                                                   \
		if (--argc <= 0)                                          \
			return pcn_missing_arg(__kw);                     \
	} while (0)

#define NEXT_ARG_OK() (argc - 1 > 0)
#define PREV_ARG() do { argv--; argc++; } while (0)

/* Check that a keyword given once is not given again. */
#define DUP_CHECK(flag, kw)                                               \
	do {                                                              \
		if (flag)                                                 \
			return pcn_dup_arg(kw);                           \
		flag = true;                                              \
	} while (0)

/*
 * Names of cubes and ports: 1..15 characters of [A-Za-z0-9_-], not
 * starting with '-'. Returns 0, or reports and returns PCN_EXIT_USAGE.
 */
int check_name(const char *what, const char *name);
/* @argc cube names, each checked, none twice. Returns an exit code. */
int check_cube_names(int argc, char **argv);

/* Take a NAME argument off the front of argv, checked with check_name(). */
int take_name(const char *what, int *argc, char ***argv, const char **name);

/* "KW NAME", given once: *@name is NULL until then. */
int arg_name_once(const char *kw, const char *arg, const char **name);
/* "CUBE[:PORT]"; port is "" when not given. */
int arg_endpoint(const char *arg, char *cube, char *port);
/* "port CUBE:PORT", given once (@port is "" until then) */
int arg_port_endpoint(const char *arg, char *cube, char *port);

/* "VID": 1 to 4094, reported when it is bad */
int arg_vid(const char *arg, __u16 *vid);
/* "KW SECONDS": 1 to 1000000 */
int arg_seconds(const char *kw, const char *arg, __u32 *sec);

#endif /* __PCN_ARGS_H */
