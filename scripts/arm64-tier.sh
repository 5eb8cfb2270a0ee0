#!/usr/bin/env bash
# The arm64 tier: the differential suite on an emulated Arm SMMUv3. Builds (or reuses) the arm64
# test kernel of SERIES and the arm64 guest userland, publishes the runner self-contained for
# linux-arm64 with make-release.sh (traces and helper beside it), and runs the runner's
# `vm arm64-smmuv3`: the guest's runner diffs the engine (arm64 .NET) against the arm64 kernel behind
# the SMMUv3. Prints each step's time; the results (KTAP, JUnit, KCIDB, report) go to OUTPUT.
#
# Usage: scripts/arm64-tier.sh [--series SERIES] [--output DIR] [runner options...]
#   SERIES defaults to lts; OUTPUT to artifacts/arm64/results; further options go to `vm` (e.g.
#   --random 8 --run-timeout 1200). Exit status: the runner's (0: every case passed or skipped).
# Where several people share one machine, run it under their VM lock (the arm64 guest is emulated
# by TCG and wants both cores).
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"
series=lts
output="$repo_root/artifacts/arm64/results"
runner_folder="$repo_root/artifacts/arm64/runner"
passthrough=()
while [ $# -gt 0 ]; do
  case "$1" in
    --series) series="$2"; shift 2 ;;
    --output) output="$2"; shift 2 ;;
    *) passthrough+=("$1"); shift ;;
  esac
done

say() { echo "arm64-tier: $*" >&2; }
step() { # name, command...
  local name=$1 start=$SECONDS; shift
  "$@" || { say "$name failed"; exit 1; }
  say "$name: $((SECONDS - start)) s"
}

publish() {
  local work
  work=$(mktemp -d)
  hardware-runner/release/make-release.sh --rid linux-arm64 --output "$work" --version arm64-tier >/dev/null
  rm -rf "$runner_folder" && mkdir -p "$runner_folder"
  tar -xzf "$work"/*.tar.gz -C "$runner_folder" --strip-components=1
  rm -rf "$work"
}

step "kernel ($series, arm64)" hardware-runner/kernel/build-kernel.sh "$series" --arch arm64 >/dev/null
step "userland" scripts/arm64-userland.sh >/dev/null
step "publish (linux-arm64)" publish
start=$SECONDS
status=0
dotnet run --project hardware-runner/IommuFd.HardwareRunner -- vm arm64-smmuv3 --series "$series" \
  --arm64-runner "$runner_folder" --output "$output" "${passthrough[@]}" || status=$?
say "vm arm64-smmuv3 (boot and run): $((SECONDS - start)) s, exit $status"
exit $status
