#include "aggregator/lifecycle/tracked_state.h"

namespace tailor::aggregator {

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
