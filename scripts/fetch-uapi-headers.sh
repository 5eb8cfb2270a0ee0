#!/usr/bin/env bash
# Puts the Linux 6.12 uAPI headers the project generates from into .uapi/ (ignored by git).
# They come from Debian's linux-source-6.12 package, the same source the test kernel is built
# from; nothing of the kernel is committed. Extracted headers are cached per source version.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dest="${UAPI_HEADERS_DIR:-$repo_root/.uapi}"
tarball=/usr/src/linux-source-6.12.tar.xz
cache_root="${IOMMUFD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/iommufd-conformance}"

# The headers this project consumes, as paths inside the kernel tree. <linux/types.h> and
# <linux/ioctl.h> are not among them: the generator knows their types and macros itself.
members=(
  include/uapi/linux/iommufd.h
  include/uapi/linux/vfio.h
  include/uapi/linux/userfaultfd.h
  drivers/iommu/iommufd/iommufd_test.h
)

if [ ! -f "$tarball" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "fetch-uapi-headers: $tarball is missing; run as root or: sudo apt-get install linux-source-6.12" >&2
    exit 1
  fi
  echo "fetch-uapi-headers: installing Debian's linux-source-6.12" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq linux-source-6.12 >/dev/null
fi

version=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null || stat -c %Y "$tarball")
cache="$cache_root/uapi/$version"
if [ ! -f "$cache/.complete" ]; then
  echo "fetch-uapi-headers: extracting headers of linux-source-6.12 $version" >&2
  rm -rf "$cache" && mkdir -p "$cache"
  top=linux-source-6.12
  tar -xJf "$tarball" -C "$cache" --strip-components=1 "${members[@]/#/$top/}"
  echo "$version" > "$cache/.complete"
fi

rm -rf "$dest" && mkdir -p "$dest"
cp -r "$cache"/include "$cache"/drivers "$dest"/
echo "linux-source-6.12 $version" > "$dest/VERSION"
echo "fetch-uapi-headers: headers of 6.12 ($version) in $dest" >&2
