#!/usr/bin/python3
"""Check criu-lite's .proto schemas against CRIU's own descriptors.

Usage:
    protoc-c --include_imports --descriptor_set_out=FILE -Iproto proto/*.proto
    /usr/bin/python3 test/proto-compat.py FILE

The reference is Debian's criu package (Python module pycriu.images, one
*_pb2 module per CRIU .proto). For every message and enum that our
schemas define, the same-named one in CRIU must agree with it:

  message: each of our fields exists in CRIU with the same number, type
           (and enum/message type name), label, default and packed option;
           each field CRIU marks `required` exists in ours.
  enum:    the same value names with the same numbers.

Every file must be proto2 without a package, so that names (and with them
crit's JSON keys) match CRIU's.

Output is TAP, one test per message and per enum; exit status is 1 when
any test fails, 2 when the check cannot run at all.
"""

import glob
import importlib
import os
import sys

from google.protobuf import descriptor_pb2

FDP = descriptor_pb2.FieldDescriptorProto
TYPE_NAMES = {v: k[len("TYPE_"):].lower()
              for k, v in FDP.__dict__.items() if k.startswith("TYPE_")}
LABEL_NAMES = {v: k[len("LABEL_"):].lower()
               for k, v in FDP.__dict__.items() if k.startswith("LABEL_")}


def bail(msg):
    print("Bail out! " + msg)
    sys.exit(2)


def collect(file_protos):
    """Index messages and enums of FileDescriptorProtos by full name.

    Returns (messages, enums, origin): name -> DescriptorProto,
    name -> EnumDescriptorProto, name -> FileDescriptorProto.
    Full names carry the package, if any, and no leading dot.
    """
    messages, enums, origin = {}, {}, {}

    def walk(fp, prefix, msg_list, enum_list):
        for e in enum_list:
            name = prefix + e.name
            enums[name] = e
            origin[name] = fp
        for m in msg_list:
            name = prefix + m.name
            messages[name] = m
            origin[name] = fp
            walk(fp, name + ".", m.nested_type, m.enum_type)

    for fp in file_protos:
        prefix = fp.package + "." if fp.package else ""
        walk(fp, prefix, fp.message_type, fp.enum_type)
    return messages, enums, origin


def load_ours(path):
    fds = descriptor_pb2.FileDescriptorSet()
    try:
        with open(path, "rb") as f:
            fds.ParseFromString(f.read())
    except Exception as e:  # unreadable or not a FileDescriptorSet
        bail("cannot read descriptor set %s: %s" % (path, e))
    if not fds.file:
        bail("descriptor set %s holds no files" % path)
    return list(fds.file)


def load_criu():
    try:
        pkg = importlib.import_module("pycriu.images")
    except ImportError as e:
        bail("pycriu.images not importable (run with /usr/bin/python3, "
             "Debian package criu): %s" % e)
    files = {}
    for mod_path in sorted(glob.glob(os.path.join(
            os.path.dirname(pkg.__file__), "*_pb2.py"))):
        mod_name = os.path.basename(mod_path)[:-len(".py")]
        try:
            mod = importlib.import_module("pycriu.images." + mod_name)
        except Exception as e:
            bail("cannot import pycriu.images.%s: %s" % (mod_name, e))
        fp = descriptor_pb2.FileDescriptorProto()
        mod.DESCRIPTOR.CopyToProto(fp)
        files[fp.name] = fp
    if not files:
        bail("no *_pb2 modules found in pycriu.images")
    return list(files.values())


def type_str(f):
    """Readable type: scalar name, or `message X` / `enum X`."""
    if f.type in (FDP.TYPE_MESSAGE, FDP.TYPE_ENUM, FDP.TYPE_GROUP):
        return "%s %s" % (TYPE_NAMES[f.type], f.type_name.lstrip("."))
    return TYPE_NAMES[f.type]


def default_str(f):
    return repr(f.default_value) if f.HasField("default_value") else "none"


def packed_str(f):
    if f.options.HasField("packed"):
        return "packed=%s" % str(f.options.packed).lower()
    return "packed unset"


