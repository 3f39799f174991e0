// SPDX-License-Identifier: GPL-2.0-or-later
/* The walker for kernels without the children file: one scan of every /proc/PID/stat of the
 * host gives each process's parent; the tree is then read off that map. Its cost follows the
 * host, not the tree, which is why the children walk is preferred. */
#include "pstree.h"

struct scan_entry {
	pid_t pid, ppid;
};

static int cmp_by_ppid(const void *a, const void *b)
{
	const struct scan_entry *x = a, *y = b;

	if (x->ppid != y->ppid)
		return (x->ppid > y->ppid) - (x->ppid < y->ppid);
	return (x->pid > y->pid) - (x->pid < y->pid);
}

static int scan_host(struct scan_entry **out, size_t *nr)
{
	cleanup_dir DIR *d = NULL;
	struct dirent *de;
	size_t cap = 0;
	int fd = dup(proc_fd());

	*out = NULL;
	*nr = 0;
	if (fd < 0 || !(d = fdopendir(fd))) {
		pr_perror("cannot list /proc");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		struct proc_stat st;
		pid_t pid = parse_pid(de->d_name);

		if (pid <= 0 || proc_read_stat(pid, pid, &st) < 0)
			continue; /* not a process, or gone since the listing */
		if (*nr == cap)
			*out = xrealloc(*out, (cap = cap ? cap * 2 : 1024) * sizeof(**out));
		(*out)[(*nr)++] = (struct scan_entry){pid, st.ppid};
	}
	return 0;
}

/* The children of ppid: a run of the array sorted by (ppid, pid). */
static size_t children_of(const struct scan_entry *all, size_t nr, pid_t ppid, size_t *first)
{
	size_t lo = 0, hi = nr, n = 0;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (all[mid].ppid < ppid)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	while (lo + n < nr && all[lo + n].ppid == ppid)
		n++;
	return n;
}

int pstree_walk_scan(struct pstree *tree, pid_t root)
{
	struct scan_entry *all;
	struct pidvec stack = {0}, parents = {0}, tids = {0};
	size_t nr;
	int ret = -1;

	if (scan_host(&all, &nr) < 0)
		return -1;
	qsort(all, nr, sizeof(*all), cmp_by_ppid);
	pidvec_push(&stack, root);
	pidvec_push(&parents, -1);
	while (stack.n) {
		pid_t pid = stack.v[--stack.n];
		int parent = parents.v[--parents.n];
		size_t first, n, i;
		struct task *t;

		tids.n = 0;
		if (pstree_find(tree, pid))
			continue;
		if (proc_read_tids(pid, &tids) < 0 || !tids.n) {
			if (parent < 0) {
				pr_err("no process with pid %d", root);
				goto out;
			}
			continue;
		}
		t = pstree_add(tree, pid, parent);
		pstree_set_threads(tree, t, tids.v, tids.n);
		n = children_of(all, nr, pid, &first);
		for (i = n; i-- > 0;) {
			pidvec_push(&stack, all[first + i].pid);
			pidvec_push(&parents, (int)(tree->nr - 1));
		}
	}
	ret = 0;
out:
	free(all);
	pidvec_free(&stack);
	pidvec_free(&parents);
	pidvec_free(&tids);
	return ret;
}
