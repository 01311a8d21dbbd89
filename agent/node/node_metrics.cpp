#include "agent/node/node_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <array>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>

#include "common/metrics/families.h"
#include "common/report/recorder_stats.h"

namespace tailor::agent {
namespace {

using common::counter;
using common::gauge;

// prometheus-cpp counters only go up by increments; the sources are running totals.
void raise_to(prometheus::Counter& counter, double total) {
  if (total > counter.Value()) counter.Increment(total - counter.Value());
}

// (syscall, arch, action) of a denial series.
using DenialSeries = std::tuple<std::string, std::string, std::string>;

std::map<std::string, std::string> workload_labels(const common::WorkloadKey& key) {
  return {{"workload_namespace", key.namespace_name},
          {"workload_kind", key.kind},
          {"workload_name", key.name},
          {"workload_container", key.container}};
}

}  // namespace

struct NodeMetrics::Instruments {
  explicit Instruments(prometheus::Registry& registry) : registry(registry) {
    // Counters of work done are metrics of their own; faults are one metric by reason.
    for (const auto& stat : common::kRecorderStats)
      recorder_stats[stat.index] =
          stat.is_fault()
              ? &recorder_drops.Add({{"reason", std::string(stat.name)}})
              : &counter(registry, "tailor_agent_recorder_" + std::string(stat.name) + "_total",
                         std::string(stat.help));
  }

