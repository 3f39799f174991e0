// SPDX-License-Identifier: GPL-2.0-or-later
#include "pstree-image.h"
#include "image.h"

#include "core.pb-c.h"
#include "inventory.pb-c.h"
#include "pstree.pb-c.h"

#define INVENTORY_IMG_VERSION 2
/* More threads than the kernel lets one process have is a corrupt image. */
#define MAX_THREADS_PER_TASK (1u << 22)

int pstree_write_images(int dirfd, const struct pstree *tree)
{
	struct img *img = img_create(dirfd, IMG_PSTREE, 0);
	uint32_t *tids = NULL;
	size_t i, j, cap = 0;
	int ret;

	if (!img)
		return -1;
	for (i = 0; i < tree->nr; i++) {
		const struct task *t = &tree->tasks[i];
		PstreeEntry e = PSTREE_ENTRY__INIT;

		if (t->nr_threads > cap)
			tids = xrealloc(tids, (cap = t->nr_threads) * sizeof(*tids));
		for (j = 0; j < t->nr_threads; j++)
			tids[j] = t->threads[j].tid;
		e.pid = t->pid;
		e.ppid = t->ppid; /* 0 for the root, as CRIU's readers require */
		e.pgid = t->pgid;
		e.sid = t->sid;
		e.n_threads = t->nr_threads;
		e.threads = tids;
		if (img_write(img, &e.base) < 0)
			break;
	}
	free(tids);
	ret = img_close(img);
	return ret;
}

static Lsmtype detect_lsm(void)
{
	char buf[256];

	if (read_small_file("/sys/kernel/security/lsm", buf, sizeof(buf)) < 0)
		return LSMTYPE__NO_LSM;
	if (strstr(buf, "selinux"))
		return LSMTYPE__SELINUX;
	if (strstr(buf, "apparmor"))
		return LSMTYPE__APPARMOR;
	return LSMTYPE__NO_LSM;
}

int inventory_write_image(int dirfd, const struct pstree *tree)
{
	InventoryEntry inv = INVENTORY_ENTRY__INIT;
	TaskKobjIdsEntry ids = TASK_KOBJ_IDS_ENTRY__INIT;
	const struct task *root = &tree->tasks[0];
	struct img *img;

	inv.img_version = INVENTORY_IMG_VERSION;
	inv.has_fdinfo_per_id = inv.fdinfo_per_id = true;
	inv.has_ns_per_id = inv.ns_per_id = true;
	inv.has_lsmtype = true;
	inv.lsmtype = detect_lsm();
	if (root->state != TASK_DEAD) {
		ids.vm_id = root->ids.vm;
		ids.files_id = root->ids.files;
		ids.fs_id = root->ids.fs;
		ids.sighand_id = root->ids.sighand;
		inv.root_ids = &ids;
	}
	img = img_create(dirfd, IMG_INVENTORY, 0);
	if (!img)
		return -1;
	img_write(img, &inv.base);
	return img_close(img);
}

/* Checks one pstree entry against what came before it; seen holds every pid and tid so far,
 * since a thread id is unique across the whole tree, not only within its process. */
static int check_entry(const struct pstree *tree, struct pidmap *seen, const PstreeEntry *e)
{
	size_t i;

	if (!e->pid || e->pid > INT32_MAX) {
		pr_err("pstree.img: invalid pid %u", e->pid);
		return -1;
	}
	if (pidmap_get(seen, e->pid) >= 0) {
		pr_err("pstree.img: pid %u appears twice", e->pid);
		return -1;
	}
	if (tree->nr == 0 && e->ppid != 0) {
		pr_err("pstree.img: the first entry (pid %u) is not the root (ppid %u)", e->pid,
		       e->ppid);
		return -1;
	}
	if (tree->nr > 0 && e->ppid == 0) {
		pr_err("pstree.img: pid %u is a second root", e->pid);
		return -1;
	}
	if (tree->nr > 0 && !pstree_find(tree, e->ppid)) {
		pr_err("pstree.img: pid %u comes before its parent %u (or the parent is missing)",
		       e->pid, e->ppid);
		return -1;
	}
	if (e->n_threads == 0 || e->n_threads > MAX_THREADS_PER_TASK || e->threads[0] != e->pid) {
		pr_err("pstree.img: pid %u has %zu threads, the first %u (must be the leader)",
		       e->pid, e->n_threads, e->n_threads ? e->threads[0] : 0);
		return -1;
	}
	pidmap_put(seen, e->pid, 1);
	for (i = 1; i < e->n_threads; i++) {
		if (!e->threads[i] || e->threads[i] > INT32_MAX) {
			pr_err("pstree.img: pid %u has an invalid thread id %u", e->pid,
			       e->threads[i]);
			return -1;
		}
		if (pidmap_get(seen, e->threads[i]) >= 0) {
			pr_err("pstree.img: thread id %u of pid %u appears twice", e->threads[i],
			       e->pid);
			return -1;
		}
		pidmap_put(seen, e->threads[i], 1);
	}
	return 0;
}

