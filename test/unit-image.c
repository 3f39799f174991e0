// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * unit-image - unit tests of the image layer (image.c) and of pstree_read_images(), in TAP.
 *
 * Every test works in a fresh directory made with mkdtemp() under /tmp and removes it when it
 * is done. The library logs the errors it finds to stderr; only stdout is TAP.
 */
#include "image.h"
#include "pstree-image.h"

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "core.pb-c.h"
#include "inventory.pb-c.h"
#include "pipe-data.pb-c.h"
#include "pstree.pb-c.h"

#include "tap.h"

#define HEAD_SIZE 8 /* IMG_COMMON and the type magic */

/* ---- fixtures ---- */

struct testdir {
	char path[64];
	int fd;
};

static bool testdir_open(struct testdir *d)
{
	snprintf(d->path, sizeof(d->path), "/tmp/unit-image.XXXXXX");
	d->fd = -1;
	if (!mkdtemp(d->path)) {
		diag("mkdtemp: %m");
		return false;
	}
	d->fd = open(d->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d->fd < 0) {
		diag("open %s: %m", d->path);
		rmdir(d->path);
		return false;
	}
	return true;
}

/* Removes the files the test left (the directory is flat) and the directory. */
static void testdir_close(struct testdir *d)
{
	struct dirent *de;
	DIR *dir;
	int fd;

	fd = dup(d->fd);
	dir = fd < 0 ? NULL : fdopendir(fd);
	if (!dir) {
		if (fd >= 0)
			close(fd);
	} else {
		while ((de = readdir(dir)) != NULL) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			if (unlinkat(d->fd, de->d_name, 0) < 0)
				diag("unlink %s/%s: %m", d->path, de->d_name);
		}
		closedir(dir);
	}
	close(d->fd);
	if (rmdir(d->path) < 0)
		diag("rmdir %s: %m", d->path);
}

/* A growing byte string, to build images by hand. */
struct bytes {
	uint8_t *p;
	size_t len, cap;
};

static void bytes_put(struct bytes *b, const void *data, size_t len)
{
	if (b->len + len > b->cap) {
		b->cap = (b->len + len) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	if (len)
		memcpy(b->p + b->len, data, len);
	b->len += len;
}

static void bytes_u32(struct bytes *b, uint32_t v)
{
	bytes_put(b, &v, sizeof(v));
}

/* An entry as img_write() frames it: native u32 length, then the packed message. */
static void bytes_msg(struct bytes *b, const ProtobufCMessage *msg)
{
	size_t len = protobuf_c_message_get_packed_size(msg);
	uint8_t *out = xmalloc(len ? len : 1);

	protobuf_c_message_pack(msg, out);
	bytes_u32(b, (uint32_t)len);
	bytes_put(b, out, len);
	free(out);
}

/* The magics a kind's files start with. */
static void bytes_head(struct bytes *b, enum img_kind kind)
{
	const struct img_desc *d = img_desc(kind);

	if (d->common_head)
		bytes_u32(b, IMG_COMMON_MAGIC);
	if (d->magic)
		bytes_u32(b, d->magic);
}

static int write_file(int dirfd, const char *name, const void *data, size_t len)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	const uint8_t *p = data;

	if (fd < 0) {
		diag("create %s: %m", name);
		return -1;
	}
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n <= 0) {
			diag("write %s: %m", name);
			close(fd);
			return -1;
		}
		p += n;
		len -= n;
	}
	return close(fd);
}

/* Writes data, then cuts the copy down to size bytes. */
static int write_cut(int dirfd, const char *name, const void *data, size_t len, size_t size)
{
	int fd;

	if (write_file(dirfd, name, data, len) < 0)
		return -1;
	fd = openat(dirfd, name, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)size) < 0) {
		diag("truncate %s: %m", name);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return close(fd);
}

static uint8_t *slurp(int dirfd, const char *name, size_t *len)
{
	struct bytes b = {0};
	uint8_t chunk[4096];
	ssize_t n;
	int fd;

	*len = 0;
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		diag("open %s: %m", name);
		return NULL;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		bytes_put(&b, chunk, n);
	close(fd);
	if (n < 0) {
		free(b.p);
		return NULL;
	}
	if (!b.p)
		b.p = xmalloc(1);
	*len = b.len;
	return b.p;
}

static uint32_t get_u32_at(const uint8_t *p, size_t off)
{
	uint32_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

/* xorshift32: reproducible "random" bytes. */
static uint32_t rnd_state = 2463534242u;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/* The bytes a raw payload holds: a pattern that shifts with seed. */
static void fill_pattern(uint8_t *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(seed * 7u + i * 13u + (i >> 8));
}

static bool check_pattern(const uint8_t *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != (uint8_t)(seed * 7u + i * 13u + (i >> 8)))
			return false;
	return true;
}

static void pstree_entry_set(PstreeEntry *e, uint32_t pid, uint32_t ppid, uint32_t pgid,
			     uint32_t sid, uint32_t *threads, size_t n)
{
	pstree_entry__init(e);
	e->pid = pid;
	e->ppid = ppid;
	e->pgid = pgid;
	e->sid = sid;
	e->threads = threads;
	e->n_threads = n;
}

static bool pstree_entry_eq(const PstreeEntry *a, const PstreeEntry *b)
{
	if (a->pid != b->pid || a->ppid != b->ppid || a->pgid != b->pgid || a->sid != b->sid ||
	    a->n_threads != b->n_threads)
		return false;
	return !a->n_threads || !memcmp(a->threads, b->threads, a->n_threads * sizeof(*a->threads));
}

/* Writes entries with the library's writer; returns img_close()'s result. */
static int write_pstree(int dirfd, const PstreeEntry *e, size_t n)
{
	struct img *img = img_create(dirfd, IMG_PSTREE, 0);
	size_t i;
	int ret = 0;

	if (!img)
		return -1;
	for (i = 0; i < n; i++)
		if (img_write(img, &e[i].base) < 0)
			ret = -1;
	if (img_close(img) < 0)
		ret = -1;
	return ret;
}

/* A leader's core image with only the task part set. */
static int write_core(int dirfd, unsigned long pid, uint32_t state, uint32_t exit_code,
		      const char *comm)
{
	CoreEntry core = CORE_ENTRY__INIT;
	TaskCoreEntry tc = TASK_CORE_ENTRY__INIT;
	struct img *img;

	core.mtype = CORE_ENTRY__MARCH__X86_64;
	tc.task_state = state;
	tc.exit_code = exit_code;
	tc.personality = 0x0400000 | (uint32_t)pid; /* tells the tasks apart */
	tc.comm = (char *)comm;
	core.tc = &tc;
	img = img_create(dirfd, IMG_CORE, pid);
	if (!img)
		return -1;
	img_write(img, &core.base);
	return img_close(img);
}

/* What pstree_read_images wants beside pstree.img: an inventory. */
static int write_inventory(int dirfd)
{
	InventoryEntry inv = INVENTORY_ENTRY__INIT;
	struct img *img = img_create(dirfd, IMG_INVENTORY, 0);

	if (!img)
		return -1;
	inv.img_version = 2;
	img_write(img, &inv.base);
	return img_close(img);
}

/* ---- 1. pstree.img round trip ---- */

