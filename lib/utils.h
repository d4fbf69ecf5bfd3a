/* SPDX-License-Identifier: GPL-2.0 */
/* Global options, error reporting and argument helpers shared by pcn. */
#ifndef __PCN_UTILS_H
#define __PCN_UTILS_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

/* Exit codes, the same for every command (documented in pcn(8)). */
enum {
	PCN_EXIT_OK = 0,
	PCN_EXIT_USAGE = 1,	/* usage or syntax error */
	PCN_EXIT_KERNEL = 2,	/* the kernel (or its state) refused */
};

/* Global options (pcn.c sets them). */
extern int json;		/* -j */
extern int pretty;		/* -p */
extern int show_stats;		/* -s */
extern int show_details;	/* -d */
extern int force;		/* -force, with -batch */
extern const char *batch_file;	/* -batch FILE, for error locations */
extern int batch_line;		/* line being run, 0 outside a batch */
extern int batch_line_end;	/* > batch_line: an error about lines up to it */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Report an error: one "Error: ..." line on stderr, or {"error": ...} under
 * -j. Inside a batch the message is prefixed with FILE:LINE. Returns @code
 * so that callers can write "return pcn_err(PCN_EXIT_USAGE, ...)".
 */
int pcn_err(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Kernel refusal: appends ": strerror(-err)" to the message, returns 2. */
int pcn_err_kernel(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A warning on stderr (never in JSON output). */
void pcn_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Verbose libbpf diagnostics go to stderr with -d only. */
void pcn_libbpf_setup(void);
/* The last line the kernel's verifier (through libbpf) printed, or "". */
const char *pcn_libbpf_last_log(void);
void pcn_libbpf_log_reset(void);

/* Argument parsing, iproute2-style: exact keywords, no prefix matching. */
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

int get_u32(uint32_t *val, const char *arg, int base);

/*
 * Names of cubes and ports: 1..15 characters of [A-Za-z0-9_-], not
 * starting with '-'. Returns 0, or reports and returns PCN_EXIT_USAGE.
 */
int check_name(const char *what, const char *name);
bool name_is_valid(const char *name);

/* Take a NAME argument off the front of argv, checked with check_name(). */
int take_name(const char *what, int *argc, char ***argv, const char **name);

/* Copy a name into a fixed PCN_NAME_LEN field, NUL-padded. */
void name_copy(char *dst, const char *src);

/*
 * Split a line into words in place: blanks separate, "double" or 'single'
 * quotes group, '#' starts a comment. Returns the word count, or -1 for
 * unbalanced quotes or more than @max words.
 */
int split_words(char *line, char **argv, int max);

/*
 * Fault injection for the tests. PCN_FAULT=POINT kills pcn at
 * pcn_fault_point(POINT) (a crash), or makes pcn_fault_err(POINT) return
 * -EIO (a kernel call failing there); otherwise the latter returns 0.
 */
void pcn_fault_point(const char *point);
int pcn_fault_err(const char *point);

/*
 * @bytes of the values of mmapable array map @fd from byte @off (a
 * multiple of the page size), in place: what the datapath reads. Only
 * those pages are mapped. munmap(@ret, *@len) when done; NULL and errno
 * on failure.
 */
void *map_mmap(int fd, size_t off, size_t bytes, size_t *len);

#endif /* __PCN_UTILS_H */
