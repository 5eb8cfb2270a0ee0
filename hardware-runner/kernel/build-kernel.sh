#!/usr/bin/env bash
# Builds (or finds in the cache) the test kernel of one series named in scripts/kernels.conf
# (default: lts) for one architecture (default: x86_64; arm64 is cross-compiled with
# aarch64-linux-gnu-): iommufd + IOMMUFD_TEST, VFIO cdev, emulated IOMMUs, 9p root. The source is
# the Debian linux-source tarball scripts/kernel-source.sh fetches. Progress goes to stderr; the
# last stdout line is the image path (x86_64: bzImage, arm64: Image).
#
# Config, x86_64: iommufd-test.config (every series) + iommufd-test-<series>.config (where Kconfig
#   differs); arm64: iommufd-test-arm64.config + iommufd-test-arm64-<series>.config.
# Cache: ${IOMMUFD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/iommufd-conformance}/kernel/<key>/
#   bzImage or Image, config, build.log, kernel.json
# <key> is the SHA-256 of six lines (IommuFd.TestVm's TestKernel computes the same):
#   arch=<x86_64|arm64>
#   series=<series>
#   <package>=<Debian package version>
#   fragment=<sha256 of the architecture's fragment>
#   fragment-<series>=<sha256 of the architecture's fragment of the series, or "none">
#   script=<sha256 of this file>
#
# Usage: build-kernel.sh [SERIES|ROLE] [--arch ARCH]            build if not cached, print the path
#        build-kernel.sh [SERIES|ROLE] [--arch ARCH] --key      print the cache key only
#        build-kernel.sh [SERIES|ROLE] [--arch ARCH] --locate   print the path if cached, else exit 1
#        (--key and --locate read the package lists as they are and never touch the network)
# Env:   IOMMUFD_KERNEL_JOBS (default: cores + 1), IOMMUFD_KEEP_KERNEL_BUILD=1 keeps the tree.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
kernel_source="$here/../../scripts/kernel-source.sh"
install_packages="$here/../../scripts/install-packages.sh"
thp_preload_source="$here/thp-preload.c"
script="$here/$(basename "${BASH_SOURCE[0]}")"
cache_root="${IOMMUFD_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/iommufd-conformance}"
# One job more than cores keeps both busy while a job waits on the disk (a build spends a quarter of
# its time in the kernel: process start-up and file I/O).
jobs="${IOMMUFD_KERNEL_JOBS:-$(( $(nproc) + 1 ))}"

say() { echo "build-kernel: $*" >&2; }
die() { say "error: $*"; exit 1; }

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# Sets what differs per architecture: the fragments' prefix, make's ARCH and CROSS_COMPILE, the
# image and the install-packages.sh groups of the build.
select_arch() {
  arch="$1"
  case "$arch" in
    x86_64) prefix=iommufd-test; make_arch=(); image_name=bzImage; image_path=arch/x86/boot/bzImage; groups=(kernel-build) ;;
    arm64) prefix=iommufd-test-arm64; make_arch=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-); image_name=Image; image_path=arch/arm64/boot/Image; groups=(kernel-build arm64) ;;
    *) die "unknown architecture '$arch' (known: x86_64 arm64)" ;;
  esac
  fragment="$here/$prefix.config"
}

# Sets series, package and delta (the series' own fragment, or empty) for a series or role.
select_series() {
  local line
  line=$("$kernel_source" --list | awk -v k="$1" '$1 == k || $2 == k' | head -n 1)
  [ -n "$line" ] || die "no kernel series '$1' in scripts/kernels.conf (known: $("$kernel_source" --list | awk '{printf "%s ", $2}'))"
  read -r _ series package <<<"$line"
  delta="$here/$prefix-$series.config"
  [ -f "$delta" ] || delta=""
}

fragments() { echo "$fragment" ${delta:+"$delta"}; }

# From the package lists as they are: the build refreshes them first, lookups never touch the network.
cache_key() {
  local version
  version=$("$kernel_source" "$series" --cached-version) || die "cannot read the version of $package"
  printf 'arch=%s\nseries=%s\n%s=%s\nfragment=%s\nfragment-%s=%s\nscript=%s\n' \
    "$arch" "$series" "$package" "$version" "$(sha256_of "$fragment")" \
    "$series" "$([ -n "$delta" ] && sha256_of "$delta" || echo none)" "$(sha256_of "$script")" \
    | sha256sum | cut -d' ' -f1
}

# Every option a fragment names must exist in this tree's Kconfig: a "not set" line for an option
# the kernel dropped would otherwise pass unnoticed (7.3 has no PROC_SYSCTL, SCHED_DEBUG, X86_5LEVEL).
check_symbols() {
  local src="$1" known bad=0 file name
  known=$(cd "$src" && find . -name 'Kconfig*' -type f -exec grep -hoE '^[[:space:]]*(menu)?config [A-Za-z0-9_]+' {} + | awk '{ print $2 }' | sort -u)
  for file in $(fragments); do
    for name in $(grep -oE '^(# )?CONFIG_[A-Za-z0-9_]+' "$file" | sed -E 's/^(# )?CONFIG_//' | sort -u); do
      grep -qxF "$name" <<<"$known" || { say "$(basename "$file"): CONFIG_$name is not an option of $package"; bad=1; }
    done
  done
  return $bad
}

