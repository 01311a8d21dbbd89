#include "agent/report/courier.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/common/testing/temp_dir.h"

namespace tailor::agent {
namespace {

using common::testing::TempDir;
using ::testing::HasSubstr;

constexpr int64_t kNow = 1'700'000'000'000;
const common::WorkloadKey kWeb{"shop", "Deployment", "web", "nginx"};

DeltaTrackerOptions tracker_options(std::string agent_id) {
  DeltaTrackerOptions options;
  options.node = "node-a";
  options.agent = {std::move(agent_id), kNow};
  options.recording_started_unix_ms = kNow;
  return options;
}

common::SyscallEntry entry(uint32_t nr) {
  return {"x86_64", nr, "", common::Phase::workload, 1, 0, std::nullopt, std::nullopt};
}

CumulativeState state_with(std::initializer_list<uint32_t> nrs) {
  CumulativeState state;
  for (const uint32_t nr : nrs) state[kWeb].syscalls.push_back(entry(nr));
  return state;
}

// Answers from a script, keeping what it was sent.
struct ScriptedAggregator {
  std::vector<SendResult> answers;
  std::vector<common::Delta> received;

  SendFunction function() {
    return [this](const std::string& body) {
      received.push_back(common::decode_delta(body).value());
      if (answers.empty()) return SendResult{Delivery::acknowledged, 200, "", std::nullopt};
      SendResult next = answers.front();
      answers.erase(answers.begin());
      return next;
    };
  }

  std::set<uint32_t> nrs() const {
    std::set<uint32_t> out;
    for (const auto& delta : received) {
      for (const auto& workload : delta.workloads) {
        for (const auto& syscall : workload.syscalls) out.insert(syscall.nr);
      }
    }
    return out;
  }
};

class CourierTest : public ::testing::Test {
 protected:
  std::unique_ptr<Spool> open_spool(SpoolLimits limits = {}) {
    auto spool = Spool::open(dir_.file("spool"), limits);
    EXPECT_TRUE(spool.ok()) << spool.error().message;
    return std::move(*spool);
  }

