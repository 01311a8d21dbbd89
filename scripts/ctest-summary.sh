#!/usr/bin/env bash
# Reads a ctest --output-log and prints one closing line, "N passed, N failed, N skipped", and
# below it each skipped test with the reason it printed (skipped tests are run again in BUILD_DIR
# to read it: ctest's log keeps no output of tests that did not fail).
#   ctest-summary.sh LOG BUILD_DIR
set -euo pipefail
log="$1"
build="$2"
total="$(sed -n 's/.*tests passed, \([0-9]*\) tests\{0,1\} failed out of \([0-9]*\).*/\1 \2/p' "$log" | tail -n 1)"
if [ -z "$total" ]; then
  echo "test: ctest ran no test (no summary in $log)"
  echo "0 passed, 1 failed"
  exit 0
fi
read -r failed all <<<"$total"
skipped_names="$(sed -n 's/^[[:space:]]*[0-9]* - \(.*\) (Skipped)$/\1/p' "$log")"
skipped=0
[ -n "$skipped_names" ] && skipped="$(printf '%s\n' "$skipped_names" | wc -l)"
passed=$((all - failed - skipped))
echo
echo "$passed passed, $failed failed, $skipped skipped"
[ "$skipped" -eq 0 ] && exit 0
echo "skipped (a kernel or hardware feature this machine lacks):"
while IFS= read -r name; do
  pattern="^$(printf '%s' "$name" | sed 's/[][\\.*^$+?(){}|/]/\\&/g')\$"
  # The reason: the line after gtest's "Skipped" marker, or the SKIPPED: line of a script test.
  reason="$(cd "$build" && ctest -V -R "$pattern" 2>&1 | awk '
    /SKIPPED:/ { sub(/.*SKIPPED: */, ""); print; exit }
    /: Skipped$/ { getline; sub(/^[0-9]+: /, ""); print; exit }')" || true
  echo "  $name: ${reason:-no reason printed}"
done <<<"$skipped_names"
