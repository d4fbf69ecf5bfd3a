/* SPDX-License-Identifier: GPL-2.0 */
/*
 * json_writer.h - a small streaming JSON writer.
 *
 * Values are written straight to a stdio stream as the calls are made.
 * Separators (commas, and newlines plus indentation in pretty mode) are
 * inserted automatically.  As long as the start/end calls are balanced and
 * every member of an object is preceded by jsonw_name(), the output is valid
 * JSON.  Each completed top-level value is followed by a newline, so writing
 * several top-level values produces one JSON document per line.
 */
#ifndef _PCN_JSON_WRITER_H_
#define _PCN_JSON_WRITER_H_

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct json_writer json_writer_t;

/* Create a writer on @f; returns NULL if out of memory. */
json_writer_t *jsonw_new(FILE *f);
/*
 * Close any containers left open, flush the stream (which is not closed),
 * free the writer and set *@self_p to NULL.
 */
void jsonw_destroy(json_writer_t **self_p);

/* Pretty mode: one member/element per line, indented by 4 spaces a level. */
void jsonw_pretty(json_writer_t *self, bool on);

/* Object member name; the next value written belongs to it. */
void jsonw_name(json_writer_t *self, const char *name);

/* Values. */
void jsonw_string(json_writer_t *self, const char *value);
void jsonw_bool(json_writer_t *self, bool value);
void jsonw_null(json_writer_t *self);
void jsonw_uint(json_writer_t *self, uint64_t value);
void jsonw_int(json_writer_t *self, int64_t value);

/* Containers. */
void jsonw_start_object(json_writer_t *self);
void jsonw_end_object(json_writer_t *self);
void jsonw_start_array(json_writer_t *self);
void jsonw_end_array(json_writer_t *self);

/* Convenience: name followed by a value. */
void jsonw_string_field(json_writer_t *self, const char *name,
			const char *val);
void jsonw_uint_field(json_writer_t *self, const char *name, uint64_t val);
void jsonw_int_field(json_writer_t *self, const char *name, int64_t val);
void jsonw_float_field(json_writer_t *self, const char *name, double val);

#endif /* _PCN_JSON_WRITER_H_ */
