// SPDX-License-Identifier: GPL-2.0-or-later
/* Allocation, small-file and pid helpers shared by every module. */
#include "common.h"

#include <time.h>

static void out_of_memory(void)
{
	fputs("criu-lite: error: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		out_of_memory();
	return p;
}

void *xzalloc(size_t size)
{
	void *p = calloc(1, size ? size : 1);

	if (!p)
		out_of_memory();
	return p;
}

void *xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (!p)
		out_of_memory();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		out_of_memory();
	return p;
}

ssize_t read_small_file_at(int dirfd, const char *path, char *buf, size_t size)
{
	cleanup_fd int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;

	if (fd < 0)
		return -1;
	while (len < size - 1) {
		ssize_t n = read(fd, buf + len, size - 1 - len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		len += n;
	}
	buf[len] = '\0';
	return len;
}

ssize_t read_small_file(const char *path, char *buf, size_t size)
{
	return read_small_file_at(AT_FDCWD, path, buf, size);
}

int write_str_at(int dirfd, const char *path, const char *str)
{
	cleanup_fd int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(str);

	if (fd < 0)
		return -1;
	if (write(fd, str, len) != (ssize_t)len)
		return -1;
	return 0;
}

int write_str(const char *path, const char *str)
{
	return write_str_at(AT_FDCWD, path, str);
}

int path_join(char *out, size_t size, const char *a, const char *b)
{
	/* "/sys/fs/cgroup" + "/x" must not become "/sys/fs/cgroup//x": paths are compared. */
	int n = snprintf(out, size, "%s%s%s", a, b[0] == '/' ? "" : "/", b);

	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

pid_t parse_pid(const char *s)
{
	char *end;
	long v;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v <= 0 || v > INT32_MAX)
		return -1;
	return (pid_t)v;
}

void pidvec_push(struct pidvec *pv, pid_t pid)
{
	if (pv->n == pv->cap) {
		pv->cap = pv->cap ? pv->cap * 2 : 16;
		pv->v = xrealloc(pv->v, pv->cap * sizeof(*pv->v));
	}
	pv->v[pv->n++] = pid;
}

void pidvec_free(struct pidvec *pv)
{
	free(pv->v);
	pv->v = NULL;
	pv->n = pv->cap = 0;
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}
