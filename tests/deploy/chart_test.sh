#!/usr/bin/env bash
# The chart's tests (tests/deploy/CMakeLists.txt registers one ctest per check):
#   chart_test.sh render CASE | bad-values | security-checker | manifests | tls |
#                 chart-readme | renderer | notes-spo | missing-crds | dockerignore
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
image_values="$SOURCE_DIR/tests/deploy/values/image.yaml"
# helm template with an image and the CRD API versions a cluster with cert-manager and
# Prometheus Operator has.
render() {
  "$HELM_RENDER" --name tailor --namespace tailor -f "$image_values" \
    --api-versions cert-manager.io/v1 --api-versions monitoring.coreos.com/v1 "$@" "$chart"
}
values_of() { [ "$1" = default ] && return 0; echo "-f $chart/ci/$1-values.yaml"; }
expect() { grep -qF -- "$2" "$1" || { echo "FAIL: expected in the render: $2"; exit 1; }; }
expect_not() { if grep -qF -- "$2" "$1"; then echo "FAIL: not expected in the render: $2"; exit 1; fi; }
count() { grep -c -- "^$2\$" "$1" || true; }
expect_count() { [ "$(count "$1" "$2")" = "$3" ] || { echo "FAIL: want $3 lines '$2', got $(count "$1" "$2")"; exit 1; }; }
# fails_with MESSAGE ARGS...: helm-render with ARGS must fail and say MESSAGE.
fails_with() {
  local want="$1"; shift
  if "$HELM_RENDER" --name tailor --namespace tailor "$@" "$chart" >/dev/null 2>"$work/err"; then
    echo "FAIL: rendered with $*"; exit 1
  fi
  grep -qF -- "$want" "$work/err" || { echo "FAIL: want '$want', got:"; cat "$work/err"; exit 1; }
  echo "refused as expected: $want"
}
run_node() { (cd "$NODE_DIR" && node "$@"); }
# Each sed mutation of $work/good.yaml must change it and make security_check.mjs refuse it.
checker_catches() {
  local what="$1" m
  shift
  for m in "$@"; do
    sed "$m" "$work/good.yaml" >"$work/bad.yaml"
    cmp -s "$work/good.yaml" "$work/bad.yaml" && { echo "FAIL: mutation '$m' changed nothing"; exit 1; }
    if run_node security_check.mjs "$work/bad.yaml" >/dev/null 2>&1; then
      echo "FAIL: the checker passed a render$what mutated with '$m'"; exit 1
    fi
    echo "caught$what: $m"
  done
}

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
    expect "$out" "image: registry.example.com/tailor:0.1.0"
    expect "$out" "serviceAccountName: tailor-agent"
    # No cluster-wide PriorityClass unless asked for.
    expect_not "$out" "kind: PriorityClass"
    expect_not "$out" "priorityClassName"
    # bpffs: created when missing, a later host mount seen, the agent unprivileged.
    expect "$out" "mountPropagation: HostToContainer"
    expect_not "$out" "privileged: true"
    expect_not "$out" "kind: PrometheusRule"
    # helm test: /healthz through the Service, verified with the agents' CA.
    expect "$out" "helm.sh/hook: test"
    expect "$out" "- https://tailor-aggregator.tailor.svc:8443/healthz"
    expect "$out" "- /etc/tailor/aggregator-ca/ca.crt"
    "$HELM_RENDER" --name tailor --namespace tailor -f "$image_values" --notes "$chart" | grep -q "tailor.dev/record=true"
    ;;
  bpffs-mount)
    expect "$out" "mountPropagation: Bidirectional"
    expect "$out" "privileged: true"
    expect_count "$out" "            privileged: true" 1
    ;;
  overrides)
    expect "$out" "image: mirror.example.com/tailor:0.1.0-rc1"
    expect "$out" "serviceAccountName: node-recorder"
    expect "$out" "--agent-service-account=system:serviceaccount:tailor:node-recorder"
    expect "$out" "serviceAccountName: profile-writer"
    expect_count "$out" "kind: ServiceAccount" 1
    expect "$out" "  name: profile-writer"
    expect "$out" "eks.amazonaws.com/role-arn:"
    expect_not "$out" "kind: ClusterRole"
    expect "$out" "kind: PriorityClass"
    expect "$out" "priorityClassName: tailor-agent"
    expect "$out" "fsGroup: 2000"
    expect "$out" "type: spc_t"
    expect "$out" "runAsUser: 4242"
    expect "$out" "runAsGroup: 4242"
    expect_count "$out" "            - name: TZ" 2
    expect "$out" "mountPath: /var/cache/tailor"
    expect "$out" "mountPath: /tmp"
    expect "$out" "image: mirror.example.com/curlimages/curl:8.11.1"
    ;;
  cert-manager)
    expect "$out" "kind: Certificate"
    expect "$out" "secretName: tailor-agent-client-tls"
    expect "$out" "--client-ca=/etc/tailor/tls/ca.crt"
    expect "$out" "--client-cert=/etc/tailor/client-tls/tls.crt"
    expect_not "$out" "# Source: tailor/templates/tls/generated.yaml"
    expect "$out" "commonName: system:serviceaccount:tailor:tailor-agent"
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
    expect "$work/err" "needs the Prometheus Operator's CRDs"
    # The job names deploy/prometheus' rules expect, and those rules as they are.
    expect "$out" "replacement: tailor-agent"
    expect "$out" "replacement: tailor-aggregator"
    expect_count "$out" "kind: PrometheusRule" 1
    run_node -e '
      import("./documents.mjs").then(async ({ readDocuments }) => {
        const { parse } = await import("yaml");
        const fs = await import("node:fs");
        const [out, ...files] = process.argv.slice(1);
        const rule = readDocuments([out]).find((d) => d.object.kind === "PrometheusRule").object;
        const want = files.flatMap((f) => parse(fs.readFileSync(f, "utf8")).groups);
        const canon = (v) => Array.isArray(v) ? v.map(canon)
          : v && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon(v[k])])) : v;
        if (JSON.stringify(canon(rule.spec.groups)) !== JSON.stringify(canon(want))) {
          console.error("FAIL: the PrometheusRule groups differ from deploy/prometheus/*.rules.yaml"); process.exit(1);
        }
        console.log(`PrometheusRule: ${want.length} groups as in deploy/prometheus`);
      });' "$out" "$SOURCE_DIR/deploy/prometheus/tailor-dashboard.rules.yaml" \
      "$SOURCE_DIR/deploy/prometheus/tailor-alerts.rules.yaml"
    # The helm test pod may reach the aggregator through the NetworkPolicy.
    awk '/^---/ {p=0} /^# Source: tailor\/templates\/aggregator\/networkpolicy.yaml/ {p=1} p' "$out" >"$work/policy.yaml"
    expect "$work/policy.yaml" "app.kubernetes.io/component: test"
    ;;
  record-only)
    expect "$out" "--record-only"
    expect "$out" "name: tailor-ca-bundle"
    expect_not "$out" "seccompprofiles"
    expect_not "$out" "kind: Secret"
    expect_not "$out" "helm.sh/hook: test"
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
    's/- DAC_READ_SEARCH/- SYS_ADMIN/'
    's/mountPropagation: HostToContainer/mountPropagation: Bidirectional/'
    's/mountPropagation: HostToContainer/mountPropagation: None/'
    's/verbs: \[list, watch\]/verbs: [list, watch, get]/'
    's/verbs: \[create\]/verbs: ["*"]/'
    's/runAsNonRoot: true/runAsNonRoot: false/'
    's/readOnlyRootFilesystem: true/readOnlyRootFilesystem: false/'
    's/- operator: Exists/- {operator: Exists, key: a}/'
    's/audience: tailor-aggregator/audience: api/'
    's/verbs: \[get, list, create, update\]/verbs: [get, list, create]/'
  )
  checker_catches "" "${mutations[@]}"
  # Privileged is allowed only with the bpffs mount's Bidirectional propagation, for the agent.
  render -f "$chart/ci/bpffs-mount-values.yaml" >"$work/good.yaml"
  run_node security_check.mjs "$work/good.yaml"
  checker_catches " (bpffs mount)" 's/mountPropagation: Bidirectional/mountPropagation: HostToContainer/' \
    's/runAsNonRoot: true/privileged: true/'
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
chart-readme)
  need_node
  run_node values_docs.mjs "$chart" --check
  # A description changed in the schema alone leaves README.md stale, and that fails.
  cp -r "$chart" "$work/chart"
  sed -i 's/"description": "Number of replicas;/"description": "How many replicas;/' "$work/chart/values.schema.json"
  if run_node values_docs.mjs "$work/chart" --check 2>"$work/err"; then echo "FAIL: a stale README passed"; exit 1; fi
  expect "$work/err" "README.md is stale"
  for key in home sources maintainers icon; do
    grep -q "^$key:" "$chart/Chart.yaml" || { echo "FAIL: Chart.yaml has no $key"; exit 1; }
  done
  # The icon URL names the file beside Chart.yaml.
  grep -q '^icon: https://.*/deploy/helm/tailor/icon.svg$' "$chart/Chart.yaml" && [ -s "$chart/icon.svg" ] ||
    { echo "FAIL: Chart.yaml's icon is not deploy/helm/tailor/icon.svg"; exit 1; }
  ;;
