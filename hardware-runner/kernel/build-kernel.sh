#!/usr/bin/env bash
# Builds (or finds in the cache) the Linux 6.12 test kernel: iommufd + IOMMUFD_TEST, VFIO cdev,
# emulated IOMMUs, 9p root. Progress goes to stderr; the last stdout line is the bzImage path.
#
# Cache: ${IOMMUFD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/iommufd-conformance}/kernel/<key>/
#   bzImage, config, kernel.json
# <key> is the SHA-256 of three lines (IommuFd.TestVm's TestKernel computes the same):
#   linux-source-6.12=<Debian package version>
#   fragment=<sha256 of iommufd-test.config>
#   script=<sha256 of this file>
#
# Usage: build-kernel.sh            build if not cached, print the path
#        build-kernel.sh --key      print the cache key only
#        build-kernel.sh --locate   print the path if cached, else exit 1
# Env:   IOMMUFD_KERNEL_JOBS (default: cores + 1), IOMMUFD_KEEP_KERNEL_BUILD=1 keeps the tree.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
fragment="$here/iommufd-test.config"
thp_preload_source="$here/thp-preload.c"
script="$here/$(basename "${BASH_SOURCE[0]}")"
tarball=/usr/src/linux-source-6.12.tar.xz
package=linux-source-6.12
cache_root="${IOMMUFD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/iommufd-conformance}"
# One job more than cores keeps both busy while a job waits on the disk (a build spends a quarter of
# its time in the kernel: process start-up and file I/O).
jobs="${IOMMUFD_KERNEL_JOBS:-$(( $(nproc) + 1 ))}"

say() { echo "build-kernel: $*" >&2; }
die() { say "error: $*"; exit 1; }

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

install_prerequisites() {
  local missing=()
  [ -f "$tarball" ] || missing+=("$package")
  for tool in make gcc bc bison flex cpio; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  [ -f /usr/include/libelf.h ] || missing+=(libelf-dev)
  [ -f /usr/include/openssl/ssl.h ] || missing+=(libssl-dev)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    die "missing: ${missing[*]}; run as root or: sudo apt-get install $package build-essential bc bison flex libelf-dev libssl-dev cpio"
  fi
  say "installing $package and build dependencies (missing: ${missing[*]})"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    "$package" build-essential bc bison flex libelf-dev libssl-dev cpio xz-utils >/dev/null
}

source_version() {
  dpkg-query -W -f='${Version}' "$package" 2>/dev/null || die "cannot read the version of $package (dpkg-query)"
}

cache_key() {
  printf 'linux-source-6.12=%s\nfragment=%s\nscript=%s\n' \
    "$(source_version)" "$(sha256_of "$fragment")" "$(sha256_of "$script")" | sha256sum | cut -d' ' -f1
}

