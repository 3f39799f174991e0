// SPDX-License-Identifier: GPL-2.0-or-later
/* criu-lite check: tries each kernel feature a dump or a restore relies on, for real, in
 * throwaway children, and says what this kernel and this user allow. */
#include "common.h"
#include "cmd.h"
#include "freezer.h"
#include "pstree.h"
#include "json.h"
#include "proc.h"

#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>

#include <linux/kcmp.h>
#include <linux/sched.h>

#ifndef CAP_CHECKPOINT_RESTORE
#define CAP_CHECKPOINT_RESTORE 40
#endif

#define PROBE_TIMEOUT_MS 2000
#define NS_PER_MS        1000000ull
/* The comm of every probe child, so that a leftover would be easy to spot. */
#define PROBE_COMM "criu-lite-probe"
/* Temporary cgroups are named TEMP_CGROUP.PID, in the v1 freezer and the v2 hierarchies. */
#define TEMP_CGROUP "criu-lite-check"
/* The pid asked of clone3 and ns_last_pid in a fresh pid namespace. */
#define NS_PID 1000

enum status {
	ST_OK,
	ST_MISSING,
	ST_EPERM,
};

static const char *const status_names[] = {
	[ST_OK] = "ok",
	[ST_MISSING] = "missing",
	[ST_EPERM] = "not permitted",
};

/* What a probe found; a probe child sends it whole through a pipe. */
struct result {
	enum status status;
	char detail[200];
};

static sigset_t orig_mask; /* the caller's, given back to children */
static struct pidvec live; /* our children, until they are reaped */

static void __attribute__((format(printf, 3, 4)))
set_result(struct result *r, enum status status, const char *fmt, ...)
{
	va_list ap;

	r->status = status;
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
}

/* A failed call means the kernel lacks the feature, unless it was refused. */
static enum status errno_status(int err)
{
	return err == EPERM || err == EACCES || err == EROFS ? ST_EPERM : ST_MISSING;
}

static void cannot_probe(struct result *r)
{
	set_result(r, ST_MISSING, "could not run the probe: %m");
}

static void forget_child(pid_t pid)
{
	size_t i;

	for (i = 0; i < live.n; i++) {
		if (live.v[i] == pid) {
			live.v[i] = live.v[--live.n];
			return;
		}
	}
}

static struct timespec ns_to_timespec(uint64_t ns)
{
	return (struct timespec){(time_t)(ns / 1000000000), (long)(ns % 1000000000)};
}

/* Time left before deadline, in ms for poll(); 0 once it has passed. */
static int ms_left(uint64_t deadline)
{
	uint64_t now = now_ns();

	return now >= deadline ? 0 : (int)((deadline - now + NS_PER_MS - 1) / NS_PER_MS);
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = ns_to_timespec(ns);

	nanosleep(&ts, NULL);
}

/* Waits for child pid to change state (flags as for waitpid) until deadline; -1 with errno
 * ETIMEDOUT if it did not. SIGCHLD stays blocked during the check, so none is missed between
 * the look and the wait. */
static int wait_child(pid_t pid, int *status, int flags, uint64_t deadline)
{
	sigset_t chld;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	for (;;) {
		pid_t ret = waitpid(pid, status, flags | WNOHANG);
		struct timespec ts;
		uint64_t now;

		if (ret == pid) {
			if (WIFEXITED(*status) || WIFSIGNALED(*status))
				forget_child(pid);
			return 0;
		}
		if (ret < 0 && errno != EINTR)
			return -1;
		now = now_ns();
		if (now >= deadline) {
			errno = ETIMEDOUT;
			return -1;
		}
		ts = ns_to_timespec(deadline - now);
		sigtimedwait(&chld, NULL, &ts);
	}
}

/* SIGKILLs a child of ours and reaps it; a cleanup handler. */
static void kill_childp(pid_t *pid)
{
	uint64_t deadline = now_ns() + PROBE_TIMEOUT_MS * NS_PER_MS;
	int status;

	if (*pid <= 0)
		return;
	kill(*pid, SIGKILL);
	/* A tracee may still have a stop to report before its death. */
	do {
		if (wait_child(*pid, &status, __WALL, deadline) < 0) {
			pr_perror("probe child %d did not go away", *pid);
			break;
		}
	} while (!WIFEXITED(status) && !WIFSIGNALED(status));
	*pid = -1;
}
#define cleanup_child __attribute__((cleanup(kill_childp)))

