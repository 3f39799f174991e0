// SPDX-License-Identifier: GPL-2.0-or-later
/* criu-lite dump: freeze, walk, collect, write images into a temporary directory, let the tree
 * go, rename the directory into place. Every failure and every signal undoes what was done. */
#include "common.h"
#include "cmd.h"
#include "core.h"
#include "creds.h"
#include "freezer.h"
#include "ids.h"
#include "file-table.h"
#include "files.h"
#include "image-dir.h"
#include "mem.h"
#include "pstree-image.h"
#include "signals.h"
#include "watchdog.h"

#include <linux/capability.h>
#include <signal.h>
#include <sys/stat.h>

/* A tree that keeps forking new tasks faster than they can be frozen gives up after this. */
#define MAX_FREEZE_ROUNDS 10
#define PF_KTHREAD        0x00200000

struct dump_opts {
	pid_t pid;
	const char *dir;
	const char *freeze_cgroup;
	enum freezer_kind freezer;
	enum walker walker;
	bool leave_stopped;
	bool kill;
	bool shape_only;
	bool skip_unsupported;
};

static void usage(FILE *out)
{
	fputs("Usage: criu-lite dump -t PID -D DIR [OPTIONS]\n"
	      "Freeze the tree rooted at PID, write its images to DIR, and let it run on.\n\n"
	      "  -t, --tree PID            root of the tree to dump\n"
	      "  -D, --images-dir DIR      where the images go (must be absent or empty)\n"
	      "      --freeze-cgroup PATH  freeze this cgroup (v1 freezer or v2), which holds the "
	      "tree\n"
	      "      --freezer=auto|v1|v2|ptrace  how to stop the tree (default auto)\n"
	      "      --walker=auto|children|scan  how to find the tree (default auto)\n"
	      "  -s, --leave-stopped       leave the tree frozen after the dump\n"
	      "  -R, --leave-running       let the tree run on (the default)\n"
	      "  -k, --kill                kill the tree once its images are complete\n"
	      "      --shape-only          only the tree's shape (pstree, core, ids): no memory\n"
	      "      --skip-unsupported    leave out descriptors of kinds not supported yet\n"
	      "                            (sockets, ...) instead of failing\n"
	      "  -v[N], -o FILE, -h        see criu-lite --help\n",
	      out);
}

