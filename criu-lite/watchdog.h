/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A child that undoes a dump's steps if criu-lite dies without doing so (SIGKILL). */
#ifndef CRIU_LITE_WATCHDOG_H
#define CRIU_LITE_WATCHDOG_H

#include "common.h"

struct watchdog {
	int fd; /* the pipe's write end; -1 when there is no watchdog */
	pid_t pid;
};

#define WATCHDOG_INIT {.fd = -1}

int watchdog_start(struct watchdog *wd);
/* Tells the watchdog one step, as one line (see watchdog.c). wd may be NULL. */
void watchdog_send(struct watchdog *wd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Everything is undone or complete: the watchdog exits without acting. */
void watchdog_finish(struct watchdog *wd);

#endif
