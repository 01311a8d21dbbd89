#include "agent/report/delta_tracker.h"

#include <algorithm>
#include <utility>

#include "common/model/merge.h"

namespace tailor::agent {

// Fills one batch from the state, item by item, until it is full.
class DeltaTracker::BatchBuilder {
 public:
  BatchBuilder(const DeltaTrackerOptions& options, const SentState& sent, bool counts_due)
      : options_(options), sent_(sent), counts_due_(counts_due) {}

  // False when the workload did not fit whole: the batch is full.
  bool add(const common::WorkloadKey& key, const WorkloadState& state) {
    if (workloads_.size() == options_.limits.max_workloads) return false;
    const auto sent = sent_.find(key);
    const SentWorkload* sent_workload = sent == sent_.end() ? nullptr : &sent->second;

    common::WorkloadDelta out{key, {}, {}};
    bool fits = true;
    // Counts `cost` more items in, unless the list they go to is full or the batch has no room.
    const auto take = [&](bool list_full, std::size_t cost) {
      fits = !list_full && room_for(cost);
      if (fits) items_ += cost;
      return fits;
    };
    for (const auto& uid : state.pods) {
      if (sent_workload && sent_workload->pods.contains(uid)) continue;
      if (!take(out.pods.size() == options_.limits.max_pods_per_workload, 1)) break;
      out.pods.push_back(uid);
    }
    for (std::size_t i = 0; fits && i < state.syscalls.size(); ++i) {
      const auto& entry = state.syscalls[i];
      const common::SyscallId id = entry.id();
      const common::DeltaSyscall* sent_entry = nullptr;
      if (sent_workload) {
        const auto found = sent_workload->entries.find(id);
        if (found != sent_workload->entries.end()) sent_entry = &found->second;
      }
      const auto pods = state.pods_by_syscall.find(id);
      const uint32_t pod_count = pods == state.pods_by_syscall.end() ? 0 : pods->second;
      bool adds_to_set = false;
      auto part = missing_part(entry, pod_count, sent_entry, adds_to_set);
      if (!part || (!adds_to_set && !counts_due_)) continue;
      const std::size_t cost = 1 + (part->arg ? part->arg->values.size() : 0);
      if (!take(out.syscalls.size() == options_.limits.max_syscalls_per_workload, cost)) break;
      out.syscalls.push_back(std::move(*part));
    }
    for (std::size_t i = 0; fits && i < state.denied.size(); ++i) {
      const auto& [call, first_pod] = state.denied[i];
      if (sent_workload) {
        const auto found = sent_workload->denied.find({call.arch, call.nr, call.action});
        const bool grew = found == sent_workload->denied.end() || call.count > found->second.count;
        if (!grew || (found != sent_workload->denied.end() && !counts_due_)) continue;
      }
      if (!take(out.denied.size() == options_.limits.max_denied_per_workload, 1)) break;
      out.denied.push_back({call.arch, call.nr, call.name, call.action, call.count,
                            unix_ms(call.first_seen_ns), first_pod,
                            call.first_caller ? call.first_caller->comm : ""});
    }
    if (fits && state.enforcement &&
        (sent_workload == nullptr || sent_workload->enforcement != state.enforcement) &&
        take(false, 1))
      out.enforcement = state.enforcement;
    if (!out.pods.empty() || !out.syscalls.empty() || !out.denied.empty() || out.enforcement)
      workloads_.push_back(std::move(out));
    return fits;
  }

  std::vector<common::WorkloadDelta> take() { return std::move(workloads_); }

