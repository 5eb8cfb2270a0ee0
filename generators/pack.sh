#!/usr/bin/env bash
# Packs IommuFd.UapiGenerator into artifacts/feed/ (a local NuGet feed, ignored by git) and prints
# the package path. Older packages are removed first so the feed only ever holds this build.
# Usage: generators/pack.sh [version]   (default: the project's VersionPrefix)
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
feed="$repo_root/artifacts/feed"
project="$repo_root/generators/IommuFd.UapiGenerator/IommuFd.UapiGenerator.csproj"

rm -rf "$feed" && mkdir -p "$feed"
version_args=()
if [ $# -ge 1 ] && [ -n "$1" ]; then version_args=("-p:Version=$1"); fi

dotnet pack "$project" -c Release -o "$feed" -nologo -v:q -clp:ErrorsOnly "${version_args[@]}" >&2

package=$(ls "$feed"/IommuFd.UapiGenerator.*.nupkg)
echo "pack: $(basename "$package")" >&2
echo "$package"
