// SPDX-License-Identifier: GPL-2.0
/*
 * json_print.c - one print path for both text and JSON output.
 */
#include <stdio.h>
#include <stdlib.h>

#include "json_print.h"

/* The text formats come from the callers. */
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

static json_writer_t *jw;	/* non-NULL: JSON context */
static bool json_mode;		/* last new_json_obj() asked for JSON */
static bool json_pretty;

void new_json_obj(int json, bool pretty)
{
	json_mode = json != 0;
	json_pretty = pretty;
	if (!json_mode)
		return;

	jsonw_destroy(&jw);
	jw = jsonw_new(stdout);
	if (!jw) {
		fprintf(stderr, "Error: cannot allocate JSON writer\n");
		exit(1);
	}
	jsonw_pretty(jw, pretty);
}

void set_json_mode(int json, bool pretty)
{
	json_mode = json != 0;
	json_pretty = pretty;
}

void delete_json_obj(void)
{
	jsonw_destroy(&jw);
	fflush(stdout);
}

bool is_json_context(void)
{
	return jw != NULL;
}

void open_json_object(const char *name)
{
	if (!jw)
		return;
	if (name)
		jsonw_name(jw, name);
	jsonw_start_object(jw);
}

void close_json_object(void)
{
	if (jw)
		jsonw_end_object(jw);
}

void open_json_array(enum output_type type, const char *name)
{
	if (!jw || !(type & PRINT_JSON))
		return;
	if (name)
		jsonw_name(jw, name);
	jsonw_start_array(jw);
}

void close_json_array(enum output_type type, const char *delim)
{
	if (jw) {
		if (type & PRINT_JSON)
			jsonw_end_array(jw);
	} else if ((type & PRINT_FP) && delim) {
		fputs(delim, stdout);
	}
}

/*
 * If the value goes to JSON, write the key (when there is one) and return
 * true; the caller then writes the value.
 */
static bool json_key(enum output_type t, const char *key)
{
	if (!jw || !(t & PRINT_JSON))
		return false;
	if (key)
		jsonw_name(jw, key);
	return true;
}

/* Whether the value is printed as text with @fmt. */
static bool text_out(enum output_type t, const char *fmt)
{
	return !jw && (t & PRINT_FP) && fmt;
}

int print_string(enum output_type t, const char *key, const char *fmt,
		 const char *value)
{
	if (json_key(t, key))
		jsonw_string(jw, value);	/* NULL gives null */
	else if (text_out(t, fmt))
		return printf(fmt, value ? value : "");
	return 0;
}

int print_uint(enum output_type t, const char *key, const char *fmt,
	       unsigned int value)
{
	if (json_key(t, key))
		jsonw_uint(jw, value);
	else if (text_out(t, fmt))
		return printf(fmt, value);
	return 0;
}

int print_u64(enum output_type t, const char *key, const char *fmt,
	      uint64_t value)
{
	if (json_key(t, key))
		jsonw_uint(jw, value);
	else if (text_out(t, fmt))
		return printf(fmt, value);
	return 0;
}

int print_int(enum output_type t, const char *key, const char *fmt,
	      int value)
{
	if (json_key(t, key))
		jsonw_int(jw, value);
	else if (text_out(t, fmt))
		return printf(fmt, value);
	return 0;
}

int print_bool(enum output_type t, const char *key, const char *fmt,
	       bool value)
{
	if (json_key(t, key))
		jsonw_bool(jw, value);
	else if (text_out(t, fmt))
		return printf(fmt, value ? "true" : "false");
	return 0;
}

int print_null(enum output_type t, const char *key, const char *fmt,
	       const char *value)
{
	if (json_key(t, key))
		jsonw_null(jw);
	else if (text_out(t, fmt))
		return printf(fmt, value ? value : "");
	return 0;
}

void print_nl(void)
{
	if (!jw)
		putchar('\n');
}

void print_error(const char *msg)
{
	json_writer_t *ew;

	if (!msg)
		msg = "";

	if (json_mode) {
		/*
		 * A writer of its own, so the error is a complete document
		 * even if none is open.  If the main document is still open
		 * the output as a whole cannot be valid anyway.
		 */
		ew = jsonw_new(stdout);
		if (ew) {
			jsonw_pretty(ew, json_pretty);
			jsonw_start_object(ew);
			jsonw_string_field(ew, "error", msg);
			jsonw_end_object(ew);
			jsonw_destroy(&ew);
			return;
		}
	}
	fprintf(stderr, "Error: %s\n", msg);
}
