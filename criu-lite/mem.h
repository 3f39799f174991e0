/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Memory of a frozen process: mm-PID.img (layout, auxv, VMAs), pagemap-PID.img and
 * pages-N.img (the private pages that cannot be found again elsewhere). */
#ifndef CRIU_LITE_MEM_H
#define CRIU_LITE_MEM_H

#include "common.h"
#include "file-table.h"
#include "pstree.h"

struct mem_stats {
	uint64_t vmas;           /* VMAs written to mm images */
	uint64_t pages_scanned;  /* pages of dumpable VMAs looked up in pagemap */
	uint64_t pages_zero;     /* present, but the shared zero page: skipped */
	uint64_t pages_written;  /* pages written to pages-N.img */
	uint64_t pages_fallback; /* of those, read through /proc/PID/mem */
	uint64_t bytes_written;
};

/* Dumps the memory of one live (not zombie) process of a frozen tree: writes mm-PID.img,
 * pagemap-PID.img and pages-<*next_pages_id>.img, then increments *next_pages_id. Mapped files
 * and the exe are registered in ft. stats are added to. */
int mem_dump_task(int dirfd, const struct task *t, struct file_table *ft,
		  unsigned long *next_pages_id, struct mem_stats *stats);

/* mem_dump_task for every live process of the tree, pages ids from 1. */
int mem_dump_tree(int dirfd, const struct pstree *tree, struct file_table *ft,
		  struct mem_stats *stats);

#endif
