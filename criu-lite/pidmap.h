/* SPDX-License-Identifier: GPL-2.0-or-later */
/* An open-addressing map from pid to a non-negative int, so lookups stay O(1) on big trees. */
#ifndef CRIU_LITE_PIDMAP_H
#define CRIU_LITE_PIDMAP_H

#include "common.h"

struct pidmap {
	struct pidmap_slot {
		pid_t key; /* 0 marks an empty slot */
		int value;
	} *slots;
	size_t size, used; /* size is a power of two */
};

/* Returns the value stored for pid, or -1. */
int pidmap_get(const struct pidmap *m, pid_t pid);
/* Stores value for pid, replacing what was there. */
void pidmap_put(struct pidmap *m, pid_t pid, int value);
void pidmap_free(struct pidmap *m);

#endif
