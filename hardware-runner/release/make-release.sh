#!/usr/bin/env bash
# Makes the runner's release: per architecture, a tarball holding the runner published self-contained
# as a single file, the traces next to it (where it looks for them first), the second-process helper
# and release.env (runner name, version, commit, runtime). A lab unpacks it and runs the runner with
# no SDK, no repository and no kernel source.
#
#   hardware-runner/release/make-release.sh [--rid linux-x64] [--rid linux-arm64] [--output DIR] [--version V]
#
# Default: both linux-x64 and linux-arm64, into artifacts/release/, versioned by `git describe`.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
project="$repo_root/hardware-runner/IommuFd.HardwareRunner/IommuFd.HardwareRunner.csproj"
rids=()
output="$repo_root/artifacts/release"
version=""

usage() { echo "usage: make-release.sh [--rid RID]... [--output DIR] [--version V]" >&2; exit 64; }
while [ $# -gt 0 ]; do
  case "$1" in
    --rid) [ $# -ge 2 ] || usage; rids+=("$2"); shift 2 ;;
    --output) [ $# -ge 2 ] || usage; output="$2"; shift 2 ;;
    --version) [ $# -ge 2 ] || usage; version="$2"; shift 2 ;;
    *) usage ;;
  esac
done
[ ${#rids[@]} -gt 0 ] || rids=(linux-x64 linux-arm64)
commit=$(git -C "$repo_root" rev-parse HEAD 2>/dev/null || echo unknown)
[ -n "$version" ] || version=$(git -C "$repo_root" describe --tags --always --dirty 2>/dev/null || echo unversioned)
mkdir -p "$output"
output=$(cd "$output" && pwd)

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
"$repo_root/scripts/fetch-uapi-headers.sh" >&2
runner=$(dotnet msbuild "$project" -nologo -getProperty:AssemblyName)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for rid in "${rids[@]}"; do
  name="iommufd-conformance-runner-$version-$rid"
  stage="$work/$name"
  echo "make-release: publishing $name" >&2
  dotnet publish "$project" -nologo -v:q -clp:ErrorsOnly -c Release -r "$rid" --self-contained \
    -p:PublishSingleFile=true -p:DebugType=embedded -p:PublishDocumentationFiles=false \
    -p:PublishReferencesDocumentationFiles=false -o "$stage"
  cp -r "$repo_root/conformance/traces" "$stage/traces"
  cat > "$stage/release.env" <<ENV
RUNNER=$runner
RELEASE_VERSION=$version
RELEASE_COMMIT=$commit
RELEASE_RID=$rid
ENV
  tar -C "$work" -czf "$output/$name.tar.gz" "$name"
  (cd "$output" && sha256sum "$name.tar.gz" > "$name.tar.gz.sha256")
  echo "$output/$name.tar.gz"
done
