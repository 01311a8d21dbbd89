#include "aggregator/store/store_metrics.h"

#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "common/metrics/families.h"

namespace tailor::aggregator {
namespace {

prometheus::Labels workload_labels(const common::WorkloadKey& key) {
  // Not "namespace" or "container": Kubernetes service discovery gives the scraped pod's own
  // under those names, and a clash would rename these to exported_*.
  return {{"workload_namespace", key.namespace_name},
          {"workload_kind", key.kind},
          {"workload_name", key.name},
          {"workload_container", key.container}};
}

}  // namespace

StoreMetrics::StoreMetrics(prometheus::Registry& registry)
    : workloads_(common::gauge(registry, "tailor_aggregator_workloads_tracked",
                               "Workload containers with merged state.")),
      syscalls_(
          common::gauge_family(registry, "tailor_aggregator_workload_syscalls",
                               "Distinct syscalls (arch, number) a workload container and its "
                               "runtime made under its profile, merged over all replicas.")),
      last_discovery_(
          common::gauge_family(registry, "tailor_aggregator_last_discovery_timestamp_seconds",
                               "When a workload container's profile last grew (Unix time).")),
      state_(common::gauge_family(registry, "tailor_aggregator_workload_state",
                                  "1 for a workload container's lifecycle state (learning, stable, "
                                  "enforced, denying), 0 for the other three.")) {}

StoreMetrics::Series& StoreMetrics::series_of(const common::WorkloadKey& key) {
  auto [at, added] = series_.try_emplace(key);
  Series& series = at->second;
  if (!added) return series;
  const auto labels = workload_labels(key);
  series.syscalls = &syscalls_.Add(labels);
  series.last_discovery = &last_discovery_.Add(labels);
  for (const WorkloadState state : all_workload_states()) {
    auto state_labels = labels;
    state_labels.emplace("state", workload_state_name(state));
    series.states.push_back(&state_.Add(state_labels));
  }
  return series;
}

void StoreMetrics::update(const MergeStore& store, const StateOf& state_of) {
  // Workloads only accumulate, so no series ever needs removing.
  std::size_t workloads = 0;
  store.for_each([&](const common::WorkloadKey& key, const TrackedWorkload& tracked) {
    ++workloads;
    Series& series = series_of(key);
    // The setup phase never meets the profile; the other two count once per syscall. Entries
    // are ordered by arch, nr, then phase, so one syscall's phases are neighbours.
    std::size_t under_profile = 0;
    const common::SyscallId* counted = nullptr;
    for (const auto& [id, syscall] : tracked.merged.syscalls) {
      if (id.phase == common::Phase::runtime_setup) continue;
      if (counted == nullptr || counted->nr != id.nr || counted->arch != id.arch) ++under_profile;
      counted = &id;
    }
    series.syscalls->Set(static_cast<double>(under_profile));
    if (tracked.last_discovery_unix_ms > 0)
      series.last_discovery->Set(static_cast<double>(tracked.last_discovery_unix_ms) / 1000.0);
    // Four series per workload, one of them 1: `== 1` selects a state, and a state no workload
    // is in still has its zeros for sums.
    const WorkloadState current = state_of(key, tracked);
    const auto states = all_workload_states();
    for (std::size_t i = 0; i < series.states.size(); ++i)
      series.states[i]->Set(states[i] == current ? 1 : 0);
  });
  workloads_.Set(static_cast<double>(workloads));
}

}  // namespace tailor::aggregator
