#!/usr/bin/env bash
# Packs IommuFd.UapiGenerator into artifacts/feed/ and runs the Userfaultfd sample's tests against
# that package, restored like any consumer would (generators/samples/nuget.config). Each run packs
# a fresh version and restores into a package folder of its own, so a previously cached
# IommuFd.UapiGenerator can never be picked up.
# Usage: generators/samples/run-sample-tests.sh [results-dir]   (TRX goes there; prints dotnet test's results)
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo_root"
results="${1:-$repo_root/artifacts/test-results}"
packages="$repo_root/artifacts/sample-packages"

[ -f .uapi/VERSION ] || scripts/fetch-uapi-headers.sh

version="0.1.0-local.$(date -u +%Y%m%d%H%M%S)"
echo "sample: packing IommuFd.UapiGenerator $version"
generators/pack.sh "$version" >/dev/null

# Isolated from the user's global package folder; only this package is ever removed from it.
mkdir -p "$packages"
rm -rf "$packages/iommufd.uapigenerator"
export NUGET_PACKAGES="$packages"

dotnet test generators/samples/Userfaultfd.Sample.Tests/Userfaultfd.Sample.Tests.csproj -nologo \
  -p:UapiGeneratorVersion="$version" \
  --logger "console;verbosity=normal" \
  --logger "trx;LogFileName=userfaultfd-sample.trx" --results-directory "$results"
