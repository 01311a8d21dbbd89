#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "agent/report/delta_tracker.h"
#include "common/report/report.h"

namespace tailor::agent {

// Which pod had a call denied first, per (arch, nr, action): merged reports keep the first
// process, not its pod.
struct FirstDenial {
  uint64_t first_seen_ns = 0;
  bool known = false;  // the first-denied event was seen (else first_seen_ns is 0)
  std::string pod_uid;
};
using FirstDenials = std::map<std::tuple<std::string, uint32_t, common::DenialAction>, FirstDenial>;
// Notes the snapshot's denied calls where they were denied before what `into` holds.
void note_first_denials(FirstDenials& into, const std::string& pod_uid,
                        const common::Report& snapshot);

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

  const FirstDenials& first_denials() const { return first_denials_; }

 private:
  uint32_t index_of(const std::string& pod_uid);

  std::optional<common::Report> report_;
  std::unordered_map<std::string, uint32_t> pod_index_;
  std::map<common::SyscallId, std::vector<uint32_t>> pods_by_syscall_;  // sorted, distinct
  FirstDenials first_denials_;
};

}  // namespace tailor::agent
