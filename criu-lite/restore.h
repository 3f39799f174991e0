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

/* The same in a new pid namespace, inside which every task has its original id: its init
 * (criu-lite's, pid 1 there) is the caller's child and the root's parent, reaps what is
 * reparented to it and exits with the root's status once the root exits, which ends the
 * namespace. The init and the tree share a new mount namespace with the new namespace's /proc.
 * Returns 0 once the tree is complete, *init being the init's pid as the caller sees it; -1
 * (logged) if it could not be done, nothing left behind. A tree needing pid 1 or whose root
 * is a zombie is refused. */
int restore_tree_pidns(const struct pstree *tree, pid_t *init);

/* Checks, creating nothing, whether restore_tree() (or with pidns restore_tree_pidns()) would
 * succeed here: the tree's shape, ids taken, ids above pid_max, kernel features, privileges.
 * Prints "would succeed" or "would fail: REASON; REASON..." on stdout and returns 0 or 1
 * (-1: could not check). */
int restore_dry_run(const struct pstree *tree, bool pidns);

#endif
