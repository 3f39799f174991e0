/* SPDX-License-Identifier: GPL-2.0-or-later */
/* files.img: one file_entry per distinct file the dumped tree uses, shared by every dump module
 * (memory mappings and exe links, file descriptors, pipes, ttys...). Ids are small integers from
 * 1, unique over all kinds, as file_entry.id, vma_entry.shmid, mm_entry.exe_file_id and
 * fdinfo_entry.id expect them. */
#ifndef CRIU_LITE_FILE_TABLE_H
#define CRIU_LITE_FILE_TABLE_H

#include "common.h"

#include "fdinfo.pb-c.h"

struct file_table {
	FileEntry **entries; /* entries[i] has id i + 1 */
	size_t nr, cap;
	/* regular files by (name, flags, pos): indices + 1 into entries, 0 for a free slot */
	uint32_t *reg_slots;
	size_t reg_nr, reg_cap;
};

#define FILE_TABLE_INIT {0}

/* Takes a heap-allocated file_entry whose members (sub-messages, strings) are all heap-allocated
 * too, sets its id (and its member's id) and returns it. The table frees it. For modules that
 * add kinds of their own (pipes, ttys...): build the member, then call this. */
uint32_t file_table_add(struct file_table *ft, FileEntry *fe);

/* A new entry for a regular file (or directory, or device) by absolute path, never shared:
 * what an open descriptor needs, since two descriptions of one file are two objects. */
uint32_t file_table_new_reg(struct file_table *ft, const char *path, uint32_t flags, uint64_t pos,
			    uint32_t mode, uint64_t size);

/* A regular file (or a directory) by absolute path. Calls with the same path, flags and pos
 * return the same id, so every mapping of a library and the exe link share one entry. */
uint32_t file_table_add_reg(struct file_table *ft, const char *path, uint32_t flags, uint64_t pos,
			    uint32_t mode, uint64_t size);

/* Writes files.img: every entry, in id order. */
int file_table_write(int dirfd, const struct file_table *ft);

void file_table_free(struct file_table *ft);

#endif
