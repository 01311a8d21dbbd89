#!/usr/bin/env bash
# The demo: records a bundled sample workload, prints its report, writes it as an HTML page and
# writes the least-privilege seccomp profile for it, and a page on why it allows what it does. Needs root (it loads a BPF program).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${TAILOR_BUILD_DIR:-$root/build}"
out="${TAILOR_DEMO_DIR:-$root/out/demo}"
echo "== building tailor into $build (the first time takes a few minutes; its log: $build/demo-build.log)"
mkdir -p "$build"
if ! "$root/scripts/build.sh" tailor tailor-sample-workload >"$build/demo-build.log" 2>&1; then
  tail -n 20 "$build/demo-build.log" >&2
  echo "demo: the build failed; the whole log is $build/demo-build.log" >&2
  exit 1
fi
mkdir -p "$out"
tailor="$build/agent/tailor"

echo "== tailor record -- tailor-sample-workload"
"$tailor" record -o "$out/sample.report.json" -- "$build/examples/tailor-sample-workload"
echo
echo "== tailor report"
"$tailor" report "$out/sample.report.json"
"$tailor" report "$out/sample.report.json" --html -o "$out/sample.report.html"
echo
echo "== tailor profile"
"$tailor" profile "$out/sample.report.json" -o "$out/sample.profile.json"
"$tailor" profile "$out/sample.report.json" --html -o "$out/sample.profile.html"
echo
echo "Report:  $out/sample.report.json"
echo "HTML:    $out/sample.report.html (open it in a browser; it works offline)"
echo "Profile: $out/sample.profile.json"
echo "Why:     $out/sample.profile.html (each allowed syscall's reason, against the runtime defaults)"
