#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "agent/report/delta_tracker.h"
#include "common/report/report.h"

namespace tailor::agent {

// The finished containers of one workload, folded into one report. A node agent runs for
// months while Jobs and rollouts start and end containers; keeping a snapshot per finished
// container would grow its memory with every one. What the agent still needs of them is
// their share of the workload's cumulative state: the merged syscalls, and which pods made
// each call (pod uids interned to 4-byte indices).
class RetiredContainers {
 public:
  void add(const std::string& pod_uid, const common::Report& snapshot);

  // The merged snapshots; nullopt before the first add().
  const std::optional<common::Report>& report() const { return report_; }

  // Distinct pods per syscall: the retired ones, plus those in `live` (uids) not among them.
  std::map<common::SyscallId, uint32_t> pod_counts(
      const std::map<common::SyscallId, std::set<std::string>>& live) const;

  // The workload's state keeps every pod it had, finished ones included.
  void add_pod_uids_to(std::set<std::string>& pods) const;

 private:
  uint32_t index_of(const std::string& pod_uid);

  std::optional<common::Report> report_;
  std::unordered_map<std::string, uint32_t> pod_index_;
  std::map<common::SyscallId, std::vector<uint32_t>> pods_by_syscall_;  // sorted, distinct
};

}  // namespace tailor::agent
