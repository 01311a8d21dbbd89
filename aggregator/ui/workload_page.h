#pragma once

#include <cstdint>
#include <string>

#include "aggregator/store/merge_store.h"

namespace tailor::aggregator {

// GET /ui/workloads/NS/KIND/NAME/CONTAINER: the report page (common/html) of one workload
// container's merged state.
std::string render_workload_page(const common::WorkloadKey& key, const TrackedWorkload& tracked,
                                 int64_t now_unix_ms);

}  // namespace tailor::aggregator
