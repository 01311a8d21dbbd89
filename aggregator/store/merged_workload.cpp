#include "aggregator/store/merged_workload.h"

#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

#include "common/model/merge.h"

namespace tailor::aggregator {
namespace {

// Tallies are most of the store (one per workload, syscall and agent run): a vector of them
// grows by an eighth, not by doubling, so at most an eighth of it is unused instead of half.
template <typename Run>
void make_room_for_one(std::vector<Run>& runs) {
  if (runs.size() == runs.capacity())
    runs.reserve(runs.size() + std::max<std::size_t>(2, runs.size() / 8));
}

// The entry of `agent` in a vector sorted by agent, added when it has none; `added` tells.
template <typename Run>
Run& run_of(std::vector<Run>& runs, uint32_t agent, bool& added) {
  auto at = std::lower_bound(runs.begin(), runs.end(), agent,
                             [](const Run& run, uint32_t id) { return run.agent < id; });
  added = at == runs.end() || at->agent != agent;
  if (added) {
    const auto offset = at - runs.begin();
    make_room_for_one(runs);
    at = runs.insert(runs.begin() + offset, Run{.agent = agent});
  }
  return *at;
}

// The column of `run` in `workload`, added (absent in every syscall) when it has none.
std::size_t column_of(MergedWorkload& workload, uint32_t run) {
  const auto at = std::lower_bound(workload.runs.begin(), workload.runs.end(), run);
  const auto column = static_cast<std::size_t>(at - workload.runs.begin());
  if (at != workload.runs.end() && *at == run) return column;
  make_room_for_one(workload.runs);
  workload.runs.insert(workload.runs.begin() + static_cast<std::ptrdiff_t>(column), run);
  for (auto& [id, syscall] : workload.syscalls) {
    make_room_for_one(syscall.by_run);
    syscall.by_run.insert(syscall.by_run.begin() + static_cast<std::ptrdiff_t>(column), RunTally{});
  }
  return column;
}

// FNV-1a with murmur3's finaliser (uids that differ in their last digits would otherwise
// differ little in the high bits the estimate reads): the same in every process and build, so
// every replica keeps the same uids.
uint64_t pod_hash(std::string_view uid) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : uid) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  hash = (hash ^ (hash >> 33)) * 0xff51afd7ed558ccdULL;
  hash = (hash ^ (hash >> 33)) * 0xc4ceb9fe1a85ec53ULL;
  return hash ^ (hash >> 33);
}

// Ordered by hash, then uid: a total order, so which uids are kept depends only on the union.
using PodRank = std::pair<uint64_t, std::string>;
PodRank pod_rank(std::string_view uid) { return {pod_hash(uid), std::string(uid)}; }

// Adds `from`'s uids to `into`, keeping the kMaxPodUids of lowest rank; true when it changed.
// Agents send a pod's uid once (the batch after they first see it), so ranking the kept uids
// at the bound is rare.
template <typename Uids>
bool add_pods(PodUids& into, const Uids& from) {
  bool changed = false;
  std::vector<PodRank> kept;  // a max-heap of into's ranks, once at the bound
  for (const auto& uid : from) {
    if (into.contains(uid)) continue;
    if (into.size() < kMaxPodUids) {
      changed |= into.insert(uid);
      continue;
    }
    if (kept.empty()) {
      for (const auto& other : into.uids()) kept.push_back(pod_rank(other));
      std::make_heap(kept.begin(), kept.end());
    }
    PodRank rank = pod_rank(uid);
    if (rank >= kept.front()) continue;
    std::pop_heap(kept.begin(), kept.end());
    into.erase(kept.back().second);
    into.insert(uid);
    kept.back() = std::move(rank);
    std::push_heap(kept.begin(), kept.end());
    changed = true;
  }
  return changed;
}

