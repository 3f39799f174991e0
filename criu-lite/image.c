// SPDX-License-Identifier: GPL-2.0-or-later
/* The image table and the single read and write paths every image goes through. */
#include "image.h"

#include <sys/stat.h>

#include "core.pb-c.h"
#include "creds.pb-c.h"
#include "fdinfo.pb-c.h"
#include "fs.pb-c.h"
#include "inventory.pb-c.h"
#include "mm.pb-c.h"
#include "pagemap.pb-c.h"
#include "pipe-data.pb-c.h"
#include "pstree.pb-c.h"
#include "sa.pb-c.h"
#include "tty.pb-c.h"

#define IMG_BUF_SIZE  (64 * 1024)
#define MAX_ENTRY_LEN (64u << 20) /* far above any real entry; guards against garbage */

static const struct img_desc img_table[IMG_KIND_COUNT] = {
	[IMG_INVENTORY] = {"inventory.img", 0x58313116, false, &inventory_entry__descriptor},
	[IMG_PSTREE] = {"pstree.img", 0x50273030, true, &pstree_entry__descriptor},
	[IMG_CORE] = {"core-%lu.img", 0x55053847, true, &core_entry__descriptor},
	[IMG_IDS] = {"ids-%lu.img", 0x54432030, true, &task_kobj_ids_entry__descriptor},
	[IMG_MM] = {"mm-%lu.img", 0x57492820, true, &mm_entry__descriptor},
	[IMG_PAGEMAP] = {"pagemap-%lu.img", 0x56084025, true, &pagemap_entry__descriptor,
			 &pagemap_head__descriptor},
	[IMG_FDINFO] = {"fdinfo-%lu.img", 0x56213732, true, &fdinfo_entry__descriptor},
	[IMG_FILES] = {"files.img", 0x56303138, true, &file_entry__descriptor},
	[IMG_FS] = {"fs-%lu.img", 0x51403912, true, &fs_entry__descriptor},
	[IMG_PIPES_DATA] = {"pipes-data.img", 0x56453709, true, &pipe_data_entry__descriptor,
			    NULL, "bytes"},
	[IMG_TTY_INFO] = {"tty-info.img", 0x59453036, true, &tty_info_entry__descriptor},
	[IMG_TTY_DATA] = {"tty-data.img", 0x59413026, true, &tty_data_entry__descriptor},
	[IMG_CREDS] = {"creds-%lu.img", 0x54023547, true, &creds_entry__descriptor},
	[IMG_SIGACT] = {"sigacts-%lu.img", 0x55344201, true, &sa_entry__descriptor},
	[IMG_PAGES] = {"pages-%lu.img", 0, false, NULL},
};

struct img {
	enum img_kind kind;
	int fd;
	bool writing;
	bool failed;
	char name[64];
	/* writing: pending bytes; reading: bytes read ahead, consumed from pos */
	uint8_t *buf;
	size_t len, pos;
	uint64_t file_size, offset; /* reading: where buf[pos] sits in the file */
	unsigned long entries;
};

static const char *const img_kind_names[IMG_KIND_COUNT] = {
	[IMG_INVENTORY] = "INVENTORY",   [IMG_PSTREE] = "PSTREE",     [IMG_CORE] = "CORE",
	[IMG_IDS] = "IDS",               [IMG_MM] = "MM",             [IMG_PAGEMAP] = "PAGEMAP",
	[IMG_FDINFO] = "FDINFO",         [IMG_FILES] = "FILES",       [IMG_FS] = "FS",
	[IMG_PIPES_DATA] = "PIPES_DATA", [IMG_TTY_INFO] = "TTY_INFO", [IMG_TTY_DATA] = "TTY_DATA",
	[IMG_CREDS] = "CREDS",           [IMG_SIGACT] = "SIGACT",     [IMG_PAGES] = "PAGES",
};

const char *img_kind_name(enum img_kind kind)
{
	return img_kind_names[kind];
}

const struct img_desc *img_desc(enum img_kind kind)
{
	return &img_table[kind];
}

int img_kind_by_magic(uint32_t magic)
{
	int k;

	for (k = 0; k < IMG_KIND_COUNT; k++)
		if (img_table[k].magic && img_table[k].magic == magic)
			return k;
	return -1;
}

int img_kind_by_name(const char *name)
{
	int k;

	for (k = 0; k < IMG_KIND_COUNT; k++) {
		const char *pat = img_table[k].name, *arg = strstr(pat, "%lu");
		size_t plen, nlen = strlen(name), slen;
		const char *p;

		if (!arg) {
			if (!strcmp(pat, name))
				return k;
			continue;
		}
		plen = arg - pat;
		slen = strlen(arg + 3);
		if (nlen <= plen + slen || strncmp(name, pat, plen) ||
		    strcmp(name + nlen - slen, arg + 3))
			continue;
		for (p = name + plen; p < name + nlen - slen; p++)
			if (*p < '0' || *p > '9')
				break;
		if (p == name + nlen - slen)
			return k;
	}
	return -1;
}

