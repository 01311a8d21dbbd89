#!/usr/bin/env bash
# The seccomp profile the chart ships for tailor-aggregator itself
# (deploy/helm/tailor/files/aggregator-seccomp.json, aggregator.seccompProfile.type=Tailor).
#   scripts/record-aggregator-profile.sh [BUILD_DIR]           record it anew (writes the file)
#   scripts/record-aggregator-profile.sh --verify [BUILD_DIR]  run the aggregator under it and
#                                                              check it still serves (ctest)
# Needs a build of tailor, tailor-aggregator and tailor-test-apiserver, curl and openssl;
# recording also needs root and a BTF kernel.
# The real aggregator runs against the test bed's API server and is exercised over HTTPS:
# start-up (SPO discovery, listing SeccompProfiles), probes, /metrics, /api/v1/profiles, and
# batches it must authenticate (each one a TokenReview against the API server).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
mode=record
if [ "${1:-}" = "--verify" ]; then mode=verify; shift; fi
build="${1:-$root/build}"
profile_file="$root/deploy/helm/tailor/files/aggregator-seccomp.json"
tailor="$build/agent/tailor"
aggregator="$build/aggregator/tailor-aggregator"
apiserver="$build/tests/testbed/tailor-test-apiserver"
for bin in "$tailor" "$aggregator" "$apiserver"; do
  if [ ! -x "$bin" ]; then
    echo "SKIPPED: $bin is missing; build tailor, tailor-aggregator and tailor-test-apiserver"
    exit 77
  fi
done
if [ "$mode" = record ] && [ "$(id -u)" -ne 0 ]; then echo "needs root: tailor record loads BPF" >&2; exit 1; fi
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
serve=("$aggregator" --listen 127.0.0.1:0 --kubeconfig "$work/api/kubeconfig"
  --tls-cert "$work/tls.crt" --tls-key "$work/tls.key" --debounce 0.2)

if [ "$mode" = record ]; then
  "$tailor" record -o "$work/aggregator.report.json" -d 20 -- "${serve[@]}" >"$work/run.log" 2>&1 &
else
  # The SPO spec is an OCI profile already: architectures, defaultAction, syscalls.
  "$tailor" run -p "$profile_file" -- "${serve[@]}" >"$work/run.log" 2>&1 &
fi
runner=$!
pids+=("$runner")
port=""
for _ in $(seq 100); do
  port="$(sed -n 's/.*serving on port \([0-9]*\).*/\1/p' "$work/run.log" | head -1)"
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "tailor-aggregator did not start:" >&2; cat "$work/run.log" >&2; exit 1; }
url="https://127.0.0.1:$port"
status() { curl -s -o /dev/null -w '%{http_code}' --cacert "$work/tls.crt" "$@" || true; }
for _ in $(seq 100); do [ "$(status "$url/readyz")" = 200 ] && break; sleep 0.1; done

failures=()
want() { # want CODE WHAT CURL-ARGS...
  local code="$1" what="$2"
  shift 2
  local got
  got="$(status "$@")"
  [ "$got" = "$code" ] || failures+=("$what: HTTP $got, want $code")
}
for round in $(seq 5); do
  for path in /healthz /readyz /metrics /api/v1/profiles; do want 200 "GET $path" "$url$path"; done
  # 401 needs a completed TokenReview (a failed one is 503).
  want 401 "batch with a bad token" -H "Authorization: Bearer not-a-token-$round" \
    --data-binary '{"node":"n"}' "$url/api/v1/deltas"
  want 401 "batch without a token" --data-binary 'x' "$url/api/v1/deltas"
  sleep 1
done

if [ "$mode" = verify ]; then
  kill -0 "$runner" 2>/dev/null || failures+=("the aggregator exited under the profile")
  if [ "${#failures[@]}" -gt 0 ]; then
    printf 'under %s:\n' "$profile_file" >&2
    printf '  %s\n' "${failures[@]}" >&2
    cat "$work/run.log" >&2
    echo "regenerate it: scripts/record-aggregator-profile.sh BUILD_DIR" >&2
    exit 1
  fi
  echo "tailor-aggregator serves under its shipped profile"
  exit 0
fi

if [ "${#failures[@]}" -gt 0 ]; then printf '%s\n' "${failures[@]}" >&2; exit 1; fi
wait "$runner" || true
[ -s "$work/aggregator.report.json" ] || { cat "$work/run.log" >&2; exit 1; }
"$tailor" profile "$work/aggregator.report.json" --format spo-json --name tailor-aggregator \
  --no-new-privileges -o "$work/profile.json"
python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["spec"], indent=2))' \
  "$work/profile.json" >"$profile_file"
echo "wrote $profile_file"
