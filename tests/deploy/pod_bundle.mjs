// Writes an OCI runtime config (runc's config.json) that runs a command the way a kubelet would
// run the chart's agent container: the DaemonSet's capabilities, no_new_privs, read-only root,
// hostPath mounts (read-only where the pod says so), RuntimeDefault seccomp (the moby default
// profile, resolved for those capabilities as containerd does), a private cgroup namespace, and
// the masked and read-only /proc and /sys paths of containerd's defaults.
//   node pod_bundle.mjs manifests.yaml moby-default.json spec.json > config.json
// spec.json: {"args": [...], "env": [...], "cgroupsPath": "...", "hostPaths": {"/sys/fs/cgroup": "/x"},
//             "binds": [{"source": "/usr", "destination": "/usr", "readOnly": true}, ...]}
// hostPaths maps a DaemonSet hostPath to the host directory that stands in for it; binds are
// extra mounts standing in for the image (the test runs host binaries).
import { readFileSync } from "node:fs";
import { readDocuments } from "./documents.mjs";

const [manifests, mobyFile, specFile] = process.argv.slice(2);
const spec = JSON.parse(readFileSync(specFile, "utf8"));
const daemonSet = readDocuments([manifests]).map((d) => d.object).find((o) => o.kind === "DaemonSet");
const pod = daemonSet.spec.template.spec;
const container = pod.containers[0];
const security = container.securityContext ?? {};

if ((pod.securityContext?.seccompProfile?.type ?? security.seccompProfile?.type) !== "RuntimeDefault")
  throw new Error("the agent pod does not use RuntimeDefault seccomp");
const dropped = security.capabilities?.drop ?? [];
if (!dropped.includes("ALL")) throw new Error("the agent container does not drop ALL capabilities");
const capabilities = (security.capabilities?.add ?? []).map((c) => `CAP_${c}`);

// containerd's RuntimeDefault: the moby profile with rules kept when the container holds their
// capabilities and runs on their architecture.
const moby = JSON.parse(readFileSync(mobyFile, "utf8"));
const arch = "amd64";
const syscalls = moby.syscalls
  .filter((rule) => {
    const inc = rule.includes ?? {};
    const exc = rule.excludes ?? {};
    if (inc.caps && !inc.caps.every((c) => capabilities.includes(c))) return false;
    if (inc.arches && !inc.arches.includes(arch)) return false;
    if (exc.caps && exc.caps.some((c) => capabilities.includes(c))) return false;
    if (exc.arches && exc.arches.includes(arch)) return false;
    return true;
  })
  .map(({ includes, excludes, comment, ...rule }) => rule);
const native = moby.archMap.find((a) => a.architecture === "SCMP_ARCH_X86_64");
const architectures = [native.architecture, ...(native.subArchitectures ?? [])];

const volumes = Object.fromEntries(pod.volumes.map((v) => [v.name, v]));
const mounts = [
  { destination: "/proc", type: "proc", source: "proc" },
  { destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"] },
  { destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"] },
];
for (const m of container.volumeMounts ?? []) {
  const hostPath = volumes[m.name]?.hostPath?.path;
  if (!hostPath) continue;  // projected token, CA: the test passes its own files
  const source = spec.hostPaths[hostPath];
  if (!source) throw new Error(`the spec has no stand-in for hostPath ${hostPath}`);
  // kubelet bind-mounts hostPaths recursively (rbind).
  mounts.push({ destination: m.mountPath, type: "bind", source, options: ["rbind", m.readOnly ? "ro" : "rw"] });
}
for (const b of spec.binds) {
  mounts.push({ destination: b.destination, type: "bind", source: b.source, options: ["rbind", b.readOnly ? "ro" : "rw"] });
}

const config = {
  ociVersion: "1.0.2",
  process: {
    terminal: false,
    user: { uid: security.runAsUser ?? 0, gid: security.runAsGroup ?? 0 },
    args: spec.args,
    env: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", ...spec.env],
    cwd: "/",
    capabilities: { bounding: capabilities, effective: capabilities, permitted: capabilities },
    noNewPrivileges: security.allowPrivilegeEscalation === false,
  },
  root: { path: "rootfs", readonly: security.readOnlyRootFilesystem === true },
  hostname: "agent",
  mounts,
  linux: {
    cgroupsPath: spec.cgroupsPath,
    // The pod's network is not under test: the host's lets the agent reach the test API server.
    namespaces: ["pid", "ipc", "uts", "mount", "cgroup"].map((type) => ({ type })),
    seccomp: { defaultAction: moby.defaultAction, defaultErrnoRet: moby.defaultErrnoRet, architectures, syscalls },
    maskedPaths: ["/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                  "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware"],
    readonlyPaths: ["/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
  },
};
console.log(JSON.stringify(config, null, 2));
