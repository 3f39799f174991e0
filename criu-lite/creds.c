// SPDX-License-Identifier: GPL-2.0-or-later
#include "creds.h"

#include <sys/capability.h>

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

int creds_fill(CredsEntry *ce, struct creds_storage *st, const struct thread *th)
{
	const struct proc_status *s = &th->status;
	cap_t caps = cap_get_pid(th->tid);

	if (!caps) {
		pr_perror("cannot read the capabilities of task %d", th->tid);
		return -1;
	}
	cap_set_words(caps, CAP_INHERITABLE, st->caps[0]);
	cap_set_words(caps, CAP_PERMITTED, st->caps[1]);
	cap_set_words(caps, CAP_EFFECTIVE, st->caps[2]);
	cap_free(caps);
	/* libcap reads the bounding set of the caller only: /proc has the task's. */
	st->caps[3][0] = (uint32_t)s->cap_bnd;
	st->caps[3][1] = (uint32_t)(s->cap_bnd >> 32);

	ce->uid = s->uid[0];
	ce->euid = s->uid[1];
	ce->suid = s->uid[2];
	ce->fsuid = s->uid[3];
	ce->gid = s->gid[0];
	ce->egid = s->gid[1];
	ce->sgid = s->gid[2];
	ce->fsgid = s->gid[3];
	ce->n_cap_inh = ce->n_cap_prm = ce->n_cap_eff = ce->n_cap_bnd = 2;
	ce->cap_inh = st->caps[0];
	ce->cap_prm = st->caps[1];
	ce->cap_eff = st->caps[2];
	ce->cap_bnd = st->caps[3];
	ce->secbits = 0; /* not exposed by /proc; needs code in the task */
	ce->n_groups = s->ngroups;
	ce->groups = (uint32_t *)s->groups;
	return 0;
}

bool creds_have_cap(int cap, const char *why)
{
	cap_t caps = cap_get_proc();
	cap_flag_value_t v = CAP_CLEAR;
	char *name;

	if (caps) {
		cap_get_flag(caps, cap, CAP_EFFECTIVE, &v);
		cap_free(caps);
	}
	if (v == CAP_SET)
		return true;
	name = cap_to_name(cap);
	pr_err("%s needs %s, which this process lacks (run as root)", why, name ? name : "?");
	cap_free(name);
	return false;
}
