/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A JSON reader for the documents pcn is handed (a CNI network
 * configuration, an IPAM plugin's result): the whole text parsed into a
 * tree of values, strings unescaped to UTF-8. Numbers are kept as
 * doubles. Depth and size are bounded (JSON_MAX_DEPTH); what is not
 * strict RFC 8259 JSON is refused.
 */
#ifndef __PCN_JSON_H
#define __PCN_JSON_H

#include <stdbool.h>
#include <stddef.h>

#define JSON_MAX_DEPTH 64

enum json_type {
	JSON_NULL,
	JSON_FALSE,
	JSON_TRUE,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json {
	enum json_type type;
	char *key;			/* a member's name, in an object */
	char *str;			/* JSON_STRING */
	double num;			/* JSON_NUMBER */
	struct json *kids;		/* JSON_ARRAY, JSON_OBJECT: in order */
	struct json *next;		/* the next element or member */
};

/*
 * Parse @len bytes of @text.
 * Return: the root (free it with json_free()), or NULL with errno
 * EINVAL (not JSON; @where, if not NULL, gets the byte offset) or
 * ENOMEM.
 */
struct json *json_parse(const char *text, size_t len, size_t *where);
void json_free(struct json *v);

/* Member @key of object @obj. Return: it, or NULL (none, or no object). */
const struct json *json_get(const struct json *obj, const char *key);
/*
 * Member @key as a string.
 * Return: the string; NULL if it is missing or not a string.
 */
const char *json_str(const struct json *obj, const char *key);

#endif /* __PCN_JSON_H */