# Every CONFIG_X=y and "# CONFIG_X is not set" line of the fragments must hold in the final .config.
verify_config() {
  local config="$1" bad=0 line name file
  for file in $(fragments); do
    while IFS= read -r line; do
      if [[ "$line" =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]]; then
        grep -qxF "$line" "$config" || { say "$(basename "$file"): config lost: wanted $line, got: $(grep -E "^(# )?${BASH_REMATCH[1]}[= ]" "$config" || echo 'absent')"; bad=1; }
      elif [[ "$line" =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
        name="${BASH_REMATCH[1]}"
        if grep -qE "^${name}=" "$config"; then say "$(basename "$file"): config lost: wanted $name unset, got: $(grep -E "^${name}=" "$config")"; bad=1; fi
      fi
    done < "$file"
  done
  return $bad
}

build() {
  local key="$1" out="$2" tarball="$3" version="$4"
  local work="$cache_root/kernel/build-$key"
  local log="$work/build.log"
  local started=$SECONDS
  local src="$work/$package"
  if [ -f "$work/.configured" ] && [ "$(cat "$work/.configured")" = "$key" ] && [ -f "$src/.config" ]; then
    # An interrupted build of the same key: make picks up where it stopped.
    say "resuming the interrupted build in $work"
  else
    rm -rf "$work" && mkdir -p "$work"
    say "unpacking $tarball into $work"
    tar -xJf "$tarball" -C "$work"
    [ -d "$src" ] || die "unexpected tarball layout: no $package/ in $tarball"
    check_symbols "$src" || die "a fragment names options $package does not have (see above); move them to the fragment of the series that has them"

    local names
    names=$(for f in $(fragments); do basename "$f"; done | paste -sd+)
    say "configuring: allnoconfig + $names + olddefconfig"
    # shellcheck disable=SC2046
    ( cd "$src" && make "${make_arch[@]}" allnoconfig \
        && scripts/kconfig/merge_config.sh -m .config $(fragments) && make "${make_arch[@]}" olddefconfig ) >"$log" 2>&1 \
      || { tail -n 30 "$log" >&2; die "configuring failed (log: $log)"; }
    verify_config "$src/.config" || die "make olddefconfig dropped options of a fragment (see above); fix it"
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

  say "building the $arch $image_name of $package $version with -j$jobs (log: $log); this takes about 6 minutes on 2 cores"
  # CONFIG_OBJTOOL= hides objtool from make only: it is neither built nor run on every object (a
  # second process per object). With this configuration objtool only validates and records inline
  # static call sites: no jump labels, ftrace, ORC, IBT or mitigations need its rewrites, and
  # static calls keep working through their trampolines.
  # Show one line in 200 of make's output as progress; the whole output stays in the log.
  if ! ( cd "$src" && LD_PRELOAD="$preload" nice make "${make_arch[@]}" -j"$jobs" CONFIG_OBJTOOL= "$image_name" 2>&1 ) | tee -a "$log" | awk 'NR % 200 == 0 { print "build-kernel: ... " $0; fflush() }' >&2 \
     || [ ! -f "$src/$image_path" ]; then
    tail -n 40 "$log" >&2
    die "make $image_name failed (log: $log)"
  fi

  local elapsed=$((SECONDS - started))
  local staging="$out.tmp"
  rm -rf "$staging" && mkdir -p "$staging"
  cp "$src/$image_path" "$staging/$image_name"
  cp "$src/.config" "$staging/config"
  cp "$log" "$staging/build.log"
  # What the reports and KCIDB say about the tested kernel comes from here.
  cat > "$staging/kernel.json" <<EOF
{
  "key": "$key",
  "arch": "$arch",
  "series": "$series",
  "sourcePackage": "$package",
  "sourceVersion": "$version",
  "kernelRelease": "$(cd "$src" && make "${make_arch[@]}" -s kernelrelease 2>/dev/null)",
  "fragmentSha256": "$(sha256_of "$fragment")",
  "seriesFragmentSha256": "$([ -n "$delta" ] && sha256_of "$delta" || echo none)",
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
  local requested=lts action=build requested_arch=x86_64
  while [ $# -gt 0 ]; do
    case "$1" in
      --key) action=key ;;
      --locate) action=locate ;;
      --arch) [ $# -ge 2 ] || die "--arch needs an architecture (x86_64 or arm64)"; requested_arch="$2"; shift ;;
      -*) die "unknown argument '$1' (use: build-kernel.sh [SERIES] [--arch x86_64|arm64] [--key|--locate])" ;;
      *) requested="$1" ;;
    esac
    shift
  done
  select_arch "$requested_arch"
  select_series "$requested"

  case "$action" in
    key) cache_key; return ;;
    locate)
      local image
      image="$cache_root/kernel/$(cache_key)/$image_name"
      [ -f "$image" ] && { echo "$image"; return 0; }
      return 1 ;;
  esac

  "$install_packages" "${groups[@]}" >&2 || die "the kernel build tools are missing (see above)"
  local tarball version key out
  tarball=$("$kernel_source" "$series" | tail -n 1) || die "cannot fetch the source of $package"
  version=$("$kernel_source" "$series" --cached-version)
  key=$(cache_key)
  out="$cache_root/kernel/$key"
  mkdir -p "$cache_root/kernel"
  # One build at a time per cache; a second caller waits and then finds the result.
  exec 9>"$cache_root/kernel/.lock"
  if ! flock -n 9; then
    say "another build holds $cache_root/kernel/.lock; waiting"
    flock 9
  fi
  if [ -f "$out/$image_name" ]; then
    say "cached ($arch, series $series, key $key)"
  else
    build "$key" "$out" "$tarball" "$version"
  fi
  echo "$out/$image_name"
}

main "$@"
