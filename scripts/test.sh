#!/usr/bin/env bash
# Runs every test of the project and ends with the line "N passed, N failed, N skipped".
# It first installs the Debian packages the tests need (scripts/install-packages.sh test, as root)
# and fetches the uAPI headers. Kernel-tier tests run on /dev/iommu when the host has it, otherwise
# in the QEMU test kernel of IOMMUFD_KERNEL_SERIES (default lts) when one is built
# (hardware-runner/kernel/build-kernel.sh SERIES); without either they skip with the reason,
# unless IOMMUFD_REQUIRE_KERNEL=1, which turns a missing kernel into failures.
# IOMMUFD_KERNEL_TIERS="6.12 7.3" (series or roles) runs the kernel tier once per series: the whole
# suite with the first, then only the Kernel-category tests in the VMs of each other series (their
# results in artifacts/test-results/<series>/, counted in the summary). Without a VM (a host with
# /dev/iommu) only the host's kernel can answer, so the tier runs once.
# IOMMUFD_ARCH_TIERS="arm64" (opt-in) also runs the arm64 tier (scripts/arm64-tier.sh: the runner's
# `vm arm64-smmuv3` on the first kernel tier's series), its JUnit counted in the summary.
set -uo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"
results="$repo_root/artifacts/test-results"
rm -rf "$results" && mkdir -p "$results"

scripts/install-packages.sh test || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }
scripts/fetch-uapi-headers.sh || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }

read -r -a tiers <<<"${IOMMUFD_KERNEL_TIERS:-${IOMMUFD_KERNEL_SERIES:-lts}}"
[ -e /dev/iommu ] && tiers=("${tiers[0]}")

status=0
dotnet build IommuFdConformance.sln -nologo -v:q -clp:ErrorsOnly || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }
# One test assembly at a time: several of them boot the emulated test VM, which wants both cores.
# The hang timeout is above one whole VM run (boot 3 min + run 40 min), which one test may wait on.
run_tests() { # results folder, then extra dotnet test arguments
  local folder=$1; shift
  dotnet test IommuFdConformance.sln --no-build -nologo -v:q -m:1 \
    --logger "trx" --results-directory "$folder" --blame-hang-timeout 50m "$@" || status=1
}
for i in "${!tiers[@]}"; do
  start=$(date +%s)
  if [ "$i" = 0 ]; then
    IOMMUFD_KERNEL_SERIES=${tiers[0]} run_tests "$results"
  else
    IOMMUFD_KERNEL_SERIES=${tiers[$i]} run_tests "$results/${tiers[$i]}" --filter TestCategory=Kernel
  fi
  echo "test: kernel tier on ${tiers[$i]} done in $(( $(date +%s) - start )) s"
done

for arch in ${IOMMUFD_ARCH_TIERS:-}; do
  case "$arch" in
    arm64)
      start=$(date +%s)
      scripts/arm64-tier.sh --series "${tiers[0]}" --output "$results/arm64" || status=1
      echo "test: arm64 tier on ${tiers[0]} done in $(( $(date +%s) - start )) s" ;;
    *) echo "test: unknown architecture tier '$arch' (known: arm64)"; status=1 ;;
  esac
done

if [ -x generators/samples/run-sample-tests.sh ]; then
  generators/samples/run-sample-tests.sh "$results" || status=1
fi

trx_files=$(ls "$results"/*.trx "$results"/*/*.trx 2>/dev/null)
if [ -n "$trx_files" ] && command -v python3 >/dev/null; then
  # shellcheck disable=SC2086
  python3 scripts/trx-failures.py $trx_files
fi

count() { cat "$results"/*.trx "$results"/*/*.trx 2>/dev/null | grep -o "<UnitTestResult [^>]*outcome=\"$1\"" | wc -l; }
# The architecture tiers' runner results: JUnit test cases, failed with <failure> or <error>, skipped with <skipped>.
junit() { cat "$results"/*/junit.xml 2>/dev/null | grep -o "$1" | wc -l; }
junit_failed=$(( $(junit '<failure ') + $(junit '<error ') ))
junit_skipped=$(junit '<skipped ')
passed=$(( $(count Passed) + $(junit '<testcase ') - junit_failed - junit_skipped ))
failed=$(( $(count Failed) + $(count Error) + $(count Timeout) + $(count Aborted) + junit_failed ))
skipped=$(( $(count NotExecuted) + junit_skipped ))
if [ "$status" != 0 ] && [ "$failed" = 0 ]; then
  failed=1 # a test host crashed or a build step failed without a failing test result
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
