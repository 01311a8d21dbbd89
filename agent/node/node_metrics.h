#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "agent/recorder/recorder.h"
#include "agent/report/courier.h"
#include "agent/report/delta_tracker.h"
#include "common/metrics/prometheus_fwd.h"

namespace tailor::agent {

// What the recorder's maps and counters said in one round: read once, exported once.
struct RecorderFigures {
  std::map<std::string, uint64_t> stats;  // Recorder::stats(): node-wide running totals
  size_t sets_in_use = 0;
  uint32_t sets_capacity = 0;
  Recorder::ProgramStats program;
};

// The agent's /metrics: its registry, and the export of each round's figures. Sources that
// are running totals (the recorder's pinned counters, the courier's counts) raise counters
// to their value, so the counters go on across rounds and agent restarts.
class NodeMetrics {
 public:
  NodeMetrics();
  ~NodeMetrics();
  NodeMetrics(const NodeMetrics&) = delete;
  NodeMetrics& operator=(const NodeMetrics&) = delete;

  const std::shared_ptr<prometheus::Registry>& registry() const { return registry_; }

  // A syscall seen for the first time in a container.
  void count_discovery();
  void export_recorder(const RecorderFigures& figures);
  void export_tracked_containers(size_t recording);
  // Distinct syscalls a profile would allow, per workload container with a container recording
  // on this node now. A workload's series goes when its last container here ends (the agent
  // keeps its finished containers' calls for the run, but a series per workload that ever ran
  // would grow with every Job and rollout for months).
  void export_workloads(const CumulativeState& state,
                        const std::set<common::WorkloadKey>& recording);
  // Calls seccomp filters denied per workload container (cumulative for the agent run), with
  // the same lifetime as the workload's syscalls series, and the containers running a Localhost
  // profile in seccomp filter mode now.
  void export_enforcement(const CumulativeState& state,
                          const std::set<common::WorkloadKey>& recording, size_t enforced);
  void export_delivery(const CourierCounts& counts, uint64_t spool_bytes, size_t spool_batches);

 private:
  struct Instruments;

  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<Instruments> instruments_;
};

}  // namespace tailor::agent
