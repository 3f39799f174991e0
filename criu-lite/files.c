// SPDX-License-Identifier: GPL-2.0-or-later
/* File descriptors of a frozen tree, read from outside through /proc/PID/fd and fdinfo.
 *
 * One open file description (what dup() and fork() share) is one files.img entry: a new
 * descriptor is compared with kcmp(KCMP_FILE) against the descriptions already seen on the same
 * inode only (a hash on (dev, ino) finds them), so the cost is O(n) plus one kcmp per earlier
 * description of the same inode. Without kcmp, (pos, flags, mnt_id) of fdinfo decides instead.
 *
 * Regular files, directories and character devices (/dev/null, ttys) are REG entries by path
 * (a tty is recorded by its device path, not as a TTY entry); pipes are PIPE entries, one per
 * open end, named by the pipe's inode. Pipe contents are copied with tee(2) from a new read
 * description of the pipe, which leaves them in the pipe. */
#include "files.h"

#include <inttypes.h>
#include <limits.h>
#include <linux/kcmp.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "image.h"
#include "proc.h"
#include "fdinfo.pb-c.h"
#include "fown.pb-c.h"
#include "fs.pb-c.h"
#include "pipe-data.pb-c.h"
#include "pipe.pb-c.h"
#include "regfile.pb-c.h"

#define FDINFO_BUF 4096

/* What /proc/PID/fdinfo/N says of a descriptor. */
struct fdinfo {
	uint64_t pos;
	uint32_t flags; /* O_*, O_CLOEXEC included */
	int mnt_id;
};

/* An open file description already registered. */
struct desc {
	pid_t pid;
	int fd;
	uint64_t dev, ino;
	struct fdinfo fi;
	uint32_t id;
	int next; /* next description in the same hash bucket, -1 at the end */
};

/* A pipe whose contents are to be saved: one descriptor that reaches it. */
struct pipe_ref {
	pid_t pid;
	int fd;
	uint32_t ino;
};

struct files_ctx {
	struct file_table *ft;
	bool skip_unsupported;
	struct desc *descs;
	size_t nr, cap;
	int *buckets; /* first description of each bucket, -1 if none */
	size_t nbuckets;
	bool no_kcmp;
	struct pipe_ref *pipes;
	size_t nr_pipes, cap_pipes;
};

/* ---- small /proc parsers ---- */

/* pos:, flags: (octal) and mnt_id: of /proc/PID/fdinfo/FD. */
static int read_fdinfo(pid_t pid, int fd, struct fdinfo *fi)
{
	char path[64], buf[FDINFO_BUF], *line, *save = NULL;
	bool have_pos = false, have_flags = false;

	snprintf(path, sizeof(path), "%d/fdinfo/%d", pid, fd);
	if (read_small_file_at(proc_fd(), path, buf, sizeof(buf)) < 0) {
		pr_perror("cannot read /proc/%s", path);
		return -1;
	}
	memset(fi, 0, sizeof(*fi));
	fi->mnt_id = -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "pos: %" SCNu64, &fi->pos) == 1)
			have_pos = true;
		else if (sscanf(line, "flags: %" SCNo32, &fi->flags) == 1)
			have_flags = true;
		else
			sscanf(line, "mnt_id: %d", &fi->mnt_id);
	}
	if (!have_pos || !have_flags) {
		pr_err("/proc/%s has no pos or flags line", path);
		return -1;
	}
	return 0;
}

/* Umask: (octal) of /proc/PID/status; false if this kernel does not show it (before 4.7). */
static int read_umask(pid_t pid, uint32_t *umask, bool *known)
{
	char path[32], buf[8192];
	const char *p;

	snprintf(path, sizeof(path), "%d/status", pid);
	if (read_small_file_at(proc_fd(), path, buf, sizeof(buf)) < 0) {
		pr_perror("cannot read /proc/%s", path);
		return -1;
	}
	*known = false;
	p = strstr(buf, "\nUmask:");
	if (p && sscanf(p + 7, " %" SCNo32, umask) == 1)
		*known = true;
	return 0;
}

