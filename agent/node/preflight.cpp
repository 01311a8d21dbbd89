#include "agent/node/preflight.h"

#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <sys/utsname.h>

#include <cstdio>
#include <fstream>

#include "agent/cgroup/cgroup2.h"
#include "agent/recorder/bpffs.h"
#include "common/metrics/families.h"
#include "common/util/strings.h"

namespace tailor::agent {
namespace {

namespace fs = std::filesystem;

constexpr int kCapSysAdmin = 21;

PreflightCheck passed(std::string name, std::string detail) {
  return {std::move(name), true, std::move(detail)};
}
PreflightCheck failed(std::string name, std::string detail) {
  return {std::move(name), false, std::move(detail)};
}

PreflightCheck check_btf(const PreflightOptions& options) {
  const fs::path vmlinux = options.sys_root / "kernel/btf/vmlinux";
  std::error_code ec;
  if (fs::is_regular_file(vmlinux, ec)) return passed("btf", vmlinux.string());
  return failed("btf", vmlinux.string() +
                           " is missing: the kernel was built without CONFIG_DEBUG_INFO_BTF (or "
                           "/sys/kernel/btf is not mounted into the pod); Tailor cannot record on "
                           "this node, keep the agent off it with agent.nodeSelector");
}

bool kernel_has_bpffs(const fs::path& filesystems) {
  std::ifstream in(filesystems);
  std::string line;
  while (std::getline(in, line))
    if (line == "nodev\tbpf") return true;
  return false;
}

bool has_cap_sys_admin(const fs::path& status) {
  std::ifstream in(status);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with("CapEff:")) continue;
    unsigned long long mask = 0;
    return std::sscanf(line.c_str(), "CapEff: %llx", &mask) == 1 && (mask >> kCapSysAdmin & 1);
  }
  return false;
}

PreflightCheck check_bpffs(const PreflightOptions& options) {
  const fs::path holder = nearest_existing(fs::absolute(options.pin_dir).lexically_normal());
  if (on_bpffs(holder)) return passed("bpffs", holder.string() + " is on a bpf filesystem");
  const std::string missing = "no bpf filesystem holds " + options.pin_dir.string();
  if (!kernel_has_bpffs(options.proc_root / "filesystems"))
    return failed("bpffs", missing + " and the kernel has none (no bpf in /proc/filesystems)");
  if (!has_cap_sys_admin(options.proc_root / "self/status"))
    return failed("bpffs", missing +
                               " and the agent may not mount one (no CAP_SYS_ADMIN): mount "
                               "it on the node (mount -t bpf bpf /sys/fs/bpf) or install "
                               "with agent.bpffs.mount=true");
  return passed("bpffs", missing + " yet; the agent mounts one");
}

PreflightCheck check_cgroup2(const PreflightOptions& options) {
  auto cgroups = Cgroup2::detect((options.proc_root / "self/mountinfo").string());
  if (!cgroups) return failed("cgroup2", cgroups.error().message);
  return passed("cgroup2", "mounted at " + cgroups->mount().string());
}

PreflightCheck check_kernel(const PreflightOptions& options) {
  std::string release = options.kernel_release;
  if (release.empty()) {
    utsname name{};
    ::uname(&name);
    release = name.release;
  }
  int major = 0, minor = 0;
  if (std::sscanf(release.c_str(), "%d.%d", &major, &minor) != 2)
    return failed("kernel", "cannot read the kernel version from \"" + release + "\"");
  const std::string floor = std::to_string(kMinKernelMajor) + "." + std::to_string(kMinKernelMinor);
  if (major < kMinKernelMajor || (major == kMinKernelMajor && minor < kMinKernelMinor))
    return failed("kernel", "Linux " + release + " is older than " + floor +
                                ", the oldest Tailor records on; upgrade the node's kernel");
  return passed("kernel", "Linux " + release);
}

}  // namespace

bool Preflight::ok() const {
  for (const auto& check : checks)
    if (!check.ok) return false;
  return true;
}

std::vector<std::string> Preflight::failures() const {
  std::vector<std::string> lines;
  for (const auto& check : checks)
    if (!check.ok) lines.push_back("preflight: " + check.name + ": " + check.detail);
  return lines;
}

std::string Preflight::reason() const {
  return "this node fails the preflight, nothing is recorded: " + common::join(failures(), "; ");
}

Preflight run_preflight(const PreflightOptions& options) {
  return {
      {check_btf(options), check_bpffs(options), check_cgroup2(options), check_kernel(options)}};
}

void export_preflight(const Preflight& preflight, prometheus::Registry& registry) {
  auto& family =
      common::gauge_family(registry, "tailor_agent_preflight_ok",
                           "1 when this node passed the agent's start-up check, 0 when not");
  for (const auto& check : preflight.checks)
    family.Add({{"check", check.name}}).Set(check.ok ? 1 : 0);
}

common::Result<std::unique_ptr<common::HttpEndpoint>> serve_failed_preflight(
    const Preflight& preflight, common::HttpEndpointOptions endpoint_options) {
  auto registry = std::make_shared<prometheus::Registry>();
  export_preflight(preflight, *registry);
  auto endpoint = common::HttpEndpoint::create(
      std::move(endpoint_options), registry,
      [reason = preflight.reason()]() -> common::Status { return common::make_error(reason); });
  if (!endpoint) return endpoint.error();
  if (auto started = (*endpoint)->start(); !started) return started.error();
  return std::move(*endpoint);
}

}  // namespace tailor::agent