/* Forks a probe child that dies with its parent. Returns its pid, 0 in the child, or -1. */
static pid_t fork_child(void)
{
	pid_t parent = getpid(), pid, ppid;

	pid = fork();
	if (pid < 0) {
		pr_perror("cannot fork a probe child");
		return -1;
	}
	if (pid > 0) {
		pidvec_push(&live, pid);
		return pid;
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* The parent may have gone before the line above; in a new pid namespace it is 0. */
	ppid = getppid();
	if (ppid != parent && ppid != 0)
		_exit(127);
	prctl(PR_SET_NAME, PROBE_COMM);
	sigprocmask(SIG_SETMASK, &orig_mask, NULL);
	return 0;
}

static pid_t spawn_sleeper(void)
{
	pid_t pid = fork_child();

	if (pid == 0) {
		for (;;)
			pause();
	}
	return pid;
}

/* ---- probes that run in a child and send back their result ---- */

/* For a probe that asked for a new pid namespace, unshare_err is 0 when it runs as the init of
 * one, else why unshare failed: it then runs on the host, if it can without side effects. */
typedef void (*child_probe_fn)(struct result *r, int unshare_err);

static void __attribute__((noreturn)) child_probe_main(int wr, child_probe_fn fn, bool newpidns)
{
	struct result r = {ST_MISSING, ""};
	int err = 0, status;
	pid_t pid;

	if (newpidns && unshare(CLONE_NEWPID) < 0)
		err = errno;
	if (newpidns && !err) {
		/* Our first child is the init of the new namespace; it sends the result. */
		pid = fork_child();
		if (pid < 0) {
			cannot_probe(&r);
		} else if (pid == 0) {
			fn(&r, 0);
			if (write(wr, &r, sizeof(r)) < 0)
				_exit(1);
			_exit(0);
		} else {
			waitpid(pid, &status, __WALL);
			_exit(0);
		}
	} else {
		fn(&r, err);
	}
	if (write(wr, &r, sizeof(r)) < 0)
		_exit(1);
	_exit(0);
}

static void run_child_probe(struct result *r, child_probe_fn fn, bool newpidns, uint64_t deadline)
{
	cleanup_fd int rd = -1, wr = -1;
	cleanup_child pid_t pid = -1;
	struct pollfd pfd;
	int fds[2], status;
	ssize_t n = -1;

	if (pipe2(fds, O_CLOEXEC) < 0) {
		pr_perror("cannot create a pipe");
		cannot_probe(r);
		return;
	}
	rd = fds[0];
	wr = fds[1];
	pid = fork_child();
	if (pid < 0) {
		cannot_probe(r);
		return;
	}
	if (pid == 0)
		child_probe_main(wr, fn, newpidns);
	close(steal_fd(&wr));

	pfd = (struct pollfd){.fd = rd, .events = POLLIN};
	while (poll(&pfd, 1, ms_left(deadline)) < 0 && errno == EINTR)
		;
	if (pfd.revents & (POLLIN | POLLHUP))
		n = read(rd, r, sizeof(*r));
	if (n != sizeof(*r) || r->status > ST_EPERM) {
		if (n < 0 && !pfd.revents)
			set_result(r, ST_MISSING, "timed out after %d ms", PROBE_TIMEOUT_MS);
		else
			set_result(r, ST_MISSING, "the probe child died without an answer");
		return; /* the cleanup kills it */
	}
	r->detail[sizeof(r->detail) - 1] = '\0';
	if (wait_child(pid, &status, 0, deadline) == 0)
		pid = -1;
}

static void pidns_child(struct result *r, int unshare_err)
{
	if (unshare_err) {
		errno = unshare_err;
		set_result(r, errno_status(unshare_err), "unshare(CLONE_NEWPID): %m");
	} else if (getpid() != 1) {
		set_result(r, ST_MISSING,
			   "the first child of a new pid namespace got pid %d, not 1", getpid());
	} else {
		set_result(r, ST_OK, "unshare(CLONE_NEWPID) then fork gives pid 1");
	}
}

/* A pid no process has on the host now, for probes that cannot use a namespace. */
static pid_t free_host_pid(void)
{
	char buf[32], name[16];
	pid_t pid, max = 32768;

	if (read_small_file("/proc/sys/kernel/pid_max", buf, sizeof(buf)) > 0)
		max = (pid_t)strtol(buf, NULL, 10);
	for (pid = max - 1; pid > max - 1000 && pid > 300; pid--) {
		snprintf(name, sizeof(name), "%d", pid);
		if (faccessat(proc_fd(), name, F_OK, 0) < 0)
			return pid;
	}
	return max - 1;
}

static void clone3_child(struct result *r, int unshare_err)
{
	pid_t want = unshare_err ? free_host_pid() : NS_PID, pid;
	struct clone_args args;
	int status;

	memset(&args, 0, sizeof(args));
	args.exit_signal = SIGCHLD;
	args.set_tid = (uintptr_t)&want;
	args.set_tid_size = 1;
	pid = (pid_t)syscall(SYS_clone3, &args, CLONE_ARGS_SIZE_VER1);
	if (pid == 0)
		_exit(0);
	if (pid < 0) {
		if (errno == ENOSYS)
			set_result(r, ST_MISSING, "no clone3 (needs Linux 5.3)");
		else if (errno == E2BIG)
			set_result(r, ST_MISSING, "clone3 without set_tid (needs Linux 5.5)");
		else if (errno == EEXIST)
			set_result(r, ST_OK, "set_tid allowed (pid %d was taken)", want);
		else
			set_result(r, errno_status(errno), "clone3 with set_tid %d%s: %m", want,
				   unshare_err ? " on the host" : "");
		return;
	}
	waitpid(pid, &status, 0);
	if (pid != want)
		set_result(r, ST_MISSING, "clone3 with set_tid %d gave pid %d", want, pid);
	else if (unshare_err)
		set_result(r, ST_OK, "clone3 gave the chosen pid %d on the host", pid);
	else
		set_result(r, ST_OK, "clone3 gave the chosen pid %d in a new pid namespace", pid);
}

#define NS_LAST_PID "/proc/sys/kernel/ns_last_pid"

static void ns_last_pid_child(struct result *r, int unshare_err)
{
	char buf[32];
	pid_t pid;
	int status;
	cleanup_fd int fd = open(NS_LAST_PID, O_RDWR | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		set_result(r, errno == ENOENT ? ST_MISSING : errno_status(errno),
			   "cannot open " NS_LAST_PID ": %m");
		return;
	}
	if (unshare_err) {
		/* On the host, only write back what is there: no pid is taken. */
		n = read(fd, buf, sizeof(buf) - 1);
		if (n <= 0 || lseek(fd, 0, SEEK_SET) < 0 || write(fd, buf, n) != n) {
			set_result(r, errno_status(errno), "cannot write " NS_LAST_PID ": %m");
			return;
		}
		set_result(r, ST_OK, "writable (not tried: no pid namespace)");
		return;
	}
	n = snprintf(buf, sizeof(buf), "%d", NS_PID - 1);
	if (write(fd, buf, n) != n) {
		set_result(r, errno_status(errno), "cannot write " NS_LAST_PID ": %m");
		return;
	}
	pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid < 0) {
		cannot_probe(r);
		return;
	}
	waitpid(pid, &status, 0);
	if (pid != NS_PID)
		set_result(r, ST_MISSING, "wrote %d, but fork gave pid %d", NS_PID - 1, pid);
	else
		set_result(r, ST_OK, "wrote %d, fork gave pid %d in a new pid namespace",
			   NS_PID - 1, pid);
}