/* ---- descriptions ---- */

static int kcmp_file(pid_t a, pid_t b, int fa, int fb)
{
	return (int)syscall(SYS_kcmp, a, b, KCMP_FILE, fa, fb);
}

static size_t bucket_of(const struct files_ctx *c, uint64_t dev, uint64_t ino)
{
	uint64_t h = (ino * 0x9e3779b97f4a7c15ull) ^ (dev * 0xc2b2ae3d27d4eb4full);

	return (size_t)(h >> 17) & (c->nbuckets - 1);
}

static void desc_rehash(struct files_ctx *c)
{
	size_t i;

	free(c->buckets);
	c->nbuckets = c->nbuckets ? c->nbuckets * 2 : 256;
	c->buckets = xmalloc(c->nbuckets * sizeof(*c->buckets));
	for (i = 0; i < c->nbuckets; i++)
		c->buckets[i] = -1;
	for (i = 0; i < c->nr; i++) {
		size_t b = bucket_of(c, c->descs[i].dev, c->descs[i].ino);

		c->descs[i].next = c->buckets[b];
		c->buckets[b] = (int)i;
	}
}

/* The id of the description pid's fd shares with one seen before, 0 if it is new. *same_inode
 * tells whether any description of that inode was seen before. */
static int desc_find(struct files_ctx *c, pid_t pid, int fd, const struct stat *st,
		     const struct fdinfo *fi, uint32_t *id, bool *same_inode)
{
	int i;

	*id = 0;
	*same_inode = false;
	if (!c->nbuckets)
		return 0;
	for (i = c->buckets[bucket_of(c, st->st_dev, st->st_ino)]; i >= 0; i = c->descs[i].next) {
		const struct desc *d = &c->descs[i];
		int r;

		if (d->dev != st->st_dev || d->ino != st->st_ino)
			continue;
		*same_inode = true;
		if (!c->no_kcmp) {
			r = kcmp_file(pid, d->pid, fd, d->fd);
			if (r == 0) {
				*id = d->id;
				return 0;
			}
			if (r > 0)
				continue;
			if (errno != ENOSYS && errno != EPERM) {
				pr_perror("kcmp(%d fd %d, %d fd %d) failed", pid, fd, d->pid,
					  d->fd);
				return -1;
			}
			pr_warn("kcmp(KCMP_FILE) is not available (%m): descriptors with the same "
				"inode, position, flags and mount share an entry");
			c->no_kcmp = true;
		}
		if (d->fi.pos == fi->pos && d->fi.flags == fi->flags &&
		    d->fi.mnt_id == fi->mnt_id) {
			*id = d->id;
			return 0;
		}
	}
	return 0;
}

static void desc_add(struct files_ctx *c, pid_t pid, int fd, const struct stat *st,
		     const struct fdinfo *fi, uint32_t id)
{
	struct desc *d;
	size_t b;

	if ((c->nr + 1) * 2 > c->nbuckets)
		desc_rehash(c);
	if (c->nr == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->descs = xrealloc(c->descs, c->cap * sizeof(*c->descs));
	}
	d = &c->descs[c->nr];
	*d = (struct desc){
	    .pid = pid, .fd = fd, .dev = st->st_dev, .ino = st->st_ino, .fi = *fi, .id = id};
	b = bucket_of(c, d->dev, d->ino);
	d->next = c->buckets[b];
	c->buckets[b] = (int)c->nr++;
}

/* ---- file entries ---- */

static FownEntry *new_fown(void)
{
	FownEntry *fown = xmalloc(sizeof(*fown));

	fown_entry__init(fown); /* the owner for SIGIO cannot be read from outside: none */
	return fown;
}

static uint32_t add_pipe(struct file_table *ft, uint32_t ino, uint32_t flags)
{
	FileEntry *fe = xmalloc(sizeof(*fe));
	PipeEntry *pe = xmalloc(sizeof(*pe));

	file_entry__init(fe);
	pipe_entry__init(pe);
	fe->type = FD_TYPES__PIPE;
	fe->pipe = pe;
	pe->pipe_id = ino;
	pe->flags = flags;
	pe->fown = new_fown();
	return file_table_add(ft, fe);
}

