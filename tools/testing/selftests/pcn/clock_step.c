// SPDX-License-Identifier: GPL-2.0
/*
 * clock_step.so: a wall clock that a test can step, for one process,
 * without stepping the machine's (which every other process, test and
 * engineer on it shares; a time namespace offsets only CLOCK_MONOTONIC
 * and CLOCK_BOOTTIME, not CLOCK_REALTIME).
 *
 * Preloaded (LD_PRELOAD) into a command, it adds to each CLOCK_REALTIME
 * that clock_gettime() returns the step, in ns, written in the file
 * $PCN_TEST_CLOCK_STEP (0 when it cannot be read), as if the clock had
 * been set by that much; and appends the step it used to
 * $PCN_TEST_CLOCK_STEP.log, a line per read, so that the test can wait
 * until the command has seen a step.
 *
 *	cc -shared -fPIC -o clock_step.so clock_step.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef int (*clock_gettime_fn)(clockid_t, struct timespec *);

static long long step_ns(const char *path)
{
	long long step = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return 0;
	if (fscanf(f, "%lld", &step) != 1)
		step = 0;
	fclose(f);
	return step;
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
	static clock_gettime_fn real;
	const char *path = getenv("PCN_TEST_CLOCK_STEP");
	char log[4096];
	long long ns, step;
	FILE *f;
	int ret;

	if (!real)
		real = (clock_gettime_fn)dlsym(RTLD_NEXT, "clock_gettime");
	ret = real(id, ts);
	if (ret || id != CLOCK_REALTIME || !path)
		return ret;
	step = step_ns(path);
	ns = ts->tv_sec * 1000000000LL + ts->tv_nsec + step;
	ts->tv_sec = ns / 1000000000LL;
	ts->tv_nsec = ns % 1000000000LL;
	snprintf(log, sizeof(log), "%s.log", path);
	f = fopen(log, "ae");
	if (f) {
		fprintf(f, "%lld\n", step);
		fclose(f);
	}
	return 0;
}
