#!/usr/bin/env bash
# Puts the uAPI headers the project generates from into .uapi/ (ignored by git), for every kernel
# series of scripts/kernels.conf: .uapi/<series>/ (e.g. .uapi/6.12/, .uapi/7.3/), with .uapi/<role>
# (lts, stable) linking to its series. The headers come from the Debian linux-source tarballs
# scripts/kernel-source.sh fetches, the same sources the test kernels are built from; nothing of the
# kernel is committed. Extracted headers are cached per package version. .uapi/VERSION, written
# last, lists "role series package version" per series.
# MSBuild reads .uapi/$(UapiKernelSeries)/ (default lts) through $(UapiHeadersDir).
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dest="${UAPI_HEADERS_DIR:-$repo_root/.uapi}"
cache_root="${IOMMUFD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/iommufd-conformance}"
kernel_source="$repo_root/scripts/kernel-source.sh"

# The headers this project consumes, as paths inside the kernel tree. <linux/types.h> and
# <linux/ioctl.h> are not among them: the generator knows their types and macros itself.
members=(
  include/uapi/linux/iommufd.h
  include/uapi/linux/vfio.h
  include/uapi/linux/userfaultfd.h
  drivers/iommu/iommufd/iommufd_test.h
)

say() { echo "fetch-uapi-headers: $*" >&2; }

"$repo_root/scripts/install-packages.sh" sources

# Extracts the members of one series' tarball into the cache once; prints the cache folder.
cached_headers() {
  local series="$1" package="$2" tarball version cache
  tarball=$("$kernel_source" "$series" | tail -n 1)
  version=$("$kernel_source" "$series" --cached-version)
  cache="$cache_root/uapi/${package}_$version"
  if [ ! -f "$cache/.complete" ]; then
    say "extracting headers of $package $version"
    rm -rf "$cache" && mkdir -p "$cache"
    tar -xJf "$tarball" -C "$cache" --strip-components=1 "${members[@]/#/$package/}"
    echo "$package $version" > "$cache/.complete"
  fi
  echo "$cache"
}

rm -rf "$dest" && mkdir -p "$dest"
listing=""
while read -r role series package; do
  cache=$(cached_headers "$series" "$package")
  mkdir -p "$dest/$series"
  cp -r "$cache"/include "$cache"/drivers "$dest/$series"/
  cp "$cache/.complete" "$dest/$series/VERSION"
  ln -sfn "$series" "$dest/$role"
  listing+="$role $series $(cat "$cache/.complete")"$'\n'
  say "headers of $series ($role, $(cat "$cache/.complete")) in $dest/$series"
done < <("$kernel_source" --list)
printf '%s' "$listing" > "$dest/VERSION"
