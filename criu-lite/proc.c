// SPDX-License-Identifier: GPL-2.0-or-later
/* All /proc parsing. Files are opened relative to one /proc descriptor, read once, parsed. */
#include "proc.h"

#include <ctype.h>
#include <inttypes.h>
#include <sys/stat.h>

#define PATH_MAX_MOUNT 1024
#define MNT_WIDTH      "1023"

static int proc_dirfd = -1;

int proc_init(void)
{
	if (proc_dirfd >= 0)
		return 0;
	proc_dirfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (proc_dirfd < 0) {
		pr_perror("cannot open /proc");
		return -1;
	}
	return 0;
}

int proc_reinit(void)
{
	if (proc_dirfd >= 0)
		close(proc_dirfd);
	proc_dirfd = -1;
	return proc_init();
}

int proc_fd(void)
{
	return proc_dirfd;
}

static ssize_t read_task_file(pid_t pid, pid_t tid, const char *name, char *buf, size_t size)
{
	char path[64];

	snprintf(path, sizeof(path), "%d/task/%d/%s", pid, tid, name);
	return read_small_file_at(proc_dirfd, path, buf, size);
}

int proc_read_stat(pid_t pid, pid_t tid, struct proc_stat *st)
{
	/* After the state, fields 4..52 of proc(5): index i holds field i+4. */
	unsigned long long f[50] = {0};
	char buf[1024], *open_paren, *close_paren, *p;
	size_t len, n = 0;

	if (read_task_file(pid, tid, "stat", buf, sizeof(buf)) < 0)
		return -1;
	/* The comm may hold spaces and parentheses: it ends at the last ')'. */
	open_paren = strchr(buf, '(');
	close_paren = strrchr(buf, ')');
	if (!open_paren || !close_paren || close_paren < open_paren || close_paren[1] != ' ') {
		errno = EINVAL;
		return -1;
	}
	len = close_paren - open_paren - 1;
	if (len >= sizeof(st->comm))
		len = sizeof(st->comm) - 1;
	memcpy(st->comm, open_paren + 1, len);
	st->comm[len] = '\0';
	st->state = close_paren[2];
	p = close_paren + 3;
	while (n < ARRAY_SIZE(f) && *p) {
		char *end;

		while (*p == ' ')
			p++;
		f[n] = strtoull(p, &end, 10);
		if (*p == '-') /* nice and priority may be negative */
			f[n] = (unsigned long long)strtoll(p, &end, 10);
		if (end == p)
			break;
		n++;
		p = end;
	}
	if (n < 41 - 4 + 1) { /* up to the policy field */
		errno = EINVAL;
		return -1;
	}
#define FIELD(nr) f[(nr) - 4]
	st->ppid = FIELD(4);
	st->pgid = FIELD(5);
	st->sid = FIELD(6);
	st->flags = FIELD(9);
	st->nice = (long)FIELD(19);
	st->num_threads = FIELD(20);
	st->start_code = FIELD(26);
	st->end_code = FIELD(27);
	st->start_stack = FIELD(28);
	st->rt_priority = FIELD(40);
	st->policy = FIELD(41);
	st->start_data = FIELD(45);
	st->end_data = FIELD(46);
	st->start_brk = FIELD(47);
	st->arg_start = FIELD(48);
	st->arg_end = FIELD(49);
	st->env_start = FIELD(50);
	st->env_end = FIELD(51);
	st->exit_code = (int)FIELD(52);
#undef FIELD
	return 0;
}

static void parse_u32_list(const char *s, uint32_t *out, uint32_t max, uint32_t *count)
{
	char *end;

	*count = 0;
	while (*count < max) {
		unsigned long v;

		while (*s == ' ' || *s == '\t')
			s++;
		if (!isdigit((unsigned char)*s))
			break;
		v = strtoul(s, &end, 10);
		out[(*count)++] = v;
		s = end;
	}
}

int proc_read_status(pid_t pid, pid_t tid, struct proc_status *st)
{
	char buf[8192], *line, *save = NULL;
	uint32_t n;

	if (read_task_file(pid, tid, "status", buf, sizeof(buf)) < 0)
		return -1;
	memset(st, 0, sizeof(*st));
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(line, ':');
		const char *val;

		if (!colon)
			continue;
		*colon = '\0';
		val = colon + 1;
		if (!strcmp(line, "Uid"))
			parse_u32_list(val, st->uid, 4, &n);
		else if (!strcmp(line, "Gid"))
			parse_u32_list(val, st->gid, 4, &n);
		else if (!strcmp(line, "Groups"))
			parse_u32_list(val, st->groups, PROC_MAX_GROUPS, &st->ngroups);
		else if (!strcmp(line, "SigBlk"))
			st->sig_blocked = strtoull(val, NULL, 16);
		else if (!strcmp(line, "SigPnd"))
			st->sig_pending = strtoull(val, NULL, 16);
		else if (!strcmp(line, "ShdPnd"))
			st->shared_pending = strtoull(val, NULL, 16);
		else if (!strcmp(line, "CapBnd"))
			st->cap_bnd = strtoull(val, NULL, 16);
		else if (!strcmp(line, "TracerPid"))
			st->tracer = strtol(val, NULL, 10);
		else if (!strcmp(line, "Tgid"))
			st->tgid = strtol(val, NULL, 10);
	}
	return 0;
}

