// SPDX-License-Identifier: GPL-2.0-or-later
/* criu-lite restore: bring a dumped tree's shape back, below the caller. */
#include "common.h"
#include "cmd.h"
#include "pstree-image.h"
#include "restore.h"

#include <signal.h>
#include <sys/wait.h>

static void usage(FILE *out)
{
	fputs("Usage: criu-lite restore -D DIR [-d] [--pidns] [--dry-run]\n"
	      "Recreate the process tree held in the images of DIR: every process and thread with "
	      "its\n"
	      "original id and parent, its session, process group and comm; zombies come back as\n"
	      "zombies and stopped processes stopped. The processes are placeholders: they wait "
	      "until\n"
	      "a signal ends them (SIGTERM does). The root is a child of this command.\n\n"
	      "  -D, --images-dir DIR   the images, as written by dump\n"
	      "  -d, --restore-detached return once the tree is complete and print the root's "
	      "pid;\n"
	      "                         without it, wait for the root and exit with its status\n"
	      "                         (128+N if a signal N ended it)\n"
	      "      --pidns            restore in a new pid namespace, where every task gets "
	      "its\n"
	      "                         original id (the original may still run here); pid 1 "
	      "there\n"
	      "                         is criu-lite's init, the root's parent, which reaps "
	      "orphans\n"
	      "                         and exits with the root's status when the root exits\n"
	      "                         (ending the namespace); it passes SIGTERM, SIGINT, "
	      "SIGHUP,\n"
	      "                         SIGQUIT, SIGUSR1 and SIGUSR2 on to the root. Init and "
	      "tree\n"
	      "                         share a new mount namespace with the namespace's "
	      "/proc.\n"
	      "                         With -d, the pid printed is the init's, as seen from "
	      "here:\n"
	      "                           nsenter -t PID -p -m criu-lite ps -t ROOT --json\n"
	      "                         shows the tree (ROOT is its dumped pid), kill -KILL "
	      "PID\n"
	      "                         ends it all. A tree that needs pid 1, or whose root "
	      "is a\n"
	      "                         zombie, cannot be restored this way\n"
	      "      --dry-run          create nothing: check the images, the tree's shape, "
	      "ids\n"
	      "                         taken here (all listed), kernel features and "
	      "privileges;\n"
	      "                         print \"would succeed\" and exit 0, or \"would fail: "
	      "REASONS\"\n"
	      "                         and exit 1 (with --pidns, check what that needs)\n",
	      out);
}

int cmd_restore(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"images-dir", required_argument, NULL, 'D'},
		{"restore-detached", no_argument, NULL, 'd'},
		{"pidns", no_argument, NULL, 'P'},
		{"dry-run", no_argument, NULL, 'n'},
		COMMON_LONG_OPTS,
		{NULL, 0, NULL, 0},
	};
	struct common_opts co = {0};
	struct pstree tree = {0};
	const char *dir = NULL;
	bool detach = false, pidns = false, dry_run = false;
	cleanup_fd int dirfd = -1;
	int c, r, status;
	pid_t root;

	while ((c = getopt_long(argc, argv, "D:d" COMMON_OPTS, longopts, NULL)) != -1) {
		r = common_option(c, optarg, &co, usage);
		if (r < 0)
			return 1;
		if (r)
			continue;
		switch (c) {
		case 'D':
			dir = optarg;
			break;
		case 'd':
			detach = true;
			break;
		case 'P':
			pidns = true;
			break;
		case 'n':
			dry_run = true;
			break;
		}
	}
	if (optind < argc) {
		usage_error("unexpected argument '%s'", argv[optind]);
		return 1;
	}
	if (!dir) {
		usage_error("restore needs -D DIR");
		return 1;
	}
	if (common_start(&co) < 0 || proc_init() < 0)
		return 1;
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		pr_perror("cannot open %s", dir);
		if (dry_run)
			printf("would fail: cannot open %s\n", dir);
		return 1;
	}
	if (pstree_read_images(dirfd, &tree) < 0) {
		if (dry_run)
			printf("would fail: the images of %s cannot be read (see above)\n", dir);
		return 1;
	}
	if (dry_run) {
		r = restore_dry_run(&tree, pidns);
		pstree_free(&tree);
		return r == 0 && fflush(stdout) == 0 ? 0 : 1;
	}
	/* with --pidns, root is the namespace's init: it passes the root's status on */
	r = pidns ? restore_tree_pidns(&tree, &root) : restore_tree(&tree, &root);
	pstree_free(&tree);
	if (r < 0)
		return 1;
	if (!pidns)
		pr_info("restored the tree of pid %d", root);
	if (detach) {
		/* When a process exits, the kernel sends SIGHUP and SIGCONT to a child's process
		 * group that this orphans if it has stopped members: the restored stopped tasks
		 * of a group of their own in our session would die with us. Not when we are in
		 * another session (a group leader cannot leave: then they may). */
		if (!pidns && getsid(0) != getpid() && setsid() < 0)
			pr_debug("restore: setsid: %m (stopped tasks in a group of our session "
				 "get SIGHUP when we exit)");
		printf("%d\n", root);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	while (waitpid(root, &status, 0) < 0) {
		if (errno != EINTR) {
			pr_perror("cannot wait for pid %d", root);
			return 1;
		}
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
