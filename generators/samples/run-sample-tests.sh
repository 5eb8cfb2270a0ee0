#!/usr/bin/env bash
# Packs IommuFd.Uapi.Runtime and IommuFd.UapiGenerator into artifacts/feed/ and runs the samples'
# tests against those packages, restored like any consumer would (generators/samples/nuget.config):
# Userfaultfd.Sample (net10.0, linux/userfaultfd.h) and Fiemap.Sample (net8.0, the host's
# /usr/include/linux/fs.h and fiemap.h). Each run packs a fresh version and restores into a package
# folder of its own, so a previously cached IommuFd package can never be picked up.
# Usage: generators/samples/run-sample-tests.sh [results-dir]   (TRX goes there; prints dotnet test's results)
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo_root"
results="${1:-$repo_root/artifacts/test-results}"
packages="$repo_root/artifacts/sample-packages"

[ -f .uapi/VERSION ] || scripts/fetch-uapi-headers.sh

version="0.1.0-local.$(date -u +%Y%m%d%H%M%S)"
echo "sample: packing IommuFd.Uapi.Runtime and IommuFd.UapiGenerator $version"
generators/pack.sh "$version" >/dev/null

# Isolated from the user's global package folder; only this project's packages are ever removed from it.
mkdir -p "$packages"
rm -rf "$packages"/iommufd.*
export NUGET_PACKAGES="$packages"

dotnet test generators/samples/Samples.slnx -nologo \
  -p:UapiGeneratorVersion="$version" \
  --logger "console;verbosity=normal" \
  --logger "trx" --results-directory "$results"
