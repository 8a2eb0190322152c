#!/bin/sh
# Install what building and testing schedtape needs, from Debian's packages.
# Only missing packages are installed; nothing is done when all are present.
set -e
PKGS="make gcc pkg-config libzstd-dev libelf-dev libdw-dev libdebuginfod-dev binutils xz-utils zlib1g-dev libbpf-dev clang llvm bpftool zstd libclang-rt-14-dev \
libxml2-utils python3 python3-protobuf protobuf-compiler chromium firefox-esr memcached \
help2man debhelper dpkg-dev bash-completion zsh man-db libmemcached-tools time"
# Extra packages may be named on the command line (make bench does).
[ $# -gt 0 ] && PKGS="$*"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing (run 'make deps' as root, or apt-get install them)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends $missing >/dev/null