 private:
  // The part of `entry` that `sent` lacks: nullopt when it lacks nothing. `adds_to_set` is set
  // when the part is more than larger call counts (a new syscall, argument value, incomplete
  // mark or pod that made the call): coverage news goes out at once.
  std::optional<common::DeltaSyscall> missing_part(const common::SyscallEntry& entry, uint32_t pods,
                                                   const common::DeltaSyscall* sent,
                                                   bool& adds_to_set) const {
    adds_to_set = sent == nullptr || pods > sent->pods;
    bool counts_grew = sent != nullptr && entry.count > sent->count;
    std::optional<common::RecordedArg> arg;
    if (entry.arg) {
      arg = common::RecordedArg{entry.arg->index, {}, entry.arg->complete};
      for (const auto& [value, calls] : entry.arg->values) {
        if (arg->values.size() == options_.limits.max_values_per_arg) break;  // for a later batch
        const uint64_t* sent_calls = nullptr;
        if (sent != nullptr && sent->arg) {
          if (const auto found = sent->arg->values.find(value); found != sent->arg->values.end()) {
            sent_calls = &found->second;
          }
        }
        if (sent_calls == nullptr)
          adds_to_set = true;
        else if (calls > *sent_calls)
          counts_grew = true;
        else
          continue;
        arg->values.emplace(value, calls);
      }
      if (!entry.arg->complete && (sent == nullptr || !sent->arg || sent->arg->complete))
        adds_to_set = true;
    }
    if (!adds_to_set && !counts_grew) return std::nullopt;
    return common::DeltaSyscall{entry.arch,     entry.nr,    entry.name,
                                entry.phase,    entry.count, unix_ms(entry.first_seen_ns),
                                std::move(arg), pods};
  }

  // A time since the recording's start as the wire carries it.
  int64_t unix_ms(uint64_t since_start_ns) const {
    return options_.recording_started_unix_ms + static_cast<int64_t>(since_start_ns / 1'000'000);
  }

  // An empty batch takes any one item, so a batch always makes progress.
  bool room_for(std::size_t cost) const {
    return items_ == 0 || items_ + cost <= options_.max_items_per_batch;
  }

  const DeltaTrackerOptions& options_;
  const SentState& sent_;
  const bool counts_due_;
  std::size_t items_ = 0;
  std::vector<common::WorkloadDelta> workloads_;
};

DeltaTracker::DeltaTracker(DeltaTrackerOptions options) : options_(std::move(options)) {}

std::optional<common::Delta> DeltaTracker::next_batch(const CumulativeState& state,
                                                      int64_t now_unix_ms) {
  const bool counts_due = now_unix_ms >= next_count_refresh_unix_ms_;
  BatchBuilder builder(options_, counts_due ? refreshed_ : sent_, counts_due);
  bool complete = true;
  for (const auto& [key, workload] : state) {
    if (!builder.add(key, workload)) {
      complete = false;
      break;
    }
  }
  common::Delta delta{options_.node, options_.agent, next_seq_, builder.take()};
  // What a full batch left out stays due until a later batch of the refresh carries it.
  if (counts_due && !complete) merge(refreshed_, delta);
  if (counts_due && complete) {
    next_count_refresh_unix_ms_ = now_unix_ms + options_.count_refresh_ms;
    refreshed_.clear();
  }
  if (delta.workloads.empty() &&
      (!in_flight_.empty() || now_unix_ms - last_batch_unix_ms_ < options_.heartbeat_ms))
    return std::nullopt;
  last_batch_unix_ms_ = now_unix_ms;
  ++next_seq_;
  merge(sent_, delta);
  in_flight_.emplace(delta.seq, delta);
  return delta;
}

void DeltaTracker::refresh_now() {
  next_count_refresh_unix_ms_ = 0;
  refreshed_.clear();
}

void DeltaTracker::acknowledge(uint64_t seq) {
  const auto found = in_flight_.find(seq);
  if (found == in_flight_.end()) return;
  merge(acknowledged_, found->second);
  in_flight_.erase(found);
}

void DeltaTracker::release(uint64_t seq) {
  if (in_flight_.erase(seq) == 0) return;
  sent_ = acknowledged_;
  for (const auto& [_, delta] : in_flight_) merge(sent_, delta);
}

void DeltaTracker::merge(SentState& into, const common::Delta& delta) {
  for (const auto& workload : delta.workloads) {
    SentWorkload& sent = into[workload.key];
    sent.pods.insert(workload.pods.begin(), workload.pods.end());
    for (const auto& entry : workload.syscalls) {
      auto [sent_entry, added] = sent.entries.try_emplace(entry.id(), entry);
      if (added) continue;
      common::merge_calls(sent_entry->second, entry, common::Combine::max);
      sent_entry->second.pods = std::max(sent_entry->second.pods, entry.pods);
    }
    for (const auto& denial : workload.denied) {
      auto [sent_denial, added] =
          sent.denied.try_emplace({denial.arch, denial.nr, denial.action}, denial);
      if (!added && denial.count > sent_denial->second.count) sent_denial->second = denial;
    }
    if (workload.enforcement) sent.enforcement = workload.enforcement;
  }
}

}  // namespace tailor::agent
