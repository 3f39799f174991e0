// SPDX-License-Identifier: GPL-2.0-or-later
/* memtest: a process whose memory is known, for the memory dump tests.
 *
 *   memtest [--dir DIR] [--big MIB] [--status FILE]
 *
 * Forks a child that lays out its memory, then prints one line of JSON on stdout and exits: the
 * child's pid and its regions, each {"name", "addr", "size", "expect"}:
 *   "pattern"  every page holds pattern() and must be dumped
 *   "absent"   no page may be dumped (never touched, or only read: the zero page)
 *   "file"     a private file mapping of 4 pages, all read, page 1 written with pattern():
 *              only page 1 may be dumped
 * The child then waits with all its memory untouched. SIGUSR1 makes it check every region
 * again and write "ok" (or what differs) to the status file; SIGTERM ends it.
 *
 * pattern(): the page's own address in its first 8 bytes, then (i * 7 + 3 + page number) & 0xff
 * at offset i, so that a page stored at the wrong place never passes for the right one. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096ul

enum expect { PATTERN, ABSENT, FILE_PAGE1 };

struct region {
	const char *name;
	uint8_t *addr;
	size_t size;
	enum expect expect;
	bool prot_none; /* mprotect'ed PROT_NONE once filled */
};

static const char *const expect_names[] = {"pattern", "absent", "file"};

static struct region regions[16];
static size_t nr_regions;

static uint8_t global_buf[16 * PAGE] __attribute__((aligned(4096)));

static void fill_page(uint8_t *p)
{
	uint64_t a = (uintptr_t)p;
	unsigned int pg = (unsigned int)(a >> 12), i;

	for (i = 8; i < PAGE; i++)
		p[i] = (uint8_t)(i * 7 + 3 + pg);
	memcpy(p, &a, sizeof(a));
}

static bool page_ok(const uint8_t *p)
{
	uint64_t a = (uintptr_t)p, stamp;
	unsigned int pg = (unsigned int)(a >> 12), i;

	memcpy(&stamp, p, sizeof(stamp));
	if (stamp != a)
		return false;
	for (i = 8; i < PAGE; i++)
		if (p[i] != (uint8_t)(i * 7 + 3 + pg))
			return false;
	return true;
}

static void fill(uint8_t *p, size_t size)
{
	size_t off;

	for (off = 0; off < size; off += PAGE)
		fill_page(p + off);
}

static void add(const char *name, void *addr, size_t size, enum expect expect)
{
	regions[nr_regions++] = (struct region){name, addr, size, expect, false};
}

static void *map_anon(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("memtest: mmap");
		exit(1);
	}
	return p;
}

static int setup(const char *dir, size_t big_mib)
{
	char path[4096];
	volatile uint8_t sum = 0;
	uint8_t *p;
	size_t i;
	int fd;

	fill(global_buf, sizeof(global_buf));
	add("global", global_buf, sizeof(global_buf), PATTERN);

	/* Below the mmap threshold: from the brk heap. */
	if (posix_memalign((void **)&p, PAGE, 16 * PAGE)) {
		fputs("memtest: out of memory\n", stderr);
		return -1;
	}
	fill(p, 16 * PAGE);
	add("heap", p, 16 * PAGE, PATTERN);

	p = map_anon(256 * PAGE);
	fill(p, 256 * PAGE);
	add("anon", p, 256 * PAGE, PATTERN);

	p = map_anon(256 * PAGE);
	add("untouched", p, 256 * PAGE, ABSENT);

	/* Read, never written: every page is the shared zero page. 16 pages hold no aligned
	 * 2 MiB range, so no huge zero page either. */
	p = map_anon(16 * PAGE);
	for (i = 0; i < 16 * PAGE; i += PAGE)
		sum += p[i];
	add("zero", p, 16 * PAGE, ABSENT);

	p = map_anon(2 * PAGE);
	fill(p, 2 * PAGE);
	if (mprotect(p, 2 * PAGE, PROT_NONE) < 0) {
		perror("memtest: mprotect");
		return -1;
	}
	add("prot_none", p, 2 * PAGE, PATTERN);
	regions[nr_regions - 1].prot_none = true;

	snprintf(path, sizeof(path), "%s/memtest-file.%d", dir, getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		perror("memtest: cannot create the mapped file");
		return -1;
	}
	p = malloc(4 * PAGE);
	memset(p, 'F', 4 * PAGE);
	if (!p || write(fd, p, 4 * PAGE) != 4 * PAGE) {
		perror("memtest: cannot write the mapped file");
		return -1;
	}
	free(p);
	p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		perror("memtest: mmap of the file");
		return -1;
	}
	for (i = 0; i < 4 * PAGE; i += PAGE)
		sum += p[i];
	fill_page(p + PAGE);
	add("file", p, 4 * PAGE, FILE_PAGE1);

	if (big_mib) {
		p = map_anon(big_mib << 20);
		fill(p, big_mib << 20);
		add("big", p, big_mib << 20, PATTERN);
	}
	(void)sum;
	return 0;
}

