// SPDX-License-Identifier: GPL-2.0-or-later
/* criu-lite restore, first slice: the shape of the tree.
 *
 * The restorer forks the root; from there every task forks its own children (pre-order) and then
 * creates its threads, each with its original id: clone3() with set_tid, or, on kernels without
 * clone3, ns_last_pid and fork()/clone() under a lock shared by the whole tree.
 *
 * A session or group whose leader is not in the tree (it exited, its members were reparented)
 * is made by a helper: the members' parent forks a helper with the leader's pid, which calls
 * setsid() or setpgid(0, 0), forks the members and exits; the parent, a child subreaper
 * meanwhile, gets the members and reaps the helper. plan_tree() decides who forks whom.
 *
 * The restorer and the tasks share one MAP_SHARED anonymous mapping. Tasks record their pids
 * there, count themselves in, and report the first failure in words; they wait on a futex for the
 * restorer to move them through the stages:
 *
 *   CREATE   a task calls setsid() if it leads its session, else setpgid(0, 0) if it leads its
 *            group; sets its comm; forks its children; creates its threads; counts in
 *   JOIN     every group exists now: a task not yet in its group joins it; counts in
 *            (the restorer then checks ppid, pgid and sid of every task in /proc)
 *   ZOMBIES  zombies exit with their saved status (their parents never reap)
 *   STOPS    (every zombie is one) stopped tasks send themselves SIGSTOP
 *   DONE     the others sit in pause() until a signal ends them
 *   ABORT    tasks that see it exit; the restorer kills every recorded pid
 *
 * While it works the restorer is a child subreaper: whatever dies on the way is reparented to it
 * and reaped there, so nothing is left behind and no recorded pid is reused before it is killed.
 *
 * With --pidns (restore_tree_pidns) the restorer forks pid 1 of a new pid namespace, criu-lite's
 * init, which mounts the namespace's /proc in a new mount namespace and runs all of the above
 * there (set_tid then names the pid inside); it reports the root's pid over a pipe, and stays
 * the namespace's init until the root exits. --dry-run (restore_dry_run) plans the tree and
 * checks ids, features and privileges, creating nothing.
 *
 * With clone3, tasks are made by a raw syscall, not fork(), so glibc's idea of the thread's tid
 * is stale in them: they must not use raise() or pthread calls (kill(getpid(), ...) is fine).
 * Threads run no C at all (see restore_thread_syscall).
 */
#include "common.h"
#include "restore.h"

#include <limits.h>
#include <linux/futex.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <sys/capability.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "proc.h"

#ifndef CLONE_VM
#define CLONE_VM      0x00000100
#define CLONE_FS      0x00000200
#define CLONE_FILES   0x00000400
#define CLONE_SIGHAND 0x00000800
#define CLONE_THREAD  0x00010000
#define CLONE_SYSVSEM 0x00040000
#endif
#ifndef SYS_clone3
#define SYS_clone3 435
#endif

#define THREAD_FLAGS                                                                               \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM)
#define THREAD_STACK  (16 * 1024)
#define NS_LAST_PID   "/proc/sys/kernel/ns_last_pid"
#define STAGE_TIMEOUT 60 /* seconds the restorer waits for one stage */

/* clone3's argument, up to set_tid_size (CLONE_ARGS_SIZE_VER1, Linux 5.5). */
struct clone3_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size;
};

enum stage {
	ST_CREATE,
	ST_JOIN,
	ST_ZOMBIES,
	ST_STOPS,
	ST_DONE,
	ST_ABORT = 100,
};

struct shared {
	_Atomic uint32_t stage; /* futex the tasks wait on */
	_Atomic uint32_t seq;   /* futex the restorer waits on: bumped by every report */
	_Atomic uint32_t nr_ready, nr_joined;
	_Atomic uint32_t failed; /* why[] holds the first failure */
	_Atomic uint32_t pid_lock; /* ns_last_pid, then fork: one task at a time */
	char why[512];
	_Atomic pid_t pids[]; /* pids[i] once tasks[i] exists, else 0 */
};

/* What is created: every task of the tree, and helpers for sessions and groups whose leader is
 * gone. A helper takes the leader's pid, calls setsid() or setpgid(0, 0), forks the members it
 * hosts and exits; its host (the members' parent in the tree, a child subreaper meanwhile) gets
 * the members and reaps the helper. */
enum node_kind {
	NODE_TASK,
	NODE_SESSION, /* helper: setsid() */
	NODE_GROUP,   /* helper: setpgid(0, 0) */
};

struct node {
	pid_t pid;
	enum node_kind kind;
	int parent;                    /* the node that forks it; -1: the restorer */
	int host;                      /* helpers: the members' parent in the tree */
	pid_t sid;                     /* the session it is in */
	int first_child, next_sibling; /* node indices, -1 ends */
	int last_child;
};

/* What every task inherits from the restorer. */
static struct {
	const struct pstree *tree;
	struct shared *sh;
	size_t sh_size;
	struct node *nodes; /* nodes[i] is tasks[i] for i < tree->nr; helpers follow */
	size_t nr_nodes;
	int top; /* first node the restorer forks itself */
	bool clone3;
	int watch_fd; /* a pidfd of the restorer: readable once it is gone; -1 if none */
} rs;

/* ---- the new thread's side: a few instructions, no C ---- */

#if defined(__x86_64__)
/* Makes syscall nr with five arguments (x86-64 syscall registers: rdi rsi rdx r10 r8). Meant
 * for clone3/clone of a thread on a stack of its own: the caller gets the result; the new
 * thread, which shares the caller's TLS and so must not run C, loops in pause() until a signal
 * ends its process. */
long restore_thread_syscall(long nr, long a1, long a2, long a3, long a4, long a5)
	__attribute__((visibility("hidden")));
