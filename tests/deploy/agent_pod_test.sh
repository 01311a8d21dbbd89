#!/usr/bin/env bash
# The real agent in a real runc container made from the chart's DaemonSet (tests/deploy/
# pod_bundle.mjs: its capabilities, read-only root, hostPath mounts, RuntimeDefault seccomp,
# a private cgroup namespace) records a container that starts in a kubelet-style cgroup after
# it: the BPF recorder loads and pins, and the new cgroup is named from its id through the
# mounted hierarchy. Environment as chart_test.sh, plus TAILOR_BIN and APISERVER_BIN.
set -euo pipefail
skip() { echo "SKIPPED: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (runc, BPF)"
command -v runc >/dev/null || skip "runc is missing"
command -v curl >/dev/null || skip "curl is missing"
[ -e /sys/kernel/btf/vmlinux ] || skip "the kernel has no BTF"
[ -x "$HELM_RENDER" ] || skip "helm-render was not built: go (golang-go) is missing"
[ -f "$NODE_DIR/node_modules/.package-lock.json" ] || skip "the validators were not installed: node/npm is missing"
[ -x "$TAILOR_BIN" ] || skip "$TAILOR_BIN was not built"
[ -x "$APISERVER_BIN" ] || skip "$APISERVER_BIN was not built"
[ -d /sys/fs/bpf ] && mountpoint -q /sys/fs/bpf || skip "bpffs is not mounted at /sys/fs/bpf"

id="tailor-chart-agent-$$"
work="$(mktemp -d)"
cgroup2="$(awk '$0 ~ / - cgroup2 / {print $5; exit}' /proc/self/mountinfo)"
[ -n "$cgroup2" ] || skip "no cgroup2 hierarchy"
prefix="$id"
pins="/sys/fs/bpf/$id"
workload_pid=""
apiserver_pid=""
cleanup() {
  runc --root "$work/runc" kill "$id" KILL 2>/dev/null || true
  sleep 0.2
  runc --root "$work/runc" delete -f "$id" 2>/dev/null || true
  [ -n "$workload_pid" ] && kill "$workload_pid" 2>/dev/null
  [ -n "$apiserver_pid" ] && kill "$apiserver_pid" 2>/dev/null
  wait 2>/dev/null || true
  # Deepest first: a cgroup directory goes only when empty.
  if [ -d "$cgroup2/$prefix" ]; then
    find "$cgroup2/$prefix" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  fi
  rm -rf "$pins" "$work"
}
trap cleanup EXIT

"$HELM_RENDER" --name tailor --namespace tailor "$SOURCE_DIR/deploy/helm/tailor" >"$work/manifests.yaml"
"$APISERVER_BIN" --dir "$work/api" >"$work/api.log" 2>&1 &
apiserver_pid=$!
for _ in $(seq 100); do [ -s "$work/api/kubeconfig" ] && break; sleep 0.1; done
[ -s "$work/api/kubeconfig" ] || { cat "$work/api.log"; exit 1; }

# The aggregator is not under test: sends fail and are spooled, which is fine here.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=none \
  -keyout "$work/ca.key" -out "$work/ca.crt" 2>/dev/null
echo "not-a-token" >"$work/token"
mkdir -p "$work/rootfs" "$work/spool" "$cgroup2/$prefix/kubepods/besteffort"

# The rendered args, except what points at the node or the cluster.
mapfile -t args < <(cd "$NODE_DIR" && node -e '
  const { readDocuments } = await import("./documents.mjs");
  const ds = readDocuments([process.argv[1]]).map((d) => d.object).find((o) => o.kind === "DaemonSet");
  const c = ds.spec.template.spec.containers[0];
  for (const a of [...c.command, ...c.args]) console.log(a);' --input-type=module "$work/manifests.yaml")
filtered=()
for a in "${args[@]}"; do
  case "$a" in
  --cgroup-root=* | --pin-dir=* | --listen-port=* | --aggregator=*) ;;
  /usr/bin/tailor) filtered+=("$TAILOR_BIN") ;;
  *) filtered+=("$a") ;;
  esac