/* The comm and state of a process live in its leader's core image. */
static int read_task_core(int dirfd, struct task *t)
{
	ProtobufCMessage *msg;
	CoreEntry *core;

	if (img_read_one(dirfd, IMG_CORE, t->pid, &msg) < 0)
		return -1;
	core = (CoreEntry *)msg;
	if (!core->tc) {
		pr_err("core-%d.img has no task part (task_core_entry)", t->pid);
		img_free_msg(msg);
		return -1;
	}
	if (core->tc->task_state < TASK_ALIVE || core->tc->task_state > TASK_STOPPED) {
		pr_err("core-%d.img: unknown task state %u", t->pid, core->tc->task_state);
		img_free_msg(msg);
		return -1;
	}
	t->state = core->tc->task_state;
	t->exit_code = (int)core->tc->exit_code;
	t->personality = core->tc->personality;
	snprintf(t->comm, sizeof(t->comm), "%s", core->tc->comm);
	img_free_msg(msg);
	return 0;
}

static int check_inventory(int dirfd)
{
	ProtobufCMessage *msg;
	uint32_t version;

	if (img_read_one(dirfd, IMG_INVENTORY, 0, &msg) < 0)
		return -1;
	version = ((InventoryEntry *)msg)->img_version;
	img_free_msg(msg);
	if (version != INVENTORY_IMG_VERSION) {
		pr_err("inventory.img: image version %u, only %d is known", version,
		       INVENTORY_IMG_VERSION);
		return -1;
	}
	return 0;
}

/* Every thread has a readable core image, and every core image a thread: a pstree.img cut
 * at an entry boundary parses, but leaves core images of tasks it no longer lists. */
static int check_cores(int dirfd, const struct pstree *tree, const struct pidmap *tids)
{
	cleanup_dir DIR *d = NULL;
	struct dirent *de;
	ProtobufCMessage *msg;
	size_t i, j;
	int fd;

	for (i = 0; i < tree->nr; i++) {
		for (j = 1; j < tree->tasks[i].nr_threads; j++) {
			if (img_read_one(dirfd, IMG_CORE, tree->tasks[i].threads[j].tid, &msg) < 0)
				return -1;
			img_free_msg(msg);
		}
	}
	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd))) {
		pr_perror("cannot list the image directory");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while ((de = readdir(d))) {
		if (img_kind_by_name(de->d_name) != IMG_CORE)
			continue;
		if (pidmap_get(tids, (pid_t)strtol(de->d_name + 5, NULL, 10)) < 0) {
			pr_err("%s belongs to no task of pstree.img (is pstree.img cut short?)",
			       de->d_name);
			return -1;
		}
	}
	return 0;
}

int pstree_read_images(int dirfd, struct pstree *tree)
{
	struct img *img = img_open(dirfd, IMG_PSTREE, 0, false);
	struct pidmap seen = {0};
	ProtobufCMessage *msg;
	int ret = -1, r;
	size_t i;

	pstree_free(tree);
	if (!img)
		return -1;
	while ((r = img_read(img, &pstree_entry__descriptor, &msg)) == 1) {
		PstreeEntry *e = (PstreeEntry *)msg;
		struct task *t;

		if (check_entry(tree, &seen, e) < 0) {
			img_free_msg(msg);
			goto out;
		}
		t = pstree_add(tree, e->pid, e->ppid ? pidmap_get(&tree->index, e->ppid) : -1);
		t->pgid = e->pgid;
		t->sid = e->sid;
		pstree_set_threads(tree, t, (const pid_t *)e->threads, e->n_threads);
		img_free_msg(msg);
	}
	if (r < 0)
		goto out;
	if (!tree->nr) {
		pr_err("pstree.img holds no process");
		goto out;
	}
	for (i = 0; i < tree->nr; i++)
		if (read_task_core(dirfd, &tree->tasks[i]) < 0)
			goto out;
	if (check_inventory(dirfd) < 0 || check_cores(dirfd, tree, &seen) < 0)
		goto out;
	ret = 0;
out:
	pidmap_free(&seen);
	img_close(img);
	if (ret)
		pstree_free(tree);
	return ret;
}
