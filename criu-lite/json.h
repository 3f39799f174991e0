/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Any protobuf-c message as JSON, walking its descriptor (what `criu-lite show` prints). */
#ifndef CRIU_LITE_JSON_H
#define CRIU_LITE_JSON_H

#include <stdint.h>
#include <stddef.h>

#include <json-c/json.h>
#include <protobuf-c/protobuf-c.h>

struct json_object *pb_to_json(const ProtobufCMessage *msg);
/* Bytes as a lowercase hex string. */
struct json_object *json_hex(const uint8_t *data, size_t len);
/* Prints a JSON value to stdout, pretty, with a final newline. */
int json_print(struct json_object *obj);

#endif
