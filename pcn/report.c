// SPDX-License-Identifier: GPL-2.0
/* How a command ends: exit codes, errors and warnings (report.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "json_print.h"
#include "report.h"

int json;
int pretty;
int show_stats;
int show_details;
int force;
const char *batch_file;
int batch_line;
int batch_line_end;

/* "FILE:LINE: " (or FILE:FIRST-LAST) inside a batch, into @msg */
static int where(char *msg, size_t size)
{
	const char *file = batch_file ? batch_file : "-";

	if (batch_line && batch_line_end > batch_line)
		return snprintf(msg, size, "%s:%d-%d: ", file, batch_line,
				batch_line_end);
	if (batch_line)
		return snprintf(msg, size, "%s:%d: ", file, batch_line);
	return 0;
}

static void verr(const char *fmt, va_list ap, const char *suffix)
{
	char msg[1536];
	int n = where(msg, sizeof(msg));

	vsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
	if (suffix) {
		size_t len = strlen(msg);

		snprintf(msg + len, sizeof(msg) - len, ": %s", suffix);
	}
	print_error(msg);
}

int pcn_err(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(fmt, ap, NULL);
	va_end(ap);
	return code;
}

int pcn_err_kernel(int err, const char *fmt, ...)
{
	const char *log = pcn_libbpf_last_log(), *why;
	char reason[512];
	va_list ap;

	if (err > 0)
		err = -err;
	why = pcn_reason(err);
	if (why) {
		pcn_err(PCN_EXIT_KERNEL, "%s", why);
		pcn_reason_clear();
		return PCN_EXIT_KERNEL;
	}
	if (*log)
		snprintf(reason, sizeof(reason), "%s (%s)", strerror(-err),
			 log);
	else
		snprintf(reason, sizeof(reason), "%s", strerror(-err));
	va_start(ap, fmt);
	verr(fmt, ap, reason);
	va_end(ap);
	return PCN_EXIT_KERNEL;
}

int pcn_err_parse(int err, const char *what, const char *arg)
{
	const char *why = pcn_reason(err);

	if (why) {
		pcn_err(PCN_EXIT_USAGE, "%s", why);
		pcn_reason_clear();
		return PCN_EXIT_USAGE;
	}
	return pcn_err(PCN_EXIT_USAGE, "invalid %s \"%s\"", what, arg);
}

void pcn_warn(const char *fmt, ...)
{
	va_list ap;

	fputs("Warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
