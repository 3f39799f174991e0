/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pstree.img and inventory.img: writing a walked tree, reading a tree back from a directory. */
#ifndef CRIU_LITE_PSTREE_IMAGE_H
#define CRIU_LITE_PSTREE_IMAGE_H

#include "pstree.h"

int pstree_write_images(int dirfd, const struct pstree *tree);
int inventory_write_image(int dirfd, const struct pstree *tree);
/* Reads pstree.img, and the comm and state of each process from its core image; checks that
 * the tree is one tree (one root, parents first, no duplicate pids). */
int pstree_read_images(int dirfd, struct pstree *tree);

#endif
