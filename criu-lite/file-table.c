// SPDX-License-Identifier: GPL-2.0-or-later
/* The registry of files.img entries. Regular files are found again by (name, flags, pos) through
 * a small open-addressing hash, so that a tree of many processes mapping the same libraries
 * costs one entry per library, not one per mapping. */
#include "file-table.h"

#include "image.h"

uint32_t file_table_add(struct file_table *ft, FileEntry *fe)
{
	uint32_t id;

	if (ft->nr == ft->cap) {
		ft->cap = ft->cap ? ft->cap * 2 : 64;
		ft->entries = xrealloc(ft->entries, ft->cap * sizeof(*ft->entries));
	}
	ft->entries[ft->nr++] = fe;
	id = (uint32_t)ft->nr;
	fe->id = id;
	if (fe->reg)
		fe->reg->id = id;
	if (fe->isk)
		fe->isk->id = id;
	if (fe->usk)
		fe->usk->id = id;
	if (fe->fifo)
		fe->fifo->id = id;
	if (fe->pipe)
		fe->pipe->id = id;
	if (fe->tty)
		fe->tty->id = id;
	return id;
}

/* FNV-1a over the name, then the flags and the position. */
static uint32_t reg_hash(const char *name, uint32_t flags, uint64_t pos)
{
	uint32_t h = 2166136261u;
	const unsigned char *p;
	int i;

	for (p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 16777619u;
	for (i = 0; i < 4; i++)
		h = (h ^ ((flags >> (8 * i)) & 0xff)) * 16777619u;
	for (i = 0; i < 8; i++)
		h = (h ^ ((pos >> (8 * i)) & 0xff)) * 16777619u;
	return h;
}

static bool reg_matches(const FileEntry *fe, const char *name, uint32_t flags, uint64_t pos)
{
	return fe->reg->flags == flags && fe->reg->pos == pos && !strcmp(fe->reg->name, name);
}

/* The slot that holds (name, flags, pos), or the free slot where it belongs. */
static size_t reg_slot(const struct file_table *ft, const char *name, uint32_t flags, uint64_t pos)
{
	size_t mask = ft->reg_cap - 1, i = reg_hash(name, flags, pos) & mask;

	while (ft->reg_slots[i] &&
	       !reg_matches(ft->entries[ft->reg_slots[i] - 1], name, flags, pos))
		i = (i + 1) & mask;
	return i;
}

static void reg_grow(struct file_table *ft)
{
	uint32_t *old = ft->reg_slots;
	size_t old_cap = ft->reg_cap, i;

	ft->reg_cap = old_cap ? old_cap * 2 : 64;
	ft->reg_slots = xzalloc(ft->reg_cap * sizeof(*ft->reg_slots));
	for (i = 0; i < old_cap; i++) {
		const RegFileEntry *r;

		if (!old[i])
			continue;
		r = ft->entries[old[i] - 1]->reg;
		ft->reg_slots[reg_slot(ft, r->name, r->flags, r->pos)] = old[i];
	}
	free(old);
}

uint32_t file_table_new_reg(struct file_table *ft, const char *path, uint32_t flags, uint64_t pos,
			    uint32_t mode, uint64_t size)
{
	FileEntry *fe = xmalloc(sizeof(*fe));
	RegFileEntry *reg = xmalloc(sizeof(*reg));
	FownEntry *fown = xmalloc(sizeof(*fown));

	file_entry__init(fe);
	reg_file_entry__init(reg);
	fown_entry__init(fown); /* required; the SIGIO owner cannot be read from outside: none */
	fe->type = FD_TYPES__REG;
	fe->reg = reg;
	reg->flags = flags;
	reg->pos = pos;
	reg->fown = fown;
	reg->name = xstrdup(path);
	reg->has_size = true;
	reg->size = size;
	reg->has_mode = true;
	reg->mode = mode;
	return file_table_add(ft, fe);
}

uint32_t file_table_add_reg(struct file_table *ft, const char *path, uint32_t flags, uint64_t pos,
			    uint32_t mode, uint64_t size)
{
	size_t slot;

	if ((ft->reg_nr + 1) * 2 > ft->reg_cap)
		reg_grow(ft);
	slot = reg_slot(ft, path, flags, pos);
	if (ft->reg_slots[slot])
		return ft->reg_slots[slot];
	ft->reg_slots[slot] = file_table_new_reg(ft, path, flags, pos, mode, size);
	ft->reg_nr++;
	return ft->reg_slots[slot];
}

int file_table_write(int dirfd, const struct file_table *ft)
{
	struct img *img = img_create(dirfd, IMG_FILES, 0);
	size_t i;

	if (!img)
		return -1;
	for (i = 0; i < ft->nr; i++)
		if (img_write(img, &ft->entries[i]->base) < 0)
			break;
	return img_close(img);
}

void file_table_free(struct file_table *ft)
{
	size_t i;

	for (i = 0; i < ft->nr; i++)
		protobuf_c_message_free_unpacked(&ft->entries[i]->base, NULL);
	free(ft->entries);
	free(ft->reg_slots);
	*ft = (struct file_table)FILE_TABLE_INIT;
}
