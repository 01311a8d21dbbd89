#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <vector>

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
  // One workload's series, found in their families once: finding them takes building and
  // hashing their labels, which every second for 5,000 workloads held the store's lock for
  // tens of milliseconds.
  struct Series {
    prometheus::Gauge* syscalls = nullptr;
    prometheus::Gauge* last_discovery = nullptr;
    std::vector<prometheus::Gauge*> states;  // in all_workload_states() order
  };
  Series& series_of(const common::WorkloadKey& key);

  prometheus::Gauge& workloads_;
  prometheus::Family<prometheus::Gauge>& syscalls_;
  prometheus::Family<prometheus::Gauge>& last_discovery_;
  prometheus::Family<prometheus::Gauge>& state_;
  std::map<common::WorkloadKey, Series> series_;
};

}  // namespace tailor::aggregator