static int parse_args(int argc, char **argv, struct dump_opts *o, struct common_opts *co)
{
	enum {
		OPT_FREEZE_CGROUP = 256,
		OPT_FREEZER,
		OPT_WALKER,
		OPT_SHAPE_ONLY,
		OPT_SKIP_UNSUPPORTED,
	};
	static const struct option longopts[] = {
		{"tree", required_argument, NULL, 't'},
		{"images-dir", required_argument, NULL, 'D'},
		{"freeze-cgroup", required_argument, NULL, OPT_FREEZE_CGROUP},
		{"freezer", required_argument, NULL, OPT_FREEZER},
		{"walker", required_argument, NULL, OPT_WALKER},
		{"leave-stopped", no_argument, NULL, 's'},
		{"leave-running", no_argument, NULL, 'R'},
		{"kill", no_argument, NULL, 'k'},
		{"shape-only", no_argument, NULL, OPT_SHAPE_ONLY},
		{"skip-unsupported", no_argument, NULL, OPT_SKIP_UNSUPPORTED},
		COMMON_LONG_OPTS,
		{NULL, 0, NULL, 0},
	};
	int c, r;

	while ((c = getopt_long(argc, argv, "t:D:sRk" COMMON_OPTS, longopts, NULL)) != -1) {
		r = common_option(c, optarg, co, usage);
		if (r < 0)
			return -1;
		if (r)
			continue;
		switch (c) {
		case 't':
			o->pid = parse_pid(optarg);
			if (o->pid <= 0) {
				usage_error("invalid pid '%s'", optarg);
				return -1;
			}
			break;
		case 'D':
			o->dir = optarg;
			break;
		case OPT_FREEZE_CGROUP:
			o->freeze_cgroup = optarg;
			break;
		case OPT_FREEZER:
			if (freezer_kind_parse(optarg, &o->freezer) < 0) {
				usage_error("--freezer takes auto, v1, v2 or ptrace, not '%s'", optarg);
				return -1;
			}
			break;
		case OPT_WALKER:
			if (walker_parse(optarg, &o->walker) < 0) {
				usage_error("--walker takes auto, children or scan, not '%s'", optarg);
				return -1;
			}
			break;
		case 's':
			o->leave_stopped = true;
			break;
		case 'R':
			o->leave_stopped = false;
			break;
		case 'k':
			o->kill = true;
			break;
		case OPT_SHAPE_ONLY:
			o->shape_only = true;
			break;
		case OPT_SKIP_UNSUPPORTED:
			o->skip_unsupported = true;
			break;
		}
	}
	if (optind < argc) {
		usage_error("unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (!o->pid || !o->dir) {
		usage_error("dump needs -t PID and -D DIR");
		return -1;
	}
	if (o->leave_stopped && o->kill) {
		usage_error("--leave-stopped and --kill contradict each other");
		return -1;
	}
	if (o->freeze_cgroup && o->freezer != FREEZER_AUTO) {
		usage_error("--freeze-cgroup and --freezer contradict each other");
		return -1;
	}
	return 0;
}

/* ---- the dump ---- */

static int check_root(pid_t pid)
{
	struct proc_stat st;

	if (proc_read_stat(pid, pid, &st) < 0) {
		if (errno == ENOENT || errno == ESRCH)
			pr_err("no process with pid %d", pid);
		else
			pr_perror("cannot read process %d", pid);
		return -1;
	}
	if (pid == getpid()) {
		pr_err("pid %d is criu-lite itself", pid);
		return -1;
	}
	if (pid == 1) {
		pr_err("pid 1 is the root of every process, criu-lite included: refusing to freeze "
		       "it");
		return -1;
	}
	if (st.flags & PF_KTHREAD) {
		pr_err("pid %d (%s) is a kernel thread", pid, st.comm);
		return -1;
	}
	return 0;
}

/* Freezing criu-lite or anything it waits on would never end: refuse such trees. */
static int check_not_in_tree(const struct pstree *tree)
{
	pid_t self = getpid();

	if (pstree_find(tree, self)) {
		pr_err("the tree of %d holds criu-lite itself (pid %d): it would freeze its own "
		       "dumper",
		       tree->tasks[0].pid, self);
		return -1;
	}
	return 0;
}

/* Walks and freezes until the frozen walk finds nothing new. */
static int freeze_tree(struct freezer *fz, struct pstree *tree, const struct dump_opts *o)
{
	size_t added;
	int round;

	if (pstree_walk(tree, o->pid, o->walker) < 0 || check_not_in_tree(tree) < 0)
		return -1;
	if (freezer_setup(fz, o->freezer, o->freeze_cgroup, tree) < 0)
		return -1;
	for (round = 0; round < MAX_FREEZE_ROUNDS; round++) {
		if (signals_check() < 0 || freezer_adopt(fz, tree, &added) < 0)
			return -1;
		if (round > 0 && added == 0)
			return 0; /* the last walk happened with everything frozen */
		if (!fz->frozen && !fz->was_frozen && freezer_freeze(fz) < 0)
			return -1;
		if (pstree_walk(tree, o->pid, o->walker) < 0 || check_not_in_tree(tree) < 0)
			return -1;
		pr_debug("round %d: %zu processes, %zu new", round, tree->nr, added);
	}
	pr_err("the tree kept creating tasks through %d freezing rounds; giving up",
	       MAX_FREEZE_ROUNDS);
	return -1;
}

static int write_images(int dirfd, const struct pstree *tree, const struct file_table *ft)
{
	if (inventory_write_image(dirfd, tree) < 0 || pstree_write_images(dirfd, tree) < 0 ||
	    core_write_images(dirfd, tree) < 0 || ids_write_images(dirfd, tree) < 0 ||
	    file_table_write(dirfd, ft) < 0)
		return -1;
	return 0;
}

static void kill_tree(const struct pstree *tree)
{
	size_t i;

	for (i = 0; i < tree->nr; i++)
		if (tree->tasks[i].state != TASK_DEAD && kill(tree->tasks[i].pid, SIGKILL) < 0 &&
		    errno != ESRCH)
			pr_perror("cannot kill %d", tree->tasks[i].pid);
}

static int do_dump(const struct dump_opts *o)
{
	struct watchdog wd = WATCHDOG_INIT;
	struct freezer fz = FREEZER_INIT;
	struct pstree tree = {0};
	struct image_dir idir = IMAGE_DIR_INIT;
	struct file_table ft = FILE_TABLE_INIT;
	struct mem_stats mstats = {0};
	uint64_t start = now_ns(), thawed_at = 0;
	bool released = false;
	int ret = -1;

	if (proc_init() < 0 || !creds_have_cap(CAP_SYS_PTRACE, "dump") || check_root(o->pid) < 0 ||
	    watchdog_start(&wd) < 0 || image_dir_create(&idir, o->dir) < 0)
		goto out;
	watchdog_send(&wd, "I %s\n", idir.tmp);
	fz.wd = &wd;
	if (freeze_tree(&fz, &tree, o) < 0)
		goto out;
	if (pstree_collect(&tree, &fz, true) < 0 || ids_assign(&tree) < 0 ||
	    signals_check() < 0)
		goto out;
	/* Memory is read while the tree is frozen, straight into the image directory. */
	if (!o->shape_only && mem_dump_tree(idir.fd, &tree, &ft, &mstats) < 0)
		goto out;
	/* Descriptors and pipe contents too, while nothing can change them. */
	if (!o->shape_only && files_dump_tree(idir.fd, &tree, &ft, o->skip_unsupported) < 0)
		goto out;
	/* Everything the images hold is in memory now: let the tree run while they are written.
	 * To kill it or leave it stopped, wait until they are complete: if writing fails, the
	 * tree must run on as it was. */
	if (!o->kill && !o->leave_stopped) {
		released = true;
		if (freezer_release(&fz, false) < 0)
			goto out;
		thawed_at = now_ns();
	}
	if (write_images(idir.fd, &tree, &ft) < 0 || signals_check() < 0 ||
	    image_dir_commit(&idir) < 0)
		goto out;
	if (o->kill)
		kill_tree(&tree);
	if (o->leave_stopped) {
		released = true;
		if (freezer_release(&fz, true) < 0)
			goto out;
	}
	ret = 0;
out:
	if (!released) {
		released = true;
		if (freezer_release(&fz, false) < 0)
			ret = -1;
		thawed_at = now_ns();
	}
	image_dir_discard(&idir);
	watchdog_finish(&wd);
	if (!ret)
		pr_info("dumped %zu processes, %zu threads to %s in %.2f ms (stopped for %.2f ms, "
			"%s freezer)",
			tree.nr, tree.nr_threads, o->dir, (now_ns() - start) / 1e6,
			fz.frozen_at ? (thawed_at - fz.frozen_at) / 1e6 : 0.0, freezer_kind_name(fz.kind));
	pstree_free(&tree);
	file_table_free(&ft);
	return ret;
}

int cmd_dump(int argc, char **argv)
{
	struct dump_opts o = {0};
	struct common_opts co = {0};
	int ret;

	if (parse_args(argc, argv, &o, &co) < 0)
		return 1;
	if (common_start(&co) < 0)
		return 1;
	signals_hold();
	ret = do_dump(&o);
	/* A held signal that came in is reported above; don't let it kill us now. */
	return ret ? 1 : 0;
}
