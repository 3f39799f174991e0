#!/bin/sh
# Our .proto files against the descriptors of Debian's criu package (what crit decodes with).
desc="${top_builddir:-.}/proto/criu-lite.desc"
if [ ! -f /usr/lib/python3/dist-packages/pycriu/images/pstree_pb2.py ]; then
	echo "1..0 # SKIP Debian's criu package (pycriu) is not installed"
	exit 0
fi
exec /usr/bin/python3 "${top_srcdir:-.}/test/proto-compat.py" "$desc"
