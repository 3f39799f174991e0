/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Termination signals are held back while criu-lite holds a tree, and checked between steps,
 * so that a signal makes it undo its work instead of dying halfway. */
#ifndef CRIU_LITE_SIGNALS_H
#define CRIU_LITE_SIGNALS_H

void signals_hold(void);
/* -1 (with one error line) if a held termination signal is pending. */
int signals_check(void);

#endif
