/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A thread's credentials as creds_entry (collected by pstree_collect), and our own privileges. */
#ifndef CRIU_LITE_CREDS_H
#define CRIU_LITE_CREDS_H

#include "pstree.h"

#include "creds.pb-c.h"

/* The entry points into th, which must outlive it. */
void creds_fill(CredsEntry *ce, const struct thread *th);

/* Whether this process has a capability in its effective set; names it if not. */
bool creds_have_cap(int cap, const char *why);

#endif
