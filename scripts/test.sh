#!/usr/bin/env bash
# The whole test suite: installs, builds, runs every test with ctest.
# Tests that need root or the kernel skip with a reason when run unprivileged;
# CI runs as root, so there they all run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${TAILOR_BUILD_DIR:-$root/build}"
"$root/scripts/build.sh"
cd "$build"
ctest --output-on-failure --timeout 600 "$@"
