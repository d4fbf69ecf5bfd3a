// SPDX-License-Identifier: GPL-2.0
/*
 * The argument parser: names, numbers, endpoints, modes, batch lines, and
 * whole command lines through pcn_run() (each in a child process), with
 * their exit codes and their one "Error:" line. The root points at a
 * path that does not exist: a syntax error must be found before any
 * state is touched, so none of these may create it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "harness.h"
#include "pcn.h"
#include "utils.h"

#define NO_ROOT "/nonexistent/pcn-test-root"

TEST(names)
{
	EXPECT_TRUE(name_is_valid("fw0"));
	EXPECT_TRUE(name_is_valid("a-b_C9"));
	EXPECT_TRUE(name_is_valid("abcdefghijklmno"));	/* 15 */
	EXPECT_FALSE(name_is_valid("abcdefghijklmnop"));	/* 16 */
	EXPECT_FALSE(name_is_valid(""));
	EXPECT_FALSE(name_is_valid(NULL));
	EXPECT_FALSE(name_is_valid("a.b"));
	EXPECT_FALSE(name_is_valid("a/b"));
	EXPECT_FALSE(name_is_valid("-x"));
	EXPECT_FALSE(name_is_valid("a b"));
	EXPECT_FALSE(name_is_valid("a:b"));
	EXPECT_FALSE(name_is_valid("caf\xc3\xa9"));
}

TEST(numbers)
{
	uint32_t v = 7;

	EXPECT_EQ(0, pcn_parse_u32("0", 10, &v));
	EXPECT_EQ(0, v);
	EXPECT_EQ(0, pcn_parse_u32("4294967295", 10, &v));
	EXPECT_EQ(4294967295u, v);
	EXPECT_EQ(0, pcn_parse_u32("0x10", 0, &v));
	EXPECT_EQ(16, v);
	EXPECT_EQ(-EINVAL, pcn_parse_u32("4294967296", 10, &v));
	EXPECT_EQ(-EINVAL, pcn_parse_u32("-1", 10, &v));
	EXPECT_EQ(-EINVAL, pcn_parse_u32("+1", 10, &v));
	EXPECT_EQ(-EINVAL, pcn_parse_u32("1x", 10, &v));
	EXPECT_EQ(-EINVAL, pcn_parse_u32("", 10, &v));
	EXPECT_EQ(-EINVAL, pcn_parse_u32(NULL, 10, &v));
	EXPECT_EQ(16, v);
}

TEST(keywords_are_exact)
{
	enum pcn_mode m = PCN_MODE_NONE;

	EXPECT_EQ(0, mode_parse("xdp", &m));
	EXPECT_EQ(PCN_MODE_XDP, m);
	EXPECT_EQ(0, mode_parse("xdpgeneric", &m));
	EXPECT_EQ(PCN_MODE_XDPGENERIC, m);
	EXPECT_EQ(0, mode_parse("tc", &m));
	EXPECT_EQ(PCN_MODE_TC, m);
	EXPECT_EQ(-EINVAL, mode_parse("xdpg", &m));
	EXPECT_EQ(-EINVAL, mode_parse("XDP", &m));
	EXPECT_EQ(-EINVAL, mode_parse("", &m));
	EXPECT_NOT_NULL(cube_type_find("forwarder"));
	EXPECT_NULL(cube_type_find("forward"));
	EXPECT_NULL(cube_type_find("forwarders"));
	EXPECT_TRUE(is_kw("add", "add"));
	EXPECT_FALSE(is_kw("ad", "add"));
	EXPECT_FALSE(is_kw(NULL, "add"));
}

