// SPDX-License-Identifier: GPL-2.0-or-later
/* Builds one core_entry per thread: the process part (task_core_entry) for leaders, the thread
 * part (thread_core_entry) for every live thread. */
#include "core.h"
#include "creds.h"
#include "image.h"


#include "core.pb-c.h"
#include "rlimit.pb-c.h"

struct rlimits_storage {
	RlimitEntry entries[NR_RLIMITS];
	RlimitEntry *ptrs[NR_RLIMITS];
	TaskRlimitsEntry msg;
};

static void fill_rlimits(struct rlimits_storage *rs, const struct task *t)
{
	int i;

	task_rlimits_entry__init(&rs->msg);
	for (i = 0; i < NR_RLIMITS; i++) {
		rlimit_entry__init(&rs->entries[i]);
		/* RLIM64_INFINITY is all ones, as CRIU has it */
		rs->entries[i].cur = t->rlimits[i].rlim_cur;
		rs->entries[i].max = t->rlimits[i].rlim_max;
		rs->ptrs[i] = &rs->entries[i];
	}
	rs->msg.n_rlimits = NR_RLIMITS;
	rs->msg.rlimits = rs->ptrs;
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

static void fill_thread_core(ThreadCoreEntry *tcore, CredsEntry *ce, const struct thread *th)
{
	tcore->futex_rla = th->robust_head;
	tcore->futex_rla_len = th->robust_len;
	tcore->has_sched_nice = tcore->has_sched_policy = tcore->has_sched_prio = true;
	tcore->sched_nice = (int32_t)th->stat.nice;
	tcore->sched_policy = th->stat.policy;
	tcore->sched_prio = th->stat.rt_priority;
	tcore->has_blk_sigset = true;
	tcore->blk_sigset = th->status.sig_blocked;
	tcore->comm = (char *)th->stat.comm;
	creds_fill(ce, th);
	tcore->creds = ce;
}

static int write_thread(int dirfd, const struct task *t, size_t idx, struct rlimits_storage *rs)
{
	const struct thread *th = &t->threads[idx];
	CoreEntry core = CORE_ENTRY__INIT;
	TaskCoreEntry tc = TASK_CORE_ENTRY__INIT;
	ThreadCoreEntry tcore = THREAD_CORE_ENTRY__INIT;
	CredsEntry ce = CREDS_ENTRY__INIT;
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
		fill_thread_core(&tcore, &ce, th);
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

		if (t->state != TASK_DEAD)
			fill_rlimits(&rs, t);
		for (j = 0; j < t->nr_threads; j++)
			if (write_thread(dirfd, t, j, &rs) < 0)
				return -1;
	}
	return 0;
}
