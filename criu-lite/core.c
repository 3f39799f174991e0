// SPDX-License-Identifier: GPL-2.0-or-later
/* Builds one core_entry per thread: the process part (task_core_entry) for leaders, the thread
 * part (thread_core_entry) for every live thread. */
#include "core.h"
#include "creds.h"
#include "image.h"

#include <sys/resource.h>
#include <sys/syscall.h>

#include "core.pb-c.h"
#include "rlimit.pb-c.h"

#define NR_RLIMITS 16

struct rlimits_storage {
	RlimitEntry entries[NR_RLIMITS];
	RlimitEntry *ptrs[NR_RLIMITS];
	TaskRlimitsEntry msg;
};

static int fill_rlimits(struct rlimits_storage *rs, pid_t pid)
{
	int i;

	task_rlimits_entry__init(&rs->msg);
	for (i = 0; i < NR_RLIMITS; i++) {
		struct rlimit64 rl;

		if (prlimit64(pid, i, NULL, &rl) < 0) {
			pr_perror("cannot read the limits of %d", pid);
			return -1;
		}
		rlimit_entry__init(&rs->entries[i]);
		rs->entries[i].cur = rl.rlim_cur; /* RLIM64_INFINITY is all ones, as CRIU has it */
		rs->entries[i].max = rl.rlim_max;
		rs->ptrs[i] = &rs->entries[i];
	}
	rs->msg.n_rlimits = NR_RLIMITS;
	rs->msg.rlimits = rs->ptrs;
	return 0;
}

static void fill_task_core(TaskCoreEntry *tc, const struct task *t)
{
	const struct thread *lead = &t->threads[0];

	tc->task_state = t->state;
	tc->exit_code = (uint32_t)t->exit_code;
	tc->personality = t->personality;
	tc->flags = lead->stat.flags;
	tc->blk_sigset = lead->status.sig_blocked;
	tc->comm = (char *)t->comm;
}

static int fill_thread_core(ThreadCoreEntry *tcore, struct creds_storage *cs, CredsEntry *ce,
			    const struct thread *th)
{
	struct robust_list_head *head = NULL;
	size_t len = 0;

	/* The robust futex list is readable from outside with ptrace rights. */
	if (syscall(SYS_get_robust_list, th->tid, &head, &len) < 0) {
		pr_perror("cannot read the robust list of task %d", th->tid);
		return -1;
	}
	tcore->futex_rla = (uint64_t)(uintptr_t)head;
	tcore->futex_rla_len = (uint32_t)len;
	tcore->has_sched_nice = tcore->has_sched_policy = tcore->has_sched_prio = true;
	tcore->sched_nice = (int32_t)th->stat.nice;
	tcore->sched_policy = th->stat.policy;
	tcore->sched_prio = th->stat.rt_priority;
	tcore->has_blk_sigset = true;
	tcore->blk_sigset = th->status.sig_blocked;
	tcore->comm = (char *)th->stat.comm;
	if (creds_fill(ce, cs, th) < 0)
		return -1;
	tcore->creds = ce;
	return 0;
}

static int write_thread(int dirfd, const struct task *t, size_t idx, struct rlimits_storage *rs)
{
	const struct thread *th = &t->threads[idx];
	CoreEntry core = CORE_ENTRY__INIT;
	TaskCoreEntry tc = TASK_CORE_ENTRY__INIT;
	ThreadCoreEntry tcore = THREAD_CORE_ENTRY__INIT;
	CredsEntry ce = CREDS_ENTRY__INIT;
	struct creds_storage cs;
	struct img *img;

	core.mtype = CORE_ENTRY__MARCH__X86_64;
	if (idx == 0) {
		fill_task_core(&tc, t);
		if (t->state != TASK_DEAD)
			tc.rlimits = &rs->msg;
		core.tc = &tc;
	}
	/* A zombie keeps only its task part: its threads and credentials are gone. */
	if (t->state != TASK_DEAD) {
		if (fill_thread_core(&tcore, &cs, &ce, th) < 0)
			return -1;
		core.thread_core = &tcore;
	}
	img = img_create(dirfd, IMG_CORE, th->tid);
	if (!img)
		return -1;
	img_write(img, &core.base);
	return img_close(img);
}

int core_write_images(int dirfd, const struct pstree *tree)
{
	struct rlimits_storage rs;
	size_t i, j;

	for (i = 0; i < tree->nr; i++) {
		const struct task *t = &tree->tasks[i];

		if (t->state != TASK_DEAD && fill_rlimits(&rs, t->pid) < 0)
			return -1;
		for (j = 0; j < t->nr_threads; j++)
			if (write_thread(dirfd, t, j, &rs) < 0)
				return -1;
	}
	return 0;
}