TEST(endpoints)
{
	char cube[PCN_NAME_LEN], port[PCN_NAME_LEN];
	int fd = dup(2), null = open("/dev/null", O_WRONLY);

	/* errors are reported on stderr: keep the TAP stream clean */
	dup2(null, 2);
	EXPECT_EQ(0, arg_endpoint("fw0:p0", cube, port));
	EXPECT_STREQ("fw0", cube);
	EXPECT_STREQ("p0", port);
	EXPECT_EQ(0, arg_endpoint("br", cube, port));
	EXPECT_STREQ("br", cube);
	EXPECT_STREQ("", port);
	EXPECT_EQ(PCN_EXIT_USAGE, arg_endpoint("fw0:", cube, port));
	EXPECT_EQ(PCN_EXIT_USAGE, arg_endpoint(":p0", cube, port));
	EXPECT_EQ(PCN_EXIT_USAGE, arg_endpoint("a:b:c", cube, port));
	EXPECT_EQ(PCN_EXIT_USAGE, arg_endpoint("a.b:c", cube, port));
	EXPECT_EQ(PCN_EXIT_USAGE,
		  arg_endpoint("abcdefghijklmnop:c", cube, port));
	EXPECT_EQ(PCN_EXIT_USAGE,
		  arg_endpoint("abcdefghijklmnopqrstuvwxyz0123456789", cube,
				 port));
	dup2(fd, 2);
	close(fd);
	close(null);
}

TEST(batch_lines)
{
	char l1[] = "  cube add fw0 type forwarder  # a comment\n";
	char l2[] = "link add 'a b' \"c d\"x\n";
	char l3[] = "cube \"unbalanced\n";
	char l4[] = "# only a comment\n";
	char l5[] = "a b c d";
	char *argv[8];

	ASSERT_EQ(5, split_words(l1, argv, 8));
	EXPECT_STREQ("cube", argv[0]);
	EXPECT_STREQ("forwarder", argv[4]);
	ASSERT_EQ(4, split_words(l2, argv, 8));
	EXPECT_STREQ("a b", argv[2]);
	EXPECT_STREQ("c dx", argv[3]);
	EXPECT_EQ(-1, split_words(l3, argv, 8));
	EXPECT_EQ(0, split_words(l4, argv, 8));
	EXPECT_EQ(-1, split_words(l5, argv, 3));
}

/*
 * Run "pcn ARGS" in a child; return its exit code and put what it wrote
 * on stderr in @err and on stdout in @out.
 */
static int pcn(const char *args, char *out, char *err)
{
	int po[2], pe[2], status, argc;
	char line[512], *argv[64];
	ssize_t n;
	pid_t pid;

	snprintf(line, sizeof(line), "pcn %s", args);
	argc = split_words(line, argv, 63);
	argv[argc] = NULL;
	if (pipe(po) || pipe(pe))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		setenv("PCN_ROOT", NO_ROOT, 1);
		exit(pcn_run(argc, argv) & 0xff);
	}
	close(po[1]);
	close(pe[1]);
	waitpid(pid, &status, 0);
	n = read(po[0], out, 4095);
	out[n > 0 ? n : 0] = '\0';
	n = read(pe[0], err, 4095);
	err[n > 0 ? n : 0] = '\0';
	close(po[0]);
	close(pe[0]);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* exactly one line, "Error: ..." */
static bool one_error_line(const char *err)
{
	const char *nl = strchr(err, '\n');

	return !strncmp(err, "Error: ", 7) && nl && nl[1] == '\0';
}

#define EXPECT_USAGE(args)                                                 \
	do {                                                               \
		char o[4096], e[4096];                                     \
		EXPECT_EQ(PCN_EXIT_USAGE, pcn(args, o, e));                \
		EXPECT_TRUE(one_error_line(e));                            \
		EXPECT_STREQ("", o);                                       \
		if (!one_error_line(e))                                    \
			TH_LOG("pcn %s: stderr \"%s\"", args, e);          \
	} while (0)