  TempDir dir_;
  common::Backoff backoff_{std::chrono::milliseconds(1000), std::chrono::milliseconds(60000), 1};
  ScriptedAggregator aggregator_;
};

TEST_F(CourierTest, DeliversAndForgets) {
  DeltaTracker tracker(tracker_options("run-1"));
  auto spool = open_spool();
  Courier courier(tracker, *spool, aggregator_.function(), backoff_);
  const Round round = courier.round(state_with({0, 1}), kNow);
  EXPECT_FALSE(round.retry_in);
  EXPECT_EQ(aggregator_.nrs(), (std::set<uint32_t>{0, 1}));
  EXPECT_TRUE(spool->entries().empty());
  EXPECT_EQ(tracker.in_flight(), 0u);
  EXPECT_EQ(courier.counts().acknowledged, 1u);
  courier.round(state_with({0, 1}), kNow + 1);
  EXPECT_EQ(aggregator_.received.size(), 1u) << "nothing new, nothing sent";
}

TEST_F(CourierTest, AnAcknowledgementFromAnotherAggregatorInstanceSendsTheWholeStateAgain) {
  DeltaTracker tracker(tracker_options("run-1"));
  auto spool = open_spool();
  Courier courier(tracker, *spool, aggregator_.function(), backoff_);
  const auto by = [](std::string instance) {
    return SendResult{Delivery::acknowledged, 200, "", std::nullopt, std::move(instance)};
  };
  aggregator_.answers = {by("a1"), by("a1"), by("a2")};
  courier.round(state_with({0, 1}), kNow);
  courier.round(state_with({0, 1, 2}), kNow + 1);
  ASSERT_EQ(aggregator_.received.size(), 2u);
  EXPECT_EQ(aggregator_.received[1].workloads[0].syscalls.size(), 1u) << "the same instance";

  // Another instance: a1 may have died holding {2} unwritten.
  const Round round = courier.round(state_with({0, 1, 2, 3}), kNow + 2);
  EXPECT_THAT(round.messages, testing::Contains(HasSubstr("sending the whole state again")));
  courier.round(state_with({0, 1, 2, 3}), kNow + 3);
  ASSERT_EQ(aggregator_.received.size(), 4u);
  std::set<uint32_t> again;
  for (const auto& syscall : aggregator_.received[3].workloads[0].syscalls)
    again.insert(syscall.nr);
  EXPECT_EQ(again, (std::set<uint32_t>{0, 1, 2, 3}));
  courier.round(state_with({0, 1, 2, 3}), kNow + 4);
  EXPECT_EQ(aggregator_.received.size(), 4u) << "once";
}

TEST_F(CourierTest, ARetryableFailureStopsTheRoundAndKeepsTheOrder) {
  DeltaTracker tracker(tracker_options("run-1"));
  auto spool = open_spool();
  Courier courier(tracker, *spool, aggregator_.function(), backoff_);
  aggregator_.answers = {{Delivery::retryable, 503, "HTTP 503", std::chrono::seconds(5)}};
  Round round = courier.round(state_with({0}), kNow);
  ASSERT_TRUE(round.retry_in);
  EXPECT_GE(*round.retry_in, std::chrono::milliseconds(5000));
  EXPECT_THAT(round.messages.back(), HasSubstr("HTTP 503"));
  EXPECT_EQ(spool->entries().size(), 1u);

  round = courier.round(state_with({0, 1}), kNow + 1);
  EXPECT_FALSE(round.retry_in);
  ASSERT_EQ(aggregator_.received.size(), 3u);
  EXPECT_EQ(aggregator_.received[1].seq, 1u) << "the failed batch first";
  EXPECT_EQ(aggregator_.received[2].seq, 2u);
  EXPECT_TRUE(spool->entries().empty());
  EXPECT_EQ(courier.counts().send_failures, 1u);
}

TEST_F(CourierTest, RejectedBatchesAreDroppedAndCounted) {
  DeltaTracker tracker(tracker_options("run-1"));
  auto spool = open_spool();
  Courier courier(tracker, *spool, aggregator_.function(), backoff_);
  aggregator_.answers = {{Delivery::rejected, 400, "HTTP 400: invalid delta", std::nullopt}};
  const Round round = courier.round(state_with({0}), kNow);
  EXPECT_FALSE(round.retry_in);
  EXPECT_THAT(round.messages.back(), HasSubstr("rejected batch run-1/1, dropped: HTTP 400"));
  EXPECT_EQ(courier.counts().rejected, 1u);
  EXPECT_TRUE(spool->entries().empty());
  courier.round(state_with({0}), kNow + 1);
  EXPECT_EQ(aggregator_.received.size(), 1u) << "a rejected batch is not made again";
}

TEST_F(CourierTest, ReplaysAnEarlierRunsBatchesWithoutConfusingTheTracker) {
  {
    DeltaTracker old_run(tracker_options("run-1"));
    auto spool = open_spool();
    aggregator_.answers = {{Delivery::retryable, 0, "no answer", std::nullopt}};
    Courier courier(old_run, *spool, aggregator_.function(), backoff_);
    courier.round(state_with({7}), kNow);
  }
  DeltaTracker tracker(tracker_options("run-2"));
  auto spool = open_spool();
  ASSERT_EQ(spool->entries().size(), 1u);
  Courier courier(tracker, *spool, aggregator_.function(), backoff_);
  courier.round(state_with({0}), kNow + 1);
  ASSERT_EQ(aggregator_.received.size(), 3u);
  EXPECT_EQ(aggregator_.received[1].agent.id, "run-1");
  EXPECT_EQ(aggregator_.received[1].seq, 1u);
  EXPECT_EQ(aggregator_.received[2].agent.id, "run-2");
  EXPECT_EQ(aggregator_.received[2].seq, 1u);
  EXPECT_EQ(tracker.in_flight(), 0u) << "run-2's seq 1 was acknowledged, not run-1's";
  EXPECT_TRUE(spool->entries().empty());
}

TEST_F(CourierTest, ContentOfBatchesTheFullSpoolDroppedIsSentAgain) {
  DeltaTracker tracker(tracker_options("run-1"));
  auto spool = open_spool({.max_bytes = 1 << 20, .max_files = 1});
  Courier courier(tracker, *spool, aggregator_.function(), backoff_);
  aggregator_.answers = {{Delivery::retryable, 0, "no answer", std::nullopt},
                         {Delivery::retryable, 0, "no answer", std::nullopt}};
  courier.round(state_with({0}), kNow);
  const Round round = courier.round(state_with({0, 1}), kNow + 1);
  EXPECT_THAT(round.messages.front(), HasSubstr("spool full: dropped batch run-1/1"));
  EXPECT_EQ(spool->dropped_batches(), 1u);

  courier.round(state_with({0, 1}), kNow + 2);
  courier.round(state_with({0, 1}), kNow + 3);
  EXPECT_TRUE(spool->entries().empty());
  EXPECT_EQ(tracker.in_flight(), 0u);
  std::set<uint32_t> delivered;
  for (std::size_t i = 2; i < aggregator_.received.size(); ++i) {
    for (const auto& syscall : aggregator_.received[i].workloads[0].syscalls) {
      delivered.insert(syscall.nr);
    }
  }
  EXPECT_EQ(delivered, (std::set<uint32_t>{0, 1})) << "nr 0 was only in the dropped batch";
}

}  // namespace
}  // namespace tailor::agent
