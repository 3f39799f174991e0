// SPDX-License-Identifier: GPL-2.0-or-later
/* Nothing inside criu-lite can thaw a tree once criu-lite is SIGKILLed. So a watchdog child
 * follows each step of the dump over a pipe; if the pipe closes before criu-lite says it is done,
 * the watchdog undoes those steps with freezer_release() and image_dir_discard(), the very code
 * a normal run uses. Ptrace needs nothing from it: the kernel detaches the tracees of a dead
 * tracer and lets them run. */
#include "watchdog.h"
#include "freezer.h"
#include "image-dir.h"

#include <signal.h>
#include <stdarg.h>
#include <sys/prctl.h>
#include <sys/wait.h>

/* Messages, one line each:
 *   I PATH                             the temporary image directory
 *   C KIND TEMPORARY WAS_FROZEN PATH   the cgroup chosen
 *   M PID ORIGIN                       a process about to move into the temporary cgroup
 *   Z                                  about to freeze
 *   D                                  all is complete or undone: nothing to do */

struct undo {
	struct freezer fz;
	struct image_dir idir;
};

static int handle_line(struct undo *u, char *line)
{
	struct freezer *fz = &u->fz;
	int kind, temporary, was_frozen, n = 0;

	line[strcspn(line, "\n")] = '\0';
	switch (line[0]) {
	case 'I':
		snprintf(u->idir.tmp, sizeof(u->idir.tmp), "%s", line + 2);
		return 0;
	case 'C':
		if (sscanf(line, "C %d %d %d %n", &kind, &temporary, &was_frozen, &n) != 3 || !n)
			return -1;
		fz->kind = kind;
		fz->temporary = temporary;
		fz->was_frozen = was_frozen;
		snprintf(fz->cgroup, sizeof(fz->cgroup), "%s", line + n);
		fz->cgfd = open(fz->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		return 0;
	case 'M':
		if (sscanf(line, "M %d %n", &kind, &n) != 1 || !n)
			return -1;
		fz->moved = xrealloc(fz->moved, (fz->nr_moved + 1) * sizeof(*fz->moved));
		fz->moved[fz->nr_moved].pid = kind;
		fz->moved[fz->nr_moved].origin = xstrdup(line + n);
		fz->nr_moved++;
		return 0;
	case 'Z':
		fz->frozen = true;
		return 0;
	case 'D':
		return 1;
	}
	return -1;
}

static void __attribute__((noreturn)) watchdog_main(int rfd)
{
	struct undo u = {.fz = FREEZER_INIT, .idir = IMAGE_DIR_INIT};
	FILE *in = fdopen(rfd, "r");
	char *line = NULL;
	size_t cap = 0;
	int r = 0;

	/* A signal to criu-lite's process group (Ctrl-C, kill -9 -PGID) must not reach the
	 * watchdog, which has to outlive its parent. */
	setsid();
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_NAME, "criu-lite-wdog");
	while (in && getline(&line, &cap, in) > 0)
		if ((r = handle_line(&u, line)) != 0)
			break;
	free(line);
	if (r == 1)
		_exit(0);
	if (u.fz.kind != FREEZER_AUTO || u.idir.tmp[0])
		pr_err("criu-lite died during a dump: its watchdog undoes what it had done");
	if (u.fz.kind != FREEZER_AUTO)
		freezer_release(&u.fz, false);
	image_dir_discard(&u.idir);
	_exit(0);
}

int watchdog_start(struct watchdog *wd)
{
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0) {
		pr_perror("cannot create the watchdog's pipe");
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		pr_perror("cannot start the watchdog");
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[1]);
		watchdog_main(fds[0]);
	}
	close(fds[0]);
	wd->fd = fds[1];
	wd->pid = pid;
	return 0;
}

void watchdog_send(struct watchdog *wd, const char *fmt, ...)
{
	char buf[PATH_MAX + 64];
	va_list ap;
	int n;

	if (!wd || wd->fd < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* One line is one write of less than PIPE_BUF: it arrives whole. */
	if (n > 0 && (size_t)n < sizeof(buf) && write(wd->fd, buf, n) != n)
		pr_perror("cannot reach the watchdog");
}

void watchdog_finish(struct watchdog *wd)
{
	if (wd->fd < 0)
		return;
	watchdog_send(wd, "D\n");
	close(wd->fd);
	wd->fd = -1;
	while (waitpid(wd->pid, NULL, 0) < 0 && errno == EINTR)
		;
}
