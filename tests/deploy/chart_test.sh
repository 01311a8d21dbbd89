#!/usr/bin/env bash
# The chart's tests (tests/deploy/CMakeLists.txt registers one ctest per check):
#   chart_test.sh render CASE | bad-values | security-checker | manifests | tls |
#                 values-docs | renderer
# Environment: HELM_RENDER, NODE_DIR, SOURCE_DIR, TAILOR_REFERENCE_DIR. A missing tool fails.
set -euo pipefail
check="$1"
chart="$SOURCE_DIR/deploy/helm/tailor"
spo_crd="$TAILOR_REFERENCE_DIR/spo/seccompprofile-crd.yaml"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# A missing tool, build or data file fails, naming it (scripts/install-deps.sh installs the tools).
fail() { echo "FAILED: $*"; exit 1; }
need_render() { [ -x "$HELM_RENDER" ] || fail "helm-render was not built: go (golang-go) is missing"; }
need_node() {
  [ -f "$NODE_DIR/node_modules/.package-lock.json" ] || fail "the validators were not installed: node/npm is missing"
}
# helm template with the CRD API versions a cluster with cert-manager and Prometheus Operator has.
render() {
  "$HELM_RENDER" --name tailor --namespace tailor \
    --api-versions cert-manager.io/v1 --api-versions monitoring.coreos.com/v1 "$@" "$chart"
}
values_of() { [ "$1" = default ] && return 0; echo "-f $chart/ci/$1-values.yaml"; }
expect() { grep -qF -- "$2" "$1" || { echo "FAIL: expected in the render: $2"; exit 1; }; }
expect_not() { if grep -qF -- "$2" "$1"; then echo "FAIL: not expected in the render: $2"; exit 1; fi; }
run_node() { (cd "$NODE_DIR" && node "$@"); }

case "$check" in
render)
  need_render; need_node
  [ -f "$spo_crd" ] || fail "the SPO CRD is missing: $spo_crd"
  name="$2"
  # shellcheck disable=SC2046
  render $(values_of "$name") >"$work/out.yaml"
  run_node validate.mjs --crd "$spo_crd" "$work/out.yaml"
  run_node security_check.mjs "$work/out.yaml"
  out="$work/out.yaml"
  case "$name" in
  default)
    expect "$out" "# Source: tailor/templates/tls/generated.yaml"
    expect "$out" "replicas: 2"
    expect "$out" "grafana_dashboard: \"1\""
    expect "$out" "audience: tailor-aggregator"
    expect "$out" "--agent-service-account=system:serviceaccount:tailor:tailor-agent"
    expect_not "$out" "kind: ServiceMonitor"
    expect_not "$out" "kind: NetworkPolicy"
    expect_not "$out" "--client-ca"
    "$HELM_RENDER" --name tailor --namespace tailor --notes "$chart" | grep -q "tailor.dev/record=true"
    ;;
  cert-manager)
    expect "$out" "kind: Certificate"
    expect "$out" "secretName: tailor-agent-client-tls"
    expect "$out" "--client-ca=/etc/tailor/tls/ca.crt"
    expect "$out" "--client-cert=/etc/tailor/client-tls/tls.crt"
    expect_not "$out" "# Source: tailor/templates/tls/generated.yaml"
    ;;
  servicemonitor)
    [ "$(grep -c '^kind: ServiceMonitor' "$out")" = 2 ] || { echo "FAIL: want two ServiceMonitors"; exit 1; }
    expect "$out" "kind: NetworkPolicy"
    expect "$out" "serverName: tailor-aggregator.tailor.svc"
    # Without the Prometheus Operator's API the chart refuses, as helm would.
    if "$HELM_RENDER" --name tailor --namespace tailor -f "$chart/ci/servicemonitor-values.yaml" "$chart" \
      >/dev/null 2>"$work/err"; then
      echo "FAIL: rendered a ServiceMonitor without monitoring.coreos.com/v1"; exit 1
    fi
    expect "$work/err" "serviceMonitor.enabled needs the Prometheus Operator's CRDs"
    ;;
  record-only)
    expect "$out" "--record-only"
    expect "$out" "name: tailor-ca-bundle"
    expect_not "$out" "seccompprofiles"
    expect_not "$out" "kind: Secret"
    ;;
  hardened)
    expect "$out" "kind: SeccompProfile"
    expect "$out" "localhostProfile: operator/tailor-aggregator.json"
    expect "$out" "image: registry.example.com/tailor@sha256:"
    expect "$out" "priorityClassName: system-node-critical"
    expect "$out" "runAsUser: 1000680000"
    expect_not "$out" "kind: PriorityClass"
    ;;
  *) echo "unknown case $name"; exit 2 ;;
  esac
  ;;
