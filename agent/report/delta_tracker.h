#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "common/report/report.h"
#include "common/wire/delta.h"
#include "common/wire/workload_key.h"

namespace tailor::agent {

// A call a seccomp filter denied in a workload's containers, and the pod denied it first.
struct WorkloadDenial {
  common::DeniedCall call;  // first_seen_ns counts from the recording's start
  std::string first_pod;    // uid; "" unknown

  bool operator==(const WorkloadDenial&) const = default;
};

// What the agent has recorded for one workload on this node since it started. Cumulative:
// counts and values never go down, and entries and pods stay after their containers exit;
// only `enforcement` says how things are now.
struct WorkloadState {
  std::set<std::string> pods;                  // uids
  std::vector<common::SyscallEntry> syscalls;  // first_seen_ns counts from the recording's start
  std::map<common::SyscallId, uint32_t> pods_by_syscall;  // how many of `pods` made each call
  std::vector<WorkloadDenial> denied;
  std::optional<common::DeltaEnforcement> enforcement;  // nullopt: not known, not sent
};
using CumulativeState = std::map<common::WorkloadKey, WorkloadState>;

struct DeltaTrackerOptions {
  std::string node;
  common::AgentIdentity agent;
  int64_t recording_started_unix_ms = 0;  // what the entries' first_seen_ns count from
  // A batch holds at most this many items (a syscall, an argument value, a pod, a denied call,
  // an enforcement each) and the
  // per-document limits below; the rest goes into the next batch.
  std::size_t max_items_per_batch = 4096;
  common::DeltaLimits limits;
  // Counts grow with every call, so a batch for count changes alone (of syscalls, values or
  // denied calls) is made at most this often; new syscalls, values, pods and denied calls and a
  // changed enforcement go out in the next batch whatever this says. Each refresh
  // carries the whole state, not only what changed: an aggregator that acknowledged a batch
  // and was killed before writing it to the API server has it again by the next refresh.
  int64_t count_refresh_ms = 5 * 60 * 1000;
  // With nothing new and nothing in flight for this long, an empty batch goes: the aggregator
  // counts the agent as connected (tailor_aggregator_agents_connected looks back 2 minutes),
  // and its acknowledgement names the instance, so a replica that died holding this agent's
  // batches unwritten is noticed within this time rather than at the count refresh.
  int64_t heartbeat_ms = 60 * 1000;
};

// Turns the agent's cumulative state into delta batches: what neither the aggregator
// acknowledged nor an unacknowledged batch already carries. Pure: no I/O, time is passed in.
//
// Every batch is in flight until acknowledge() (delivered, or rejected for good) or release()
// (lost: the spool dropped it, so its content goes into a later batch again).
class DeltaTracker {
 public:
  explicit DeltaTracker(DeltaTrackerOptions options);

  // The next batch, or nullopt when there is nothing to send. Call again while it returns one:
  // a large change is split over several batches. Empty now and then (heartbeat_ms).
  std::optional<common::Delta> next_batch(const CumulativeState& state, int64_t now_unix_ms);

  // Unknown sequence numbers (a batch of an earlier agent run replayed from the spool) are
  // ignored.
  void acknowledge(uint64_t seq);
  void release(uint64_t seq);
  // The next batches carry the whole state again, from the start, whatever count_refresh_ms
  // says: for when what was acknowledged may have been lost on the aggregator's side.
  void refresh_now();

  std::size_t in_flight() const { return in_flight_.size(); }
  const common::AgentIdentity& agent() const { return options_.agent; }

 private:
  // What batches carried: each entry at its largest (Combine::max), as the aggregator keeps it.
  using DenialKey = std::tuple<std::string, uint32_t, common::DenialAction>;
  struct SentWorkload {
    std::set<std::string> pods;
    std::map<common::SyscallId, common::DeltaSyscall> entries;
    std::map<DenialKey, common::DeltaDenial> denied;
    std::optional<common::DeltaEnforcement> enforcement;  // the latest sent
  };
  using SentState = std::map<common::WorkloadKey, SentWorkload>;
  class BatchBuilder;

  static void merge(SentState& into, const common::Delta& delta);

  DeltaTrackerOptions options_;
  uint64_t next_seq_ = 1;
  int64_t next_count_refresh_unix_ms_ = 0;
  int64_t last_batch_unix_ms_ = 0;
  SentState acknowledged_;
  SentState sent_;       // acknowledged_ and everything in flight
  SentState refreshed_;  // what the batches of the count refresh under way carried
  std::map<uint64_t, common::Delta> in_flight_;
};

}  // namespace tailor::agent