  prometheus::Registry& registry;
  prometheus::Gauge& tracked_containers = gauge(registry, "tailor_agent_tracked_containers",
                                                "Containers of selected pods being recorded now");
  prometheus::Counter& discoveries = counter(registry, "tailor_agent_syscall_discoveries_total",
                                             "Syscalls seen for the first time in a container");
  prometheus::Counter& reports_sent = counter(registry, "tailor_agent_reports_sent_total",
                                              "Delta batches the aggregator acknowledged");
  prometheus::Counter& reports_failed =
      counter(registry, "tailor_agent_reports_failed_total",
              "Delta batch sends that failed and will be retried");
  prometheus::Counter& reports_rejected = counter(registry, "tailor_agent_reports_rejected_total",
                                                  "Delta batches the aggregator refused for good");
  prometheus::Gauge& spool_bytes =
      gauge(registry, "tailor_agent_spool_bytes", "Bytes of unacknowledged batches on disk");
  prometheus::Gauge& spool_batches =
      gauge(registry, "tailor_agent_spool_batches", "Unacknowledged batches on disk");
  prometheus::Family<prometheus::Counter>& recorder_drops =
      common::counter_family(registry, "tailor_agent_recorder_drops_total",
                             "What the recorder could not record, by reason");
  prometheus::Family<prometheus::Gauge>& workload_syscalls =
      common::gauge_family(registry, "tailor_agent_workload_syscalls",
                           "Distinct syscalls recorded per workload container on this node");
  prometheus::Family<prometheus::Counter>& denials =
      common::counter_family(registry, "tailor_agent_denials_total",
                             "Calls a seccomp filter denied per workload container on this node");
  prometheus::Gauge& enforced_containers =
      gauge(registry, "tailor_agent_enforced_containers",
            "Recorded containers running their pod's Localhost seccomp profile (processes in "
            "seccomp filter mode)");
  prometheus::Gauge& sets_in_use = gauge(registry, "tailor_agent_recorder_sets_in_use",
                                         "Syscall sets taken in the recorder's map");
  prometheus::Gauge& sets_capacity = gauge(registry, "tailor_agent_recorder_sets_capacity",
                                           "Syscall sets the recorder's map holds");
  prometheus::Counter& program_seconds =
      counter(registry, "tailor_agent_bpf_program_run_seconds_total",
              "Time the kernel accounted to the recorder program (needs kernel.bpf_stats_enabled)");
  prometheus::Counter& program_runs =
      counter(registry, "tailor_agent_bpf_program_runs_total",
              "Runs of the recorder program (needs kernel.bpf_stats_enabled)");
  std::array<prometheus::Counter*, TAILOR_STAT_COUNT> recorder_stats{};
  std::map<common::WorkloadKey, prometheus::Gauge*> workload_series;
  std::map<common::WorkloadKey, std::map<DenialSeries, prometheus::Counter*>> denial_series;
};

NodeMetrics::NodeMetrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      instruments_(std::make_unique<Instruments>(*registry_)) {}

NodeMetrics::~NodeMetrics() = default;

void NodeMetrics::count_discovery() { instruments_->discoveries.Increment(); }

void NodeMetrics::export_recorder(const RecorderFigures& figures) {
  for (const auto& stat : common::kRecorderStats)
    if (const auto value = figures.stats.find(std::string(stat.name)); value != figures.stats.end())
      raise_to(*instruments_->recorder_stats[stat.index], static_cast<double>(value->second));
  instruments_->sets_in_use.Set(static_cast<double>(figures.sets_in_use));
  instruments_->sets_capacity.Set(static_cast<double>(figures.sets_capacity));
  raise_to(instruments_->program_seconds, static_cast<double>(figures.program.run_time_ns) / 1e9);
  raise_to(instruments_->program_runs, static_cast<double>(figures.program.run_count));
}

void NodeMetrics::export_tracked_containers(size_t recording) {
  instruments_->tracked_containers.Set(static_cast<double>(recording));
}

void NodeMetrics::export_workloads(const CumulativeState& state,
                                   const std::set<common::WorkloadKey>& recording) {
  auto& series = instruments_->workload_series;
  std::erase_if(series, [&](const auto& entry) {
    if (recording.contains(entry.first) && state.contains(entry.first)) return false;
    instruments_->workload_syscalls.Remove(entry.second);
    return true;
  });
  for (const auto& [key, workload] : state) {
    if (!recording.contains(key)) continue;
    std::set<std::pair<std::string, uint32_t>> distinct;
    for (const auto& entry : workload.syscalls)
      if (common::meets_profile(entry)) distinct.insert({entry.arch, entry.nr});
    auto [at, added] = series.try_emplace(key, nullptr);
    if (added) at->second = &instruments_->workload_syscalls.Add(workload_labels(key));
    at->second->Set(static_cast<double>(distinct.size()));
  }
}

void NodeMetrics::export_enforcement(const CumulativeState& state,
                                     const std::set<common::WorkloadKey>& recording,
                                     size_t enforced) {
  instruments_->enforced_containers.Set(static_cast<double>(enforced));
  auto& series = instruments_->denial_series;
  std::erase_if(series, [&](const auto& entry) {
    if (recording.contains(entry.first) && state.contains(entry.first)) return false;
    for (const auto& [labels, counter] : entry.second) instruments_->denials.Remove(counter);
    return true;
  });
  for (const auto& [key, workload] : state) {
    if (!recording.contains(key)) continue;
    for (const auto& [call, first_pod] : workload.denied) {
      const std::string syscall = call.name.empty() ? "#" + std::to_string(call.nr) : call.name;
      const std::string action(common::denial_action_name(call.action));
      auto [at, added] = series[key].try_emplace({syscall, call.arch, action}, nullptr);
      if (added) {
        auto labels = workload_labels(key);
        labels.insert({{"syscall", syscall}, {"arch", call.arch}, {"action", action}});
        at->second = &instruments_->denials.Add(labels);
      }
      raise_to(*at->second, static_cast<double>(call.count));
    }
  }
}

void NodeMetrics::export_delivery(const CourierCounts& counts, uint64_t spool_bytes,
                                  size_t spool_batches) {
  raise_to(instruments_->reports_sent, static_cast<double>(counts.acknowledged));
  raise_to(instruments_->reports_failed, static_cast<double>(counts.send_failures));
  raise_to(instruments_->reports_rejected, static_cast<double>(counts.rejected));
  instruments_->spool_bytes.Set(static_cast<double>(spool_bytes));
  instruments_->spool_batches.Set(static_cast<double>(spool_batches));
}

}  // namespace tailor::agent
