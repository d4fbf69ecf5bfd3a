// SPDX-License-Identifier: GPL-2.0
/*
 * json_writer.c - a small streaming JSON writer.
 *
 * The writer keeps a stack with one entry per open container, recording
 * the character that closes it and whether anything has been written into
 * it yet; that is all that is needed to place the separators.
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "json_writer.h"

#define JSONW_INITIAL_DEPTH	64
#define JSONW_INDENT		4

struct jsonw_level {
	char close;		/* '}' or ']' */
	bool empty;		/* nothing written in this container yet */
};

struct json_writer {
	FILE *out;
	struct jsonw_level *stack;
	unsigned int depth;	/* number of open containers */
	unsigned int size;	/* allocated entries in @stack */
	bool pretty;
	bool named;		/* a name was written, its value is pending */
	bool broken;		/* out of memory: write nothing more */
};

json_writer_t *jsonw_new(FILE *f)
{
	json_writer_t *self;

	self = calloc(1, sizeof(*self));
	if (!self)
		return NULL;

	self->stack = calloc(JSONW_INITIAL_DEPTH, sizeof(*self->stack));
	if (!self->stack) {
		free(self);
		return NULL;
	}
	self->size = JSONW_INITIAL_DEPTH;
	self->out = f;
	return self;
}

void jsonw_destroy(json_writer_t **self_p)
{
	json_writer_t *self;

	if (!self_p || !*self_p)
		return;
	self = *self_p;

	/* Keep the output valid even if the caller left things open. */
	while (self->depth && !self->broken) {
		if (self->stack[self->depth - 1].close == '}')
			jsonw_end_object(self);
		else
			jsonw_end_array(self);
	}
	fflush(self->out);

	free(self->stack);
	free(self);
	*self_p = NULL;
}

void jsonw_pretty(json_writer_t *self, bool on)
{
	if (self)
		self->pretty = on;
}

static bool jsonw_ok(const json_writer_t *self)
{
	return self && !self->broken;
}

static void jsonw_indent(json_writer_t *self, unsigned int depth)
{
	unsigned int i;

	fputc('\n', self->out);
	for (i = 0; i < depth * JSONW_INDENT; i++)
		fputc(' ', self->out);
}

/*
 * Called before a name, or before a value that has no name: write the
 * comma separating it from the previous member or element and, in pretty
 * mode, start a new indented line.
 */
static void jsonw_separate(json_writer_t *self)
{
	struct jsonw_level *lvl;

	if (!self->depth)
		return;

	lvl = &self->stack[self->depth - 1];
	if (!lvl->empty)
		fputc(',', self->out);
	lvl->empty = false;
	if (self->pretty)
		jsonw_indent(self, self->depth);
}

/* Called before every value. */
static void jsonw_begin_value(json_writer_t *self)
{
	if (self->named)
		self->named = false;
	else
		jsonw_separate(self);
}

/* Called after every complete value. */
static void jsonw_end_value(json_writer_t *self)
{
	if (!self->depth)
		fputc('\n', self->out);
}

static void jsonw_puts_escaped(json_writer_t *self, const char *s)
{
	const unsigned char *p;

	fputc('"', self->out);
	for (p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", self->out);
			break;
		case '\\':
			fputs("\\\\", self->out);
			break;
		case '\b':
			fputs("\\b", self->out);
			break;
		case '\f':
			fputs("\\f", self->out);
			break;
		case '\n':
			fputs("\\n", self->out);
			break;
		case '\r':
			fputs("\\r", self->out);
			break;
		case '\t':
			fputs("\\t", self->out);
			break;
		default:
			if (*p < 0x20)
				fprintf(self->out, "\\u%04x", *p);
			else
				fputc(*p, self->out);
			break;
		}
	}
	fputc('"', self->out);
}

void jsonw_name(json_writer_t *self, const char *name)
{
	if (!jsonw_ok(self))
		return;

	/* Two names in a row: give the first one a value. */
	if (self->named)
		jsonw_null(self);

	jsonw_separate(self);
	jsonw_puts_escaped(self, name ? name : "");
	fputc(':', self->out);
	if (self->pretty)
		fputc(' ', self->out);
	self->named = true;
}