TEST(bad_command_lines)
{
	struct stat st;

	EXPECT_USAGE("nosuch");
	EXPECT_USAGE("cub");
	EXPECT_USAGE("-x cube show");
	EXPECT_USAGE("-n");
	EXPECT_USAGE("-force cube show");
	EXPECT_USAGE("cube nosuch");
	EXPECT_USAGE("cube sho");
	EXPECT_USAGE("cube add");
	EXPECT_USAGE("cube add fw0");
	EXPECT_USAGE("cube add fw0 type");
	EXPECT_USAGE("cube add fw0 type nosuch");
	EXPECT_USAGE("cube add fw0 type forward");
	EXPECT_USAGE("cube add fw0 type forwarder type forwarder");
	EXPECT_USAGE("cube add fw0 type forwarder mode");
	EXPECT_USAGE("cube add fw0 type forwarder mode bogus");
	EXPECT_USAGE("cube add fw0 type forwarder mode tc mode xdp");
	EXPECT_USAGE("cube add fw0 type forwarder extra");
	EXPECT_USAGE("cube add a.b type forwarder");
	EXPECT_USAGE("cube add a/b type forwarder");
	EXPECT_USAGE("cube add '' type forwarder");
	EXPECT_USAGE("cube add abcdefghijklmnop type forwarder");
	EXPECT_USAGE("cube del");
	EXPECT_USAGE("cube del fw0 extra");
	EXPECT_USAGE("cube del a.b");
	EXPECT_USAGE("cube set fw0");
	EXPECT_USAGE("cube show fw0 extra");
	EXPECT_USAGE("cube help extra");
	EXPECT_USAGE("link nosuch");
	EXPECT_USAGE("link add");
	EXPECT_USAGE("link add fw0");
	EXPECT_USAGE("link set fw0:p0");
	EXPECT_USAGE("link add fw0:p0 dev");
	EXPECT_USAGE("link add fw0:p0 dev a dev b");
	EXPECT_USAGE("link add fw0:p0 device a");
	EXPECT_USAGE("link add fw0:p.0 dev a");
	EXPECT_USAGE("link del");
	EXPECT_USAGE("link del fw0");
	EXPECT_USAGE("link del fw0:p0 extra");
	EXPECT_USAGE("link show dev");
	EXPECT_USAGE("link show bogus");
	EXPECT_USAGE("help extra");
	/* nothing was created while finding these */
	EXPECT_NE(0, stat(NO_ROOT, &st));
}

TEST(json_errors)
{
	char o[4096], e[4096];

	EXPECT_EQ(PCN_EXIT_USAGE, pcn("-j cube nosuch", o, e));
	EXPECT_STREQ("", e);
	EXPECT_STREQ("{\"error\":\"command \\\"nosuch\\\" is unknown, try \\\"pcn cube help\\\"\"}\n",
		     o);
}

TEST(help_and_version)
{
	char o[4096], e[4096];

	EXPECT_EQ(0, pcn("-V", o, e));
	EXPECT_EQ(0, strncmp(o, "pcn ", 4));
	EXPECT_EQ(0, pcn("help", o, e));
	EXPECT_NOT_NULL(strstr(o, "Usage: pcn"));
	EXPECT_EQ(0, pcn("cube help", o, e));
	EXPECT_NOT_NULL(strstr(o, "pcn cube add NAME type TYPE"));
	EXPECT_EQ(0, pcn("link help", o, e));
	EXPECT_NOT_NULL(strstr(o, "pcn link add CUBE[:PORT] dev IFNAME"));
	EXPECT_STREQ("", e);
	/* reading with no state at all: empty, not an error */
	EXPECT_EQ(0, pcn("cube show", o, e));
	EXPECT_STREQ("", o);
	EXPECT_EQ(0, pcn("-j cube show", o, e));
	EXPECT_STREQ("[]\n", o);
	EXPECT_EQ(0, pcn("-j link show", o, e));
	EXPECT_STREQ("[]\n", o);
	EXPECT_EQ(PCN_EXIT_KERNEL, pcn("cube show fw0", o, e));
	EXPECT_STREQ("Error: cube \"fw0\" does not exist\n", e);
	EXPECT_EQ(PCN_EXIT_KERNEL, pcn("-n pcn-no-such-netns cube show", o, e));
	EXPECT_TRUE(one_error_line(e));
}

TEST_HARNESS_MAIN
