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
	fputs("Usage: criu-lite restore -D DIR [-d]\n"
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
	      "                         (128+N if a signal N ended it)\n",
	      out);
}

int cmd_restore(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"images-dir", required_argument, NULL, 'D'},
		{"restore-detached", no_argument, NULL, 'd'},
		COMMON_LONG_OPTS,
		{NULL, 0, NULL, 0},
	};
	struct common_opts co = {0};
	struct pstree tree = {0};
	const char *dir = NULL;
	bool detach = false;
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
		return 1;
	}
	if (pstree_read_images(dirfd, &tree) < 0)
		return 1;
	r = restore_tree(&tree, &root);
	pstree_free(&tree);
	if (r < 0)
		return 1;
	pr_info("restored the tree of pid %d", root);
	if (detach) {
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
