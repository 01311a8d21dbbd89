#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz in build-fuzz/ with clang (-DTAILOR_FUZZ=ON) and runs
# each for SECONDS (default 20) from a copy of its corpus, so the repository's corpus is left as it
# is. Fails if any target finds a crash, a leak, a timeout or a sanitizer report; what it found is
# kept under build-fuzz/fuzz-findings/. One line per target: executions, speed and coverage.
# TAILOR_FUZZ_BUILD_DIR overrides the build directory.
set -euo pipefail

seconds="${1:-20}"
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]] || [ "$#" -gt 1 ]; then
  echo "fuzz: usage: fuzz.sh [SECONDS]  (seconds per target, default 20)" >&2
  exit 2
fi
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${TAILOR_FUZZ_BUILD_DIR:-$root/build-fuzz}"
for tool in clang clang++ cmake; do
  command -v "$tool" >/dev/null || { echo "fuzz: $tool is missing: run scripts/install-deps.sh" >&2; exit 1; }
done

targets=()
for source in "$root"/tests/fuzz/*.cpp; do
  name="$(basename "$source" .cpp)"
  [ -d "$root/tests/fuzz/corpus/$name" ] || { echo "fuzz: tests/fuzz/corpus/$name is missing: target $name has no seed corpus" >&2; exit 1; }
  targets+=("$name")
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
echo "fuzz: building ${#targets[@]} targets in $build"
if ! { CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DTAILOR_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" &&
       cmake --build "$build" -j"$(nproc)" --target "${targets[@]/#/tailor_fuzz_}"; } >"$work/build.log" 2>&1; then
  tail -n 40 "$work/build.log" >&2
  echo "fuzz: the build failed (above)" >&2
  exit 1
fi

findings="$build/fuzz-findings"
rm -rf "$findings"
failed=0
for name in "${targets[@]}"; do
  cp -r "$root/tests/fuzz/corpus/$name" "$work/corpus-$name"
  mkdir -p "$work/artifacts-$name"
  options=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
           -artifact_prefix="$work/artifacts-$name/")
  [ -f "$root/tests/fuzz/dict/$name.dict" ] && options+=(-dict="$root/tests/fuzz/dict/$name.dict")
  status=0
  # TMPDIR: the spool target's scratch directory goes with the rest.
  TMPDIR="$work" "$build/tests/fuzz/tailor_fuzz_$name" "${options[@]}" "$work/corpus-$name" \
    >"$work/$name.log" 2>&1 || status=$?
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$name.log")"
  speed="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/$name.log")"
  coverage="$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$work/$name.log" | tail -n 1)"
  if [ "$status" -eq 0 ] && [ -z "$(ls -A "$work/artifacts-$name")" ]; then
    printf 'fuzz: %-16s ok     %10s execs in %ss (%s/s), %s\n' "$name" "${execs:-?}" "$seconds" "${speed:-?}" "${coverage:-cov: ?}"
  else
    failed=1
    mkdir -p "$findings/$name"
    cp "$work/$name.log" "$findings/$name/"
    cp -r "$work/artifacts-$name/." "$findings/$name/"
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$work/$name.log" | head -n 5 >&2 || true
    printf 'fuzz: %-16s FOUND  exit %s after %s execs; input and log in %s\n' "$name" "$status" "${execs:-?}" "$findings/$name" >&2
  fi
done
[ "$failed" -eq 0 ] || { echo "fuzz: a target found a bug: replay with build-fuzz/tests/fuzz/tailor_fuzz_<target> <input>" >&2; exit 1; }
echo "fuzz: ${#targets[@]} targets, ${seconds}s each, nothing found"
