/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Everything criu-lite reads from /proc is parsed here, and only here. */
#ifndef CRIU_LITE_PROC_H
#define CRIU_LITE_PROC_H

#include "common.h"

#include <sys/stat.h>

/* The fields of /proc/PID/task/TID/stat that a checkpoint needs. */
struct proc_stat {
	char state; /* R S D T t Z X ... */
	char comm[TASK_COMM_LEN];
	pid_t ppid, pgid, sid;
	unsigned int flags; /* PF_* */
	long nice;
	unsigned int rt_priority;
	unsigned int policy;
	unsigned int num_threads;
	int exit_code; /* wait status of a zombie */
	uint64_t start_code, end_code, start_stack;
	uint64_t start_data, end_data, start_brk, arg_start, arg_end, env_start, env_end;
};

#define PROC_MAX_GROUPS 256

/* The fields of /proc/PID/task/TID/status that a checkpoint needs. */
struct proc_status {
	uint32_t uid[4], gid[4]; /* real, effective, saved, filesystem */
	uint32_t ngroups;
	uint32_t groups[PROC_MAX_GROUPS];
	uint64_t sig_blocked, sig_pending, shared_pending;
	uint64_t cap_bnd;
	pid_t tracer;
	pid_t tgid; /* the process a thread belongs to */
};

/* Opens /proc once; all reads go relative to it. */
int proc_init(void);
/* Opens /proc again, after mounting one for a new pid namespace. */
int proc_reinit(void);
int proc_fd(void);

/* Returns 0, or -1 with errno (ENOENT once the task is gone). None of them logs. */
int proc_read_stat(pid_t pid, pid_t tid, struct proc_stat *st);
int proc_read_status(pid_t pid, pid_t tid, struct proc_status *st);
int proc_read_personality(pid_t pid, unsigned int *pers);
/* The thread ids of a process, leader first, the rest in ascending order. */
int proc_read_tids(pid_t pid, struct pidvec *tids);
/* Appends the first-level children of one thread (the kernel's children file). */
int proc_read_children(pid_t pid, pid_t tid, struct pidvec *children);
/* Whether this kernel has /proc/PID/task/TID/children. */
bool proc_has_children_file(void);
/* Whether a task that the v1 freezer shows as 'D' was stopped before it froze. */
bool proc_frozen_task_was_stopped(pid_t pid, pid_t tid);

/* The cgroup paths of a process: the v1 freezer hierarchy's and the v2 one's ("" if absent). */
int proc_read_cgroups(pid_t pid, char *freezer, size_t fsize, char *unified, size_t usize);

/* Where the v1 freezer hierarchy and the v2 hierarchy are mounted ("" if absent). */
int proc_cgroup_mounts(char *v1_freezer, size_t v1size, char *v2, size_t v2size);

/* One line of /proc/PID/maps. */
struct proc_vma {
	uint64_t start, end, pgoff;
	unsigned int dev_major, dev_minor;
	uint64_t ino;
	char perms[5]; /* rwxp or rwxs */
	char *name;    /* "" for anonymous memory, "[heap]", a path ... */
};

void proc_vmas_free(struct proc_vma *v, size_t n);
/* All VMAs of a process, in address order. */
int proc_read_maps(pid_t pid, struct proc_vma **out, size_t *nr);
/* The saved auxiliary vector, in u64 words. */
int proc_read_auxv(pid_t pid, uint64_t *auxv, size_t max, size_t *nr);
/* What /proc/PID/exe points at, and that file's stat. */
int proc_read_exe(pid_t pid, char *buf, size_t size, struct stat *st);
/* The stat of the very file behind a file VMA (through map_files). */
int proc_stat_map_file(pid_t pid, uint64_t start, uint64_t end, struct stat *st);
/* 1 or 0 whether the task is dumpable, -1 when it cannot tell (a root task). */
int proc_guess_dumpable(pid_t pid, uid_t euid);
/* Opens /proc/PID/NAME (pagemap, mem) for reading. */
int proc_open_task_file(pid_t pid, const char *name);

#endif
