#include "agent/report/courier.h"

namespace tailor::agent {

Courier::Courier(DeltaTracker& tracker, Spool& spool, SendFunction send, common::Backoff& backoff)
    : tracker_(tracker), spool_(spool), send_(std::move(send)), backoff_(backoff) {}

Round Courier::round(const CumulativeState& state, int64_t now_unix_ms) {
  Round round;
  spool_new_batches(state, now_unix_ms, round);
  // A copy: sending changes the spool's list.
  const std::deque<SpoolEntry> pending = spool_.entries();
  for (const auto& entry : pending) {
    const auto body = spool_.read(entry);
    if (!body.ok()) {
      round.messages.push_back(body.error().message);
      if (entry.agent_id == tracker_.agent().id) tracker_.release(entry.seq);
      continue;
    }
    const SendResult result = send_(*body);
    switch (result.delivery) {
      case Delivery::acknowledged:
        ++counts_.acknowledged;
        backoff_.reset();
        settled(entry, round);
        noted_acknowledger(result.acknowledged_by, round);
        break;
      case Delivery::rejected:
        ++counts_.rejected;
        round.messages.push_back("aggregator rejected batch " + entry.agent_id + "/" +
                                 std::to_string(entry.seq) + ", dropped: " + result.reason);
        settled(entry, round);
        break;
      case Delivery::retryable:
        ++counts_.send_failures;
        round.retry_in = backoff_.next(result.retry_after);
        round.messages.push_back("sending batch " + entry.agent_id + "/" +
                                 std::to_string(entry.seq) + " failed, retrying in " +
                                 std::to_string(round.retry_in->count()) + " ms: " + result.reason);
        return round;
    }
  }
  return round;
}

void Courier::spool_new_batches(const CumulativeState& state, int64_t now_unix_ms, Round& round) {
  // Released only after the loop: released now, a dropped batch's content would be batched
  // again at once and drop the next oldest, round and round while the spool is full.
  std::vector<uint64_t> released;
  while (auto batch = tracker_.next_batch(state, now_unix_ms)) {
    auto dropped = spool_.append(*batch);
    if (!dropped.ok()) {
      // Not spooled, so never sent: its content goes into a later round's batch.
      released.push_back(batch->seq);
      round.messages.push_back(dropped.error().message);
      break;
    }
    for (const auto& lost : *dropped) {
      round.messages.push_back("spool full: dropped batch " + lost.agent_id + "/" +
                               std::to_string(lost.seq));
      // This run's content goes out again; an earlier run's is gone with it.
      if (lost.agent_id == tracker_.agent().id) released.push_back(lost.seq);
    }
  }
  for (const uint64_t seq : released) tracker_.release(seq);
}

// An aggregator instance acknowledges a batch once it holds it in memory, and writes it to the
// API server a moment later. An acknowledgement from another instance than the last means the
// agent's connection now ends elsewhere: the last instance may have died with acknowledged
// batches unwritten, so the whole state goes again now, not at the next count refresh. A switch
// between live replicas costs one refresh more; the merge makes it harmless.
void Courier::noted_acknowledger(const std::string& instance, Round& round) {
  if (instance.empty()) return;
  if (!last_acknowledger_.empty() && instance != last_acknowledger_) {
    tracker_.refresh_now();
    round.messages.push_back("aggregator instance " + instance + " acknowledged after " +
                             last_acknowledger_ +
                             ": sending the whole state again, in case that one went away "
                             "before writing what it had acknowledged");
  }
  last_acknowledger_ = instance;
}

// Acknowledged or rejected: either way the batch is done with.
void Courier::settled(const SpoolEntry& entry, Round& round) {
  if (auto removed = spool_.remove(entry.id); !removed.ok()) {
    round.messages.push_back(removed.error().message);
  }
  // A batch of an earlier agent run (replayed from the spool) is not the tracker's.
  if (entry.agent_id == tracker_.agent().id) tracker_.acknowledge(entry.seq);
}

}  // namespace tailor::agent
