#!/usr/bin/env bash
# The real agent in a real runc container made from the chart's DaemonSet (pod_bundle.mjs: its
# capabilities, read-only root, hostPath mounts, RuntimeDefault seccomp, a private cgroup
# namespace) records a pod's container that starts in a kubelet-style cgroup after it: the BPF
# recorder loads and pins, the new cgroup is named from its id through the mounted hierarchy,
# and its syscalls are attributed to the pod. Environment: chart_test.sh's, TAILOR_BIN,
# APISERVER_BIN.
set -euo pipefail
source "$(dirname "$0")/pod_lib.sh"
pod_preconditions
[ -x "$TAILOR_BIN" ] || fail "$TAILOR_BIN was not built"
[ -e /sys/kernel/btf/vmlinux ] || skip "the kernel has no BTF"
pod_setup agent
# Nodes mount bpffs at boot (systemd does); the pins are checked from the host below, so
# without one the host gets one here, as a node would have it.
if ! mountpoint -q /sys/fs/bpf; then
  mount -t bpf bpf /sys/fs/bpf && echo "mounted a bpf filesystem at /sys/fs/bpf, as nodes have"
fi
pins="/sys/fs/bpf/$prefix"
cleanup_paths+=("$pins")

"$HELM_RENDER" --name tailor --namespace tailor -f "$SOURCE_DIR/tests/deploy/values/image.yaml" \
  "$SOURCE_DIR/deploy/helm/tailor" >"$work/manifests.yaml"
start_apiserver
# The aggregator is not under test: sends fail and are spooled, which is fine here.
mkdir -p "$work/ca" "$work/token" "$work/spool" "$cgroup2/$prefix/kubepods/besteffort"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=none \
  -keyout "$work/ca.key" -out "$work/ca/ca.crt" 2>/dev/null
echo "not-a-token" >"$work/token/token"

# The rendered command, except what points at the node or the cluster.
args=()
while read -r a; do
  case "$a" in
  --cgroup-root=* | --pin-dir=* | --listen-port=* | --aggregator=*) ;;
  /usr/bin/tailor) args+=("$TAILOR_BIN") ;;
  *) args+=("$a") ;;
  esac
done < <(rendered_command "$work/manifests.yaml" DaemonSet)
args+=(--cgroup-root="/$prefix/kubepods" --pin-dir="$pins" --listen-port=0
  --aggregator=https://127.0.0.1:1 --kubeconfig="$work/api/kubeconfig")

node -e 'const [out, work, prefix, binds, ...args] = process.argv.slice(1);
  require("fs").writeFileSync(out, JSON.stringify({
    args, env: ["NODE_NAME=node-a"], cgroupsPath: `/${prefix}`,
    volumes: { cgroup: "/sys/fs/cgroup", btf: "/sys/kernel/btf", bpffs: "/sys/fs/bpf",
               spool: `${work}/spool`, "aggregator-token": `${work}/token`, "aggregator-ca": `${work}/ca` },
    binds: JSON.parse(binds),
  }));' "$work/spec.json" "$work" "$prefix/$id" "$(image_binds "$(dirname "$TAILOR_BIN")" "$work/api")" "${args[@]}"
run_pod DaemonSet "$work/spec.json"
port="$(wait_for_log '.*serving \/metrics, \/healthz and \/readyz on port \([0-9]*\).*')"
metric() { curl -s "http://127.0.0.1:$port/metrics" | awk -v name="$1" '$1==name {print $2}'; }
for _ in $(seq 100); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz")" = 200 ] && break
  sleep 0.1
done
before="$(metric tailor_agent_recorder_sets_in_use)"
[ "${before%%.*}" = 0 ] || { echo "FAIL: $before sets in use before any container started"; exit 1; }

# A pod on the agent's node in a recorded namespace, as a kubelet would report it, and its
# container in a kubelet-style cgroup.
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
cleanup_pids+=($!)

# Attributed: the agent named the new cgroup from its id (the mounted hierarchy, inside its own
# cgroup namespace), matched it to the pod, and counts the workload's syscalls. And it still
# sees the container alive (tracked): without CAP_DAC_READ_SEARCH it could not open the cgroup
# by id and would take the container for gone.
series='tailor_agent_workload_syscalls{workload_container="app",workload_kind="Pod",workload_name="web",workload_namespace="shop"}'
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
  cat "$work/pod.log"; exit 1
}
[ -d "$pins" ] && [ -n "$(ls "$pins")" ] || { echo "FAIL: nothing pinned in $pins"; exit 1; }
echo "PASS: the agent records under the DaemonSet's pod spec: shop/web's container made $syscalls distinct syscalls; pinned: $(ls "$pins" | tr '\n' ' ')"
