#!/bin/sh
# Installs the Debian packages criu-lite needs to build and test; skips what is there already.
set -e
PKGS="autoconf automake libtool pkg-config make gcc clang libprotobuf-c-dev protobuf-c-compiler
libcap-dev libnl-3-dev libnl-route-3-dev libjson-c-dev libsmartcols-dev bats bats-support
bats-assert criu jq time python3 python3-protobuf procps psmisc util-linux"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "criu-lite: these packages are missing:$missing; run this script as root" >&2
	exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
