// SPDX-License-Identifier: GPL-2.0-or-later
#include "pidmap.h"

static size_t slot_of(const struct pidmap *m, pid_t pid)
{
	/* Fibonacci hashing spreads consecutive pids over the table. */
	return ((uint32_t)pid * 2654435769u) & (m->size - 1);
}

int pidmap_get(const struct pidmap *m, pid_t pid)
{
	size_t i;

	if (!m->size)
		return -1;
	for (i = slot_of(m, pid); m->slots[i].key; i = (i + 1) & (m->size - 1))
		if (m->slots[i].key == pid)
			return m->slots[i].value;
	return -1;
}

static void grow(struct pidmap *m)
{
	struct pidmap old = *m;
	size_t i;

	m->size = old.size ? old.size * 2 : 64;
	m->slots = xzalloc(m->size * sizeof(*m->slots));
	m->used = 0;
	for (i = 0; i < old.size; i++)
		if (old.slots[i].key)
			pidmap_put(m, old.slots[i].key, old.slots[i].value);
	free(old.slots);
}

void pidmap_put(struct pidmap *m, pid_t pid, int value)
{
	size_t i;

	if ((m->used + 1) * 2 > m->size)
		grow(m);
	for (i = slot_of(m, pid); m->slots[i].key; i = (i + 1) & (m->size - 1)) {
		if (m->slots[i].key == pid) {
			m->slots[i].value = value;
			return;
		}
	}
	m->slots[i].key = pid;
	m->slots[i].value = value;
	m->used++;
}

void pidmap_free(struct pidmap *m)
{
	free(m->slots);
	memset(m, 0, sizeof(*m));
}
