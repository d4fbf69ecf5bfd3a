/* SPDX-License-Identifier: GPL-2.0 */
/*
 * harness.h - a small, header-only, kselftest-style unit test harness
 * for pcn.  It prints TAP version 13.
 *
 * Usage (one .c file per test binary; everything here is static):
 *
 *	#include "harness.h"
 *
 *	TEST(addition)
 *	{
 *		ASSERT_EQ(4, 2 + 2);
 *		EXPECT_STREQ("ab", "a" "b");
 *	}
 *
 *	FIXTURE(sock) {
 *		int fd;
 *	};
 *
 *	FIXTURE_SETUP(sock)
 *	{
 *		self->fd = socket(AF_INET, SOCK_DGRAM, 0);
 *		if (self->fd < 0 && errno == EAFNOSUPPORT)
 *			SKIP(return, "no IPv4");
 *		ASSERT_GE(self->fd, 0);
 *	}
 *
 *	FIXTURE_TEARDOWN(sock)
 *	{
 *		if (self->fd > 0)
 *			close(self->fd);
 *	}
 *
 *	TEST_F(sock, bind_any)
 *	{
 *		...
 *	}
 *
 *	FIXTURE_VARIANT(sock) {
 *		int family;
 *	};
 *
 *	FIXTURE_VARIANT_ADD(sock, ipv4) { .family = AF_INET, };
 *	FIXTURE_VARIANT_ADD(sock, ipv6) { .family = AF_INET6, };
 *
 *	TEST_HARNESS_MAIN
 *
 * Tests run in definition order, each in its own forked child that is
 * the leader of a new process group.  A test that crashes, or that is
 * still running after TEST_TIMEOUT seconds (environment, default 30,
 * 0 disables the limit), fails; its whole process group is killed.
 * Processes a test leaves behind are killed when it ends.
 *
 * ASSERT_*() records a failure and ends the test at once (FIXTURE_TEARDOWN
 * still runs); EXPECT_*() records a failure and lets the test go on.
 * They need the `_metadata' variable every test, setup and teardown has:
 * a helper function that uses them must take
 * `struct __test_metadata *_metadata' as a parameter.
 *
 * The comparison macros take integers (any width or signedness, bool,
 * enum) or pointers, evaluate each argument once, and compare by value:
 * ASSERT_LT(-1, 1u) holds.  Floating point arguments are refused at
 * compile time.
 *
 * Variants, as the kernel's kselftest_harness.h has them: a fixture with
 * FIXTURE_VARIANT() and FIXTURE_VARIANT_ADD()s runs each of its TEST_Fs
 * once per variant, in the order the variants were added, named
 * "fixture.variant.name"; setup, test and teardown see `variant', a
 * pointer to the variant's fields.
 *
 * FIXTURE_SETUP and FIXTURE_TEARDOWN must both be defined for a fixture.
 * `self' starts zeroed.  The test body runs once setup returns, unless
 * setup called SKIP(); teardown runs whenever setup returned (also after
 * a SKIP() or a failed ASSERT in the body), not when setup itself was
 * ended by an ASSERT.  A TEST_F is named "fixture.name".
 *
 * Command line: -t NAME runs only the test called NAME (repeatable),
 * -l lists the tests, -h prints help.  Exit status: 0 when no test
 * failed, 1 when one did, 4 when every test was skipped.
 */
#ifndef PCN_SELFTEST_HARNESS_H
#define PCN_SELFTEST_HARNESS_H

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TH_DEFAULT_TIMEOUT	30

#define __TH_EXIT_PASS		0
#define __TH_EXIT_FAIL		1
#define __TH_EXIT_SKIP		4

/* Every helper is static; "unused" keeps -Wunused-function quiet. */
#define __TH_FN			static __attribute__((unused))
#define __TH_PRINTF(a, b)	__attribute__((format(printf, a, b)))

/* What a test child reports back; lives in memory shared with it. */
struct __th_result {
	int failed;
	int skipped;
	char reason[512];
};

