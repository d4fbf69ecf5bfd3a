// SPDX-License-Identifier: GPL-2.0
/* A JSON reader (json.h): recursive descent over the whole text. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

struct jp {
	const char *s;
	size_t len;
	size_t pos;
	int depth;
	int err;			/* EINVAL or ENOMEM */
};

static struct json *parse_value(struct jp *p);

static void ws(struct jp *p)
{
	while (p->pos < p->len &&
	       (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
		p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
		p->pos++;
}

static bool eat(struct jp *p, char c)
{
	ws(p);
	if (p->pos < p->len && p->s[p->pos] == c) {
		p->pos++;
		return true;
	}
	return false;
}

static struct json *fail(struct jp *p, int err)
{
	if (!p->err)
		p->err = err;
	return NULL;
}

static struct json *node(struct jp *p, enum json_type type)
{
	struct json *v = calloc(1, sizeof(*v));

	if (!v)
		return fail(p, ENOMEM);
	v->type = type;
	return v;
}

static int hex4(const char *s, unsigned int *cp)
{
	int i;

	*cp = 0;
	for (i = 0; i < 4; i++) {
		char c = s[i];

		*cp <<= 4;
		if (c >= '0' && c <= '9')
			*cp |= c - '0';
		else if (c >= 'a' && c <= 'f')
			*cp |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			*cp |= c - 'A' + 10;
		else
			return -1;
	}
	return 0;
}

static size_t utf8_put(char *out, unsigned int cp)
{
	if (cp < 0x80) {
		out[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = 0xc0 | (cp >> 6);
		out[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = 0xe0 | (cp >> 12);
		out[1] = 0x80 | ((cp >> 6) & 0x3f);
		out[2] = 0x80 | (cp & 0x3f);
		return 3;
	}
	out[0] = 0xf0 | (cp >> 18);
	out[1] = 0x80 | ((cp >> 12) & 0x3f);
	out[2] = 0x80 | ((cp >> 6) & 0x3f);
	out[3] = 0x80 | (cp & 0x3f);
	return 4;
}

/* a string at p->pos (after its quote): unescaped, NUL-ended */
static char *parse_string(struct jp *p)
{
	char *out, *o;
	unsigned int cp, lo;
	size_t start = p->pos;

	/* an escape never makes the text longer: one buffer suffices */
	while (p->pos < p->len && p->s[p->pos] != '"') {
		if (p->s[p->pos] == '\\')
			p->pos++;
		p->pos++;
	}
	if (p->pos >= p->len) {
		fail(p, EINVAL);
		return NULL;
	}
	out = malloc(p->pos - start + 1);
	if (!out) {
		fail(p, ENOMEM);
		return NULL;
	}
	o = out;
	p->pos = start;
	while (p->s[p->pos] != '"') {
		unsigned char c = p->s[p->pos++];

		if (c < 0x20)
			goto bad;
		if (c != '\\') {
			*o++ = c;
			continue;
		}
		c = p->s[p->pos++];
		switch (c) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '/': *o++ = '/'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			if (p->pos + 4 > p->len || hex4(p->s + p->pos, &cp))
				goto bad;
			p->pos += 4;
			if (cp >= 0xd800 && cp < 0xdc00) {
				/* a surrogate pair: \uD8xx\uDCxx */
				if (p->pos + 6 > p->len ||
				    p->s[p->pos] != '\\' ||
				    p->s[p->pos + 1] != 'u' ||
				    hex4(p->s + p->pos + 2, &lo) ||
				    lo < 0xdc00 || lo > 0xdfff)
					goto bad;
				p->pos += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				     (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp < 0xe000) {
				goto bad;
			}
			if (!cp)
				goto bad;	/* no NUL inside a C string */
			o += utf8_put(o, cp);
			break;
		default:
			goto bad;
		}
	}
	p->pos++;
	*o = '\0';
	return out;
bad:
	free(out);
	fail(p, EINVAL);
	return NULL;
}

static struct json *parse_number(struct jp *p)
{
	size_t start = p->pos;
	char buf[64], *end;
	struct json *v;

	if (p->pos < p->len && p->s[p->pos] == '-')
		p->pos++;
	if (p->pos >= p->len || p->s[p->pos] < '0' || p->s[p->pos] > '9')
		return fail(p, EINVAL);
	if (p->s[p->pos] == '0' && p->pos + 1 < p->len &&
	    p->s[p->pos + 1] >= '0' && p->s[p->pos + 1] <= '9')
		return fail(p, EINVAL);	/* no leading zeros */
	while (p->pos < p->len && strchr("0123456789.eE+-", p->s[p->pos]))
		p->pos++;
	if (p->pos - start >= sizeof(buf))
		return fail(p, EINVAL);
	memcpy(buf, p->s + start, p->pos - start);
	buf[p->pos - start] = '\0';
	v = node(p, JSON_NUMBER);
	if (!v)
		return NULL;
	v->num = strtod(buf, &end);
	if (*end) {
		free(v);
		return fail(p, EINVAL);
	}
	return v;
}

static bool word(struct jp *p, const char *w)
{
	size_t n = strlen(w);

	if (p->pos + n > p->len || memcmp(p->s + p->pos, w, n))
		return false;
	p->pos += n;
	return true;
}

/* elements (or members, @object) up to the closing bracket */
static struct json *parse_container(struct jp *p, bool object)
{
	struct json *v = node(p, object ? JSON_OBJECT : JSON_ARRAY);
	struct json **tail, *kid;
	char *key = NULL;

	if (!v)
		return NULL;
	if (++p->depth > JSON_MAX_DEPTH)
		goto bad;
	tail = &v->kids;
	if (eat(p, object ? '}' : ']'))
		goto done;
	do {
		if (object) {
			if (!eat(p, '"'))
				goto bad;
			key = parse_string(p);
			if (!key || !eat(p, ':'))
				goto bad;
		}
		kid = parse_value(p);
		if (!kid)
			goto bad;
		kid->key = key;
		key = NULL;
		*tail = kid;
		tail = &kid->next;
	} while (eat(p, ','));
	if (!eat(p, object ? '}' : ']'))
		goto bad;
done:
	p->depth--;
	return v;
bad:
	free(key);
	json_free(v);
	return fail(p, EINVAL);
}

static struct json *parse_value(struct jp *p)
{
	struct json *v;

	ws(p);
	if (p->pos >= p->len)
		return fail(p, EINVAL);
	switch (p->s[p->pos]) {
	case '{':
		p->pos++;
		return parse_container(p, true);
	case '[':
		p->pos++;
		return parse_container(p, false);
	case '"':
		p->pos++;
		v = node(p, JSON_STRING);
		if (v) {
			v->str = parse_string(p);
			if (!v->str) {
				free(v);
				v = NULL;
			}
		}
		return v;
	case 't':
		return word(p, "true") ? node(p, JSON_TRUE) : fail(p, EINVAL);
	case 'f':
		return word(p, "false") ? node(p, JSON_FALSE)
					: fail(p, EINVAL);
	case 'n':
		return word(p, "null") ? node(p, JSON_NULL) : fail(p, EINVAL);
	default:
		return parse_number(p);
	}
}

struct json *json_parse(const char *text, size_t len, size_t *where)
{
	struct jp p = { .s = text, .len = len };
	struct json *v;

	v = parse_value(&p);
	if (v) {
		ws(&p);
		if (p.pos != p.len) {
			json_free(v);
			v = fail(&p, EINVAL);
		}
	}
	if (!v) {
		if (where)
			*where = p.pos;
		errno = p.err ? p.err : EINVAL;
	}
	return v;
}

void json_free(struct json *v)
{
	while (v) {
		struct json *next = v->next;

		json_free(v->kids);
		free(v->key);
		free(v->str);
		free(v);
		v = next;
	}
}

const struct json *json_get(const struct json *obj, const char *key)
{
	const struct json *k;

	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (k = obj->kids; k; k = k->next)
		if (!strcmp(k->key, key))
			return k;
	return NULL;
}

const char *json_str(const struct json *obj, const char *key)
{
	const struct json *v = json_get(obj, key);

	return v && v->type == JSON_STRING ? v->str : NULL;
}