/* ---- one descriptor ---- */

/* Returns 1 with *type and *id set, 0 if it was skipped, -1 on failure. */
static int dump_one_fd(struct files_ctx *c, pid_t pid, int fd, FdTypes *type, uint32_t *id,
		       struct fdinfo *fi)
{
	char path[64], link[PATH_MAX];
	struct stat st;
	const char *kind = NULL;
	bool same_inode;
	ssize_t n;

	snprintf(path, sizeof(path), "%d/fd/%d", pid, fd);
	n = readlinkat(proc_fd(), path, link, sizeof(link) - 1);
	if (n < 0) {
		pr_perror("cannot read the link /proc/%s", path);
		return -1;
	}
	link[n] = '\0';
	if (fstatat(proc_fd(), path, &st, 0) < 0) {
		pr_perror("cannot stat /proc/%s (%s)", path, link);
		return -1;
	}
	if (read_fdinfo(pid, fd, fi) < 0)
		return -1;

	if (S_ISFIFO(st.st_mode) && !strncmp(link, "pipe:", 5))
		*type = FD_TYPES__PIPE;
	else if (link[0] == '/' &&
		 (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode) || S_ISCHR(st.st_mode))) {
		*type = FD_TYPES__REG;
		if (st.st_nlink == 0 && !S_ISDIR(st.st_mode))
			kind = "an unlinked file";
	} else if (S_ISSOCK(st.st_mode) || !strncmp(link, "socket:", 7))
		kind = "a socket";
	else if (S_ISFIFO(st.st_mode))
		kind = "a named FIFO";
	else if (S_ISBLK(st.st_mode))
		kind = "a block device";
	else if (!strncmp(link, "anon_inode:", 11))
		kind = "an anonymous inode";
	else
		kind = "a file of an unknown kind";
	if (kind) {
		if (!c->skip_unsupported) {
			pr_err("pid %d fd %d: %s (%s) is not supported yet", pid, fd, link, kind);
			return -1;
		}
		pr_warn("pid %d fd %d: %s (%s) is not supported yet: left out", pid, fd, link,
			kind);
		return 0;
	}

	if (desc_find(c, pid, fd, &st, fi, id, &same_inode) < 0)
		return -1;
	if (*id)
		return 1;
	if (*type == FD_TYPES__PIPE) {
		*id = add_pipe(c->ft, (uint32_t)st.st_ino, fi->flags & ~(uint32_t)O_CLOEXEC);
		if (!same_inode) {
			if (c->nr_pipes == c->cap_pipes) {
				c->cap_pipes = c->cap_pipes ? c->cap_pipes * 2 : 16;
				c->pipes = xrealloc(c->pipes, c->cap_pipes * sizeof(*c->pipes));
			}
			c->pipes[c->nr_pipes++] =
			    (struct pipe_ref){.pid = pid, .fd = fd, .ino = (uint32_t)st.st_ino};
		}
	} else {
		/* Two descriptions of one file must not share an entry: a fresh one each. */
		*id = file_table_new_reg(c->ft, link, fi->flags & ~(uint32_t)O_CLOEXEC, fi->pos,
					 st.st_mode, (uint64_t)st.st_size);
	}
	desc_add(c, pid, fd, &st, fi, *id);
	return 1;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* The open descriptors of pid, ascending. */
