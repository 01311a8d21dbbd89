#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "aggregator/lifecycle/workload_state.h"

namespace tailor::aggregator {

// A denied call a person has to judge, with why.
struct HeldBack {
  ObservedDenial denial;
  std::string reason;
};

// What to do with the calls an enforced profile denied (Assessment::denied). `add` goes into
// the `<name>-proposed` SeccompProfile, and into the enforced one itself where the namespace
// opted into auto-heal. `held_back` never goes into either: security-sensitive calls (the one
// list of common/syscalls/categories, the same the reports flag) and calls libseccomp has no
// name for.
struct HealPlan {
  std::vector<ObservedDenial> add;  // one per (arch, nr), whatever the actions
  std::vector<HeldBack> held_back;  // one per (arch, nr)
};
HealPlan heal_plan(const std::vector<ObservedDenial>& denied);

}  // namespace tailor::aggregator
