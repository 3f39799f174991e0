/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Includes, cleanup helpers and small macros every criu-lite file uses. */
#ifndef CRIU_LITE_COMMON_H
#define CRIU_LITE_COMMON_H

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>
#include <dirent.h>

#include "log.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define TASK_COMM_LEN 16

/* Scope-bound resources, released on every return path. */
static inline void close_fdp(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
static inline void freep(void *p)
{
	free(*(void **)p);
}
static inline void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}
static inline void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}
#define cleanup_fd   __attribute__((cleanup(close_fdp)))
#define cleanup_free __attribute__((cleanup(freep)))
#define cleanup_dir  __attribute__((cleanup(closedirp)))
#define cleanup_file __attribute__((cleanup(fclosep)))

/* Hand a cleanup-managed fd or pointer to someone else. */
static inline int steal_fd(int *fd)
{
	int ret = *fd;
	*fd = -1;
	return ret;
}
#define steal_ptr(p)                                                                               \
	({                                                                                         \
		__typeof__(p) _tmp = (p);                                                          \
		(p) = NULL;                                                                        \
		_tmp;                                                                              \
	})

void *xmalloc(size_t size);
void *xzalloc(size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);

/* Reads a whole small file (under /proc or /sys) into buf, NUL-terminated. Returns its length or
 * -1 with errno set; never logs, callers decide how bad a failure is. */
ssize_t read_small_file_at(int dirfd, const char *path, char *buf, size_t size);
ssize_t read_small_file(const char *path, char *buf, size_t size);
int write_str_at(int dirfd, const char *path, const char *str);
int write_str(const char *path, const char *str);

/* Joins a and b into out; -1 (ENAMETOOLONG) if it does not fit. */
int path_join(char *out, size_t size, const char *a, const char *b);

/* Parses a decimal pid; returns -1 unless the whole string is a positive pid. */
pid_t parse_pid(const char *s);

/* A growable array of pids. */
struct pidvec {
	pid_t *v;
	size_t n, cap;
};
void pidvec_push(struct pidvec *pv, pid_t pid);
void pidvec_free(struct pidvec *pv);

/* Monotonic clock in nanoseconds, for the log's timings. */
uint64_t now_ns(void);

#endif
