// SPDX-License-Identifier: GPL-2.0-or-later
/* kcmp(2) orders kernel objects, so each kind keeps a sorted array of one representative per
 * object: a binary search finds a process's object in O(log n) kcmp calls, not O(n). */
#include "ids.h"
#include "image.h"

#include <linux/kcmp.h>
#include <sys/syscall.h>

#include "core.pb-c.h"

struct id_rep {
	pid_t pid;
	uint32_t id;
};

struct id_set {
	int kcmp_type;
	struct id_rep *reps; /* sorted by the kernel's order of the objects */
	size_t nr;
	uint32_t next_id;
};

static int kcmp(pid_t a, pid_t b, int type)
{
	return (int)syscall(SYS_kcmp, a, b, type, 0, 0);
}

/* Returns the id of pid's object, adding it if new; 0 on failure (logged). */
static uint32_t id_lookup(struct id_set *set, pid_t pid)
{
	size_t lo = 0, hi = set->nr;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int r = kcmp(pid, set->reps[mid].pid, set->kcmp_type);

		if (r < 0) {
			if (errno == ENOSYS)
				pr_err("kcmp is missing from this kernel (CONFIG_KCMP)");
			else
				pr_perror("kcmp(%d, %d) failed", pid, set->reps[mid].pid);
			return 0;
		}
		if (r == 0)
			return set->reps[mid].id;
		if (r == 1) /* pid's object sorts before mid's */
			hi = mid;
		else
			lo = mid + 1;
	}
	set->reps = xrealloc(set->reps, (set->nr + 1) * sizeof(*set->reps));
	memmove(set->reps + lo + 1, set->reps + lo, (set->nr - lo) * sizeof(*set->reps));
	set->reps[lo] = (struct id_rep){pid, ++set->next_id};
	set->nr++;
	return set->next_id;
}

int ids_assign(struct pstree *tree)
{
	struct id_set sets[] = {
		{.kcmp_type = KCMP_VM},
		{.kcmp_type = KCMP_FILES},
		{.kcmp_type = KCMP_FS},
		{.kcmp_type = KCMP_SIGHAND},
	};
	int ret = -1;
	size_t i;

	for (i = 0; i < tree->nr; i++) {
		struct task *t = &tree->tasks[i];

		if (t->state == TASK_DEAD)
			continue; /* a zombie has released all four */
		if (!(t->ids.vm = id_lookup(&sets[0], t->pid)) ||
		    !(t->ids.files = id_lookup(&sets[1], t->pid)) ||
		    !(t->ids.fs = id_lookup(&sets[2], t->pid)) ||
		    !(t->ids.sighand = id_lookup(&sets[3], t->pid)))
			goto out;
	}
	ret = 0;
out:
	for (i = 0; i < ARRAY_SIZE(sets); i++)
		free(sets[i].reps);
	return ret;
}

int ids_write_images(int dirfd, const struct pstree *tree)
{
	size_t i;

	for (i = 0; i < tree->nr; i++) {
		const struct task *t = &tree->tasks[i];
		TaskKobjIdsEntry e = TASK_KOBJ_IDS_ENTRY__INIT;
		struct img *img;

		if (t->state == TASK_DEAD)
			continue;
		e.vm_id = t->ids.vm;
		e.files_id = t->ids.files;
		e.fs_id = t->ids.fs;
		e.sighand_id = t->ids.sighand;
		img = img_create(dirfd, IMG_IDS, t->pid);
		if (!img)
			return -1;
		img_write(img, &e.base);
		if (img_close(img) < 0)
			return -1;
	}
	return 0;
}
