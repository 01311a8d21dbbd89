#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "aggregator/lifecycle/workload_state.h"
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
  // Enforcement and denials per live agent run (interned run id); a run that ended takes its
  // report with it, so a node that went reports nothing stale.
  std::map<uint32_t, NodeReport> reports;
};

struct StoreOptions {
  // An agent run with no batch for this long has ended (the agent restarted, the node went):
  // its tallies fold into the syscalls' settled sums, so per-run entries do not pile up over
  // restarts. Later batches of a folded run still add syscalls, values, nodes and pods, but no
  // calls or pods counts (they were folded at the largest seen).
  std::chrono::milliseconds settle_runs_after{std::chrono::minutes(10)};
  // Workload containers tracked at most; a batch that would add more is refused whole.
  std::size_t max_workloads = 100000;
};

// What apply did.
struct Applied {
  std::size_t grown = 0;  // keys whose profile part grew
  // Nothing was merged: the batch names workload containers beyond max_workloads.
  bool full = false;
};

// The aggregator's state: WorkloadKey -> merged workload. Thread-safe; every change is a join
// (merge_into, merge_delta), so replays, duplicates and reordering change nothing.
class MergeStore {
 public:
  explicit MergeStore(StoreOptions options = {}) : options_(options) {}

  // Merges every workload of `delta`, or nothing when it would exceed max_workloads.
  Applied apply(const common::Delta& delta, int64_t now_unix_ms);
  // Merges a workload learnt elsewhere (an existing SeccompProfile, another replica's write).
  MergeGrowth merge(const common::WorkloadKey& key, const MergedWorkload& workload,
                    int64_t now_unix_ms);
  // Merges a workload rebuilt from its SeccompProfile at start-up; a key not tracked yet takes
  // the discovery times the profile's annotations recorded, so a restart does not reset them.
  // Returns the key's version when the object is all the store holds of it; nullopt when
  // batches merged before the rebuild may hold more than the object.
  std::optional<uint64_t> restore(const common::WorkloadKey& key, const MergedWorkload& workload,
                                  int64_t first_unix_ms, int64_t last_unix_ms);

  std::optional<TrackedWorkload> get(const common::WorkloadKey& key) const;
  std::map<common::WorkloadKey, TrackedWorkload> snapshot() const;
  // Calls `visit` on every workload under the store's lock: for summaries of the whole store,
  // which a snapshot would copy (hundreds of MiB at 5,000 workloads on 50 nodes each).
  void for_each(
      const std::function<void(const common::WorkloadKey&, const TrackedWorkload&)>& visit) const;
  // Keys whose profile part grew since the last call, each with its version then: how the
  // writer learns what to write without scanning the whole store.
  std::map<common::WorkloadKey, uint64_t> take_changes();
  std::size_t size() const;
  std::size_t max_workloads() const { return options_.max_workloads; }

 private:
  using Workloads = std::map<common::WorkloadKey, TrackedWorkload>;

  MergeGrowth merge_locked(const common::WorkloadKey& key, const MergedWorkload& workload,
                           int64_t now_unix_ms);
  // A new version of `key`'s profile, for the writer's change feed.
  void note_growth(const common::WorkloadKey& key, TrackedWorkload& tracked, int64_t now_unix_ms);
  void settle_ended_runs(int64_t now_unix_ms);

  // A key's workload by hashing: a lookup in workloads_ compares four strings at each of a
  // dozen levels and misses the cache on most, once per report. workloads_ keeps the order
  // listings are in; its nodes never move and are never erased, so the index points into it.
  struct KeyHash {
    std::size_t operator()(const common::WorkloadKey& key) const;
  };
  using Entry = Workloads::value_type;
  using Index = std::unordered_map<std::reference_wrapper<const common::WorkloadKey>, Entry*,
                                   KeyHash, std::equal_to<common::WorkloadKey>>;
  // The key's entry; nullptr when it has none.
  Entry* find_locked(const common::WorkloadKey& key) const;
  // The key's entry, added (and indexed) when it has none; true when added.
  std::pair<Entry*, bool> emplace_locked(const common::WorkloadKey& key);

  StoreOptions options_;
  mutable std::mutex mu_;
  Workloads workloads_;
  Index index_;
  std::unordered_map<uint32_t, int64_t> run_last_seen_;  // interned run id -> last batch
  std::unordered_set<uint32_t> settled_runs_;
  int64_t settled_at_unix_ms_ = 0;
  std::map<common::WorkloadKey, uint64_t> changes_;  // since the last take_changes
};

}  // namespace tailor::aggregator
