#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "agent/cgroup/cgroup2.h"
#include "agent/k8s/selection.h"
#include "agent/node/attribution.h"
#include "agent/node/container_book.h"
#include "agent/node/node_metrics.h"
#include "agent/recorder/recorder.h"
#include "agent/report/courier.h"
#include "agent/report/delta_tracker.h"
#include "agent/report/sender.h"
#include "agent/report/spool.h"
#include "common/k8s/client/cluster_config.h"
#include "common/k8s/client/kube_client.h"
#include "common/metrics/http_endpoint.h"
#include "common/util/backoff.h"
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
  // How long the ERRNO denial hook stays attached once no recorded container runs filtered.
  std::chrono::seconds errno_watch_linger{300};
};

// `tailor agent`, wired: the recorder, the book of the node's containers, their attribution
// to pods and workloads, the courier of per-workload deltas to the aggregator and the
// /metrics, /healthz and /readyz endpoint. What run_node_agent runs and what the tests build.
// Not thread-safe: one thread drives it.
class NodeAgent {
 public:
  // Opens the recorder (pinned in options.pin_dir; nothing pinned when empty), the spool and
  // the sender. Failures are one actionable line.
  static common::Result<std::unique_ptr<NodeAgent>> create(
      NodeAgentOptions options, std::unique_ptr<common::KubeClient> client);
  ~NodeAgent();
  NodeAgent(const NodeAgent&) = delete;
  NodeAgent& operator=(const NodeAgent&) = delete;

  // Tracks the roots there are now, watches the node's pods and serves: a container started
  // once this returns is recorded from its first syscall.
  common::Status start();
  // Until `stop` is set (SIGTERM): events as they come, a round every interval; then one
  // last round, so what was recorded since goes out (or to the spool).
  common::Status run(const std::atomic<bool>& stop);

  // Delivers the recorder's pending events to the book, without waiting.
  void consume_events();
  // Reads the sets and the recorder's counters once, attributes pending containers, sends
  // what is new, releases finished containers and exports the metrics. Returns when the
  // next round is due.
  std::chrono::milliseconds round();

  int port() const { return endpoint_->port(); }
  NodeMetrics& metrics() { return metrics_; }
  ContainerBook& containers() { return book_; }
  const Recorder& recorder() const { return *recorder_; }

 private:
  NodeAgent(NodeAgentOptions options, std::unique_ptr<common::KubeClient> client, Cgroup2 cgroups,
            std::unique_ptr<Recorder> recorder, std::unique_ptr<Spool> spool,
            std::unique_ptr<Sender> sender);

  void track_new_roots();
  void attribute();
  void ignore(uint64_t cgroup_id, ContainerRecord& record, const std::string& why);
  void release(const Released& released);
  void watch_errno_denials();

  NodeAgentOptions options_;
  std::unique_ptr<common::KubeClient> client_;
  Cgroup2 cgroups_;
  std::unique_ptr<Recorder> recorder_;
  std::unique_ptr<Spool> spool_;
  std::unique_ptr<Sender> sender_;
  NodeMetrics metrics_;
  ContainerBook book_;
  PodAttribution attribution_;
  DeltaTracker tracker_;
  common::Backoff backoff_;
  Courier courier_;
  Recorder::EventHandler on_event_;
  std::unique_ptr<common::HttpEndpoint> endpoint_;
  std::set<std::string> tracked_roots_;
  // Cgroups whose sets went back to the recorder this round: no longer in use.
  std::set<uint64_t> released_;
  std::chrono::steady_clock::time_point errno_wanted_at_;  // last round a container ran filtered
  bool told_modes_unreadable_ = false;                     // logged once per run
};

// `tailor agent`: checks the node, then runs a NodeAgent until `stop` is set. On a node that
// fails the preflight it records nothing and serves the reason on /readyz.
common::Status run_node_agent(const NodeAgentOptions& options, const common::ClusterConfig& cluster,
                              const std::atomic<bool>& stop);

}  // namespace tailor::agent
