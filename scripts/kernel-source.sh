#!/usr/bin/env bash
# Fetches the Debian linux-source tarball of one kernel series named in scripts/kernels.conf and
# prints its path (last stdout line). The package is downloaded with an apt configuration of the
# project's own (its own sources file and lists folder, signed by the Debian archive keyring), so
# the host's apt sources are neither read nor changed. Tarballs are cached per package version.
#
# Usage: kernel-source.sh SERIES|ROLE            fetch if needed, print the tarball's path
#        kernel-source.sh SERIES|ROLE --version  print the Debian package version only
#        kernel-source.sh SERIES|ROLE --cached-version
#                                                the same from the package lists as they are: no network,
#                                                exit 1 when they were never fetched (cache-key lookups)
#        kernel-source.sh --list                 print "role series package" per configured kernel
# Env:   IOMMUFD_CACHE_DIR (default ~/.cache/iommufd-conformance)
#        IOMMUFD_APT_MAX_AGE  seconds before the package lists are refreshed (default 86400)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
conf="$here/kernels.conf"
cache_root="${IOMMUFD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/iommufd-conformance}"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
max_age="${IOMMUFD_APT_MAX_AGE:-86400}"

say() { echo "kernel-source: $*" >&2; }
die() { say "error: $*"; exit 1; }

configured() { grep -Ev '^[[:space:]]*(#|$)' "$conf"; }

# Sets role, series, package, archive, suite for the line whose role or series is $1.
select_kernel() {
  local line
  line=$(configured | awk -v k="$1" '$1 == k || $2 == k' | head -n 1)
  [ -n "$line" ] || die "no kernel '$1' in $conf (known: $(configured | awk '{printf "%s ", $2}'))"
  read -r role series package archive suite <<<"$line"
}

# Refreshes the project's own package lists for this suite when they are missing or old.
apt_options() {
  local dir="$cache_root/apt/$suite"
  mkdir -p "$dir/lists/partial"
  echo "deb [signed-by=$keyring] $archive $suite main" > "$dir/sources.list"
  echo "-o Dir::Etc::SourceList=$dir/sources.list -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists=$dir/lists -o Dir::Cache=$dir/cache -o Debug::NoLocking=1 -o APT::Sandbox::User=root"
}

refresh_lists() {
  local dir="$cache_root/apt/$suite" stamp
  stamp="$dir/lists/.updated"
  if [ -f "$stamp" ] && [ $(( $(date +%s) - $(stat -c %Y "$stamp") )) -lt "$max_age" ]; then return 0; fi
  [ -f "$keyring" ] || die "$keyring is missing (Debian's debian-archive-keyring package)"
  say "updating the package lists of $suite (own apt configuration in $dir)"
  mkdir -p "$dir/cache/archives/partial"
  # shellcheck disable=SC2046
  apt-get $(apt_options) update -qq >&2 || die "apt-get update of $suite failed"
  touch "$stamp"
}

candidate_version() {
  # shellcheck disable=SC2046
  apt-cache $(apt_options) policy "$package" 2>/dev/null | awk '/Candidate:/ { print $2 }'
}

main() {
  [ "${1:-}" = --list ] && { configured | awk '{ print $1, $2, $3 }'; return; }
  [ $# -ge 1 ] || die "usage: kernel-source.sh SERIES|ROLE [--version] | --list"
  select_kernel "$1"
  if [ "${2:-}" = --cached-version ]; then
    [ -f "$cache_root/apt/$suite/lists/.updated" ] || die "the package lists of $suite were never fetched (run: kernel-source.sh $series)"
  else
    refresh_lists
  fi
  local version
  version=$(candidate_version)
  [ -n "$version" ] && [ "$version" != "(none)" ] || die "$suite does not serve $package"
  case "${2:-}" in --version|--cached-version) echo "$version"; return ;; esac

  local dir="$cache_root/source/${package}_$version"
  local tarball="$dir/$package.tar.xz"
  if [ ! -f "$tarball" ]; then
    local work
    work=$(mktemp -d "$cache_root/source/.fetch.XXXXXX" 2>/dev/null || { mkdir -p "$cache_root/source"; mktemp -d "$cache_root/source/.fetch.XXXXXX"; })
    say "downloading $package $version from $suite"
    # shellcheck disable=SC2046
    ( cd "$work" && apt-get $(apt_options) download "$package=$version" >&2 ) || { rm -rf "$work"; die "apt-get download $package=$version failed"; }
    dpkg-deb --fsys-tarfile "$work"/*.deb | tar -x -C "$work" "./usr/src/$package.tar.xz" \
      || { rm -rf "$work"; die "no usr/src/$package.tar.xz in the package"; }
    mkdir -p "$dir" && mv "$work/usr/src/$package.tar.xz" "$tarball" && rm -rf "$work"
  fi
  echo "$tarball"
}

main "$@"
