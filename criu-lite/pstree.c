// SPDX-License-Identifier: GPL-2.0-or-later
/* The process tree model, and the walk through the kernel's children files. */
#include "pstree.h"
#include "freezer.h"
#include "taskinfo.h"

struct task *pstree_add(struct pstree *tree, pid_t pid, int parent)
{
	struct task *t;

	if (tree->nr == tree->cap) {
		tree->cap = tree->cap ? tree->cap * 2 : 64;
		tree->tasks = xrealloc(tree->tasks, tree->cap * sizeof(*tree->tasks));
	}
	t = &tree->tasks[tree->nr];
	memset(t, 0, sizeof(*t));
	t->pid = pid;
	t->parent = parent;
	t->ppid = parent >= 0 ? tree->tasks[parent].pid : 0;
	t->state = TASK_ALIVE;
	pidmap_put(&tree->index, pid, (int)tree->nr);
	tree->nr++;
	return t;
}

struct task *pstree_find(const struct pstree *tree, pid_t pid)
{
	int i = pidmap_get(&tree->index, pid);

	return i < 0 ? NULL : &tree->tasks[i];
}

void pstree_free(struct pstree *tree)
{
	size_t i;

	for (i = 0; i < tree->nr; i++)
		free(tree->tasks[i].threads);
	free(tree->tasks);
	pidmap_free(&tree->index);
	memset(tree, 0, sizeof(*tree));
}

void pstree_set_threads(struct pstree *tree, struct task *t, const pid_t *tids, size_t n)
{
	size_t i;

	t->threads = xzalloc(n * sizeof(*t->threads));
	t->nr_threads = n;
	for (i = 0; i < n; i++)
		t->threads[i].tid = tids[i];
	tree->nr_threads += n;
}

/* Depth-first, pre-order: a stack of (pid, parent index) pairs, children pushed in reverse so
 * that the first child is visited first. */
struct walk_item {
	pid_t pid;
	int parent;
};

static int walk_children(struct pstree *tree, pid_t root)
{
	struct walk_item *stack = NULL;
	size_t depth = 0, cap = 0;
	struct pidvec tids = {0}, kids = {0};
	int ret = -1;

	stack = xmalloc(sizeof(*stack) * (cap = 64));
	stack[depth++] = (struct walk_item){root, -1};
	while (depth) {
		struct walk_item it = stack[--depth];
		struct task *t;
		size_t i;

		if (pidmap_get(&tree->index, it.pid) >= 0)
			continue; /* listed twice while the tree changed */
		tids.n = 0;
		if (proc_read_tids(it.pid, &tids) < 0 || !tids.n) {
			if (it.parent < 0) {
				pr_err("no process with pid %d", root);
				goto out;
			}
			continue; /* exited since its parent listed it */
		}
		t = pstree_add(tree, it.pid, it.parent);
		pstree_set_threads(tree, t, tids.v, tids.n);

		kids.n = 0;
		for (i = 0; i < tids.n; i++) {
			if (proc_read_children(it.pid, tids.v[i], &kids) < 0 && errno != ENOENT) {
				if (errno == EACCES || errno == EPERM)
					pr_err("cannot read the children of %d: %m (are you root?)",
					       it.pid);
				else
					pr_perror("cannot read the children of %d/%d", it.pid,
						  tids.v[i]);
				goto out;
			}
		}
		if (depth + kids.n > cap) {
			cap = (depth + kids.n) * 2;
			stack = xrealloc(stack, cap * sizeof(*stack));
		}
		for (i = kids.n; i-- > 0;)
			stack[depth++] = (struct walk_item){kids.v[i], (int)(tree->nr - 1)};
	}
	ret = 0;
out:
	free(stack);
	pidvec_free(&tids);
	pidvec_free(&kids);
	return ret;
}

/* /proc/TID answers for any thread too: a tree's root must be a process. */
static int check_is_process(pid_t pid)
{
	struct proc_status st;

	if (proc_read_status(pid, pid, &st) < 0) {
		if (errno == ENOENT || errno == ESRCH)
			pr_err("no process with pid %d", pid);
		else
			pr_perror("cannot read process %d", pid);
		return -1;
	}
	if (st.tgid != pid) {
		pr_err("%d is a thread of process %d, not a process", pid, st.tgid);
		return -1;
	}
	return 0;
}

int pstree_walk(struct pstree *tree, pid_t root, enum walker walker)
{
	pstree_free(tree);
	if (check_is_process(root) < 0)
		return -1;
	if (walker == WALKER_AUTO)
		walker = proc_has_children_file() ? WALKER_CHILDREN : WALKER_SCAN;
	if (walker == WALKER_SCAN)
		return pstree_walk_scan(tree, root);
	return walk_children(tree, root);
}

#define PF_EXITING 0x00000004

static enum task_state state_of(const struct freezer *fz, pid_t pid, pid_t tid,
				const struct proc_stat *st)
{
	/* Caught between exit() and becoming a zombie: its memory and files are gone already,
	 * and it will be a zombie when the tree runs again. */
	if (st->flags & PF_EXITING)
		return TASK_DEAD;
	switch (freezer_real_state(fz, pid, tid, st->state)) {
	case 'Z':
	case 'X':
		return TASK_DEAD;
	case 'T':
		return TASK_STOPPED;
	default:
		return TASK_ALIVE;
	}
}

int pstree_collect(struct pstree *tree, const struct freezer *fz, bool full)
{
	size_t i, j;

	for (i = 0; i < tree->nr; i++) {
		struct task *t = &tree->tasks[i];
		struct proc_stat *lead = &t->threads[0].stat;

		for (j = 0; j < t->nr_threads; j++) {
			struct thread *th = &t->threads[j];

			if (proc_read_stat(t->pid, th->tid, &th->stat) < 0 ||
			    (full && proc_read_status(t->pid, th->tid, &th->status) < 0)) {
				pr_perror("cannot read /proc/%d/task/%d", t->pid, th->tid);
				return -1;
			}
			/* A zombie or exiting thread has no credentials nor futex list left. */
			if (full && !strchr("ZX", th->stat.state) &&
			    !(th->stat.flags & PF_EXITING) && taskinfo_read_thread(th) < 0)
				return -1;
		}
		t->pgid = lead->pgid;
		t->sid = lead->sid;
		memcpy(t->comm, lead->comm, sizeof(t->comm));
		t->state = state_of(fz, t->pid, t->pid, lead);
		if (t->state == TASK_DEAD)
			t->exit_code = lead->exit_code;
		/* A zombie's personality file is gone with its mm; it stays 0. */
		if (full && t->state != TASK_DEAD &&
		    proc_read_personality(t->pid, &t->personality) < 0) {
			pr_perror("cannot read /proc/%d/personality", t->pid);
			return -1;
		}
		if (full && t->state != TASK_DEAD && taskinfo_read_process(t) < 0)
			return -1;
	}
	return 0;
}

const char *task_state_name(enum task_state state)
{
	switch (state) {
	case TASK_ALIVE:
		return "alive";
	case TASK_DEAD:
		return "zombie";
	case TASK_STOPPED:
		return "stopped";
	}
	return "unknown";
}

int walker_parse(const char *s, enum walker *w)
{
	static const char *const names[] = {
		[WALKER_AUTO] = "auto", [WALKER_CHILDREN] = "children", [WALKER_SCAN] = "scan"};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(s, names[i])) {
			*w = (enum walker)i;
			return 0;
		}
	}
	return -1;
}