static void test_pstree_round_trip(void)
{
	static uint32_t t_root[] = {1000, 1001, 1002};
	static uint32_t t_a[] = {1100};
	static uint32_t t_b[] = {70000, 70001};
	uint32_t t_big[400];
	PstreeEntry e[4];
	ProtobufCMessage *msg;
	struct testdir d;
	struct img *img;
	uint8_t *data;
	size_t i, len, want, off;
	bool same;
	int r;

	if (!testdir_open(&d)) {
		ok(0, "pstree round trip: test directory");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(t_big); i++)
		t_big[i] = 4000000 + (uint32_t)i;
	pstree_entry_set(&e[0], 1000, 0, 1000, 1000, t_root, ARRAY_SIZE(t_root));
	pstree_entry_set(&e[1], 1100, 1000, 1000, 1000, t_a, ARRAY_SIZE(t_a));
	pstree_entry_set(&e[2], 70000, 1100, 70000, UINT32_MAX, t_b, ARRAY_SIZE(t_b));
	pstree_entry_set(&e[3], 4000000, 1000, 1, 1, t_big, ARRAY_SIZE(t_big));
	ok(protobuf_c_message_get_packed_size(&e[3].base) > 1024,
	   "pstree round trip: one entry packs to more than 1 KiB (%zu bytes)",
	   protobuf_c_message_get_packed_size(&e[3].base));

	ok(write_pstree(d.fd, e, ARRAY_SIZE(e)) == 0, "pstree round trip: written");

	/* The framing, byte by byte. */
	data = slurp(d.fd, "pstree.img", &len);
	want = HEAD_SIZE;
	for (i = 0; i < ARRAY_SIZE(e); i++)
		want += 4 + protobuf_c_message_get_packed_size(&e[i].base);
	ok(data && len == want, "pstree round trip: file size %zu, expected %zu", len, want);
	if (data && len >= HEAD_SIZE + 4) {
		ok(get_u32_at(data, 0) == IMG_COMMON_MAGIC && get_u32_at(data, 4) == 0x50273030,
		   "pstree round trip: IMG_COMMON then the pstree magic");
		same = true;
		for (i = 0, off = HEAD_SIZE; i < ARRAY_SIZE(e) && off + 4 <= len; i++) {
			size_t elen = protobuf_c_message_get_packed_size(&e[i].base);

			same &= get_u32_at(data, off) == elen;
			off += 4 + elen;
		}
		ok(same && i == ARRAY_SIZE(e) && off == len,
		   "pstree round trip: each entry is prefixed with its packed length");
	} else {
		ok(0, "pstree round trip: IMG_COMMON then the pstree magic");
		ok(0, "pstree round trip: each entry is prefixed with its packed length");
	}
	free(data);

	img = img_open(d.fd, IMG_PSTREE, 0, false);
	if (!ok(img != NULL, "pstree round trip: img_open")) {
		testdir_close(&d);
		return;
	}
	ok(img_kind_of(img) == IMG_PSTREE && !strcmp(img_name(img), "pstree.img"),
	   "pstree round trip: kind %d, name %s", img_kind_of(img), img_name(img));
	for (i = 0; i < ARRAY_SIZE(e); i++) {
		r = img_read(img, &pstree_entry__descriptor, &msg);
		if (!ok(r == 1 && msg, "pstree round trip: entry %zu read (%d)", i, r))
			break;
		same = pstree_entry_eq((PstreeEntry *)msg, &e[i]);
		ok(same, "pstree round trip: entry %zu (pid %u) equal field by field", i, e[i].pid);
		if (!same) {
			PstreeEntry *g = (PstreeEntry *)msg;

			diag("got pid %u ppid %u pgid %u sid %u threads %zu", g->pid, g->ppid,
			     g->pgid, g->sid, g->n_threads);
		}
		img_free_msg(msg);
	}
	msg = (ProtobufCMessage *)&e[0]; /* must be reset */
	r = img_read(img, &pstree_entry__descriptor, &msg);
	ok(r == 0 && msg == NULL, "pstree round trip: clean end of file (%d)", r);
	r = img_read(img, &pstree_entry__descriptor, &msg);
	ok(r == 0 && msg == NULL, "pstree round trip: still the end when read again (%d)", r);
	ok(img_close(img) == 0, "pstree round trip: img_close after reading");

	/* The writer never replaces an image. */
	img = img_create(d.fd, IMG_PSTREE, 0);
	ok(img == NULL, "img_create refuses to overwrite an existing pstree.img");
	img_close(img);
	testdir_close(&d);
}

/* Many small entries: the reader's 64 KiB read-ahead must carry entries across refills. */
static void test_pstree_many(void)
{
	const uint32_t count = 9000;
	ProtobufCMessage *msg;
	struct testdir d;
	struct img *img;
	uint32_t i, tids[2];
	size_t len;
	uint8_t *data;
	bool same = true;
	int r;

	if (!testdir_open(&d)) {
		ok(0, "many entries: test directory");
		return;
	}
	img = img_create(d.fd, IMG_PSTREE, 0);
	for (i = 0; img && i < count; i++) {
		PstreeEntry e;

		tids[0] = 1 + i;
		tids[1] = 100000 + i * 3;
		pstree_entry_set(&e, 1 + i, i, 1, 1, tids, 1 + i % 2);
		img_write(img, &e.base);
	}
	ok(img && img_close(img) == 0, "many entries: %u written", count);
	data = slurp(d.fd, "pstree.img", &len);
	ok(len > 2 * 64 * 1024, "many entries: the file (%zu bytes) spans several buffers", len);
	free(data);

	img = img_open(d.fd, IMG_PSTREE, 0, false);
	if (!ok(img != NULL, "many entries: img_open")) {
		testdir_close(&d);
		return;
	}
	for (i = 0; (r = img_read(img, &pstree_entry__descriptor, &msg)) == 1; i++) {
		PstreeEntry *e = (PstreeEntry *)msg;

		if (same && (e->pid != 1 + i || e->ppid != i || e->n_threads != 1 + i % 2 ||
			     e->threads[0] != 1 + i ||
			     (e->n_threads == 2 && e->threads[1] != 100000 + i * 3))) {
			diag("entry %u: pid %u ppid %u threads %zu", i, e->pid, e->ppid,
			     e->n_threads);
			same = false;
		}
		img_free_msg(msg);
	}
	ok(r == 0 && i == count, "many entries: %u read back, then end of file (%d)", i, r);
	ok(same, "many entries: every entry has what was written");
	img_close(img);
	testdir_close(&d);
}

/* ---- 2. core-N.img and img_read_one ---- */

