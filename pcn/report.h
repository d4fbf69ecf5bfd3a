/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How a command ends: its exit code, and one "Error: ..." line on stderr
 * (or {"error": ...} on stdout under -j) when it fails. A command (pcn/
 * and the cube types) returns its exit code: 0, or the code that
 * pcn_err*() returned after reporting, exactly once. Functions of the
 * command layer that find something (an index, a table) return it
 * through a pointer, never mixed into that code.
 */
#ifndef __PCN_REPORT_H
#define __PCN_REPORT_H

#include <stdbool.h>

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

/*
 * Report an error: one "Error: ..." line on stderr, or {"error": ...} on
 * stdout under -j. Inside a batch the message begins with FILE:LINE.
 * Return: @code, for "return pcn_err(PCN_EXIT_USAGE, ...)".
 */
int pcn_err(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Report the engine's error @err (-errno): the reason lib/ left with it,
 * or else "@fmt: strerror(-@err)" (and the verifier's last word).
 * Return: PCN_EXIT_KERNEL.
 */
int pcn_err_kernel(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Report a value lib/ could not parse (@err from pcn_parse_*()): its
 * reason, else "invalid @what "@arg"".
 * Return: PCN_EXIT_USAGE.
 */
int pcn_err_parse(int err, const char *what, const char *arg);

/* A warning on stderr (never in JSON output): one "Warning: ..." line. */
void pcn_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* __PCN_REPORT_H */
