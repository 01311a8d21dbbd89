#pragma once

#include <cstdint>
#include <string>

#include "aggregator/store/merge_store.h"

namespace tailor::aggregator {

// GET /ui: every workload container the store holds, one sortable and filterable row each:
// namespace, workload, container, distinct syscalls, replicas and nodes seen, last discovery,
// a convergence sparkline (distinct syscalls by when each was first seen) and a link to its
// report page.
std::string render_workloads_page(const MergeStore& store, int64_t now_unix_ms);

// Where the report page of `key` is served.
std::string workload_page_path(const common::WorkloadKey& key);

}  // namespace tailor::aggregator
