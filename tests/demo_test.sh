#!/usr/bin/env bash
# The README's first command as a user runs it: scripts/demo.sh records the sample workload,
# prints its report and writes its profile. Environment: TAILOR_BUILD_DIR (the build under test),
# TAILOR_DEMO_DIR (where the demo writes). Needs root, as the demo does.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$TAILOR_DEMO_DIR"
out="$("$root/scripts/demo.sh" 2>&1)" || fail "demo.sh exited $?: $out"
for heading in "== building tailor" "== tailor record" "== tailor report" "== tailor profile"; do
  grep -qF -- "$heading" <<<"$out" || fail "no '$heading' in: $out"
done
grep -q "^Against the runtime defaults" <<<"$out" || fail "the report does not compare with the defaults"
for file in sample.report.json sample.profile.json; do
  [ -s "$TAILOR_DEMO_DIR/$file" ] || fail "$TAILOR_DEMO_DIR/$file was not written"
done
# What the demo wrote is what the other commands read.
"$TAILOR_BUILD_DIR/agent/tailor" report "$TAILOR_DEMO_DIR/sample.report.json" --json >/dev/null ||
  fail "the demo's report does not read back"
"$TAILOR_BUILD_DIR/agent/tailor" run --profile "$TAILOR_DEMO_DIR/sample.profile.json" -- \
  "$TAILOR_BUILD_DIR/examples/tailor-sample-workload" >/dev/null 2>&1 ||
  fail "the sample workload does not run under the demo's profile"
echo "PASS: the demo recorded, reported and profiled the sample workload, which runs under its profile"
