#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "aggregator/store/merged_workload.h"
#include "common/wire/delta.h"
#include "common/wire/workload_key.h"

namespace tailor::aggregator {

// A workload's merged state with the bookkeeping the writer and the metrics need.
struct TrackedWorkload {
  MergedWorkload merged;
  // Bumped whenever the profile part grows, so the writer can tell what it has written.
  uint64_t version = 0;
  int64_t first_discovery_unix_ms = 0;
  int64_t last_discovery_unix_ms = 0;  // when the profile part last grew
};

// The aggregator's state: WorkloadKey -> merged workload. Thread-safe; every change goes
// through merge_into, so replays, duplicates and reordering change nothing.
class MergeStore {
 public:
  // Merges every workload of `delta`; returns how many keys' profile part grew.
  std::size_t apply(const common::Delta& delta, int64_t now_unix_ms);
  // Merges a workload learnt elsewhere (an existing SeccompProfile, another replica's write).
  MergeGrowth merge(const common::WorkloadKey& key, const MergedWorkload& workload,
                    int64_t now_unix_ms);
  // Merges a workload rebuilt from its SeccompProfile at start-up; a key not tracked yet takes
  // the discovery times the profile's annotations recorded, so a restart does not reset them.
  void restore(const common::WorkloadKey& key, const MergedWorkload& workload,
               int64_t first_unix_ms, int64_t last_unix_ms);

  std::optional<TrackedWorkload> get(const common::WorkloadKey& key) const;
  std::map<common::WorkloadKey, TrackedWorkload> snapshot() const;
  // Keys and versions only, for the writer's cheap "what changed" scan.
  std::map<common::WorkloadKey, uint64_t> versions() const;
  std::size_t size() const;

 private:
  MergeGrowth merge_locked(const common::WorkloadKey& key, const MergedWorkload& workload,
                           int64_t now_unix_ms);

  mutable std::mutex mu_;
  std::map<common::WorkloadKey, TrackedWorkload> workloads_;
};

}  // namespace tailor::aggregator
