#include "aggregator/store/store_metrics.h"

#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace tailor::aggregator {
namespace {

prometheus::Labels workload_labels(const common::WorkloadKey& key) {
  return {{"namespace", key.namespace_name},
          {"kind", key.kind},
          {"workload", key.name},
          {"container", key.container}};
}

}  // namespace

StoreMetrics::StoreMetrics(prometheus::Registry& registry)
    : workloads_(prometheus::BuildGauge()
                     .Name("tailor_aggregator_workloads_tracked")
                     .Help("Workload containers with merged state.")
                     .Register(registry)
                     .Add({})),
      syscalls_(prometheus::BuildGauge()
                    .Name("tailor_aggregator_workload_syscalls")
                    .Help("Distinct (arch, nr, phase) entries merged per workload container.")
                    .Register(registry)),
      since_discovery_(prometheus::BuildGauge()
                           .Name("tailor_aggregator_seconds_since_last_discovery")
                           .Help("Seconds since a workload container's profile last grew.")
                           .Register(registry)) {}

void StoreMetrics::update(const std::map<common::WorkloadKey, TrackedWorkload>& state,
                          int64_t now_unix_ms) {
  // Workloads only accumulate, so no series ever needs removing.
  workloads_.Set(static_cast<double>(state.size()));
  for (const auto& [key, tracked] : state) {
    const auto labels = workload_labels(key);
    syscalls_.Add(labels).Set(static_cast<double>(tracked.merged.syscalls.size()));
    since_discovery_.Add(labels).Set(
        static_cast<double>(now_unix_ms - tracked.last_discovery_unix_ms) / 1000.0);
  }
}

}  // namespace tailor::aggregator
