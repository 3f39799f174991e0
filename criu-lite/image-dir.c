// SPDX-License-Identifier: GPL-2.0-or-later
/* The image directory is written aside, beside DIR, and renamed into place only when complete:
 * DIR never holds a checkpoint that looks whole but is not. */
#include "image-dir.h"

#include <libgen.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>

static bool dir_is_empty(const char *path)
{
	cleanup_dir DIR *d = opendir(path);
	struct dirent *de;

	if (!d)
		return false;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			return false;
	return true;
}

/* Images cannot live in /proc, /sys or a cgroup file system (a mkdir there makes a cgroup). */
static bool is_pseudo_fs(const char *path)
{
	struct statfs sfs;

	if (statfs(path, &sfs) < 0)
		return false;
	return sfs.f_type == PROC_SUPER_MAGIC || sfs.f_type == SYSFS_MAGIC ||
	       sfs.f_type == CGROUP_SUPER_MAGIC || sfs.f_type == CGROUP2_SUPER_MAGIC;
}

/* Everything that would make the final rename fail is found here, before the tree is touched. */
static int check_target(struct image_dir *id, const char *dir)
{
	char copy[PATH_MAX], parent[PATH_MAX], resolved[PATH_MAX];
	struct stat st, pst;

	if (!dir[0]) {
		pr_err("-D needs a directory name");
		return -1;
	}
	/* dirname() writes into its argument and may return a pointer into it. */
	snprintf(copy, sizeof(copy), "%s", dir);
	snprintf(parent, sizeof(parent), "%s", dirname(copy));
	if (stat(dir, &st) < 0) {
		if (errno != ENOENT) {
			pr_perror("cannot use %s", dir);
			return -1;
		}
		if (stat(parent, &pst) < 0 || !S_ISDIR(pst.st_mode)) {
			pr_err("cannot create %s: %s is not a directory", dir, parent);
			return -1;
		}
	} else {
		if (!S_ISDIR(st.st_mode)) {
			pr_err("%s exists and is not a directory", dir);
			return -1;
		}
		if (!dir_is_empty(dir)) {
			pr_err("%s is not empty; give a new or empty directory", dir);
			return -1;
		}
		/* A symlink is followed: the images replace the directory it points to. */
		if (!realpath(dir, resolved)) {
			pr_perror("cannot resolve %s", dir);
			return -1;
		}
		snprintf(id->final, sizeof(id->final), "%s", resolved);
		snprintf(parent, sizeof(parent), "%s", dirname(resolved));
		if (stat(parent, &pst) == 0 && pst.st_dev != st.st_dev) {
			pr_err("%s is a mount point: give a directory inside it", dir);
			return -1;
		}
	}
	if (is_pseudo_fs(parent)) {
		pr_err("%s is on a pseudo file system (/proc, /sys or cgroup): images cannot go there",
		       dir);
		return -1;
	}
	return 0;
}

int image_dir_create(struct image_dir *id, const char *dir)
{
	char dcopy[PATH_MAX], bcopy[PATH_MAX];

	id->fd = -1;
	snprintf(id->final, sizeof(id->final), "%s", dir);
	if (check_target(id, dir) < 0)
		return -1;
	dir = id->final;
	/* The temporary directory sits beside DIR, so the final rename stays on one file system. */
	snprintf(dcopy, sizeof(dcopy), "%s", dir);
	snprintf(bcopy, sizeof(bcopy), "%s", dir);
	if (snprintf(id->tmp, sizeof(id->tmp), "%s/.%s.criu-lite-XXXXXX", dirname(dcopy),
		     basename(bcopy)) >= (int)sizeof(id->tmp) ||
	    !mkdtemp(id->tmp)) {
		pr_perror("cannot create a directory beside %s", dir);
		id->tmp[0] = '\0';
		return -1;
	}
	id->fd = open(id->tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (id->fd < 0) {
		pr_perror("cannot open %s", id->tmp);
		return -1;
	}
	return 0;
}

void image_dir_discard(struct image_dir *id)
{
	cleanup_dir DIR *d = NULL;
	struct dirent *de;

	if (!id->tmp[0])
		return;
	/* A watchdog knows only the path. */
	if (id->fd < 0)
		id->fd = open(id->tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (id->fd >= 0 && !(d = fdopendir(id->fd)))
		close(id->fd);
	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			unlinkat(dirfd(d), de->d_name, 0);
	id->fd = -1; /* closed with d */
	rmdir(id->tmp);
	id->tmp[0] = '\0';
}

int image_dir_commit(struct image_dir *id)
{
	if (syncfs(id->fd) < 0) {
		pr_perror("cannot flush the images in %s", id->tmp);
		return -1;
	}
	if (rename(id->tmp, id->final) < 0) {
		pr_perror("cannot rename %s to %s", id->tmp, id->final);
		return -1;
	}
	close(id->fd);
	id->fd = -1;
	id->tmp[0] = '\0';
	return 0;
}