// `columns` maps `from`'s runs to `into`'s (the workloads' run tables).
MergeGrowth merge_syscall(MergedSyscall& into, const MergedSyscall& from,
                          const std::vector<std::size_t>& columns) {
  MergeGrowth growth;
  common::merge_name(into.name, from.name);
  common::merge_first_seen(into.first_seen_unix_ms, from.first_seen_unix_ms);
  for (std::size_t i = 0; i < from.by_run.size(); ++i) {
    const RunTally tally = from.by_run[i];
    // Another run (perhaps another node), or more pods.
    if (tally.present())
      growth.coverage |= into.by_run[columns[i]].join(tally.calls(), tally.pods());
  }
  const MergedSyscall::Rare& more = *from.rare;
  if (from.rare.allocated()) {
    MergedSyscall::Rare& rare = into.rare.write();
    growth.coverage |= rare.settled_nodes.insert_all(more.settled_nodes);
    for (const auto& run : more.values_by_agent) {
      bool added = false;
      common::merge_counts(run_of(rare.values_by_agent, run.agent, added).calls, run.calls,
                           common::Combine::max);
    }
    rare.settled_calls =
        common::combine(rare.settled_calls, more.settled_calls, common::Combine::max);
    if (more.settled_pods > rare.settled_pods) {
      rare.settled_pods = more.settled_pods;
      growth.coverage = true;
    }
  }
  // Either side's argument alone still merges: a list the other side lacks is incomplete.
  if (more.arg || into.rare->arg)
    growth.profile |= common::merge_arg(into.rare.write().arg, more.arg, common::Combine::max);
  return growth;
}

}  // namespace

bool RunTally::join(uint64_t more_calls, uint64_t more_pods) {
  const uint64_t bounded_pods = std::min<uint64_t>(more_pods, kMaxPods);
  const bool news = !present() || bounded_pods > pods();
  const uint64_t joined_calls = std::max(calls(), std::min(more_calls, kMaxCalls));
  const uint64_t joined_pods = std::max<uint64_t>(pods(), bounded_pods);
  bits_ = kPresent | (joined_pods << 47) | joined_calls;
  return news;
}

uint64_t MergedSyscall::count() const {
  uint64_t total = rare->settled_calls;
  for (const RunTally tally : by_run) total = common::saturating_add(total, tally.calls());
  return total;
}

NameSet MergedSyscall::nodes(const std::vector<uint32_t>& runs) const {
  NameSet nodes = rare->settled_nodes;
  for (std::size_t i = 0; i < by_run.size(); ++i)
    if (by_run[i].present()) nodes.insert_id(run_node(runs[i]));
  return nodes;
}

uint64_t MergedSyscall::pods() const {
  uint64_t total = rare->settled_pods;
  for (const RunTally tally : by_run) total = common::saturating_add(total, tally.pods());
  return total;
}

std::optional<common::RecordedArg> MergedSyscall::arg_calls() const {
  std::optional<common::RecordedArg> out = rare->arg;
  if (!out) return out;
  for (const auto& run : rare->values_by_agent)
    common::merge_counts(out->values, run.calls, common::Combine::sum);
  return out;
}

MergedWorkload from_delta(const std::string& node, uint32_t run,
                          const common::WorkloadDelta& delta) {
  MergedWorkload workload;
  merge_delta(workload, intern(node), run, delta);
  return workload;
}

MergeGrowth merge_into(MergedWorkload& into, const MergedWorkload& from) {
  MergeGrowth growth;
  growth.coverage |= add_pods(into.pods, from.pods.uids());
  growth.coverage |= into.nodes.insert_all(from.nodes);
  for (auto [at_least, other] : {std::pair{&into.pods_seen_at_least, from.pods_seen_at_least},
                                 std::pair{&into.nodes_seen_at_least, from.nodes_seen_at_least}}) {
    if (other <= *at_least) continue;
    *at_least = other;
    growth.coverage = true;
  }
  std::vector<std::size_t> columns(from.runs.size());
  for (std::size_t i = 0; i < from.runs.size(); ++i) columns[i] = column_of(into, from.runs[i]);
  for (const auto& [id, syscall] : from.syscalls) {
    auto [it, inserted] = into.syscalls.try_emplace(id);
    if (inserted) {
      it->second = syscall;
      it->second.by_run.assign(into.runs.size(), RunTally{});
      for (std::size_t i = 0; i < syscall.by_run.size(); ++i)
        it->second.by_run[columns[i]] = syscall.by_run[i];
      growth.profile = true;
      continue;
    }
    const MergeGrowth one = merge_syscall(it->second, syscall, columns);
    growth.profile |= one.profile;
    growth.coverage |= one.coverage;
  }
  return growth;
}

