#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/report/denied.h"

namespace tailor::aggregator {

// Where a workload container is on the way from recording to enforcing its profile
// (docs/aggregator.md, "Lifecycle").
enum class WorkloadState {
  learning,  // new calls still appear, or too few pods were seen
  stable,    // no new call for LifecycleOptions::stable_after on enough pods
  enforced,  // pods run under this workload's Tailor profile and nothing was denied
  denying,   // pods run under it and it denied calls it does not allow
};
std::span<const WorkloadState> all_workload_states();
std::string_view workload_state_name(WorkloadState state);  // "learning", ...

struct LifecycleOptions {
  // A day covers daily cycles (nightly jobs, traffic peaks, log rotation) that a shorter
  // quiet spell would call stable too early.
  std::chrono::milliseconds stable_after{std::chrono::hours(24)};
  // More than one pod: a single pod's run may skip what others do (leader-only work, a
  // restart path); a one-replica workload gets there after a rollout or restart.
  uint64_t stable_min_pods = 2;
};

// A call a filter denied to a workload container's pods, summed over the nodes that reported
// it; counts are cumulative per agent run like the syscalls'.
struct ObservedDenial {
  std::string arch;
  uint32_t nr = 0;
  std::string name;  // empty when libseccomp knows none
  common::DenialAction action = common::DenialAction::kill_process;
  uint64_t count = 0;
  int64_t first_seen_unix_ms = 0;  // earliest over the nodes; 0 unknown
  std::string first_pod;           // of the earliest sighting

  bool operator==(const ObservedDenial&) const = default;
};

// What one agent run reported of one workload container: its latest enforcement and every
// call denied on its node.
struct NodeReport {
  // securityContext.seccompProfile.localhostProfile of its pods when their type is Localhost.
  std::string localhost_profile;
  uint32_t pods = 0;           // its running pods on that node: 0 once the workload left it
  uint32_t pods_filtered = 0;  // its pods in seccomp filter mode
  std::vector<ObservedDenial> denied;
  // The batch the enforcement came in: an older batch delivered late changes nothing.
  uint64_t enforcement_seq = 0;
};

// What the aggregator knows of one workload container.
struct WorkloadEvidence {
  int64_t last_discovery_unix_ms = 0;  // when its profile last grew
  uint64_t pods_seen = 0;
  std::map<uint32_t, NodeReport> nodes;  // by agent run (MergeStore's interned ids)
};

struct Assessment {
  WorkloadState state = WorkloadState::learning;
  uint32_t pods_enforced = 0;  // filtered by this workload's profile
  // Localhost profiles other than this workload's that filter its pods: a pod enforcing a
  // profile Tailor did not write, or another workload's.
  std::vector<std::string> foreign_profiles;
  // Denied on nodes that enforce this profile, of calls the profile does not allow (a call
  // healed into the profile no longer counts), one per (arch, nr, action).
  std::vector<ObservedDenial> denied;
  // Denied on the other nodes, by some other filter: shown, never `denying`.
  std::vector<ObservedDenial> denied_elsewhere;
};

// Whether the profile as it is now allows (arch, nr).
using AllowedCall = std::function<bool(const std::string& arch, uint32_t nr)>;

// `own_profile` is the localhost_profile pods carry when they run this workload's
// SeccompProfile (spo_localhost_profile).
Assessment assess(const WorkloadEvidence& evidence, std::string_view own_profile,
                  const AllowedCall& allowed, int64_t now_unix_ms, const LifecycleOptions& options);

}  // namespace tailor::aggregator
