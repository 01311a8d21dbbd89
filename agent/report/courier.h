#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "agent/report/delta_tracker.h"
#include "agent/report/sender.h"
#include "agent/report/spool.h"
#include "common/util/backoff.h"

namespace tailor::agent {

// Sender::send, or a stand-in in tests.
using SendFunction = std::function<SendResult(const std::string& body)>;

struct CourierCounts {
  uint64_t acknowledged = 0;
  uint64_t rejected = 0;       // dropped because the aggregator refused them for good
  uint64_t send_failures = 0;  // retryable failures
};

struct Round {
  // Set after a retryable failure: wait this long before the next round. Otherwise the
  // caller's usual interval.
  std::optional<std::chrono::milliseconds> retry_in;
  std::vector<std::string> messages;  // one line each, for the log
};

// One delivery round: turns what is new into batches, spools them, then sends the spooled
// batches oldest first until one fails in a way worth retrying (docs/wire-format.md).
class Courier {
 public:
  Courier(DeltaTracker& tracker, Spool& spool, SendFunction send, common::Backoff& backoff);

  Round round(const CumulativeState& state, int64_t now_unix_ms);
  const CourierCounts& counts() const { return counts_; }

 private:
  void spool_new_batches(const CumulativeState& state, int64_t now_unix_ms, Round& round);
  void settled(const SpoolEntry& entry, Round& round);
  void noted_acknowledger(const std::string& instance, Round& round);

  DeltaTracker& tracker_;
  Spool& spool_;
  SendFunction send_;
  common::Backoff& backoff_;
  CourierCounts counts_;
  std::string last_acknowledger_;  // the aggregator instance of the last acknowledgement
};

}  // namespace tailor::agent
