# Shared by agent_pod_test.sh and aggregator_pod_test.sh (sourced): a real OCI container made
# from one of the chart's workloads (pod_bundle.mjs), next to the test bed's API server.
# Expects: HELM_RENDER, NODE_DIR, SOURCE_DIR, TAILOR_REFERENCE_DIR, APISERVER_BIN; RUNTIME (runc,
# the default, or crun).
runtime="${RUNTIME:-runc}"

# The runtime with its state root. crun refuses a hybrid cgroup hierarchy, so there (as in
# tests/testbed/oci_container.cpp) it runs in a mount namespace with cgroup2 on /sys/fs/cgroup.
rt() {
  if [ "$runtime" = crun ] && [ "$cgroup2" != /sys/fs/cgroup ]; then
    unshare -m sh -c 'mount -t cgroup2 none /sys/fs/cgroup && exec "$@"' sh crun --root "$work/runtime" "$@"
  else
    "$runtime" --root "$work/runtime" "$@"
  fi
}

# The container's state as the runtime reports it (created, running, stopped).
container_status() { rt state "$id" | node -p 'JSON.parse(require("fs").readFileSync(0)).status'; }

# Only a kernel feature the machine lacks skips; a missing tool or build fails, naming it.
skip() { echo "SKIPPED: $*"; exit 77; }
fail() { echo "FAILED: $*"; exit 1; }
pod_preconditions() {
  [ "$(id -u)" -eq 0 ] || fail "needs root ($runtime)"
  command -v "$runtime" >/dev/null || fail "$runtime is missing (scripts/install-deps.sh)"
  command -v curl >/dev/null || fail "curl is missing (scripts/install-deps.sh)"
  [ -x "$HELM_RENDER" ] || fail "helm-render was not built: go (golang-go) is missing"
  [ -f "$NODE_DIR/node_modules/.package-lock.json" ] || fail "the validators were not installed: node/npm is missing"
  [ -x "$APISERVER_BIN" ] || fail "$APISERVER_BIN was not built"
}

# Call once: sets work, id (a container id as CRI runtimes make them, so `tailor record
# --container` finds it), prefix (this test's cgroup subtree), cgroup2 and the cleanup trap.
# Cleanup hooks: cleanup_pids are killed after the container, cleanup_waits then waited for,
# cleanup_paths removed. The container's cgroup is $prefix/$id.
pod_setup() {
  id="$(tr -d - </proc/sys/kernel/random/uuid)$(tr -d - </proc/sys/kernel/random/uuid)"
  prefix="tailor-chart-$1-$$"
  work="$(mktemp -d)"
  cgroup2="$(awk '$0 ~ / - cgroup2 / {print $5; exit}' /proc/self/mountinfo)"
  [ -n "$cgroup2" ] || fail "no cgroup2 hierarchy is mounted"
  cleanup_pids=()
  cleanup_waits=()
  cleanup_paths=("$work")
  trap pod_cleanup EXIT
  mkdir -p "$work/rootfs"
}

pod_cleanup() {
  rt kill "$id" KILL 2>/dev/null || true
  # Deleted once the kill has taken effect: deleting a running container races its exit.
  for _ in $(seq 50); do [ "$(container_status 2>/dev/null)" != running ] && break; sleep 0.1; done
  rt delete -f "$id" 2>/dev/null || true
  for pid in "${cleanup_waits[@]}"; do wait "$pid" 2>/dev/null || true; done
  for pid in "${cleanup_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  # This test's subtree in every hierarchy (on a hybrid host the runtime also makes it in each
  # cgroup v1 controller), deepest first; a directory goes only once its last process has
  # exited, so a killed process's children get a moment.
  local mount tries
  for mount in $(awk '$0 ~ / - cgroup2? / {print $5}' /proc/self/mountinfo); do
    for tries in $(seq 20); do
      [ -d "$mount/$prefix" ] || break
      find "$mount/$prefix" -depth -type d -exec rmdir {} \; 2>/dev/null || true
      [ -d "$mount/$prefix" ] && sleep 0.1
    done
    [ -d "$mount/$prefix" ] && echo "warning: could not remove cgroup $mount/$prefix" >&2
  done
  rm -rf "${cleanup_paths[@]}"
}

# The test bed's API server; sets server, token (admin) and the kubeconfig at $work/api.
start_apiserver() {
  "$APISERVER_BIN" --dir "$work/api" >"$work/api.log" 2>&1 &
  cleanup_pids+=($!)
  for _ in $(seq 100); do [ -s "$work/api/kubeconfig" ] && break; sleep 0.1; done
  [ -s "$work/api/kubeconfig" ] || { cat "$work/api.log"; exit 1; }
  server="$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1])).clusters[0].cluster.server' "$work/api/kubeconfig")"
  token="$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1])).users[0].user.token' "$work/api/kubeconfig")"
}

api() { # api METHOD PATH BODY [CONTENT-TYPE]: the API server as admin
  curl -sf --cacert "$work/api/ca.crt" -H "Authorization: Bearer $token" -X "$1" \
    -H "Content-Type: ${4:-application/json}" --data "$3" "$server$2"
}

container_pid() { rt state "$id" | node -p 'JSON.parse(require("fs").readFileSync(0)).pid'; }

# The rendered command and args of KIND's first container, one per line.
rendered_command() {
  (cd "$NODE_DIR" && node --input-type=module -e '
    const { readDocuments } = await import("./documents.mjs");
    const w = readDocuments([process.argv[1]]).map((d) => d.object).find((o) => o.kind === process.argv[2]);
    const c = w.spec.template.spec.containers[0];
    for (const a of [...c.command, ...(c.args ?? [])]) console.log(a);' "$1" "$2")
}

# The host's binaries stand in for the image, read-only.
image_binds() {
  local out=() p
  for p in /usr /lib /lib64 /bin /sbin /etc/ld.so.cache "$@"; do
    [ -e "$p" ] && out+=("{\"source\":\"$p\",\"destination\":\"$p\",\"readOnly\":true}")
  done
  mkdir -p "$work/rootfs/etc" && touch "$work/rootfs/etc/ld.so.cache"
  (IFS=,; echo "[${out[*]}]")
}

# run_pod KIND SPEC_JSON: writes config.json from the rendered manifests and starts the container.
run_pod() {
  (cd "$NODE_DIR" && node pod_bundle.mjs "$work/manifests.yaml" "$1" \
    "$TAILOR_REFERENCE_DIR/profiles/moby-default.json" "$2") >"$work/config.json"
  rt run -d -b "$work" "$id" >"$work/pod.log" 2>&1 </dev/null ||
    { echo "FAIL: $runtime could not start the $1 container:"; cat "$work/pod.log"; exit 1; }
}

# wait_for_log PATTERN [LOG]: the first sed capture of PATTERN in LOG (the container's log).
wait_for_log() {
  local found="" log="${2:-$work/pod.log}"
  for _ in $(seq 150); do
    found="$(sed -n "s/$1/\\1/p" "$log" 2>/dev/null | head -1 || true)"
    [ -n "$found" ] && { echo "$found"; return; }
    sleep 0.1
  done
  echo "FAIL: $(basename "$log") does not say '$1':" >&2
  cat "$log" >&2
  exit 1
}
