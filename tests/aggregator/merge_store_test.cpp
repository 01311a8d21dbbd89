// Merge properties on random deltas: the order, replays and duplicates of at-least-once
// delivery never change the merged state.
#include "aggregator/store/merge_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <random>

namespace tailor::aggregator {
namespace {

using common::Delta;
using common::DeltaSyscall;
using common::WorkloadDelta;
using common::WorkloadKey;

// Small pools, so random deltas overlap as replicas' do.
Delta random_delta(std::mt19937& rng, uint64_t seq) {
  auto pick = [&](int n) { return static_cast<int>(rng() % n); };
  Delta delta;
  delta.node = "node-" + std::to_string(pick(3));
  delta.agent = {"agent-" + delta.node + "-" + std::to_string(pick(2)), 1};
  delta.seq = seq;
  const int workloads = 1 + pick(2);
  for (int w = 0; w < workloads; ++w) {
    WorkloadDelta workload;
    workload.key = {"ns" + std::to_string(pick(2)), "Deployment", "web", "main"};
    if (std::any_of(delta.workloads.begin(), delta.workloads.end(),
                    [&](const WorkloadDelta& d) { return d.key == workload.key; })) {
      continue;
    }
    if (pick(2)) workload.pods.push_back("pod-" + std::to_string(pick(5)));
    std::set<uint32_t> nrs;
    for (int s = pick(6); s > 0; --s) nrs.insert(static_cast<uint32_t>(pick(12)));
    for (uint32_t nr : nrs) {
      DeltaSyscall syscall;
      syscall.arch = "x86_64";
      syscall.nr = nr;
      syscall.count = static_cast<uint64_t>(1 + pick(100));
      syscall.pods = static_cast<uint32_t>(pick(4));
      syscall.first_seen_unix_ms = 1000 + pick(50);
      if (nr == 41) {
        common::RecordedArg arg;
        arg.index = 0;
        for (int v = pick(3); v > 0; --v) arg.values[static_cast<uint64_t>(pick(4))] = 1;
        arg.complete = pick(5) != 0;
        syscall.arg = arg;
      }
      workload.syscalls.push_back(syscall);
    }
    delta.workloads.push_back(std::move(workload));
  }
  return delta;
}

std::map<WorkloadKey, MergedWorkload> merged_state(const MergeStore& store) {
  std::map<WorkloadKey, MergedWorkload> state;
  for (const auto& [key, tracked] : store.snapshot()) state.emplace(key, tracked.merged);
  return state;
}

std::vector<Delta> random_deltas(std::mt19937& rng, int n) {
  std::vector<Delta> deltas;
  for (int i = 0; i < n; ++i) deltas.push_back(random_delta(rng, static_cast<uint64_t>(i + 1)));
  return deltas;
}

TEST(MergeStoreTest, ReorderingReplaysAndDuplicatesChangeNothing) {
  for (uint32_t seed = 1; seed <= 200; ++seed) {
    std::mt19937 rng(seed);
    const auto deltas = random_deltas(rng, 12);
    MergeStore in_order;
    for (const auto& delta : deltas) in_order.apply(delta, 1);

    auto shuffled = deltas;
    // Every batch at least once, some several times, in any order.
    for (const auto& delta : deltas)
      if (rng() % 3 == 0) shuffled.push_back(delta);
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    MergeStore replayed;
    for (const auto& delta : shuffled) replayed.apply(delta, 2);

    ASSERT_EQ(merged_state(in_order), merged_state(replayed)) << "seed " << seed;
  }
}

TEST(MergeStoreTest, MergeIsCommutativeAssociativeAndIdempotent) {
  for (uint32_t seed = 1; seed <= 200; ++seed) {
    std::mt19937 rng(seed);
    auto workload = [&] {
      const Delta delta = random_delta(rng, 1);
      MergedWorkload merged;
      for (const auto& w : delta.workloads)
        merge_into(merged, from_delta(delta.node, intern_run(delta.node, delta.agent.id), w));
      // As read back from a SeccompProfile's annotations.
      merged.pods_seen_at_least = rng() % 4;
      merged.nodes_seen_at_least = rng() % 3;
      return merged;
    };
    const MergedWorkload a = workload(), b = workload(), c = workload();

    MergedWorkload ab = a, ba = b;
    merge_into(ab, b);
    merge_into(ba, a);
    ASSERT_EQ(ab, ba) << "seed " << seed;

    MergedWorkload ab_c = ab, bc = b, a_bc = a;
    merge_into(ab_c, c);
    merge_into(bc, c);
    merge_into(a_bc, bc);
    ASSERT_EQ(ab_c, a_bc) << "seed " << seed;

    MergedWorkload aa = a;
    const MergeGrowth growth = merge_into(aa, a);
    ASSERT_EQ(aa, a) << "seed " << seed;
    ASSERT_FALSE(growth.profile || growth.coverage) << "seed " << seed;
  }
}

// The ingest path merges a report straight into the stored state: the same state and the same
// growth as joining the report's own state (from_delta) into it, for live and settled runs.
TEST(MergeStoreTest, MergingADeltaDirectlyEqualsJoiningItsState) {
  for (uint32_t seed = 1; seed <= 300; ++seed) {
    std::mt19937 rng(seed);
    MergedWorkload direct, joined;
    for (const auto& delta : random_deltas(rng, 8)) {
      const uint32_t node = intern(delta.node);
      const uint32_t run = intern_run(delta.node, delta.agent.id);
      for (const auto& report : delta.workloads) {
        const bool settled = rng() % 4 == 0;
        MergedWorkload from = from_delta(delta.node, run, report);
        if (settled) {
          from.runs.clear();
          for (auto& [id, syscall] : from.syscalls) {
            syscall.by_run.clear();
            syscall.rare.write().values_by_agent.clear();
            syscall.rare.write().settled_nodes.insert(delta.node);
          }
        }
        const MergeGrowth expected = merge_into(joined, from);
        const MergeGrowth got = merge_delta(direct, node, run, report, settled);
        ASSERT_EQ(direct, joined) << "seed " << seed;
        ASSERT_EQ(got.profile, expected.profile) << "seed " << seed;
        ASSERT_EQ(got.coverage, expected.coverage) << "seed " << seed;
      }
    }
  }
}

// Pods of a workload rolled out again and again: the uids kept stay bounded, whatever the
// order batches arrive in, and the count past the bound is an estimate within a few percent.
TEST(MergeStoreTest, PodUidsAreBoundedAndTheirCountEstimatedPastTheBound) {
  constexpr int kPods = 20'000;
  std::vector<MergedWorkload> batches;
  for (int first = 0; first < kPods; first += 100) {
    WorkloadDelta delta;
    delta.key = {"shop", "Deployment", "web", "main"};
    for (int pod = first; pod < first + 100; ++pod)
      delta.pods.push_back("3c1e6f2a-0000-4000-8000-" + std::to_string(1'000'000'000'000 + pod));
    batches.push_back(from_delta("node-a", intern_run("node-a", "a"), delta));
  }
  MergedWorkload forward, backward;
  for (const auto& batch : batches) merge_into(forward, batch);
  for (auto it = batches.rbegin(); it != batches.rend(); ++it) merge_into(backward, *it);
  EXPECT_EQ(forward.pods.size(), kMaxPodUids);
  EXPECT_EQ(forward, backward) << "the uids kept depend only on the union";
  EXPECT_NEAR(static_cast<double>(forward.pods_seen()), kPods, kPods * 0.1);

  MergedWorkload again = forward;
  const MergeGrowth growth = merge_into(again, batches.front());
  EXPECT_FALSE(growth.coverage) << "uids beyond the bound are no change";
  EXPECT_EQ(again, forward);

  MergedWorkload few;
  merge_into(few, batches.front());
  EXPECT_EQ(few.pods_seen(), 100u) << "exact below the bound";
}

TEST(MergeStoreTest, VersionGrowsOnlyWithTheProfileSet) {
  Delta delta;
  delta.node = "node-a";
  delta.agent = {"agent-1", 1};
  WorkloadDelta web;
  web.key = {"shop", "Deployment", "web", "nginx"};
  web.syscalls.push_back({"x86_64", 0, "read", common::Phase::workload, 5, 100, std::nullopt});
  delta.workloads.push_back(web);
  MergeStore store;
  EXPECT_EQ(store.apply(delta, 10).grown, 1u);
  const auto first = store.get(web.key);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->version, 1u);

