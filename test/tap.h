/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A tiny TAP producer for C unit tests.
 *
 *	plan(3);
 *	ok(x == 1, "x is %d", 1);
 *	diag("got %d", x);
 *	return done_testing();
 *
 * Without plan(), done_testing() prints the plan at the end. The exit code is 0 only when every
 * test passed and as many ran as were planned.
 */
#ifndef CRIU_LITE_TEST_TAP_H
#define CRIU_LITE_TEST_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static int tap_planned = -1;
static int tap_run;
static int tap_failed;

static inline void plan(int n)
{
	tap_planned = n;
	printf("1..%d\n", n);
	fflush(stdout);
}

/* A comment line, for details on a failure. */
static inline __attribute__((format(printf, 1, 2))) void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static inline __attribute__((format(printf, 4, 5))) bool tap_ok(bool cond, const char *file,
								int line, const char *fmt, ...)
{
	va_list ap;

	tap_run++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_run);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!cond)
		printf("#   failed at %s:%d\n", file, line);
	/* Flushed line by line: a crash must not eat the results before it. */
	fflush(stdout);
	return cond;
}

/* Evaluates to cond, so a test can stop early when what follows depends on it. */
#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

/* Prints the plan if none was given; returns the exit code for main(). */
static inline int done_testing(void)
{
	if (tap_planned < 0) {
		printf("1..%d\n", tap_run);
		tap_planned = tap_run;
	}
	if (tap_run != tap_planned)
		diag("planned %d tests but ran %d", tap_planned, tap_run);
	if (tap_failed)
		diag("failed %d of %d tests", tap_failed, tap_run);
	fflush(stdout);
	return tap_failed || tap_run != tap_planned ? 1 : 0;
}

#endif
