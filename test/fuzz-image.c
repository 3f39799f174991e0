// SPDX-License-Identifier: GPL-2.0-or-later
/* libFuzzer target for the image reader: the input is one image file, opened by magic and
 * decoded entry by entry to JSON, the way `criu-lite show` does. Built with clang and
 * -fsanitize=fuzzer,address,undefined by test/fuzz.sh. */
#include "common.h"
#include "image.h"
#include "json.h"

#include <limits.h>

static char path[PATH_MAX];

static void decode(void)
{
	struct img *img = img_open_path(path);
	const struct img_desc *d;
	ProtobufCMessage *msg;
	size_t n = 0;

	if (!img)
		return;
	if (img_kind_of(img) == IMG_PAGES) {
		img_close(img);
		return;
	}
	d = img_desc(img_kind_of(img));
	for (;;) {
		const ProtobufCMessageDescriptor *desc = d->first && n == 0 ? d->first : d->entry;
		struct json_object *obj;

		if (img_read(img, desc, &msg) <= 0)
			break;
		n++;
		obj = pb_to_json(msg);
		json_object_put(obj);
		img_free_msg(msg);
	}
	img_close(img);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f;

	if (!path[0]) {
		log_init(0, NULL); /* errors are the expected outcome: keep them quiet */
		snprintf(path, sizeof(path), "/tmp/criu-lite-fuzz.%d.img", (int)getpid());
	}
	f = fopen(path, "w");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	decode();
	return 0;
}