notes-spo)
  # NOTES.txt looks SPO's CRD up: found, missing, or no cluster to ask (helm template).
  need_render
  crd="$TAILOR_REFERENCE_DIR/spo/seccompprofile-crd.yaml"
  [ -f "$crd" ] || { echo "FAIL: the SPO CRD is missing: $crd (TAILOR_REFERENCE_DIR)"; exit 1; }
  printf 'apiVersion: v1\nkind: Namespace\nmetadata: {name: kube-system}\n' >"$work/cluster.yaml"
  notes() { "$HELM_RENDER" --name tailor --namespace tailor -f "$image_values" --notes "$@" "$chart"; }
  notes >"$work/template.txt"
  expect "$work/template.txt" "Not checked here (no cluster to ask)"
  notes --cluster-objects "$work/cluster.yaml" >"$work/missing.txt"
  expect "$work/missing.txt" "WARNING: the Security Profiles Operator is not installed"
  expect "$work/missing.txt" "kubectl apply -f https://raw.githubusercontent.com/kubernetes-sigs/security-profiles-operator/v1.0.0/deploy/operator.yaml"
  notes --cluster-objects "$work/cluster.yaml" --cluster-objects "$crd" >"$work/found.txt"
  expect_not "$work/found.txt" "Security Profiles Operator"
  expect_not "$work/found.txt" "Not checked here"
  # A record-only aggregator needs no SPO.
  notes --cluster-objects "$work/cluster.yaml" -f "$chart/ci/record-only-values.yaml" >"$work/record-only.txt"
  expect_not "$work/record-only.txt" "Security Profiles Operator"
  ;;
