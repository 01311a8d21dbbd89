#pragma once

#include <cstdint>
#include <string_view>

#include "aggregator/lifecycle/workload_state.h"
#include "aggregator/store/merge_store.h"

namespace tailor::aggregator {

// The label a SeccompProfile carries with its workload's state: `kubectl get seccompprofiles
// -L tailor.dev/state`.
inline constexpr const char* kStateLabel = "tailor.dev/state";

// A tracked workload's assessment: its coverage and its agents' reports from the store, and
// what its profile allows (any phase of a call the store holds is in the profile).
Assessment assess_tracked(const TrackedWorkload& tracked, std::string_view own_profile,
                          int64_t now_unix_ms, const LifecycleOptions& options);

}  // namespace tailor::aggregator
