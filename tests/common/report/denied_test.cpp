#include "common/report/denied.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>

#include "common/report/merge.h"
#include "common/report/report.h"
#include "common/report/table.h"
#include "tests/common/testing/sample_report.h"

namespace tailor::common {
namespace {

using ::testing::HasSubstr;

Report with_denials(std::vector<DeniedCall> calls,
                    std::vector<DenialAction> watched = watched_denial_actions(false)) {
  Report report = testing::sample_report();
  report.denied = Denials{std::move(watched), std::move(calls)};
  return report;
}

TEST(DeniedTest, RoundTripsThroughTheReportAndComesBeforeTheSyscalls) {
  const Report report = with_denials(
      {{"x86_64", 110, "getppid", DenialAction::trap, 3, 5'000, FirstCaller{7, 8, "sh"}},
       {"x86", 20, "getpid", DenialAction::kill_process, 1, 9, std::nullopt}});
  const std::string text = encode_report(report);
  EXPECT_LT(text.find("\"denied\""), text.find("\"syscalls\""));
  auto decoded = decode_report(text);
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(*decoded, report);
}

TEST(DeniedTest, AReportWithoutTheSectionHasNone) {
  auto decoded = decode_report(encode_report(testing::sample_report()));
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_FALSE(decoded->denied.has_value());
}

TEST(DeniedTest, DecodingChecksActionsAndNamesAgainstNumbers) {
  const std::string good = encode_report(
      with_denials({{"x86_64", 110, "getppid", DenialAction::trap, 1, 0, std::nullopt}}));
  const auto broken = [&](const std::string& from, const std::string& to) {
    std::string text = good;
    text.replace(text.find(from), from.size(), to);
    auto decoded = decode_report(text);
    EXPECT_FALSE(decoded);
    return decoded ? std::string() : decoded.error().message;
  };
  EXPECT_THAT(broken("\"action\": \"trap\"", "\"action\": \"log\""),
              HasSubstr("denied.calls[0].action: unknown denial action \"log\""));
  EXPECT_THAT(broken("\"name\": \"getppid\"", "\"name\": \"getpid\""),
              HasSubstr("denied.calls[0].name"));
  EXPECT_THAT(broken("\"arch\": \"x86_64\",\n        \"nr\": 110",
                     "\"arch\": \"vax\",\n        \"nr\": 110"),
              HasSubstr("denied.calls[0].arch"));
  EXPECT_THAT(broken("\"count\": 1", "\"count\": -1"), HasSubstr("denied.calls[0].count"));
}

TEST(DeniedTest, MergeSumsCountsSaturatingKeepsTheEarliestAndWatchesWhatAllWatched) {
  const uint64_t max = std::numeric_limits<uint64_t>::max();
  const Report a = with_denials(
      {{"x86_64", 110, "getppid", DenialAction::trap, max - 1, 500, FirstCaller{1, 1, "a"}},
       {"x86_64", 39, "getpid", DenialAction::kill_thread, 1, 7, FirstCaller{2, 2, "a"}}});
  const Report b =
      with_denials({{"x86_64", 110, "getppid", DenialAction::trap, 5, 100, FirstCaller{3, 3, "b"}},
                    {"x86_64", 110, "getppid", DenialAction::kill_process, 1, 50, std::nullopt}},
                   {DenialAction::trap, DenialAction::kill_process});
  for (const auto& order :
       {std::vector<MergeInput>{{"a", a}, {"b", b}}, std::vector<MergeInput>{{"b", b}, {"a", a}}}) {
    auto merged = merge_reports(order);
    ASSERT_TRUE(merged) << merged.error().message;
    ASSERT_TRUE(merged->denied.has_value());
    EXPECT_EQ(merged->denied->watched,
              (std::vector<DenialAction>{DenialAction::kill_process, DenialAction::trap}));
    ASSERT_EQ(merged->denied->calls.size(), 3u);
    const DeniedCall& trap = merged->denied->calls[2];  // (x86_64, 110, trap)
    EXPECT_EQ(trap.action, DenialAction::trap);
    EXPECT_EQ(trap.count, max);
    EXPECT_EQ(trap.first_seen_ns, 100u);
    EXPECT_EQ(trap.first_caller, (FirstCaller{3, 3, "b"}));
  }
  // An input without the section watched nothing: the merge keeps the calls it knows of.
  auto partial = merge_reports({{"a", a}, {"old", testing::sample_report()}});
  ASSERT_TRUE(partial) << partial.error().message;
  ASSERT_TRUE(partial->denied.has_value());
  EXPECT_TRUE(partial->denied->watched.empty());
  EXPECT_EQ(partial->denied->calls.size(), 2u);
  auto none = merge_reports({{"old", testing::sample_report()}});
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->denied.has_value());
}

TEST(DeniedTest, TheTableNamesEachCallAndWhatWasNotSeen) {
  const auto table = render_denied_table(
      Denials{watched_denial_actions(false),
              {{"x86_64", 110, "getppid", DenialAction::trap, 3, 1'500'000'000,
                FirstCaller{7, 7, "sh"}},
               {"x86", 20, "getpid", DenialAction::kill_process, 1, 0, std::nullopt}}},
      "x86_64");
  EXPECT_EQ(table,
            "DENIED by a seccomp filter (2 syscalls)\n"
            "  SYSCALL       ACTION        COUNT  FIRST DENIED  FIRST PROCESS\n"
            "  getppid       trap              3  +1.500s       sh[7]\n"
            "  getpid [x86]  kill_process      1  +0.000s       -\n"
            "  (seen: kill_process, kill_thread, trap; denials by errno, log, trace, user_notif "
            "are not seen)\n");
  const auto watched = render_denied_table(Denials{watched_denial_actions(true), {}}, "x86_64");
  EXPECT_THAT(watched, HasSubstr("(seen: kill_process, kill_thread, trap, errno; denials by log, "
                                 "trace, user_notif are not seen)"));
}

}  // namespace
}  // namespace tailor::common
