#include "agent/report/delta_tracker.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

namespace tailor::agent {
namespace {

using common::Delta;
using common::DeltaSyscall;
using common::Phase;
using common::RecordedArg;
using common::SyscallEntry;
using common::WorkloadKey;

constexpr int64_t kStarted = 1'700'000'000'000;
const WorkloadKey kWeb{"shop", "Deployment", "web", "nginx"};
const WorkloadKey kDb{"shop", "StatefulSet", "db", "postgres"};

DeltaTrackerOptions options() {
  DeltaTrackerOptions options;
  options.node = "node-a";
  options.agent = {"agent-1", kStarted};
  options.recording_started_unix_ms = kStarted;
  options.count_refresh_ms = 60'000;
  return options;
}

SyscallEntry entry(uint32_t nr, uint64_t count, std::optional<RecordedArg> arg = std::nullopt) {
  return {"x86_64", nr, "", Phase::workload, count, nr * 1'000'000ull, std::nullopt, arg};
}

CumulativeState sample_state() {
  CumulativeState state;
  state[kWeb] = {{"pod-1"}, {entry(0, 10), entry(41, 2, RecordedArg{0, {{1, 1}, {2, 1}}, true})}};
  state[kDb] = {{"pod-2"}, {entry(1, 5)}};
  return state;
}

// Every (workload, nr) -> count the batches carry, the largest count kept: the receiver's view.
std::map<std::pair<WorkloadKey, uint32_t>, uint64_t> counts_of(const std::vector<Delta>& batches) {
  std::map<std::pair<WorkloadKey, uint32_t>, uint64_t> counts;
  for (const auto& batch : batches) {
    for (const auto& workload : batch.workloads) {
      for (const auto& syscall : workload.syscalls) {
        auto& count = counts[{workload.key, syscall.nr}];
        count = std::max(count, syscall.count);
      }
    }
  }
  return counts;
}

uint64_t count_of(const std::vector<Delta>& batches, const WorkloadKey& key, uint32_t nr) {
  const auto counts = counts_of(batches);
  const auto found = counts.find({key, nr});
  return found == counts.end() ? 0 : found->second;
}

std::vector<Delta> drain(DeltaTracker& tracker, const CumulativeState& state, int64_t now) {
  std::vector<Delta> batches;
  while (auto batch = tracker.next_batch(state, now)) batches.push_back(std::move(*batch));
  return batches;
}

TEST(DeltaTrackerTest, FirstBatchCarriesEverything) {
  DeltaTracker tracker(options());
  const auto batch = tracker.next_batch(sample_state(), kStarted);
  ASSERT_TRUE(batch.has_value());
  EXPECT_EQ(batch->node, "node-a");
  EXPECT_EQ(batch->agent.id, "agent-1");
  EXPECT_EQ(batch->seq, 1u);
  ASSERT_EQ(batch->workloads.size(), 2u);
  EXPECT_EQ(batch->workloads[0].key, kWeb);  // in key order
  EXPECT_EQ(batch->workloads[0].pods, std::vector<std::string>{"pod-1"});
  EXPECT_EQ(batch->workloads[1].key, kDb);
  EXPECT_EQ(batch->workloads[0].syscalls[1],
            (DeltaSyscall{"x86_64", 41, "", Phase::workload, 2, kStarted + 41,
                          RecordedArg{0, {{1, 1}, {2, 1}}, true}}));
  EXPECT_TRUE(common::decode_delta(common::encode_delta(*batch)).ok());
}

TEST(DeltaTrackerTest, InFlightContentIsNotSentTwice) {
  DeltaTracker tracker(options());
  ASSERT_TRUE(tracker.next_batch(sample_state(), kStarted));
  EXPECT_FALSE(tracker.next_batch(sample_state(), kStarted + 1));
  EXPECT_EQ(tracker.in_flight(), 1u);
  tracker.acknowledge(1);
  EXPECT_EQ(tracker.in_flight(), 0u);
  EXPECT_FALSE(tracker.next_batch(sample_state(), kStarted + 2));
}

TEST(DeltaTrackerTest, SendsOnlyWhatIsNew) {
  DeltaTracker tracker(options());
  ASSERT_TRUE(tracker.next_batch(sample_state(), kStarted));
  tracker.acknowledge(1);

  CumulativeState state = sample_state();
  state[kWeb].pods.insert("pod-3");
  state[kWeb].syscalls.push_back(entry(60, 1));
  state[kWeb].syscalls[1].arg->values[16] = 1;
  state[kWeb].syscalls[1].arg->complete = false;
  const auto batch = tracker.next_batch(state, kStarted + 1);
  ASSERT_TRUE(batch.has_value());
  EXPECT_EQ(batch->seq, 2u);
  ASSERT_EQ(batch->workloads.size(), 1u);
  EXPECT_EQ(batch->workloads[0].pods, std::vector<std::string>{"pod-3"});
  ASSERT_EQ(batch->workloads[0].syscalls.size(), 2u);
  EXPECT_EQ(batch->workloads[0].syscalls[0].arg, (RecordedArg{0, {{16, 1}}, false}));
  EXPECT_EQ(batch->workloads[0].syscalls[1].nr, 60u);
}

TEST(DeltaTrackerTest, AnotherPodMakingACallIsSentAtOnce) {
  DeltaTracker tracker(options());
  CumulativeState state = sample_state();
  state[kWeb].pods_by_syscall[{"x86_64", 0, Phase::workload}] = 1;
  ASSERT_TRUE(tracker.next_batch(state, kStarted));
  tracker.acknowledge(1);

  state[kWeb].pods.insert("pod-3");
  state[kWeb].pods_by_syscall[{"x86_64", 0, Phase::workload}] = 2;
  const auto batch = tracker.next_batch(state, kStarted + 1);
  ASSERT_TRUE(batch.has_value()) << "coverage news does not wait for the count refresh";
  ASSERT_EQ(batch->workloads.size(), 1u);
  ASSERT_EQ(batch->workloads[0].syscalls.size(), 1u);
  EXPECT_EQ(batch->workloads[0].syscalls[0].nr, 0u);
  EXPECT_EQ(batch->workloads[0].syscalls[0].pods, 2u);
  const auto decoded = common::decode_delta(common::encode_delta(*batch));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->workloads[0].syscalls[0].pods, 2u);
  tracker.acknowledge(batch->seq);
  EXPECT_FALSE(tracker.next_batch(state, kStarted + 2));
}

TEST(DeltaTrackerTest, SendsCountsAloneOnlyWhenTheRefreshIsDue) {
  DeltaTracker tracker(options());
  ASSERT_TRUE(tracker.next_batch(sample_state(), kStarted));
  tracker.acknowledge(1);

  CumulativeState state = sample_state();
  state[kDb].syscalls[0].count = 9;
  state[kWeb].syscalls[1].arg->values[2] = 7;
  EXPECT_FALSE(tracker.next_batch(state, kStarted + 59'999));

  const auto batch = tracker.next_batch(state, kStarted + 60'000);
  ASSERT_TRUE(batch.has_value());
  EXPECT_EQ(count_of({*batch}, kDb, 1), 9u) << "counts are cumulative, not increments";
  ASSERT_EQ(batch->workloads.size(), 2u) << "a refresh carries the whole state";
  ASSERT_EQ(batch->workloads[0].syscalls.size(), 2u);
  EXPECT_EQ(batch->workloads[0].syscalls[1].arg, (RecordedArg{0, {{1, 1}, {2, 7}}, true}));
  tracker.acknowledge(batch->seq);

  state[kDb].syscalls[0].count = 12;
  EXPECT_FALSE(tracker.next_batch(state, kStarted + 119'999));
  EXPECT_TRUE(tracker.next_batch(state, kStarted + 120'000));
}

// An aggregator replica killed after acknowledging a batch but before writing it to the API
// server lost it (the chaos test caught a rollout's new call missing for good): each refresh
// sends the whole state again, however many batches it takes, even when nothing changed.
TEST(DeltaTrackerTest, EachRefreshSendsTheWholeStateAgain) {
  DeltaTrackerOptions small = options();
  small.max_items_per_batch = 2;
  DeltaTracker tracker(small);
  for (const auto& batch : drain(tracker, sample_state(), kStarted)) tracker.acknowledge(batch.seq);
  EXPECT_FALSE(tracker.next_batch(sample_state(), kStarted + 59'999));

  const auto refresh = drain(tracker, sample_state(), kStarted + 60'000);
  EXPECT_GT(refresh.size(), 1u);
  DeltaTracker fresh(small);
  EXPECT_EQ(counts_of(refresh), counts_of(drain(fresh, sample_state(), kStarted)));
  std::set<std::string> pods;
  std::set<uint64_t> values;
  for (const auto& batch : refresh)
    for (const auto& workload : batch.workloads) {
      pods.insert(workload.pods.begin(), workload.pods.end());
      for (const auto& syscall : workload.syscalls)
        if (syscall.arg)
          for (const auto& [value, _] : syscall.arg->values) values.insert(value);
    }
  EXPECT_EQ(pods, (std::set<std::string>{"pod-1", "pod-2"}));
  EXPECT_EQ(values, (std::set<uint64_t>{1, 2}));
  EXPECT_FALSE(tracker.next_batch(sample_state(), kStarted + 60'001));
}

TEST(DeltaTrackerTest, ARefreshAskedForSendsTheWholeStateBeforeItIsDue) {
  DeltaTrackerOptions small = options();
  small.max_items_per_batch = 2;
  DeltaTracker tracker(small);
  for (const auto& batch : drain(tracker, sample_state(), kStarted)) tracker.acknowledge(batch.seq);
  // A refresh under way when it is asked for starts over: its first batches may be lost too.
  const auto partial = tracker.next_batch(sample_state(), kStarted + 60'000);
  ASSERT_TRUE(partial);
  tracker.acknowledge(partial->seq);
  tracker.refresh_now();

  const auto again = drain(tracker, sample_state(), kStarted + 60'001);
  DeltaTracker fresh(small);
  EXPECT_EQ(counts_of(again), counts_of(drain(fresh, sample_state(), kStarted)));
  for (const auto& batch : again) tracker.acknowledge(batch.seq);
  EXPECT_FALSE(tracker.next_batch(sample_state(), kStarted + 60'002))
      << "the refresh done, the next is count_refresh_ms away";
}

TEST(DeltaTrackerTest, AnIdleAgentSendsAnEmptyBatchEveryHeartbeatWithNothingInFlight) {
  DeltaTrackerOptions idle = options();
  idle.count_refresh_ms = 300'000;
  idle.heartbeat_ms = 60'000;
  DeltaTracker tracker(idle);
  const auto first = tracker.next_batch(sample_state(), kStarted);
  ASSERT_TRUE(first);
  EXPECT_FALSE(tracker.next_batch(sample_state(), kStarted + 60'000))
      << "nothing new, but a batch is still in flight: its answer is awaited";
  tracker.acknowledge(first->seq);
  EXPECT_FALSE(tracker.next_batch(sample_state(), kStarted + 59'999));
  const auto beat = tracker.next_batch(sample_state(), kStarted + 60'000);
  ASSERT_TRUE(beat);
  EXPECT_TRUE(beat->workloads.empty());
  EXPECT_EQ(beat->seq, first->seq + 1);
  tracker.acknowledge(beat->seq);
  EXPECT_FALSE(tracker.next_batch(sample_state(), kStarted + 119'999));
  EXPECT_TRUE(tracker.next_batch(sample_state(), kStarted + 120'000));
}

TEST(DeltaTrackerTest, ANewSyscallCarriesCountChangesOfItsWorkloadAlong) {
  DeltaTracker tracker(options());
  ASSERT_TRUE(tracker.next_batch(sample_state(), kStarted));
  CumulativeState state = sample_state();
  state[kDb].syscalls.push_back(entry(2, 1));
  state[kDb].syscalls[0].count = 6;
  const auto batch = tracker.next_batch(state, kStarted + 1);
  ASSERT_TRUE(batch.has_value());
  ASSERT_EQ(batch->workloads.size(), 1u);
  EXPECT_EQ(batch->workloads[0].syscalls.size(), 1u) << "count changes wait for the refresh";
  EXPECT_EQ(batch->workloads[0].syscalls[0].nr, 2u);
}

TEST(DeltaTrackerTest, SplitsLargeChangesIntoBoundedBatches) {
  DeltaTrackerOptions small = options();
  small.max_items_per_batch = 5;
  small.limits.max_values_per_arg = 3;
  DeltaTracker tracker(small);
  CumulativeState state;
  for (uint32_t nr = 0; nr < 20; ++nr) state[kWeb].syscalls.push_back(entry(nr, nr + 1));
  RecordedArg many{0, {}, true};
  for (uint64_t value = 0; value < 8; ++value) many.values[value] = 1;
  state[kDb].syscalls.push_back(entry(41, 1, many));

  const auto batches = drain(tracker, state, kStarted);
  ASSERT_GT(batches.size(), 5u);
  uint64_t seq = 0;
  std::set<uint64_t> values;
  for (const auto& batch : batches) {
    EXPECT_EQ(batch.seq, ++seq);
    std::size_t items = 0;
    for (const auto& workload : batch.workloads) {
      for (const auto& syscall : workload.syscalls) {
        items += 1 + (syscall.arg ? syscall.arg->values.size() : 0);
        if (syscall.arg) {
          EXPECT_LE(syscall.arg->values.size(), 3u);
          for (const auto& [value, _] : syscall.arg->values) values.insert(value);
        }
      }
    }
    EXPECT_LE(items, 5u);
  }
  EXPECT_EQ(counts_of(batches).size(), 21u);
  EXPECT_EQ(count_of(batches, kWeb, 19), 20u);
  EXPECT_EQ(values.size(), 8u);
}

TEST(DeltaTrackerTest, ReleasedContentGoesIntoTheNextBatch) {
  DeltaTracker tracker(options());
  ASSERT_TRUE(tracker.next_batch(sample_state(), kStarted));
  CumulativeState state = sample_state();
  state[kDb].syscalls.push_back(entry(2, 1));
  ASSERT_TRUE(tracker.next_batch(state, kStarted + 1));

  tracker.acknowledge(2);
  tracker.release(1);
  tracker.release(1);  // twice, or an unknown seq: nothing
  tracker.acknowledge(99);
  const auto batch = tracker.next_batch(state, kStarted + 2);
  ASSERT_TRUE(batch.has_value());
  EXPECT_EQ(batch->seq, 3u);
  const auto counts = counts_of({*batch});
  EXPECT_EQ(counts.size(), 3u) << "batch 1's entries, not batch 2's";
  EXPECT_EQ(count_of({*batch}, kDb, 2), 0u);
  EXPECT_EQ(batch->workloads[0].pods, std::vector<std::string>{"pod-1"});
}

TEST(DeltaTrackerTest, RespectsTheDocumentLimitsItWillBeDecodedWith) {
  DeltaTrackerOptions limited = options();
  limited.limits.max_workloads = 1;
  limited.limits.max_pods_per_workload = 1;
  DeltaTracker tracker(limited);
  CumulativeState state = sample_state();
  state[kWeb].pods = {"pod-1", "pod-3", "pod-4"};
  const auto batches = drain(tracker, state, kStarted);
  ASSERT_EQ(batches.size(), 4u);
  for (const auto& batch : batches) {
    EXPECT_TRUE(common::decode_delta(common::encode_delta(batch), limited.limits).ok());
  }
}

common::DeniedCall denied_call(uint32_t nr, uint64_t count, common::DenialAction action) {
  common::DeniedCall call;
  call.arch = "x86_64";
  call.nr = nr;
  call.name = nr == 165 ? "mount" : "";
  call.action = action;
  call.count = count;
  call.first_seen_ns = 3'000'000;
  call.first_caller = common::FirstCaller{7, 7, "nginx"};
  return call;
}

// sample_state(), web enforced on this node and denied mount.
CumulativeState enforced_state() {
  CumulativeState state = sample_state();
  state[kWeb].denied = {{denied_call(165, 2, common::DenialAction::errno_ret), "pod-1"}};
  state[kWeb].enforcement = common::DeltaEnforcement{"operator/shop/web.json", "Localhost", 1, 1};
  return state;
}

const common::WorkloadDelta* workload_in(const Delta& batch, const WorkloadKey& key) {
  for (const auto& workload : batch.workloads)
    if (workload.key == key) return &workload;
  return nullptr;
}

TEST(DeltaTrackerTest, DeniedCallsAndEnforcementAreSentOnce) {
  DeltaTracker tracker(options());
  const auto first = tracker.next_batch(enforced_state(), kStarted);
  ASSERT_TRUE(first);
  const auto* web = workload_in(*first, kWeb);
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(web->denied, (std::vector<common::DeltaDenial>{{"x86_64", 165, "mount",
                                                            common::DenialAction::errno_ret, 2,
                                                            kStarted + 3, "pod-1", "nginx"}}));
  EXPECT_EQ(web->enforcement,
            (common::DeltaEnforcement{"operator/shop/web.json", "Localhost", 1, 1}));
  EXPECT_FALSE(workload_in(*first, kDb)->enforcement) << "db's enforcement is not known";
  EXPECT_FALSE(tracker.next_batch(enforced_state(), kStarted + 1)) << "in flight: not again";
  tracker.acknowledge(first->seq);
  EXPECT_FALSE(tracker.next_batch(enforced_state(), kStarted + 2));
}

TEST(DeltaTrackerTest, ANewDeniedCallOrChangedEnforcementGoesAtOnceAGrownCountWithTheRefresh) {
  DeltaTracker tracker(options());
  tracker.acknowledge(tracker.next_batch(enforced_state(), kStarted)->seq);

  CumulativeState grown = enforced_state();
  grown[kWeb].denied[0].call.count = 9;
  EXPECT_FALSE(tracker.next_batch(grown, kStarted + 1)) << "a count alone waits for the refresh";

  CumulativeState other_action = grown;
  other_action[kWeb].denied.push_back({denied_call(165, 1, common::DenialAction::trap), "pod-1"});
  auto batch = tracker.next_batch(other_action, kStarted + 2);
  ASSERT_TRUE(batch);
  ASSERT_EQ(batch->workloads.size(), 1u);
  ASSERT_EQ(batch->workloads[0].denied.size(), 1u) << "only the new (call, action)";
  EXPECT_EQ(batch->workloads[0].denied[0].action, common::DenialAction::trap);
  EXPECT_FALSE(batch->workloads[0].enforcement) << "unchanged";
  tracker.acknowledge(batch->seq);

  // A second pod of web starts, not yet filtered: the enforcement changed.
  CumulativeState more_pods = other_action;
  more_pods[kWeb].enforcement->pods = 2;
  batch = tracker.next_batch(more_pods, kStarted + 3);
  ASSERT_TRUE(batch);
  ASSERT_EQ(batch->workloads.size(), 1u);
  EXPECT_EQ(batch->workloads[0].enforcement,
            (common::DeltaEnforcement{"operator/shop/web.json", "Localhost", 2, 1}));
  EXPECT_TRUE(batch->workloads[0].denied.empty());
  tracker.acknowledge(batch->seq);

  // The refresh carries everything: the grown count and the enforcement, unchanged or not.
  batch = tracker.next_batch(more_pods, kStarted + 60'000);
  ASSERT_TRUE(batch);
  const auto* web = workload_in(*batch, kWeb);
  ASSERT_NE(web, nullptr);
  ASSERT_EQ(web->denied.size(), 2u);
  EXPECT_EQ(web->denied[0].count, 9u);
  EXPECT_EQ(web->enforcement,
            (common::DeltaEnforcement{"operator/shop/web.json", "Localhost", 2, 1}));
}

TEST(DeltaTrackerTest, AReleasedBatchsDenialsAndEnforcementAreSentAgain) {
  DeltaTracker tracker(options());
  const auto lost = tracker.next_batch(enforced_state(), kStarted);
  ASSERT_TRUE(lost);
  tracker.release(lost->seq);
  const auto again = tracker.next_batch(enforced_state(), kStarted + 1);
  ASSERT_TRUE(again);
  const auto* web = workload_in(*again, kWeb);
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(web->denied.size(), 1u);
  EXPECT_TRUE(web->enforcement);
}

TEST(DeltaTrackerTest, AWorkloadWithOnlyAnEnforcementChangeIsSent) {
  DeltaTracker tracker(options());
  tracker.acknowledge(tracker.next_batch(enforced_state(), kStarted)->seq);
  CumulativeState ended = enforced_state();
  ended[kWeb].enforcement = common::DeltaEnforcement{};  // its pods on this node ended
  const auto batch = tracker.next_batch(ended, kStarted + 1);
  ASSERT_TRUE(batch);
  ASSERT_EQ(batch->workloads.size(), 1u);
  EXPECT_TRUE(batch->workloads[0].pods.empty());
  EXPECT_TRUE(batch->workloads[0].syscalls.empty());
  EXPECT_EQ(batch->workloads[0].enforcement, common::DeltaEnforcement{});
}

}  // namespace
}  // namespace tailor::agent