missing-crds)
  # Optional kinds need their CRDs' APIs, as the ServiceMonitor does; without them the
  # chart refuses with what to do.
  need_render
  fails_with "tls.source certManager needs cert-manager's CRDs (cert-manager.io/v1)" \
    -f "$chart/ci/cert-manager-values.yaml"
  printf 'prometheusRule:\n  enabled: true\n' >"$work/rule.yaml"
  fails_with "prometheusRule.enabled needs the Prometheus Operator's CRDs" -f "$image_values" -f "$work/rule.yaml"
  printf 'serviceMonitor:\n  enabled: true\n' >"$work/monitor.yaml"
  fails_with "serviceMonitor.enabled needs the Prometheus Operator's CRDs" -f "$image_values" -f "$work/monitor.yaml"
  fails_with "image.repository is required: no public image is published"
  ;;
dockerignore)
  # The image build's context (.dockerignore) holds what CMake needs: configuring a copy of
  # exactly that context succeeds, and no build tree or .git goes to the builder.
  need_node
  command -v cmake >/dev/null || { echo "FAIL: cmake is missing"; exit 1; }
  run_node dockerignore_check.mjs "$SOURCE_DIR" "$work/context"
  cmake -S "$work/context" -B "$work/build" -DCMAKE_BUILD_TYPE=Release >"$work/cmake.log" 2>&1 ||
    { echo "FAIL: the build does not configure from the image's context:"; tail -20 "$work/cmake.log"; exit 1; }
  ;;
renderer)
  command -v go >/dev/null || fail "go (golang-go) is missing"
  cd "$SOURCE_DIR/tests/tools/helm-render"
  GO111MODULE=off GOPATH="$work/gopath:/usr/share/gocode" GOCACHE="$work/gocache" GOFLAGS= go test ./...
  ;;
*) echo "unknown check $check"; exit 2 ;;
esac
echo "PASS: $check ${2:-}"