__asm__(".text\n"
	".globl restore_thread_syscall\n"
	".hidden restore_thread_syscall\n"
	".type restore_thread_syscall, @function\n"
	"restore_thread_syscall:\n"
	"	movq %rdi, %rax\n"
	"	movq %rsi, %rdi\n"
	"	movq %rdx, %rsi\n"
	"	movq %rcx, %rdx\n"
	"	movq %r8, %r10\n"
	"	movq %r9, %r8\n"
	"	syscall\n"
	"	testq %rax, %rax\n"
	"	jnz 2f\n"
	"1:	movl $34, %eax\n" /* __NR_pause */
	"	syscall\n"
	"	jmp 1b\n"
	"2:	ret\n"
	".size restore_thread_syscall, .-restore_thread_syscall\n");
#define HAVE_THREAD_SYSCALL 1
#else
#define HAVE_THREAD_SYSCALL 0
static long restore_thread_syscall(long nr, long a1, long a2, long a3, long a4, long a5)
{
	errno = ENOSYS;
	return -1;
}
#endif

/* ---- futexes and reports ---- */

static void futex_wait(_Atomic uint32_t *addr, uint32_t val, long timeout_ms)
{
	struct timespec ts = {timeout_ms / 1000, (timeout_ms % 1000) * 1000000L};

	syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAIT, val, timeout_ms >= 0 ? &ts : NULL, NULL,
		0);
}

static void futex_wake(_Atomic uint32_t *addr)
{
	syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

static void tell_restorer(void)
{
	atomic_fetch_add(&rs.sh->seq, 1);
	futex_wake(&rs.sh->seq);
}

/* Records why the restore cannot go on; the first report wins. Returns -1. */
static int __attribute__((format(printf, 1, 2))) record_failure(const char *fmt, ...)
{
	uint32_t no = 0;
	va_list ap;

	/* 2 = being written, 1 = written: the restorer reads why[] only once it sees 1 */
	if (atomic_compare_exchange_strong(&rs.sh->failed, &no, 2)) {
		va_start(ap, fmt);
		vsnprintf(rs.sh->why, sizeof(rs.sh->why), fmt, ap);
		va_end(ap);
		atomic_store(&rs.sh->failed, 1);
	}
	tell_restorer();
	return -1;
}

/* A task or helper whose failure is recorded leaves. */
#define task_fail(...)                                                                             \
	do {                                                                                       \
		record_failure(__VA_ARGS__);                                                       \
		_exit(1);                                                                          \
	} while (0)

static void count_in(_Atomic uint32_t *counter)
{
	atomic_fetch_add(counter, 1);
	tell_restorer();
}

/* Whether the restorer died (then nobody will move the tasks on, or kill them). */
static bool restorer_gone(void)
{
	struct pollfd p = {rs.watch_fd, POLLIN, 0};

	return rs.watch_fd >= 0 && poll(&p, 1, 0) > 0;
}

static void wait_stage(enum stage want)
{
	uint32_t s;

	while ((s = atomic_load(&rs.sh->stage)) < (uint32_t)want) {
		futex_wait(&rs.sh->stage, s, 500);
		/* the restorer leaves as soon as it is done: look at the stage first */
		if (atomic_load(&rs.sh->stage) < (uint32_t)want && restorer_gone())
			_exit(1);
	}
	if (s == ST_ABORT)
		_exit(1);
}

static void lock_pids(void)
{
	uint32_t no = 0;

	while (!atomic_compare_exchange_strong(&rs.sh->pid_lock, &no, 1)) {
		futex_wait(&rs.sh->pid_lock, 1, -1);
		no = 0;
	}
}

static void unlock_pids(void)
{
	atomic_store(&rs.sh->pid_lock, 0);
	futex_wake(&rs.sh->pid_lock);
}

/* Makes the next pid the kernel hands out be want (call under lock_pids). */
static int set_last_pid(pid_t want)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%d", want - 1);
	return write_str(NS_LAST_PID, buf);
}

/* ---- creating processes and threads ---- */

/* Like fork(), but the child gets pid want or the call fails (EEXIST: taken). */
static pid_t fork_pid(pid_t want)
{
	struct clone3_args args = {0};
	pid_t pid;
	int err;

	if (rs.clone3) {
		args.exit_signal = SIGCHLD;
		args.set_tid = (uintptr_t)&want;
		args.set_tid_size = 1;
		return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
	}
	/* Anything else on the host that forks between our write and our fork takes the pid
	 * first: a child with the wrong pid leaves at once, and we try again. */
	for (int try = 0; try < 200; try++) {
		lock_pids();
		if (set_last_pid(want) < 0) {
			err = errno;
			unlock_pids();
			errno = err;
			return -1;
		}
		pid = fork();
		if (pid == 0) {
			if (getpid() != want)
				_exit(0);
			return 0;
		}
		err = errno;
		unlock_pids();
		if (pid < 0 || pid == want) {
			errno = err;
			return pid;
		}
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		/* a short-lived stranger may hold it now: give it time to go */
		if (kill(want, 0) == 0 || errno == EPERM)
			usleep(10000);
	}
	errno = kill(want, 0) == 0 || errno == EPERM ? EEXIST : EAGAIN;
	return -1;
}

static pid_t clone_thread(pid_t want, void *stack_top, void *stack_base)
{
	struct clone3_args args = {0};
	long r;
	int err;

	if (rs.clone3) {
		args.flags = THREAD_FLAGS;
		args.stack = (uintptr_t)stack_base;
		args.stack_size = THREAD_STACK;
		args.set_tid = (uintptr_t)&want;
		args.set_tid_size = 1;
		r = restore_thread_syscall(SYS_clone3, (long)&args, sizeof(args), 0, 0, 0);
	} else {
		lock_pids();
		if (set_last_pid(want) < 0) {
			err = errno;
			unlock_pids();
			errno = err;
			return -1;
		}
		/* clone(flags, stack, parent_tid, child_tid, tls) */
		r = restore_thread_syscall(SYS_clone, THREAD_FLAGS, (long)stack_top, 0, 0, 0);
		unlock_pids();
	}
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return (pid_t)r;
}

static void __attribute__((noreturn)) run_task(size_t i);
static void __attribute__((noreturn)) run_helper(int h);

static int spawn_children(int n);

