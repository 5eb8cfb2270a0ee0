#!/usr/bin/env bash
# Packs the NuGet packages into artifacts/feed/ (a local NuGet feed, ignored by git) and prints
# their paths: IommuFd.Uapi.Runtime and IommuFd.UapiGenerator, and with --bindings also
# IommuFd.Interop and IommuFd.Bindings (these need the uAPI headers: scripts/fetch-uapi-headers.sh).
# Older packages are removed first so the feed only ever holds this build. Each .nupkg comes with
# its .snupkg (symbols).
# Usage: generators/pack.sh [--bindings] [version]
#   version: default from the git tag (MinVer: vX.Y.Z -> X.Y.Z; untagged -> 0.1.0-alpha.0.<height>)
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
feed="$repo_root/artifacts/feed"
projects=(generators/IommuFd.Uapi.Runtime/IommuFd.Uapi.Runtime.csproj
          generators/IommuFd.UapiGenerator/IommuFd.UapiGenerator.csproj)
if [ "${1:-}" = "--bindings" ]; then
  projects+=(bindings/IommuFd.Interop/IommuFd.Interop.csproj bindings/IommuFd.Bindings/IommuFd.Bindings.csproj)
  shift
fi
version_args=()
if [ $# -ge 1 ] && [ -n "$1" ]; then version_args=("-p:MinVerVersionOverride=$1"); fi

rm -rf "$feed" && mkdir -p "$feed"
for project in "${projects[@]}"; do
  dotnet pack "$repo_root/$project" -c Release -o "$feed" -nologo -v:q -clp:ErrorsOnly "${version_args[@]}" >&2
done

for package in "$feed"/*.nupkg; do
  echo "pack: $(basename "$package")" >&2
  echo "$package"
done
