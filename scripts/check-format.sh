#!/usr/bin/env bash
# Checks, without changing anything, that the repository's C and C++ sources are formatted as
# .clang-format says; prints each file clang-format would change and fails if there is one.
# Generated files (bpf/vmlinux/) are left out. With FILE arguments, checks only those.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
command -v clang-format >/dev/null || { echo "check-format: clang-format is missing: run scripts/install-deps.sh" >&2; exit 1; }

if [ "$#" -gt 0 ]; then
  files=("$@")
else
  mapfile -t files < <(git ls-files -- '*.c' '*.h' '*.cc' '*.cpp' '*.hpp' ':!bpf/vmlinux/')
fi
for file in "${files[@]}"; do
  [ -f "$file" ] || { echo "check-format: no such file: $file" >&2; exit 1; }
done
# One clang-format for all files (a process per file takes minutes on a loaded machine); each
# violation starts with a "FILE:LINE:COL: error: code should be clang-formatted" line.
status=0
report="$(clang-format --dry-run -Werror --style=file "${files[@]}" 2>&1 >/dev/null)" || status=$?
mapfile -t unformatted < <(grep -oE '^[^:]+:[0-9]+:[0-9]+: error: code should be clang-formatted' \
  <<<"$report" | cut -d: -f1 | sort -u)
if [ "$status" -ne 0 ] && [ "${#unformatted[@]}" -eq 0 ]; then
  echo "$report" >&2
  echo "check-format: clang-format failed (above)" >&2
  exit 1
fi
if [ "${#unformatted[@]}" -gt 0 ]; then
  printf '%s\n' "${unformatted[@]}"
  echo "check-format: ${#unformatted[@]} of ${#files[@]} files are not clang-format clean (above): clang-format -i them" >&2
  exit 1
fi
echo "check-format: ${#files[@]} files clang-format clean"
