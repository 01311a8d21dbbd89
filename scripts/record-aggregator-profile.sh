#!/usr/bin/env bash
# Records the real tailor-aggregator with `tailor record` while it serves, and writes the
# seccomp profile the chart ships for it (deploy/helm/tailor/files/aggregator-seccomp.json,
# used with aggregator.seccompProfile.type=Tailor). Needs root, a BTF kernel and a build:
#   scripts/record-aggregator-profile.sh [BUILD_DIR]
# The aggregator runs against the test bed's API server (tailor-test-apiserver) and is
# exercised over HTTPS: probes, /metrics, /api/v1/profiles, rejected and accepted-shape
# batches (TokenReviews), and its start-up list of SeccompProfiles.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
tailor="$build/agent/tailor"
aggregator="$build/aggregator/tailor-aggregator"
apiserver="$build/tests/testbed/tailor-test-apiserver"
for bin in "$tailor" "$aggregator" "$apiserver"; do
  [ -x "$bin" ] || { echo "record-aggregator-profile: $bin is missing; build it first" >&2; exit 1; }
done
work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$apiserver" --dir "$work/api" >"$work/api.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/api/kubeconfig" ] && break; sleep 0.1; done
[ -s "$work/api/kubeconfig" ] || { cat "$work/api.log" >&2; exit 1; }

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout "$work/tls.key" -out "$work/tls.crt" 2>/dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

"$tailor" record -o "$work/aggregator.report.json" -d 20 -- "$aggregator" --listen "127.0.0.1:$port" \
  --kubeconfig "$work/api/kubeconfig" --tls-cert "$work/tls.crt" --tls-key "$work/tls.key" \
  --debounce 0.2 >"$work/record.log" 2>&1 &
recorder=$!
url="https://127.0.0.1:$port"
for _ in $(seq 100); do curl -sf --cacert "$work/tls.crt" "$url/healthz" >/dev/null && break; sleep 0.1; done
for round in $(seq 10); do
  for path in /healthz /readyz /metrics /api/v1/profiles; do
    curl -s --cacert "$work/tls.crt" "$url$path" >/dev/null || true
  done
  curl -s --cacert "$work/tls.crt" -H "Authorization: Bearer not-a-token-$round" \
    --data-binary '{"node":"n"}' "$url/api/v1/deltas" >/dev/null || true
  curl -s --cacert "$work/tls.crt" --data-binary 'x' "$url/api/v1/deltas" >/dev/null || true
  sleep 1
done
wait "$recorder" || true
[ -s "$work/aggregator.report.json" ] || { cat "$work/record.log" >&2; exit 1; }
"$tailor" profile "$work/aggregator.report.json" --format spo-json --name tailor-aggregator \
  --no-new-privileges -o "$work/profile.json"
python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["spec"], indent=2))' \
  "$work/profile.json" >"$root/deploy/helm/tailor/files/aggregator-seccomp.json"
echo "wrote deploy/helm/tailor/files/aggregator-seccomp.json"
