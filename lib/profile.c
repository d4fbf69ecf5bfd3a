// SPDX-License-Identifier: GPL-2.0
/*
 * Control-plane profile: steps and their times (see profile.h). A
 * fixed table: a command takes a few dozen steps; past the table's end
 * the rest are added to the last entry, named "(more)".
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "profile.h"

#define PROF_MAX 64

static struct {
	const char *step;
	__u64 ns;
} steps[PROF_MAX];
static int nsteps;
static __u64 last;
static bool on;

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

void pcn_prof_start(void)
{
	const char *v = getenv("PCN_PROFILE");

	on = v && *v && strcmp(v, "0");
	nsteps = 0;
	last = on ? now_ns() : 0;
}

bool pcn_prof_on(void)
{
	return on;
}

void pcn_prof_step(const char *step)
{
	__u64 t;

	if (!on)
		return;
	t = now_ns();
	if (nsteps == PROF_MAX) {
		steps[PROF_MAX - 1].step = "(more)";
		steps[PROF_MAX - 1].ns += t - last;
	} else {
		steps[nsteps].step = step;
		steps[nsteps++].ns = t - last;
	}
	last = t;
}

void pcn_prof_each(void (*fn)(const char *step, __u64 ns, void *arg),
		   void *arg)
{
	int i;

	for (i = 0; i < nsteps; i++)
		fn(steps[i].step, steps[i].ns, arg);
}
