#!/usr/bin/env bash
# Adds every public symbol the API guard reports as undeclared (RS0016) to the project's
# PublicAPI.Unshipped.txt, sorted. Review the diff: it is the API change the package ships.
# At a release, move Unshipped's lines to PublicAPI.Shipped.txt.
# Usage: generators/packaging/update-public-api.sh path/to/Project.csproj
set -euo pipefail

project=$1
unshipped="$(dirname "$project")/PublicAPI.Unshipped.txt"
log=$(mktemp)
trap 'rm -f "$log"' EXIT

dotnet build "$project" -nologo -v:q --no-incremental -p:TreatWarningsAsErrors=false >"$log" 2>&1 || true
{
  grep -v '^#nullable' "$unshipped" || true
  grep -o "RS0016: Symbol '.*' is not part of the declared public API" "$log" \
    | sed -e "s/^RS0016: Symbol '//" -e "s/' is not part of the declared public API$//"
} | sort -u -o "$unshipped.tmp"
{ echo '#nullable enable'; cat "$unshipped.tmp"; } >"$unshipped" && rm "$unshipped.tmp"
echo "public-api: $(grep -vc '^#nullable' "$unshipped") symbols in $unshipped" >&2
