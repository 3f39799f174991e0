/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small ids for the kernel objects processes share (mm, files, fs, sighand), found with kcmp. */
#ifndef CRIU_LITE_IDS_H
#define CRIU_LITE_IDS_H

#include "pstree.h"

/* Fills task.ids for every live process of the tree. */
int ids_assign(struct pstree *tree);
/* Writes ids-PID.img for every live process. */
int ids_write_images(int dirfd, const struct pstree *tree);

#endif
