// SPDX-License-Identifier: GPL-2.0-or-later
#include "taskinfo.h"

#include <sys/capability.h>
#include <sys/resource.h>
#include <sys/syscall.h>

int taskinfo_read_process(struct task *t)
{
	int i;

	for (i = 0; i < NR_RLIMITS; i++) {
		if (prlimit(t->pid, i, NULL, &t->rlimits[i]) < 0) {
			pr_perror("cannot read the limits of %d", t->pid);
			return -1;
		}
	}
	return 0;
}

/* libcap answers per capability; the image wants each set as two 32-bit words. */
static void cap_set_words(cap_t caps, cap_flag_t flag, uint32_t out[2])
{
	int nr = cap_max_bits(), cap;

	out[0] = out[1] = 0;
	for (cap = 0; cap < nr && cap < 64; cap++) {
		cap_flag_value_t v = CAP_CLEAR;

		if (cap_get_flag(caps, cap, flag, &v) == 0 && v == CAP_SET)
			out[cap / 32] |= 1u << (cap % 32);
	}
}

int taskinfo_read_thread(struct thread *th)
{
	struct robust_list_head *head = NULL;
	size_t len = 0;
	cap_t caps;

	/* The robust futex list is readable from outside with ptrace rights. */
	if (syscall(SYS_get_robust_list, th->tid, &head, &len) < 0) {
		pr_perror("cannot read the robust list of task %d", th->tid);
		return -1;
	}
	th->robust_head = (uint64_t)(uintptr_t)head;
	th->robust_len = (uint32_t)len;
	caps = cap_get_pid(th->tid);
	if (!caps) {
		pr_perror("cannot read the capabilities of task %d", th->tid);
		return -1;
	}
	cap_set_words(caps, CAP_INHERITABLE, th->caps[0]);
	cap_set_words(caps, CAP_PERMITTED, th->caps[1]);
	cap_set_words(caps, CAP_EFFECTIVE, th->caps[2]);
	cap_free(caps);
	/* libcap reads the bounding set of the caller only: /proc has the task's. */
	th->caps[3][0] = (uint32_t)th->status.cap_bnd;
	th->caps[3][1] = (uint32_t)(th->status.cap_bnd >> 32);
	return 0;
}
