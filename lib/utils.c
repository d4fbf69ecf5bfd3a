// SPDX-License-Identifier: GPL-2.0
/* Global options, error reporting and argument helpers. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/libbpf.h>

#include "utils.h"
#include "json_print.h"
#include "pcn_shared.h"

int json;
int pretty;
int show_stats;
int show_details;
int force;
const char *batch_file;
int batch_line;
int batch_line_end;

static void verr(const char *fmt, va_list ap, const char *suffix)
{
	char msg[1024];
	int n = 0;

	if (batch_line && batch_line_end > batch_line)
		n = snprintf(msg, sizeof(msg), "%s:%d-%d: ",
			     batch_file ? batch_file : "-", batch_line,
			     batch_line_end);
	else if (batch_line)
		n = snprintf(msg, sizeof(msg), "%s:%d: ",
			     batch_file ? batch_file : "-", batch_line);
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
	const char *log = pcn_libbpf_last_log();
	char reason[512];
	va_list ap;

	if (err < 0)
		err = -err;
	if (*log)
		snprintf(reason, sizeof(reason), "%s (%s)", strerror(err),
			 log);
	else
		snprintf(reason, sizeof(reason), "%s", strerror(err));
	va_start(ap, fmt);
	verr(fmt, ap, reason);
	va_end(ap);
	return PCN_EXIT_KERNEL;
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

/*
 * libbpf talks a lot. Keep the last meaningful line it printed (for a
 * failed load that is the verifier's verdict) and show everything with -d.
 */
static char libbpf_last[256];

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	char *line, *p, *end;
	int ret;

	if (level == LIBBPF_DEBUG && show_details < 2)
		return 0;
	/* a verifier log comes as one long string */
	ret = vasprintf(&line, fmt, ap);
	if (ret < 0)
		return ret;
	if (show_details)
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

void pcn_libbpf_setup(void)
{
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

int get_u32(uint32_t *val, const char *arg, int base)
{
	unsigned long res;
	char *end;

	if (!arg || !*arg || *arg == '-' || *arg == '+')
		return -EINVAL;
	errno = 0;
	res = strtoul(arg, &end, base);
	if (*end || errno || res > UINT32_MAX)
		return -EINVAL;
	*val = res;
	return 0;
}

bool name_is_valid(const char *name)
{
	size_t len = name ? strlen(name) : 0;

	if (len == 0 || len >= PCN_NAME_LEN || name[0] == '-')
		return false;
	for (; *name; name++) {
		char c = *name;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
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

int take_name(const char *what, int *argc, char ***argv, const char **name)
{
	if (*argc < 1)
		return pcn_err(PCN_EXIT_USAGE, "%s name missing", what);
	*name = **argv;
	(*argc)--;
	(*argv)++;
	return check_name(what, *name);
}

void name_copy(char *dst, const char *src)
{
	size_t len = strnlen(src, PCN_NAME_LEN - 1);

	memset(dst, 0, PCN_NAME_LEN);
	memcpy(dst, src, len);
}

static bool fault_at(const char *point)
{
	const char *want = getenv("PCN_FAULT");

	return want && strcmp(want, point) == 0;
}

void pcn_fault_point(const char *point)
{
	if (fault_at(point))
		kill(getpid(), SIGKILL);
}

int pcn_fault_err(const char *point)
{
	return fault_at(point) ? -EIO : 0;
}

/*
 * Split a batch line into words: blanks separate, "double" or 'single'
 * quotes group, '#' starts a comment. Returns the word count or -1.
 */
int split_words(char *line, char **argv, int max)
{
	int argc = 0;
	char *p = line, *out;

	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (!*p || *p == '#')
			break;
		if (argc == max)
			return -1;
		argv[argc++] = out = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n' &&
		       *p != '\r') {
			if (*p == '"' || *p == '\'') {
				char q = *p++;

				while (*p && *p != q)
					*out++ = *p++;
				if (*p != q)
					return -1;
				p++;
			} else {
				*out++ = *p++;
			}
		}
		if (*p)
			p++;
		*out = '\0';
	}
	return argc;
}

void *map_mmap(int fd, size_t off, size_t bytes, size_t *len)
{
	long page = sysconf(_SC_PAGESIZE);
	void *p;

	*len = (bytes + page - 1) / page * page;
	p = mmap(NULL, *len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		 fd, off);
	return p == MAP_FAILED ? NULL : p;
}