/* Waits for helper h, a child of the caller, to exit (the helpers it forked it reaped itself). */
static int reap_helper(int h)
{
	pid_t pid = rs.nodes[h].pid;
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return record_failure("helper %d: cannot wait for it: %m", pid);
	}
	atomic_store(&rs.sh->pids[h], -1);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return record_failure("helper %d (for the %s of that id) failed", pid,
				      rs.nodes[h].kind == NODE_SESSION ? "session" : "group");
	return 0;
}

/* Forks node c (the caller is its parent node); the child never returns. Returns -1 once the
 * failure is recorded. A helper is waited for at once, so the members it hands over take their
 * place among the caller's children where the tree has them. */
static int spawn(int c)
{
	const struct node *n = &rs.nodes[c];
	int was_subreaper = 0;
	pid_t pid;

	if (atomic_load(&rs.sh->stage) == ST_ABORT)
		return -1;
	if (n->kind != NODE_TASK) {
		/* the members must come to us when the helper exits */
		if (prctl(PR_GET_CHILD_SUBREAPER, &was_subreaper, 0, 0, 0) < 0 ||
		    (!was_subreaper && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0))
			return record_failure("pid %d: cannot become a child subreaper: %m",
					      getpid());
	}
	pid = fork_pid(n->pid);
	if (pid == 0) {
		if (n->kind == NODE_TASK)
			run_task((size_t)c);
		run_helper(c);
	}
	if (pid < 0) {
		if (errno == EEXIST && !rs.clone3)
			return record_failure("pid %d is taken (a pid written to %s goes to "
					      "whoever forks first)",
					      n->pid, NS_LAST_PID);
		if (errno == EEXIST)
			return record_failure("pid %d is taken", n->pid);
		if (errno == EAGAIN && !rs.clone3)
			return record_failure(
				"cannot create pid %d: other processes kept taking it first", n->pid);
		return record_failure("cannot create pid %d: %m", n->pid);
	}
	atomic_store(&rs.sh->pids[c], pid);
	if (pid != n->pid)
		return record_failure("pid %d: the kernel gave pid %d instead", n->pid, pid);
	if (n->kind != NODE_TASK) {
		if (reap_helper(c) < 0)
			return -1;
		if (!was_subreaper && prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0) < 0)
			return record_failure("pid %d: cannot stop being a child subreaper: %m",
					      getpid());
	}
	return 0;
}

static int spawn_children(int n)
{
	int c;

	for (c = n >= 0 ? rs.nodes[n].first_child : rs.top; c >= 0; c = rs.nodes[c].next_sibling)
		if (spawn(c) < 0)
			return -1;
	return 0;
}

/* A helper: takes the gone leader's pid, makes the session or group, forks its members, exits. */
static void __attribute__((noreturn)) run_helper(int h)
{
	const struct node *n = &rs.nodes[h];

	atomic_store(&rs.sh->pids[h], getpid());
	if (atomic_load(&rs.sh->stage) == ST_ABORT)
		_exit(1);
	if (getpid() != n->pid)
		task_fail("helper %d: the kernel gave pid %d instead", n->pid, getpid());
	if (n->kind == NODE_SESSION) {
		if (setsid() < 0)
			task_fail("helper %d: setsid: %m", n->pid);
	} else if (setpgid(0, 0) < 0) {
		task_fail("helper %d: cannot lead a process group: %m", n->pid);
	}
	prctl(PR_SET_NAME, "criu-lite-help", 0, 0, 0);
	if (spawn_children(h) < 0)
		_exit(1);
	_exit(0);
}

static void create_threads(const struct task *t)
{
	char *stacks;
	size_t i;
	pid_t tid;

	if (t->nr_threads < 2)
		return;
	if (!HAVE_THREAD_SYSCALL)
		task_fail("pid %d: threads are not supported on this architecture", t->pid);
	stacks = mmap(NULL, (t->nr_threads - 1) * THREAD_STACK, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stacks == MAP_FAILED)
		task_fail("pid %d: cannot map thread stacks: %m", t->pid);
	for (i = 1; i < t->nr_threads; i++) {
		char *base = stacks + (i - 1) * THREAD_STACK;

		tid = clone_thread(t->threads[i].tid, base + THREAD_STACK, base);
		if (tid < 0) {
			if (errno == EEXIST)
				task_fail("tid %d (a thread of pid %d) is taken", t->threads[i].tid,
					  t->pid);
			task_fail("pid %d: cannot create thread %d: %m", t->pid,
				  t->threads[i].tid);
		}
		if (tid != t->threads[i].tid)
			task_fail("pid %d: thread %d got tid %d instead", t->pid, t->threads[i].tid,
				  tid);
	}
	/* new threads took the leader's comm, which is already set */
}

/* The root starts clean: no descriptors of the restorer's (a caller reading our stdout must see
 * it close), default signal handling, nothing blocked. Its descendants inherit all that. */
