// SPDX-License-Identifier: GPL-2.0-or-later
/* criu-lite show FILE: one image as JSON, {"magic": ..., "entries": [...]}, as crit shows it. */
#include "common.h"
#include "cmd.h"
#include "image.h"
#include "json.h"

#include <sys/stat.h>

static void usage(FILE *out)
{
	fputs("Usage: criu-lite show FILE\n"
	      "Decode one image file (any kind criu-lite writes) to JSON on stdout.\n",
	      out);
}

/* The raw bytes that follow an entry (pipe data) are shown as hex under "extra". */
static int add_payload(struct img *img, const ProtobufCMessage *msg, const char *field,
		       struct json_object *entry)
{
	const ProtobufCFieldDescriptor *f =
		protobuf_c_message_descriptor_get_field_by_name(msg->descriptor, field);
	cleanup_free uint8_t *data = NULL;
	uint32_t len;

	if (!f || f->type != PROTOBUF_C_TYPE_UINT32)
		return 0;
	len = *(const uint32_t *)((const char *)msg + f->offset);
	data = xmalloc(len);
	if (img_read_raw(img, data, len) < 0)
		return -1;
	json_object_object_add(entry, "extra", json_hex(data, len));
	return 0;
}

/* pages-N.img is raw memory: its size says all there is to say. */
static int show_pages(const char *path)
{
	struct json_object *root = json_object_new_object();
	struct stat st;
	int ret;

	if (stat(path, &st) < 0) {
		pr_perror("cannot stat %s", path);
		json_object_put(root);
		return -1;
	}
	json_object_object_add(root, "magic", json_object_new_string("PAGES"));
	json_object_object_add(root, "size", json_object_new_int64(st.st_size));
	json_object_object_add(root, "pages", json_object_new_int64(st.st_size / 4096));
	ret = json_print(root);
	json_object_put(root);
	return ret;
}

static int show_file(const char *path)
{
	struct img *img = img_open_path(path);
	const struct img_desc *d;
	struct json_object *root, *entries;
	ProtobufCMessage *msg;
	int r, ret = -1;

	if (!img)
		return -1;
	if (img_kind_of(img) == IMG_PAGES) {
		img_close(img);
		return show_pages(path);
	}
	d = img_desc(img_kind_of(img));
	root = json_object_new_object();
	entries = json_object_new_array();
	json_object_object_add(root, "magic", json_object_new_string(img_kind_name(img_kind_of(img))));
	json_object_object_add(root, "entries", entries);
	for (;;) {
		const ProtobufCMessageDescriptor *desc =
			d->first && json_object_array_length(entries) == 0 ? d->first : d->entry;
		struct json_object *entry;

		r = img_read(img, desc, &msg);
		if (r <= 0)
			break;
		entry = pb_to_json(msg);
		json_object_array_add(entries, entry);
		if (d->payload_field && add_payload(img, msg, d->payload_field, entry) < 0)
			r = -1;
		img_free_msg(msg);
		if (r < 0)
			break;
	}
	if (r == 0)
		ret = json_print(root);
	json_object_put(root);
	img_close(img);
	return ret;
}

int cmd_show(int argc, char **argv)
{
	static const struct option longopts[] = {COMMON_LONG_OPTS, {NULL, 0, NULL, 0}};
	struct common_opts co = {0};
	int c, r;

	while ((c = getopt_long(argc, argv, COMMON_OPTS, longopts, NULL)) != -1) {
		r = common_option(c, optarg, &co, usage);
		if (r < 0)
			return 1;
	}
	if (optind != argc - 1) {
		usage_error("show needs exactly one FILE");
		return 1;
	}
	if (common_start(&co) < 0)
		return 1;
	return show_file(argv[optind]) == 0 ? 0 : 1;
}
