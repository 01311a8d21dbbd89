#!/usr/bin/env bash
# The real tailor-aggregator in a real OCI container (runc or crun) made from the chart's Deployment
# (pod_bundle.mjs: non-root user, no capabilities, read-only root, its volumes, its seccomp
# profile) does its whole job against the test bed's API server: it reads its certificate as
# that user, finds the API server from its in-cluster configuration, SPO's API and lists the SeccompProfiles (/readyz), answers probes and
# /metrics, refuses a batch without a client certificate (mutual TLS) and one with a bad token,
# accepts an agent's batches (a bound token from the TokenRequest API, checked by TokenReview),
# creates and then updates the workload's SeccompProfile, and stops cleanly on SIGTERM. The
# chart is rendered with values/aggregator-exercise.yaml (client certificates on, a short
# debounce). CASE: default (RuntimeDefault) or tailor-profile (the profile Tailor recorded
# for it, as SPO would install it). Environment: chart_test.sh's, AGGREGATOR_BIN, APISERVER_BIN,
# RUNTIME; RECORD_TO=FILE also records the container from its first syscall, the runtime's
# start-up included, with TAILOR_BIN (scripts/record-aggregator-profile.sh), and runs it without
# a seccomp filter: RuntimeDefault answers clone3 with ENOSYS, so glibc would fall back to clone
# and the recording would not show the clone3 the profile must answer the same way.
set -euo pipefail
source "$(dirname "$0")/pod_lib.sh"
case="$1"
pod_preconditions
[ -x "$AGGREGATOR_BIN" ] || fail "$AGGREGATOR_BIN was not built"
pod_setup "aggregator-$case-$runtime"

values=(-f "$SOURCE_DIR/tests/deploy/values/image.yaml" -f "$SOURCE_DIR/tests/deploy/values/aggregator-exercise.yaml")
[ "$case" = tailor-profile ] && values+=(-f "$SOURCE_DIR/tests/deploy/values/aggregator-tailor-profile.yaml")
"$HELM_RENDER" --name tailor --namespace tailor "${values[@]}" "$SOURCE_DIR/deploy/helm/tailor" >"$work/manifests.yaml"
start_apiserver
# In-cluster configuration, as the kubelet gives it: the API server's address in the
# environment, and the pod's bound token, the cluster CA and the namespace in the projected
# service-account volume (0644, defaultMode; the user is not root). The token comes from the
# TokenRequest API for an aggregator pod object, so the bed authenticates it as the real
# server would.
api POST /api/v1/namespaces/tailor/pods '{"metadata": {"name": "tailor-aggregator-0"},
  "spec": {"nodeName": "node-b", "serviceAccountName": "tailor-aggregator",
           "containers": [{"name": "aggregator", "image": "tailor"}]}}' >/dev/null
mkdir -p "$work/serviceaccount"
api POST /api/v1/namespaces/tailor/serviceaccounts/tailor-aggregator/token \
  '{"spec": {"boundObjectRef": {"kind": "Pod", "apiVersion": "v1", "name": "tailor-aggregator-0"}}}' |
  node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(0)).status.token)' \
    >"$work/serviceaccount/token"
