#include "common/report/merge.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "tests/common/testing/sample_report.h"

namespace tailor::common {
namespace {

using ::testing::HasSubstr;

const SyscallEntry& find(const Report& report, const std::string& arch, uint32_t nr,
                         Phase phase = Phase::workload) {
  for (const auto& entry : report.syscalls) {
    if (entry.arch == arch && entry.nr == nr && entry.phase == phase) return entry;
  }
  throw std::runtime_error("no entry " + arch + " " + std::to_string(nr));
}

// A second run of the sample's workload: later, on another node, with other values.
Report second_run() {
  Report report = testing::sample_report();
  report.info.hostname = "build02";
  report.info.started_unix_ms += 60'000;
  report.info.duration_ms = 500;
  report.info.exit_status = 1;
  report.syscalls = {
      {"x86_64", 0, "read", Phase::workload, 10, 1'000'000, FirstCaller{7, 7, "sh"}},
      {"x86_64", 41, "socket", Phase::workload, 1, 20'000'000, FirstCaller{8, 8, "curl"},
       RecordedArg{0, {{2, 1}, {10, 1}}, false}},
      {"x86_64", 165, "mount", Phase::runtime_filtered, 1, 5, FirstCaller{3, 3, "runc:[2:INIT]"}},
      {"aarch64", 63, "read", Phase::workload, 4, 10, FirstCaller{9, 9, "sh"}},
  };
  report.recorder_stats = {{"events_sent", 3}, {"events_dropped", 2}, {"sets_full", 1}};
  return report;
}

TEST(MergeTest, SumsCountsKeepsEarliestCallerAndUnionsValues) {
  const auto merged =
      merge_reports({{"a.json", testing::sample_report()}, {"b.json", second_run()}});
  ASSERT_TRUE(merged.ok()) << merged.error().message;

  const SyscallEntry& read = find(*merged, "x86_64", 0);
  EXPECT_EQ(read.count, 50u);
  EXPECT_EQ(read.first_seen_ns, 1'000'000u);
  EXPECT_EQ(read.first_caller, (FirstCaller{7, 7, "sh"}));

  const SyscallEntry& socket = find(*merged, "x86_64", 41);
  EXPECT_EQ(socket.count, 4u);
  EXPECT_EQ(socket.first_caller, (FirstCaller{43, 44, "curl"}));
  ASSERT_TRUE(socket.arg.has_value());
  EXPECT_EQ(socket.arg->values, (std::map<uint64_t, uint64_t>{{1, 1}, {2, 3}, {10, 1}}));
  EXPECT_FALSE(socket.arg->complete) << "one input ran out of room";

  // Phases stay apart and other architectures keep theirs.
  EXPECT_EQ(find(*merged, "x86_64", 165, Phase::runtime_setup).count, 1u);
  EXPECT_EQ(find(*merged, "x86_64", 165, Phase::runtime_filtered).count, 1u);
  EXPECT_EQ(find(*merged, "aarch64", 63).name, "read");
  EXPECT_EQ(find(*merged, "x86", 5).name, "open");
  EXPECT_TRUE(std::is_sorted(merged->syscalls.begin(), merged->syscalls.end(),
                             [](const SyscallEntry& a, const SyscallEntry& b) {
                               return std::tie(a.arch, a.nr, a.phase) <
                                      std::tie(b.arch, b.nr, b.phase);
                             }));

  EXPECT_EQ(merged->recorder_stats,
            (std::map<std::string, uint64_t>{
                {"events_sent", 10}, {"events_dropped", 3}, {"sets_full", 1}}));
}

TEST(MergeTest, InfoDescribesTheMerge) {
  const Report first = testing::sample_report();
  const auto merged = merge_reports({{"a.json", first}, {"b.json", second_run()}});
  ASSERT_TRUE(merged.ok()) << merged.error().message;
  const RecordingInfo& info = merged->info;
  EXPECT_EQ(info.target_kind, "merge");
  EXPECT_EQ(info.target, "a.json, b.json");
  EXPECT_EQ(info.hostname, "build01, build02");
  EXPECT_EQ(info.kernel, first.info.kernel);
  EXPECT_EQ(info.native_arch, "x86_64");
  EXPECT_EQ(info.started_unix_ms, first.info.started_unix_ms);
  EXPECT_EQ(info.duration_ms, 60'500u);
  EXPECT_FALSE(info.exit_status.has_value()) << "the runs exited differently";
  // It is a report like any other.
  const auto decoded = decode_report(encode_report(*merged));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(*decoded, *merged);
}

TEST(MergeTest, AnInputWithoutTheArgumentMakesItIncomplete) {
  Report without = testing::sample_report();
  for (auto& entry : without.syscalls) entry.arg.reset();
  const auto merged = merge_reports({{"a", testing::sample_report()}, {"b", without}});
  ASSERT_TRUE(merged.ok()) << merged.error().message;
  const SyscallEntry& socket = find(*merged, "x86_64", 41);
  ASSERT_TRUE(socket.arg.has_value());
  EXPECT_FALSE(socket.arg->complete);
}

TEST(MergeTest, RefusesDifferentArgumentIndexesAndNothing) {
  Report other = testing::sample_report();
  for (auto& entry : other.syscalls) {
    if (entry.arg) entry.arg->index = 1;
  }
  const auto merged = merge_reports({{"a", testing::sample_report()}, {"b.json", other}});
  ASSERT_FALSE(merged.ok());
  EXPECT_THAT(merged.error().message, HasSubstr("b.json: cannot merge x86_64 socket"));
  const auto none = merge_reports({});
  ASSERT_FALSE(none.ok());
  EXPECT_THAT(none.error().message, HasSubstr("nothing to merge"));
}

TEST(MergeTest, DifferentNativeArchesTakeTheMostCommon) {
  Report arm = second_run();
  arm.info.native_arch = "aarch64";
  const auto merged = merge_reports(
      {{"arm", arm}, {"x1", testing::sample_report()}, {"x2", testing::sample_report()}});
  ASSERT_TRUE(merged.ok()) << merged.error().message;
  EXPECT_EQ(merged->info.native_arch, "x86_64");
  EXPECT_EQ(find(*merged, "aarch64", 63).count, 4u);
}

// Random reports over a small key space, so inputs overlap, tie on first_seen and differ in
// names and argument completeness.
Report random_report(std::mt19937& rng) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  std::map<std::tuple<std::string, uint32_t, Phase>, SyscallEntry> entries;
  const int size = pick(12);
  for (int i = 0; i < size; ++i) {
    SyscallEntry entry;
    entry.arch = pick(3) == 0 ? "x86" : "x86_64";
    entry.nr = static_cast<uint32_t>(pick(8));
    entry.phase = static_cast<Phase>(pick(3));
    entry.name = pick(4) == 0 ? "" : "call" + std::to_string(entry.nr);
    entry.count = 1 + static_cast<uint64_t>(pick(100));
    entry.first_seen_ns = static_cast<uint64_t>(pick(4));
    if (pick(3) != 0) {
      entry.first_caller = FirstCaller{static_cast<uint32_t>(pick(3)),
                                       static_cast<uint32_t>(pick(3)), pick(2) ? "a" : "b"};
    }
    if (pick(2) == 0) {
      RecordedArg arg{entry.nr % 6, {}, pick(4) != 0};
      for (int v = pick(4); v > 0; --v) arg.values[static_cast<uint64_t>(pick(5))] += 1 + pick(3);
      entry.arg = arg;
    }
    entries[{entry.arch, entry.nr, entry.phase}] = entry;
  }
  Report report = testing::sample_report();
  report.syscalls.clear();
  for (auto& [key, entry] : entries) report.syscalls.push_back(entry);
  report.recorder_stats = {
      {"events_sent", static_cast<uint64_t>(pick(9))},
      {pick(2) ? "sets_full" : "events_dropped", static_cast<uint64_t>(pick(9))}};
  return report;
}

Report merged(const std::vector<Report>& reports) {
  std::vector<MergeInput> inputs;
  for (const auto& report : reports) inputs.push_back({"r", report});
  auto result = merge_reports(inputs);
  if (!result.ok()) throw std::runtime_error(result.error().message);
  return *result;
}

TEST(MergePropertyTest, CommutativeAssociativeAndIdempotentOnTheSets) {
  std::mt19937 rng(20240501);
  for (int round = 0; round < 300; ++round) {
    const Report a = random_report(rng), b = random_report(rng), c = random_report(rng);
    SCOPED_TRACE("round " + std::to_string(round));

    const Report ab = merged({a, b}), ba = merged({b, a});
    EXPECT_EQ(ab.syscalls, ba.syscalls);
    EXPECT_EQ(ab.recorder_stats, ba.recorder_stats);

    const Report left = merged({merged({a, b}), c}), right = merged({a, merged({b, c})});
    EXPECT_EQ(left.syscalls, right.syscalls);
    EXPECT_EQ(left.recorder_stats, right.recorder_stats);
    EXPECT_EQ(merged({a, b, c}).syscalls, left.syscalls);

    // Twice the same recording: the same entries, values and completeness; counts double.
    const Report aa = merged({a, a});
    ASSERT_EQ(aa.syscalls.size(), a.syscalls.size());
    for (std::size_t i = 0; i < a.syscalls.size(); ++i) {
      SyscallEntry expected = a.syscalls[i];
      expected.count *= 2;
      if (expected.arg) {
        for (auto& [value, calls] : expected.arg->values) calls *= 2;
      }
      EXPECT_EQ(aa.syscalls[i], expected);
    }
  }
}

}  // namespace
}  // namespace tailor::common
