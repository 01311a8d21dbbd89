#pragma once

#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "aggregator/lifecycle/workload_state.h"
#include "common/metrics/prometheus_fwd.h"
#include "common/wire/workload_key.h"

namespace tailor::aggregator {

// tailor_aggregator_denials_total: a counter per workload container, syscall, action,
// sensitivity and whose profile denied it (docs/observability.md). Agents' counts are
// cumulative per agent run and a run that ends takes its report with it, so the sum the store
// holds can go down; the counter only adds what the sum grew by, so increase() and rate()
// count each denial once whatever restarts.
class DenialMetrics {
 public:
  explicit DenialMetrics(prometheus::Registry& registry);

  // The whole set of workload containers with denials now: series of the others (a deleted
  // workload, one whose agent runs ended) are removed, so the series stay bounded by what the
  // store tracks.
  void update(const std::map<common::WorkloadKey, Assessment>& assessed);

 private:
  // workload key, syscall, action, sensitive, profile
  using Series = std::tuple<common::WorkloadKey, std::string, std::string, bool, bool>;
  struct Known {
    prometheus::Counter* counter = nullptr;
    uint64_t sum = 0;  // the store's summed cumulative count at the last update
  };
  prometheus::Family<prometheus::Counter>& family_;
  std::map<Series, Known> known_;
};

}  // namespace tailor::aggregator
