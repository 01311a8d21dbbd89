#include "aggregator/lifecycle/denial_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include "common/metrics/families.h"
#include "common/syscalls/categories.h"
#include "common/util/saturating.h"

namespace tailor::aggregator {

DenialMetrics::DenialMetrics(prometheus::Registry& registry)
    : family_(common::counter_family(
          registry, "tailor_aggregator_denials_total",
          "Calls a seccomp filter denied to a workload container, by syscall, action, whether it "
          "is security-sensitive and whether the workload's own Tailor profile (profile=\"own\") "
          "or another filter denied it.")) {}

void DenialMetrics::update(const std::map<common::WorkloadKey, Assessment>& assessed) {
  std::map<Series, uint64_t> sums;
  for (const auto& [key, assessment] : assessed) {
    for (const bool own : {true, false}) {
      for (const auto& denial : own ? assessment.denied : assessment.denied_elsewhere) {
        const std::string name =
            denial.name.empty() ? "#" + std::to_string(denial.nr) : denial.name;
        const Series series{key, name, std::string(common::denial_action_name(denial.action)),
                            !denial.name.empty() && common::is_security_sensitive(denial.name),
                            own};
        uint64_t& sum = sums[series];
        sum = common::saturating_add(sum, denial.count);
      }
    }
  }
  for (auto it = known_.begin(); it != known_.end();) {
    if (sums.contains(it->first)) {
      ++it;
      continue;
    }
    family_.Remove(it->second.counter);
    it = known_.erase(it);
  }
  for (const auto& [series, sum] : sums) {
    auto [it, added] = known_.try_emplace(series);
    Known& known = it->second;
    if (added) {
      const auto& [key, syscall, action, sensitive, own] = series;
      // Not "namespace" or "container": see StoreMetrics.
      known.counter = &family_.Add({{"workload_namespace", key.namespace_name},
                                    {"workload_kind", key.kind},
                                    {"workload_name", key.name},
                                    {"workload_container", key.container},
                                    {"syscall", syscall},
                                    {"action", action},
                                    {"sensitive", sensitive ? "true" : "false"},
                                    {"profile", own ? "own" : "other"}});
    }
    // A sum that went down (a run ended) is the new base; only growth is counted.
    if (sum > known.sum) known.counter->Increment(static_cast<double>(sum - known.sum));
    known.sum = sum;
  }
}

}  // namespace tailor::aggregator
