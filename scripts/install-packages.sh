#!/usr/bin/env bash
# Installs the Debian packages a part of the project needs, only those missing, with the host's
# apt (as root; otherwise it names the command to run and fails). The one list of what the
# scripts, the tests and CI need from the distribution; scripts/test.sh, .ci/run,
# scripts/fetch-uapi-headers.sh and hardware-runner/kernel/build-kernel.sh all go through it.
#
# Usage: install-packages.sh GROUP...
#   sources       what scripts/kernel-source.sh needs to fetch Debian's kernel sources
#   kernel-build  the tools that build the test kernel (hardware-runner/kernel/build-kernel.sh)
#   test          what the test projects run: gcc and readelf (layout proofs on x86_64), the aarch64
#                 and powerpc64le cross compilers (the other ABIs' proofs), qemu (the test VM),
#                 python3 (the engine's second-process helper), rsync (make headers_install of the
#                 whole-tree tests, scripts/uapi-tree.sh)
#   arm64         the arm64 tier: the aarch64 cross compiler (its kernel), qemu-system-aarch64, dpkg-deb
#                 (its userland from Debian's arm64 packages)
set -euo pipefail

say() { echo "install-packages: $*" >&2; }

packages_of() {
  case "$1" in
    sources) echo debian-archive-keyring xz-utils ;;
    kernel-build) echo build-essential bc bison flex libelf-dev libssl-dev cpio xz-utils ;;
    test) echo build-essential binutils gcc-aarch64-linux-gnu gcc-powerpc64le-linux-gnu qemu-system-x86 python3 rsync ;;
    arm64) echo gcc-aarch64-linux-gnu qemu-system-arm dpkg ;;
    *) say "error: unknown group '$1' (known: sources kernel-build test arm64)"; exit 64 ;;
  esac
}

[ $# -ge 1 ] || { say "error: usage: install-packages.sh GROUP... (sources kernel-build test arm64)"; exit 64; }
wanted=()
for group in "$@"; do
  list=$(packages_of "$group") || exit 64
  read -r -a names <<<"$list"
  wanted+=("${names[@]}")
done

missing=()
for p in $(printf '%s\n' "${wanted[@]}" | sort -u); do
  [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
  say "error: missing ${missing[*]}; run as root or: sudo apt-get install ${missing[*]}"
  exit 1
fi
say "installing ${missing[*]}"
apt-get update -qq || { say "error: apt-get update failed"; exit 1; }
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
  || { say "error: apt-get install ${missing[*]} failed"; exit 1; }
