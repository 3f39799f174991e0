/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CRIU_LITE_IMAGE_DIR_H
#define CRIU_LITE_IMAGE_DIR_H

#include "common.h"

#include <limits.h>

struct image_dir {
	char final[PATH_MAX]; /* DIR as the user named it */
	char tmp[PATH_MAX];   /* where the images are written; "" once renamed or removed */
	int fd;               /* tmp, open */
};

#define IMAGE_DIR_INIT {.fd = -1}

/* Checks DIR is absent or empty and creates the temporary directory beside it. */
int image_dir_create(struct image_dir *id, const char *dir);
/* Flushes the images and renames the temporary directory to DIR. */
int image_dir_commit(struct image_dir *id);
/* Removes the temporary directory and what it holds, if it is still there. */
void image_dir_discard(struct image_dir *id);

#endif
