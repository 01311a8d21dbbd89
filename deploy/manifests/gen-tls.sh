#!/usr/bin/env bash
# Makes the aggregator's TLS material for the plain manifests, on your machine, and prints it
# as a Secret (serving certificate and key, for the aggregator) and a ConfigMap (the CA only,
# for the agents), the same objects the Helm chart generates:
#   deploy/manifests/gen-tls.sh [NAMESPACE] [DAYS] | kubectl apply -f -
# Run it again (and restart both workloads) to rotate. Needs openssl.
set -euo pipefail
namespace="${1:-tailor}"
days="${2:-3650}"
service="tailor-aggregator"
host="$service.$namespace.svc"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days "$days" \
  -subj "/CN=tailor CA" -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
  -keyout "$work/ca.key" -out "$work/ca.crt" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$host" \
  -keyout "$work/tls.key" -out "$work/tls.csr" 2>/dev/null
printf 'subjectAltName=DNS:%s,DNS:%s.%s,DNS:%s,DNS:%s.cluster.local\nextendedKeyUsage=serverAuth\n' \
  "$service" "$service" "$namespace" "$host" "$host" >"$work/ext"
openssl x509 -req -in "$work/tls.csr" -CA "$work/ca.crt" -CAkey "$work/ca.key" -CAcreateserial \
  -days "$days" -extfile "$work/ext" -out "$work/tls.crt" 2>/dev/null

b64() { base64 -w0 <"$1"; }
cat <<YAML
apiVersion: v1
kind: Secret
metadata:
  name: $service-tls
  namespace: $namespace
  labels: {app.kubernetes.io/name: tailor, app.kubernetes.io/component: aggregator}
type: kubernetes.io/tls
data:
  tls.crt: $(b64 "$work/tls.crt")
  tls.key: $(b64 "$work/tls.key")
  ca.crt: $(b64 "$work/ca.crt")
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: $service-ca
  namespace: $namespace
  labels: {app.kubernetes.io/name: tailor, app.kubernetes.io/component: aggregator}
data:
  ca.crt: |
$(sed 's/^/    /' "$work/ca.crt")
YAML
