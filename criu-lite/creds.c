// SPDX-License-Identifier: GPL-2.0-or-later
#include "creds.h"

#include <sys/capability.h>

void creds_fill(CredsEntry *ce, const struct thread *th)
{
	const struct proc_status *s = &th->status;

	ce->uid = s->uid[0];
	ce->euid = s->uid[1];
	ce->suid = s->uid[2];
	ce->fsuid = s->uid[3];
	ce->gid = s->gid[0];
	ce->egid = s->gid[1];
	ce->sgid = s->gid[2];
	ce->fsgid = s->gid[3];
	ce->n_cap_inh = ce->n_cap_prm = ce->n_cap_eff = ce->n_cap_bnd = 2;
	ce->cap_inh = (uint32_t *)th->caps[0];
	ce->cap_prm = (uint32_t *)th->caps[1];
	ce->cap_eff = (uint32_t *)th->caps[2];
	ce->cap_bnd = (uint32_t *)th->caps[3];
	ce->secbits = 0; /* not exposed by /proc; needs code in the task */
	ce->n_groups = s->ngroups;
	ce->groups = (uint32_t *)s->groups;
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