static int list_fds(pid_t pid, int **fds, size_t *nr)
{
	char path[32];
	cleanup_dir DIR *d = NULL;
	struct dirent *de;
	size_t cap = 0;
	int dfd;

	*fds = NULL;
	*nr = 0;
	snprintf(path, sizeof(path), "%d/fd", pid);
	dfd = openat(proc_fd(), path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || !(d = fdopendir(dfd))) {
		pr_perror("cannot open /proc/%s", path);
		if (dfd >= 0)
			close(dfd);
		return -1;
	}
	errno = 0;
	while ((de = readdir(d))) {
		char *end;
		long fd;

		if (de->d_name[0] == '.')
			continue;
		fd = strtol(de->d_name, &end, 10);
		if (*end || fd < 0 || fd > INT_MAX)
			continue;
		if (*nr == cap) {
			cap = cap ? cap * 2 : 32;
			*fds = xrealloc(*fds, cap * sizeof(**fds));
		}
		(*fds)[(*nr)++] = (int)fd;
	}
	if (errno) {
		pr_perror("cannot list /proc/%s", path);
		free(*fds);
		*fds = NULL;
		return -1;
	}
	qsort(*fds, *nr, sizeof(**fds), cmp_int);
	return 0;
}

/* fdinfo-F.img for the files table that pid uses. */
static int dump_fd_table(int dirfd, struct files_ctx *c, pid_t pid, uint32_t files_id)
{
	cleanup_free int *fds = NULL;
	struct img *img;
	size_t nr, i;

	if (list_fds(pid, &fds, &nr) < 0)
		return -1;
	img = img_create(dirfd, IMG_FDINFO, files_id);
	if (!img)
		return -1;
	for (i = 0; i < nr; i++) {
		FdinfoEntry e = FDINFO_ENTRY__INIT;
		struct fdinfo fi;
		FdTypes type;
		uint32_t id;
		int r = dump_one_fd(c, pid, fds[i], &type, &id, &fi);

		if (r < 0) {
			img_close(img);
			return -1;
		}
		if (!r)
			continue;
		e.id = id;
		e.flags = (fi.flags & O_CLOEXEC) ? FD_CLOEXEC : 0;
		e.type = type;
		e.fd = (uint32_t)fds[i];
		if (img_write(img, &e.base) < 0)
			break;
	}
	return img_close(img);
}

/* ---- cwd, root, umask ---- */

static int fs_dir_id(struct file_table *ft, pid_t pid, const char *what, uint32_t *id)
{
	char path[32], link[PATH_MAX];
	struct stat st;
	ssize_t n;

	snprintf(path, sizeof(path), "%d/%s", pid, what);
	n = readlinkat(proc_fd(), path, link, sizeof(link) - 1);
	if (n < 0 || fstatat(proc_fd(), path, &st, 0) < 0) {
		pr_perror("cannot read /proc/%s", path);
		return -1;
	}
	link[n] = '\0';
	if (link[0] != '/') {
		pr_err("pid %d: its %s (%s) is not a reachable directory", pid, what, link);
		return -1;
	}
	*id = file_table_add_reg(ft, link, O_RDONLY | O_DIRECTORY, 0, st.st_mode,
				 (uint64_t)st.st_size);
	return 0;
}

static int dump_fs(int dirfd, struct file_table *ft, pid_t pid)
{
	FsEntry e = FS_ENTRY__INIT;
	struct img *img;
	bool known;

	if (fs_dir_id(ft, pid, "cwd", &e.cwd_id) < 0 ||
	    fs_dir_id(ft, pid, "root", &e.root_id) < 0 || read_umask(pid, &e.umask, &known) < 0)
		return -1;
	e.has_umask = known;
	img = img_create(dirfd, IMG_FS, (unsigned long)pid);
	if (!img)
		return -1;
	img_write(img, &e.base);
	return img_close(img);
}

/* ---- pipe contents ---- */

/* Copies what the pipe holds into *buf without taking it out: a new read description of the
 * pipe (opening /proc/PID/fd/N reopens the pipe like a FIFO), tee(2) into a pipe of our own as
 * large as the pipe, then read ours. */
