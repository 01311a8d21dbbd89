#include "aggregator/store/merged_workload.h"
#include "common/util/saturating.h"

#include <algorithm>

namespace tailor::aggregator {
namespace {

// Tallies are most of the store (one per workload, syscall and agent run): a vector of them
// grows by an eighth, not by doubling, so at most an eighth of it is unused instead of half.
void make_room_for_one(std::vector<MergedSyscall::AgentTally>& tallies) {
  if (tallies.size() == tallies.capacity())
    tallies.reserve(tallies.size() + std::max<std::size_t>(2, tallies.size() / 8));
}

template <typename T>
bool insert_all(std::set<T>& into, const std::set<T>& from) {
  const std::size_t before = into.size();
  into.insert(from.begin(), from.end());
  return into.size() != before;
}

MergeGrowth merge_syscall(MergedSyscall& into, const MergedSyscall& from) {
  MergeGrowth growth;
  if (into.name.empty() && !from.name.empty()) into.name = from.name;
  // 0 is unknown (a syscall rebuilt from a profile), never the earliest time.
  if (into.first_seen_unix_ms == 0 ||
      (from.first_seen_unix_ms != 0 && from.first_seen_unix_ms < into.first_seen_unix_ms)) {
    into.first_seen_unix_ms = from.first_seen_unix_ms;
  }
  growth.coverage |= into.settled_nodes.insert_all(from.settled_nodes);
  for (const auto& tally : from.by_agent) {
    auto at = std::lower_bound(into.by_agent.begin(), into.by_agent.end(), tally.agent,
                               [](const auto& t, uint32_t agent) { return t.agent < agent; });
    if (at == into.by_agent.end() || at->agent != tally.agent) {
      const auto offset = at - into.by_agent.begin();
      make_room_for_one(into.by_agent);
      into.by_agent.insert(into.by_agent.begin() + offset, tally);
      // Another run: perhaps another node, more calls or pods.
      growth.coverage = true;
      continue;
    }
    at->calls = std::max(at->calls, tally.calls);
    if (tally.pods > at->pods) {
      at->pods = tally.pods;
      growth.coverage = true;
    }
  }
  into.settled_calls = std::max(into.settled_calls, from.settled_calls);
  if (from.settled_pods > into.settled_pods) {
    into.settled_pods = from.settled_pods;
    growth.coverage = true;
  }
  // An entry rebuilt from a profile that allowed the name outright has no index (and is
  // incomplete, so it stays unrestricted); the index comes from whichever side knows it.
  if (!into.arg_index) into.arg_index = from.arg_index;
  growth.profile |= insert_all(into.arg_values, from.arg_values);
  if (into.arg_complete && !from.arg_complete) {
    into.arg_complete = false;
    growth.profile = true;
  }
  return growth;
}

}  // namespace

MergedSyscall::AgentTally& MergedSyscall::tally(uint32_t agent) {
  auto at = std::lower_bound(by_agent.begin(), by_agent.end(), agent,
                             [](const AgentTally& t, uint32_t id) { return t.agent < id; });
  if (at == by_agent.end() || at->agent != agent) {
    const auto offset = at - by_agent.begin();
    make_room_for_one(by_agent);
    at = by_agent.insert(by_agent.begin() + offset, {.agent = agent});
  }
  return *at;
}

uint64_t MergedSyscall::count() const {
  uint64_t total = settled_calls;
  for (const auto& tally : by_agent) total = common::saturating_add(total, tally.calls);
  return total;
}

NameSet MergedSyscall::nodes() const {
  NameSet nodes = settled_nodes;
  for (const auto& tally : by_agent) nodes.insert_id(run_node(tally.agent));
  return nodes;
}

uint64_t MergedSyscall::pods() const {
  uint64_t total = settled_pods;
  for (const auto& tally : by_agent) total = common::saturating_add(total, tally.pods);
  return total;
}

MergedWorkload from_delta(const std::string& node, uint32_t run,
                          const common::WorkloadDelta& delta) {
  MergedWorkload workload;
  workload.pods.insert(delta.pods.begin(), delta.pods.end());
  workload.nodes.insert(node);
  for (const auto& syscall : delta.syscalls) {
    MergedSyscall merged;
    merged.name = syscall.name;
    merged.first_seen_unix_ms = syscall.first_seen_unix_ms;
    MergedSyscall::AgentTally& tally = merged.tally(run);
    tally.calls = syscall.count;
    tally.pods = syscall.pods;
    if (syscall.arg) {
      merged.arg_index = syscall.arg->index;
      for (const auto& [value, calls] : syscall.arg->values) merged.arg_values.insert(value);
      merged.arg_complete = syscall.arg->complete;
    }
    workload.syscalls.emplace(SyscallId{syscall.arch, syscall.nr, syscall.phase},
                              std::move(merged));
  }
  return workload;
}

MergeGrowth merge_into(MergedWorkload& into, const MergedWorkload& from) {
  MergeGrowth growth;
  growth.coverage |= insert_all(into.pods, from.pods);
  growth.coverage |= insert_all(into.nodes, from.nodes);
  for (auto [at_least, other] : {std::pair{&into.pods_seen_at_least, from.pods_seen_at_least},
                                 std::pair{&into.nodes_seen_at_least, from.nodes_seen_at_least}}) {
    if (other <= *at_least) continue;
    *at_least = other;
    growth.coverage = true;
  }
  for (const auto& [id, syscall] : from.syscalls) {
    auto [it, inserted] = into.syscalls.try_emplace(id, syscall);
    if (inserted) {
      growth.profile = true;
      continue;
    }
    const MergeGrowth one = merge_syscall(it->second, syscall);
    growth.profile |= one.profile;
    growth.coverage |= one.coverage;
  }
  return growth;
}

uint64_t MergedWorkload::pods_seen() const {
  return std::max<uint64_t>(pods.size(), pods_seen_at_least);
}

uint64_t MergedWorkload::nodes_seen() const {
  return std::max<uint64_t>(nodes.size(), nodes_seen_at_least);
}

}  // namespace tailor::aggregator
