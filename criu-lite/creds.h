/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A thread's credentials as creds_entry: ids and groups from /proc, capabilities from libcap. */
#ifndef CRIU_LITE_CREDS_H
#define CRIU_LITE_CREDS_H

#include "pstree.h"

#include "creds.pb-c.h"

/* Storage the entry points into; it must outlive the entry. */
struct creds_storage {
	uint32_t caps[4][2]; /* inheritable, permitted, effective, bounding; low word first */
};

int creds_fill(CredsEntry *ce, struct creds_storage *st, const struct thread *th);

/* Whether this process has a capability in its effective set; names it if not. */
bool creds_have_cap(int cap, const char *why);

#endif
