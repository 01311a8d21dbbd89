#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "aggregator/lifecycle/workload_state.h"
#include "aggregator/store/merge_store.h"
#include "common/k8s/profile_names.h"

namespace tailor::aggregator {

using common::kStateLabel;
// The calls the workload's own profile denied, and those other filters denied its pods.
inline constexpr const char* kDeniedAnnotation = "tailor.dev/denied";
inline constexpr const char* kDeniedElsewhereAnnotation = "tailor.dev/denied-elsewhere";

// What a SeccompProfile shows of its workload's lifecycle; "" for an annotation left out.
struct PublishedState {
  std::string state;
  std::string denied;
  std::string denied_elsewhere;
  bool operator==(const PublishedState&) const = default;
};
// Each denied call as "socket x86_64 errno_ret x3 (first pod <uid>)", "; "-separated, the
// first 20 then the number left out; a call the heal policy holds back says why.
PublishedState published_state(const Assessment& assessment);

// A tracked workload's assessment: its coverage and its agents' reports from the store, and
// what its profile allows (any phase of a call the store holds is in the profile).
Assessment assess_tracked(const TrackedWorkload& tracked, std::string_view own_profile,
                          int64_t now_unix_ms, const LifecycleOptions& options);

}  // namespace tailor::aggregator
