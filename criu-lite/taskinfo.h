/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a stopped task tells through syscalls rather than /proc: limits, robust futex list,
 * capabilities. Read during the collect, while the tree is frozen, like everything else. */
#ifndef CRIU_LITE_TASKINFO_H
#define CRIU_LITE_TASKINFO_H

#include "pstree.h"

int taskinfo_read_process(struct task *t);
int taskinfo_read_thread(struct thread *th);

#endif