struct __th_variant_meta {
	const char *name;
	const void *data;
	struct __th_variant_meta *next;
};

struct __th_fixture_meta {
	const char *name;
	struct __th_variant_meta *variants, *vtail;
};

struct __test_metadata {
	const char *name;
	void (*fn)(struct __test_metadata *_metadata);
	struct __test_metadata *next;
	struct __th_fixture_meta *fixture;	/* TEST_F: its fixture */
	const void *variant;			/* the variant it runs */
	int selected;
	/* The rest is only meaningful inside the test child. */
	int setup_done;
	struct __th_result *res;
	jmp_buf env;
};

/* ---- registration ---- */

static struct __test_metadata *__th_head, *__th_tail;
static int __th_probe_ran;

/*
 * This constructor comes before every test's in the translation unit.
 * If it has already run when a test registers, constructors run in
 * definition order and tests are appended; otherwise they run in reverse
 * and tests are prepended.  Either way the list is in definition order.
 */
static void __attribute__((constructor)) __th_ctor_probe(void)
{
	__th_probe_ran = 1;
}

__TH_FN void __th_register(struct __test_metadata *t)
{
	if (__th_probe_ran) {
		t->next = NULL;
		if (__th_tail)
			__th_tail->next = t;
		else
			__th_head = t;
		__th_tail = t;
	} else {
		t->next = __th_head;
		__th_head = t;
		if (!__th_tail)
			__th_tail = t;
	}
}

__TH_FN void __th_variant_add(struct __th_fixture_meta *f,
				struct __th_variant_meta *v)
{
	/* constructors may run in either order: keep definition order */
	if (__th_probe_ran) {
		v->next = NULL;
		if (f->vtail)
			f->vtail->next = v;
		else
			f->variants = v;
		f->vtail = v;
	} else {
		v->next = f->variants;
		f->variants = v;
		if (!f->vtail)
			f->vtail = v;
	}
}

#define __TH_REGISTER(id, str, func, fix)				\
	static struct __test_metadata __th_md_##id = {			\
		.name = str,						\
		.fn = func,						\
		.fixture = fix,						\
	};								\
	static void __attribute__((constructor)) __th_reg_##id(void)	\
	{								\
		__th_register(&__th_md_##id);				\
	}

#define TEST(name)							\
	static void __th_test_##name(struct __test_metadata *_metadata); \
	__TH_REGISTER(t_##name, #name, __th_test_##name, NULL)		\
	static void __th_test_##name(					\
		struct __test_metadata __attribute__((unused)) *_metadata)

#define FIXTURE_DATA(fixture)	struct __th_fixture_##fixture
#define FIXTURE_VARIANT(fixture) struct __th_variant_##fixture

#define FIXTURE(fixture)						\
	FIXTURE_VARIANT(fixture);					\
	static struct __th_fixture_meta __th_fm_##fixture = {		\
		.name = #fixture,					\
	};								\
	FIXTURE_DATA(fixture)

#define FIXTURE_VARIANT_ADD(fixture, vname)				\
	static const FIXTURE_VARIANT(fixture)				\
		__th_v_##fixture##__##vname;				\
	static struct __th_variant_meta __th_vm_##fixture##__##vname = { \
		.name = #vname,						\
		.data = &__th_v_##fixture##__##vname,			\
	};								\
	static void __attribute__((constructor))			\
	__th_vreg_##fixture##__##vname(void)				\
	{								\
		__th_variant_add(&__th_fm_##fixture,			\
				 &__th_vm_##fixture##__##vname);	\
	}								\
	static const FIXTURE_VARIANT(fixture)				\
		__th_v_##fixture##__##vname =

#define FIXTURE_SETUP(fixture)						\
	static void __th_setup_##fixture(				\
		struct __test_metadata __attribute__((unused)) *_metadata, \
		FIXTURE_DATA(fixture) __attribute__((unused)) *self,	\
		const FIXTURE_VARIANT(fixture)				\
			__attribute__((unused)) *variant)