  // A replay, a larger count and another node: coverage, not the profile.
  delta.workloads[0].syscalls[0].count = 50;
  delta.node = "node-b";
  delta.agent.id = "agent-2";
  EXPECT_EQ(store.apply(delta, 20).grown, 0u);
  auto after = store.get(web.key);
  EXPECT_EQ(after->version, 1u);
  EXPECT_EQ(after->last_discovery_unix_ms, 10);
  const auto& read = after->merged.syscalls.at({"x86_64", 0, common::Phase::workload});
  EXPECT_EQ(read.count(), 55u);
  EXPECT_EQ(read.nodes(after->merged.runs).names(), (std::set<std::string>{"node-a", "node-b"}));

  delta.workloads[0].syscalls.push_back(
      {"x86_64", 1, "write", common::Phase::workload, 1, 90, std::nullopt});
  EXPECT_EQ(store.apply(delta, 30).grown, 1u);
  after = store.get(web.key);
  EXPECT_EQ(after->version, 2u);
  EXPECT_EQ(after->last_discovery_unix_ms, 30);
  EXPECT_EQ(after->first_discovery_unix_ms, 10);
}

TEST(MergeStoreTest, IncompleteArgumentListIsProfileGrowth) {
  MergedWorkload complete, incomplete;
  complete.syscalls[{"x86_64", 41, common::Phase::workload}].rare.write().arg =
      common::RecordedArg{0, {{2, 0}}, true};
  incomplete = complete;
  incomplete.syscalls.begin()->second.rare.write().arg->complete = false;
  EXPECT_TRUE(merge_into(complete, incomplete).profile);
  EXPECT_FALSE(complete.syscalls.begin()->second.rare->arg->complete);
  EXPECT_FALSE(merge_into(complete, incomplete).profile);
}

}  // namespace
}  // namespace tailor::aggregator

