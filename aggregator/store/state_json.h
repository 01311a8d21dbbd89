#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>

#include "aggregator/store/merge_store.h"

namespace tailor::aggregator {

// The merged state as GET /api/v1/profiles serves it (docs/aggregator.md): one entry per
// workload container with its coverage and syscalls.
nlohmann::json state_json(const std::map<common::WorkloadKey, TrackedWorkload>& state,
                          int64_t now_unix_ms);

}  // namespace tailor::aggregator
