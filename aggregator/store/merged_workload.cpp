#include "aggregator/store/merged_workload.h"

#include <algorithm>

namespace tailor::aggregator {
namespace {

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
  growth.coverage |= insert_all(into.nodes, from.nodes);
  for (const auto& [agent, tally] : from.by_agent) {
    auto [it, inserted] = into.by_agent.try_emplace(agent, tally);
    if (inserted) {
      growth.coverage |= tally.pods > 0;
      continue;
    }
    it->second.calls = std::max(it->second.calls, tally.calls);
    if (tally.pods > it->second.pods) {
      it->second.pods = tally.pods;
      growth.coverage = true;
    }
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

uint64_t MergedSyscall::count() const {
  uint64_t total = 0;
  for (const auto& [agent, tally] : by_agent) total += tally.calls;
  return total;
}

uint64_t MergedSyscall::pods() const {
  uint64_t total = 0;
  for (const auto& [agent, tally] : by_agent) total += tally.pods;
  return total;
}

MergedWorkload from_delta(const std::string& node, const std::string& agent_id,
                          const common::WorkloadDelta& delta) {
  MergedWorkload workload;
  workload.pods.insert(delta.pods.begin(), delta.pods.end());
  workload.nodes.insert(node);
  for (const auto& syscall : delta.syscalls) {
    MergedSyscall merged;
    merged.name = syscall.name;
    merged.first_seen_unix_ms = syscall.first_seen_unix_ms;
    merged.nodes.insert(node);
    merged.by_agent[agent_id] = {syscall.count, syscall.pods};
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

}  // namespace tailor::aggregator
