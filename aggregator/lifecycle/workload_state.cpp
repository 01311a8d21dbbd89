#include "aggregator/lifecycle/workload_state.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "common/model/merge.h"
#include "common/util/enum_names.h"

namespace tailor::aggregator {
namespace {

constexpr common::EnumNames<WorkloadState, 4> kStateNames = {{
    {WorkloadState::learning, "learning"},
    {WorkloadState::stable, "stable"},
    {WorkloadState::enforced, "enforced"},
    {WorkloadState::denying, "denying"},
}};

constexpr auto kStates = common::enum_values(kStateNames);

using DenialKey = std::tuple<std::string, uint32_t, common::DenialAction>;

// Sums one node's denials into `into`, keeping the earliest sighting.
void add_denials(std::map<DenialKey, ObservedDenial>& into,
                 const std::vector<ObservedDenial>& denied) {
  for (const auto& denial : denied) {
    auto [it, added] = into.try_emplace({denial.arch, denial.nr, denial.action}, denial);
    if (added) continue;
    ObservedDenial& sum = it->second;
    sum.count = common::saturating_add(sum.count, denial.count);
    common::merge_name(sum.name, denial.name);
    if (common::merge_first_seen(sum.first_seen_unix_ms, denial.first_seen_unix_ms))
      sum.first_pod = denial.first_pod;
  }
}

std::vector<ObservedDenial> values(std::map<DenialKey, ObservedDenial>&& denials) {
  std::vector<ObservedDenial> out;
  out.reserve(denials.size());
  for (auto& [key, denial] : denials) out.push_back(std::move(denial));
  return out;
}

}  // namespace

std::span<const WorkloadState> all_workload_states() { return kStates; }

std::string_view workload_state_name(WorkloadState state) {
  return common::enum_name(kStateNames, state);
}

Assessment assess(const WorkloadEvidence& evidence, std::string_view own_profile,
                  const AllowedCall& allowed, int64_t now_unix_ms,
                  const LifecycleOptions& options) {
  Assessment out;
  std::map<DenialKey, ObservedDenial> denied;
  std::map<DenialKey, ObservedDenial> elsewhere;
  std::set<std::string> foreign;
  for (const auto& [run, node] : evidence.nodes) {
    const bool enforcing =
        node.pods_filtered > 0 && !own_profile.empty() && node.localhost_profile == own_profile;
    if (enforcing) out.pods_enforced += node.pods_filtered;
    if (!enforcing && node.pods_filtered > 0 && !node.localhost_profile.empty()) {
      foreign.insert(node.localhost_profile);
    }
    add_denials(enforcing ? denied : elsewhere, node.denied);
  }
  std::erase_if(denied, [&](const auto& entry) {
    return allowed(std::get<0>(entry.first), std::get<1>(entry.first));
  });
  out.foreign_profiles.assign(foreign.begin(), foreign.end());
  out.denied = values(std::move(denied));
  out.denied_elsewhere = values(std::move(elsewhere));

  if (out.pods_enforced > 0) {
    out.state = out.denied.empty() ? WorkloadState::enforced : WorkloadState::denying;
  } else {
    const bool quiet =
        now_unix_ms - evidence.last_discovery_unix_ms >= options.stable_after.count();
    out.state = quiet && evidence.pods_seen >= options.stable_min_pods ? WorkloadState::stable
                                                                       : WorkloadState::learning;
  }
  return out;
}

}  // namespace tailor::aggregator
