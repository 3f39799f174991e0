// SPDX-License-Identifier: GPL-2.0-or-later
/* The image directory is written aside, beside DIR, and renamed into place only when complete:
 * DIR never holds a checkpoint that looks whole but is not. */
#include "image-dir.h"

#include <libgen.h>
#include <sys/stat.h>

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

int image_dir_create(struct image_dir *id, const char *dir)
{
	char dcopy[PATH_MAX], bcopy[PATH_MAX];
	struct stat st;

	id->fd = -1;
	snprintf(id->final, sizeof(id->final), "%s", dir);
	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode)) {
			pr_err("%s exists and is not a directory", dir);
			return -1;
		}
		if (!dir_is_empty(dir)) {
			pr_err("%s is not empty; give a new or empty directory", dir);
			return -1;
		}
	} else if (errno != ENOENT) {
		pr_perror("cannot use %s", dir);
		return -1;
	}
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

