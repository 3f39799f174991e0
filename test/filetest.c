// SPDX-License-Identifier: GPL-2.0-or-later
/* filetest: a process whose file descriptors are known, for the file dump tests.
 *
 *   filetest --dir DIR [--status FILE] [--socket]
 *
 * Forks a child (the test process) that, with only its own descriptors open:
 *   - writes a 4096-byte pattern file DIR/filetest-data.PID, opens it O_RDWR at offset 1234
 *     ("reg"), dup()s it ("dup", same open file description) and dup2()s it to fd 100 ("high");
 *   - makes a pipe ("pipe_r", "pipe_w") and leaves PIPE_BYTES unread bytes in it, pattern
 *     (i * 7 + 3) & 0xff;
 *   - opens /dev/null O_RDWR|O_CLOEXEC ("null");
 *   - with --socket, opens an AF_UNIX socket ("socket");
 *   - chdir()s to DIR;
 *   - forks a grandchild ("child") that shares all of this and waits.
 * It points fds 0-2 at /dev/null, prints one line of JSON (through its parent) with those pids
 * and fd numbers and waits. SIGUSR1 makes it check that the file offset is still 1234 and the pipe
 * still holds exactly the same bytes (read, compared and written back) and write "ok" (or what
 * differs) to the status file; SIGTERM ends it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILE_SIZE  4096
#define FILE_POS   1234
#define PIPE_BYTES 100
#define HIGH_FD	   100

static int reg_fd, dup_fd, pipe_r, pipe_w, null_fd, sock_fd = -1;

static unsigned char pattern(size_t i)
{
	return (unsigned char)((i * 7 + 3) & 0xff);
}

/* Closes every descriptor but the one given, so that the test process holds only its own. */
static void close_others(int keep)
{
	int fd, max = (int)sysconf(_SC_OPEN_MAX);

	if (max < 0 || max > 65536)
		max = 65536;
	for (fd = 3; fd < max; fd++)
		if (fd != keep)
			close(fd);
}

static int setup(const char *dir, bool with_socket)
{
	unsigned char buf[FILE_SIZE];
	char path[4096];
	int fds[2];
	size_t i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = pattern(i);
	snprintf(path, sizeof(path), "%s/filetest-data.%d", dir, getpid());
	reg_fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (reg_fd < 0 || write(reg_fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf) ||
	    lseek(reg_fd, FILE_POS, SEEK_SET) != FILE_POS) {
		perror("filetest: pattern file");
		return -1;
	}
	dup_fd = dup(reg_fd);
	if (dup_fd < 0 || dup2(reg_fd, HIGH_FD) < 0) {
		perror("filetest: dup");
		return -1;
	}
	if (pipe(fds) < 0 || write(fds[1], buf, PIPE_BYTES) != PIPE_BYTES) {
		perror("filetest: pipe");
		return -1;
	}
	pipe_r = fds[0];
	pipe_w = fds[1];
	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null_fd < 0) {
		perror("filetest: /dev/null");
		return -1;
	}
	if (with_socket) {
		sock_fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (sock_fd < 0) {
			perror("filetest: socket");
			return -1;
		}
	}
	if (chdir(dir) < 0) {
		perror("filetest: chdir");
		return -1;
	}
	return 0;
}

/* NULL if all is as it was set up, else what differs. */
static const char *check(void)
{
	unsigned char buf[PIPE_BYTES + 1];
	int avail = -1, fl;
	ssize_t n;
	size_t i;

	if (lseek(reg_fd, 0, SEEK_CUR) != FILE_POS)
		return "file offset";
	if (ioctl(pipe_r, FIONREAD, &avail) < 0 || avail != PIPE_BYTES)
		return "pipe byte count";
	fl = fcntl(pipe_r, F_GETFL);
	fcntl(pipe_r, F_SETFL, fl | O_NONBLOCK);
	n = read(pipe_r, buf, sizeof(buf));
	fcntl(pipe_r, F_SETFL, fl);
	if (n > 0 && write(pipe_w, buf, (size_t)n) != n)
		return "pipe write-back";
	if (n != PIPE_BYTES)
		return "pipe length";
	for (i = 0; i < PIPE_BYTES; i++)
		if (buf[i] != pattern(i))
			return "pipe bytes";
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

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"dir", required_argument, NULL, 'd'},
	    {"status", required_argument, NULL, 's'},
	    {"socket", no_argument, NULL, 'S'},
	    {NULL, 0, NULL, 0},
	};
	const char *dir = NULL, *status = NULL;
	bool with_socket = false;
	int c, sig, devnull, report[2];
	char line[512];
	pid_t pid, child;
	sigset_t set;
	ssize_t n;
	FILE *out;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 's':
			status = optarg;
			break;
		case 'S':
			with_socket = true;
			break;
		default:
			fputs("usage: filetest --dir DIR [--status FILE] [--socket]\n", stderr);
			return 2;
		}
	}
	if (!dir) {
		fputs("filetest: --dir is needed\n", stderr);
		return 2;
	}
	if (pipe(report) < 0) {
		perror("filetest: pipe");
		return 1;
	}
	pid = fork();
	if (pid < 0) {
		perror("filetest: fork");
		return 1;
	}
	if (pid > 0) {
		/* The parent passes the report on and goes, so that $(filetest) returns. */
		close(report[1]);
		n = read(report[0], line, sizeof(line) - 1);
		if (n <= 0)
			return 1;
		fwrite(line, 1, (size_t)n, stdout);
		return 0;
	}
	close(report[0]);
	close_others(report[1]);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (setup(dir, with_socket) < 0)
		return 1;
	/* Nothing of the caller's may stay open here, or in the grandchild: $(filetest) would
	 * wait for it. */
	devnull = open("/dev/null", O_RDWR);
	dup2(devnull, STDIN_FILENO);
	dup2(devnull, STDOUT_FILENO);
	dup2(devnull, STDERR_FILENO);
	if (devnull > STDERR_FILENO)
		close(devnull);
	child = fork();
	if (child < 0)
		return 1;
	if (child == 0) {
		close(report[1]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			pause();
	}
	out = fdopen(report[1], "w");
	if (!out)
		return 1;
	fprintf(out,
		"{\"pid\": %d, \"child\": %d, \"reg\": %d, \"dup\": %d, \"high\": %d, "
		"\"pipe_r\": %d, \"pipe_w\": %d, \"null\": %d, \"socket\": %d, "
		"\"file\": \"%s/filetest-data.%d\", \"pos\": %d, \"pipe_bytes\": %d}\n",
		getpid(), child, reg_fd, dup_fd, HIGH_FD, pipe_r, pipe_w, null_fd, sock_fd, dir,
		getpid(), FILE_POS, PIPE_BYTES);
	fclose(out);
	for (;;) {
		if (sigwait(&set, &sig))
			continue;
		if (sig == SIGTERM) {
			kill(child, SIGKILL);
			return 0;
		}
		write_status(status);
	}
}