static void reset_root(void)
{
	sigset_t none;
	int fd, sig;

	fd = open("/dev/null", O_RDWR);
	if (fd < 0)
		task_fail("pid %d: cannot open /dev/null: %m", getpid());
	for (int i = 0; i < 3; i++)
		if (fd != i && dup2(fd, i) < 0)
			task_fail("pid %d: dup2: %m", getpid());
	/* all but the restorer's pidfd, which is at 3 or above */
	if (rs.watch_fd > 3 && syscall(SYS_close_range, 3, rs.watch_fd - 1, 0) < 0)
		task_fail("pid %d: close_range: %m", getpid());
	if (syscall(SYS_close_range, rs.watch_fd >= 3 ? rs.watch_fd + 1 : 3, ~0U, 0) < 0)
		task_fail("pid %d: close_range: %m", getpid());
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static void __attribute__((noreturn)) become_zombie(const struct task *t)
{
	int status = t->exit_code;

	if (WIFSIGNALED(status)) {
		struct rlimit no_core = {0, 0};
		sigset_t one;
		int sig = WTERMSIG(status);

		/* no core file: a limit of 0 stops a dump to a file, not being dumpable also
		 * one to a core_pattern pipe */
		setrlimit(RLIMIT_CORE, &no_core);
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
		signal(sig, SIG_DFL);
		sigemptyset(&one);
		sigaddset(&one, sig);
		sigprocmask(SIG_UNBLOCK, &one, NULL);
		kill(getpid(), sig);
	}
	/* still here: the signal does not kill (a broken image); exit as near as we can */
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

static void __attribute__((noreturn)) run_task(size_t i)
{
	const struct task *t = &rs.tree->tasks[i];

	atomic_store(&rs.sh->pids[i], getpid());
	if (atomic_load(&rs.sh->stage) == ST_ABORT)
		_exit(1);
	if (getpid() != t->pid)
		task_fail("pid %d: the kernel gave pid %d instead", t->pid, getpid());
	if (i == 0)
		reset_root();
	if (t->sid == t->pid) {
		if (setsid() < 0)
			task_fail("pid %d: setsid: %m", t->pid);
	} else if (t->pgid == t->pid) {
		if (setpgid(0, 0) < 0)
			task_fail("pid %d: cannot lead a process group: %m", t->pid);
	}
	if (prctl(PR_SET_NAME, t->comm, 0, 0, 0) < 0)
		task_fail("pid %d: cannot set comm '%s': %m", t->pid, t->comm);
	if (spawn_children((int)i) < 0)
		_exit(1);
	create_threads(t);
	count_in(&rs.sh->nr_ready);

	wait_stage(ST_JOIN);
	if (getpgrp() != t->pgid && setpgid(0, t->pgid) < 0)
		task_fail("pid %d: cannot join process group %d: %m", t->pid, t->pgid);
	count_in(&rs.sh->nr_joined);

	wait_stage(ST_ZOMBIES);
	if (t->state == TASK_DEAD)
		become_zombie(t);
	wait_stage(ST_STOPS);
	if (rs.watch_fd >= 0)
		close(rs.watch_fd);
	if (t->state == TASK_STOPPED)
		kill(getpid(), SIGSTOP);
	for (;;)
		pause();
}

/* ---- the restorer's side ---- */

static int add_node(pid_t pid, enum node_kind kind, int parent, int host, pid_t sid)
{
	struct node *n = &rs.nodes[rs.nr_nodes];

	*n = (struct node){pid, kind, parent, host, sid, -1, -1, -1};
	return (int)rs.nr_nodes++;
}

/* Appends node c to the children of its parent node: the order they are forked in. */
static void link_node(int c, int *top_last)
{
	int p = rs.nodes[c].parent;
	int *last = p >= 0 ? &rs.nodes[p].last_child : top_last;

	if (*last < 0) {
		if (p >= 0)
			rs.nodes[p].first_child = c;
		else
			rs.top = c;
	} else {
		rs.nodes[*last].next_sibling = c;
	}
	*last = c;
}

/* Whether this process is the init of a new pid namespace, restoring the tree inside it. */
static bool pidns_init;

/* Where the tree is restored below: the pid, session and group the root's parent has (for
 * --pidns, those of the new namespace's init, which sees its session and group as 0). */
struct plan_ctx {
	pid_t pid, sid, pgid;
	bool pidns;
};

/* Why plan_tree() refused the tree: the caller logs it, or --dry-run prints it. */
static char plan_why[512];

static int __attribute__((format(printf, 1, 2))) plan_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(plan_why, sizeof(plan_why), fmt, ap);
	va_end(ap);
	return -1;
}

/* Decides who forks whom. A task is forked by its parent, and inherits its session, or makes its
 * own with setsid(), or gets it from a session helper that its parent forks; its group is its
 * own (setpgid(0, 0)), or one that exists by then (joined after every task exists), or made by a
 * group helper. The restorer's own session and group are the root's starting point. */
static int plan_tree(const struct pstree *tree, const struct plan_ctx *at)
{
	pid_t my_sid = at->sid, my_pgid = at->pgid;
	struct pidmap helpers = {0}; /* leader pid -> helper node */
	int top_last = -1, ret = -1;
	size_t i;

	/* at most a session and a group helper per task */
	rs.nodes = xmalloc(3 * tree->nr * sizeof(*rs.nodes));
	rs.nr_nodes = 0;
	rs.top = -1;
	for (i = 0; i < tree->nr; i++)
		add_node(tree->tasks[i].pid, NODE_TASK, tree->tasks[i].parent, -1,
			 tree->tasks[i].sid);
	for (i = 0; i < tree->nr; i++) {
		const struct task *t = &tree->tasks[i];
		int p = t->parent, creator = p, h, l;
		pid_t psid = p >= 0 ? tree->tasks[p].sid : my_sid;
		pid_t ppid = p >= 0 ? tree->tasks[p].pid : at->pid;

		if (t->sid == t->pid) {
			if (t->pgid != t->pid) {
				plan_fail("pid %d leads session %d but is in group %d: a broken image",
					  t->pid, t->sid, t->pgid);
				goto out;
			}
		} else if (t->sid != psid) {
			if (pidmap_get(&tree->index, t->sid) >= 0) {
				plan_fail("unsupported: pid %d is in session %d, led by pid %d of "
					  "the tree, but its parent %d is in session %d",
					  t->pid, t->sid, t->sid, ppid, psid);
				goto out;
			}
			h = pidmap_get(&helpers, t->sid);
			if (h < 0) {
				h = add_node(t->sid, NODE_SESSION, p, p, t->sid);
				pidmap_put(&helpers, t->sid, h);
				link_node(h, &top_last);
			} else if (rs.nodes[h].kind != NODE_SESSION || rs.nodes[h].host != p) {
				plan_fail("unsupported: session %d, whose leader is gone, has "
					  "members with different parents (pid %d's is %d)",
					  t->sid, t->pid, ppid);
				goto out;
			}
			creator = h;
		}
		if (t->pgid != t->pid) {
			l = pidmap_get(&tree->index, t->pgid);
			h = pidmap_get(&helpers, t->pgid);
			if (l >= 0) {
				const struct task *leader = &tree->tasks[l];

				if (leader->pgid != leader->pid || leader->sid != t->sid) {
					plan_fail("pid %d is in group %d, which pid %d does not "
						  "lead in session %d: a broken image",
						  t->pid, t->pgid, leader->pid, t->sid);
					goto out;
				}
			} else if (h >= 0) {
				if (rs.nodes[h].sid != t->sid) {
					plan_fail("pid %d is in group %d of session %d, and so is a "
						  "task of session %d: a broken image",
						  t->pid, t->pgid, t->sid, rs.nodes[h].sid);
					goto out;
				}
			} else if (!(t->pgid == my_pgid && t->sid == my_sid)) {
				/* the group's leader is gone: the first member makes it */
				h = add_node(t->pgid, NODE_GROUP, creator, p, t->sid);
				pidmap_put(&helpers, t->pgid, h);
				link_node(h, &top_last);
				creator = h;
			}
		}
		rs.nodes[i].parent = creator;
		link_node((int)i, &top_last);
	}
	if (at->pidns) {
		/* pid 1 is our init; the namespace ends when the root exits */
		for (i = 0; i < rs.nr_nodes; i++)
			if (rs.nodes[i].pid == 1) {
				plan_fail("unsupported with --pidns: the tree needs pid 1 (%s), "
					  "which is criu-lite's init in the new namespace",
					  i < tree->nr ? "a process" : "a gone session or group leader");
				goto out;
			}
		for (i = 0; i < tree->nr; i++)
			for (size_t j = 1; j < tree->tasks[i].nr_threads; j++)
				if (tree->tasks[i].threads[j].tid == 1) {
					plan_fail("unsupported with --pidns: the tree needs tid 1, "
						  "which is criu-lite's init in the new namespace");
					goto out;
				}
		if (tree->tasks[0].state == TASK_DEAD) {
			plan_fail("unsupported with --pidns: the root (pid %d) is a zombie, and "
				  "the namespace ends when its root exits",
				  tree->tasks[0].pid);
			goto out;
		}
	}
	for (i = 0; i < tree->nr; i++) {
		const struct task *t = &tree->tasks[i];

		if (t->state == TASK_DEAD && WIFSIGNALED(t->exit_code) && WCOREDUMP(t->exit_code))
			pr_warn("pid %d dumped core as it died; its restored zombie will not (its "
				"status loses the core flag)",
				t->pid);
	}
	for (i = tree->nr; i < rs.nr_nodes; i++)
		pr_info("restore: helper %d for the %s of that id, gone from the tree", rs.nodes[i].pid,
			rs.nodes[i].kind == NODE_SESSION ? "session" : "group");
	ret = 0;
out:
	pidmap_free(&helpers);
	return ret;
}

static bool id_taken(pid_t id, char *comm, size_t size)
{
	char path[32];

	snprintf(path, sizeof(path), "%d", id);
	if (faccessat(proc_fd(), path, F_OK, 0) < 0)
		return false;
	snprintf(path, sizeof(path), "%d/comm", id);
	if (read_small_file_at(proc_fd(), path, comm, size) > 0)
		comm[strcspn(comm, "\n")] = '\0';
	else
		snprintf(comm, size, "?");
	return true;
}

/* Fails early, and creates nothing, when a pid or tid is visibly in use. (A pid that only names
 * a live session or group is caught by clone3 itself.) */
static int check_ids_free(const struct pstree *tree)
{
	char comm[64];
	size_t i, j;

	for (i = 0; i < rs.nr_nodes; i++) {
		const struct node *n = &rs.nodes[i];

		if (id_taken(n->pid, comm, sizeof(comm))) {
			if (n->kind == NODE_TASK)
				pr_err("pid %d is taken (by a running '%s')", n->pid, comm);
			else
				pr_err("pid %d, needed for its gone %s leader, is taken (by a "
				       "running '%s')",
				       n->pid, n->kind == NODE_SESSION ? "session" : "group", comm);
			return -1;
		}
	}
	for (i = 0; i < tree->nr; i++) {
		const struct task *t = &tree->tasks[i];

		for (j = 1; j < t->nr_threads; j++)
			if (id_taken(t->threads[j].tid, comm, sizeof(comm))) {
				pr_err("tid %d (a thread of pid %d) is taken (by a running '%s')",
				       t->threads[j].tid, t->pid, comm);
				return -1;
			}
	}
	return 0;
}

static bool have_clone3(void)
{
	const char *env = getenv("CRIU_LITE_NO_CLONE3");

	if (env && *env && strcmp(env, "0"))
		return false;
	/* a size of 0 is always invalid: EINVAL means the call exists */
	return syscall(SYS_clone3, NULL, 0) < 0 && errno != ENOSYS;
}

/* Whether the root has exited, without reaping it (its pid must stay ours). */
static bool root_exited(pid_t root)
{
	siginfo_t si = {0};

	if (waitid(P_PID, (id_t)root, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
		return errno == ECHILD;
	return si.si_pid != 0;
}

static bool report_failure(void)
{
	if (atomic_load(&rs.sh->failed) != 1)
		return false;
	pr_err("%s", rs.sh->why);
	return true;
}

/* Waits for the predicate, a task's failure, the root's unexpected death or the timeout. */
static int wait_until(bool (*done)(void *), void *arg, pid_t root, bool root_may_exit,
		      const char *what)
{
	uint64_t deadline = now_ns() + (uint64_t)STAGE_TIMEOUT * 1000000000ull;
	uint32_t seq;

	for (;;) {
		seq = atomic_load(&rs.sh->seq);
		if (report_failure())
			return -1;
		if (done(arg))
			return 0;
		if (!root_may_exit && root_exited(root)) {
			if (!report_failure())
				pr_err("pid %d (the root) died while %s", root, what);
			return -1;
		}
		if (now_ns() > deadline) {
			pr_err("timed out after %d s while %s", STAGE_TIMEOUT, what);
			return -1;
		}
		futex_wait(&rs.sh->seq, seq, 20);
	}
}

struct count_arg {
	_Atomic uint32_t *counter;
	uint32_t n;
};

static bool counted(void *arg)
{
	struct count_arg *a = arg;

	return atomic_load(a->counter) >= a->n;
}

/* Every task whose final state is want_state shows state letter want in /proc. */
struct state_arg {
	const struct pstree *tree;
	enum task_state want_state;
	char want;
	size_t next; /* tasks before it are done */
};

static bool in_state(void *arg)
{
	struct state_arg *a = arg;
	struct proc_stat st;

	for (; a->next < a->tree->nr; a->next++) {
		const struct task *t = &a->tree->tasks[a->next];

		if (t->state != a->want_state)
			continue;
		if (proc_read_stat(t->pid, t->pid, &st) < 0 || st.state != a->want)
			return false;
	}
	return true;
}

/* Reads back what the kernel now says of every task and thread. */
static int verify_tree(const struct pstree *tree)
{
	struct proc_stat st;
	size_t i, j;

	for (i = 0; i < tree->nr; i++) {
		const struct task *t = &tree->tasks[i];
		pid_t ppid = t->parent >= 0 ? tree->tasks[t->parent].pid : getpid();

		if (proc_read_stat(t->pid, t->pid, &st) < 0) {
			pr_perror("pid %d: cannot read its stat after creating it", t->pid);
			return -1;
		}
		if (st.ppid != ppid || st.pgid != t->pgid || st.sid != t->sid) {
			pr_err("pid %d came back with ppid %d pgid %d sid %d, not %d %d %d", t->pid,
			       st.ppid, st.pgid, st.sid, ppid, t->pgid, t->sid);
			return -1;
		}
		for (j = 1; j < t->nr_threads; j++)
			if (proc_read_stat(t->pid, t->threads[j].tid, &st) < 0) {
				pr_perror("pid %d: thread %d is missing", t->pid, t->threads[j].tid);
				return -1;
			}
	}
	return 0;
}

static void set_stage(enum stage s)
{
	atomic_store(&rs.sh->stage, (uint32_t)s);
	futex_wake(&rs.sh->stage);
}

/* Kills every task created so far and reaps them all (they come to us: we are their
 * subreaper). A pid is killed only until we reaped it, so a reused pid is never hit. */
static void abort_tree(void)
{
	size_t i, n = rs.nr_nodes;
	pid_t pid;

	set_stage(ST_ABORT);
	for (;;) {
		for (i = 0; i < n; i++) {
			pid = atomic_load(&rs.sh->pids[i]);
			if (pid > 0)
				kill(pid, SIGKILL);
		}
		pid = waitpid(-1, NULL, __WALL);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break; /* ECHILD: all gone */
		}
		for (i = 0; i < n; i++)
			if (atomic_load(&rs.sh->pids[i]) == pid)
				atomic_store(&rs.sh->pids[i], -1);
	}
}

static void free_state(void)
{
	if (rs.sh)
		munmap(rs.sh, rs.sh_size);
	if (rs.watch_fd >= 0)
		close(rs.watch_fd);
	free(rs.nodes);
	memset(&rs, 0, sizeof(rs));
	rs.watch_fd = -1;
}

int restore_tree(const struct pstree *tree, pid_t *rootp)
{
	pid_t root = tree->nr ? tree->tasks[0].pid : 0;
	bool root_dies = tree->nr && tree->tasks[0].state == TASK_DEAD;
	int was_subreaper = 0, fd;
	struct plan_ctx here = {getpid(), getsid(0), getpgrp(), pidns_init};
	struct count_arg ca;
	struct state_arg sa;

	if (!tree->nr) {
		pr_err("the tree is empty");
		return -1;
	}
	memset(&rs, 0, sizeof(rs));
	rs.tree = tree;
	rs.watch_fd = -1;
	if (plan_tree(tree, &here) < 0) {
		pr_err("%s", plan_why);
		free_state();
		return -1;
	}
	if (check_ids_free(tree) < 0) {
		free_state();
		return -1;
	}
	rs.clone3 = have_clone3();
	/* tasks waiting for a stage leave if we die; without pidfds (Linux < 5.3) they wait on */
	fd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (fd >= 0) {
		rs.watch_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		close(fd);
	}
	pr_info("restore: %zu processes, %zu threads, %zu helpers, pids by %s", tree->nr,
		tree->nr_threads, rs.nr_nodes - tree->nr,
		rs.clone3 ? "clone3(set_tid)" : NS_LAST_PID);
	rs.sh_size = sizeof(struct shared) + rs.nr_nodes * sizeof(_Atomic pid_t);
	rs.sh = mmap(NULL, rs.sh_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (rs.sh == MAP_FAILED) {
		rs.sh = NULL;
		pr_perror("cannot map the restore state");
		free_state();
		return -1;
	}
	if (prctl(PR_GET_CHILD_SUBREAPER, &was_subreaper, 0, 0, 0) < 0 ||
	    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
		pr_perror("cannot become a child subreaper");
		free_state();
		return -1;
	}
	fflush(NULL);
	/* the root, or the helpers that fork it; a helper is reaped before spawn() returns */
	if (spawn_children(-1) < 0) {
		report_failure();
		goto fail;
	}

	ca = (struct count_arg){&rs.sh->nr_ready, (uint32_t)tree->nr};
	if (wait_until(counted, &ca, root, false, "creating the tree") < 0)
		goto fail;
	pr_debug("restore: %zu processes created", tree->nr);
	set_stage(ST_JOIN);
	ca = (struct count_arg){&rs.sh->nr_joined, (uint32_t)tree->nr};
	if (wait_until(counted, &ca, root, false, "joining process groups") < 0)
		goto fail;
	if (verify_tree(tree) < 0)
		goto fail;

	set_stage(ST_ZOMBIES);
	sa = (struct state_arg){tree, TASK_DEAD, 'Z', 0};
	if (wait_until(in_state, &sa, root, root_dies, "zombies were exiting") < 0)
		goto fail;
	set_stage(ST_STOPS);
	sa = (struct state_arg){tree, TASK_STOPPED, 'T', 0};
	if (wait_until(in_state, &sa, root, root_dies, "stopped tasks were stopping") < 0)
		goto fail;
	set_stage(ST_DONE);
	prctl(PR_SET_CHILD_SUBREAPER, was_subreaper, 0, 0, 0);
	free_state();
	*rootp = root;
	return 0;
fail:
	abort_tree();
	prctl(PR_SET_CHILD_SUBREAPER, was_subreaper, 0, 0, 0);
	free_state();
	return -1;
}

/* ---- --pidns: the tree in a new pid namespace, below criu-lite's own init ---- */

static volatile sig_atomic_t init_root; /* the root, for the init's signal handler */

static void init_forward(int sig)
{
	if (init_root > 0)
		kill(init_root, sig);
}

/* The namespace's init once the tree is whole: passes the usual ending signals on to the root
 * (an init gets no signal it has no handler for), reaps whatever is reparented to it, and exits
 * with the root's status once the root exits; the kernel then kills the rest of the namespace.
 * The tree's own zombies are their parents' children, not ours: they stay as they are. */
static void __attribute__((noreturn)) init_loop(pid_t root)
{
	static const int forwarded[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2};
	struct sigaction sa = {0};
	int status;
	pid_t pid;

	init_root = root;
	sa.sa_handler = init_forward;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
		sigaction(forwarded[i], &sa, NULL);
	for (;;) {
		pid = waitpid(-1, &status, __WALL);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			_exit(1); /* ECHILD: the root is gone, which we would have seen */
		}
		if (pid == root)
			_exit(WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status));
	}
}

/* The child of restore_tree_pidns(), pid 1 of the new namespace: gives the namespace a /proc
 * of its own (in a new mount namespace, which the tree shares: `nsenter -t INIT -p -m` then
 * sees the namespace's processes), restores the tree there, reports the root's pid on fd
 * report and becomes the namespace's init. */
static void __attribute__((noreturn)) run_init(const struct pstree *tree, int report)
{
	pid_t root;
	int fd;

	pidns_init = true;
	/* if the restorer dies before we report, we (and the namespace) go too */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	prctl(PR_SET_NAME, "criu-lite-init", 0, 0, 0);
	if (unshare(CLONE_NEWNS) < 0) {
		pr_perror("--pidns: cannot make a mount namespace");
		_exit(1);
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
		pr_perror("--pidns: cannot mount a /proc for the new namespace");
		_exit(1);
	}
	/* proc.c keeps one descriptor of /proc, the host's: the namespace's takes its place */
	if (proc_reinit() < 0)
		_exit(1);
	if (restore_tree(tree, &root) < 0)
		_exit(1);
	/* the restorer may leave now; if it is already gone, the write kills us (SIGPIPE) */
	prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	if (write(report, &root, sizeof(root)) != (ssize_t)sizeof(root))
		_exit(1);
	/* keep nothing of the restorer's: a caller reading its stdout must see it close */
	fd = open("/dev/null", O_RDWR);
	for (int i = 0; fd >= 0 && i < 3; i++)
		if (fd != i)
			dup2(fd, i);
	syscall(SYS_close_range, 3, ~0U, 0);
	init_loop(root);
}

int restore_tree_pidns(const struct pstree *tree, pid_t *initp)
{
	struct plan_ctx ns = {1, 0, 0, true}; /* what the init will see */
	cleanup_fd int rd = -1;
	int pfd[2], ret, status;
	pid_t init, root = 0;
	ssize_t n;

	if (!tree->nr) {
		pr_err("the tree is empty");
		return -1;
	}
	/* refuse what cannot be done before anything exists */
	memset(&rs, 0, sizeof(rs));
	rs.tree = tree;
	rs.watch_fd = -1;
	ret = plan_tree(tree, &ns);
	free_state();
	if (ret < 0) {
		pr_err("%s", plan_why);
		return -1;
	}
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		pr_perror("cannot make a pipe");
		return -1;
	}
	rd = pfd[0];
	/* our next child is pid 1 of a new namespace (we stay where we are) */
	if (unshare(CLONE_NEWPID) < 0) {
		pr_perror("cannot make a pid namespace");
		close(pfd[1]);
		return -1;
	}
	fflush(NULL);
	init = fork();
	if (init == 0) {
		close(rd);
		run_init(tree, pfd[1]);
	}
	close(pfd[1]);
	if (init < 0) {
		pr_perror("cannot fork the new namespace's init");
		return -1;
	}
	do
		n = read(rd, &root, sizeof(root));
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(root)) {
		/* the init logged why, unless something killed it */
		while (waitpid(init, &status, 0) < 0 && errno == EINTR)
			;
		if (WIFSIGNALED(status))
			pr_err("the new namespace's init (pid %d) was killed by signal %d", init,
			       WTERMSIG(status));
		return -1;
	}
	pr_info("restored the tree of pid %d in a new pid namespace, whose init is pid %d here",
		root, init);
	*initp = init;
	return 0;
}

