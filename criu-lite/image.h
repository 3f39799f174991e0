/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Image files in CRIU's format: one table of kinds, one write path, one read path.
 * A file is [IMG_COMMON] type-magic, then entries: a native u32 length and a packed message,
 * sometimes followed by raw payload. inventory.img has no IMG_COMMON. */
#ifndef CRIU_LITE_IMAGE_H
#define CRIU_LITE_IMAGE_H

#include <protobuf-c/protobuf-c.h>

#include "common.h"

#define IMG_COMMON_MAGIC  0x54564319u
#define IMG_SERVICE_MAGIC 0x55105940u

enum img_kind {
	IMG_INVENTORY,
	IMG_PSTREE,
	IMG_CORE,
	IMG_IDS,
	IMG_MM,
	IMG_PAGEMAP,
	IMG_FDINFO,
	IMG_FILES,
	IMG_FS,
	IMG_PIPES_DATA,
	IMG_TTY_INFO,
	IMG_TTY_DATA,
	IMG_CREDS,
	IMG_SIGACT,
	IMG_PAGES, /* raw: no magic, no framing */
	IMG_KIND_COUNT,
};

struct img_desc {
	const char *name;   /* printf pattern taking one unsigned long, or a plain name */
	uint32_t magic;     /* 0 for raw files */
	bool common_head;   /* preceded by IMG_COMMON */
	const ProtobufCMessageDescriptor *entry;
	const ProtobufCMessageDescriptor *first; /* a different first entry (pagemap's head) */
	const char *payload_field; /* an entry followed by this many raw bytes */
};

const struct img_desc *img_desc(enum img_kind kind);
/* The name crit prints for the kind's magic (CORE). */
const char *img_kind_name(enum img_kind kind);
/* The kind whose magic this is, or -1. */
int img_kind_by_magic(uint32_t magic);
/* The kind a file name has (core-12.img -> IMG_CORE), or -1. */
int img_kind_by_name(const char *name);

struct img;

/* Creates DIR/name (name from the kind's pattern and id) and writes its magics. */
struct img *img_create(int dirfd, enum img_kind kind, unsigned long id);
/* Errors are sticky: the first one is logged, img_close() reports it. */
int img_write(struct img *img, const ProtobufCMessage *msg);
int img_write_raw(struct img *img, const void *buf, size_t len);
/* Flushes and closes; -1 if any write failed. Frees img either way. */
int img_close(struct img *img);

/* Opens an image and checks its magics. Returns NULL (logged) on failure; with optional, a
 * missing file returns NULL with errno ENOENT and logs nothing. */
struct img *img_open(int dirfd, enum img_kind kind, unsigned long id, bool optional);
/* Opens any image by path, recognising its kind by magic. */
struct img *img_open_path(const char *path);
enum img_kind img_kind_of(const struct img *img);
const char *img_name(const struct img *img);
/* Reads the next entry: 1 and *msg set, 0 at a clean end of file, -1 (logged) on a bad file. */
int img_read(struct img *img, const ProtobufCMessageDescriptor *desc, ProtobufCMessage **msg);
/* Reads exactly len raw bytes following an entry. */
int img_read_raw(struct img *img, void *buf, size_t len);
/* Reads the one entry an image holds (pstree excepted): missing or extra entries are errors. */
int img_read_one(int dirfd, enum img_kind kind, unsigned long id, ProtobufCMessage **msg);
void img_free_msg(ProtobufCMessage *msg);

#endif
