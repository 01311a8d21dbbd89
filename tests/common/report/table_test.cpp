#include "common/report/table.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/common/testing/sample_report.h"

namespace tailor::common {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::sample_report;
using testing::sample_report_with_runtime_execs;

std::vector<std::string> names_of(const Report& report) {
  std::vector<std::string> names;
  for (const auto& entry : report.syscalls) {
    names.push_back(entry.name.empty() ? "#" + std::to_string(entry.nr) : entry.name);
  }
  return names;
}

TEST(FilterReportTest, EmptyFilterKeepsEverything) {
  EXPECT_EQ(filter_report(sample_report(), {}), sample_report());
}

TEST(FilterReportTest, ByProcessName) {
  const Report report = filter_report(sample_report(), {.first_comms = {"curl"}});
  EXPECT_THAT(names_of(report), ElementsAre("socket", "clock_gettime", "#540"));
  EXPECT_EQ(report.info, sample_report().info);
  EXPECT_EQ(report.recorder_stats, sample_report().recorder_stats);
}

TEST(FilterReportTest, ByPid) {
  EXPECT_THAT(names_of(filter_report(sample_report(), {.first_pids = {77, 43}})),
              ElementsAre("open", "socket", "clock_gettime", "#540"));
}

TEST(FilterReportTest, ByCategories) {
  EXPECT_THAT(
      names_of(filter_report(sample_report(),
                             {.categories = {Category::network, Category::security_sensitive}})),
      ElementsAre("socket", "mount"));
  EXPECT_THAT(names_of(filter_report(sample_report(), {.categories = {Category::other}})),
              ElementsAre("#540"));
}

TEST(FilterReportTest, FieldsCombine) {
  EXPECT_THAT(names_of(filter_report(sample_report(),
                                     {.first_comms = {"sh"}, .categories = {Category::file}})),
              ElementsAre("read", "open"));
  EXPECT_THAT(names_of(filter_report(sample_report(), {.first_comms = {"sh"}, .first_pids = {43}})),
              ElementsAre());
}

TEST(FilterReportTest, ProcessFiltersSkipSyscallsWithoutAFirstCaller) {
  const Report report = filter_report(sample_report(), {.first_comms = {"sh", "curl", "legacy32"}});
  EXPECT_THAT(names_of(report), Not(::testing::Contains("mount")));
  EXPECT_EQ(report.syscalls.size(), sample_report().syscalls.size() - 1);
}

TEST(RenderTableTest, DescribesTheRecording) {
  EXPECT_THAT(render_table(sample_report()),
              ::testing::StartsWith("command sh -c 'curl -s example.com' on build01 (x86_64, "
                                    "kernel 6.1.0-18-amd64), started 2024-05-01 12:00:00 UTC, "
                                    "ran 1.234s, exit status 0\n"));
}

TEST(RenderTableTest, GroupsRowsByCategoryInDisplayOrder) {
  const std::string table = render_table(sample_report());
  const auto file = table.find("\nfile (3)\n");
  const auto network = table.find("\nnetwork (1)\n");
  const auto process = table.find("\nprocess (1)\n");
  const auto time = table.find("\ntime (1)\n");
  const auto sensitive = table.find("\nsecurity-sensitive (1)\n");
  const auto other = table.find("\nother (1)\n");
  ASSERT_NE(file, std::string::npos) << table;
  EXPECT_LT(file, network);
  EXPECT_LT(network, process);
  EXPECT_LT(process, time);
  EXPECT_LT(time, sensitive);
  EXPECT_LT(sensitive, other);
  EXPECT_EQ(table.find("\nmemory"), std::string::npos);
  EXPECT_EQ(table.find("\nipc"), std::string::npos);
}

TEST(RenderTableTest, RowsShowCountFirstSeenAndFirstProcess) {
  const std::string table = render_table(sample_report());
  EXPECT_THAT(table, HasSubstr("\n  SYSCALL                COUNT  FIRST SEEN  FIRST PROCESS\n"
                               "  open                       2     +0.002s  sh[42]\n"
                               "  open [x86]                 1     +0.900s  legacy32[77]\n"
                               "  read                      40     +0.002s  sh[42]\n"));
  EXPECT_THAT(table, HasSubstr("\n  mount (runtime-setup)      1     +0.030s  -\n"));
  EXPECT_THAT(table, HasSubstr("\n  #540                       1     +0.040s  curl[43]\n"));
}

// As `tailor record -- COMMAND` records an exec: tailor's own, before and under the filter, and
// the workload's. One syscall, three rows that say whose each is.
TEST(RenderTableTest, RuntimeRowsSayTheirPhaseAndCountOnceInTheSummary) {
  Report report = sample_report_with_runtime_execs();
  const std::string table = render_table(report);
  EXPECT_THAT(table, HasSubstr("\n  execve                         2     +0.001s  sh[42]\n"
                               "  execve (runtime-filtered)      1     +0.000s  tailor[41]\n"
                               "  execve (runtime-setup)         1     +0.000s  tailor[41]\n"));
  EXPECT_THAT(table, HasSubstr("\n8 syscalls, 552 calls\n(runtime-setup): made by the runtime"));
  EXPECT_THAT(table, ::testing::EndsWith("the profile allows them.\n"));

  report.syscalls.erase(report.syscalls.begin() + 5, report.syscalls.end());
  EXPECT_THAT(render_table(report), Not(HasSubstr("(runtime-")));
}

TEST(RenderTableTest, EndsWithASummary) {
  EXPECT_THAT(render_table(sample_report()),
              HasSubstr("\n8 syscalls, 550 calls\n(runtime-setup): "));
  EXPECT_THAT(render_table(filter_report(sample_report(), {.first_comms = {"nobody"}})),
              ::testing::EndsWith("\n0 syscalls, 0 calls\n"));
}

TEST(RenderTableTest, WarnsWhenTheRecorderLostData) {
  Report report = sample_report();
  report.recorder_stats = {{"events_sent", 7}, {"events_dropped", 1}, {"sets_full", 2}};
  EXPECT_THAT(render_table(report),
              HasSubstr("\nWARNING: the recorder lost data (events_dropped=1, sets_full=2); "
                        "this report may be incomplete\n"));

  report.recorder_stats = {{"events_sent", 7}, {"events_dropped", 0}};
  EXPECT_THAT(render_table(report), Not(HasSubstr("WARNING")));
}

TEST(RenderTableTest, FilteredJsonIsTheFilteredReport) {
  const Report filtered = filter_report(sample_report(), {.categories = {Category::time}});
  EXPECT_EQ(decode_report(encode_report(filtered)).value(), filtered);
  EXPECT_THAT(names_of(filtered), ElementsAre("clock_gettime"));
}

}  // namespace
}  // namespace tailor::common