/* ---- --dry-run ---- */

/* A "; "-separated list of reasons, or of ids within one reason. */
struct text {
	FILE *f;
	char *buf;
	size_t size;
	int n;
};

static int text_open(struct text *t)
{
	memset(t, 0, sizeof(*t));
	t->f = open_memstream(&t->buf, &t->size);
	if (!t->f)
		pr_perror("open_memstream");
	return t->f ? 0 : -1;
}

static void __attribute__((format(printf, 3, 4))) text_add(struct text *t, const char *sep,
							    const char *fmt, ...)
{
	va_list ap;

	if (t->n++)
		fputs(sep, t->f);
	va_start(ap, fmt);
	vfprintf(t->f, fmt, ap);
	va_end(ap);
}

/* Closes the stream; t->buf is then the text (the caller frees it). */
static const char *text_close(struct text *t)
{
	if (t->f)
		fclose(t->f);
	t->f = NULL;
	return t->buf ? t->buf : "";
}

static bool have_cap(cap_t caps, cap_value_t cap)
{
	cap_flag_value_t v = CAP_CLEAR;

	return caps && cap_get_flag(caps, cap, CAP_EFFECTIVE, &v) == 0 && v == CAP_SET;
}

#ifndef CAP_CHECKPOINT_RESTORE
#define CAP_CHECKPOINT_RESTORE 40
#endif