#define FIXTURE_TEARDOWN(fixture)					\
	static void __th_teardown_##fixture(				\
		struct __test_metadata __attribute__((unused)) *_metadata, \
		FIXTURE_DATA(fixture) __attribute__((unused)) *self,	\
		const FIXTURE_VARIANT(fixture)				\
			__attribute__((unused)) *variant)

#define TEST_F(fixture, name)						\
	static void __th_test_##fixture##__##name(			\
		struct __test_metadata *_metadata,			\
		FIXTURE_DATA(fixture) *self,				\
		const FIXTURE_VARIANT(fixture) *variant);		\
	static void __th_wrap_##fixture##__##name(			\
		struct __test_metadata *_metadata)			\
	{								\
		const FIXTURE_VARIANT(fixture) *variant = _metadata->variant; \
		FIXTURE_DATA(fixture) self;				\
									\
		memset(&self, 0, sizeof(self));				\
		_metadata->setup_done = 0;				\
		if (!setjmp(_metadata->env)) {				\
			__th_setup_##fixture(_metadata, &self, variant); \
			_metadata->setup_done = 1;			\
			if (!_metadata->res->skipped)			\
				__th_test_##fixture##__##name(_metadata, \
							      &self,	\
							      variant);	\
		}							\
		if (_metadata->setup_done && !setjmp(_metadata->env))	\
			__th_teardown_##fixture(_metadata, &self, variant); \
	}								\
	__TH_REGISTER(f_##fixture##__##name, #name,			\
		      __th_wrap_##fixture##__##name, &__th_fm_##fixture) \
	static void __th_test_##fixture##__##name(			\
		struct __test_metadata __attribute__((unused)) *_metadata, \
		FIXTURE_DATA(fixture) __attribute__((unused)) *self,	\
		const FIXTURE_VARIANT(fixture)				\
			__attribute__((unused)) *variant)

/* ---- diagnostics, failure and skip ---- */

/* Print a message as "# " lines, one per line of the message. */
__TH_FN __TH_PRINTF(1, 0) void __th_vdiag(const char *fmt, va_list ap)
{
	char buf[4096];
	char *line, *nl;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	line = buf;
	do {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (nl && !nl[1])
			nl = NULL;	/* no empty line for a trailing \n */
		printf("# %s\n", line);
		line = nl + 1;
	} while (nl);
	fflush(stdout);
}

__TH_FN __TH_PRINTF(1, 2) void __th_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	__th_vdiag(fmt, ap);
	va_end(ap);
}

/* fmt must be a string literal, as for SKIP() */
#define TH_LOG(fmt, ...)	__th_diag("%s" fmt, "", ##__VA_ARGS__)

__TH_FN void __th_fail(struct __test_metadata *t, int is_assert)
{
	t->res->failed = 1;
	fflush(stdout);
	if (is_assert)
		longjmp(t->env, 1);
}

