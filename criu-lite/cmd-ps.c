// SPDX-License-Identifier: GPL-2.0-or-later
/* criu-lite ps: the tree held in images, or a live tree, in one format. */
#include "common.h"
#include "cmd.h"
#include "pstree-image.h"
#include "tree-print.h"

static void usage(FILE *out)
{
	fputs("Usage: criu-lite ps (-D DIR | -t PID) [--json] [--walker=auto|children|scan]\n"
	      "Print a process tree: the one held in the images of DIR, or the live one rooted "
	      "at PID.\n"
	      "Both print the same columns, so their outputs can be diffed; the root's PPID is "
	      "shown as 0.\n\n"
	      "  -D, --images-dir DIR   read the tree from images\n"
	      "  -t, --tree PID         walk the live tree (not frozen: a snapshot of a moving "
	      "tree)\n"
	      "      --json             JSON instead of a table\n"
	      "      --walker=...       how to walk a live tree (default auto)\n",
	      out);
}

int cmd_ps(int argc, char **argv)
{
	enum { OPT_JSON = 256, OPT_WALKER };
	static const struct option longopts[] = {
		{"images-dir", required_argument, NULL, 'D'},
		{"tree", required_argument, NULL, 't'},
		{"json", no_argument, NULL, OPT_JSON},
		{"walker", required_argument, NULL, OPT_WALKER},
		COMMON_LONG_OPTS,
		{NULL, 0, NULL, 0},
	};
	struct common_opts co = {0};
	struct pstree tree = {0};
	enum walker walker = WALKER_AUTO;
	const char *dir = NULL;
	bool json = false;
	pid_t pid = 0;
	int c, r, ret = 1;
	cleanup_fd int dirfd = -1;

	while ((c = getopt_long(argc, argv, "D:t:" COMMON_OPTS, longopts, NULL)) != -1) {
		r = common_option(c, optarg, &co, usage);
		if (r < 0)
			return 1;
		if (r)
			continue;
		switch (c) {
		case 'D':
			dir = optarg;
			break;
		case 't':
			pid = parse_pid(optarg);
			if (pid <= 0) {
				usage_error("invalid pid '%s'", optarg);
				return 1;
			}
			break;
		case OPT_JSON:
			json = true;
			break;
		case OPT_WALKER:
			if (walker_parse(optarg, &walker) < 0) {
				usage_error("--walker takes auto, children or scan, not '%s'", optarg);
				return 1;
			}
			break;
		}
	}
	if (optind < argc) {
		usage_error("unexpected argument '%s'", argv[optind]);
		return 1;
	}
	if (!dir == !pid) {
		usage_error("ps needs exactly one of -D DIR and -t PID");
		return 1;
	}
	if (common_start(&co) < 0 || proc_init() < 0)
		return 1;
	if (dir) {
		dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dirfd < 0) {
			pr_perror("cannot open %s", dir);
			return 1;
		}
		if (pstree_read_images(dirfd, &tree) < 0)
			return 1;
	} else if (pstree_walk(&tree, pid, walker) < 0 || pstree_collect(&tree, NULL, false) < 0) {
		goto out;
	}
	if (tree_print(&tree, json) == 0)
		ret = 0;
out:
	pstree_free(&tree);
	return ret;
}
