#pragma once

#include <cstdint>
#include <map>
#include <set>

#include "aggregator/store/merge_store.h"

namespace prometheus {
class Registry;
class Gauge;
template <typename T>
class Family;
}  // namespace prometheus

namespace tailor::aggregator {

// The store's gauges: workloads tracked, and per workload container its syscalls and when
// its profile last grew (how settled it is). Refreshed from the store in place.
class StoreMetrics {
 public:
  explicit StoreMetrics(prometheus::Registry& registry);

  void update(const MergeStore& store);

 private:
  prometheus::Gauge& workloads_;
  prometheus::Family<prometheus::Gauge>& syscalls_;
  prometheus::Family<prometheus::Gauge>& last_discovery_;
};

}  // namespace tailor::aggregator