namespace tailor::aggregator {
namespace {

Delta one_syscall(const std::string& agent, uint32_t nr, uint64_t calls, const std::string& ns,
                  uint32_t pods = 1) {
  Delta delta;
  delta.node = "node-" + agent;
  delta.agent = {agent, 1};
  WorkloadDelta workload;
  workload.key = {ns, "Deployment", "web", "main"};
  workload.syscalls.push_back(
      {"x86_64", nr, "", common::Phase::workload, calls, 100, std::nullopt, pods});
  delta.workloads.push_back(workload);
  return delta;
}

// The store's size rests on it: a syscall holds its argument and settled figures out of line,
// and only when it has them.
TEST(MergeStoreTest, OnlySyscallsWithAnArgumentOrEndedRunsHoldTheirRarePart) {
  MergeStore store({.settle_runs_after = std::chrono::milliseconds(1000)});
  store.apply(one_syscall("a", 0, 5, "shop"), 10);
  store.apply(one_syscall("a", 1, 5, "shop"), 10);
  Delta socket = one_syscall("b", 41, 2, "shop");
  socket.workloads[0].syscalls[0].arg = common::RecordedArg{0, {{2, 2}}, true};
  store.apply(socket, 10);
  const WorkloadKey key{"shop", "Deployment", "web", "main"};
  const auto syscall = [&](uint32_t nr) {
    return store.get(key)->merged.syscalls.at({"x86_64", nr, common::Phase::workload});
  };
  EXPECT_FALSE(syscall(0).rare.allocated());
  EXPECT_FALSE(syscall(1).rare.allocated());
  EXPECT_TRUE(syscall(41).rare.allocated());

  store.apply(one_syscall("c", 0, 1, "shop"), 1500);  // a and b have ended: they settle
  EXPECT_TRUE(syscall(0).rare.allocated());
  EXPECT_EQ(syscall(0).rare->settled_calls, 5u);
  EXPECT_EQ(syscall(41).arg_calls()->values, (std::map<uint64_t, uint64_t>{{2, 2}}));
}

TEST(MergeStoreTest, PodsPerSyscallAreSummedOverAgentsAndKeptAtTheirLargest) {
  const common::WorkloadKey key = {"shop", "Deployment", "web", "main"};
  MergeStore store;
  store.apply(one_syscall("a", 0, 5, "shop", 2), 10);
  store.apply(one_syscall("a", 0, 5, "shop", 1), 11);  // an older batch of run a, replayed late
  store.apply(one_syscall("b", 0, 5, "shop", 3), 12);
  const auto read = store.get(key)->merged.syscalls.at({"x86_64", 0, common::Phase::workload});
  EXPECT_EQ(read.pods(), 5u) << "2 pods on node-a, 3 on node-b";

  MergedWorkload more = store.get(key)->merged;
  const auto b = std::ranges::find(more.runs, intern_run("node-b", "b")) - more.runs.begin();
  ASSERT_LT(b, std::ssize(more.runs));
  more.syscalls.begin()->second.by_run[b].join(0, 4);
  MergedWorkload into = store.get(key)->merged;
  EXPECT_TRUE(merge_into(into, more).coverage) << "a pod more is coverage news";
  EXPECT_FALSE(merge_into(into, more).coverage);
}

// A run's figures stay at their bounds (RunTally), and sums of counts, live or settled, stay at
// 2^64-1 instead of wrapping.
TEST(MergeStoreTest, CountsSaturateInsteadOfWrapping) {
  const common::WorkloadKey key = {"shop", "Deployment", "web", "main"};
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  MergeStore store({.settle_runs_after = std::chrono::milliseconds(1000)});
  store.apply(one_syscall("a", 0, kMax, "shop", std::numeric_limits<uint32_t>::max()), 0);
  store.apply(one_syscall("b", 0, kMax, "shop"), 10);
  const SyscallId id = {"x86_64", 0, common::Phase::workload};
  const auto read = [&] { return store.get(key)->merged.syscalls.at(id); };
  const auto run_a = [&] {
    const MergedWorkload merged = store.get(key)->merged;
    const auto column = std::ranges::find(merged.runs, intern_run("node-a", "a"));
    return merged.syscalls.at(id).by_run.at(column - merged.runs.begin());
  };
  EXPECT_EQ(run_a().calls(), RunTally::kMaxCalls);
  EXPECT_EQ(run_a().pods(), RunTally::kMaxPods);
  EXPECT_EQ(read().count(), 2 * RunTally::kMaxCalls);
  store.apply(one_syscall("a", 0, 5, "shop", 2), 20);  // a's older batch, late
  EXPECT_EQ(run_a().calls(), RunTally::kMaxCalls) << "a bound is a lower bound";
  EXPECT_EQ(run_a().pods(), RunTally::kMaxPods);

  store.apply(one_syscall("c", 0, 1, "shop"), 5000);  // a and b have ended: they settle
  EXPECT_EQ(read().rare->settled_calls, 2 * RunTally::kMaxCalls);
  EXPECT_EQ(read().count(), 2 * RunTally::kMaxCalls + 1);
  MergedWorkload elsewhere;  // another replica's count, at the top
  elsewhere.syscalls[id].rare.write().settled_calls = kMax;
  store.merge(key, elsewhere, 5001);
  EXPECT_EQ(read().count(), kMax);
}

TEST(MergeStoreBoundsTest, EndedRunsFoldIntoSettledSumsAndAreNeverCountedTwice) {
  MergeStore store({.settle_runs_after = std::chrono::milliseconds(1000)});
  store.apply(one_syscall("run-1", 0, 5, "shop"), 0);
  store.apply(one_syscall("run-2", 0, 7, "shop"), 500);
  // run-1 has been quiet for 1 s: it folds; run-2 (quiet 0.6 s) keeps its own tally.
  store.apply(one_syscall("run-3", 0, 1, "shop"), 1100);
  const WorkloadKey key{"shop", "Deployment", "web", "main"};
  auto read = store.get(key)->merged.syscalls.at({"x86_64", 0, common::Phase::workload});
  EXPECT_EQ(read.count(), 13u);
  EXPECT_EQ(read.pods(), 3u);
  EXPECT_EQ(read.rare->settled_calls, 5u);
  ASSERT_EQ(read.by_run.size(), 2u) << "run-2 and run-3";
  EXPECT_EQ(store.get(key)->merged.runs,
            (std::vector{intern_run("node-run-2", "run-2"), intern_run("node-run-3", "run-3")}));

  // A folded run replayed late, with more calls and a syscall more: the syscall joins, its
  // calls do not (they were folded at the largest seen, and adding again would double them).
  Delta late = one_syscall("run-1", 0, 50, "shop");
  late.workloads[0].syscalls.push_back(
      {"x86_64", 1, "", common::Phase::workload, 3, 100, std::nullopt, 1});
  EXPECT_EQ(store.apply(late, 1200).grown, 1u);
  read = store.get(key)->merged.syscalls.at({"x86_64", 0, common::Phase::workload});
  EXPECT_EQ(read.count(), 13u);
  EXPECT_TRUE(store.get(key)->merged.syscalls.contains({"x86_64", 1, common::Phase::workload}));
  // Nodes follow from the runs, folded ones included: the late syscall keeps its node too.
  const std::vector<uint32_t> runs = store.get(key)->merged.runs;
  EXPECT_EQ(read.nodes(runs).names(),
            (std::set<std::string>{"node-run-1", "node-run-2", "node-run-3"}));
  EXPECT_EQ(store.get(key)
                ->merged.syscalls.at({"x86_64", 1, common::Phase::workload})
                .nodes(runs)
                .names(),
            (std::set<std::string>{"node-run-1"}));

  // Every run ends: the per-run entries are gone, the sums stay.
  store.apply(one_syscall("run-4", 2, 1, "other"), 5000);
  read = store.get(key)->merged.syscalls.at({"x86_64", 0, common::Phase::workload});
  EXPECT_TRUE(read.by_run.empty());
  EXPECT_TRUE(store.get(key)->merged.runs.empty());
  EXPECT_EQ(read.count(), 13u);
  EXPECT_EQ(read.pods(), 3u);
  EXPECT_EQ(read.nodes({}).names(),
            (std::set<std::string>{"node-run-1", "node-run-2", "node-run-3"}));
}

// The calls of each argument value, like a syscall's, are each agent run's largest (replays and
// late batches change nothing) summed over runs, settled ones included.
TEST(MergeStoreBoundsTest, ValueCallsAreSummedOverRunsAtEachRunsLargest) {
  const auto socket = [](const std::string& agent, std::map<uint64_t, uint64_t> values) {
    Delta delta = one_syscall(agent, 41, 1, "shop");
    delta.workloads[0].syscalls[0].arg = common::RecordedArg{0, std::move(values), true};
    return delta;
  };
  MergeStore store({.settle_runs_after = std::chrono::milliseconds(1000)});
  store.apply(socket("a", {{2, 5}}), 0);
  store.apply(socket("a", {{2, 3}, {10, 1}}), 100);  // an older count of 2, a value more
  store.apply(socket("b", {{2, 7}}), 600);
  store.apply(socket("b", {{2, 7}}), 700);  // replayed
  const WorkloadKey key{"shop", "Deployment", "web", "main"};
  const SyscallId id{"x86_64", 41, common::Phase::workload};
  const auto values = [&] { return store.get(key)->merged.syscalls.at(id).arg_calls()->values; };
  EXPECT_EQ(values(), (std::map<uint64_t, uint64_t>{{2, 12}, {10, 1}}));
  store.apply(one_syscall("c", 0, 1, "shop"), 1200);  // a has ended: it settles
  EXPECT_EQ(store.get(key)->merged.syscalls.at(id).rare->values_by_agent.size(), 1u) << "b only";
  EXPECT_EQ(values(), (std::map<uint64_t, uint64_t>{{2, 12}, {10, 1}}));
  store.apply(socket("a", {{2, 50}}), 1300);  // a folded run, late: its calls were folded
  EXPECT_EQ(values(), (std::map<uint64_t, uint64_t>{{2, 12}, {10, 1}}));
}

// Two agents on two nodes that send the same run id stay two runs, each on its node.
TEST(MergeStoreBoundsTest, ARunIdIsPerNode) {
  MergeStore store;
  Delta a = one_syscall("same", 0, 5, "shop");
  Delta b = a;
  b.node = "node-other";
  b.workloads[0].syscalls[0].count = 7;
  store.apply(a, 1);
  store.apply(b, 2);
  const MergedWorkload merged = store.get({"shop", "Deployment", "web", "main"})->merged;
  const auto& read = merged.syscalls.at({"x86_64", 0, common::Phase::workload});
  EXPECT_EQ(read.count(), 12u);
  EXPECT_EQ(read.nodes(merged.runs).names(), (std::set<std::string>{"node-same", "node-other"}));
}

TEST(MergeStoreBoundsTest, ABatchBeyondMaxWorkloadsIsRefusedWhole) {
  MergeStore store({.max_workloads = 2});
  EXPECT_FALSE(store.apply(one_syscall("run-1", 0, 1, "a"), 1).full);
  EXPECT_FALSE(store.apply(one_syscall("run-1", 0, 1, "b"), 1).full);
  Delta both = one_syscall("run-1", 1, 1, "a");
  both.workloads.push_back(one_syscall("run-1", 1, 1, "c").workloads[0]);
  const Applied refused = store.apply(both, 2);
  EXPECT_TRUE(refused.full);
  EXPECT_EQ(refused.grown, 0u);
  EXPECT_EQ(store.size(), 2u);
  EXPECT_FALSE(store.get({"a", "Deployment", "web", "main"})
                   ->merged.syscalls.contains({"x86_64", 1, common::Phase::workload}))
      << "nothing of a refused batch is merged, so its retry is whole";
  EXPECT_EQ(store.apply(one_syscall("run-1", 1, 1, "a"), 3).grown, 1u) << "known keys still merge";
}

}  // namespace
}  // namespace tailor::aggregator

