#!/usr/bin/env bash
# Builds (or finds in the cache) the arm64 guest's root file system: Debian's arm64 C and C++
# runtime (what a self-contained linux-arm64 .NET program links against; InvariantGlobalization, so
# no ICU) and busybox as /bin/sh and the few tools the VM's init script runs. The guest mounts it
# read-only over 9p as its root. Packages come from Debian with an apt configuration of the project's
# own (its own sources file and lists folder, arm64 only, signed by the Debian archive keyring): the
# host's apt sources and dpkg architectures are neither read nor changed. Progress goes to stderr;
# the last stdout line is the root folder.
#
# Cache: ${IOMMUFD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/iommufd-conformance}/userland/arm64-<key>/
#   root/ and packages.txt. <key> is the SHA-256 of "<package>=<version>" per package and
#   "script=<sha256 of this file>", so a new Debian upload or a change here builds a new root.
#
# Usage: arm64-userland.sh            build if not cached, print the root folder
#        arm64-userland.sh --locate   print it if cached, else exit 1 (no network)
#        arm64-userland.sh --key      print the cache key (no network)
# Env:   IOMMUFD_CACHE_DIR, IOMMUFD_APT_MAX_AGE (seconds before the lists are refreshed, default 86400)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
script="$here/$(basename "${BASH_SOURCE[0]}")"
cache_root="${IOMMUFD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/iommufd-conformance}"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
max_age="${IOMMUFD_APT_MAX_AGE:-86400}"
archive=http://deb.debian.org/debian
suite=bookworm
apt_dir="$cache_root/apt/$suite-arm64"
packages=(libc6 libgcc-s1 libstdc++6 zlib1g busybox-static)
# The busybox applets the init script (testing/IommuFd.TestVm/InitScript.cs) and the guest command run.
# (Debian's busybox-static has no mountpoint applet: the init script's check of /dev then falls back
# to mounting devtmpfs, which the kernel mounted already.)
applets=(sh mount umount mkdir cat echo ls ip ifconfig dmesg sync sleep uname env rm cp tail head grep sed date)

say() { echo "arm64-userland: $*" >&2; }
die() { say "error: $*"; exit 1; }

apt_options() {
  echo "-o Dir::Etc::SourceList=$apt_dir/sources.list -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists=$apt_dir/lists -o Dir::Cache=$apt_dir/cache -o APT::Architecture=arm64 -o APT::Architectures=arm64 -o Debug::NoLocking=1 -o APT::Sandbox::User=root"
}

refresh_lists() {
  local stamp="$apt_dir/lists/.updated"
  if [ -f "$stamp" ] && [ $(( $(date +%s) - $(stat -c %Y "$stamp") )) -lt "$max_age" ]; then return 0; fi
  [ -f "$keyring" ] || die "$keyring is missing (Debian's debian-archive-keyring package)"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
  echo "deb [arch=arm64 signed-by=$keyring] $archive $suite main" > "$apt_dir/sources.list"
  say "updating the arm64 package lists of $suite (own apt configuration in $apt_dir)"
  # shellcheck disable=SC2046
  apt-get $(apt_options) update -qq >&2 || die "apt-get update of $suite (arm64) failed"
  touch "$stamp"
}

# "<package>=<version>" per package, from the lists as they are.
versions() {
  [ -f "$apt_dir/lists/.updated" ] || die "the arm64 package lists were never fetched (run: arm64-userland.sh)"
  local p v
  for p in "${packages[@]}"; do
    # shellcheck disable=SC2046
    v=$(apt-cache $(apt_options) policy "$p:arm64" 2>/dev/null | awk '/Candidate:/ { print $2 }')
    [ -n "$v" ] && [ "$v" != "(none)" ] || die "$suite serves no arm64 $p"
    echo "$p=$v"
  done
}

cache_key() { { versions; echo "script=$(sha256sum "$script" | cut -d' ' -f1)"; } | sha256sum | cut -d' ' -f1; }

build() {
  local out="$1" work
  work=$(mktemp -d "$cache_root/userland/.build.XXXXXX")
  mkdir -p "$work/debs" "$work/root"
  say "downloading ${packages[*]} (arm64, $suite)"
  # shellcheck disable=SC2046
  ( cd "$work/debs" && apt-get $(apt_options) download $(versions | sed 's/=/:arm64=/') >&2 ) \
    || { rm -rf "$work"; die "apt-get download failed"; }
  local deb
  for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$work/root"; done
  local root="$work/root" applet
  for applet in "${applets[@]}"; do
    [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
  done
  # Mount points of the read-only root; the init script mounts over each.
  mkdir -p "$root"/{proc,sys,dev,run,tmp,opt/iommufd,root,sbin}
  # PID 1 (init= of the kernel command line; GuestPaths.Bootstrap): the init script of each run is
  # written by the host into the out share, which this mounts first. It runs from a copy in /run,
  # so that the script can unmount the share at the end.
  cat > "$root/sbin/iommufd-vm-init" <<'INIT'
#!/bin/sh
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /run/out
mount -t 9p -o trans=virtio,version=9p2000.L,msize=1048576 out /run/out && cp /run/out/init.sh /run/init.sh \
  && exec /bin/sh /run/init.sh
echo 'IOMMUFD-VM: cannot mount the out share or read its init.sh'
echo o > /proc/sysrq-trigger 2>/dev/null || { mount -t proc proc /proc && echo o > /proc/sysrq-trigger; }
INIT
  chmod 755 "$root/sbin/iommufd-vm-init"
  versions > "$work/packages.txt"
  rm -rf "$work/debs" "$out" && mv "$work" "$out"
}

main() {
  local action=build
  case "${1:-}" in
    --locate) action=locate ;;
    --key) action=key ;;
    "") ;;
    *) die "usage: arm64-userland.sh [--locate|--key]" ;;
  esac
  case "$action" in
    key) cache_key; return ;;
    locate)
      local root
      root="$cache_root/userland/arm64-$(cache_key)/root"
      [ -x "$root/bin/busybox" ] && { echo "$root"; return 0; }
      return 1 ;;
  esac
  "$here/install-packages.sh" sources arm64 >&2 || die "the packages this script needs are missing (see above)"
  refresh_lists
  local out
  out="$cache_root/userland/arm64-$(cache_key)"
  mkdir -p "$cache_root/userland"
  exec 9>"$cache_root/userland/.lock"
  flock 9
  if [ -x "$out/root/bin/busybox" ]; then say "cached ($out)"; else build "$out"; say "built $out"; fi
  echo "$out/root"
}

main "$@"
