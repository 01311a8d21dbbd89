// Security properties of the rendered chart (one `helm template` stream):
//   node security_check.mjs manifests.yaml
// Prints each violation and exits 1 if there is any.
import { readDocuments, describe } from "./documents.mjs";

const documents = readDocuments([process.argv[2]]);
const problems = [];
const fail = (document, message) => problems.push(`${describe(document)}: ${message}`);
const sorted = (list) => [...(list ?? [])].sort();
const same = (a, b) => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));

// The exact rights each component uses (docs/install.md, "Permissions"); both wider and
// narrower are failures, so the table cannot drift from the binaries silently.
const agentRules = [
  ["", "pods", "get"], ["", "pods", "list"], ["", "pods", "watch"],
  ["", "namespaces", "list"], ["", "namespaces", "watch"],
  ["apps", "replicasets", "get"], ["batch", "jobs", "get"],
];
const aggregatorRules = [["authentication.k8s.io", "tokenreviews", "create"]];
const profileRules = [
  ...["get", "list", "create", "update"].map((v) => ["security-profiles-operator.x-k8s.io", "seccompprofiles", v]),
  ["", "events", "create"],
  // ProfileBindings in namespaces labelled tailor.dev/bind=true, for the image of the workload.
  ...["get", "create", "update"].map((v) => ["security-profiles-operator.x-k8s.io", "profilebindings", v]),
  ["", "namespaces", "get"], ["", "pods", "get"],
  ...["deployments", "statefulsets", "daemonsets", "replicasets"].map((r) => ["apps", r, "get"]),
  ["batch", "jobs", "get"], ["batch", "cronjobs", "get"],
];
const agentCapabilities = ["BPF", "PERFMON", "DAC_READ_SEARCH"];
const agentHostPaths = { "/sys/fs/cgroup": true, "/sys/kernel/btf": true, "/sys/fs/bpf": false };

function walk(value, visit, path = "") {
  if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      visit(k, v, `${path}/${k}`);
      walk(v, visit, `${path}/${k}`);
    }
  }
}

function flattenRules(rules) {
  const out = [];
  for (const rule of rules ?? []) {
    if (rule.nonResourceURLs) out.push(["*nonResourceURLs*", "", ""]);
    for (const group of rule.apiGroups ?? [])
      for (const resource of rule.resources ?? []) for (const verb of rule.verbs ?? []) out.push([group, resource, verb]);
  }
  return out.map((r) => r.join(" "));
}

const byKind = (kind) => documents.filter((d) => d.object.kind === kind);
const component = (d) => d.object.metadata?.labels?.["app.kubernetes.io/component"];
const daemonSets = byKind("DaemonSet");
const deployments = byKind("Deployment");
if (daemonSets.length !== 1) problems.push(`expected one DaemonSet (the agent), found ${daemonSets.length}`);
if (deployments.length !== 1) problems.push(`expected one Deployment (the aggregator), found ${deployments.length}`);
const aggregatorArgs = deployments[0]?.object.spec.template.spec.containers[0].args ?? [];
const recordOnly = aggregatorArgs.includes("--record-only");

// The one privileged container allowed: the agent asked to mount bpffs (agent.bpffs.mount),
// whose /sys/fs/bpf mount must then propagate back to the host; Kubernetes allows
// Bidirectional propagation only in a privileged container.
const agentContainer = (document) => document.object.kind === "DaemonSet" ? document.object.spec.template.spec.containers[0] : undefined;
const mountsBpffs = (document) =>
  agentContainer(document)?.volumeMounts?.find((m) => m.mountPath === "/sys/fs/bpf")?.mountPropagation === "Bidirectional";

for (const document of documents) {
  const { object } = document;
  // Anywhere: nothing privileged, no host namespaces, no CRDs (SPO installs its own).
  walk(object, (key, value, path) => {
    const bpffsMount = mountsBpffs(document) && path === "/spec/template/spec/containers/0/securityContext/privileged";
    if (key === "privileged" && value === true && !bpffsMount) fail(document, `${path} is true`);
    if (["hostPID", "hostIPC", "hostNetwork"].includes(key) && value === true) fail(document, `${path} is true`);
  });
  if (["CustomResourceDefinition", "Namespace"].includes(object.kind)) fail(document, "the chart must not install this kind");
  for (const label of ["app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/version",
                       "app.kubernetes.io/managed-by", "helm.sh/chart"]) {
    if (!object.metadata?.labels?.[label]) fail(document, `no ${label} label`);
  }
}

for (const document of [...byKind("ClusterRole"), ...byKind("Role")]) {
  const expected = component(document) === "agent" ? agentRules
    : [...aggregatorRules, ...(recordOnly ? [] : profileRules)];
  const actual = flattenRules(document.object.rules);
  const wanted = expected.map((r) => r.join(" "));
  const extra = actual.filter((r) => !wanted.includes(r));
  const missing = wanted.filter((r) => !actual.includes(r));
  if (extra.length) fail(document, `rights beyond what ${component(document)} uses: ${extra.join(", ")}`);
  if (missing.length) fail(document, `rights ${component(document)} needs are missing: ${missing.join(", ")}`);
  if (document.object.aggregationRule) fail(document, "aggregationRule widens the role");
  if ((document.object.rules ?? []).some((r) => r.resourceNames)) fail(document, "unexpected resourceNames");
}

