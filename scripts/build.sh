#!/usr/bin/env bash
# Installs what is missing and builds into build/ (or $TAILOR_BUILD_DIR):
#   build.sh              everything, tests included (installs every package the suite uses)
#   build.sh TARGET...    only these targets (installs only what building needs)
# With ccache on the machine, compiles go through it (paths relative to the source tree, so
# another clone of the same code hits the same cache).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${TAILOR_BUILD_DIR:-$root/build}"
if [ "$#" -gt 0 ]; then "$root/scripts/install-deps.sh" build; else "$root/scripts/install-deps.sh"; fi
launcher=()
if command -v ccache >/dev/null; then
  export CCACHE_BASEDIR="$root"
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" >/dev/null
targets=()
for target in "$@"; do targets+=(--target "$target"); done
cmake --build "$build" -j"$(nproc)" "${targets[@]}"
