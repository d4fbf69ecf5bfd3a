// SPDX-License-Identifier: GPL-2.0
/* Small things every layer uses (utils.h). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcn_shared.h"
#include "utils.h"

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
