#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>

#include "aggregator/lifecycle/workload_state.h"
#include "aggregator/store/merge_store.h"

namespace prometheus {
class Registry;
class Gauge;
template <typename T>
class Family;
}  // namespace prometheus

namespace tailor::aggregator {

// The store's gauges: workloads tracked, and per workload container its syscalls, when its
// profile last grew (how settled it is) and its lifecycle state. Refreshed from the store in
// place.
class StoreMetrics {
 public:
  using StateOf = std::function<WorkloadState(const common::WorkloadKey&, const TrackedWorkload&)>;

  explicit StoreMetrics(prometheus::Registry& registry);

  // `state_of` runs under the store's lock.
  void update(const MergeStore& store, const StateOf& state_of);

 private:
  prometheus::Gauge& workloads_;
  prometheus::Family<prometheus::Gauge>& syscalls_;
  prometheus::Family<prometheus::Gauge>& last_discovery_;
  prometheus::Family<prometheus::Gauge>& state_;
};

}  // namespace tailor::aggregator
