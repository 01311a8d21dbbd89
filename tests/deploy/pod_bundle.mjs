// Writes an OCI runtime config (runc's config.json) that runs a command the way a kubelet
// would run the first container of one of the chart's workloads: its user, capabilities,
// no_new_privs, read-only root, volumes (read-only where the pod says so), seccomp
// (RuntimeDefault: the moby default profile resolved for the capabilities, as containerd does;
// Localhost: the given profile file), a private cgroup namespace, and containerd's masked and
// read-only /proc and /sys paths.
//   node pod_bundle.mjs manifests.yaml KIND moby-default.json spec.json > config.json
// spec.json: {"args": [...], "env": [...], "cgroupsPath": "...",
//             "volumes": {"<volume name>": "<host directory standing in for it>"},
//             "localhostProfile": "<file, for seccomp type Localhost>",
//             "unconfined": true (no seccomp filter: for recording a profile),
//             "binds": [{"source": "/usr", "destination": "/usr", "readOnly": true}, ...]}
// binds are extra mounts standing in for the image (the tests run host binaries).
import { readFileSync } from "node:fs";
import { readDocuments } from "./documents.mjs";

const [manifests, kind, mobyFile, specFile] = process.argv.slice(2);
const spec = JSON.parse(readFileSync(specFile, "utf8"));
const workload = readDocuments([manifests]).map((d) => d.object).find((o) => o.kind === kind);
if (!workload) throw new Error(`no ${kind} in ${manifests}`);
const pod = workload.spec.template.spec;
const container = pod.containers[0];
const security = { ...(pod.securityContext ?? {}), ...(container.securityContext ?? {}) };

if (!(security.capabilities?.drop ?? []).includes("ALL")) throw new Error(`${kind}: capabilities are not dropped`);
const capabilities = (security.capabilities?.add ?? []).map((c) => `CAP_${c}`);

function runtimeDefault() {
  // containerd keeps a moby rule when the container holds its capabilities and runs on its
  // architecture.
  const moby = JSON.parse(readFileSync(mobyFile, "utf8"));
  const syscalls = moby.syscalls
    .filter((rule) => {
      const inc = rule.includes ?? {};
      const exc = rule.excludes ?? {};
      if (inc.caps && !inc.caps.every((c) => capabilities.includes(c))) return false;
      if (inc.arches && !inc.arches.includes("amd64")) return false;
      if (exc.caps && exc.caps.some((c) => capabilities.includes(c))) return false;
      if (exc.arches && exc.arches.includes("amd64")) return false;
      return true;
    })
    .map(({ includes, excludes, comment, ...rule }) => rule);
  const native = moby.archMap.find((a) => a.architecture === "SCMP_ARCH_X86_64");
  const architectures = [native.architecture, ...(native.subArchitectures ?? [])];
  return { defaultAction: moby.defaultAction, defaultErrnoRet: moby.defaultErrnoRet, architectures, syscalls };
}

const seccompType = security.seccompProfile?.type;
let seccomp;
if (spec.unconfined) seccomp = undefined;
else if (seccompType === "RuntimeDefault") seccomp = runtimeDefault();
else if (seccompType === "Localhost") seccomp = JSON.parse(readFileSync(spec.localhostProfile, "utf8"));
else throw new Error(`${kind}: seccomp profile type ${seccompType} is not RuntimeDefault or Localhost`);

const mounts = [
  { destination: "/proc", type: "proc", source: "proc" },
  { destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"] },
  { destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"] },
];
for (const b of spec.binds) {
  mounts.push({ destination: b.destination, type: "bind", source: b.source, options: ["rbind", b.readOnly ? "ro" : "rw"] });
}
for (const m of container.volumeMounts ?? []) {
  const source = spec.volumes[m.name];
  if (!source) throw new Error(`the spec has no stand-in for volume ${m.name}`);
  // The kubelet bind-mounts volumes recursively (rbind), with the mount's propagation.
  const propagation = { HostToContainer: "rslave", Bidirectional: "rshared" }[m.mountPropagation] ?? "rprivate";
  mounts.push({ destination: m.mountPath, type: "bind", source, options: ["rbind", propagation, m.readOnly ? "ro" : "rw"] });
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
  hostname: kind.toLowerCase(),
  mounts,
  linux: {
    cgroupsPath: spec.cgroupsPath,
    // The pod network is not under test: the host's lets the process reach the test servers.
    namespaces: ["pid", "ipc", "uts", "mount", "cgroup"].map((type) => ({ type })),
    seccomp,
    maskedPaths: ["/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                  "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware"],
    readonlyPaths: ["/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
  },
};
if (security.runAsNonRoot === true && config.process.user.uid === 0) throw new Error(`${kind}: runAsNonRoot with uid 0`);
console.log(JSON.stringify(config, null, 2));
