/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `ps` output: one format for a tree read from images and for a live one, so they diff. */
#ifndef CRIU_LITE_TREE_PRINT_H
#define CRIU_LITE_TREE_PRINT_H

#include "pstree.h"

int tree_print(const struct pstree *tree, bool json);

#endif