__TH_FN __TH_PRINTF(2, 3) void __th_skip(struct __test_metadata *t,
					 const char *fmt, ...)
{
	va_list ap;
	char *p;

	t->res->skipped = 1;
	va_start(ap, fmt);
	vsnprintf(t->res->reason, sizeof(t->res->reason), fmt, ap);
	va_end(ap);
	for (p = t->res->reason; *p; p++)	/* keep the TAP line whole */
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

/*
 * SKIP(statement, fmt, ...): mark the test skipped, then run statement.
 * fmt is a string literal ("%s" in front keeps an empty one legal).
 */
#define SKIP(statement, fmt, ...) do {					\
	__th_skip(_metadata, "%s" fmt, "", ##__VA_ARGS__);		\
	statement;							\
} while (0)

/* ---- comparisons ---- */

enum { __TH_EQ, __TH_NE, __TH_LT, __TH_LE, __TH_GT, __TH_GE };

/* Value kinds: how to compare and print the bits of a value. */
enum { __TH_UNSIGNED, __TH_SIGNED, __TH_POINTER };

#define __TH_CLASS(v)		__builtin_classify_type(v)
#define __TH_IS_PTR(v)		(__TH_CLASS(v) == 5)
/* integer, char, enum, bool or pointer, in GCC's and clang's numbering */
#define __TH_IS_SCALAR(v)	(__TH_CLASS(v) >= 1 && __TH_CLASS(v) <= 5)
/* the value's own type, or int for a pointer, so the casts below are legal */
#define __TH_ITYPE(v)							\
	__typeof__(__builtin_choose_expr(__TH_IS_PTR(v), 0, (v)))
#define __TH_KIND(v)							\
	(__TH_IS_PTR(v) ? __TH_POINTER :				\
	 ((__TH_ITYPE(v))-1 < (__TH_ITYPE(v))1) ? __TH_SIGNED : __TH_UNSIGNED)
#define __TH_BITS(v)							\
	__builtin_choose_expr(__TH_IS_PTR(v),				\
			      (unsigned long long)(uintptr_t)(v),	\
			      (unsigned long long)(v))

/* Compare two values by their mathematical value: -1, 0 or 1. */
__TH_FN int __th_cmp(unsigned long long a, int ka, unsigned long long b,
		     int kb)
{
	int na = ka == __TH_SIGNED && (long long)a < 0;
	int nb = kb == __TH_SIGNED && (long long)b < 0;

	if (na != nb)
		return na ? -1 : 1;
	/* same sign: two's complement order matches unsigned order */
	return a < b ? -1 : a > b;
}

__TH_FN int __th_cmp_ok(int op, int c)
{
	switch (op) {
	case __TH_EQ:
		return c == 0;
	case __TH_NE:
		return c != 0;
	case __TH_LT:
		return c < 0;
	case __TH_LE:
		return c <= 0;
	case __TH_GT:
		return c > 0;
	default:
		return c >= 0;
	}
}

__TH_FN void __th_print_val(unsigned long long v, int kind)
{
	if (kind == __TH_POINTER) {
		if (v)
			printf("%#llx", v);
		else
			printf("NULL");
	} else if (kind == __TH_SIGNED) {
		printf("%lld", (long long)v);
	} else {
		printf("%llu", v);
	}
}

/* Print a string quoted, with control characters escaped. */
__TH_FN void __th_print_str(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (!s) {
		printf("NULL");
		return;
	}
	putchar('"');
	for (; *p; p++) {
		switch (*p) {
		case '\n':
			printf("\\n");
			break;
		case '\t':
			printf("\\t");
			break;
		case '\r':
			printf("\\r");
			break;
		case '"':
		case '\\':
			printf("\\%c", *p);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				printf("\\x%02x", *p);
			else
				putchar(*p);
		}
	}
	putchar('"');
}

__TH_FN const char *__th_kind(int is_assert)
{
	return is_assert ? "ASSERT" : "EXPECT";
}

__TH_FN void __th_cmp_fail(struct __test_metadata *t, int is_assert,
			   const char *file, int line, const char *macro,
			   const char *op, const char *e_str,
			   const char *s_str, unsigned long long e, int ke,
			   unsigned long long s, int ks)
{
	printf("# %s:%d: expected ", file, line);
	__th_print_val(e, ke);
	printf(" %s seen ", op);
	__th_print_val(s, ks);
	printf(" (%s_%s(%s, %s))\n", __th_kind(is_assert), macro, e_str, s_str);
	__th_fail(t, is_assert);
}

#define __TH_CMP(is_assert, macro, op, opstr, expected, seen, e_str, s_str) \
do {									\
	__auto_type __th_e = (expected);				\
	__auto_type __th_s = (seen);					\
	_Static_assert(__TH_IS_SCALAR(__th_e) && __TH_IS_SCALAR(__th_s), \
		       "ASSERT/EXPECT compare integers or pointers");	\
	if (!__th_cmp_ok(op, __th_cmp(__TH_BITS(__th_e), __TH_KIND(__th_e), \
				      __TH_BITS(__th_s), __TH_KIND(__th_s)))) \
		__th_cmp_fail(_metadata, is_assert, __FILE__, __LINE__,	\
			      macro, opstr, e_str, s_str,		\
			      __TH_BITS(__th_e), __TH_KIND(__th_e),	\
			      __TH_BITS(__th_s), __TH_KIND(__th_s));	\
} while (0)

__TH_FN void __th_bool_fail(struct __test_metadata *t, int is_assert,
			    const char *file, int line, const char *macro,
			    const char *want, const char *x_str,
			    unsigned long long v, int kind)
{
	printf("# %s:%d: expected %s, seen ", file, line, want);
	__th_print_val(v, kind);
	printf(" (%s_%s(%s))\n", __th_kind(is_assert), macro, x_str);
	__th_fail(t, is_assert);
}

#define __TH_BOOL(is_assert, macro, want, x, x_str) do {		\
	__auto_type __th_v = (x);					\
	_Static_assert(__TH_IS_SCALAR(__th_v),				\
		       "ASSERT/EXPECT compare integers or pointers");	\
	if (!!__th_v != (want))						\
		__th_bool_fail(_metadata, is_assert, __FILE__, __LINE__, \
			       macro, (want) ? "true" : "false", x_str, \
			       __TH_BITS(__th_v), __TH_KIND(__th_v));	\
} while (0)

