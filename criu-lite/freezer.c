// SPDX-License-Identifier: GPL-2.0-or-later
/* The freezer: which method, how to freeze, and how to undo every step on every path. */
#include "freezer.h"
#include "proc.h"
#include "pstree.h"
#include "signals.h"

#include <poll.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#define FREEZE_TIMEOUT_MS 5000

const char *freezer_kind_name(enum freezer_kind kind)
{
	static const char *const names[] = {
		[FREEZER_AUTO] = "auto",
		[FREEZER_V1] = "v1",
		[FREEZER_V2] = "v2",
		[FREEZER_PTRACE] = "ptrace",
	};
	return names[kind];
}

int freezer_kind_parse(const char *s, enum freezer_kind *kind)
{
	enum freezer_kind k;

	for (k = FREEZER_AUTO; k <= FREEZER_PTRACE; k++) {
		if (!strcmp(s, freezer_kind_name(k))) {
			*kind = k;
			return 0;
		}
	}
	return -1;
}

/* Adds the pids of the cgroup at dirfd, and of every cgroup below it, to procs. */
static int read_cgroup_procs(int dirfd, const char *where, struct pidmap *procs)
{
	cleanup_file FILE *f = NULL;
	cleanup_dir DIR *d = NULL;
	struct dirent *de;
	char buf[64];
	int fd;

	fd = openat(dirfd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !(f = fdopen(fd, "r"))) {
		pr_perror("cannot read %s/cgroup.procs", where);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while (fgets(buf, sizeof(buf), f))
		pidmap_put(procs, (pid_t)strtol(buf, NULL, 10), 1);
	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd))) {
		pr_perror("cannot list %s", where);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while ((de = readdir(d))) {
		cleanup_fd int sub = -1;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sub < 0 || read_cgroup_procs(sub, de->d_name, procs) < 0)
			return -1;
	}
	return 0;
}

static void sleep_us(unsigned int us)
{
	struct timespec ts = {us / 1000000, (us % 1000000) * 1000};

	nanosleep(&ts, NULL);
}

static bool is_zombie(pid_t pid)
{
	struct proc_stat st;

	return proc_read_stat(pid, pid, &st) == 0 && (st.state == 'Z' || st.state == 'X');
}

/* Whether the cgroup at dirfd (with those below) holds every process of tree, and when alone
 * is asked, nothing else. Returns 1 or 0 (with the first process out of place), -1 on error. */
static int cgroup_holds_tree(int dirfd, const char *where, const struct pstree *tree, bool alone,
			     pid_t *outsider)
{
	struct pidmap procs = {0};
	size_t i;
	int ret = -1;

	*outsider = 0;
	if (read_cgroup_procs(dirfd, where, &procs) < 0)
		goto out;
	ret = 0;
	for (i = 0; i < tree->nr; i++) {
		/* A zombie has left its cgroup already; it needs no freezing. */
		if (pidmap_get(&procs, tree->tasks[i].pid) < 0 && !is_zombie(tree->tasks[i].pid)) {
			*outsider = tree->tasks[i].pid;
			goto out;
		}
	}
	for (i = 0; alone && i < procs.size; i++) {
		pid_t pid = procs.slots[i].key;

		if (pid && !pstree_find(tree, pid)) {
			*outsider = pid;
			goto out;
		}
	}
	ret = 1;
out:
	pidmap_free(&procs);
	return ret;
}

static int use_cgroup(struct freezer *fz, const char *path, const char *ctl_file)
{
	snprintf(fz->cgroup, sizeof(fz->cgroup), "%s", path);
	fz->cgfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fz->cgfd < 0)
		return -1;
	if (faccessat(fz->cgfd, ctl_file, F_OK, 0) < 0) {
		close(fz->cgfd);
		fz->cgfd = -1;
		return -1;
	}
	return 0;
}