static int peek_pipe(const struct pipe_ref *p, char **buf, uint32_t *len, uint32_t *size)
{
	char path[64];
	cleanup_fd int rfd = -1;
	int tmp[2] = {-1, -1}, avail = 0, cap, ret = -1;
	ssize_t n, got = 0;

	*buf = NULL;
	*len = 0;
	snprintf(path, sizeof(path), "%d/fd/%d", p->pid, p->fd);
	rfd = openat(proc_fd(), path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (rfd < 0) {
		pr_perror("cannot open pipe:[%u] through /proc/%s", p->ino, path);
		return -1;
	}
	cap = fcntl(rfd, F_GETPIPE_SZ);
	if (cap < 0 || ioctl(rfd, FIONREAD, &avail) < 0) {
		pr_perror("cannot read the size of pipe:[%u]", p->ino);
		return -1;
	}
	*size = (uint32_t)cap;
	if (avail == 0)
		return 0;
	if (pipe2(tmp, O_NONBLOCK | O_CLOEXEC) < 0) {
		pr_perror("cannot create a pipe");
		return -1;
	}
	if (fcntl(tmp[1], F_SETPIPE_SZ, cap) < 0) {
		pr_perror("cannot size a pipe to %d bytes for pipe:[%u]", cap, p->ino);
		goto out;
	}
	n = tee(rfd, tmp[1], (size_t)avail, SPLICE_F_NONBLOCK);
	if (n != avail) {
		if (n < 0)
			pr_perror("tee from pipe:[%u] failed", p->ino);
		else
			pr_err("tee copied %zd of the %d bytes of pipe:[%u]", n, avail, p->ino);
		goto out;
	}
	*buf = xmalloc((size_t)avail);
	while (got < avail) {
		n = read(tmp[0], *buf + got, (size_t)(avail - got));
		if (n <= 0) {
			pr_perror("cannot read the copy of pipe:[%u]", p->ino);
			free(steal_ptr(*buf));
			goto out;
		}
		got += n;
	}
	*len = (uint32_t)avail;
	ret = 0;
out:
	close(tmp[0]);
	close(tmp[1]);
	return ret;
}

static int dump_pipe_data(int dirfd, const struct files_ctx *c)
{
	struct img *img = NULL;
	size_t i;

	for (i = 0; i < c->nr_pipes; i++) {
		PipeDataEntry e = PIPE_DATA_ENTRY__INIT;
		cleanup_free char *buf = NULL;

		if (peek_pipe(&c->pipes[i], &buf, &e.bytes, &e.size) < 0)
			goto fail;
		if (!e.bytes)
			continue;
		e.pipe_id = c->pipes[i].ino;
		e.has_size = true;
		if (!img && !(img = img_create(dirfd, IMG_PIPES_DATA, 0)))
			return -1;
		if (img_write(img, &e.base) < 0 || img_write_raw(img, buf, e.bytes) < 0)
			break;
		pr_debug("pipe:[%u]: %u bytes saved", e.pipe_id, e.bytes);
	}
	return img ? img_close(img) : 0;
fail:
	if (img)
		img_close(img);
	return -1;
}

/* ---- the tree ---- */

int files_dump_tree(int dirfd, const struct pstree *tree, struct file_table *ft,
		    bool skip_unsupported)
{
	struct files_ctx c = {.ft = ft, .skip_unsupported = skip_unsupported};
	cleanup_free bool *done = NULL; /* by files_id */
	uint32_t max_id = 0;
	size_t i;
	int ret = -1;

	for (i = 0; i < tree->nr; i++)
		if (tree->tasks[i].ids.files > max_id)
			max_id = tree->tasks[i].ids.files;
	done = xzalloc(((size_t)max_id + 1) * sizeof(*done));
	for (i = 0; i < tree->nr; i++) {
		const struct task *t = &tree->tasks[i];

		if (t->state == TASK_DEAD)
			continue; /* a zombie has neither descriptors nor cwd */
		if (!done[t->ids.files]) {
			done[t->ids.files] = true;
			if (dump_fd_table(dirfd, &c, t->pid, t->ids.files) < 0)
				goto out;
		}
		if (dump_fs(dirfd, ft, t->pid) < 0)
			goto out;
	}
	if (dump_pipe_data(dirfd, &c) < 0)
		goto out;
	pr_info("files: %zu open file descriptions, %zu pipes", c.nr, c.nr_pipes);
	ret = 0;
out:
	free(c.descs);
	free(c.buckets);
	free(c.pipes);
	return ret;
}