#define __TH_NULL(is_assert, macro, want_null, x, x_str) do {	\
	const void *__th_p = (x);					\
	if ((__th_p == NULL) != (want_null))				\
		__th_bool_fail(_metadata, is_assert, __FILE__, __LINE__, \
			       macro, (want_null) ? "NULL" : "non-NULL", \
			       x_str,					\
			       (unsigned long long)(uintptr_t)__th_p,	\
			       __TH_POINTER);				\
} while (0)

__TH_FN int __th_streq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

__TH_FN void __th_str_fail(struct __test_metadata *t, int is_assert,
			   const char *file, int line, int want_eq,
			   const char *e_str, const char *s_str,
			   const char *e, const char *s)
{
	printf("# %s:%d: expected ", file, line);
	__th_print_str(e);
	printf(" %s seen ", want_eq ? "==" : "!=");
	__th_print_str(s);
	printf(" (%s_%s(%s, %s))\n", __th_kind(is_assert),
	       want_eq ? "STREQ" : "STRNE", e_str, s_str);
	__th_fail(t, is_assert);
}

#define __TH_STR(is_assert, want_eq, expected, seen, e_str, s_str) \
do {									\
	const char *__th_e = (expected);				\
	const char *__th_s = (seen);					\
	if (__th_streq(__th_e, __th_s) != (want_eq))			\
		__th_str_fail(_metadata, is_assert, __FILE__, __LINE__,	\
			      want_eq, e_str, s_str, __th_e, __th_s);	\
} while (0)

