#include "agent/node/retired_containers.h"

#include <algorithm>

#include "common/report/merge.h"

namespace tailor::agent {

void note_first_denials(FirstDenials& into, const std::string& pod_uid,
                        const common::Report& snapshot) {
  if (!snapshot.denied) return;
  for (const auto& call : snapshot.denied->calls) {
    const FirstDenial candidate{call.first_seen_ns, call.first_caller.has_value(), pod_uid};
    auto [at, added] = into.try_emplace({call.arch, call.nr, call.action}, candidate);
    if (added) continue;
    const FirstDenial& held = at->second;
    if (candidate.known && (!held.known || candidate.first_seen_ns < held.first_seen_ns))
      at->second = candidate;
  }
}

uint32_t RetiredContainers::index_of(const std::string& pod_uid) {
  return pod_index_.try_emplace(pod_uid, static_cast<uint32_t>(pod_index_.size())).first->second;
}

void RetiredContainers::add(const std::string& pod_uid, const common::Report& snapshot) {
  if (!report_) {
    report_ = snapshot;
  } else {
    // Only reports of different formats disagree on an argument's index; the agent's own
    // snapshots never do, so the merge cannot fail here.
    auto merged = common::merge_reports({{"retired", *report_}, {"retired", snapshot}});
    if (merged) report_ = std::move(*merged);
  }
  // The merge lists its sources; retired containers are one source, however many they are.
  report_->info.target = "finished containers";
  note_first_denials(first_denials_, pod_uid, snapshot);
  const uint32_t pod = index_of(pod_uid);
  for (const auto& entry : snapshot.syscalls) {
    auto& pods = pods_by_syscall_[entry.id()];
    const auto at = std::lower_bound(pods.begin(), pods.end(), pod);
    if (at == pods.end() || *at != pod) pods.insert(at, pod);
  }
}

std::map<common::SyscallId, uint32_t> RetiredContainers::pod_counts(
    const std::map<common::SyscallId, std::set<std::string>>& live) const {
  std::map<common::SyscallId, uint32_t> counts;
  for (const auto& [syscall, pods] : pods_by_syscall_)
    counts[syscall] = static_cast<uint32_t>(pods.size());
  for (const auto& [syscall, uids] : live) {
    const auto retired = pods_by_syscall_.find(syscall);
    uint32_t& count = counts[syscall];
    for (const auto& uid : uids) {
      const auto index = pod_index_.find(uid);
      const bool counted =
          retired != pods_by_syscall_.end() && index != pod_index_.end() &&
          std::binary_search(retired->second.begin(), retired->second.end(), index->second);
      if (!counted) ++count;
    }
  }
  return counts;
}

void RetiredContainers::add_pod_uids_to(std::set<std::string>& pods) const {
  for (const auto& [uid, index] : pod_index_) pods.insert(uid);
}

}  // namespace tailor::agent
