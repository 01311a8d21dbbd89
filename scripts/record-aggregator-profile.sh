#!/usr/bin/env bash
# Records the seccomp profile the chart ships for tailor-aggregator itself
# (deploy/helm/tailor/files/aggregator-seccomp.json, aggregator.seccompProfile.type=Tailor):
#   scripts/record-aggregator-profile.sh [BUILD_DIR]
# The real aggregator runs in a runc and then a crun container made from the chart's Deployment
# (tests/deploy/aggregator_pod_test.sh), against the test bed's API server, and does its whole
# job (in-cluster configuration, start-up with SPO discovery and the SeccompProfile list,
# probes, /metrics, /api/v1/profiles, batches refused and accepted over mutual TLS with
# TokenReview, a SeccompProfile created and updated, SIGTERM). `tailor record --container --wait`
# records each from its first syscall, so the profile holds what both runtimes call after
# installing the filter. Needs root, a BTF kernel, runc, crun, and a build of tailor,
# tailor-aggregator, tailor-test-apiserver and the tests/deploy tools (helm_render, k8s_validate).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
export HELM_RENDER="$build/tests/deploy/helm-render" NODE_DIR="$build/tests/deploy/node" SOURCE_DIR="$root"
export TAILOR_REFERENCE_DIR="${TAILOR_REFERENCE_DIR:-$root/data/reference}"
# Resolved: the container sees the binary's directory, not where a symlink points.
TAILOR_BIN="$(readlink -f "$build/agent/tailor")"
AGGREGATOR_BIN="$(readlink -f "$build/aggregator/tailor-aggregator")"
APISERVER_BIN="$(readlink -f "$build/tests/testbed/tailor-test-apiserver")"
export TAILOR_BIN AGGREGATOR_BIN APISERVER_BIN
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for runtime in runc crun; do
  status=0
  RECORD_TO="$work/$runtime.report.json" RUNTIME="$runtime" \
    "$root/tests/deploy/aggregator_pod_test.sh" default || status=$?
  if [ "$status" -ne 0 ]; then
    echo "record-aggregator-profile: recording under $runtime failed (exit $status; 77: a precondition is missing)" >&2
    exit 1
  fi
done
"$TAILOR_BIN" merge "$work/runc.report.json" "$work/crun.report.json" -o "$work/all.report.json"
"$TAILOR_BIN" profile "$work/all.report.json" --format spo-json --name tailor-aggregator \
  --no-new-privileges -o "$work/profile.json"
node -e 'const p = JSON.parse(require("fs").readFileSync(process.argv[1]));
  console.log(JSON.stringify(p.spec, null, 2));' "$work/profile.json" \
  >"$root/deploy/helm/tailor/files/aggregator-seccomp.json"
echo "wrote deploy/helm/tailor/files/aggregator-seccomp.json"