done
filtered+=(--cgroup-root="/$prefix/kubepods" --pin-dir="$pins" --listen-port=0
  --aggregator=https://127.0.0.1:1 --kubeconfig="$work/api/kubeconfig")

bin_dir="$(dirname "$TAILOR_BIN")"
node - "$work/spec.json" "$cgroup2" "$work" "$bin_dir" "$prefix" "${filtered[@]}" <<'JS'
const [out, cgroup2, work, binDir, prefix, ...args] = process.argv.slice(2);
const ro = (p) => ({ source: p, destination: p, readOnly: true });
const binds = ["/usr", "/lib", "/lib64", "/bin", "/sbin", "/etc/ld.so.cache"].filter((p) => require("fs").existsSync(p)).map(ro);
binds.push(ro(binDir));
binds.push({ source: `${work}/api`, destination: `${work}/api`, readOnly: true });
binds.push({ source: `${work}/ca.crt`, destination: "/etc/tailor/aggregator-ca/ca.crt", readOnly: true });
binds.push({ source: `${work}/token`, destination: "/var/run/secrets/tailor/token", readOnly: true });
require("fs").writeFileSync(out, JSON.stringify({
  args, env: ["NODE_NAME=node-a"], cgroupsPath: `/${prefix}/agent`,
  hostPaths: { "/sys/fs/cgroup": "/sys/fs/cgroup", "/sys/kernel/btf": "/sys/kernel/btf",
               "/sys/fs/bpf": "/sys/fs/bpf", "/var/lib/tailor/spool": `${work}/spool` },
  binds,
}));
JS
(cd "$NODE_DIR" && node pod_bundle.mjs "$work/manifests.yaml" "$TAILOR_ANCHORS_DIR/profiles/moby-default.json" \
  "$work/spec.json") >"$work/config.json"
# Mount points for files bound into the read-only root.
mkdir -p "$work/rootfs/etc/tailor/aggregator-ca" "$work/rootfs/var/run/secrets/tailor"
touch "$work/rootfs/etc/tailor/aggregator-ca/ca.crt" "$work/rootfs/var/run/secrets/tailor/token" \
  "$work/rootfs/etc/ld.so.cache"

runc --root "$work/runc" run -d -b "$work" "$id" >"$work/agent.log" 2>&1 </dev/null ||
  { echo "FAIL: runc could not start the agent container:"; cat "$work/agent.log"; exit 1; }
port=""
for _ in $(seq 150); do
  port="$(sed -n 's/.*serving \/metrics, \/healthz and \/readyz on port \([0-9]*\).*/\1/p' "$work/agent.log" | head -1)"
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "FAIL: the agent did not start in the container:"; cat "$work/agent.log"; exit 1; }
for _ in $(seq 100); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz")" = 200 ] && break
  sleep 0.1
done

metric() { curl -s "http://127.0.0.1:$port/metrics" | awk -v name="$1" '$1==name {print $2}'; }
before="$(metric tailor_agent_recorder_sets_in_use)"
[ "${before%%.*}" = 0 ] || { echo "FAIL: $before sets in use before any container started"; exit 1; }

# A pod on the agent's node in a recorded namespace, as a kubelet would report it, and its
# container in a kubelet-style cgroup.
server="$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1])).clusters[0].cluster.server' "$work/api/kubeconfig")"
token="$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1])).users[0].user.token' "$work/api/kubeconfig")"
api() { # api METHOD PATH BODY [CONTENT-TYPE]
  curl -sf --cacert "$work/api/ca.crt" -H "Authorization: Bearer $token" -X "$1" \
    -H "Content-Type: ${4:-application/json}" --data "$3" "$server$2"
}
container="$(printf '%064x' "$$")"
api POST /api/v1/namespaces '{"metadata":{"name":"shop","labels":{"tailor.dev/record":"true"}}}' >/dev/null
uid="$(api POST /api/v1/namespaces/shop/pods \
  '{"metadata":{"name":"web"},"spec":{"nodeName":"node-a","containers":[{"name":"app","image":"busybox"}]}}' |
  node -p 'JSON.parse(require("fs").readFileSync(0)).metadata.uid')"
api PATCH /api/v1/namespaces/shop/pods/web/status "{\"status\":{\"phase\":\"Running\",\"qosClass\":\"BestEffort\",
  \"containerStatuses\":[{\"name\":\"app\",\"containerID\":\"containerd://$container\",\"image\":\"busybox\",
  \"imageID\":\"\",\"ready\":true,\"restartCount\":0,\"state\":{\"running\":{}}}]}}" \
  application/merge-patch+json >/dev/null
cg="$cgroup2/$prefix/kubepods/besteffort/pod$uid/$container"
mkdir -p "$cg"
sh -c 'echo $$ > "$1/cgroup.procs"; while :; do uname >/dev/null; sleep 0.1; done' sh "$cg" &
workload_pid=$!
# Attributed: the agent named the new cgroup from its id (the mounted hierarchy, inside its own
# cgroup namespace), matched it to the pod, and counts the workload's syscalls.
series='tailor_agent_workload_syscalls{workload_container="app",workload_kind="Pod",workload_name="web",workload_namespace="shop"}'
# And it still sees the container alive (tracked): without CAP_DAC_READ_SEARCH it could not
# open the cgroup by id and would take the container for gone.
syscalls=""
tracked=""
for _ in $(seq 150); do
  syscalls="$(metric "$series")"
  tracked="$(metric tailor_agent_tracked_containers)"
  [ -n "$syscalls" ] && [ "${syscalls%%.*}" -ge 1 ] && [ "${tracked%%.*}" = 1 ] && break
  sleep 0.1
done
[ -n "$syscalls" ] && [ "${syscalls%%.*}" -ge 1 ] && [ "${tracked%%.*}" = 1 ] || {
  echo "FAIL: the agent in the container did not attribute and track the pod's container"
  echo "  ${series}: ${syscalls:-absent}; tailor_agent_tracked_containers: ${tracked:-absent}"
  curl -s "http://127.0.0.1:$port/metrics" | grep -E '^tailor_agent_(tracked|recorder_sets|workload)'
  cat "$work/agent.log"; exit 1
}
[ -d "$pins" ] && [ -n "$(ls "$pins")" ] || { echo "FAIL: nothing pinned in $pins"; exit 1; }
echo "PASS: the agent records under the DaemonSet's pod spec: shop/web's container made $syscalls distinct syscalls; pinned: $(ls "$pins" | tr '\n' ' ')"