static void test_core_round_trip(void)
{
	CoreEntry core = CORE_ENTRY__INIT, *got;
	TaskCoreEntry tc = TASK_CORE_ENTRY__INIT;
	TaskKobjIdsEntry ids = TASK_KOBJ_IDS_ENTRY__INIT;
	ThreadCoreEntry th = THREAD_CORE_ENTRY__INIT;
	ProtobufCMessage *msg;
	struct testdir d;
	struct img *img;
	int r;

	if (!testdir_open(&d)) {
		ok(0, "core round trip: test directory");
		return;
	}
	core.mtype = CORE_ENTRY__MARCH__X86_64;
	tc.task_state = TASK_STOPPED;
	tc.exit_code = 0x8b00;
	tc.personality = 0x0400000;
	tc.flags = 0x400140;
	tc.blk_sigset = 0x8000000000010001ull;
	tc.comm = "sleep-worker";
	tc.has_loginuid = true;
	tc.loginuid = 1000;
	tc.has_oom_score_adj = true;
	tc.oom_score_adj = -500;
	tc.has_child_subreaper = true;
	tc.child_subreaper = true;
	ids.vm_id = 1;
	ids.files_id = 2;
	ids.fs_id = 3;
	ids.sighand_id = 4;
	th.futex_rla = 0x7f0012345670ull;
	th.futex_rla_len = 24;
	th.has_sched_nice = true;
	th.sched_nice = -5;
	core.tc = &tc;
	core.ids = &ids;
	core.thread_core = &th;

	img = img_create(d.fd, IMG_CORE, 42);
	ok(img && !strcmp(img_name(img), "core-42.img"), "core round trip: creates core-42.img");
	if (img)
		img_write(img, &core.base);
	ok(img && img_close(img) == 0, "core round trip: written");

	msg = NULL;
	r = img_read_one(d.fd, IMG_CORE, 42, &msg);
	if (ok(r == 0 && msg, "core round trip: img_read_one (%d)", r)) {
		got = (CoreEntry *)msg;
		ok(got->mtype == CORE_ENTRY__MARCH__X86_64, "core round trip: mtype");
		if (ok(got->tc != NULL, "core round trip: tc present")) {
			ok(got->tc->task_state == TASK_STOPPED && got->tc->exit_code == 0x8b00 &&
			       got->tc->personality == 0x0400000 && got->tc->flags == 0x400140 &&
			       got->tc->blk_sigset == 0x8000000000010001ull,
			   "core round trip: tc state, exit code, personality, flags, sigset");
			ok(got->tc->comm && !strcmp(got->tc->comm, "sleep-worker"),
			   "core round trip: tc comm '%s'",
			   got->tc->comm ? got->tc->comm : "(null)");
			ok(got->tc->has_loginuid && got->tc->loginuid == 1000 &&
			       got->tc->has_oom_score_adj && got->tc->oom_score_adj == -500 &&
			       got->tc->has_child_subreaper && got->tc->child_subreaper &&
			       !got->tc->has_cg_set,
			   "core round trip: tc optional fields, set and unset");
		}
		ok(got->ids && got->ids->vm_id == 1 && got->ids->files_id == 2 &&
		       got->ids->fs_id == 3 && got->ids->sighand_id == 4 &&
		       !got->ids->has_pid_ns_id,
		   "core round trip: ids");
		ok(got->thread_core && got->thread_core->futex_rla == 0x7f0012345670ull &&
		       got->thread_core->futex_rla_len == 24 && got->thread_core->has_sched_nice &&
		       got->thread_core->sched_nice == -5 && !got->thread_info,
		   "core round trip: thread_core");
		img_free_msg(msg);
	}

	/* Two entries. */
	img = img_create(d.fd, IMG_CORE, 43);
	if (img) {
		img_write(img, &core.base);
		img_write(img, &core.base);
	}
	ok(img && img_close(img) == 0, "core-43.img with two entries written");
	msg = (ProtobufCMessage *)&core;
	r = img_read_one(d.fd, IMG_CORE, 43, &msg);
	ok(r == -1 && msg == NULL, "img_read_one fails on two entries (%d)", r);

	/* No entry. */
	img = img_create(d.fd, IMG_CORE, 44);
	ok(img && img_close(img) == 0, "core-44.img with no entry written");
	msg = (ProtobufCMessage *)&core;
	r = img_read_one(d.fd, IMG_CORE, 44, &msg);
	ok(r == -1 && msg == NULL, "img_read_one fails on no entry (%d)", r);

	/* One entry and a few stray bytes. */
	{
		struct bytes b = {0};

		bytes_head(&b, IMG_CORE);
		bytes_msg(&b, &core.base);
		bytes_put(&b, "\x01\x00", 2);
		write_file(d.fd, "core-46.img", b.p, b.len);
		free(b.p);
	}
	msg = (ProtobufCMessage *)&core;
	r = img_read_one(d.fd, IMG_CORE, 46, &msg);
	ok(r == -1 && msg == NULL, "img_read_one fails on an entry followed by junk (%d)", r);

	/* No file. */
	msg = (ProtobufCMessage *)&core;
	r = img_read_one(d.fd, IMG_CORE, 45, &msg);
	ok(r == -1 && msg == NULL, "img_read_one fails on a missing file (%d)", r);
	errno = 0;
	img = img_open(d.fd, IMG_CORE, 45, true);
	ok(img == NULL && errno == ENOENT, "img_open(optional) of a missing file: NULL, ENOENT");
	img_close(img);
	testdir_close(&d);
}

/* ---- 3. raw payloads ---- */

static void test_raw(void)
{
	static const size_t sizes[] = {1, 100, 65535, 65536, 65537, 200000, 3};
	static const uint32_t pipe_bytes[] = {0, 10, 70000, 5};
	ProtobufCMessage *msg;
	struct testdir d;
	struct img *img;
	size_t i, total = 0, len;
	uint8_t *buf, *data;
	bool same = true;
	char path[128];
	int r;

	if (!testdir_open(&d)) {
		ok(0, "raw: test directory");
		return;
	}
	buf = xmalloc(200000);

	/* pages-N.img: nothing but raw bytes. */
	img = img_create(d.fd, IMG_PAGES, 7);
	for (i = 0; img && i < ARRAY_SIZE(sizes); i++) {
		fill_pattern(buf, sizes[i], (unsigned int)i);
		if (img_write_raw(img, buf, sizes[i]) < 0)
			same = false;
		total += sizes[i];
	}
	ok(img && same && img_close(img) == 0, "raw: pages-7.img written in %zu pieces",
	   ARRAY_SIZE(sizes));
	data = slurp(d.fd, "pages-7.img", &len);
	ok(len == total, "raw: pages-7.img holds %zu bytes, no magic (%zu)", total, len);
	free(data);

	img = img_open(d.fd, IMG_PAGES, 7, false);
	if (ok(img != NULL, "raw: img_open pages-7.img")) {
		for (i = 0; i < ARRAY_SIZE(sizes); i++) {
			memset(buf, 0, sizes[i]);
			r = img_read_raw(img, buf, sizes[i]);
			ok(r == 0 && check_pattern(buf, sizes[i], (unsigned int)i),
			   "raw: piece %zu (%zu bytes) read back (%d)", i, sizes[i], r);
		}
		ok(img_read_raw(img, buf, 1) == -1, "raw: reading past the end fails");
		img_close(img);
	}
	snprintf(path, sizeof(path), "%s/pages-7.img", d.path);
	img = img_open_path(path);
	ok(img && img_kind_of(img) == IMG_PAGES, "raw: img_open_path knows pages-7.img by name");
	if (img) {
		ok(img_read_raw(img, buf, 65537) == 0 && check_pattern(buf, 1, 0) &&
		       check_pattern(buf + 1, 100, 1),
		   "raw: img_open_path reads the pages");
		img_close(img);
	}

	/* pipes-data.img: entries each followed by their payload. */
	img = img_create(d.fd, IMG_PIPES_DATA, 0);
	same = true;
	for (i = 0; img && i < ARRAY_SIZE(pipe_bytes); i++) {
		PipeDataEntry e = PIPE_DATA_ENTRY__INIT;

		e.pipe_id = 10 + (uint32_t)i;
		e.bytes = pipe_bytes[i];
		fill_pattern(buf, e.bytes, 10 + (unsigned int)i);
		if (img_write(img, &e.base) < 0 || img_write_raw(img, buf, e.bytes) < 0)
			same = false;
	}
	ok(img && same && img_close(img) == 0, "raw: pipes-data.img written");
	img = img_open(d.fd, IMG_PIPES_DATA, 0, false);
	if (!ok(img != NULL, "raw: img_open pipes-data.img")) {
		free(buf);
		testdir_close(&d);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(pipe_bytes); i++) {
		PipeDataEntry *e;

		r = img_read(img, &pipe_data_entry__descriptor, &msg);
		if (!ok(r == 1, "raw: pipe entry %zu read (%d)", i, r))
			break;
		e = (PipeDataEntry *)msg;
		ok(e->pipe_id == 10 + i && e->bytes == pipe_bytes[i], "raw: pipe entry %zu fields",
		   i);
		memset(buf, 0, pipe_bytes[i]);
		r = img_read_raw(img, buf, pipe_bytes[i]);
		ok(r == 0 && check_pattern(buf, pipe_bytes[i], 10 + (unsigned int)i),
		   "raw: pipe %zu payload of %u bytes", i, pipe_bytes[i]);
		img_free_msg(msg);
	}
	r = img_read(img, &pipe_data_entry__descriptor, &msg);
	ok(r == 0, "raw: pipes-data.img ends after the last payload (%d)", r);
	img_close(img);
	free(buf);
	testdir_close(&d);
}

