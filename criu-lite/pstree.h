/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The process tree: walked live from /proc, or read back from images. */
#ifndef CRIU_LITE_PSTREE_H
#define CRIU_LITE_PSTREE_H

#include "common.h"
#include "pidmap.h"
#include "proc.h"

#include <sys/resource.h>

/* Values of task_core_entry.task_state. */
enum task_state {
	TASK_ALIVE = 1,
	TASK_DEAD = 2, /* a zombie */
	TASK_STOPPED = 3,
};

struct thread {
	pid_t tid;
	struct proc_stat stat;
	struct proc_status status;
	uint64_t robust_head; /* robust futex list */
	uint32_t robust_len;
	uint32_t caps[4][2]; /* inheritable, permitted, effective, bounding; low word first */
};

#define NR_RLIMITS 16

/* Small integers naming the kernel objects a process shares (kcmp decides). */
struct task_ids {
	uint32_t vm, files, fs, sighand;
};

struct task {
	pid_t pid, ppid, pgid, sid; /* ppid is 0 for the root */
	int parent;                 /* index in pstree.tasks; -1 for the root */
	enum task_state state;
	int exit_code; /* wait status, for zombies */
	unsigned int personality;
	char comm[TASK_COMM_LEN];
	size_t nr_threads;
	struct thread *threads; /* threads[0] is the leader */
	struct task_ids ids;
	struct rlimit rlimits[NR_RLIMITS];
};

struct pstree {
	struct task *tasks; /* pre-order: every parent before its children */
	size_t nr, cap;
	struct pidmap index; /* pid -> position in tasks */
	size_t nr_threads;   /* over all tasks */
};

/* Which walker builds the tree. */
enum walker {
	WALKER_AUTO,
	WALKER_CHILDREN, /* /proc/PID/task/TID/children, recursively */
	WALKER_SCAN,     /* every /proc/PID/task/TID/stat of the host */
};

int walker_parse(const char *s, enum walker *w);

struct freezer;

/* Builds the shape (pids, parents, tids) of the tree rooted at root. */
int pstree_walk(struct pstree *tree, pid_t root, enum walker walker);
/* Reads what /proc says of every thread: stat, and with full also status, personality,
 * limits, robust list and capabilities. A freezer, when given, tells the real state of the
 * tasks it froze. */
int pstree_collect(struct pstree *tree, const struct freezer *fz, bool full);
struct task *pstree_find(const struct pstree *tree, pid_t pid);
void pstree_free(struct pstree *tree);

/* The walker for kernels without the children file (walk-scan.c). */
int pstree_walk_scan(struct pstree *tree, pid_t root);

/* Appends a task (used by the walkers and the image reader). */
struct task *pstree_add(struct pstree *tree, pid_t pid, int parent);
void pstree_set_threads(struct pstree *tree, struct task *t, const pid_t *tids, size_t n);

const char *task_state_name(enum task_state state);

#endif