#define ASSERT_EQ(expected, seen)					\
	__TH_CMP(1, "EQ", __TH_EQ, "==", expected, seen, #expected, #seen)
#define ASSERT_NE(expected, seen)					\
	__TH_CMP(1, "NE", __TH_NE, "!=", expected, seen, #expected, #seen)
#define ASSERT_LT(expected, seen)					\
	__TH_CMP(1, "LT", __TH_LT, "<", expected, seen, #expected, #seen)
#define ASSERT_LE(expected, seen)					\
	__TH_CMP(1, "LE", __TH_LE, "<=", expected, seen, #expected, #seen)
#define ASSERT_GT(expected, seen)					\
	__TH_CMP(1, "GT", __TH_GT, ">", expected, seen, #expected, #seen)
#define ASSERT_GE(expected, seen)					\
	__TH_CMP(1, "GE", __TH_GE, ">=", expected, seen, #expected, #seen)
#define ASSERT_TRUE(x)		__TH_BOOL(1, "TRUE", 1, x, #x)
#define ASSERT_FALSE(x)		__TH_BOOL(1, "FALSE", 0, x, #x)
#define ASSERT_NULL(x)		__TH_NULL(1, "NULL", 1, x, #x)
#define ASSERT_NOT_NULL(x)	__TH_NULL(1, "NOT_NULL", 0, x, #x)
#define ASSERT_STREQ(expected, seen)					\
	__TH_STR(1, 1, expected, seen, #expected, #seen)
#define ASSERT_STRNE(expected, seen)					\
	__TH_STR(1, 0, expected, seen, #expected, #seen)

#define EXPECT_EQ(expected, seen)					\
	__TH_CMP(0, "EQ", __TH_EQ, "==", expected, seen, #expected, #seen)
#define EXPECT_NE(expected, seen)					\
	__TH_CMP(0, "NE", __TH_NE, "!=", expected, seen, #expected, #seen)
#define EXPECT_LT(expected, seen)					\
	__TH_CMP(0, "LT", __TH_LT, "<", expected, seen, #expected, #seen)
#define EXPECT_LE(expected, seen)					\
	__TH_CMP(0, "LE", __TH_LE, "<=", expected, seen, #expected, #seen)
#define EXPECT_GT(expected, seen)					\
	__TH_CMP(0, "GT", __TH_GT, ">", expected, seen, #expected, #seen)
#define EXPECT_GE(expected, seen)					\
	__TH_CMP(0, "GE", __TH_GE, ">=", expected, seen, #expected, #seen)
#define EXPECT_TRUE(x)		__TH_BOOL(0, "TRUE", 1, x, #x)
#define EXPECT_FALSE(x)		__TH_BOOL(0, "FALSE", 0, x, #x)
#define EXPECT_NULL(x)		__TH_NULL(0, "NULL", 1, x, #x)
#define EXPECT_NOT_NULL(x)	__TH_NULL(0, "NOT_NULL", 0, x, #x)
#define EXPECT_STREQ(expected, seen)					\
	__TH_STR(0, 1, expected, seen, #expected, #seen)
#define EXPECT_STRNE(expected, seen)					\
	__TH_STR(0, 0, expected, seen, #expected, #seen)

/* ---- running ---- */

static volatile sig_atomic_t __th_child;	/* pid of the running test */
static const int __th_fwd_sigs[] = { SIGINT, SIGTERM, SIGHUP };
static struct sigaction __th_old_act[3];

/* The harness is being killed: take the running test down with it. */
__TH_FN void __th_on_signal(int sig)
{
	if (__th_child > 0) {
		kill(-(pid_t)__th_child, SIGKILL);
		waitpid(__th_child, NULL, 0);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

__TH_FN void __th_setup_signals(void)
{
	struct sigaction sa;
	unsigned int i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = __th_on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < 3; i++) {
		sigaction(__th_fwd_sigs[i], NULL, &__th_old_act[i]);
		/* like nohup: leave an ignored signal ignored */
		if (__th_old_act[i].sa_handler != SIG_IGN)
			sigaction(__th_fwd_sigs[i], &sa, NULL);
	}
}

__TH_FN void __th_run_child(struct __test_metadata *t,
			    const sigset_t *oldmask)
{
	unsigned int i;

	setpgid(0, 0);
	for (i = 0; i < 3; i++)
		sigaction(__th_fwd_sigs[i], &__th_old_act[i], NULL);
	sigprocmask(SIG_SETMASK, oldmask, NULL);

	if (!setjmp(t->env))
		t->fn(t);

	fflush(stdout);
	fflush(stderr);
	if (t->res->failed)
		_exit(__TH_EXIT_FAIL);
	_exit(t->res->skipped ? __TH_EXIT_SKIP : __TH_EXIT_PASS);
}

__TH_FN double __th_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Wait for the test child with SIGCHLD blocked; 0 when it ended,
 * 1 when it timed out (it is not reaped then), -1 on error.
 */
__TH_FN int __th_wait(pid_t pid, double timeout, int *status,
		      const sigset_t *chld)
{
	double end = __th_now() + timeout;
	struct timespec ts;
	double left;
	pid_t r;

	for (;;) {
		r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
		left = timeout > 0 ? end - __th_now() : 1;
		if (left <= 0)
			return 1;
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - ts.tv_sec) * 1e9);
		sigtimedwait(chld, NULL, &ts);
	}
}

enum { __TH_PASS, __TH_FAIL, __TH_SKIP };

__TH_FN int __th_run_one(struct __test_metadata *t, struct __th_result *res,
			 double timeout, const sigset_t *chld,
			 const sigset_t *oldmask)
{
	int status = 0, code, w;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	t->res = res;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		__th_diag("%s: fork: %s", t->name, strerror(errno));
		return __TH_FAIL;
	}
	if (pid == 0)
		__th_run_child(t, oldmask);

	setpgid(pid, pid);	/* also done by the child: no race */
	__th_child = pid;
	w = __th_wait(pid, timeout, &status, chld);
	if (w) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	/* leftovers of the test (its group outlives it) */
	if (kill(-pid, 0) == 0) {
		__th_diag("%s: killing processes left behind", t->name);
		kill(-pid, SIGKILL);
	}
	__th_child = 0;

	if (w > 0) {
		__th_diag("%s: timed out after %g s (TEST_TIMEOUT)", t->name,
			  timeout);
		return __TH_FAIL;
	}
	if (w < 0) {
		__th_diag("%s: waitpid: %s", t->name, strerror(errno));
		return __TH_FAIL;
	}
	if (WIFSIGNALED(status)) {
		__th_diag("%s: killed by signal %d (%s)%s", t->name,
			  WTERMSIG(status), strsignal(WTERMSIG(status)),
			  WCOREDUMP(status) ? ", core dumped" : "");
		return __TH_FAIL;
	}
	code = WEXITSTATUS(status);
	if (code != __TH_EXIT_PASS && code != __TH_EXIT_SKIP &&
	    !(code == __TH_EXIT_FAIL && res->failed))
		__th_diag("%s: exited with status %d", t->name, code);
	if (res->failed || (code != __TH_EXIT_PASS && code != __TH_EXIT_SKIP))
		return __TH_FAIL;
	if (res->skipped || code == __TH_EXIT_SKIP)
		return __TH_SKIP;
	return __TH_PASS;
}

__TH_FN void __th_usage(FILE *f, const char *prog)
{
	fprintf(f,
		"Usage: %s [-t NAME]... [-l] [-h]\n"
		"  -t NAME  run only the test NAME (TEST_F: \"fixture.name\")\n"
		"  -l       list the tests\n"
		"  -h       show this help\n"
		"Environment: TEST_TIMEOUT=SECONDS per test\n"
		"             (default %d, 0: no limit)\n",
		prog, TH_DEFAULT_TIMEOUT);
}

/*
 * The TEST_Fs as they run: "fixture.name", or one "fixture.variant.name"
 * per variant of their fixture, in place of the one registered.
 */
__TH_FN void __th_expand(void)
{
	struct __test_metadata *t, *prev = NULL, *c, *last;
	struct __th_variant_meta *v;
	char *name;
	size_t len;

	for (t = __th_head; t; prev = t, t = t->next) {
		if (!t->fixture)
			continue;
		if (!t->fixture->variants) {
			len = strlen(t->fixture->name) + strlen(t->name) + 2;
			name = malloc(len);
			if (!name)
				abort();
			snprintf(name, len, "%s.%s", t->fixture->name, t->name);
			t->name = name;
			continue;
		}
		last = prev;
		for (v = t->fixture->variants; v; v = v->next) {
			c = malloc(sizeof(*c));
			len = strlen(t->fixture->name) + strlen(v->name) +
			      strlen(t->name) + 3;
			name = malloc(len);
			if (!c || !name)
				abort();
			*c = *t;
			snprintf(name, len, "%s.%s.%s", t->fixture->name,
				 v->name, t->name);
			c->name = name;
			c->variant = v->data;
			if (last)
				last->next = c;
			else
				__th_head = c;
			last = c;
		}
		last->next = t->next;
		t = last;
	}
}

__TH_FN int __th_main(int argc, char **argv)
{
	int pass = 0, fail = 0, skip = 0, total = 0, filter = 0, n = 0;
	double timeout = TH_DEFAULT_TIMEOUT;
	struct __test_metadata *t;
	struct __th_result *res;
	sigset_t chld, oldmask;
	const char *env;
	char *end;
	int opt, r, found;

	__th_expand();
	for (t = __th_head; t; t = t->next)
		t->selected = 1;

	while ((opt = getopt(argc, argv, "t:lh")) != -1) {
		switch (opt) {
		case 't':
			if (!filter)
				for (t = __th_head; t; t = t->next)
					t->selected = 0;
			filter = 1;
			found = 0;
			for (t = __th_head; t; t = t->next) {
				if (!strcmp(t->name, optarg)) {
					t->selected = 1;
					found = 1;
				}
			}
			if (!found) {
				fprintf(stderr, "Error: no test named '%s'\n",
					optarg);
				return __TH_EXIT_FAIL;
			}
			break;
		case 'l':
			for (t = __th_head; t; t = t->next)
				printf("%s\n", t->name);
			return __TH_EXIT_PASS;
		case 'h':
			__th_usage(stdout, argv[0]);
			return __TH_EXIT_PASS;
		default:
			__th_usage(stderr, argv[0]);
			return __TH_EXIT_FAIL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "Error: unexpected argument '%s'\n",
			argv[optind]);
		return __TH_EXIT_FAIL;
	}

	env = getenv("TEST_TIMEOUT");
	if (env && *env) {
		timeout = strtod(env, &end);
		if (*end || timeout < 0 || timeout != timeout) {
			fprintf(stderr, "Error: bad TEST_TIMEOUT '%s'\n", env);
			return __TH_EXIT_FAIL;
		}
	}

	res = mmap(NULL, sizeof(*res), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED) {
		fprintf(stderr, "Error: mmap: %s\n", strerror(errno));
		return __TH_EXIT_FAIL;
	}

	setvbuf(stdout, NULL, _IOLBF, 0);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &oldmask);
	__th_setup_signals();

	for (t = __th_head; t; t = t->next)
		total += t->selected;
	printf("TAP version 13\n");
	printf("1..%d\n", total);

	for (t = __th_head; t; t = t->next) {
		if (!t->selected)
			continue;
		n++;
		r = __th_run_one(t, res, timeout, &chld, &oldmask);
		switch (r) {
		case __TH_PASS:
			pass++;
			printf("ok %d - %s\n", n, t->name);
			break;
		case __TH_SKIP:
			skip++;
			printf("ok %d - %s # SKIP%s%s\n", n, t->name,
			       res->reason[0] ? " " : "", res->reason);
			break;
		default:
			fail++;
			printf("not ok %d - %s\n", n, t->name);
		}
		fflush(stdout);
	}

	printf("# Totals: pass:%d fail:%d skip:%d\n", pass, fail, skip);
	fflush(stdout);
	munmap(res, sizeof(*res));
	if (fail)
		return __TH_EXIT_FAIL;
	if (skip && !pass)
		return __TH_EXIT_SKIP;
	return __TH_EXIT_PASS;
}

#define TEST_HARNESS_MAIN						\
	int main(int argc, char **argv)					\
	{								\
		return __th_main(argc, argv);				\
	}

#endif /* PCN_SELFTEST_HARNESS_H */
