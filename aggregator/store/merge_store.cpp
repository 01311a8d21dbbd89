#include "aggregator/store/merge_store.h"

#include <algorithm>
#include <utility>

#include "common/model/merge.h"

namespace tailor::aggregator {
namespace {

// Denial counts are cumulative per run, so the largest of each (arch, nr, action) is kept;
// enforcement is the latest.
void record_report(NodeReport& report, uint64_t seq, const common::WorkloadDelta& delta) {
  if (delta.enforcement && seq >= report.enforcement_seq) {
    report.localhost_profile = delta.enforcement->localhost_profile;
    report.pods = delta.enforcement->pods;
    report.pods_filtered = delta.enforcement->pods_filtered;
    report.enforcement_seq = seq;
  }
  for (const auto& denial : delta.denied) {
    auto known = std::find_if(report.denied.begin(), report.denied.end(), [&](const auto& d) {
      return d.arch == denial.arch && d.nr == denial.nr && d.action == denial.action;
    });
    if (known == report.denied.end()) {
      report.denied.push_back({denial.arch, denial.nr, denial.name, denial.action, denial.count,
                               denial.first_seen_unix_ms, denial.first_pod});
    } else {
      known->count = std::max(known->count, denial.count);
    }
  }
}

}  // namespace

Applied MergeStore::apply(const common::Delta& delta, int64_t now_unix_ms) {
  Applied applied;
  // Each key is looked up once, before anything is merged (the bound on workloads is checked
  // first): a batch carries one report per container of its node.
  std::vector<Entry*> found;
  found.reserve(delta.workloads.size());
  std::lock_guard lock(mu_);
  std::size_t added = 0;
  for (const auto& workload : delta.workloads) {
    found.push_back(find_locked(workload.key));
    added += found.back() == nullptr ? 1 : 0;
  }
  if (added > 0 && workloads_.size() + added > options_.max_workloads) {
    applied.full = true;
    return applied;
  }
  const uint32_t node = intern(delta.node);
  const uint32_t run = intern_run(delta.node, delta.agent.id);
  const bool settled = settled_runs_.contains(run);
  if (!settled) run_last_seen_[run] = now_unix_ms;
  for (std::size_t i = 0; i < delta.workloads.size(); ++i) {
    const auto& workload = delta.workloads[i];
    Entry* at = found[i];
    if (at == nullptr) {
      at = emplace_locked(workload.key).first;
      at->second.first_discovery_unix_ms = now_unix_ms;
    }
    TrackedWorkload& tracked = at->second;
    if (merge_delta(tracked.merged, node, run, workload, settled).profile) {
      note_growth(at->first, tracked, now_unix_ms);
      ++applied.grown;
    }
    if (!settled && (workload.enforcement || !workload.denied.empty()))
      record_report(tracked.reports[run], delta.seq, workload);
  }
  // A sweep of the whole store, so not on every batch: a tenth of the settling time is plenty.
  if (settled_at_unix_ms_ == 0) settled_at_unix_ms_ = now_unix_ms;
  if (now_unix_ms - settled_at_unix_ms_ >= options_.settle_runs_after.count() / 10) {
    settle_ended_runs(now_unix_ms);
    settled_at_unix_ms_ = now_unix_ms;
  }
  return applied;
}

void MergeStore::settle_ended_runs(int64_t now_unix_ms) {
  std::unordered_set<uint32_t> ended;
  for (const auto& [run, seen] : run_last_seen_)
    if (now_unix_ms - seen >= options_.settle_runs_after.count()) ended.insert(run);
  if (ended.empty()) return;
  for (auto& [key, tracked] : workloads_) {
    std::erase_if(tracked.reports,
                  [&](const auto& report) { return ended.contains(report.first); });
    tracked.merged.settle(ended);
  }
  for (uint32_t run : ended) {
    run_last_seen_.erase(run);
    settled_runs_.insert(run);
  }
}

std::size_t MergeStore::KeyHash::operator()(const common::WorkloadKey& key) const {
  std::size_t hash = 0;
  for (const std::string* part : {&key.namespace_name, &key.kind, &key.name, &key.container})
    hash = (hash ^ std::hash<std::string>{}(*part)) * 0x100000001b3ULL;
  return hash;
}

MergeStore::Entry* MergeStore::find_locked(const common::WorkloadKey& key) const {
  const auto at = index_.find(std::cref(key));
  return at == index_.end() ? nullptr : at->second;
}

std::pair<MergeStore::Entry*, bool> MergeStore::emplace_locked(const common::WorkloadKey& key) {
  auto [at, added] = workloads_.try_emplace(key);
  if (added) index_.emplace(std::cref(at->first), &*at);
  return {&*at, added};
}

MergeGrowth MergeStore::merge(const common::WorkloadKey& key, const MergedWorkload& workload,
                              int64_t now_unix_ms) {
  std::lock_guard lock(mu_);
  return merge_locked(key, workload, now_unix_ms);
}

MergeGrowth MergeStore::merge_locked(const common::WorkloadKey& key, const MergedWorkload& workload,
                                     int64_t now_unix_ms) {
  auto [it, inserted] = emplace_locked(key);
  TrackedWorkload& tracked = it->second;
  if (inserted) tracked.first_discovery_unix_ms = now_unix_ms;
  const MergeGrowth growth = merge_into(tracked.merged, workload);
  if (growth.profile) note_growth(key, tracked, now_unix_ms);
  return growth;
}

void MergeStore::note_growth(const common::WorkloadKey& key, TrackedWorkload& tracked,
                             int64_t now_unix_ms) {
  ++tracked.version;
  tracked.last_discovery_unix_ms = now_unix_ms;
  changes_.insert_or_assign(key, tracked.version);
}

std::optional<uint64_t> MergeStore::restore(const common::WorkloadKey& key,
                                            const MergedWorkload& workload, int64_t first_unix_ms,
                                            int64_t last_unix_ms) {
  std::lock_guard lock(mu_);
  const bool known = find_locked(key) != nullptr;
  merge_locked(key, workload, last_unix_ms);
  if (known) return std::nullopt;
  TrackedWorkload& tracked = find_locked(key)->second;
  tracked.first_discovery_unix_ms = first_unix_ms;
  return tracked.version;
}

std::optional<TrackedWorkload> MergeStore::get(const common::WorkloadKey& key) const {
  std::lock_guard lock(mu_);
  const Entry* entry = find_locked(key);
  if (entry == nullptr) return std::nullopt;
  return entry->second;
}

std::map<common::WorkloadKey, TrackedWorkload> MergeStore::snapshot() const {
  std::lock_guard lock(mu_);
  return workloads_;
}

void MergeStore::for_each(
    const std::function<void(const common::WorkloadKey&, const TrackedWorkload&)>& visit) const {
  std::lock_guard lock(mu_);
  for (const auto& [key, tracked] : workloads_) visit(key, tracked);
}

std::map<common::WorkloadKey, uint64_t> MergeStore::take_changes() {
  std::lock_guard lock(mu_);
  return std::exchange(changes_, {});
}

std::size_t MergeStore::size() const {
  std::lock_guard lock(mu_);
  return workloads_.size();
}

}  // namespace tailor::aggregator