static void mm_map_child(struct result *r, int unshare_err)
{
	struct prctl_mm_map map;
	struct proc_stat st;
	unsigned int size = 0;
	cleanup_fd int exe = -1;

	if (prctl(PR_SET_MM, PR_SET_MM_MAP_SIZE, (unsigned long)&size, 0, 0) < 0) {
		set_result(r, ST_MISSING, "PR_SET_MM_MAP_SIZE: %m");
		return;
	}
	if (size != sizeof(map)) {
		set_result(r, ST_MISSING, "the kernel's prctl_mm_map has %u bytes, ours %zu", size,
			   sizeof(map));
		return;
	}
	if (proc_read_stat(getpid(), getpid(), &st) < 0) {
		cannot_probe(r);
		return;
	}
	memset(&map, 0, sizeof(map));
	map.start_code = st.start_code;
	map.end_code = st.end_code;
	map.start_data = st.start_data;
	map.end_data = st.end_data;
	map.start_brk = st.start_brk;
	map.brk = (uintptr_t)sbrk(0);
	map.start_stack = st.start_stack;
	map.arg_start = st.arg_start;
	map.arg_end = st.arg_end;
	map.env_start = st.env_start;
	map.env_end = st.env_end;
	map.exe_fd = (uint32_t)-1;
	if (prctl(PR_SET_MM, PR_SET_MM_MAP, (unsigned long)&map, sizeof(map), 0) < 0) {
		set_result(r, errno_status(errno), "PR_SET_MM_MAP with the current layout: %m");
		return;
	}
	/* Changing the exe link is what needs privilege; while the old file is still mapped
	 * the kernel answers EBUSY, but only after the permission check. */
	exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (exe < 0) {
		cannot_probe(r);
		return;
	}
	map.exe_fd = (uint32_t)exe;
	if (prctl(PR_SET_MM, PR_SET_MM_MAP, (unsigned long)&map, sizeof(map), 0) < 0 &&
	    errno != EBUSY) {
		set_result(r, errno_status(errno), "PR_SET_MM_MAP with exe_fd: %m");
		return;
	}
	set_result(r, ST_OK, "prctl_mm_map of %u bytes; the current layout and exe_fd accepted",
		   size);
}

static void probe_pidns(struct result *r, uint64_t deadline)
{
	run_child_probe(r, pidns_child, true, deadline);
}

static void probe_clone3(struct result *r, uint64_t deadline)
{
	run_child_probe(r, clone3_child, true, deadline);
}

static void probe_ns_last_pid(struct result *r, uint64_t deadline)
{
	run_child_probe(r, ns_last_pid_child, true, deadline);
}

static void probe_mm_map(struct result *r, uint64_t deadline)
{
	run_child_probe(r, mm_map_child, false, deadline);
}

/* ---- probes on a sleeping child ---- */

