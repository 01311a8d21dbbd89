#include "aggregator/lifecycle/tracked_state.h"

#include <set>
#include <utility>

#include "aggregator/lifecycle/heal_policy.h"

namespace tailor::aggregator {
namespace {

// An annotation is for people; past this many calls the count says the rest.
constexpr std::size_t kMaxListedDenials = 20;

std::string listed_denials(const std::vector<ObservedDenial>& denied, bool with_policy) {
  std::map<std::pair<std::string, uint32_t>, std::string> held_back;
  if (with_policy) {
    for (auto& held : heal_plan(denied).held_back)
      held_back.emplace(std::pair{held.denial.arch, held.denial.nr}, std::move(held.reason));
  }
  std::string text;
  for (std::size_t i = 0; i < denied.size(); ++i) {
    if (i == kMaxListedDenials) {
      return text + "; and " + std::to_string(denied.size() - i) + " more";
    }
    const ObservedDenial& call = denied[i];
    text += (i ? "; " : "") + (call.name.empty() ? "#" + std::to_string(call.nr) : call.name) +
            " " + call.arch + " " + std::string(common::denial_action_name(call.action)) + " x" +
            std::to_string(call.count);
    if (!call.first_pod.empty()) text += " (first pod " + call.first_pod + ")";
    const auto held = held_back.find({call.arch, call.nr});
    if (held != held_back.end()) text += " [not healed: " + held->second + "]";
  }
  return text;
}

}  // namespace

PublishedState published_state(const Assessment& assessment) {
  return {std::string(workload_state_name(assessment.state)),
          listed_denials(assessment.denied, true),
          listed_denials(assessment.denied_elsewhere, false)};
}

Assessment assess_tracked(const TrackedWorkload& tracked, std::string_view own_profile,
                          int64_t now_unix_ms, const LifecycleOptions& options) {
  const auto& syscalls = tracked.merged.syscalls;
  const AllowedCall allowed = [&](const std::string& arch, uint32_t nr) {
    const auto next = syscalls.lower_bound({arch, nr, common::Phase::workload});
    return next != syscalls.end() && next->first.arch == arch && next->first.nr == nr;
  };
  const WorkloadEvidence evidence{.last_discovery_unix_ms = tracked.last_discovery_unix_ms,
                                  .pods_seen = tracked.merged.pods_seen(),
                                  .nodes = tracked.reports};
  return assess(evidence, own_profile, allowed, now_unix_ms, options);
}

}  // namespace tailor::aggregator