/* Checks every region; returns the name of the first that changed, or NULL. */
static const char *check(void)
{
	size_t r, off;

	for (r = 0; r < nr_regions; r++) {
		struct region *rg = &regions[r];
		bool ok = true;

		if (rg->prot_none)
			mprotect(rg->addr, rg->size, PROT_READ);
		for (off = 0; off < rg->size && ok; off += PAGE) {
			const uint8_t *pg = rg->addr + off;

			switch (rg->expect) {
			case PATTERN:
				ok = page_ok(pg);
				break;
			case ABSENT:
				ok = pg[0] == 0 && !memcmp(pg, pg + 1, PAGE - 1);
				break;
			case FILE_PAGE1:
				ok = off == PAGE ? page_ok(pg)
						 : pg[0] == 'F' && !memcmp(pg, pg + 1, PAGE - 1);
				break;
			}
		}
		if (rg->prot_none)
			mprotect(rg->addr, rg->size, PROT_NONE);
		if (!ok)
			return rg->name;
	}
	return NULL;
}

static void *idle_thread(void *arg)
{
	for (;;)
		pause();
	return NULL;
}

static void write_status(const char *path)
{
	const char *bad = check();
	FILE *f;

	if (!path)
		return;
	f = fopen(path, "w");
	if (!f)
		return;
	if (bad)
		fprintf(f, "changed: %s\n", bad);
	else
		fputs("ok\n", f);
	fclose(f);
}

static void print_json(FILE *out)
{
	size_t r;

	fprintf(out, "{\"pid\": %d, \"regions\": [", getpid());
	for (r = 0; r < nr_regions; r++)
		fprintf(out, "%s{\"name\": \"%s\", \"addr\": %" PRIuPTR ", \"size\": %zu, "
			     "\"expect\": \"%s\"}",
			r ? ", " : "", regions[r].name, (uintptr_t)regions[r].addr, regions[r].size,
			expect_names[regions[r].expect]);
	fputs("]}\n", out);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"dir", required_argument, NULL, 'd'},
		{"big", required_argument, NULL, 'b'},
		{"status", required_argument, NULL, 's'},
		{NULL, 0, NULL, 0},
	};
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", *status = NULL;
	size_t big_mib = 0;
	int pipefd[2], c, sig, devnull;
	pthread_t th;
	sigset_t set;
	char line[8192];
	ssize_t n;
	pid_t pid;
	FILE *out;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 'b':
			big_mib = strtoul(optarg, NULL, 10);
			break;
		case 's':
			status = optarg;
			break;
		default:
			fputs("usage: memtest [--dir DIR] [--big MIB] [--status FILE]\n", stderr);
			return 2;
		}
	}
	if (pipe(pipefd) < 0) {
		perror("memtest: pipe");
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		perror("memtest: fork");
		return 1;
	}
	if (pid > 0) {
		/* The parent passes the child's report on and goes, so that $(memtest) returns. */
		close(pipefd[1]);
		n = read(pipefd[0], line, sizeof(line) - 1);
		if (n <= 0)
			return 1;
		fwrite(line, 1, n, stdout);
		return 0;
	}
	close(pipefd[0]);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL); /* the thread inherits the mask */
	if (setup(dir, big_mib) < 0)
		return 1;
	if (pthread_create(&th, NULL, idle_thread, NULL)) {
		fputs("memtest: cannot create a thread\n", stderr);
		return 1;
	}
	out = fdopen(pipefd[1], "w");
	print_json(out);
	fclose(out);
	devnull = open("/dev/null", O_RDWR);
	dup2(devnull, STDIN_FILENO);
	dup2(devnull, STDOUT_FILENO);
	close(devnull);
	for (;;) {
		if (sigwait(&set, &sig))
			continue;
		if (sig == SIGTERM)
			return 0;
		write_status(status);
	}
}