static void probe_children_file(struct result *r, uint64_t deadline)
{
	cleanup_child pid_t child = spawn_sleeper();
	struct pidvec kids = {0};
	bool found = false;
	size_t i;

	if (child < 0) {
		cannot_probe(r);
		return;
	}
	if (proc_read_children(getpid(), getpid(), &kids) < 0) {
		set_result(r, errno == ENOENT ? ST_MISSING : errno_status(errno),
			   "/proc/self/task/%d/children: %m; the scan walker will do", getpid());
		return;
	}
	for (i = 0; i < kids.n; i++)
		found |= kids.v[i] == child;
	pidvec_free(&kids);
	if (found)
		set_result(r, ST_OK, "/proc/self/task/%d/children lists a forked child", getpid());
	else
		set_result(r, ST_MISSING, "/proc/self/task/%d/children does not list child %d",
			   getpid(), child);
}

static void probe_ptrace(struct result *r, uint64_t deadline)
{
	cleanup_child pid_t child = spawn_sleeper();
	int status;

	if (child < 0) {
		cannot_probe(r);
		return;
	}
	if (ptrace(PTRACE_SEIZE, child, 0, 0) < 0) {
		set_result(r, errno_status(errno), "PTRACE_SEIZE: %m");
		return;
	}
	if (ptrace(PTRACE_INTERRUPT, child, 0, 0) < 0) {
		set_result(r, errno_status(errno), "PTRACE_INTERRUPT: %m");
		return;
	}
	if (wait_child(child, &status, __WALL, deadline) < 0) {
		set_result(r, ST_MISSING, "the interrupted child did not stop: %m");
		return;
	}
	if (!WIFSTOPPED(status) || status >> 16 != PTRACE_EVENT_STOP) {
		set_result(r, ST_MISSING, "the interrupted child reported status %#x", status);
		return;
	}
	if (ptrace(PTRACE_DETACH, child, 0, 0) < 0) {
		set_result(r, ST_MISSING, "PTRACE_DETACH: %m");
		return;
	}
	set_result(r, ST_OK, "seized, interrupted and detached a child");
}

static long kcmp(pid_t pid1, pid_t pid2, int type)
{
	return syscall(SYS_kcmp, pid1, pid2, type, 0, 0);
}

static void probe_kcmp(struct result *r, uint64_t deadline)
{
	cleanup_child pid_t child = spawn_sleeper();
	long other, same;

	if (child < 0) {
		cannot_probe(r);
		return;
	}
	other = kcmp(getpid(), child, KCMP_VM);
	if (other < 0) {
		set_result(r, errno_status(errno), "KCMP_VM of a child: %m");
		return;
	}
	same = kcmp(getpid(), getpid(), KCMP_VM);
	if (same < 0) {
		set_result(r, errno_status(errno), "KCMP_VM of itself: %m");
		return;
	}
	if (same != 0 || other == 0) {
		set_result(r, ST_MISSING, "KCMP_VM answers %ld for itself, %ld for a child", same,
			   other);
		return;
	}
	set_result(r, ST_OK, "KCMP_VM tells a child's mm from its own");
}

static volatile uint64_t vm_cookie;

