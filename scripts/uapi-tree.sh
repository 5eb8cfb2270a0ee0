#!/usr/bin/env bash
# Installs the uAPI headers of one kernel series for one architecture as userspace gets them
# (`make headers_install`) and prints the tree's path (last stdout line). Only the parts of the
# Debian linux-source tarball that headers_install reads are unpacked; trees are cached per
# package version and architecture. Nothing of the kernel lands in the repository.
#
# Usage: uapi-tree.sh SERIES ARCH     e.g. uapi-tree.sh 7.3 arm64   (ARCH as the kernel names it)
# Env:   IOMMUFD_CACHE_DIR (default ~/.cache/iommufd-conformance)
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: uapi-tree.sh SERIES ARCH" >&2; exit 64; }
series=$1 arch=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache_root="${IOMMUFD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/iommufd-conformance}"

tarball=$("$here/kernel-source.sh" "$series" | tail -n 1)
version=$("$here/kernel-source.sh" "$series" --version)
tree="$cache_root/uapi-tree/$version/$arch"
if [ ! -f "$tree/.complete" ]; then
  src="$cache_root/uapi-tree/$version/source"
  if [ ! -f "$src/.complete" ]; then
    echo "uapi-tree: unpacking the headers_install inputs of $(basename "$tarball")" >&2
    rm -rf "$src" && mkdir -p "$src"
    # headers_install reads the top Makefile, scripts/, include/ and arch/*/ (uapi headers,
    # syscall tables); the driver, filesystem and network sources are not needed.
    # Top-level folders only; tools/ stays: 6.12's x86 archscripts build arch/x86/tools with it.
    tar -xf "$tarball" -C "$src" --strip-components=1 --wildcards --anchored --no-wildcards-match-slash \
      --exclude='*/drivers' --exclude='*/fs' --exclude='*/net' --exclude='*/sound' \
      --exclude='*/Documentation' --exclude='*/samples' --exclude='*/rust' \
      --exclude='*/lib' --exclude='*/mm' --exclude='*/kernel' --exclude='*/crypto'
    touch "$src/.complete"
  fi
  echo "uapi-tree: make headers_install ARCH=$arch" >&2
  rm -rf "$tree" "$tree.build"
  make -s -C "$src" O="$tree.build" ARCH="$arch" INSTALL_HDR_PATH="$tree" headers_install >&2
  rm -rf "$tree.build"
  touch "$tree/.complete"
fi
echo "$tree"
