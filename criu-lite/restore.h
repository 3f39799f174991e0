/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Restoring the shape of a tree: pids, tids, parents, sessions, groups, comms, final states. */
#ifndef CRIU_LITE_RESTORE_H
#define CRIU_LITE_RESTORE_H

#include "pstree.h"

/* Recreates every process and thread of tree with its original id, below the caller (the root
 * is the caller's child). Returns 0 once the whole tree exists and every zombie and stopped
 * task is in its final state; *root is then the root's pid. On failure everything created so
 * far is killed and reaped, the reason is logged (naming the pid), and -1 is returned.
 * The caller must have called proc_init(). */
int restore_tree(const struct pstree *tree, pid_t *root);

#endif