int proc_read_personality(pid_t pid, unsigned int *pers)
{
	char path[32], buf[32];

	snprintf(path, sizeof(path), "%d/personality", pid);
	if (read_small_file_at(proc_dirfd, path, buf, sizeof(buf)) < 0)
		return -1;
	*pers = strtoul(buf, NULL, 16);
	return 0;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

int proc_read_tids(pid_t pid, struct pidvec *tids)
{
	char path[32];
	cleanup_dir DIR *dir = NULL;
	struct dirent *de;
	size_t first = tids->n, i;
	int fd;

	snprintf(path, sizeof(path), "%d/task", pid);
	fd = openat(proc_dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -1;
	}
	while ((de = readdir(dir))) {
		pid_t tid = parse_pid(de->d_name);

		if (tid > 0)
			pidvec_push(tids, tid);
	}
	qsort(tids->v + first, tids->n - first, sizeof(pid_t), cmp_pid);
	/* The leader goes first, as pstree.img wants. */
	for (i = first; i < tids->n; i++) {
		if (tids->v[i] == pid) {
			memmove(tids->v + first + 1, tids->v + first, (i - first) * sizeof(pid_t));
			tids->v[first] = pid;
			break;
		}
	}
	return 0;
}

static void flush_pid(char *digits, size_t *len, struct pidvec *out)
{
	if (!*len)
		return;
	digits[*len] = '\0';
	pidvec_push(out, (pid_t)strtol(digits, NULL, 10));
	*len = 0;
}

int proc_read_children(pid_t pid, pid_t tid, struct pidvec *children)
{
	char path[64], buf[4096], digits[16];
	size_t len = 0;
	cleanup_fd int fd = -1;
	ssize_t n, i;

	snprintf(path, sizeof(path), "%d/task/%d/children", pid, tid);
	fd = openat(proc_dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	/* A large fan does not fit one buffer: a pid may straddle two reads. */
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (i = 0; i < n; i++) {
			if (buf[i] >= '0' && buf[i] <= '9' && len < sizeof(digits) - 1)
				digits[len++] = buf[i];
			else
				flush_pid(digits, &len, children);
		}
	}
	flush_pid(digits, &len, children);
	return 0;
}

bool proc_has_children_file(void)
{
	char path[64];

	snprintf(path, sizeof(path), "self/task/%d/children", (int)getpid());
	return faccessat(proc_dirfd, path, R_OK, 0) == 0;
}

bool proc_frozen_task_was_stopped(pid_t pid, pid_t tid)
{
	char buf[64];

	/* The v1 freezer shows every frozen task as 'D'; a task that was in group stop still
	 * sleeps where it stopped, which wchan names. */
	if (read_task_file(pid, tid, "wchan", buf, sizeof(buf)) < 0)
		return false;
	return !strcmp(buf, "do_signal_stop");
}

int proc_read_cgroups(pid_t pid, char *freezer, size_t fsize, char *unified, size_t usize)
{
	char path[32], buf[4096], *line, *save = NULL;

	snprintf(path, sizeof(path), "%d/cgroup", pid);
	if (read_small_file_at(proc_dirfd, path, buf, sizeof(buf)) < 0)
		return -1;
	freezer[0] = unified[0] = '\0';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *ctrl = strchr(line, ':'), *cgpath;

		if (!ctrl || !(cgpath = strchr(ctrl + 1, ':')))
			continue;
		*cgpath++ = '\0';
		*ctrl++ = '\0'; /* line is now the hierarchy id, ctrl its controllers */
		if (!strcmp(line, "0") && *ctrl == '\0')
			snprintf(unified, usize, "%s", cgpath);
		else if (!strcmp(ctrl, "freezer") || !strncmp(ctrl, "freezer,", 8) ||
			 strstr(ctrl, ",freezer"))
			snprintf(freezer, fsize, "%s", cgpath);
	}
	return 0;
}

