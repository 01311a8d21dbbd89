#!/usr/bin/env bash
# The real tailor-aggregator in a real OCI container (runc or crun) made from the chart's Deployment
# (pod_bundle.mjs: non-root user, no capabilities, read-only root, its volumes, its seccomp
# profile) serves: it reads its certificate as that user, finds SPO's API and lists the
# SeccompProfiles (/readyz), answers probes and /metrics, and authenticates batches with
# TokenReviews. CASE: default (RuntimeDefault) or tailor-profile (the profile Tailor recorded
# for it, as SPO would install it). Environment: chart_test.sh's, AGGREGATOR_BIN, APISERVER_BIN,
# RUNTIME; RECORD_TO=FILE also records the container from its first syscall, the runtime's
# start-up included, with TAILOR_BIN (scripts/record-aggregator-profile.sh), and runs it without
# a seccomp filter: RuntimeDefault answers clone3 with ENOSYS, so glibc would fall back to clone
# and the recording would not show the clone3 the profile must answer the same way.
set -euo pipefail
source "$(dirname "$0")/pod_lib.sh"
case="$1"
pod_preconditions
[ -x "$AGGREGATOR_BIN" ] || skip "$AGGREGATOR_BIN was not built"
pod_setup "aggregator-$case-$runtime"

values=()
[ "$case" = tailor-profile ] && values=(-f "$SOURCE_DIR/tests/deploy/values/aggregator-tailor-profile.yaml")
"$HELM_RENDER" --name tailor --namespace tailor "${values[@]}" "$SOURCE_DIR/deploy/helm/tailor" >"$work/manifests.yaml"
start_apiserver
# The kubelet writes Secret volumes 0644 (defaultMode); the user is not root.
chmod 0755 "$work" "$work/api" && chmod 0644 "$work/api/kubeconfig" "$work/api/ca.crt"
mkdir -p "$work/tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout "$work/tls/tls.key" -out "$work/tls/tls.crt" 2>/dev/null
cp "$work/tls/tls.crt" "$work/tls/ca.crt"
chmod 0755 "$work/tls" && chmod 0644 "$work/tls"/*

args=()
while read -r a; do
  case "$a" in
  --listen=*) ;;
  /usr/bin/tailor-aggregator) args+=("$AGGREGATOR_BIN") ;;
  *) args+=("$a") ;;
  esac
done < <(rendered_command "$work/manifests.yaml" Deployment)
args+=(--listen=127.0.0.1:0 --kubeconfig="$work/api/kubeconfig")

node -e 'const [out, work, prefix, binds, profile, ...args] = process.argv.slice(1);
  require("fs").writeFileSync(out, JSON.stringify({
    args, env: [], cgroupsPath: `/${prefix}`, volumes: { tls: `${work}/tls` },
    binds: JSON.parse(binds), localhostProfile: profile, unconfined: !!process.env.RECORD_TO,
  }));' "$work/spec.json" "$work" "$prefix/$id" "$(image_binds "$(dirname "$AGGREGATOR_BIN")" "$work/api")" \
  "$SOURCE_DIR/deploy/helm/tailor/files/aggregator-seccomp.json" "${args[@]}"
if [ -n "${RECORD_TO:-}" ]; then
  "$TAILOR_BIN" record --container "$id" --wait -o "$RECORD_TO" >"$work/record.log" 2>&1 &
  recorder=$!
  cleanup_waits+=("$recorder")
  sleep 1
fi
run_pod Deployment "$work/spec.json"
port="$(wait_for_log '.*serving on port \([0-9]*\).*')"
url="https://127.0.0.1:$port"
status() { curl -s -o /dev/null -w '%{http_code}' --cacert "$work/tls/ca.crt" "$@" || true; }
for _ in $(seq 100); do [ "$(status "$url/readyz")" = 200 ] && break; sleep 0.1; done

failures=()
want() { # want CODE WHAT CURL-ARGS...
  local code="$1" what="$2" got
  shift 2
  got="$(status "$@")"
  [ "$got" = "$code" ] || failures+=("$what: HTTP $got, want $code")
}
for path in /healthz /readyz /metrics /api/v1/profiles; do want 200 "GET $path" "$url$path"; done
# 401 needs a completed TokenReview (a failed one is 503).
want 401 "a batch with a bad token" -H "Authorization: Bearer not-a-token" --data-binary '{}' "$url/api/v1/deltas"
pid="$(container_pid)"
uid="$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")"
[ "$uid" = 65532 ] || failures+=("runs as uid $uid, want 65532")
if [ "${#failures[@]}" -gt 0 ]; then
  echo "FAIL: tailor-aggregator under the Deployment's pod spec ($case, $runtime):"
  printf '  %s\n' "${failures[@]}"
  cat "$work/pod.log"
  exit 1
fi
if [ -n "${RECORD_TO:-}" ]; then
  rt kill "$id" TERM
  # The recording ends when the container's cgroup empties; SIGINT ends it regardless.
  for _ in $(seq 50); do kill -0 "$recorder" 2>/dev/null || break; sleep 0.1; done
  kill -INT "$recorder" 2>/dev/null || true
  wait "$recorder" || true
  [ -s "$RECORD_TO" ] || { echo "FAIL: no recording:"; cat "$work/record.log"; exit 1; }
fi
echo "PASS: tailor-aggregator serves under the Deployment's pod spec ($case, $runtime) as uid $uid"