bad-values)
  need_render
  for file in "$SOURCE_DIR"/tests/deploy/bad-values/*.yaml; do
    want="$(sed -n 's/^# expect: //p' "$file")"
    if render -f "$file" >/dev/null 2>"$work/err"; then
      echo "FAIL: $file was accepted"; exit 1
    fi
    grep -qF -- "$want" "$work/err" || { echo "FAIL: $file: want '$want', got:"; cat "$work/err"; exit 1; }
    echo "rejected $(basename "$file"): $want"
  done
  ;;
security-checker)
  # The checker must catch what it is for: each mutation of a good render fails it.
  need_render; need_node
  render >"$work/good.yaml"
  run_node security_check.mjs "$work/good.yaml"
  mutations=(
    's/privileged: false/privileged: true/'
    's/add: \[BPF, PERFMON, DAC_READ_SEARCH\]/add: [BPF, PERFMON, DAC_READ_SEARCH, SYS_ADMIN]/'
    's/verbs: \[list, watch\]/verbs: [list, watch, get]/'
    's/verbs: \[create\]/verbs: ["*"]/'
    's/runAsNonRoot: true/runAsNonRoot: false/'
    's/readOnlyRootFilesystem: true/readOnlyRootFilesystem: false/'
    's/- operator: Exists/- {operator: Exists, key: a}/'
    's/audience: tailor-aggregator/audience: api/'
    's/verbs: \[get, list, create, update\]/verbs: [get, list, create]/'
  )
  for m in "${mutations[@]}"; do
    sed "$m" "$work/good.yaml" >"$work/bad.yaml"
    cmp -s "$work/good.yaml" "$work/bad.yaml" && { echo "FAIL: mutation '$m' changed nothing"; exit 1; }
    if run_node security_check.mjs "$work/bad.yaml" >/dev/null 2>&1; then
      echo "FAIL: the checker passed a render mutated with '$m'"; exit 1
    fi
    echo "caught: $m"
  done
  ;;
manifests)
  need_render
  HELM_RENDER="$HELM_RENDER" "$SOURCE_DIR/scripts/render-manifests.sh" --check
  ;;
tls)
  need_render
  command -v openssl >/dev/null || fail "openssl is missing"
  render -f "$chart/ci/hardened-values.yaml" >"$work/out.yaml"
  field() { # field KIND NAME KEY: a data value of the rendered object
    awk -v kind="$1" -v name="$2" -v key="$3" '
      /^---/ {k=""; n=""; data=0}
      /^kind:/ {k=$2}
      /^  name:/ && n=="" {n=$2}
      /^data:/ {data=1; next}
      data && k==kind && n==name && $1==key":" {print $2}' "$work/out.yaml"
  }
  field Secret tailor-aggregator-tls tls.crt | base64 -d >"$work/tls.crt"
  field Secret tailor-aggregator-tls ca.crt | base64 -d >"$work/ca.crt"
  field Secret tailor-agent-client-tls tls.crt | base64 -d >"$work/client.crt"
  openssl verify -CAfile "$work/ca.crt" -verify_hostname tailor-aggregator.tailor.svc "$work/tls.crt"
  openssl verify -CAfile "$work/ca.crt" -purpose sslclient "$work/client.crt"
  # Agents trust the ConfigMap's CA: it must be the one that signed the serving certificate.
  awk '/^kind: ConfigMap/ {c=1} c && /BEGIN CERTIFICATE/ {p=1} p {sub(/^    /, ""); print} p && /END CERTIFICATE/ {exit}' \
    "$work/out.yaml" >"$work/configmap-ca.crt"
  cmp <(openssl x509 -in "$work/configmap-ca.crt" -noout -fingerprint) \
      <(openssl x509 -in "$work/ca.crt" -noout -fingerprint)
  # The plain manifests' generator makes the same pair, valid for its namespace.
  "$SOURCE_DIR/deploy/manifests/gen-tls.sh" shop 30 >"$work/gen.yaml"
  awk '$1=="tls.crt:" {print $2}' "$work/gen.yaml" | base64 -d >"$work/gen-tls.crt"
  awk '$1=="ca.crt:" && $2!="|" {print $2}' "$work/gen.yaml" | base64 -d >"$work/gen-ca.crt"
  openssl verify -CAfile "$work/gen-ca.crt" -verify_hostname tailor-aggregator.shop.svc "$work/gen-tls.crt"
  ;;
values-docs)
  need_node
  run_node values_docs.mjs "$chart/values.yaml" "$SOURCE_DIR/docs/install.md"
  ;;
renderer)
  command -v go >/dev/null || fail "go (golang-go) is missing"
  cd "$SOURCE_DIR/tests/tools/helm-render"
  GO111MODULE=off GOPATH="$work/gopath:/usr/share/gocode" GOCACHE="$work/gocache" GOFLAGS= go test ./...
  ;;
*) echo "unknown check $check"; exit 2 ;;
esac
echo "PASS: $check ${2:-}"