cp "$work/api/ca.crt" "$work/serviceaccount/ca.crt"
printf tailor >"$work/serviceaccount/namespace"
chmod 0755 "$work" "$work/serviceaccount" && chmod 0644 "$work/serviceaccount"/*
# One CA, as the chart's Secret holds it: the serving certificate and the agents' client
# certificate (kept outside the container) chain to ca.crt.
mkdir -p "$work/tls" "$work/client"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=tailor-test-ca \
  -keyout "$work/client/ca.key" -out "$work/tls/ca.crt" 2>/dev/null
issue() { # issue DIR NAME SUBJECT EXTENSION SERIAL
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "$3" \
    -keyout "$1/$2.key" -out "$1/$2.csr" 2>/dev/null
  openssl x509 -req -in "$1/$2.csr" -CA "$work/tls/ca.crt" -CAkey "$work/client/ca.key" -days 1 \
    -set_serial "$5" -extfile <(echo "$4") -out "$1/$2.crt" 2>/dev/null
  rm "$1/$2.csr"
}
issue "$work/tls" tls /CN=localhost subjectAltName=DNS:localhost,IP:127.0.0.1 2
issue "$work/client" agent /CN=tailor-agent extendedKeyUsage=clientAuth 3
chmod 0755 "$work/tls" && chmod 0644 "$work/tls"/*

args=()
while read -r a; do
  case "$a" in
  --audience=*) audience="${a#*=}" args+=("$a") ;;
  --agent-service-account=system:serviceaccount:*)
    IFS=: read -r _ _ agent_ns agent_sa <<<"$a"
    args+=("$a")
    ;;
  --listen=* | --ui-listen=*) ;;
  /usr/bin/tailor-aggregator) args+=("$AGGREGATOR_BIN") ;;
  *) args+=("$a") ;;
  esac
done < <(rendered_command "$work/manifests.yaml" Deployment)
# The container shares this host's network (one of its own could not reach the test API
# server), so the ports are chosen by the kernel: cases run at once would collide on fixed ones
# (the web view's default 8081 did, under ctest -j2).
args+=(--listen=127.0.0.1:0 --ui-listen=127.0.0.1:0)

node -e 'const [out, work, prefix, binds, profile, api, ...args] = process.argv.slice(1);
  const { hostname, port } = new URL(api);
  require("fs").writeFileSync(out, JSON.stringify({
    args, env: [`KUBERNETES_SERVICE_HOST=${hostname}`, `KUBERNETES_SERVICE_PORT=${port}`],
    cgroupsPath: `/${prefix}`, volumes: { tls: `${work}/tls` },
    binds: [...JSON.parse(binds), { source: `${work}/serviceaccount`, readOnly: true,
      destination: "/var/run/secrets/kubernetes.io/serviceaccount" }],
    localhostProfile: profile, unconfined: !!process.env.RECORD_TO,
  }));' "$work/spec.json" "$work" "$prefix/$id" "$(image_binds "$(dirname "$AGGREGATOR_BIN")")" \
  "$SOURCE_DIR/deploy/helm/tailor/files/aggregator-seccomp.json" "$server" "${args[@]}"
if [ -n "${RECORD_TO:-}" ]; then
  "$TAILOR_BIN" record --container "$id" --wait -o "$RECORD_TO" >"$work/record.log" 2>&1 &
  recorder=$!
  cleanup_waits+=("$recorder")
  # Ready once it watches for the container: it then sees the container from its first call.
  wait_for_log '.*\(waiting for container\).*' "$work/record.log" >/dev/null
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
pid="$(container_pid)"
uid="$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")"
[ "$uid" = 65532 ] || failures+=("runs as uid $uid, want 65532")

# An agent pod on node-a and the token its kubelet would project (TokenRequest).
node=node-a
api POST "/api/v1/namespaces/$agent_ns/pods" "{\"metadata\": {\"name\": \"tailor-agent-a\"},
  \"spec\": {\"nodeName\": \"$node\", \"serviceAccountName\": \"$agent_sa\",
             \"containers\": [{\"name\": \"agent\", \"image\": \"tailor\"}]}}" >/dev/null
agent_token="$(api POST "/api/v1/namespaces/$agent_ns/serviceaccounts/$agent_sa/token" \
  "{\"spec\": {\"audiences\": [\"$audience\"], \"boundObjectRef\": {\"kind\": \"Pod\",
   \"apiVersion\": \"v1\", \"name\": \"tailor-agent-a\"}}}" |
  node -p 'JSON.parse(require("fs").readFileSync(0)).status.token')"
batch() { # batch SEQ SYSCALL-NAME:NR...: a delta batch (docs/wire-format.md) for shop/web/nginx
  node -e 'const [seq, ...calls] = process.argv.slice(2);
    console.log(JSON.stringify({format: "tailor.delta", version: 1, node: process.argv[1],
      agent: {id: "0d3c6f8e-5d1b-4c43-9a0e-6b3e1f7c2a10", started_unix_ms: 1714564800123},
      seq: Number(seq), workloads: [{
        key: {namespace: "shop", kind: "Deployment", name: "web", container: "nginx"},
        pods: seq === "1" ? ["3c1e6f2a-0000-4000-8000-000000000001"] : [],
        syscalls: calls.map((c) => ({arch: "x86_64", name: c.split(":")[0],
          nr: Number(c.split(":")[1]), phase: "workload", count: 5,
          first_seen_unix_ms: 1714564800223, pods: 1}))}]}));' "$node" "$@"
}
client_cert=(--cert "$work/client/agent.crt" --key "$work/client/agent.key")
post_batch() { # post_batch CODE WHAT BATCH TOKEN [CURL-ARGS...]
  local code="$1" what="$2" body="$3" bearer="$4"
  shift 4
  want "$code" "$what" "$@" -H "Authorization: Bearer $bearer" -H "Content-Type: application/json" \
    --data-binary "$body" "$url/api/v1/deltas"
}
# The allowed names of the workload's SeccompProfile, space-separated ("" while there is none).
profile_names() {
  curl -sf --cacert "$work/api/ca.crt" -H "Authorization: Bearer $token" \
    "$server/apis/security-profiles-operator.x-k8s.io/v1/seccompprofiles?labelSelector=tailor.dev%2Fworkload-name%3Dweb" |
    node -p 'const items = JSON.parse(require("fs").readFileSync(0)).items;
      items.flatMap((p) => p.spec.syscalls.filter((s) => s.action === "SCMP_ACT_ALLOW")
        .flatMap((s) => s.names)).join(" ")' || true
}
wait_for_profile() { # wait_for_profile NAME WHAT: until the profile allows NAME
  for _ in $(seq 100); do
    [[ " $(profile_names) " == *" $1 "* ]] && return
    sleep 0.1
  done
  failures+=("$2: the SeccompProfile does not allow $1 (allows: $(profile_names))")
}
# With --client-ca a batch needs a client certificate before its token is reviewed.
post_batch 401 "a batch without a client certificate" "$(batch 1 read:0)" "$agent_token"
# 401 needs a completed TokenReview (a failed one is 503).
post_batch 401 "a batch with a bad token" '{}' not-a-token "${client_cert[@]}"
# A valid batch is merged, and the profile created (GET, then POST) after the debounce...
post_batch 200 "a valid batch" "$(batch 1 read:0 write:1)" "$agent_token" "${client_cert[@]}"
wait_for_profile write "after the first batch"
# ... and a second one updates it (GET, then PUT with the read resourceVersion).
post_batch 200 "a second valid batch" "$(batch 2 openat:257)" "$agent_token" "${client_cert[@]}"
wait_for_profile openat "after the second batch"
want 200 "GET /api/v1/profiles" "$url/api/v1/profiles"

# SIGTERM stops it cleanly: it logs why, and the container's process is gone soon after.
rt kill "$id" TERM
for _ in $(seq 50); do [ "$(container_status)" = stopped ] && break; sleep 0.1; done
[ "$(container_status)" = stopped ] || failures+=("still running 5 s after SIGTERM")
grep -q "stopping on signal 15" "$work/pod.log" || failures+=("no clean stop on SIGTERM")
if [ "${#failures[@]}" -gt 0 ]; then
  echo "FAIL: tailor-aggregator under the Deployment's pod spec ($case, $runtime):"
  printf '  %s\n' "${failures[@]}"
  cat "$work/pod.log"
  exit 1
fi
if [ -n "${RECORD_TO:-}" ]; then
  # The recording ends when the container's cgroup empties; SIGINT ends it regardless.
  for _ in $(seq 50); do kill -0 "$recorder" 2>/dev/null || break; sleep 0.1; done
  kill -INT "$recorder" 2>/dev/null || true
  wait "$recorder" || true
  [ -s "$RECORD_TO" ] || { echo "FAIL: no recording:"; cat "$work/record.log"; exit 1; }
fi
echo "PASS: tailor-aggregator serves, accepts batches and writes profiles under the Deployment's pod spec ($case, $runtime) as uid $uid"