namespace tailor::aggregator {
namespace {

// Reports are per live agent run: the largest denial count is kept, and a run that ended takes
// its enforcement and denials with it.
TEST(MergeStoreReportsTest, LargestDenialCountAndNothingLeftOfAnEndedRun) {
  MergeStore store({.settle_runs_after = std::chrono::minutes(10)});
  const common::WorkloadKey web{"shop", "Deployment", "web", "nginx"};
  const auto batch = [&](const std::string& agent, uint64_t seq, uint64_t count) {
    common::Delta delta;
    delta.node = "node-a";
    delta.agent = {agent, 1};
    delta.seq = seq;
    common::WorkloadDelta workload;
    workload.key = web;
    workload.enforcement = common::DeltaEnforcement{"operator/web.json", "Localhost", 1, 1};
    workload.denied = {{"x86_64", 41, "socket", common::DenialAction::trap, count, 5, "p", "c"}};
    delta.workloads.push_back(workload);
    return delta;
  };
  store.apply(batch("run-1", 2, 7), 0);
  store.apply(batch("run-1", 1, 3), 1000);  // a late older batch
  auto reports = store.get(web)->reports;
  ASSERT_EQ(reports.size(), 1u);
  ASSERT_EQ(reports.begin()->second.denied.size(), 1u);
  EXPECT_EQ(reports.begin()->second.denied[0].count, 7u);
  EXPECT_EQ(reports.begin()->second.localhost_profile, "operator/web.json");

  store.apply(batch("run-2", 1, 1), 11 * 60 * 1000);
  reports = store.get(web)->reports;
  ASSERT_EQ(reports.size(), 1u) << "run-1 ended 11 minutes ago";
  EXPECT_EQ(reports.begin()->second.denied[0].count, 1u);
}

// Keys that differ in any one part, or only in where their parts split ("ab"+"c" and "a"+"bc"),
// are different workloads, each found with what was merged into it alone.
TEST(MergeStoreTest, KeysDifferingInAnyPartAreDifferentWorkloads) {
  std::vector<WorkloadKey> keys;
  for (int bits = 0; bits < 16; ++bits) {
    auto part = [&](int bit) { return std::string(bits & (1 << bit) ? "b" : "a"); };
    keys.push_back({part(0), part(1), part(2), part(3)});
  }
  keys.push_back({"ab", "c", "d", "e"});
  keys.push_back({"a", "bc", "d", "e"});
  keys.push_back({"a", "b", "cd", "e"});
  MergeStore store;
  Delta delta;
  delta.node = "node-a";
  delta.agent = {"agent-1", 1};
  delta.seq = 1;
  for (uint32_t i = 0; i < keys.size(); ++i) {
    WorkloadDelta workload;
    workload.key = keys[i];
    workload.syscalls.push_back({.arch = "x86_64", .nr = i, .count = 1});
    delta.workloads.push_back(workload);
  }
  store.apply(delta, 1);
  ASSERT_EQ(store.size(), keys.size());
  for (uint32_t i = 0; i < keys.size(); ++i) {
    const auto tracked = store.get(keys[i]);
    ASSERT_TRUE(tracked) << common::describe(keys[i]);
    ASSERT_EQ(tracked->merged.syscalls.size(), 1u) << common::describe(keys[i]);
    EXPECT_EQ(tracked->merged.syscalls.begin()->first.nr, i) << common::describe(keys[i]);
  }
  EXPECT_FALSE(store.get({"a", "a", "a", "c"}));
}

}  // namespace
}  // namespace tailor::aggregator