/* Field 5 of a mountinfo line is the mount point; after " - " come the type, source, options. */
int proc_cgroup_mounts(char *v1_freezer, size_t v1size, char *v2, size_t v2size)
{
	cleanup_file FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];

	v1_freezer[0] = v2[0] = '\0';
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - "), mnt[PATH_MAX_MOUNT], type[32], opts[512];

		if (!sep || sscanf(line, "%*s %*s %*s %*s %" MNT_WIDTH "s", mnt) != 1 ||
		    sscanf(sep + 3, "%31s %*s %511s", type, opts) != 2)
			continue;
		if (!strcmp(type, "cgroup2") && !v2[0])
			snprintf(v2, v2size, "%s", mnt);
		else if (!strcmp(type, "cgroup") && !v1_freezer[0]) {
			char *tok, *save = NULL;

			for (tok = strtok_r(opts, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
				if (!strcmp(tok, "freezer"))
					snprintf(v1_freezer, v1size, "%s", mnt);
		}
	}
	return 0;
}

/* ---- memory: maps, auxv, exe, map_files ---- */

void proc_vmas_free(struct proc_vma *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

/* All VMAs of a process, in address order. */
int proc_read_maps(pid_t pid, struct proc_vma **out, size_t *nr)
{
	char path[32];
	cleanup_fd int fd = -1;
	cleanup_file FILE *f = NULL;
	cleanup_free char *line = NULL;
	struct proc_vma *v = NULL;
	size_t n = 0, cap = 0, linecap = 0;
	ssize_t len;

	snprintf(path, sizeof(path), "%d/maps", pid);
	fd = openat(proc_fd(), path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	f = fdopen(fd, "r");
	if (!f)
		return -1;
	steal_fd(&fd);
	while ((len = getline(&line, &linecap, f)) > 0) {
		struct proc_vma *p;
		int name_at = 0;

		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			v = xrealloc(v, cap * sizeof(*v));
		}
		p = &v[n];
		memset(p, 0, sizeof(*p));
		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %4s %" SCNx64 " %x:%x %" SCNu64 " %n",
			   &p->start, &p->end, p->perms, &p->pgoff, &p->dev_major, &p->dev_minor,
			   &p->ino, &name_at) < 7 ||
		    !name_at) {
			proc_vmas_free(v, n);
			errno = EINVAL;
			return -1;
		}
		p->name = xstrdup(line + name_at);
		n++;
	}
	if (ferror(f)) {
		proc_vmas_free(v, n);
		return -1;
	}
	*out = v;
	*nr = n;
	return 0;
}

/* The saved auxiliary vector, in u64 words (type, value pairs up to and with AT_NULL). */
int proc_read_auxv(pid_t pid, uint64_t *auxv, size_t max, size_t *nr)
{
	char path[32];
	cleanup_fd int fd = -1;
	size_t len = 0;

	snprintf(path, sizeof(path), "%d/auxv", pid);
	fd = openat(proc_fd(), path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (len < max * sizeof(*auxv)) {
		ssize_t r = read(fd, (char *)auxv + len, max * sizeof(*auxv) - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		len += r;
	}
	*nr = len / sizeof(*auxv);
	return 0;
}

/* What /proc/PID/exe points at, and that file's stat. */
int proc_read_exe(pid_t pid, char *buf, size_t size, struct stat *st)
{
	char path[32];
	ssize_t len;

	snprintf(path, sizeof(path), "%d/exe", pid);
	len = readlinkat(proc_fd(), path, buf, size - 1);
	if (len < 0)
		return -1;
	buf[len] = '\0';
	return fstatat(proc_fd(), path, st, 0);
}

/* The stat of the file behind a file VMA (through map_files: the very file mapped, even when
 * its name was reused or deleted). */
int proc_stat_map_file(pid_t pid, uint64_t start, uint64_t end, struct stat *st)
{
	char path[64];

	snprintf(path, sizeof(path), "%d/map_files/%" PRIx64 "-%" PRIx64, pid, start, end);
	return fstatat(proc_fd(), path, st, 0);
}

/* The owner of /proc/PID is the task's euid while it is dumpable, root otherwise
 * (task_dump_owner). Returns 1 or 0, or -1 when it cannot tell (a root task). */
int proc_guess_dumpable(pid_t pid, uid_t euid)
{
	char path[32];
	struct stat st;

	if (euid == 0)
		return -1;
	snprintf(path, sizeof(path), "%d", pid);
	if (fstatat(proc_fd(), path, &st, 0) < 0)
		return -1;
	return st.st_uid == euid ? 1 : 0;
}

int proc_open_task_file(pid_t pid, const char *name)
{
	char path[32];

	snprintf(path, sizeof(path), "%d/%s", pid, name);
	return openat(proc_fd(), path, O_RDONLY | O_CLOEXEC);
}
