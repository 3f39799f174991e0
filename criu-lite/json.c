// SPDX-License-Identifier: GPL-2.0-or-later
#include "common.h"
#include "json.h"

static size_t scalar_size(ProtobufCType type)
{
	switch (type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
	case PROTOBUF_C_TYPE_FLOAT:
	case PROTOBUF_C_TYPE_ENUM:
		return 4;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
	case PROTOBUF_C_TYPE_DOUBLE:
		return 8;
	case PROTOBUF_C_TYPE_BOOL:
		return sizeof(protobuf_c_boolean);
	case PROTOBUF_C_TYPE_STRING:
	case PROTOBUF_C_TYPE_MESSAGE:
		return sizeof(void *);
	case PROTOBUF_C_TYPE_BYTES:
		return sizeof(ProtobufCBinaryData);
	}
	return 0;
}

struct json_object *json_hex(const uint8_t *data, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	char *s = xmalloc(len * 2 + 1);
	struct json_object *obj;
	size_t i;

	for (i = 0; i < len; i++) {
		s[2 * i] = digits[data[i] >> 4];
		s[2 * i + 1] = digits[data[i] & 15];
	}
	s[2 * len] = 0;
	obj = json_object_new_string(s);
	free(s);
	return obj;
}

static struct json_object *value_to_json(const ProtobufCFieldDescriptor *f, const void *p)
{
	const ProtobufCEnumValue *ev;

	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
		return json_object_new_int64(*(const int32_t *)p);
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		return json_object_new_int64(*(const uint32_t *)p);
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
		return json_object_new_int64(*(const int64_t *)p);
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		return json_object_new_uint64(*(const uint64_t *)p);
	case PROTOBUF_C_TYPE_FLOAT:
		return json_object_new_double(*(const float *)p);
	case PROTOBUF_C_TYPE_DOUBLE:
		return json_object_new_double(*(const double *)p);
	case PROTOBUF_C_TYPE_BOOL:
		return json_object_new_boolean(*(const protobuf_c_boolean *)p);
	case PROTOBUF_C_TYPE_ENUM:
		ev = protobuf_c_enum_descriptor_get_value(f->descriptor, *(const int *)p);
		return ev ? json_object_new_string(ev->name) : json_object_new_int(*(const int *)p);
	case PROTOBUF_C_TYPE_STRING:
		return json_object_new_string(*(char *const *)p ? *(char *const *)p : "");
	case PROTOBUF_C_TYPE_BYTES:
		return json_hex(((const ProtobufCBinaryData *)p)->data,
				((const ProtobufCBinaryData *)p)->len);
	case PROTOBUF_C_TYPE_MESSAGE:
		return pb_to_json(*(ProtobufCMessage *const *)p);
	}
	return NULL;
}

/* Whether an optional field was present on the wire. */
static bool field_present(const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *f)
{
	const char *base = (const char *)msg;

	if (f->label == PROTOBUF_C_LABEL_REQUIRED)
		return true;
	if (f->type == PROTOBUF_C_TYPE_MESSAGE || f->type == PROTOBUF_C_TYPE_STRING) {
		const void *ptr = *(void *const *)(base + f->offset);

		return ptr && ptr != f->default_value;
	}
	if (f->quantifier_offset)
		return *(const protobuf_c_boolean *)(base + f->quantifier_offset);
	return true;
}

struct json_object *pb_to_json(const ProtobufCMessage *msg)
{
	const ProtobufCMessageDescriptor *d = msg->descriptor;
	struct json_object *obj = json_object_new_object();
	const char *base = (const char *)msg;
	unsigned int i;

	for (i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];

		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n = *(const size_t *)(base + f->quantifier_offset), j;
			const char *arr = *(char *const *)(base + f->offset);
			struct json_object *list;

			if (!n)
				continue;
			list = json_object_new_array_ext((int)n);
			for (j = 0; j < n; j++)
				json_object_array_add(list,
						      value_to_json(f, arr + j * scalar_size(f->type)));
			json_object_object_add(obj, f->name, list);
		} else if (field_present(msg, f)) {
			json_object_object_add(obj, f->name, value_to_json(f, base + f->offset));
		}
	}
	return obj;
}

int json_print(struct json_object *obj)
{
	const char *s = json_object_to_json_string_ext(
		obj, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);

	if (puts(s) == EOF)
		return -1;
	return 0;
}
