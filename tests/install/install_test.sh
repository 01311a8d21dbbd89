#!/usr/bin/env bash
# `cmake --install` into a fresh prefix: tailor and tailor-aggregator in bin/, the three runtime
# defaults in share/tailor/ as the files in data/reference, and the installed tailor comparing
# with a default from its built-in copy, run away from the build and source trees.
# Usage: install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build="$1"
source="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"
fail() { echo "FAIL: $*"; exit 1; }

cmake --install "$build" --prefix "$prefix" >"$work/install.log" 2>&1 ||
  { cat "$work/install.log"; fail "cmake --install failed"; }

for binary in tailor tailor-aggregator; do
  [ -x "$prefix/bin/$binary" ] || fail "bin/$binary is not installed"
done
profiles="$source/data/reference/profiles"
for pair in docker-default:moby-default containerd-default:containerd-default crio-default:crio-default; do
  installed="$prefix/share/tailor/${pair%%:*}.json"
  [ -f "$installed" ] || fail "share/tailor/${pair%%:*}.json is not installed"
  cmp -s "$installed" "$profiles/${pair#*:}.json" || fail "$installed differs from ${pair#*:}.json"
done

cat >"$work/mine.json" <<'JSON'
{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"],
 "syscalls": [{"names": ["read", "write", "exit_group"], "action": "SCMP_ACT_ALLOW"}]}
JSON
status=0
(cd / && env -u TAILOR_DOCKER_PROFILE "$prefix/bin/tailor" diff "$work/mine.json" \
  --against crio-default) >"$work/out" 2>"$work/err" || status=$?
[ "$status" = 1 ] || { cat "$work/err"; fail "tailor diff --against crio-default exited $status, expected 1"; }
grep -qF "B: crio-default (containers/common f437c58a, built in)" "$work/out" ||
  { cat "$work/out"; fail "the installed tailor does not name the built-in crio-default"; }
grep -qF "Security-sensitive, removed: " "$work/out" || { cat "$work/out"; fail "no summary"; }
"$prefix/bin/tailor-aggregator" --help >/dev/null || fail "the installed tailor-aggregator does not run"
echo "PASS: installed under $prefix"
