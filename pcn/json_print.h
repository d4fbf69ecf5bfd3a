/* SPDX-License-Identifier: GPL-2.0 */
/*
 * json_print.h - one print path for both text and JSON output.
 *
 * Every print_*() call names the output modes it applies to: in JSON
 * context (after new_json_obj() with json != 0) PRINT_JSON calls emit
 * "key": value to the global writer on stdout, and in text context
 * PRINT_FP calls printf() the value to stdout using the given format.
 */
#ifndef _PCN_JSON_PRINT_H_
#define _PCN_JSON_PRINT_H_

#include <stdbool.h>
#include <stdint.h>

#include "json_writer.h"

enum output_type {
	PRINT_FP = 1,
	PRINT_JSON = 2,
	PRINT_ANY = PRINT_FP | PRINT_JSON,
};

/*
 * json != 0: create the global writer on stdout (exits if out of memory).
 * No top-level object or array is opened; the caller does that.
 */
void new_json_obj(int json, bool pretty);
/* Choose how print_error() reports, before any document is opened. */
void set_json_mode(int json, bool pretty);
/* Destroy the writer (the document ends with a newline); flush stdout. */
void delete_json_obj(void);
bool is_json_context(void);

/* JSON only; a NULL name opens an anonymous object. */
void open_json_object(const char *name);
void close_json_object(void);
/*
 * JSON (if type has PRINT_JSON): open a named or (NULL name) anonymous
 * array.  Text mode prints nothing.
 */
void open_json_array(enum output_type type, const char *name);
/* JSON: close the array; text (if type has PRINT_FP): print delim if set. */
void close_json_array(enum output_type type, const char *delim);

/*
 * Each returns the number of characters printed in text mode (or a
 * negative value on an output error) and 0 in JSON mode.  A NULL key
 * writes a bare value (inside an array); a NULL fmt prints nothing in
 * text mode.
 */
int print_string(enum output_type t, const char *key, const char *fmt,
		 const char *value);
int print_uint(enum output_type t, const char *key, const char *fmt,
	       unsigned int value);
int print_u64(enum output_type t, const char *key, const char *fmt,
	      uint64_t value);
int print_int(enum output_type t, const char *key, const char *fmt,
	      int value);
int print_bool(enum output_type t, const char *key, const char *fmt,
	       bool value);
int print_null(enum output_type t, const char *key, const char *fmt,
	       const char *value);

/* Text mode: print a newline.  JSON: nothing. */
void print_nl(void);

/*
 * JSON mode: {"error":"msg"} as a document of its own on stdout.
 * Text mode: "Error: msg" on stderr.
 */
void print_error(const char *msg);

#endif /* _PCN_JSON_PRINT_H_ */
