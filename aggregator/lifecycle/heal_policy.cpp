#include "aggregator/lifecycle/heal_policy.h"

#include <set>
#include <utility>

#include "common/syscalls/categories.h"

namespace tailor::aggregator {

HealPlan heal_plan(const std::vector<ObservedDenial>& denied) {
  HealPlan plan;
  std::set<std::pair<std::string, uint32_t>> planned;
  for (const auto& denial : denied) {
    if (!planned.emplace(denial.arch, denial.nr).second) continue;
    if (denial.name.empty()) {
      plan.held_back.push_back(
          {denial, "libseccomp knows no name for it on " + denial.arch + ": a person must decide"});
    } else if (common::is_security_sensitive(denial.name)) {
      plan.held_back.push_back({denial, std::string(common::sensitivity_reason(denial.name)) +
                                            ": security-sensitive, a person must decide"});
    } else {
      plan.add.push_back(denial);
    }
  }
  return plan;
}

}  // namespace tailor::aggregator