function podChecks(document, pod) {
  if (!pod.securityContext?.seccompProfile?.type) fail(document, "no pod seccompProfile");
  if (pod.securityContext?.seccompProfile?.type === "Unconfined") fail(document, "seccomp Unconfined");
  for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
    const sc = c.securityContext ?? {};
    if (sc.allowPrivilegeEscalation !== false && !(c === agentContainer(document) && mountsBpffs(document)))
      fail(document, `${c.name}: allowPrivilegeEscalation is not false`);
    if (sc.readOnlyRootFilesystem !== true) fail(document, `${c.name}: root filesystem is not read-only`);
    if (!same(sc.capabilities?.drop, ["ALL"])) fail(document, `${c.name}: capabilities.drop is not [ALL]`);
  }
}

for (const document of daemonSets) {
  const pod = document.object.spec.template.spec;
  podChecks(document, pod);
  const agent = pod.containers[0];
  if (!same(agent.securityContext?.capabilities?.add, agentCapabilities))
    fail(document, `capabilities.add is ${JSON.stringify(agent.securityContext?.capabilities?.add)}, want ${agentCapabilities}`);
  const nodeName = (agent.env ?? []).find((e) => e.name === "NODE_NAME");
  if (nodeName?.valueFrom?.fieldRef?.fieldPath !== "spec.nodeName") fail(document, "NODE_NAME is not from spec.nodeName");
  if (!(pod.tolerations ?? []).some((t) => t.operator === "Exists" && !t.key && !t.effect))
    fail(document, "does not tolerate every taint, so some nodes would go unrecorded");
  const mounts = Object.fromEntries((agent.volumeMounts ?? []).map((m) => [m.name, m]));
  const bpffs = (agent.volumeMounts ?? []).find((m) => m.mountPath === "/sys/fs/bpf");
  if (!["HostToContainer", "Bidirectional"].includes(bpffs?.mountPropagation))
    fail(document, `/sys/fs/bpf propagation is ${bpffs?.mountPropagation}: a bpffs mounted later would not be seen`);
  if (bpffs?.mountPropagation === "Bidirectional" && agent.securityContext?.privileged !== true)
    fail(document, "Bidirectional propagation without privileged (the API server refuses it)");
  for (const m of agent.volumeMounts ?? [])
    if (m.mountPropagation === "Bidirectional" && m !== bpffs) fail(document, `${m.mountPath} propagates to the host`);
  for (const volume of pod.volumes) {
    if (volume.hostPath) {
      const path = volume.hostPath.path;
      const readOnly = mounts[volume.name]?.readOnly === true;
      if (path in agentHostPaths) {
        if (agentHostPaths[path] && !readOnly) fail(document, `hostPath ${path} is mounted writable`);
      } else if (!agent.args.includes(`--spool-dir=${mounts[volume.name]?.mountPath}`)) {
        fail(document, `unexpected hostPath ${path}`);
      }
    }
    // A Secret only for the client certificate, or projected down to its ca.crt (cert-manager
    // and user Secrets hold the CA beside the serving key; tls.caConfigMap avoids even that).
    const caOnly = JSON.stringify(volume.secret?.items?.map((i) => i.key)) === '["ca.crt"]';
    if (volume.secret && volume.name !== "client-tls" && !caOnly) fail(document, `agents mount Secret ${volume.secret.secretName}`);
    const token = volume.projected?.sources?.find((s) => s.serviceAccountToken)?.serviceAccountToken;
    if (volume.projected && token?.audience !== "tailor-aggregator") fail(document, "projected token audience is not tailor-aggregator");
  }
  if (!pod.volumes.some((v) => v.projected?.sources?.some((s) => s.serviceAccountToken?.audience === "tailor-aggregator")))
    fail(document, "no projected token for the aggregator");
}

// `helm test` pods: as locked down as the aggregator.
for (const document of byKind("Pod")) {
  const pod = document.object.spec;
  podChecks(document, pod);
  if (document.object.metadata.annotations?.["helm.sh/hook"] !== "test") fail(document, "a Pod that is not a helm test hook");
  if (pod.securityContext?.runAsNonRoot !== true) fail(document, "runAsNonRoot is not true");
  if (pod.volumes?.some((v) => v.hostPath)) fail(document, "a test pod mounts a hostPath");
}

for (const document of deployments) {
  const pod = document.object.spec.template.spec;
  podChecks(document, pod);
  const c = pod.containers[0];
  const nonRoot = c.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
  const user = c.securityContext?.runAsUser ?? pod.securityContext?.runAsUser;
  if (nonRoot !== true) fail(document, "runAsNonRoot is not true");
  if (!(user > 0)) fail(document, `runAsUser is ${user}`);
  if ((c.securityContext?.capabilities?.add ?? []).length) fail(document, "the aggregator adds capabilities");
  if (pod.volumes.some((v) => v.hostPath)) fail(document, "the aggregator mounts a hostPath");
  if (!(document.object.spec.replicas >= 1)) fail(document, "no replicas");
}

if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(`security: ${documents.length} objects, no violation (record-only: ${recordOnly})`);