static void format_name(char *out, size_t size, enum img_kind kind, unsigned long id)
{
	/* The table's patterns are constants with at most one %lu. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(out, size, img_table[kind].name, id);
#pragma GCC diagnostic pop
}

/* ---- writing ---- */

static int flush_buf(struct img *img)
{
	size_t done = 0;

	while (done < img->len && !img->failed) {
		ssize_t n = write(img->fd, img->buf + done, img->len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			pr_perror("cannot write %s", img->name);
			img->failed = true;
		} else {
			done += n;
		}
	}
	img->len = 0;
	return img->failed ? -1 : 0;
}

static int put_bytes(struct img *img, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len && !img->failed) {
		size_t n = IMG_BUF_SIZE - img->len;

		if (n > len)
			n = len;
		memcpy(img->buf + img->len, p, n);
		img->len += n;
		p += n;
		len -= n;
		if (img->len == IMG_BUF_SIZE)
			flush_buf(img);
	}
	return img->failed ? -1 : 0;
}

static int put_u32(struct img *img, uint32_t v)
{
	return put_bytes(img, &v, sizeof(v));
}

struct img *img_create(int dirfd, enum img_kind kind, unsigned long id)
{
	struct img *img = xzalloc(sizeof(*img));
	const struct img_desc *d = &img_table[kind];

	img->kind = kind;
	img->writing = true;
	format_name(img->name, sizeof(img->name), kind, id);
	img->fd = openat(dirfd, img->name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (img->fd < 0) {
		pr_perror("cannot create %s", img->name);
		free(img);
		return NULL;
	}
	img->buf = xmalloc(IMG_BUF_SIZE);
	if (d->common_head)
		put_u32(img, IMG_COMMON_MAGIC);
	if (d->magic)
		put_u32(img, d->magic);
	return img;
}

int img_write(struct img *img, const ProtobufCMessage *msg)
{
	size_t len = protobuf_c_message_get_packed_size(msg);
	uint8_t stack[1024];
	cleanup_free uint8_t *heap = NULL;
	uint8_t *out = stack;

	if (len > sizeof(stack))
		out = heap = xmalloc(len);
	protobuf_c_message_pack(msg, out);
	img->entries++;
	if (put_u32(img, (uint32_t)len) < 0)
		return -1;
	return put_bytes(img, out, len);
}

int img_write_raw(struct img *img, const void *buf, size_t len)
{
	if (len >= IMG_BUF_SIZE) {
		/* Large payloads (pages) skip the copy. */
		if (flush_buf(img) < 0)
			return -1;
		while (len) {
			ssize_t n = write(img->fd, buf, len);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				pr_perror("cannot write %s", img->name);
				img->failed = true;
				return -1;
			}
			buf = (const uint8_t *)buf + n;
			len -= n;
		}
		return 0;
	}
	return put_bytes(img, buf, len);
}

int img_close(struct img *img)
{
	int ret = 0;

	if (!img)
		return 0;
	if (img->writing) {
		flush_buf(img);
		ret = img->failed ? -1 : 0;
	}
	if (close(img->fd) < 0 && img->writing && !img->failed) {
		pr_perror("cannot write %s", img->name);
		ret = -1;
	}
	free(img->buf);
	free(img);
	return ret;
}

/* ---- reading ---- */

/* Makes want bytes available at buf+pos; returns how many are (fewer only at end of file). */
static ssize_t fill(struct img *img, size_t want)
{
	if (img->len - img->pos >= want)
		return want;
	if (img->pos) {
		memmove(img->buf, img->buf + img->pos, img->len - img->pos);
		img->len -= img->pos;
		img->offset += img->pos;
		img->pos = 0;
	}
	if (want > IMG_BUF_SIZE) {
		img->buf = xrealloc(img->buf, want);
	}
	while (img->len < want) {
		size_t room = (want > IMG_BUF_SIZE ? want : IMG_BUF_SIZE) - img->len;
		ssize_t n = read(img->fd, img->buf + img->len, room);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			pr_perror("cannot read %s", img->name);
			return -1;
		}
		if (n == 0)
			break;
		img->len += n;
	}
	return img->len - img->pos < want ? (ssize_t)(img->len - img->pos) : (ssize_t)want;
}

static int get_u32(struct img *img, uint32_t *v, bool eof_ok)
{
	ssize_t n = fill(img, sizeof(*v));

	if (n < 0)
		return -1;
	if (n == 0 && eof_ok)
		return 0;
	if (n < (ssize_t)sizeof(*v)) {
		pr_err("%s is truncated", img->name);
		return -1;
	}
	memcpy(v, img->buf + img->pos, sizeof(*v));
	img->pos += sizeof(*v);
	return 1;
}

static struct img *open_fd(int fd, const char *name)
{
	struct img *img = xzalloc(sizeof(*img));
	struct stat st;

	img->fd = fd;
	snprintf(img->name, sizeof(img->name), "%s", name);
	img->buf = xmalloc(IMG_BUF_SIZE);
	if (fstat(fd, &st) == 0)
		img->file_size = st.st_size;
	return img;
}

