#!/bin/sh
# Installs what is missing, then configures (once) and builds criu-lite in the source tree.
set -e
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
[ -x configure ] || ./autogen.sh >/dev/null
[ -f Makefile ] || ./configure -q ${CONFIGURE_FLAGS:-}
make -s -j"$(nproc)"