/* ---- 4. truncated images ---- */

#define MAX_SAMPLE 8

/* A valid image, and where each of its entries (with its payload) ends. */
struct sample {
	enum img_kind kind;
	unsigned long id;
	char name[64];
	uint8_t *data;
	size_t size;
	size_t ends[MAX_SAMPLE];
	uint32_t keys[MAX_SAMPLE]; /* what tells each entry apart */
	size_t n;
};

/* What identifies an entry in a sample. */
static uint32_t entry_key(enum img_kind kind, const ProtobufCMessage *msg, uint32_t *payload)
{
	*payload = 0;
	switch (kind) {
	case IMG_PSTREE:
		return ((const PstreeEntry *)msg)->pid;
	case IMG_CORE: {
		const CoreEntry *c = (const CoreEntry *)msg;

		return c->tc ? c->tc->exit_code : UINT32_MAX;
	}
	case IMG_PIPES_DATA:
		*payload = ((const PipeDataEntry *)msg)->bytes;
		return ((const PipeDataEntry *)msg)->pipe_id;
	default:
		return UINT32_MAX;
	}
}

/* Reads every entry (and payload); returns the last result: 0 at the end, -1 on an error, -2
 * when a payload does not hold what was written. */
static int read_all(struct img *img, enum img_kind kind, uint32_t *keys, size_t *n)
{
	const ProtobufCMessageDescriptor *desc = img_desc(kind)->entry;
	ProtobufCMessage *msg;
	int r;

	*n = 0;
	while ((r = img_read(img, desc, &msg)) == 1) {
		uint32_t payload, key = entry_key(kind, msg, &payload);

		img_free_msg(msg);
		if (payload) {
			uint8_t *buf = xmalloc(payload);
			bool good;

			r = img_read_raw(img, buf, payload);
			good = r == 0 && check_pattern(buf, payload, key);
			free(buf);
			if (r < 0)
				return -1;
			if (!good)
				return -2;
		}
		if (*n < MAX_SAMPLE)
			keys[*n] = key;
		(*n)++;
	}
	if (r == 0 && msg)
		return -2;
	return r;
}

/* Fills in a sample from the file the library wrote; payloads[i] follow entry i. */
static bool sample_load(struct sample *s, int dirfd, const uint32_t *keys, const uint32_t *payloads,
			size_t n)
{
	size_t i, off = HEAD_SIZE;

	s->data = slurp(dirfd, s->name, &s->size);
	if (!s->data || n > MAX_SAMPLE)
		return false;
	for (i = 0; i < n; i++) {
		if (off + 4 > s->size)
			return false;
		off += 4 + get_u32_at(s->data, off) + (payloads ? payloads[i] : 0);
		s->ends[i] = off;
		s->keys[i] = keys[i];
	}
	s->n = n;
	return off == s->size;
}

/* Cuts the sample at every offset: below the magics img_open fails; past them the entries
 * before the cut read back, then a clean end exactly at an entry's end, else an error. */
static void check_cuts(int dirfd, const struct sample *s)
{
	size_t cut, i, n, bad_open = 0, bad_read = 0, bad_one = 0, bad_tree = 0;
	size_t first_open = 0, first_read = 0, first_one = 0, first_tree = 0;
	uint32_t keys[MAX_SAMPLE];

	for (cut = 0; cut < s->size; cut++) {
		size_t want_n = 0;
		bool at_end = cut == HEAD_SIZE;
		struct img *img;
		int r, want_r;

		if (write_cut(dirfd, s->name, s->data, s->size, cut) < 0) {
			bad_open++;
			continue;
		}
		for (i = 0; i < s->n; i++) {
			if (s->ends[i] <= cut)
				want_n = i + 1;
			if (s->ends[i] == cut)
				at_end = true;
		}

		if (s->kind == IMG_CORE) {
			ProtobufCMessage *msg = (ProtobufCMessage *)s->data; /* must be reset */

			r = img_read_one(dirfd, s->kind, s->id, &msg);
			if ((r != -1 || msg) && !bad_one++)
				first_one = cut;
		}
		if (s->kind == IMG_PSTREE) {
			struct pstree tree = {0};

			/* Any cut fails: even one at an entry's end leaves core images of
			 * tasks pstree.img no longer lists. */
			want_r = -1;
			r = pstree_read_images(dirfd, &tree);
			if ((r != want_r || tree.nr != (r == 0 ? want_n : 0)) && !bad_tree++) {
				first_tree = cut;
				diag("pstree_read_images, cut at %zu: %d with %zu tasks", cut, r,
				     tree.nr);
			}
			pstree_free(&tree);
		}

		want_r = at_end ? 0 : -1;
		img = img_open(dirfd, s->kind, s->id, false);
		if (cut < HEAD_SIZE) {
			if (img && !bad_open++)
				first_open = cut;
			img_close(img);
			continue;
		}
		if (!img) {
			if (!bad_open++)
				first_open = cut;
			continue;
		}
		r = read_all(img, s->kind, keys, &n);
		img_close(img);
		if (r != want_r || n != want_n ||
		    memcmp(keys, s->keys, (n < MAX_SAMPLE ? n : MAX_SAMPLE) * sizeof(*keys))) {
			if (!bad_read++) {
				first_read = cut;
				diag("%s cut at %zu: %zu entries and %d, expected %zu and %d",
				     s->name, cut, n, r, want_n, want_r);
			}
		}
	}
	ok(bad_open == 0,
	   "truncated %s: img_open fails exactly when a magic is cut (%zu bad, first %zu)", s->name,
	   bad_open, first_open);
	ok(bad_read == 0,
	   "truncated %s: every cut of %zu bytes reads the whole entries, then an error (%zu bad, "
	   "first %zu)",
	   s->name, s->size, bad_read, first_read);
	if (s->kind == IMG_CORE)
		ok(bad_one == 0,
		   "truncated %s: img_read_one fails at every cut (%zu bad, first %zu)", s->name,
		   bad_one, first_one);
	if (s->kind == IMG_PSTREE)
		ok(bad_tree == 0,
		   "truncated %s: pstree_read_images fails at every cut (%zu bad, "
		   "first %zu)",
		   s->name, bad_tree, first_tree);
}

