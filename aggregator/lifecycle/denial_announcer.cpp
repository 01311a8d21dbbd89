#include "aggregator/lifecycle/denial_announcer.h"

namespace tailor::aggregator {

std::vector<ObservedDenial> DenialAnnouncer::take_new(const common::WorkloadKey& key,
                                                      const std::vector<ObservedDenial>& denied) {
  std::vector<ObservedDenial> fresh;
  std::lock_guard lock(mu_);
  auto& announced = announced_[key];
  for (const auto& denial : denied) {
    if (announced.emplace(denial.arch, denial.nr, denial.action).second) fresh.push_back(denial);
  }
  return fresh;
}

void DenialAnnouncer::forget(const common::WorkloadKey& key) {
  std::lock_guard lock(mu_);
  announced_.erase(key);
}

}  // namespace tailor::aggregator
