// SPDX-License-Identifier: GPL-2.0-or-later
/* criu-lite cleanup: undoes what a dump left behind when both it and its watchdog died (a
 * temporary freezer cgroup criu-lite.PID whose PID is gone): its tasks are moved to the root
 * of the v1 freezer hierarchy and thawed, and the cgroup removed. Says what it did. */
#include "common.h"
#include "cmd.h"
#include "proc.h"

#include <limits.h>

static void usage(FILE *out)
{
	fputs("Usage: criu-lite cleanup\n"
	      "Find temporary freezer cgroups left by dumps that died (criu-lite.PID with no live\n"
	      "PID), move their tasks out, thaw them and remove the cgroups.\n",
	      out);
}

/* Whether pid is a live criu-lite (a dump still running owns its cgroup). */
static bool dumper_alive(pid_t pid)
{
	char path[32], comm[32];

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	if (read_small_file(path, comm, sizeof(comm)) < 0)
		return false;
	return !strncmp(comm, "criu-lite", 9);
}

static int undo_cgroup(const char *mount, const char *name)
{
	char dir[PATH_MAX], procs[PATH_MAX], root_procs[PATH_MAX], line[32];
	cleanup_file FILE *f = NULL;
	int moved = 0, ret = 0;

	if (path_join(dir, sizeof(dir), mount, name) < 0 ||
	    path_join(procs, sizeof(procs), dir, "cgroup.procs") < 0 ||
	    path_join(root_procs, sizeof(root_procs), mount, "cgroup.procs") < 0)
		return -1;
	/* Moving a frozen task into the (thawed) root cgroup thaws it. */
	f = fopen(procs, "re");
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (write_str(root_procs, line) < 0 && errno != ESRCH) {
			pr_perror("cannot move %s out of %s", line, dir);
			ret = -1;
			continue;
		}
		moved++;
	}
	if (write_str_at(AT_FDCWD, strcat(strcpy(procs, dir), "/freezer.state"), "THAWED") < 0 &&
	    errno != ENOENT)
		pr_perror("cannot thaw %s", dir);
	if (rmdir(dir) < 0) {
		pr_perror("cannot remove %s", dir);
		return -1;
	}
	printf("removed %s: %d process%s moved to %s and thawed\n", dir, moved,
	       moved == 1 ? "" : "es", mount);
	return ret;
}

int cmd_cleanup(int argc, char **argv)
{
	static const struct option longopts[] = {COMMON_LONG_OPTS, {NULL, 0, NULL, 0}};
	char v1mount[PATH_MAX], v2mount[PATH_MAX];
	struct common_opts co = {0};
	cleanup_dir DIR *d = NULL;
	struct dirent *de;
	int c, r, ret = 0, found = 0;

	while ((c = getopt_long(argc, argv, COMMON_OPTS, longopts, NULL)) != -1) {
		r = common_option(c, optarg, &co, usage);
		if (r < 0)
			return 1;
	}
	if (optind < argc) {
		usage_error("unexpected argument '%s'", argv[optind]);
		return 1;
	}
	if (common_start(&co) < 0)
		return 1;
	if (proc_cgroup_mounts(v1mount, sizeof(v1mount), v2mount, sizeof(v2mount)) < 0) {
		pr_perror("cannot read the mount table");
		return 1;
	}
	if (v1mount[0] && !(d = opendir(v1mount))) {
		pr_perror("cannot list %s", v1mount);
		return 1;
	}
	while (d && (de = readdir(d))) {
		pid_t owner;

		if (strncmp(de->d_name, "criu-lite.", 10))
			continue;
		owner = parse_pid(de->d_name + 10);
		if (owner <= 0 || dumper_alive(owner))
			continue;
		found++;
		if (undo_cgroup(v1mount, de->d_name) < 0)
			ret = 1;
	}
	if (!found)
		printf("nothing to clean up\n");
	return ret;
}