uint64_t MergedWorkload::pods_seen() const {
  uint64_t seen = pods.size();
  if (pods.size() >= kMaxPodUids) {
    uint64_t kth = 0;
    for (const auto& uid : pods.uids()) kth = std::max(kth, pod_hash(uid));
    const double fraction = (static_cast<double>(kth) + 1) / 18446744073709551616.0;  // 2^64
    seen = std::max(seen, static_cast<uint64_t>(static_cast<double>(kMaxPodUids - 1) / fraction));
  }
  return std::max(seen, pods_seen_at_least);
}

MergeGrowth merge_delta(MergedWorkload& into, uint32_t node, uint32_t run,
                        const common::WorkloadDelta& delta, bool settled) {
  MergeGrowth growth;
  growth.coverage |= add_pods(into.pods, delta.pods);
  growth.coverage |= into.nodes.insert_id(node);
  // A settled run's tallies are folded already: it has no column.
  const std::size_t column = settled || delta.syscalls.empty() ? 0 : column_of(into, run);
  for (const auto& syscall : delta.syscalls) {
    // The argument as this entry stands for it: every value, with no settled calls yet; a
    // run's calls per value go with its tally.
    std::optional<common::RecordedArg> arg;
    if (syscall.arg) {
      arg = common::RecordedArg{syscall.arg->index, {}, syscall.arg->complete};
      for (const auto& [value, calls] : syscall.arg->values) arg->values.emplace(value, 0);
    }
    auto [at, added] = into.syscalls.try_emplace(syscall.id());
    MergedSyscall& merged = at->second;
    if (added) {
      growth.profile = true;
      merged.by_run.resize(into.runs.size());
      merged.name = syscall.name;
      merged.first_seen_unix_ms = syscall.first_seen_unix_ms;
      if (arg) merged.rare.write().arg = std::move(arg);
    } else {
      common::merge_name(merged.name, syscall.name);
      common::merge_first_seen(merged.first_seen_unix_ms, syscall.first_seen_unix_ms);
      if (arg || merged.rare->arg)
        growth.profile |= common::merge_arg(merged.rare.write().arg, arg, common::Combine::max);
    }
    if (settled) {
      const bool new_node = merged.rare.write().settled_nodes.insert_id(node);
      growth.coverage |= new_node && !added;
      continue;
    }
    const bool news = merged.by_run[column].join(syscall.count, syscall.pods);
    growth.coverage |= !added && news;
    if (syscall.arg) {
      bool new_values = false;
      common::merge_counts(run_of(merged.rare.write().values_by_agent, run, new_values).calls,
                           syscall.arg->values, common::Combine::max);
    }
  }
  return growth;
}

uint64_t MergedWorkload::nodes_seen() const {
  return std::max<uint64_t>(nodes.size(), nodes_seen_at_least);
}

void MergedWorkload::settle(const std::unordered_set<uint32_t>& ended) {
  std::vector<bool> gone(runs.size());
  bool any = false;
  for (std::size_t i = 0; i < runs.size(); ++i) any |= gone[i] = ended.contains(runs[i]);
  // A run's values come with its tallies, so a workload none of whose runs ended has none to
  // fold either.
  if (!any) return;
  for (auto& [id, syscall] : syscalls) {
    std::size_t kept = 0;
    for (std::size_t i = 0; i < syscall.by_run.size(); ++i) {
      const RunTally tally = syscall.by_run[i];
      if (!gone[i]) {
        syscall.by_run[kept++] = tally;
        continue;
      }
      if (!tally.present()) continue;
      MergedSyscall::Rare& rare = syscall.rare.write();
      rare.settled_calls = common::saturating_add(rare.settled_calls, tally.calls());
      rare.settled_pods = common::saturating_add(rare.settled_pods, tally.pods());
      rare.settled_nodes.insert_id(run_node(runs[i]));
    }
    syscall.by_run.resize(kept);
    if (syscall.rare->values_by_agent.empty()) continue;
    MergedSyscall::Rare& rare = syscall.rare.write();
    std::erase_if(rare.values_by_agent, [&](const MergedSyscall::RunValues& run) {
      if (!ended.contains(run.agent)) return false;
      if (!rare.arg) rare.arg.emplace();
      common::merge_counts(rare.arg->values, run.calls, common::Combine::sum);
      return true;
    });
  }
  std::size_t kept = 0;
  for (std::size_t i = 0; i < runs.size(); ++i)
    if (!gone[i]) runs[kept++] = runs[i];
  runs.resize(kept);
}

}  // namespace tailor::aggregator
