/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Stopping a tree so its walk is exact: cgroup v2 freeze, cgroup v1 freezer (the tree's own
 * cgroup or a temporary one), or ptrace when no cgroup can be used. */
#ifndef CRIU_LITE_FREEZER_H
#define CRIU_LITE_FREEZER_H

#include "common.h"

#include <limits.h>
#include "pidmap.h"
#include "watchdog.h"

struct pstree;

enum freezer_kind {
	FREEZER_AUTO,
	FREEZER_V1,
	FREEZER_V2,
	FREEZER_PTRACE,
};

/* A process moved into the temporary v1 cgroup, and where it came from. */
struct moved_task {
	pid_t pid;
	char *origin; /* path below the v1 freezer mount */
};

struct freezer {
	enum freezer_kind kind;
	char cgroup[PATH_MAX]; /* the cgroup frozen, absolute */
	int cgfd;              /* its directory */
	uint64_t frozen_at;    /* when the tree stopped running, for the log */
	bool temporary;        /* created by us in the v1 hierarchy */
	char temp_rel[64];     /* its path below the v1 mount */
	bool was_frozen;       /* frozen by someone else before: left frozen */
	bool frozen;           /* frozen by us */
	struct moved_task *moved;
	size_t nr_moved;
	struct pidmap adopted; /* v1 temp: pid -> index in moved; ptrace: tid -> 1 if stopped */
	struct pidvec seized;  /* ptrace: tids to detach */
	int timeout_ms;
	struct watchdog *wd; /* told every step, so it can undo them if we die; may be NULL */
};

#define FREEZER_INIT {.cgfd = -1}

const char *freezer_kind_name(enum freezer_kind kind);
int freezer_kind_parse(const char *s, enum freezer_kind *kind);

/* Chooses how to freeze the tree (walked unfrozen so far). cgroup may name one to freeze. */
int freezer_setup(struct freezer *fz, enum freezer_kind want, const char *cgroup,
		  const struct pstree *tree);
/* Brings every task of tree under the freezer; counts those that were not yet. */
int freezer_adopt(struct freezer *fz, const struct pstree *tree, size_t *added);
int freezer_freeze(struct freezer *fz);
/* Undoes everything: thaws (unless leave_stopped), detaches, moves tasks back, removes the
 * temporary cgroup. Safe to call on any path, more than once. */
int freezer_release(struct freezer *fz, bool leave_stopped);
/* The state /proc would show if the freezer were not there. */
char freezer_real_state(const struct freezer *fz, pid_t pid, pid_t tid, char shown);

#endif
