#!/usr/bin/env bash
# The suite built with sanitizers, in its own build directory, ending with scripts/test.sh's
# summary line:
#   sanitize.sh [address,undefined] [ctest args]   everything under ASan+UBSan, in build-asan/
#   sanitize.sh thread [ctest args]                the threaded parts under TSan, in build-tsan/:
#                                                  tailor_aggregator_tests (ingest, writer,
#                                                  token reviewer), tailor_agent_report_tests
#                                                  (spool, courier, sender),
#                                                  tailor_node_agent_tests (the agent's rounds)
#                                                  and tailor_agent_k8s_tests (the pod watcher)
#   sanitize.sh ci [ctest args]                    CI's pass (.ci/run), ASan+UBSan in build-asan/:
#                                                  only the parts that take outside input or run
#                                                  threads (label asan-ci): tailor_common_tests,
#                                                  tailor_aggregator_tests, tailor_agent_report_tests
# Needs root, as scripts/test.sh. docs/testing.md says what runs where and how long it takes.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
sanitize="address,undefined"
if [ "$#" -gt 0 ] && [[ "$1" != -* ]]; then
  sanitize="$1"
  shift
fi
targets=()
ctest_args=()
case "$sanitize" in
  address,undefined | undefined,address | address) build="$root/build-asan" ;;
  ci)
    sanitize="address,undefined"
    build="$root/build-asan"
    targets=(tailor_common_tests tailor_aggregator_tests tailor_agent_report_tests)
    ctest_args=(-L "^asan-ci$")
    ;;
  thread)
    build="$root/build-tsan"
    targets=(tailor_aggregator_tests tailor_agent_report_tests tailor_node_agent_tests
      tailor_agent_k8s_tests)
    # Only these test programs are built there: the others are placeholders without labels.
    ctest_args=(-L "^(testbed|threads)$")
    ;;
  *)
    echo "sanitize.sh: unknown sanitizer list '$sanitize': use address,undefined, thread or ci" >&2
    exit 2
    ;;
esac
if [ "$(id -u)" -ne 0 ]; then
  echo "sanitize.sh: run as root: the suite loads BPF programs, makes cgroups and runs containers" >&2
  exit 1
fi
"$root/scripts/install-deps.sh"
launcher=()
if command -v ccache >/dev/null; then
  export CCACHE_BASEDIR="$root"
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTAILOR_SANITIZE="$sanitize" \
  "${launcher[@]}" >/dev/null
build_targets=()
for target in "${targets[@]}"; do build_targets+=(--target "$target"); done
cmake --build "$build" -j"$(nproc)" "${build_targets[@]}"
"$root/scripts/prepare-machine.sh"
cd "$build"
log="$build/ctest.log"
# Every sanitizer report of this run, from any process, lands here (cmake/sanitize.cmake).
reports="$build/sanitizer-reports"
find "$reports" -mindepth 1 -delete
status=0
ctest --output-on-failure --timeout 600 --output-log "$log" "${ctest_args[@]}" "$@" \
  || status=$?
"$root/scripts/ctest-summary.sh" "$log" "$build"
found="$(find "$reports" -type f | sort)"
if [ -n "$found" ]; then
  for report in $found; do
    echo "== $report"
    cat "$report"
  done
  echo "sanitize.sh: $(echo "$found" | wc -l) sanitizer report(s) above, in $reports" >&2
  [ "$status" -ne 0 ] || status=1
fi
exit "$status"