static int check_magic(struct img *img)
{
	const struct img_desc *d = &img_table[img->kind];
	uint32_t magic;

	if (!d->magic)
		return 0;
	if (d->common_head) {
		if (get_u32(img, &magic, false) < 0)
			return -1;
		if (magic != IMG_COMMON_MAGIC) {
			pr_err("%s: bad magic 0x%08x (not a CRIU image)", img->name, magic);
			return -1;
		}
	}
	if (get_u32(img, &magic, false) < 0)
		return -1;
	if (magic != d->magic) {
		pr_err("%s: magic 0x%08x, expected 0x%08x", img->name, magic, d->magic);
		return -1;
	}
	return 0;
}

struct img *img_open(int dirfd, enum img_kind kind, unsigned long id, bool optional)
{
	char name[64];
	struct img *img;
	int fd;

	format_name(name, sizeof(name), kind, id);
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (!(optional && errno == ENOENT))
			pr_perror("cannot open %s", name);
		return NULL;
	}
	img = open_fd(fd, name);
	img->kind = kind;
	if (check_magic(img) < 0) {
		img_close(img);
		errno = EINVAL;
		return NULL;
	}
	return img;
}

struct img *img_open_path(const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct img *img;
	uint32_t magic;
	int fd, kind;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		pr_perror("cannot open %s", path);
		return NULL;
	}
	img = open_fd(fd, base);
	if (img_kind_by_name(base) == IMG_PAGES) {
		img->kind = IMG_PAGES;
		return img;
	}
	if (get_u32(img, &magic, false) < 0)
		goto fail;
	if (magic == IMG_COMMON_MAGIC || magic == IMG_SERVICE_MAGIC) {
		if (get_u32(img, &magic, false) < 0)
			goto fail;
		kind = img_kind_by_magic(magic);
		if (kind < 0 || !img_table[kind].common_head)
			kind = -1;
	} else {
		kind = img_kind_by_magic(magic);
		if (kind >= 0 && img_table[kind].common_head)
			kind = -1;
	}
	if (kind < 0) {
		pr_err("%s: unknown image magic 0x%08x", base, magic);
		goto fail;
	}
	img->kind = kind;
	return img;
fail:
	img_close(img);
	return NULL;
}

enum img_kind img_kind_of(const struct img *img)
{
	return img->kind;
}

const char *img_name(const struct img *img)
{
	return img->name;
}

int img_read(struct img *img, const ProtobufCMessageDescriptor *desc, ProtobufCMessage **msg)
{
	uint64_t at = img->offset + img->pos;
	uint32_t len;
	ssize_t n;
	int ret;

	*msg = NULL;
	ret = get_u32(img, &len, true);
	if (ret <= 0)
		return ret;
	if (len > MAX_ENTRY_LEN || (img->file_size && len > img->file_size - at - 4)) {
		pr_err("%s: entry at offset %llu claims %u bytes, more than the file holds",
		       img->name, (unsigned long long)at, len);
		return -1;
	}
	n = fill(img, len);
	if (n < 0)
		return -1;
	if (n < (ssize_t)len) {
		pr_err("%s is truncated at offset %llu", img->name, (unsigned long long)at);
		return -1;
	}
	*msg = protobuf_c_message_unpack(desc, NULL, len, img->buf + img->pos);
	img->pos += len;
	if (!*msg) {
		pr_err("%s: entry at offset %llu is not a valid %s", img->name,
		       (unsigned long long)at, desc->name);
		return -1;
	}
	img->entries++;
	return 1;
}

int img_read_raw(struct img *img, void *buf, size_t len)
{
	uint8_t *out = buf;

	while (len) {
		size_t chunk = len > IMG_BUF_SIZE ? IMG_BUF_SIZE : len;
		ssize_t n = fill(img, chunk);

		if (n < 0)
			return -1;
		if (n < (ssize_t)chunk) {
			pr_err("%s is truncated", img->name);
			return -1;
		}
		memcpy(out, img->buf + img->pos, chunk);
		img->pos += chunk;
		out += chunk;
		len -= chunk;
	}
	return 0;
}

int img_read_one(int dirfd, enum img_kind kind, unsigned long id, ProtobufCMessage **msg)
{
	struct img *img = img_open(dirfd, kind, id, false);
	ProtobufCMessage *extra = NULL;
	int ret;

	*msg = NULL;
	if (!img)
		return -1;
	ret = img_read(img, img_table[kind].entry, msg);
	if (ret == 0)
		pr_err("%s holds no entry", img->name);
	if (ret == 1 && img_read(img, img_table[kind].entry, &extra) != 0) {
		if (extra)
			pr_err("%s holds more than one entry", img->name);
		ret = -1;
	}
	img_free_msg(extra);
	img_close(img);
	if (ret != 1) {
		img_free_msg(*msg);
		*msg = NULL;
		return -1;
	}
	return 0;
}

void img_free_msg(ProtobufCMessage *msg)
{
	if (msg)
		protobuf_c_message_free_unpacked(msg, NULL);
}