static void probe_vm_readv(struct result *r, uint64_t deadline)
{
	uint64_t cookie = now_ns() | 1, got = 0;
	cleanup_child pid_t child = -1;
	cleanup_fd int rd = -1, wr = -1;
	struct iovec local = {&got, sizeof(got)};
	struct iovec remote = {(void *)&vm_cookie, sizeof(got)};
	struct pollfd pfd;
	int fds[2];
	char c;

	if (pipe2(fds, O_CLOEXEC) < 0) {
		pr_perror("cannot create a pipe");
		cannot_probe(r);
		return;
	}
	rd = fds[0];
	wr = fds[1];
	child = fork_child();
	if (child < 0) {
		cannot_probe(r);
		return;
	}
	if (child == 0) {
		/* Only the child's copy holds the cookie. */
		vm_cookie = cookie;
		if (write(wr, "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	pfd = (struct pollfd){.fd = rd, .events = POLLIN};
	if (poll(&pfd, 1, ms_left(deadline)) != 1 || read(rd, &c, 1) != 1) {
		set_result(r, ST_MISSING, "the child did not get ready");
		return;
	}
	if (process_vm_readv(child, &local, 1, &remote, 1, 0) != sizeof(got)) {
		set_result(r, errno_status(errno), "process_vm_readv: %m");
		return;
	}
	if (got != cookie) {
		set_result(r, ST_MISSING, "process_vm_readv read %#llx, not %#llx",
			   (unsigned long long)got, (unsigned long long)cookie);
		return;
	}
	set_result(r, ST_OK, "read %zu bytes a child wrote", sizeof(got));
}

static void probe_map_files(struct result *r, uint64_t deadline)
{
	cleanup_child pid_t child = spawn_sleeper();
	cleanup_dir DIR *dir = NULL;
	char path[64], target[PATH_MAX];
	struct dirent *de;
	ssize_t n;
	int fd;

	if (child < 0) {
		cannot_probe(r);
		return;
	}
	snprintf(path, sizeof(path), "%d/map_files", child);
	fd = openat(proc_fd(), path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(dir = fdopendir(fd))) {
		set_result(r, errno == ENOENT ? ST_MISSING : errno_status(errno),
			   "/proc/PID/map_files: %m");
		if (fd >= 0)
			close(fd);
		return;
	}
	errno = 0;
	while ((de = readdir(dir)) && de->d_name[0] == '.')
		;
	if (!de) {
		set_result(r, errno_status(errno), "/proc/PID/map_files lists nothing: %m");
		return;
	}
	n = readlinkat(dirfd(dir), de->d_name, target, sizeof(target) - 1);
	if (n < 0) {
		set_result(r, errno_status(errno), "readlink /proc/PID/map_files/%s: %m",
			   de->d_name);
		return;
	}
	target[n] = '\0';
	/* readlink only needs ptrace access; opening the file through the link, which is what a
	 * dump does, needs the privilege. */
	fd = openat(dirfd(dir), de->d_name, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		set_result(r, errno_status(errno), "open /proc/PID/map_files/%s: %m", de->d_name);
		return;
	}
	close(fd);
	set_result(r, ST_OK, "opened %s -> %s", de->d_name, target);
}

/* ---- the freezers: a sleeping child frozen and thawed in a temporary cgroup ---- */

struct cg_probe {
	bool v2;
	char dir[PATH_MAX];  /* the temporary cgroup, "" when there is none */
	char home[PATH_MAX]; /* the cgroup.procs of our own cgroup, to go back to */
	pid_t child;
	bool moved, frozen;
};

static int cg_write(const struct cg_probe *p, const char *file, const char *value)
{
	char path[PATH_MAX];

	if (path_join(path, sizeof(path), p->dir, file) < 0)
		return -1;
	return write_str(path, value);
}

/* Undoes every step taken so far: thaw, move back, kill, remove. A cleanup handler. */
static void cg_probe_end(struct cg_probe *p)
{
	uint64_t deadline = now_ns() + PROBE_TIMEOUT_MS * NS_PER_MS;
	char pid[16];

	if (p->frozen &&
	    cg_write(p, p->v2 ? "cgroup.freeze" : "freezer.state", p->v2 ? "0" : "THAWED") < 0)
		pr_perror("cannot thaw %s", p->dir);
	if (p->moved) {
		snprintf(pid, sizeof(pid), "%d", p->child);
		if (write_str(p->home, pid) < 0 && errno != ESRCH)
			pr_debug("cannot move %d back to %s: %m", p->child, p->home);
	}
	/* Dead, it leaves the cgroup even if it could not be moved. */
	kill_childp(&p->child);
	if (!p->dir[0])
		return;
	while (rmdir(p->dir) < 0 && errno != ENOENT) {
		if (errno != EBUSY || now_ns() >= deadline) {
			pr_perror("cannot remove the temporary cgroup %s", p->dir);
			break;
		}
		sleep_ns(NS_PER_MS);
	}
}

/* Freezes and thaws the probe's cgroup with freezer.c, as `dump --freeze-cgroup` would. */
static int freeze_with_freezer(struct cg_probe *p, struct result *r, uint64_t deadline)
{
	struct freezer fz = FREEZER_INIT;
	struct pstree tree = {0};
	size_t added;
	int ret = -1;

	if (pstree_walk(&tree, p->child, WALKER_AUTO) < 0 ||
	    freezer_setup(&fz, FREEZER_AUTO, p->dir, &tree) < 0) {
		set_result(r, ST_MISSING, "cannot use %s as a freezer", p->dir);
		goto out;
	}
	fz.timeout_ms = ms_left(deadline);
	p->frozen = true;
	if (freezer_adopt(&fz, &tree, &added) < 0 || freezer_freeze(&fz) < 0) {
		set_result(r, ST_MISSING, "%s did not freeze (see above)", p->dir);
		goto out;
	}
	if (freezer_release(&fz, false) < 0) {
		set_result(r, ST_MISSING, "%s did not thaw (see above)", p->dir);
		goto out;
	}
	p->frozen = false;
	ret = 0;
out:
	freezer_release(&fz, false);
	pstree_free(&tree);
	return ret;
}

static void probe_cgroup(struct result *r, bool v2, uint64_t deadline)
{
	__attribute__((cleanup(cg_probe_end))) struct cg_probe p = {.v2 = v2, .child = -1};
	char v1mount[PATH_MAX], v2mount[PATH_MAX], v1own[PATH_MAX], v2own[PATH_MAX], pid[16];
	const char *mount = v2 ? v2mount : v1mount, *own = v2 ? v2own : v1own;
	int n;

	if (proc_cgroup_mounts(v1mount, sizeof(v1mount), v2mount, sizeof(v2mount)) < 0 ||
	    proc_read_cgroups(getpid(), v1own, sizeof(v1own), v2own, sizeof(v2own)) < 0) {
		pr_perror("cannot read the cgroup mounts");
		cannot_probe(r);
		return;
	}
	if (!mount[0]) {
		set_result(r, ST_MISSING, "no %s mounted", v2 ? "cgroup2" : "v1 freezer hierarchy");
		return;
	}
	n = snprintf(p.home, sizeof(p.home), "%s%s/cgroup.procs", mount,
		     strcmp(own, "/") ? own : "");
	if (n < 0 || (size_t)n >= sizeof(p.home)) {
		set_result(r, ST_MISSING, "our own cgroup has too long a path");
		return;
	}
	n = snprintf(p.dir, sizeof(p.dir), "%s/" TEMP_CGROUP ".%d", mount, getpid());
	if (n < 0 || (size_t)n >= sizeof(p.dir) || mkdir(p.dir, 0700) < 0) {
		set_result(r, errno_status(errno), "cannot create %s: %m", p.dir);
		p.dir[0] = '\0';
		return;
	}
	if (v2 && cg_write(&p, "cgroup.freeze", "0") < 0) {
		set_result(r, errno == ENOENT ? ST_MISSING : errno_status(errno),
			   "%s/cgroup.freeze: %m (the v2 freezer needs Linux 5.2)", p.dir);
		return;
	}
	p.child = spawn_sleeper();
	if (p.child < 0) {
		cannot_probe(r);
		return;
	}
	snprintf(pid, sizeof(pid), "%d", p.child);
	if (cg_write(&p, "cgroup.procs", pid) < 0) {
		set_result(r, errno_status(errno), "cannot move a child into %s: %m", p.dir);
		return;
	}
	p.moved = true;
	/* The very freezer a dump uses, on the probe's cgroup. */
	if (freeze_with_freezer(&p, r, deadline) < 0)
		return;
	p.frozen = false;
	if (write_str(p.home, pid) < 0) {
		set_result(r, errno_status(errno), "cannot move the child back to %s: %m", p.home);
		return;
	}
	p.moved = false;
	set_result(r, ST_OK, "%s in %s/" TEMP_CGROUP ".PID, then thawed",
		   v2 ? "frozen 1" : "FROZEN", mount);
}

static void probe_freezer_v1(struct result *r, uint64_t deadline)
{
	probe_cgroup(r, false, deadline);
}

static void probe_freezer_v2(struct result *r, uint64_t deadline)
{
	probe_cgroup(r, true, deadline);
}

/* ---- no children needed ---- */

static bool have_cap(cap_t caps, cap_value_t cap)
{
	cap_flag_value_t v = CAP_CLEAR;

	return cap < cap_max_bits() && cap_get_flag(caps, cap, CAP_EFFECTIVE, &v) == 0 &&
	       v == CAP_SET;
}

static void probe_cap_cr(struct result *r, uint64_t deadline)
{
	cap_t caps = cap_get_proc();
	bool admin, cr;

	if (!caps) {
		pr_perror("cannot read the capabilities of this process");
		cannot_probe(r);
		return;
	}
	admin = have_cap(caps, CAP_SYS_ADMIN);
	cr = have_cap(caps, CAP_CHECKPOINT_RESTORE);
	cap_free(caps);
	if (admin && cr)
		set_result(r, ST_OK, "has CAP_SYS_ADMIN and CAP_CHECKPOINT_RESTORE");
	else if (admin || cr)
		set_result(r, ST_OK, "has %s", admin ? "CAP_SYS_ADMIN" : "CAP_CHECKPOINT_RESTORE");
	else
		set_result(r, ST_EPERM, "missing CAP_SYS_ADMIN and CAP_CHECKPOINT_RESTORE%s",
			   CAP_CHECKPOINT_RESTORE < cap_max_bits()
			       ? " (either will do)"
			       : " (this kernel has no CAP_CHECKPOINT_RESTORE)");
}

static void probe_cap_ptrace(struct result *r, uint64_t deadline)
{
	cap_t caps = cap_get_proc();
	bool ok;

	if (!caps) {
		pr_perror("cannot read the capabilities of this process");
		cannot_probe(r);
		return;
	}
	ok = have_cap(caps, CAP_SYS_PTRACE);
	cap_free(caps);
	if (ok)
		set_result(r, ST_OK, "has CAP_SYS_PTRACE");
	else
		set_result(r, ST_EPERM, "missing CAP_SYS_PTRACE");
}

static void probe_vdso(struct result *r, uint64_t deadline)
{
	static const char *const names[] = {"[vdso]", "[vvar]", "[vvar_vclock]"};
	unsigned long long size[ARRAY_SIZE(names)] = {0};
	cleanup_file FILE *f = fopen("/proc/self/maps", "re");
	char line[512], *p = r->detail, *end = r->detail + sizeof(r->detail);
	unsigned long long start, stop;
	char name[64];
	size_t i;

	if (!f) {
		cannot_probe(r);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		name[0] = '\0';
		if (sscanf(line, "%llx-%llx %*s %*s %*s %*s %63s", &start, &stop, name) < 2)
			continue;
		for (i = 0; i < ARRAY_SIZE(names); i++)
			if (!strcmp(name, names[i]))
				size[i] += stop - start;
	}
	r->status = size[0] ? ST_OK : ST_MISSING;
	r->detail[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(names) && p < end; i++) {
		if (size[i])
			p += snprintf(p, end - p, "%s%s %llu KiB", p == r->detail ? "" : ", ",
				      names[i], size[i] / 1024);
		else
			p += snprintf(p, end - p, "%sno %s", p == r->detail ? "" : ", ", names[i]);
	}
}

/* ---- the list, and what dump and restore need of it ---- */

enum feature_id {
	F_CHILDREN,
	F_FREEZER_V1,
	F_FREEZER_V2,
	F_PTRACE,
	F_KCMP,
	F_VM_READV,
	F_MAP_FILES,
	F_PIDNS,
	F_CLONE3,
	F_NS_LAST_PID,
	F_MM_MAP,
	F_VDSO,
	F_CAP_CR,
	F_CAP_PTRACE,
	NR_FEATURES,
};

static const struct feature {
	const char *name;
	const char *affects;
	const char *needed; /* how the final line names it, if not by name */
	void (*probe)(struct result *r, uint64_t deadline);
} features[NR_FEATURES] = {
	[F_CHILDREN] = {"children-file", "dump: walk", NULL, probe_children_file},
	[F_FREEZER_V1] = {"freezer-v1", "dump: freeze", NULL, probe_freezer_v1},
	[F_FREEZER_V2] = {"freezer-v2", "dump: freeze", NULL, probe_freezer_v2},
	[F_PTRACE] = {"ptrace-seize", "dump: seize", NULL, probe_ptrace},
	[F_KCMP] = {"kcmp", "dump: ids", NULL, probe_kcmp},
	[F_VM_READV] = {"process-vm-readv", "dump: memory", NULL, probe_vm_readv},
	[F_MAP_FILES] = {"map-files", "dump: mappings", NULL, probe_map_files},
	[F_PIDNS] = {"pid-ns", "restore: pid namespace", NULL, probe_pidns},
	[F_CLONE3] = {"clone3-set-tid", "restore: pids", NULL, probe_clone3},
	[F_NS_LAST_PID] = {"ns-last-pid", "restore: pids", NULL, probe_ns_last_pid},
	[F_MM_MAP] = {"prctl-mm-map", "restore: mm", NULL, probe_mm_map},
	[F_VDSO] = {"vdso", "restore: vdso", NULL, probe_vdso},
	[F_CAP_CR] = {"cap-checkpoint-restore", "dump, restore: privilege",
		      "CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE", probe_cap_cr},
	[F_CAP_PTRACE] = {"cap-sys-ptrace", "dump, restore: ptrace", "CAP_SYS_PTRACE",
			  probe_cap_ptrace},
};

#define BIT(f) (1u << (f))

/* Each need is met by any one of its features. The children file is no need: the scan walker
 * does without it. */
static const struct need {
	bool restore;
	unsigned int any;
} needs[] = {
	{false, BIT(F_FREEZER_V1) | BIT(F_FREEZER_V2)},
	{false, BIT(F_PTRACE)},
	{false, BIT(F_KCMP)},
	{false, BIT(F_CAP_CR)},
	{false, BIT(F_CAP_PTRACE)},
	{true, BIT(F_CLONE3) | BIT(F_NS_LAST_PID)},
	{true, BIT(F_CAP_CR)},
	{true, BIT(F_CAP_PTRACE)},
};

/* Whether dump (or restore) can work; what it lacks is appended to why, if given. */
static bool can_work(const struct result *res, bool restore, char *why, size_t size)
{
	size_t i, len = 0;
	bool ok = true;
	int f, n;

	for (i = 0; i < ARRAY_SIZE(needs); i++) {
		const char *sep = len ? ", " : "";

		if (needs[i].restore != restore)
			continue;
		for (f = 0; f < NR_FEATURES; f++)
			if ((needs[i].any & BIT(f)) && res[f].status == ST_OK)
				break;
		if (f < NR_FEATURES)
			continue;
		ok = false;
		for (f = 0; why && f < NR_FEATURES; f++) {
			if (!(needs[i].any & BIT(f)))
				continue;
			n = snprintf(why + len, size - len, "%s%s", sep,
				     features[f].needed ? features[f].needed : features[f].name);
			if (n > 0 && (size_t)n < size - len)
				len += n;
			sep = " or ";
		}
	}
	return ok;
}

static int print_text(const struct result *res, bool dump, bool restore)
{
	char why_dump[512] = "", why_restore[512] = "";
	int f;

	for (f = 0; f < NR_FEATURES; f++)
		printf("%-22s  %-13s  %-24s  %s\n", features[f].name, status_names[res[f].status],
		       features[f].affects, res[f].detail);
	can_work(res, false, why_dump, sizeof(why_dump));
	can_work(res, true, why_restore, sizeof(why_restore));
	if (dump && restore)
		printf("dump and restore can work\n");
	else if (!dump && !restore)
		printf("dump would not work (needs %s); restore would not work (needs %s)\n",
		       why_dump, why_restore);
	else
		printf("%s would not work (needs %s)\n", dump ? "restore" : "dump",
		       dump ? why_restore : why_dump);
	return fflush(stdout) == EOF ? -1 : 0;
}

static int print_json(const struct result *res, bool dump, bool restore)
{
	struct json_object *root = json_object_new_object();
	struct json_object *list = json_object_new_array_ext(NR_FEATURES);
	int f, ret;

	for (f = 0; f < NR_FEATURES; f++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "name", json_object_new_string(features[f].name));
		json_object_object_add(o, "status",
				       json_object_new_string(status_names[res[f].status]));
		json_object_object_add(o, "affects", json_object_new_string(features[f].affects));
		json_object_object_add(o, "detail", json_object_new_string(res[f].detail));
		json_object_array_add(list, o);
	}
	json_object_object_add(root, "features", list);
	json_object_object_add(root, "dump", json_object_new_boolean(dump));
	json_object_object_add(root, "restore", json_object_new_boolean(restore));
	ret = json_print(root);
	json_object_put(root);
	return ret;
}

/* Kills and reaps whatever child is left: ours that a probe could not reap, and orphans of
 * probe children, which come to us, the subreaper. */
static void reap_leftovers(void)
{
	uint64_t deadline = now_ns() + PROBE_TIMEOUT_MS * NS_PER_MS;
	struct pidvec kids = {0};
	sigset_t chld;
	int status;
	size_t i;
	pid_t pid;

	proc_read_children(getpid(), getpid(), &kids);
	for (i = 0; i < kids.n; i++)
		kill(kids.v[i], SIGKILL);
	pidvec_free(&kids);
	/* Not reaped, so these pids cannot have been reused. */
	for (i = 0; i < live.n; i++)
		kill(live.v[i], SIGKILL);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	for (;;) {
		struct timespec ts;

		pid = waitpid(-1, &status, __WALL | WNOHANG);
		if (pid > 0) {
			pr_debug("reaped leftover probe child %d", pid);
			forget_child(pid);
			continue;
		}
		if (pid < 0 && errno == ECHILD)
			break;
		if (pid < 0 && errno != EINTR) {
			pr_perror("cannot reap the probe children");
			break;
		}
		if (now_ns() >= deadline) {
			pr_err("probe children are still there after SIGKILL");
			break;
		}
		ts = ns_to_timespec(10 * NS_PER_MS);
		sigtimedwait(&chld, NULL, &ts);
	}
	pidvec_free(&live);
}

static void run_probes(struct result *res)
{
	uint64_t start = now_ns(), t;
	int f;

	for (f = 0; f < NR_FEATURES; f++) {
		t = now_ns();
		memset(&res[f], 0, sizeof(res[f]));
		features[f].probe(&res[f], t + PROBE_TIMEOUT_MS * NS_PER_MS);
		pr_debug("%s: %s in %.2f ms", features[f].name, status_names[res[f].status],
			 (now_ns() - t) / 1e6);
	}
	reap_leftovers();
	pr_info("checked %d features in %.2f ms", NR_FEATURES, (now_ns() - start) / 1e6);
}

static void usage(FILE *out)
{
	fputs("Usage: criu-lite check [--json]\n"
	      "Try, in throwaway children, each kernel feature a dump or a restore relies on, and\n"
	      "print for each: its name, ok / missing / not permitted, and what it affects.\n\n"
	      "      --json   JSON instead of a table\n\n"
	      "Exit status: 0 if dump and restore can work here, 1 if not (the last line says "
	      "why).\n",
	      out);
}

int cmd_check(int argc, char **argv)
{
	enum { OPT_JSON = 256 };
	static const struct option longopts[] = {
		{"json", no_argument, NULL, OPT_JSON},
		COMMON_LONG_OPTS,
		{NULL, 0, NULL, 0},
	};
	struct result res[NR_FEATURES];
	struct common_opts co = {0};
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	sigset_t block;
	bool json = false, dump, restore;
	int c, r;

	while ((c = getopt_long(argc, argv, COMMON_OPTS, longopts, NULL)) != -1) {
		r = common_option(c, optarg, &co, usage);
		if (r < 0)
			return 1;
		if (r)
			continue;
		if (c == OPT_JSON)
			json = true;
	}
	if (optind < argc) {
		usage_error("unexpected argument '%s'", argv[optind]);
		return 1;
	}
	if (common_start(&co) < 0 || proc_init() < 0)
		return 1;

	/* Orphans of probe children come to us, and nothing stops a probe half way: a signal
	 * that would end us waits until every child and cgroup is gone. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		pr_perror("cannot become a child subreaper");
		return 1;
	}
	sigaction(SIGCHLD, &dfl, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGQUIT);
	sigprocmask(SIG_BLOCK, &block, &orig_mask);
	run_probes(res);
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	sigprocmask(SIG_SETMASK, &orig_mask, NULL);

	dump = can_work(res, false, NULL, 0);
	restore = can_work(res, true, NULL, 0);
	if ((json ? print_json(res, dump, restore) : print_text(res, dump, restore)) < 0) {
		pr_perror("cannot print the report");
		return 1;
	}
	return dump && restore ? 0 : 1;
}
