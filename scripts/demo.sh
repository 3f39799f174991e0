#!/bin/sh
# First README command: install, build, and run the demo (dump a tree of real programs).
set -e
cd "$(dirname "$0")/.."
sh scripts/build.sh
exec sh scripts/demo-tree.sh
