#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/metrics/http_endpoint.h"
#include "common/metrics/prometheus_fwd.h"
#include "common/util/result.h"

namespace tailor::agent {

// What a node needs before the agent can record there (README, docs/install.md). The
// paths are the host's as the agent's pod sees them; tests point them at fake trees.
struct PreflightOptions {
  std::filesystem::path sys_root = "/sys";
  std::filesystem::path proc_root = "/proc";
  std::filesystem::path pin_dir = "/sys/fs/bpf/tailor";
  std::string kernel_release;  // empty: this kernel's (uname)
};

// The oldest kernel Tailor records on (docs/install.md, Requirements).
inline constexpr int kMinKernelMajor = 5;
inline constexpr int kMinKernelMinor = 12;

struct PreflightCheck {
  std::string name;  // btf, bpffs, cgroup2, kernel: the metric's `check` label
  bool ok = false;
  std::string detail;  // what was found; for a failure, what to do
};

struct Preflight {
  std::vector<PreflightCheck> checks;

  bool ok() const;
  // One line per failed check, for the log.
  std::vector<std::string> failures() const;
  // The failed checks on one line: the body of /readyz's 503.
  std::string reason() const;
};

Preflight run_preflight(const PreflightOptions& options);

// tailor_agent_preflight_ok{check="..."} 1 or 0 in `registry`.
void export_preflight(const Preflight& preflight, prometheus::Registry& registry);

// On a node that fails the preflight the agent records nothing but stays up, serving
// /metrics (the preflight gauges), /healthz and a /readyz that answers 503 with the reason:
// the pod shows not ready, with why, instead of restarting in a loop. Started, until destroyed.
common::Result<std::unique_ptr<common::HttpEndpoint>> serve_failed_preflight(
    const Preflight& preflight, common::HttpEndpointOptions endpoint_options);

}  // namespace tailor::agent