/* The tree's own cgroup in one hierarchy, if the tree lives there alone. */
static bool own_cgroup(struct freezer *fz, const char *mount, const char *rel,
		       const char *ctl_file, const struct pstree *tree)
{
	char path[PATH_MAX];
	pid_t outsider;

	if (!mount[0] || !rel[0] || !strcmp(rel, "/") || path_join(path, sizeof(path), mount, rel))
		return false;
	if (use_cgroup(fz, path, ctl_file) < 0)
		return false;
	if (cgroup_holds_tree(fz->cgfd, path, tree, true, &outsider) == 1)
		return true;
	close(fz->cgfd);
	fz->cgfd = -1;
	return false;
}

static int read_v1_state(const struct freezer *fz, char *buf, size_t size)
{
	if (read_small_file_at(fz->cgfd, "freezer.state", buf, size) < 0) {
		pr_perror("cannot read %s/freezer.state", fz->cgroup);
		return -1;
	}
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int note_prior_freeze(struct freezer *fz)
{
	char buf[64];

	if (fz->kind == FREEZER_V1) {
		if (read_v1_state(fz, buf, sizeof(buf)) < 0)
			return -1;
		fz->was_frozen = strcmp(buf, "THAWED") != 0;
	} else {
		if (read_small_file_at(fz->cgfd, "cgroup.freeze", buf, sizeof(buf)) < 0) {
			pr_perror("cannot read %s/cgroup.freeze", fz->cgroup);
			return -1;
		}
		fz->was_frozen = buf[0] == '1';
	}
	if (fz->was_frozen) {
		fz->frozen_at = now_ns();
		pr_info("%s was already frozen; it stays frozen", fz->cgroup);
	}
	return 0;
}

static int setup_named_cgroup(struct freezer *fz, const char *cgroup, const struct pstree *tree)
{
	char path[PATH_MAX];
	pid_t outsider;
	int ret;

	if (!realpath(cgroup, path)) {
		pr_perror("cannot use --freeze-cgroup %s", cgroup);
		return -1;
	}
	if (use_cgroup(fz, path, "freezer.state") == 0)
		fz->kind = FREEZER_V1;
	else if (use_cgroup(fz, path, "cgroup.freeze") == 0)
		fz->kind = FREEZER_V2;
	else {
		pr_err("%s is neither a v1 freezer cgroup nor a non-root v2 cgroup", path);
		return -1;
	}
	ret = cgroup_holds_tree(fz->cgfd, fz->cgroup, tree, false, &outsider);
	if (ret < 0)
		return -1;
	if (!ret) {
		pr_err("process %d of the tree is not in %s, which would not freeze it", outsider,
		       fz->cgroup);
		return -1;
	}
	return note_prior_freeze(fz);
}

static int make_temporary_cgroup(struct freezer *fz, const char *v1mount)
{
	char name[32], path[PATH_MAX];

	snprintf(name, sizeof(name), "criu-lite.%d", (int)getpid());
	snprintf(fz->temp_rel, sizeof(fz->temp_rel), "/%s", name);
	if (path_join(path, sizeof(path), v1mount, name) < 0 || mkdir(path, 0700) < 0) {
		pr_perror("cannot create the freezer cgroup %s/%s", v1mount, name);
		return -1;
	}
	fz->kind = FREEZER_V1;
	fz->temporary = true;
	if (use_cgroup(fz, path, "freezer.state") < 0) {
		pr_perror("cannot open %s", path);
		return -1;
	}
	pr_info("freezing through the temporary cgroup %s", fz->cgroup);
	return 0;
}

static int choose(struct freezer *fz, enum freezer_kind want, const char *cgroup,
		  const struct pstree *tree)
{
	char v1mount[PATH_MAX], v2mount[PATH_MAX], v1rel[PATH_MAX], v2rel[PATH_MAX];
	pid_t root = tree->tasks[0].pid;

	fz->timeout_ms = FREEZE_TIMEOUT_MS;
	if (cgroup)
		return setup_named_cgroup(fz, cgroup, tree);
	if (want == FREEZER_PTRACE)
		goto use_ptrace;

	if (proc_cgroup_mounts(v1mount, sizeof(v1mount), v2mount, sizeof(v2mount)) < 0 ||
	    proc_read_cgroups(root, v1rel, sizeof(v1rel), v2rel, sizeof(v2rel)) < 0) {
		pr_perror("cannot read the cgroups of %d", root);
		return -1;
	}
	if ((want == FREEZER_AUTO || want == FREEZER_V2) &&
	    own_cgroup(fz, v2mount, v2rel, "cgroup.freeze", tree)) {
		fz->kind = FREEZER_V2;
		pr_info("the tree lives alone in %s: freezing it", fz->cgroup);
		return note_prior_freeze(fz);
	}
	if (want == FREEZER_V2) {
		pr_err("the tree does not live alone in a v2 cgroup; name one with --freeze-cgroup or "
		       "use --freezer=v1|ptrace");
		return -1;
	}
	if ((want == FREEZER_AUTO || want == FREEZER_V1) &&
	    own_cgroup(fz, v1mount, v1rel, "freezer.state", tree)) {
		fz->kind = FREEZER_V1;
		pr_info("the tree lives alone in %s: freezing it", fz->cgroup);
		return note_prior_freeze(fz);
	}
	if (v1mount[0])
		return make_temporary_cgroup(fz, v1mount);
	if (want == FREEZER_V1) {
		pr_err("the cgroup v1 freezer is not mounted");
		return -1;
	}
use_ptrace:
	fz->kind = FREEZER_PTRACE;
	pr_info("no freezer cgroup can hold the tree alone: stopping its tasks with ptrace");
	return 0;
}

int freezer_setup(struct freezer *fz, enum freezer_kind want, const char *cgroup,
		  const struct pstree *tree)
{
	if (choose(fz, want, cgroup, tree) < 0) {
		freezer_release(fz, false); /* a temporary cgroup may exist already */
		return -1;
	}
	if (fz->kind != FREEZER_PTRACE)
		watchdog_send(fz->wd, "C %d %d %d %s\n", fz->kind, fz->temporary, fz->was_frozen,
			      fz->cgroup);
	return 0;
}

static void note_moved(struct freezer *fz, pid_t pid, const char *origin)
{
	fz->moved = xrealloc(fz->moved, (fz->nr_moved + 1) * sizeof(*fz->moved));
	fz->moved[fz->nr_moved].pid = pid;
	fz->moved[fz->nr_moved].origin = xstrdup(origin);
	pidmap_put(&fz->adopted, pid, (int)fz->nr_moved);
	fz->nr_moved++;
}

/* Where a process goes back to when it has no origin of its own: the root's. */
static const char *fallback_origin(const struct freezer *fz)
{
	return fz->nr_moved ? fz->moved[0].origin : "/";
}

/* Moves one process, and with it all its threads, into the temporary cgroup. */
static int move_into_temporary(struct freezer *fz, const struct pstree *tree, const struct task *t)
{
	char origin[PATH_MAX], v2[PATH_MAX], pid[16];
	int parent;

	if (proc_read_cgroups(t->pid, origin, sizeof(origin), v2, sizeof(v2)) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!strcmp(origin, fz->temp_rel)) {
		/* Born inside, after its parent moved: it belongs where its parent came from. */
		parent = t->parent >= 0 ? pidmap_get(&fz->adopted, tree->tasks[t->parent].pid) : -1;
		note_moved(fz, t->pid, parent >= 0 ? fz->moved[parent].origin : fallback_origin(fz));
		return 1;
	}
	/* Told before it happens, so a watchdog never misses a move. */
	watchdog_send(fz->wd, "M %d %s\n", t->pid, origin);
	snprintf(pid, sizeof(pid), "%d", t->pid);
	if (write_str_at(fz->cgfd, "cgroup.procs", pid) < 0) {
		/* A zombie cannot move, nor run: it needs no freezing. */
		if (errno == ESRCH || is_zombie(t->pid))
			return 0;
		pr_perror("cannot move %d into %s", t->pid, fz->cgroup);
		return -1;
	}
	note_moved(fz, t->pid, origin);
	return 1;
}

/* Waits for a seized task's stop: 1 stopped, 0 gone, -1 on timeout (a task that cannot stop:
 * frozen by someone else, or in uninterruptible sleep) or a held signal. */
static int wait_for_stop(const struct freezer *fz, pid_t tid, int *status)
{
	uint64_t deadline = now_ns() + (uint64_t)fz->timeout_ms * 1000000;
	unsigned int delay = 50;
	pid_t r;

	for (;;) {
		r = waitpid(tid, status, __WALL | WNOHANG);
		if (r == tid)
			return WIFSTOPPED(*status) ? 1 : 0;
		if (r < 0 && errno == ECHILD)
			return 0;
		if (r < 0 && errno != EINTR) {
			pr_perror("cannot wait for task %d to stop", tid);
			return -1;
		}
		if (signals_check() < 0)
			return -1;
		if (now_ns() > deadline) {
			pr_err("task %d did not stop within %d ms (frozen by someone else, or in "
			       "uninterruptible sleep?)",
			       tid, fz->timeout_ms);
			return -1;
		}
		sleep_us(delay);
		if (delay < 2000)
			delay *= 2;
	}
}

static int seize_thread(struct freezer *fz, pid_t pid, pid_t tid)
{
	struct proc_status st;
	int status, ret;

	if (ptrace(PTRACE_SEIZE, tid, 0, 0) < 0) {
		if (errno == ESRCH)
			return 0; /* gone */
		if (is_zombie(tid))
			return 0; /* a zombie does not run */
		if (errno == EPERM && proc_read_status(pid, tid, &st) == 0 && st.tracer)
			pr_err("task %d is already traced by %d", tid, st.tracer);
		else
			pr_perror("cannot seize task %d", tid);
		return -1;
	}
	pidvec_push(&fz->seized, tid);
	if (!fz->frozen_at)
		fz->frozen_at = now_ns();
	if (ptrace(PTRACE_INTERRUPT, tid, 0, 0) < 0) {
		pr_perror("cannot interrupt task %d", tid);
		return -1;
	}
	ret = wait_for_stop(fz, tid, &status);
	if (ret <= 0) {
		fz->seized.n--; /* gone: it died, or exec'd from a thread and took the leader's id */
		return ret;
	}
	/* A task in group stop reports its stop signal; an interrupted one reports SIGTRAP. */
	pidmap_put(&fz->adopted, tid, WSTOPSIG(status) != SIGTRAP);
	return 1;
}

static int adopt_by_ptrace(struct freezer *fz, const struct pstree *tree, size_t *added)
{
	size_t i, j;
	int ret;

	for (i = 0; i < tree->nr; i++) {
		const struct task *t = &tree->tasks[i];

		for (j = 0; j < t->nr_threads; j++) {
			if (pidmap_get(&fz->adopted, t->threads[j].tid) >= 0)
				continue;
			ret = seize_thread(fz, t->pid, t->threads[j].tid);
			if (ret < 0)
				return -1;
			*added += ret;
		}
	}
	return 0;
}

static int adopt_by_moving(struct freezer *fz, const struct pstree *tree, size_t *added)
{
	size_t i;
	int ret;

	/* Parents first: children forked after their parent moved follow it. */
	for (i = 0; i < tree->nr; i++) {
		if (pidmap_get(&fz->adopted, tree->tasks[i].pid) >= 0)
			continue;
		ret = move_into_temporary(fz, tree, &tree->tasks[i]);
		if (ret < 0)
			return -1;
		*added += ret;
	}
	return 0;
}

int freezer_adopt(struct freezer *fz, const struct pstree *tree, size_t *added)
{
	pid_t outsider;
	int ret;

	*added = 0;
	if (fz->kind == FREEZER_PTRACE)
		return adopt_by_ptrace(fz, tree, added);
	if (fz->temporary)
		return adopt_by_moving(fz, tree, added);
	/* The tree's own cgroup, or the named one, must still hold all of it. */
	ret = cgroup_holds_tree(fz->cgfd, fz->cgroup, tree, false, &outsider);
	if (ret < 0)
		return -1;
	if (!ret) {
		pr_err("process %d of the tree is outside %s, which cannot freeze it", outsider,
		       fz->cgroup);
		return -1;
	}
	return 0;
}

static int wait_v1_frozen(struct freezer *fz)
{
	uint64_t deadline = now_ns() + (uint64_t)fz->timeout_ms * 1000000;
	unsigned int delay = 100;
	char buf[64];

	/* Each read of freezer.state lets the kernel retry tasks that have not frozen yet. */
	for (;;) {
		if (read_v1_state(fz, buf, sizeof(buf)) < 0)
			return -1;
		if (!strcmp(buf, "FROZEN"))
			return 0;
		if (now_ns() > deadline)
			break;
		sleep_us(delay);
		if (delay < 10000)
			delay *= 2;
	}
	pr_err("%s did not freeze within %d ms (a task in uninterruptible sleep?)", fz->cgroup,
	       fz->timeout_ms);
	return -1;
}

static int v2_is_frozen(const struct freezer *fz, int events_fd)
{
	char buf[512];
	ssize_t n = pread(events_fd, buf, sizeof(buf) - 1, 0);

	if (n < 0) {
		pr_perror("cannot read %s/cgroup.events", fz->cgroup);
		return -1;
	}
	buf[n] = '\0';
	return strstr(buf, "frozen 1") != NULL;
}

static int wait_v2_frozen(struct freezer *fz)
{
	uint64_t deadline = now_ns() + (uint64_t)fz->timeout_ms * 1000000;
	cleanup_fd int fd = openat(fz->cgfd, "cgroup.events", O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0) {
		pr_perror("cannot open %s/cgroup.events", fz->cgroup);
		return -1;
	}
	/* cgroup.events raises POLLPRI when it changes, but the kernel spaces those
	 * notifications 10 ms apart: poll in 1 ms slices and read again. */
	while ((ret = v2_is_frozen(fz, fd)) == 0) {
		struct pollfd pfd = {.fd = fd, .events = POLLPRI};

		if (now_ns() > deadline) {
			pr_err("%s did not freeze within %d ms", fz->cgroup, fz->timeout_ms);
			return -1;
		}
		if (poll(&pfd, 1, 1) < 0 && errno != EINTR) {
			pr_perror("cannot poll %s/cgroup.events", fz->cgroup);
			return -1;
		}
	}
	return ret < 0 ? -1 : 0;
}

static int write_state(struct freezer *fz, bool freeze)
{
	const char *file = fz->kind == FREEZER_V1 ? "freezer.state" : "cgroup.freeze";
	const char *value = fz->kind == FREEZER_V1 ? (freeze ? "FROZEN" : "THAWED")
						   : (freeze ? "1" : "0");

	if (write_str_at(fz->cgfd, file, value) < 0) {
		pr_perror("cannot %s %s", freeze ? "freeze" : "thaw", fz->cgroup);
		return -1;
	}
	return 0;
}

int freezer_freeze(struct freezer *fz)
{
	uint64_t start = now_ns();
	int ret;

	if (fz->kind == FREEZER_PTRACE || fz->was_frozen) {
		fz->frozen = fz->kind == FREEZER_PTRACE;
		return 0;
	}
	fz->frozen_at = start;
	watchdog_send(fz->wd, "Z\n");
	fz->frozen = true;
	if (write_state(fz, true) < 0)
		return -1;
	ret = fz->kind == FREEZER_V1 ? wait_v1_frozen(fz) : wait_v2_frozen(fz);
	if (!ret)
		pr_info("froze %s in %.2f ms", fz->cgroup, (now_ns() - start) / 1e6);
	return ret;
}

static int thaw(struct freezer *fz)
{
	if (!fz->frozen || fz->was_frozen || fz->kind == FREEZER_PTRACE)
		return 0;
	if (write_state(fz, false) < 0)
		return -1;
	fz->frozen = false;
	return 0;
}

static int detach_all(struct freezer *fz, bool leave_stopped)
{
	int ret = 0;
	size_t i;

	for (i = 0; i < fz->seized.n; i++) {
		pid_t tid = fz->seized.v[i];
		/* A task that was in group stop stays stopped after detach on its own. */
		int sig = leave_stopped && pidmap_get(&fz->adopted, tid) == 0 ? SIGSTOP : 0;

		if (ptrace(PTRACE_DETACH, tid, 0, sig) < 0 && errno != ESRCH) {
			pr_perror("cannot detach from task %d", tid);
			ret = -1;
		}
	}
	fz->seized.n = 0;
	return ret;
}

static int move_to(const char *v1mount, const char *origin, pid_t pid)
{
	char dir[PATH_MAX], procs[PATH_MAX], buf[16];

	snprintf(buf, sizeof(buf), "%d", pid);
	if (path_join(dir, sizeof(dir), v1mount, origin) < 0 ||
	    path_join(procs, sizeof(procs), dir, "cgroup.procs") < 0 ||
	    (write_str(procs, buf) < 0 && errno != ESRCH)) {
		pr_perror("cannot move %d back to %s", pid, dir);
		return -1;
	}
	return 0;
}

/* Moves every process still in the temporary cgroup out: those we moved in to where they came
 * from, any other (forked inside meanwhile, or unknown to a watchdog) to the root's origin.
 * Moving a frozen task into a thawed cgroup thaws it. */
static int move_back(struct freezer *fz)
{
	char v1mount[PATH_MAX], v2mount[PATH_MAX], buf[64];
	cleanup_file FILE *procs = NULL;
	int ret = 0, fd;
	size_t i;

	if (proc_cgroup_mounts(v1mount, sizeof(v1mount), v2mount, sizeof(v2mount)) < 0)
		return -1;
	for (i = 0; i < fz->nr_moved; i++)
		ret |= move_to(v1mount, fz->moved[i].origin, fz->moved[i].pid);
	fd = openat(fz->cgfd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && (procs = fdopen(fd, "r")))
		while (fgets(buf, sizeof(buf), procs))
			ret |= move_to(v1mount, fallback_origin(fz), (pid_t)strtol(buf, NULL, 10));
	else if (fd >= 0)
		close(fd);
	return ret;
}

static void forget_moved(struct freezer *fz)
{
	size_t i;

	for (i = 0; i < fz->nr_moved; i++)
		free(fz->moved[i].origin);
	free(fz->moved);
	fz->moved = NULL;
	fz->nr_moved = 0;
}

static int remove_temporary(struct freezer *fz)
{
	int tries;

	/* Killed tasks leave the cgroup a little after their signal; a task that forked after the
	 * sweep left a child inside: sweep again. */
	for (tries = 0; tries < 200; tries++) {
		if (rmdir(fz->cgroup) == 0 || errno == ENOENT) {
			fz->temporary = false;
			return 0;
		}
		if (errno != EBUSY)
			break;
		sleep_us(5000);
		move_back(fz);
	}
	pr_perror("cannot remove %s", fz->cgroup);
	return -1;
}

int freezer_release(struct freezer *fz, bool leave_stopped)
{
	int ret = 0;

	if (fz->kind == FREEZER_PTRACE) {
		ret = detach_all(fz, leave_stopped);
	} else if (!leave_stopped) {
		if (fz->temporary)
			ret |= move_back(fz);
		ret |= thaw(fz);
		if (fz->temporary)
			ret |= remove_temporary(fz);
		forget_moved(fz);
	} else if (fz->frozen) {
		printf("the tree is left frozen in %s\n", fz->cgroup);
	}
	if (fz->cgfd >= 0)
		close(fz->cgfd);
	fz->cgfd = -1;
	pidmap_free(&fz->adopted);
	pidvec_free(&fz->seized);
	return ret ? -1 : 0;
}

char freezer_real_state(const struct freezer *fz, pid_t pid, pid_t tid, char shown)
{
	if (!fz)
		return shown;
	/* The v1 freezer shows every frozen task as 'D'. */
	if (fz->kind == FREEZER_V1 && (fz->frozen || fz->was_frozen) && shown == 'D')
		return proc_frozen_task_was_stopped(pid, tid) ? 'T' : 'S';
	/* Our own ptrace stop shows as 't'; remember whether it was in group stop before. */
	if (fz->kind == FREEZER_PTRACE && shown == 't')
		return pidmap_get(&fz->adopted, tid) == 1 ? 'T' : 'S';
	return shown;
}
