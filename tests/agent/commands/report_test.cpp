// `tailor report` as a user runs it: the real binary on report files in a temporary directory.
#include "common/report/report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/util/file.h"
#include "tests/agent/commands/cli.h"
#include "tests/common/testing/sample_report.h"
#include "tests/common/testing/temp_dir.h"

namespace tailor::agent {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::run_tailor;

class ReportCommandTest : public ::testing::Test {
 protected:
  void write(const common::Report& report) {
    ASSERT_TRUE(common::write_report_file(path_, report).ok());
  }

  common::testing::TempDir dir_;
  const std::string path_ = dir_.file("curl.report.json");
};

TEST_F(ReportCommandTest, FirstCommAndFirstPidSelectByTheFirstCaller) {
  write(common::testing::sample_report());
  const auto by_comm = run_tailor({"report", path_, "--first-comm", "curl"});
  ASSERT_EQ(by_comm.exit_status, 0) << by_comm.err;
  EXPECT_THAT(by_comm.out, HasSubstr("socket"));
  EXPECT_THAT(by_comm.out, Not(HasSubstr("execve")));
  const auto by_pid = run_tailor({"report", path_, "--first-pid", "77", "--json"});
  ASSERT_EQ(by_pid.exit_status, 0) << by_pid.err;
  const auto shown = common::decode_report(by_pid.out);
  ASSERT_TRUE(shown.ok()) << shown.error().message;
  ASSERT_EQ(shown->syscalls.size(), 1u);
  EXPECT_EQ(shown->syscalls[0].arch, "x86");
}

TEST_F(ReportCommandTest, TheOldFilterNamesSayWhyTheyWereRenamed) {
  write(common::testing::sample_report());
  for (const char* flag : {"--comm", "--pid"}) {
    SCOPED_TRACE(flag);
    const auto result = run_tailor({"report", path_, flag, "1"});
    EXPECT_EQ(result.exit_status, 2);
    EXPECT_THAT(result.err, HasSubstr("--first-comm and --first-pid"));
    EXPECT_THAT(result.err, HasSubstr("only the first caller of each syscall"));
    EXPECT_EQ(result.out, "");
  }
}

TEST_F(ReportCommandTest, ShowsTheCommandShellQuotedAndReadsReportsWithoutArgv) {
  common::Report report = common::testing::sample_report();
  report.info.argv = {"sh", "-c", "sleep 1 & wait"};
  write(report);
  const auto quoted = run_tailor({"report", path_});
  ASSERT_EQ(quoted.exit_status, 0) << quoted.err;
  EXPECT_THAT(quoted.out, ::testing::StartsWith("command sh -c 'sleep 1 & wait' on build01"));

  report.info.argv.clear();  // as tailor wrote reports before argv
  write(report);
  const auto old = run_tailor({"report", path_});
  ASSERT_EQ(old.exit_status, 0) << old.err;
  EXPECT_THAT(old.out, ::testing::StartsWith("command sh -c 'curl -s example.com' on build01"));
}

TEST_F(ReportCommandTest, HtmlGoesToTheOutputFileAndNothingHalfWritten) {
  write(common::testing::sample_report());
  const std::string page = dir_.file("curl.report.html");
  const auto written = run_tailor({"report", path_, "--html", "-o", page});
  ASSERT_EQ(written.exit_status, 0) << written.err;
  EXPECT_EQ(written.out, "");
  const auto html = common::read_file(page);
  ASSERT_TRUE(html.ok()) << html.error().message;
  EXPECT_THAT(*html, ::testing::StartsWith("<!DOCTYPE html>"));
  EXPECT_THAT(*html, HasSubstr("default-src 'none'"));

  testing::expect_one_line_failure(
      run_tailor({"report", path_, "--html", "-o", dir_.file("missing/r.html")}), 1,
      "missing/r.html");
  const auto both = run_tailor({"report", path_, "--html", "--json"});
  EXPECT_EQ(both.exit_status, 2);
  EXPECT_THAT(both.err, HasSubstr("--json excludes --html"));
}

}  // namespace
}  // namespace tailor::agent