static void test_truncated(void)
{
	static uint32_t t1[] = {501, 502}, t2[] = {600}, t3[] = {700, 701, 702};
	static const uint32_t pids[] = {501, 600, 700};
	static const uint32_t pipe_ids[] = {3, 4, 5}, pipe_bytes[] = {40, 0, 100};
	struct sample ps = {.kind = IMG_PSTREE}, cs = {.kind = IMG_CORE, .id = 77},
		      pd = {.kind = IMG_PIPES_DATA};
	const uint32_t core_key = 0x1234;
	PstreeEntry e[3];
	struct testdir d;
	struct img *img;
	uint8_t payload[100];
	size_t i;

	if (!testdir_open(&d)) {
		ok(0, "truncated: test directory");
		return;
	}
	pstree_entry_set(&e[0], 501, 0, 501, 501, t1, ARRAY_SIZE(t1));
	pstree_entry_set(&e[1], 600, 501, 501, 501, t2, ARRAY_SIZE(t2));
	pstree_entry_set(&e[2], 700, 600, 700, 501, t3, ARRAY_SIZE(t3));
	write_pstree(d.fd, e, ARRAY_SIZE(e));
	for (i = 0; i < ARRAY_SIZE(pids); i++)
		write_core(d.fd, pids[i], TASK_ALIVE, 0, "cut");
	snprintf(ps.name, sizeof(ps.name), "pstree.img");
	ok(sample_load(&ps, d.fd, pids, NULL, ARRAY_SIZE(pids)), "truncated: pstree sample");

	write_core(d.fd, cs.id, TASK_DEAD, core_key, "zombie");
	snprintf(cs.name, sizeof(cs.name), "core-77.img");
	ok(sample_load(&cs, d.fd, &core_key, NULL, 1), "truncated: core sample");

	img = img_create(d.fd, IMG_PIPES_DATA, 0);
	for (i = 0; img && i < ARRAY_SIZE(pipe_ids); i++) {
		PipeDataEntry p = PIPE_DATA_ENTRY__INIT;

		p.pipe_id = pipe_ids[i];
		p.bytes = pipe_bytes[i];
		fill_pattern(payload, p.bytes, p.pipe_id);
		img_write(img, &p.base);
		img_write_raw(img, payload, p.bytes);
	}
	img_close(img);
	snprintf(pd.name, sizeof(pd.name), "pipes-data.img");
	ok(sample_load(&pd, d.fd, pipe_ids, pipe_bytes, ARRAY_SIZE(pipe_ids)),
	   "truncated: pipes-data sample");

	check_cuts(d.fd, &ps);
	check_cuts(d.fd, &cs);
	check_cuts(d.fd, &pd);
	free(ps.data);
	free(cs.data);
	free(pd.data);
	testdir_close(&d);
}

/* ---- 5. magics ---- */

static struct img *open_in(const struct testdir *d, const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", d->path, name);
	return img_open_path(path);
}

/* img_open_path() of a file holding these bytes; true if it was refused. */
static bool path_refused(const struct testdir *d, const char *name, const void *data, size_t len)
{
	struct img *img;

	if (write_file(d->fd, name, data, len) < 0)
		return false;
	img = open_in(d, name);
	img_close(img);
	return img == NULL;
}

static void test_magic(void)
{
	static uint32_t t[] = {9};
	InventoryEntry inv = INVENTORY_ENTRY__INIT;
	ProtobufCMessage *msg;
	struct bytes b = {0};
	struct testdir d;
	struct img *img;
	PstreeEntry e;
	uint8_t *data;
	size_t len;
	int r;

	if (!testdir_open(&d)) {
		ok(0, "magic: test directory");
		return;
	}
	pstree_entry_set(&e, 9, 0, 9, 9, t, 1);
	write_core(d.fd, 9, TASK_ALIVE, 0, "magic");
	write_pstree(d.fd, &e, 1);
	inv.img_version = 2;
	img = img_create(d.fd, IMG_INVENTORY, 0);
	if (img)
		img_write(img, &inv.base);
	ok(img && img_close(img) == 0, "magic: inventory.img written");

	/* img_open checks the kind's magics. */
	data = slurp(d.fd, "core-9.img", &len);
	write_file(d.fd, "pstree.img", data, len);
	free(data);
	errno = 0;
	img = img_open(d.fd, IMG_PSTREE, 0, false);
	ok(img == NULL && errno == EINVAL, "magic: a core image named pstree.img is refused");
	img_close(img);

	bytes_u32(&b, 0xdeadbeef);
	bytes_u32(&b, img_desc(IMG_PSTREE)->magic);
	bytes_msg(&b, &e.base);
	write_file(d.fd, "pstree.img", b.p, b.len);
	img = img_open(d.fd, IMG_PSTREE, 0, false);
	ok(img == NULL, "magic: a garbage head magic is refused");
	img_close(img);
	ok(path_refused(&d, "pstree.img", b.p, b.len), "magic: img_open_path refuses it too");

	/* The same with the right head reads. */
	b.len = 0;
	bytes_head(&b, IMG_PSTREE);
	bytes_msg(&b, &e.base);
	write_file(d.fd, "pstree.img", b.p, b.len);
	img = img_open(d.fd, IMG_PSTREE, 0, false);
	ok(img != NULL, "magic: the rebuilt pstree.img opens");
	img_close(img);

	/* img_open_path tells the kind by magic. */
	img = open_in(&d, "pstree.img");
	if (ok(img && img_kind_of(img) == IMG_PSTREE,
	       "magic: img_open_path: pstree.img is PSTREE")) {
		r = img_read(img, &pstree_entry__descriptor, &msg);
		ok(r == 1 && ((PstreeEntry *)msg)->pid == 9, "magic: and its entry reads");
		img_free_msg(msg);
	}
	img_close(img);
	img = open_in(&d, "core-9.img");
	ok(img && img_kind_of(img) == IMG_CORE, "magic: img_open_path: core-9.img is CORE");
	img_close(img);

	data = slurp(d.fd, "inventory.img", &len);
	ok(data && len >= 4 && get_u32_at(data, 0) == img_desc(IMG_INVENTORY)->magic,
	   "magic: inventory.img starts with its own magic, no IMG_COMMON");
	/* The name does not matter to img_open_path, only the magic. */
	write_file(d.fd, "renamed", data, len);
	free(data);
	img = open_in(&d, "renamed");
	if (ok(img && img_kind_of(img) == IMG_INVENTORY,
	       "magic: img_open_path: an inventory image is INVENTORY whatever its name")) {
		r = img_read(img, &inventory_entry__descriptor, &msg);
		ok(r == 1 && ((InventoryEntry *)msg)->img_version == 2,
		   "magic: and its entry reads");
		img_free_msg(msg);
	}
	img_close(img);
	img = img_open(d.fd, IMG_INVENTORY, 0, false);
	ok(img != NULL, "magic: img_open(IMG_INVENTORY)");
	img_close(img);

	/* Unknown or misplaced magics. */
	b.len = 0;
	bytes_u32(&b, IMG_COMMON_MAGIC);
	bytes_u32(&b, 0x12345678);
	ok(path_refused(&d, "foo.img", b.p, b.len), "magic: IMG_COMMON then an unknown magic");
	b.len = 0;
	bytes_u32(&b, 0x12345678);
	bytes_u32(&b, 0);
	ok(path_refused(&d, "foo.img", b.p, b.len), "magic: an unknown magic alone");
	b.len = 0;
	bytes_u32(&b, IMG_COMMON_MAGIC);
	bytes_u32(&b, img_desc(IMG_INVENTORY)->magic);
	ok(path_refused(&d, "foo.img", b.p, b.len),
	   "magic: IMG_COMMON before the inventory magic (which has none)");
	b.len = 0;
	bytes_u32(&b, img_desc(IMG_PSTREE)->magic);
	bytes_msg(&b, &e.base);
	ok(path_refused(&d, "foo.img", b.p, b.len), "magic: the pstree magic without IMG_COMMON");
	ok(path_refused(&d, "foo.img", "", 0), "magic: an empty file");
	ok(path_refused(&d, "foo.img", "\x19\x43", 2), "magic: a file shorter than a magic");
	img = open_in(&d, "no-such.img");
	ok(img == NULL, "magic: img_open_path of a missing file");
	free(b.p);
	testdir_close(&d);
}

/* ---- 6. lengths beyond the file ---- */

/* A pstree.img whose one entry claims len bytes, followed by have bytes. */
static int read_claim(const struct testdir *d, uint32_t len, size_t have)
{
	ProtobufCMessage *msg = NULL;
	struct bytes b = {0};
	struct img *img;
	uint8_t *fill = xzalloc(have ? have : 1);
	int r = -2;

	bytes_head(&b, IMG_PSTREE);
	bytes_u32(&b, len);
	bytes_put(&b, fill, have);
	free(fill);
	write_file(d->fd, "pstree.img", b.p, b.len);
	free(b.p);
	img = img_open(d->fd, IMG_PSTREE, 0, false);
	if (img) {
		r = img_read(img, &pstree_entry__descriptor, &msg);
		if (r == -1 && msg)
			r = -3;
		img_free_msg(msg);
		img_close(img);
	}
	return r;
}

