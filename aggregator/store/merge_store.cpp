#include "aggregator/store/merge_store.h"

#include <algorithm>

namespace tailor::aggregator {

std::size_t MergeStore::apply(const common::Delta& delta, int64_t now_unix_ms) {
  std::size_t grown = 0;
  std::lock_guard lock(mu_);
  for (const auto& workload : delta.workloads) {
    if (merge_locked(workload.key, from_delta(delta.node, delta.agent.id, workload), now_unix_ms)
            .profile) {
      ++grown;
    }
  }
  return grown;
}

MergeGrowth MergeStore::merge(const common::WorkloadKey& key, const MergedWorkload& workload,
                              int64_t now_unix_ms) {
  std::lock_guard lock(mu_);
  return merge_locked(key, workload, now_unix_ms);
}

MergeGrowth MergeStore::merge_locked(const common::WorkloadKey& key, const MergedWorkload& workload,
                                     int64_t now_unix_ms) {
  auto [it, inserted] = workloads_.try_emplace(key);
  TrackedWorkload& tracked = it->second;
  if (inserted) tracked.first_discovery_unix_ms = now_unix_ms;
  const MergeGrowth growth = merge_into(tracked.merged, workload);
  if (growth.profile) {
    ++tracked.version;
    tracked.last_discovery_unix_ms = now_unix_ms;
  }
  return growth;
}

void MergeStore::restore(const common::WorkloadKey& key, const MergedWorkload& workload,
                         int64_t first_unix_ms, int64_t last_unix_ms) {
  std::lock_guard lock(mu_);
  const bool known = workloads_.contains(key);
  merge_locked(key, workload, last_unix_ms);
  if (!known) workloads_[key].first_discovery_unix_ms = first_unix_ms;
}

std::optional<TrackedWorkload> MergeStore::get(const common::WorkloadKey& key) const {
  std::lock_guard lock(mu_);
  auto it = workloads_.find(key);
  if (it == workloads_.end()) return std::nullopt;
  return it->second;
}

std::map<common::WorkloadKey, TrackedWorkload> MergeStore::snapshot() const {
  std::lock_guard lock(mu_);
  return workloads_;
}

std::map<common::WorkloadKey, uint64_t> MergeStore::versions() const {
  std::lock_guard lock(mu_);
  std::map<common::WorkloadKey, uint64_t> versions;
  for (const auto& [key, tracked] : workloads_) versions.emplace(key, tracked.version);
  return versions;
}

std::size_t MergeStore::size() const {
  std::lock_guard lock(mu_);
  return workloads_.size();
}

}  // namespace tailor::aggregator
