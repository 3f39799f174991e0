// SPDX-License-Identifier: GPL-2.0-or-later
#include "common.h"
#include "signals.h"

#include <signal.h>

static const int held_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE};

void signals_hold(void)
{
	sigset_t set;
	size_t i;

	sigemptyset(&set);
	for (i = 0; i < ARRAY_SIZE(held_signals); i++)
		sigaddset(&set, held_signals[i]);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

int signals_check(void)
{
	static bool reported;
	sigset_t pending;
	size_t i;

	sigpending(&pending);
	for (i = 0; i < ARRAY_SIZE(held_signals); i++) {
		if (held_signals[i] != SIGPIPE && sigismember(&pending, held_signals[i])) {
			if (!reported)
				pr_err("interrupted by signal %s; the tree was left as it was",
				       strsignal(held_signals[i]));
			reported = true;
			return -1;
		}
	}
	return 0;
}
