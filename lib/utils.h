/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small things every layer uses: names, the words of a line, faults.
 * Not the engine's convention: split_words() fails with -1, not -errno.
 */
#ifndef __PCN_UTILS_H
#define __PCN_UTILS_H

#include <stdbool.h>
#include <stddef.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Names of cubes and ports: 1..15 characters of [A-Za-z0-9_-], not
 * starting with '-'.
 * Return: true if @name is one.
 */
bool name_is_valid(const char *name);

/* Copy a name into a fixed PCN_NAME_LEN field, NUL-padded. */
void name_copy(char *dst, const char *src);

/*
 * Split a line into words in place: blanks separate, "double" or 'single'
 * quotes group, '#' starts a comment.
 * Return: the word count, or -1 for unbalanced quotes or more than @max
 * words.
 */
int split_words(char *line, char **argv, int max);

/*
 * Fault injection for the tests. PCN_FAULT=POINT kills pcn at
 * pcn_fault_point(POINT) (a crash), or makes pcn_fault_err(POINT) return
 * -EIO (a kernel call failing there); otherwise the latter returns 0.
 */
void pcn_fault_point(const char *point);
/* A kernel call failing at @point? Return: -EIO if so, else 0. */
int pcn_fault_err(const char *point);

#endif /* __PCN_UTILS_H */