#define MAX_PIDNS "/proc/sys/user/max_pid_namespaces"

/* Kernel features and privileges the restore needs. */
static void check_features(const struct pstree *tree, bool pidns, struct text *why)
{
	cap_t caps = cap_get_proc();
	char max_ns[32];

	if (pidns) {
		if (faccessat(proc_fd(), "self/ns/pid", F_OK, 0) < 0)
			text_add(why, "; ", "this kernel has no pid namespaces");
		else if (read_small_file(MAX_PIDNS, max_ns, sizeof(max_ns)) > 0 && !atol(max_ns))
			text_add(why, "; ", "%s is 0", MAX_PIDNS);
		/* unshare(CLONE_NEWPID), and mounting the namespace's /proc */
		if (!have_cap(caps, CAP_SYS_ADMIN))
			text_add(why, "; ", "--pidns needs CAP_SYS_ADMIN, which this process lacks");
	} else {
		if (!have_clone3() && access(NS_LAST_PID, W_OK) < 0)
			text_add(why, "; ",
				 "no way to choose pids: no clone3 with set_tid, and %s is not "
				 "writable (%m)",
				 NS_LAST_PID);
		if (!have_cap(caps, CAP_SYS_ADMIN) && !have_cap(caps, CAP_CHECKPOINT_RESTORE))
			text_add(why, "; ",
				 "choosing pids needs CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE, "
				 "which this process lacks");
	}
	if (caps)
		cap_free(caps);
	if (tree->nr_threads > tree->nr && !HAVE_THREAD_SYSCALL)
		text_add(why, "; ", "threads are not supported on this architecture");
}