# Every CONFIG_X=y and "# CONFIG_X is not set" line of the fragment must hold in the final .config.
verify_config() {
  local config="$1" bad=0 line name
  while IFS= read -r line; do
    if [[ "$line" =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]]; then
      grep -qxF "$line" "$config" || { say "config lost: wanted $line, got: $(grep -E "^(# )?${BASH_REMATCH[1]}[= ]" "$config" || echo 'absent')"; bad=1; }
    elif [[ "$line" =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
      name="${BASH_REMATCH[1]}"
      if grep -qE "^${name}=" "$config"; then say "config lost: wanted $name unset, got: $(grep -E "^${name}=" "$config")"; bad=1; fi
    fi
  done < "$fragment"
  return $bad
}

build() {
  local key="$1" out="$2"
  local work="$cache_root/kernel/build-$key"
  local log="$work/build.log"
  local started=$SECONDS
  local src="$work/linux-source-6.12"
  if [ -f "$work/.configured" ] && [ "$(cat "$work/.configured")" = "$key" ] && [ -f "$src/.config" ]; then
    # An interrupted build of the same key: make picks up where it stopped.
    say "resuming the interrupted build in $work"
  else
    rm -rf "$work" && mkdir -p "$work"
    say "unpacking $tarball into $work"
    tar -xJf "$tarball" -C "$work"
    [ -d "$src" ] || die "unexpected tarball layout: no linux-source-6.12/ in $tarball"

    say "configuring: allnoconfig + $(basename "$fragment") + olddefconfig"
    ( cd "$src" && make allnoconfig \
        && scripts/kconfig/merge_config.sh -m .config "$fragment" && make olddefconfig ) >"$log" 2>&1 \
      || { tail -n 30 "$log" >&2; die "configuring failed (log: $log)"; }
    verify_config "$src/.config" || die "make olddefconfig dropped options of the fragment (see above); fix $(basename "$fragment")"
    echo "$key" > "$work/.configured"
  fi

  # The compiler's heap in huge pages (thp-preload.c): a third less build time where THP is left to
  # madvise. Without it (no THP, or it does not compile) the build is only slower.
  local preload=""
  if gcc -O2 -shared -fPIC -o "$work/thp-preload.so" "$thp_preload_source" -ldl 2>>"$log"; then
    preload="$work/thp-preload.so"
  else
    say "thp-preload.c did not compile (see $log); building without it"
  fi

  say "building bzImage with -j$jobs (log: $log); this takes about 6 minutes on 2 cores"
  # CONFIG_OBJTOOL= hides objtool from make only: it is neither built nor run on every object (a
  # second process per object). With this configuration objtool only validates and records inline
  # static call sites: no jump labels, ftrace, ORC, IBT or mitigations need its rewrites, and
  # static calls keep working through their trampolines.
  # Show one line in 200 of make's output as progress; the whole output stays in the log.
  if ! ( cd "$src" && LD_PRELOAD="$preload" nice make -j"$jobs" CONFIG_OBJTOOL= bzImage 2>&1 ) | tee -a "$log" | awk 'NR % 200 == 0 { print "build-kernel: ... " $0; fflush() }' >&2 \
     || [ ! -f "$src/arch/x86/boot/bzImage" ]; then
    tail -n 40 "$log" >&2
    die "make bzImage failed (log: $log)"
  fi

  local elapsed=$((SECONDS - started))
  local staging="$out.tmp"
  rm -rf "$staging" && mkdir -p "$staging"
  cp "$src/arch/x86/boot/bzImage" "$staging/bzImage"
  cp "$src/.config" "$staging/config"
  cp "$log" "$staging/build.log"
  cat > "$staging/kernel.json" <<EOF
{
  "key": "$key",
  "sourcePackage": "$package",
  "sourceVersion": "$(source_version)",
  "kernelRelease": "$(cd "$src" && make -s kernelrelease 2>/dev/null)",
  "fragmentSha256": "$(sha256_of "$fragment")",
  "configSha256": "$(sha256_of "$src/.config")",
  "buildSeconds": $elapsed,
  "jobs": $jobs,
  "builtAt": "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
}
EOF
  rm -rf "$out" && mv "$staging" "$out"
  say "built in $((elapsed / 60)) min $((elapsed % 60)) s"
  if [ "${IOMMUFD_KEEP_KERNEL_BUILD:-0}" != 1 ]; then rm -rf "$work"; fi
}

main() {
  case "${1:-}" in
    --key) cache_key; return ;;
    --locate)
      local p="$cache_root/kernel/$(cache_key)/bzImage"
      [ -f "$p" ] && { echo "$p"; return 0; }
      return 1 ;;
    "") ;;
    *) die "unknown argument '$1' (use --key, --locate or nothing)" ;;
  esac

  install_prerequisites
  local key out
  key=$(cache_key)
  out="$cache_root/kernel/$key"
  mkdir -p "$cache_root/kernel"
  # One build at a time per cache; a second caller waits and then finds the result.
  exec 9>"$cache_root/kernel/.lock"
  if ! flock -n 9; then
    say "another build holds $cache_root/kernel/.lock; waiting"
    flock 9
  fi
  if [ -f "$out/bzImage" ]; then
    say "cached (key $key)"
  else
    build "$key" "$out"
  fi
  echo "$out/bzImage"
}

main "$@"