/* The same through a pipe, where the reader cannot know the file's size. */
static int read_claim_pipe(uint32_t len, size_t have)
{
	ProtobufCMessage *msg = NULL;
	struct bytes b = {0};
	struct img *img;
	char path[64];
	int p[2], r = -2;

	if (pipe(p) < 0)
		return -2;
	bytes_head(&b, IMG_PSTREE);
	bytes_u32(&b, len);
	while (b.len < HEAD_SIZE + 4 + have)
		bytes_put(&b, "\x08", 1);
	if (write(p[1], b.p, b.len) != (ssize_t)b.len) {
		free(b.p);
		close(p[0]);
		close(p[1]);
		return -2;
	}
	free(b.p);
	/* Opened while the writer is there, read after it is gone. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[0]);
	img = img_open_path(path);
	close(p[1]);
	close(p[0]);
	if (img) {
		if (img_kind_of(img) == IMG_PSTREE)
			r = img_read(img, &pstree_entry__descriptor, &msg);
		if (r == -1 && msg)
			r = -3;
		img_free_msg(msg);
		img_close(img);
	}
	return r;
}

/* The process's address space, from /proc/self/status; 0 if unknown. */
static unsigned long vm_size(void)
{
	char buf[4096], *p;
	unsigned long kb = 0;

	if (read_small_file("/proc/self/status", buf, sizeof(buf)) < 0)
		return 0;
	p = strstr(buf, "VmSize:");
	if (p)
		sscanf(p + 7, "%lu", &kb);
	return kb << 10;
}

/* read_claim_pipe() in a child allowed 512 MiB more address space than it has: an allocation
 * sized by a bogus length kills it instead of going unnoticed (overcommit would let it pass).
 * Relative to the current size, so that it works under valgrind and the sanitizers too. */
static int read_claim_bounded(uint32_t len, size_t have)
{
	int status;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -2;
	if (pid == 0) {
		unsigned long now = vm_size();
		struct rlimit rl = {now + (512ul << 20), now + (512ul << 20)};

		if (now && setrlimit(RLIMIT_AS, &rl) < 0)
			_exit(1);
		_exit(read_claim_pipe(len, have) + 10);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -2;
	if (!WIFEXITED(status)) {
		diag("the reader was killed by signal %d", WTERMSIG(status));
		return -4;
	}
	if (WEXITSTATUS(status) < 7)
		diag("the reader exited with %d", WEXITSTATUS(status));
	return WEXITSTATUS(status) - 10;
}

static void test_lengths(void)
{
	static uint32_t t[] = {5};
	struct bytes b = {0};
	struct testdir d;
	PstreeEntry e;
	size_t len;
	int r;

	if (!testdir_open(&d)) {
		ok(0, "lengths: test directory");
		return;
	}
	r = read_claim(&d, 100, 10);
	ok(r == -1, "lengths: 100 claimed, 10 there: error (%d)", r);
	r = read_claim(&d, 11, 10);
	ok(r == -1, "lengths: one byte more than the file holds: error (%d)", r);
	r = read_claim(&d, 0xffffffffu, 16);
	ok(r == -1, "lengths: 0xffffffff claimed: error (%d)", r);
	r = read_claim(&d, 0x80000000u, 0);
	ok(r == -1, "lengths: 2 GiB claimed by the last 4 bytes: error (%d)", r);
	r = read_claim(&d, 60u << 20, 100);
	ok(r == -1, "lengths: 60 MiB claimed, 100 bytes there: error (%d)", r);

	/* Control: a length that is exactly right reads. */
	pstree_entry_set(&e, 5, 0, 5, 5, t, 1);
	len = protobuf_c_message_get_packed_size(&e.base);
	bytes_head(&b, IMG_PSTREE);
	bytes_msg(&b, &e.base);
	write_file(d.fd, "pstree.img", b.p, b.len);
	free(b.p);
	{
		struct img *img = img_open(d.fd, IMG_PSTREE, 0, false);
		ProtobufCMessage *msg = NULL;

		r = img ? img_read(img, &pstree_entry__descriptor, &msg) : -2;
		ok(r == 1 && msg && ((PstreeEntry *)msg)->pid == 5,
		   "lengths: (control) an exact %zu-byte entry reads", len);
		img_free_msg(msg);
		img_close(img);
	}

	r = read_claim_bounded(0xffffffffu, 16);
	ok(r == -1, "lengths: from a pipe, 0xffffffff claimed: error, no huge allocation (%d)", r);
	r = read_claim_bounded(0x7fffffffu, 16);
	ok(r == -1, "lengths: from a pipe, 2 GiB claimed: error, no huge allocation (%d)", r);
	r = read_claim_bounded(32u << 20, 16);
	ok(r == -1, "lengths: from a pipe, 32 MiB claimed, 16 bytes there: error (%d)", r);
	r = read_claim_bounded(17, 16);
	ok(r == -1, "lengths: from a pipe, one byte short: error (%d)", r);
	testdir_close(&d);
}

/* ---- 7. entries that do not parse ---- */

/* A pstree.img holding one entry of these bytes; what img_read() says of it. */
static int read_body(const struct testdir *d, const void *body, size_t len)
{
	ProtobufCMessage *msg = NULL;
	struct bytes b = {0};
	struct img *img;
	int r = -2;

	bytes_head(&b, IMG_PSTREE);
	bytes_u32(&b, (uint32_t)len);
	bytes_put(&b, body, len);
	write_file(d->fd, "pstree.img", b.p, b.len);
	free(b.p);
	img = img_open(d->fd, IMG_PSTREE, 0, false);
	if (img) {
		r = img_read(img, &pstree_entry__descriptor, &msg);
		if (r == -1 && msg)
			r = -3;
		img_free_msg(msg);
		img_close(img);
	}
	return r;
}

static void test_bad_protobuf(void)
{
	static const uint8_t ff[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				       0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	static const uint8_t wire7[] = {0x0f, 0x01, 0x10, 0x02, 0x18, 0x03, 0x20, 0x04};
	static const uint8_t open_varint[] = {0x08, 0xff, 0xff};
	static const uint8_t long_field[] = {0x08, 0x01, 0x2a, 0x40, 0x00};
	uint8_t junk[48];
	ThreadSasEntry sas = THREAD_SAS_ENTRY__INIT;
	TaskKobjIdsEntry ids = TASK_KOBJ_IDS_ENTRY__INIT;
	uint8_t packed[64];
	ProtobufCMessage *msg;
	struct bytes b = {0};
	struct testdir d;
	int r, i, bad = 0;

	if (!testdir_open(&d)) {
		ok(0, "bad protobuf: test directory");
		return;
	}
	r = read_body(&d, ff, sizeof(ff));
	ok(r == -1, "bad protobuf: 16 bytes of 0xff (%d)", r);
	r = read_body(&d, wire7, sizeof(wire7));
	ok(r == -1, "bad protobuf: wire type 7 (%d)", r);
	r = read_body(&d, open_varint, sizeof(open_varint));
	ok(r == -1, "bad protobuf: a varint cut by the entry's end (%d)", r);
	r = read_body(&d, long_field, sizeof(long_field));
	ok(r == -1, "bad protobuf: a field longer than the entry (%d)", r);
	for (i = 0; i < 50; i++) {
		size_t j, n = 8 + rnd() % (sizeof(junk) - 8);

		for (j = 0; j < n; j++)
			junk[j] = (uint8_t)rnd();
		r = read_body(&d, junk, n);
		if (r != -1 && !bad++)
			diag("random entry %d parsed (%d)", i, r);
	}
	ok(bad == 0, "bad protobuf: 50 random entries are refused (%d parsed)", bad);

	r = read_body(&d, "", 0);
	ok(r == -1, "bad protobuf: an empty entry lacks the required fields (%d)", r);

	/* thread_sas_entry has fields 1-3 as varints: pstree_entry's sid (4) is missing. */
	sas.ss_sp = 1;
	sas.ss_size = 2;
	sas.ss_flags = 3;
	r = read_body(&d, packed, protobuf_c_message_pack(&sas.base, packed));
	ok(r == -1, "bad protobuf: a thread_sas_entry is not a pstree_entry (%d)", r);
	/* Control: task_kobj_ids_entry's fields 1-4 happen to be all pstree_entry requires. */
	ids.vm_id = 1;
	ids.files_id = 2;
	ids.fs_id = 3;
	ids.sighand_id = 4;
	r = read_body(&d, packed, protobuf_c_message_pack(&ids.base, packed));
	ok(r == 1, "bad protobuf: (control) fields 1-4 as varints do parse (%d)", r);

	/* core_entry requires mtype. */
	bytes_head(&b, IMG_CORE);
	bytes_u32(&b, 0);
	write_file(d.fd, "core-3.img", b.p, b.len);
	free(b.p);
	msg = (ProtobufCMessage *)&ids;
	r = img_read_one(d.fd, IMG_CORE, 3, &msg);
	ok(r == -1 && msg == NULL, "bad protobuf: img_read_one of an empty core entry (%d)", r);
	testdir_close(&d);
}

/* ---- 8. pstree_read_images ---- */

struct tent {
	uint32_t pid, ppid, pgid, sid;
	uint32_t threads[4];
	size_t n;
};

struct tree_case {
	const char *what;
	const struct tent *ents;
	size_t n;
	uint32_t no_core;  /* this pid has no core image */
	uint32_t bad_core; /* this pid's core has no tc (1) or a bad state (2) */
	int bad_kind;
};

static void write_tents(int dirfd, const struct tent *ents, size_t n)
{
	PstreeEntry e[8];
	size_t i;

	for (i = 0; i < n && i < ARRAY_SIZE(e); i++)
		pstree_entry_set(&e[i], ents[i].pid, ents[i].ppid, ents[i].pgid, ents[i].sid,
				 (uint32_t *)ents[i].threads, ents[i].n);
	write_pstree(dirfd, e, i);
}

/* Writes pstree.img (unless ents is NULL) and a core image for every pid. */
static void write_tree(int dirfd, const struct tree_case *c)
{
	size_t i, j;

	if (!c->ents)
		return;
	write_inventory(dirfd);
	write_tents(dirfd, c->ents, c->n);
	for (i = 0; i < c->n; i++) {
		uint32_t pid = c->ents[i].pid;
		char comm[16];

		/* Every other thread has its core image too. */
		for (j = 1; j < c->ents[i].n && j < ARRAY_SIZE(c->ents[i].threads); j++)
			if (c->ents[i].threads[j] && c->ents[i].threads[j] != pid)
				write_core(dirfd, c->ents[i].threads[j], TASK_ALIVE, 0, "thread");

		for (j = 0; j < i; j++)
			if (c->ents[j].pid == pid)
				break;
		if (j < i || pid == c->no_core)
			continue; /* one core per pid */
		if (pid == c->bad_core && c->bad_kind == 1) {
			CoreEntry core = CORE_ENTRY__INIT;
			struct img *img = img_create(dirfd, IMG_CORE, pid);

			core.mtype = CORE_ENTRY__MARCH__X86_64;
			if (img)
				img_write(img, &core.base);
			img_close(img);
			continue;
		}
		snprintf(comm, sizeof(comm), "task-%u", pid);
		write_core(dirfd, pid, pid == c->bad_core ? 9 : TASK_ALIVE, 0, comm);
	}
}

static void test_tree_good(void)
{
	static const struct tent ents[] = {
	    {100, 0, 100, 100, {100, 101}, 2},
	    {200, 100, 200, 100, {200}, 1},
	    {400, 200, 200, 100, {400, 401, 402}, 3},
	    {300, 100, 300, 300, {300}, 1},
	};
	static const int parents[] = {-1, 0, 1, 0};
	static const char *const comms[] = {"init-like", "a-very-long-command-name", "grandchild",
					    "zombie"};
	static const enum task_state states[] = {TASK_ALIVE, TASK_STOPPED, TASK_ALIVE, TASK_DEAD};
	struct pstree tree = {0};
	struct testdir d;
	bool same = true;
	size_t i, j;
	int r;

	if (!testdir_open(&d)) {
		ok(0, "good tree: test directory");
		return;
	}
	write_inventory(d.fd);
	write_tents(d.fd, ents, ARRAY_SIZE(ents));
	for (i = 0; i < ARRAY_SIZE(ents); i++) {
		write_core(d.fd, ents[i].pid, states[i], states[i] == TASK_DEAD ? 0x0200 : 0,
			   comms[i]);
		for (j = 1; j < ents[i].n; j++)
			write_core(d.fd, ents[i].threads[j], states[i], 0, "thread");
	}

	/* A tree that holds something is emptied first. */
	pstree_add(&tree, 77, -1);
	r = pstree_read_images(d.fd, &tree);
	if (!ok(r == 0 && tree.nr == ARRAY_SIZE(ents), "good tree: read (%d), %zu tasks", r,
		tree.nr)) {
		pstree_free(&tree);
		testdir_close(&d);
		return;
	}
	for (i = 0; i < tree.nr; i++) {
		const struct task *t = &tree.tasks[i];
		char comm[TASK_COMM_LEN];

		snprintf(comm, sizeof(comm), "%s", comms[i]);
		if (t->pid != (pid_t)ents[i].pid || t->ppid != (pid_t)ents[i].ppid ||
		    t->parent != parents[i] || t->pgid != (pid_t)ents[i].pgid ||
		    t->sid != (pid_t)ents[i].sid || t->nr_threads != ents[i].n ||
		    t->state != states[i] || strcmp(t->comm, comm) ||
		    t->exit_code != (states[i] == TASK_DEAD ? 0x0200 : 0) ||
		    t->personality != (0x0400000 | ents[i].pid)) {
			diag("task %zu: pid %d ppid %d parent %d state %d comm '%s'", i, t->pid,
			     t->ppid, t->parent, t->state, t->comm);
			same = false;
		}
		for (j = 0; j < t->nr_threads && j < ents[i].n; j++)
			if (t->threads[j].tid != (pid_t)ents[i].threads[j])
				same = false;
	}
	ok(same, "good tree: order, parents, ids, threads, state, comm, exit code");
	ok(!strcmp(tree.tasks[1].comm, "a-very-long-com"),
	   "good tree: a long comm is cut to TASK_COMM_LEN-1 (%s)", tree.tasks[1].comm);
	ok(tree.nr_threads == 7, "good tree: 7 threads in all (%zu)", tree.nr_threads);
	ok(pstree_find(&tree, 400) == &tree.tasks[2] && pstree_find(&tree, 77) == NULL,
	   "good tree: the pid index is rebuilt");

	/* Read again into the same tree: same result. */
	r = pstree_read_images(d.fd, &tree);
	ok(r == 0 && tree.nr == ARRAY_SIZE(ents) && tree.nr_threads == 7,
	   "good tree: read again into the same tree");
	pstree_free(&tree);
	testdir_close(&d);
}

static void test_tree_bad(void)
{
	static const struct tent two_roots[] = {
	    {100, 0, 100, 100, {100}, 1},
	    {200, 0, 200, 200, {200}, 1},
	};
	static const struct tent child_first[] = {
	    {100, 0, 100, 100, {100}, 1},
	    {300, 200, 100, 100, {300}, 1},
	    {200, 100, 100, 100, {200}, 1},
	};
	static const struct tent dup_pid[] = {
	    {100, 0, 100, 100, {100}, 1},
	    {200, 100, 100, 100, {200}, 1},
	    {200, 100, 100, 100, {200}, 1},
	};
	static const struct tent not_leader[] = {
	    {100, 0, 100, 100, {100}, 1},
	    {200, 100, 100, 100, {201, 202}, 2},
	};
	static const struct tent no_threads[] = {
	    {100, 0, 100, 100, {100}, 1},
	    {200, 100, 100, 100, {0}, 0},
	};
	static const struct tent good[] = {
	    {100, 0, 100, 100, {100, 101}, 2},
	    {200, 100, 100, 100, {200}, 1},
	};
	static const struct tent not_root[] = {
	    {200, 100, 100, 100, {200}, 1},
	};
	static const struct tent self_parent[] = {
	    {100, 0, 100, 100, {100}, 1},
	    {200, 200, 100, 100, {200}, 1},
	};
	static const struct tent zero_tid[] = {
	    {100, 0, 100, 100, {100, 0}, 2},
	};
	static const struct tent leader_twice[] = {
	    {100, 0, 100, 100, {100, 100}, 2},
	};
	static const struct tent pid_zero[] = {
	    {0, 0, 0, 0, {0}, 1},
	};
	static const struct tent tid_is_a_pid[] = {
	    {100, 0, 100, 100, {100, 200}, 2},
	    {200, 100, 100, 100, {200}, 1},
	};
	static const struct tent tid_twice[] = {
	    {100, 0, 100, 100, {100, 101, 101}, 3},
	};
	static const struct tree_case cases[] = {
	    {.what = "two roots", .ents = two_roots, .n = ARRAY_SIZE(two_roots)},
	    {.what = "a child before its parent",
	     .ents = child_first,
	     .n = ARRAY_SIZE(child_first)},
	    {.what = "a duplicate pid", .ents = dup_pid, .n = ARRAY_SIZE(dup_pid)},
	    {.what = "a first thread that is not the leader",
	     .ents = not_leader,
	     .n = ARRAY_SIZE(not_leader)},
	    {.what = "a process with no thread", .ents = no_threads, .n = ARRAY_SIZE(no_threads)},
	    {.what = "a missing core image", .ents = good, .n = ARRAY_SIZE(good), .no_core = 200},
	    {.what = "a core image without tc",
	     .ents = good,
	     .n = ARRAY_SIZE(good),
	     .bad_core = 200,
	     .bad_kind = 1},
	    {.what = "a core image with an unknown state",
	     .ents = good,
	     .n = ARRAY_SIZE(good),
	     .bad_core = 200,
	     .bad_kind = 2},
	    {.what = "a first entry that is not the root",
	     .ents = not_root,
	     .n = ARRAY_SIZE(not_root)},
	    {.what = "a process its own parent", .ents = self_parent, .n = ARRAY_SIZE(self_parent)},
	    {.what = "a thread id 0", .ents = zero_tid, .n = ARRAY_SIZE(zero_tid)},
	    {.what = "the leader twice in threads",
	     .ents = leader_twice,
	     .n = ARRAY_SIZE(leader_twice)},
	    {.what = "pid 0", .ents = pid_zero, .n = ARRAY_SIZE(pid_zero)},
	    {.what = "a thread id that is another process's pid",
	     .ents = tid_is_a_pid,
	     .n = ARRAY_SIZE(tid_is_a_pid)},
	    {.what = "a thread id twice", .ents = tid_twice, .n = ARRAY_SIZE(tid_twice)},
	    {.what = "an empty pstree.img", .ents = good, .n = 0},
	    {.what = "no pstree.img", .ents = NULL, .n = 0},
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct pstree tree = {0};
		struct testdir d;
		int r;

		if (!testdir_open(&d)) {
			ok(0, "bad tree: %s: test directory", cases[i].what);
			continue;
		}
		write_tree(d.fd, &cases[i]);
		r = pstree_read_images(d.fd, &tree);
		ok(r == -1 && tree.nr == 0 && tree.tasks == NULL,
		   "bad tree: %s: refused (%d, %zu tasks left)", cases[i].what, r, tree.nr);
		pstree_free(&tree);
		testdir_close(&d);
	}

	/* Control: the tree the core cases start from is fine. */
	{
		struct tree_case c = {.what = "good", .ents = good, .n = ARRAY_SIZE(good)};
		struct pstree tree = {0};
		struct testdir d;
		int r = -2;

		if (testdir_open(&d)) {
			write_tree(d.fd, &c);
			r = pstree_read_images(d.fd, &tree);
			testdir_close(&d);
		}
		ok(r == 0 && tree.nr == 2 && tree.tasks[1].parent == 0 &&
		       !strcmp(tree.tasks[1].comm, "task-200"),
		   "bad tree: (control) the same tree with good cores reads (%d)", r);
		pstree_free(&tree);
	}
}

/* ---- 9. names and magics of kinds ---- */

static void test_kind_names(void)
{
	static const struct {
		const char *name;
		int kind;
	} names[] = {
	    {"core-12.img", IMG_CORE},
	    {"pages-1.img", IMG_PAGES},
	    {"pstree.img", IMG_PSTREE},
	    {"inventory.img", IMG_INVENTORY},
	    {"pagemap-3.img", IMG_PAGEMAP},
	    {"pipes-data.img", IMG_PIPES_DATA},
	    {"core-0.img", IMG_CORE},
	    {"core-.img", -1},
	    {"core-1x.img", -1},
	    {"core--1.img", -1},
	    {"core-1.img.bak", -1},
	    {"xcore-1.img", -1},
	    {"core-1", -1},
	    {"pages-.img", -1},
	    {"pstree-1.img", -1},
	    {"foo", -1},
	    {"", -1},
	};
	size_t i;
	int k, bad = 0;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		int got = img_kind_by_name(names[i].name);

		ok(got == names[i].kind, "img_kind_by_name(\"%s\") = %d (%d)", names[i].name,
		   names[i].kind, got);
	}

	/* Every kind's own file name and magic lead back to it. */
	for (k = 0; k < IMG_KIND_COUNT; k++) {
		const struct img_desc *desc = img_desc(k);
		struct testdir d;
		struct img *img;
		const char *name;

		if (desc->magic && img_kind_by_magic(desc->magic) != k) {
			diag("kind %d (%s): img_kind_by_magic", k, img_kind_name(k));
			bad++;
		}
		if (!img_kind_name(k) || !*img_kind_name(k)) {
			diag("kind %d has no name", k);
			bad++;
		}
		if (!testdir_open(&d)) {
			bad++;
			continue;
		}
		img = img_create(d.fd, k, 31);
		name = img ? img_name(img) : "";
		if (!img || img_kind_by_name(name) != k) {
			diag("kind %d (%s): created %s, named back %d", k, img_kind_name(k), name,
			     img_kind_by_name(name));
			bad++;
		}
		img_close(img);
		testdir_close(&d);
	}
	ok(bad == 0, "every kind: file name and magic map back to the kind");
	ok(img_kind_by_magic(IMG_COMMON_MAGIC) == -1 && img_kind_by_magic(0) == -1,
	   "img_kind_by_magic: IMG_COMMON and 0 are no kind");
}

int main(void)
{
	log_init(LOG_ERROR, NULL);

	test_pstree_round_trip();
	test_pstree_many();
	test_core_round_trip();
	test_raw();
	test_truncated();
	test_magic();
	test_lengths();
	test_bad_protobuf();
	test_tree_good();
	test_tree_bad();
	test_kind_names();
	return done_testing();
}