def check_file(fp):
    """Problems with how a file of ours is declared."""
    problems = []
    if fp.syntax not in ("", "proto2"):
        problems.append("%s: syntax %s, want proto2" % (fp.name, fp.syntax))
    if fp.package:
        problems.append("%s: has package %s, want none"
                        % (fp.name, fp.package))
    return problems


def check_message(name, ours, theirs):
    problems = []
    by_name = {f.name: f for f in theirs.field}
    by_number = {f.number: f for f in theirs.field}

    for f in ours.field:
        ref = by_name.get(f.name)
        if ref is None:
            other = by_number.get(f.number)
            hint = (" (CRIU's field %d is %s)" % (f.number, other.name)
                    if other is not None else "")
            problems.append("field %s not in CRIU%s" % (f.name, hint))
            continue
        if f.number != ref.number:
            problems.append("field %s: number %d, CRIU %d"
                            % (f.name, f.number, ref.number))
        if type_str(f) != type_str(ref):
            problems.append("field %s: type %s, CRIU %s"
                            % (f.name, type_str(f), type_str(ref)))
        if f.label != ref.label:
            problems.append("field %s: label %s, CRIU %s"
                            % (f.name, LABEL_NAMES[f.label],
                               LABEL_NAMES[ref.label]))
        if default_str(f) != default_str(ref):
            problems.append("field %s: default %s, CRIU %s"
                            % (f.name, default_str(f), default_str(ref)))
        if packed_str(f) != packed_str(ref):
            problems.append("field %s: %s, CRIU %s"
                            % (f.name, packed_str(f), packed_str(ref)))

    our_names = {f.name for f in ours.field}
    for ref in theirs.field:
        if ref.label == FDP.LABEL_REQUIRED and ref.name not in our_names:
            problems.append("required field %s = %d missing"
                            % (ref.name, ref.number))

    our_numbers = {}
    for f in ours.field:
        if f.number in our_numbers:
            problems.append("fields %s and %s share number %d"
                            % (our_numbers[f.number], f.name, f.number))
        our_numbers[f.number] = f.name
    return problems


def check_enum(name, ours, theirs):
    problems = []
    mine = {v.name: v.number for v in ours.value}
    ref = {v.name: v.number for v in theirs.value}
    for vname, num in sorted(mine.items(), key=lambda kv: kv[1]):
        if vname not in ref:
            problems.append("value %s = %d not in CRIU" % (vname, num))
        elif ref[vname] != num:
            problems.append("value %s = %d, CRIU %d"
                            % (vname, num, ref[vname]))
    for vname, num in sorted(ref.items(), key=lambda kv: kv[1]):
        if vname not in mine:
            problems.append("value %s = %d missing" % (vname, num))
    return problems


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: %s DESCRIPTOR_SET\n" % sys.argv[0])
        return 2

    our_files = load_ours(sys.argv[1])
    our_msgs, our_enums, our_origin = collect(our_files)
    criu_msgs, criu_enums, _ = collect(load_criu())

    file_problems = {fp.name: check_file(fp) for fp in our_files}

    tests = []  # (description, [problems])
    for name in sorted(our_msgs):
        problems = list(file_problems[our_origin[name].name])
        if name not in criu_msgs:
            problems.append("no message of that name in CRIU")
        else:
            problems += check_message(name, our_msgs[name], criu_msgs[name])
        tests.append((name, problems))
    for name in sorted(our_enums):
        problems = list(file_problems[our_origin[name].name])
        if name not in criu_enums:
            problems.append("no enum of that name in CRIU")
        else:
            problems += check_enum(name, our_enums[name], criu_enums[name])
        tests.append(("enum " + name, problems))

    print("1..%d" % len(tests))
    failed = 0
    for i, (desc, problems) in enumerate(tests, 1):
        if problems:
            failed += 1
            print("not ok %d - %s: %s" % (i, desc, "; ".join(problems)))
        else:
            print("ok %d - %s" % (i, desc))
    if failed:
        print("# %d of %d failed" % (failed, len(tests)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
