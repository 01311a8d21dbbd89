#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "agent/k8s/selection.h"
#include "agent/report/sender.h"
#include "agent/report/spool.h"
#include "common/k8s/client/cluster_config.h"
#include "common/util/result.h"

namespace tailor::agent {

struct NodeAgentOptions {
  std::string node_name;
  // cgroup2 paths whose descendants are recorded, one set per container; the
  // ones that exist are used. A test bed node lives under a prefix.
  std::vector<std::string> cgroup_roots = {"/kubepods", "/kubepods.slice"};
  std::string pin_dir = "/sys/fs/bpf/tailor";
  std::string spool_dir = "/var/lib/tailor/spool";
  SpoolLimits spool_limits;
  SenderOptions sender;
  SelectionConfig selection;
  std::chrono::milliseconds interval{2000};
  // A container whose pod never shows up is released after this long.
  std::chrono::seconds unknown_pod_grace{600};
  std::string listen_address = "0.0.0.0";
  int listen_port = 9090;  // /metrics, /healthz, /readyz
  uint32_t max_sets = 4096;
};

// `tailor agent`: records the containers of one node's selected pods, works
// out their workloads and streams per-workload deltas to the aggregator.
// Runs until `stop` is set (SIGTERM), then flushes once more.
common::Status run_node_agent(const NodeAgentOptions& options, const common::ClusterConfig& cluster,
                              const std::atomic<bool>& stop);

}  // namespace tailor::agent