/* Raw value text; the caller is responsible for it being valid JSON. */
__attribute__((format(printf, 2, 3)))
static void jsonw_printf(json_writer_t *self, const char *fmt, ...)
{
	va_list ap;

	if (!jsonw_ok(self))
		return;

	jsonw_begin_value(self);
	va_start(ap, fmt);
	vfprintf(self->out, fmt, ap);
	va_end(ap);
	jsonw_end_value(self);
}

void jsonw_string(json_writer_t *self, const char *value)
{
	if (!jsonw_ok(self))
		return;

	if (!value) {
		jsonw_null(self);
		return;
	}
	jsonw_begin_value(self);
	jsonw_puts_escaped(self, value);
	jsonw_end_value(self);
}

void jsonw_bool(json_writer_t *self, bool value)
{
	jsonw_printf(self, "%s", value ? "true" : "false");
}

void jsonw_null(json_writer_t *self)
{
	jsonw_printf(self, "null");
}

void jsonw_uint(json_writer_t *self, uint64_t value)
{
	jsonw_printf(self, "%llu", (unsigned long long)value);
}

void jsonw_int(json_writer_t *self, int64_t value)
{
	jsonw_printf(self, "%lld", (long long)value);
}

static void jsonw_float(json_writer_t *self, double value)
{
	char buf[64];
	int prec;
	char *p;

	if (!isfinite(value)) {
		jsonw_null(self);
		return;
	}

	/* The fewest digits (15 to 17) that read back as the same value. */
	for (prec = 15; prec < 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, value);
		if (strtod(buf, NULL) == value)
			break;
	}
	if (prec == 17)
		snprintf(buf, sizeof(buf), "%.17g", value);

	/* JSON needs a '.' whatever LC_NUMERIC says. */
	for (p = buf; *p; p++) {
		if (*p == ',')
			*p = '.';
	}
	jsonw_printf(self, "%s", buf);
}

static void jsonw_start(json_writer_t *self, char open, char close)
{
	struct jsonw_level *lvl;

	if (!jsonw_ok(self))
		return;

	if (self->depth == self->size) {
		struct jsonw_level *stack;
		unsigned int size = self->size * 2;

		stack = realloc(self->stack, size * sizeof(*stack));
		if (!stack) {
			self->broken = true;
			return;
		}
		self->stack = stack;
		self->size = size;
	}

	jsonw_begin_value(self);
	fputc(open, self->out);

	lvl = &self->stack[self->depth++];
	lvl->close = close;
	lvl->empty = true;
}

static void jsonw_end(json_writer_t *self)
{
	struct jsonw_level *lvl;

	if (!jsonw_ok(self) || !self->depth)
		return;

	/* A name without a value would leave the object invalid. */
	if (self->named)
		jsonw_null(self);

	lvl = &self->stack[--self->depth];
	if (self->pretty && !lvl->empty)
		jsonw_indent(self, self->depth);
	fputc(lvl->close, self->out);
	jsonw_end_value(self);
}

void jsonw_start_object(json_writer_t *self)
{
	jsonw_start(self, '{', '}');
}

void jsonw_end_object(json_writer_t *self)
{
	jsonw_end(self);
}

void jsonw_start_array(json_writer_t *self)
{
	jsonw_start(self, '[', ']');
}

void jsonw_end_array(json_writer_t *self)
{
	jsonw_end(self);
}

void jsonw_string_field(json_writer_t *self, const char *name,
			const char *val)
{
	jsonw_name(self, name);
	jsonw_string(self, val);
}

void jsonw_uint_field(json_writer_t *self, const char *name, uint64_t val)
{
	jsonw_name(self, name);
	jsonw_uint(self, val);
}

void jsonw_int_field(json_writer_t *self, const char *name, int64_t val)
{
	jsonw_name(self, name);
	jsonw_int(self, val);
}

void jsonw_float_field(json_writer_t *self, const char *name, double val)
{
	jsonw_name(self, name);
	jsonw_float(self, val);
}

