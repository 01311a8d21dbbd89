#!/usr/bin/env bash
# The whole test suite: installs, builds, prepares the machine, runs every test with ctest and
# ends with one summary line (passed, failed, skipped) and the reason of each skip.
# Needs root: the suite loads BPF programs, makes cgroups and runs runc/crun containers.
# Extra arguments go to ctest (e.g. -L bpf, -R Diff).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${TAILOR_BUILD_DIR:-$root/build}"
if [ "$(id -u)" -ne 0 ]; then
  echo "test.sh: run as root: the suite loads BPF programs, makes cgroups and runs containers" >&2
  exit 1
fi
"$root/scripts/build.sh"
"$root/scripts/prepare-machine.sh"
cd "$build"
log="$build/ctest.log"
status=0
ctest --output-on-failure --timeout 600 --output-log "$log" "$@" || status=$?
"$root/scripts/ctest-summary.sh" "$log" "$build"
exit "$status"
