/* SPDX-License-Identifier: GPL-2.0-or-later */
/* File descriptors, cwd/root and pipe contents of a frozen tree: fdinfo-F.img per files table,
 * fs-P.img per process, pipes-data.img, and their file_entry records in the shared file table. */
#ifndef CRIU_LITE_FILES_H
#define CRIU_LITE_FILES_H

#include "common.h"
#include "file-table.h"
#include "pstree.h"

/* Dumps the descriptors of every distinct files table of the tree (each files_id once), the
 * cwd, root and umask of every live process, and the unread bytes of every pipe (left in the
 * pipe). A descriptor of a kind not supported yet (sockets, anon inodes, deleted files...)
 * fails the dump naming pid, fd and kind, unless skip_unsupported: then it is left out with a
 * warning. */
int files_dump_tree(int dirfd, const struct pstree *tree, struct file_table *ft,
		    bool skip_unsupported);

#endif
