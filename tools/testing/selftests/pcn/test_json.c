// SPDX-License-Identifier: GPL-2.0
/*
 * One print path for text and JSON: the same print_*() calls give the
 * text line or the JSON document, and the JSON is exact (escaping,
 * nesting, 64-bit numbers, pretty form).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "json_print.h"

/* Run @fn with stdout captured; return what it printed (static buffer). */
static const char *capture(void (*fn)(int json, bool pretty), int json,
			   bool pretty)
{
	static char buf[8192];
	FILE *tmp = tmpfile();
	int saved = dup(1);
	size_t n;

	fflush(stdout);
	dup2(fileno(tmp), 1);
	fn(json, pretty);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	rewind(tmp);
	n = fread(buf, 1, sizeof(buf) - 1, tmp);
	buf[n] = '\0';
	fclose(tmp);
	return buf;
}

/* What "pcn cube show" does for one cube with one port. */
static void show_cube(int json, bool pretty)
{
	new_json_obj(json, pretty);
	open_json_array(PRINT_JSON, NULL);
	open_json_object(NULL);
	print_string(PRINT_ANY, "name", "%s:", "fw\"0\\");
	print_string(PRINT_ANY, "type", " type %s", "forwarder");
	print_uint(PRINT_ANY, "slot", " slot %u", 3);
	print_nl();
	open_json_array(PRINT_JSON, "ports");
	open_json_object(NULL);
	print_string(PRINT_FP, NULL, "%s", "    ");
	print_string(PRINT_ANY, "name", "%s", "p\t0");
	print_u64(PRINT_ANY, "rx_bytes", " rx %" PRIu64, UINT64_MAX);
	print_bool(PRINT_JSON, "up", NULL, true);
	print_null(PRINT_ANY, "peer", " peer %s", "none");
	print_nl();
	close_json_object();
	close_json_array(PRINT_JSON, NULL);
	close_json_object();
	close_json_array(PRINT_JSON, NULL);
	delete_json_obj();
}

TEST(text)
{
	EXPECT_STREQ("fw\"0\\: type forwarder slot 3\n"
		     "    p\t0 rx 18446744073709551615 peer none\n",
		     capture(show_cube, 0, false));
}

TEST(json)
{
	EXPECT_STREQ("[{\"name\":\"fw\\\"0\\\\\",\"type\":\"forwarder\","
		     "\"slot\":3,\"ports\":[{\"name\":\"p\\t0\","
		     "\"rx_bytes\":18446744073709551615,\"up\":true,"
		     "\"peer\":null}]}]\n",
		     capture(show_cube, 1, false));
}

TEST(pretty)
{
	const char *out = capture(show_cube, 1, true);

	EXPECT_EQ(0, strncmp(out, "[\n    {\n        \"name\": \"fw", 27));
	EXPECT_NOT_NULL(strstr(out, "\n            {\n                \"name\": \"p\\t0\",\n"));
	EXPECT_EQ('\n', out[strlen(out) - 1]);
}

static void empty_list(int json, bool pretty)
{
	new_json_obj(json, pretty);
	open_json_array(PRINT_JSON, NULL);
	close_json_array(PRINT_JSON, NULL);
	delete_json_obj();
}

TEST(empty)
{
	EXPECT_STREQ("[]\n", capture(empty_list, 1, false));
	EXPECT_STREQ("", capture(empty_list, 0, false));
}

static void control_chars(int json, bool pretty)
{
	json_writer_t *w = jsonw_new(stdout);

	jsonw_start_object(w);
	jsonw_string_field(w, "s", "\x01\x1f\n\r\b\f/");
	jsonw_int_field(w, "min", INT64_MIN);
	jsonw_float_field(w, "nan", 0.0 / 0.0);
	jsonw_end_object(w);
	jsonw_destroy(&w);
}

TEST(escapes)
{
	EXPECT_STREQ("{\"s\":\"\\u0001\\u001f\\n\\r\\b\\f/\","
		     "\"min\":-9223372036854775808,\"nan\":null}\n",
		     capture(control_chars, 1, false));
}

TEST_HARNESS_MAIN
