#!/usr/bin/env bash
# Writes deploy/manifests/tailor.yaml: the chart rendered with its default values and the image
# placeholder of deploy/manifests/values.yaml (release "tailor", namespace "tailor"), for
# `kubectl apply -f`. Left out: the `helm test` pod, the chart-generated TLS
# Secret and CA ConfigMap (a key committed to the repository would be everyone's key, so
# deploy/manifests/gen-tls.sh makes them on the user's machine), and the Grafana dashboard
# ConfigMap (made from deploy/helm/tailor/dashboards/tailor.json with kubectl; see
# docs/install.md), so the dashboard can change without these manifests changing.
#   scripts/render-manifests.sh           regenerate
#   scripts/render-manifests.sh --check   fail if the file differs from the chart
# Uses $HELM_RENDER, else build/tests/deploy/helm-render (built by CMake).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
render="${HELM_RENDER:-$root/build/tests/deploy/helm-render}"
out="$root/deploy/manifests/tailor.yaml"
[ -x "$render" ] || { echo "render-manifests: $render is missing; build the helm_render target" >&2; exit 1; }

generate() {
  echo "# Tailor, rendered from deploy/helm/tailor with default values by scripts/render-manifests.sh;"
  echo "# do not edit. Before applying: kubectl create namespace tailor, then"
  echo "# deploy/manifests/gen-tls.sh | kubectl apply -f -, and replace the image REGISTRY/tailor"
  echo "# with yours (docs/install.md)."
  "$render" --name tailor --namespace tailor -f "$root/deploy/manifests/values.yaml" "$root/deploy/helm/tailor" |
    awk '/^---$/ {keep=1; doc=$0; next}
         /^# Source: / {keep = ($3 != "tailor/templates/tls/generated.yaml" && $3 != "tailor/templates/dashboard.yaml" &&
                                $3 !~ /^tailor\/templates\/tests\//)}
         keep && doc != "" {print doc; doc=""}
         keep {print}'
}

if [ "${1:-}" = "--check" ]; then
  if ! diff -u "$out" <(generate); then
    echo "render-manifests: deploy/manifests/tailor.yaml differs from the chart; run scripts/render-manifests.sh" >&2
    exit 1
  fi
  echo "deploy/manifests/tailor.yaml matches the chart"
else
  generate >"$out"
  echo "wrote $out"
fi