/* Every id the restore needs: the plan's nodes (tasks and helpers) and the threads. */
static void wanted_ids(const struct pstree *tree, struct pidvec *ids)
{
	size_t i, j;

	for (i = 0; i < rs.nr_nodes; i++)
		pidvec_push(ids, rs.nodes[i].pid);
	for (i = 0; i < tree->nr; i++)
		for (j = 1; j < tree->tasks[i].nr_threads; j++)
			pidvec_push(ids, tree->tasks[i].threads[j].tid);
}

/* Ids taken on this host: by a process or thread (named with its comm), or as the id of a live
 * session or group whose leader is gone (no /proc entry, but clone3 would say EEXIST). */
static void check_taken(const struct pstree *tree, struct text *why)
{
	struct pidmap want = {0}, ghost = {0};
	struct pidvec ids = {0};
	struct text taken = {0}, ghosts = {0};
	struct proc_stat st;
	cleanup_dir DIR *d = NULL;
	struct dirent *de;
	char comm[64];
	size_t i;
	pid_t pid;
	int fd;

	wanted_ids(tree, &ids);
	if (text_open(&taken) < 0 || text_open(&ghosts) < 0)
		goto out;
	for (i = 0; i < ids.n; i++) {
		if (id_taken(ids.v[i], comm, sizeof(comm)))
			text_add(&taken, ", ", "%d (%s)", ids.v[i], comm);
		else
			pidmap_put(&want, ids.v[i], 1);
	}
	fd = openat(proc_fd(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	while (d && (de = readdir(d))) {
		pid = parse_pid(de->d_name);
		if (pid <= 0 || proc_read_stat(pid, pid, &st) < 0)
			continue;
		for (int k = 0; k < 2; k++) {
			pid_t id = k ? st.sid : st.pgid;

			if (pidmap_get(&want, id) == 1 && pidmap_get(&ghost, id) < 0) {
				pidmap_put(&ghost, id, 1);
				text_add(&ghosts, ", ", "%d (by the %s of pid %d)", id,
					 k ? "session" : "group", pid);
			}
		}
	}
	if (taken.n)
		text_add(why, "; ", "pids taken: %s", text_close(&taken));
	if (ghosts.n)
		text_add(why, "; ",
			 "pids taken as the id of a session or group whose leader is gone: %s",
			 text_close(&ghosts));
out:
	text_close(&taken);
	text_close(&ghosts);
	free(taken.buf);
	free(ghosts.buf);
	pidmap_free(&want);
	pidmap_free(&ghost);
	pidvec_free(&ids);
}

/* Ids this host cannot hand out at all. */
static void check_pid_max(const struct pstree *tree, struct text *why)
{
	struct pidvec ids = {0};
	struct text big;
	char buf[32];
	long max;

	if (read_small_file("/proc/sys/kernel/pid_max", buf, sizeof(buf)) <= 0)
		return;
	max = atol(buf);
	wanted_ids(tree, &ids);
	if (text_open(&big) == 0) {
		for (size_t i = 0; i < ids.n; i++)
			if (ids.v[i] >= max)
				text_add(&big, ", ", "%d", ids.v[i]);
		if (big.n)
			text_add(why, "; ", "pids at or above pid_max (%ld): %s", max,
				 text_close(&big));
		text_close(&big);
		free(big.buf);
	}
	pidvec_free(&ids);
}

int restore_dry_run(const struct pstree *tree, bool pidns)
{
	struct plan_ctx at = {getpid(), getsid(0), getpgrp(), false};
	struct plan_ctx ns = {1, 0, 0, true};
	struct text why;
	int ret;

	if (text_open(&why) < 0)
		return -1;
	memset(&rs, 0, sizeof(rs));
	rs.tree = tree;
	rs.watch_fd = -1;
	if (!tree->nr)
		text_add(&why, "; ", "the tree is empty");
	else if (plan_tree(tree, pidns ? &ns : &at) < 0)
		text_add(&why, "; ", "%s", plan_why);
	else {
		check_pid_max(tree, &why);
		/* a new namespace has none of them taken */
		if (!pidns)
			check_taken(tree, &why);
	}
	check_features(tree, pidns, &why);
	free_state();
	ret = why.n ? 1 : 0;
	text_close(&why);
	if (ret)
		printf("would fail: %s\n", why.buf);
	else
		printf("would succeed\n");
	free(why.buf);
	return ret;
}
