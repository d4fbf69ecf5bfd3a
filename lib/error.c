// SPDX-License-Identifier: GPL-2.0
/* How the engine fails: -errno, and a reason where it helps (error.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "error.h"

static char reason[1024];
static int reason_err;

static int fail(int err, bool sys, const char *fmt, va_list ap)
{
	const char *log = pcn_libbpf_last_log();
	size_t n;

	vsnprintf(reason, sizeof(reason), fmt, ap);
	if (sys) {
		n = strlen(reason);
		snprintf(reason + n, sizeof(reason) - n, ": %s",
			 strerror(err < 0 ? -err : err));
		n = strlen(reason);
		if (*log)
			snprintf(reason + n, sizeof(reason) - n, " (%s)", log);
	}
	reason_err = err;
	return err;
}

int pcn_fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fail(err, false, fmt, ap);
	va_end(ap);
	return err;
}

int pcn_fail_sys(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fail(err, true, fmt, ap);
	va_end(ap);
	return err;
}

const char *pcn_reason(int err)
{
	return reason_err && reason_err == err ? reason : NULL;
}

void pcn_reason_clear(void)
{
	reason_err = 0;
	reason[0] = '\0';
}

/*
 * libbpf talks a lot. Keep the last meaningful line it printed (for a
 * failed load that is the verifier's verdict) and show everything when
 * asked (-d; -d -d for its debug lines).
 */
static char libbpf_last[256];
static int libbpf_verbose;

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	char *line, *p, *end;
	int ret;

	if (level == LIBBPF_DEBUG && libbpf_verbose < 2)
		return 0;
	/* a verifier log comes as one long string */
	ret = vasprintf(&line, fmt, ap);
	if (ret < 0)
		return ret;
	if (libbpf_verbose)
		fputs(line, stderr);
	/* remember the last non-empty line that is not log framing */
	for (p = line; *p; p = end) {
		bool more;

		end = strchrnul(p, '\n');
		more = *end != '\0';
		*end = '\0';
		if (end > p && !strstr(p, "PROG LOAD LOG --") &&
		    strncmp(p, "processed ", 10) && strncmp(p, "libbpf: ", 8))
			snprintf(libbpf_last, sizeof(libbpf_last), "%s", p);
		if (more)
			end++;
	}
	free(line);
	return ret;
}

void pcn_libbpf_setup(int verbose)
{
	libbpf_verbose = verbose;
	libbpf_set_print(libbpf_print);
}

const char *pcn_libbpf_last_log(void)
{
	return libbpf_last;
}

void pcn_libbpf_log_reset(void)
{
	libbpf_last[0] = '\0';
}
