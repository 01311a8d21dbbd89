#!/usr/bin/env bash
# Reads a ctest --output-log and prints one closing line, "N passed, N failed, N skipped", and
# below it each skipped test with the reason it printed.
set -euo pipefail
log="$1"
total="$(sed -n 's/.*tests passed, \([0-9]*\) tests\{0,1\} failed out of \([0-9]*\).*/\1 \2/p' "$log" | tail -n 1)"
if [ -z "$total" ]; then
  echo "test: ctest ran no test (no summary in $log)"
  echo "0 passed, 1 failed"
  exit 0
fi
read -r failed all <<<"$total"
skipped_names="$(sed -n 's/^ *[0-9]* - \(.*\) (Skipped)$/\1/p' "$log")"
skipped=0
[ -n "$skipped_names" ] && skipped="$(printf '%s\n' "$skipped_names" | wc -l)"
passed=$((all - failed - skipped))
echo
echo "$passed passed, $failed failed, $skipped skipped"
[ "$skipped" -eq 0 ] && exit 0
echo "skipped (a kernel or hardware feature this machine lacks):"
while IFS= read -r name; do
  # The reason: the line after gtest's "Skipped" marker, or the SKIPPED: line of a script test.
  reason="$(awk -v name="$name" '
    index($0, "Test: " name) && !found { inside = 1; next }
    inside && /^[0-9]+\/[0-9]+ Test: / { exit }
    inside && /SKIPPED:/ { sub(/.*SKIPPED: */, ""); print; found = 1; exit }
    inside && /: Skipped$/ { getline; print; found = 1; exit }
  ' "$log")"
  echo "  $name: ${reason:-no reason printed}"
done <<<"$skipped_names"
