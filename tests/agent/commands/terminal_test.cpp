// What tailor writes for people: plain lines through a pipe, colour and in-place progress on a
// terminal (a real pty from script(1)), no colour with NO_COLOR.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "common/report/report.h"
#include "tests/agent/commands/cli.h"
#include "tests/common/testing/sample_report.h"
#include "tests/common/testing/temp_dir.h"
#include "tests/support/process.h"
#include "tests/support/recording.h"

namespace tailor::agent {
namespace {

using tailor::testing::run_process;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kRed = "\033[31m";
constexpr const char* kBold = "\033[1m";
constexpr const char* kEraseLine = "\r\033[K";

std::string shell_words(const std::vector<std::string>& args) {
  std::string line;
  for (const auto& arg : args) line += (line.empty() ? "'" : " '") + arg + "'";
  return line;
}

// Both of tailor's output streams through one pipe.
tailor::testing::ProcessResult through_pipe(const std::vector<std::string>& args) {
  return run_process({"/bin/sh", "-c", shell_words(args) + " 2>&1 | cat"});
}

// On a pseudo-terminal, as a person at a terminal runs it; `env` goes in front ("NO_COLOR=1").
tailor::testing::ProcessResult on_terminal(const std::vector<std::string>& args,
                                           const std::vector<std::string>& env = {}) {
  std::vector<std::string> argv = {"/usr/bin/env", "-u", "NO_COLOR", "TERM=xterm-256color"};
  argv.insert(argv.end(), env.begin(), env.end());
  argv.insert(argv.end(), {"/usr/bin/script", "-qec", shell_words(args), "/dev/null"});
  return run_process(argv);
}

bool has_control_bytes(const std::string& text) {
  return text.find('\033') != std::string::npos || text.find('\r') != std::string::npos;
}

class ReportTerminalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The sample has a security-sensitive call (mount) and a dropped event (a warning).
    ASSERT_TRUE(common::write_report_file(file_, common::testing::sample_report()).ok());
  }
  common::testing::TempDir dir_;
  const std::string file_ = dir_.file("sample.report.json");
};

TEST_F(ReportTerminalTest, PipeGetsPlainText) {
  const auto result = through_pipe({TAILOR_BIN, "report", file_});
  ASSERT_EQ(result.exit_status, 0) << result.out;
  EXPECT_THAT(result.out, HasSubstr("security-sensitive (1)"));
  EXPECT_FALSE(has_control_bytes(result.out)) << result.out;
}

TEST_F(ReportTerminalTest, TerminalGetsCategoriesInBoldAndSensitiveCallsInRed) {
  const auto result = on_terminal({TAILOR_BIN, "report", file_});
  ASSERT_EQ(result.exit_status, 0) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr(std::string(kBold) + "security-sensitive (1)"));
  EXPECT_THAT(result.out, HasSubstr(std::string(kRed) + "  mount"));
}

TEST_F(ReportTerminalTest, NoColorTurnsColourOff) {
  const auto result = on_terminal({TAILOR_BIN, "report", file_}, {"NO_COLOR=1"});
  ASSERT_EQ(result.exit_status, 0) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("security-sensitive (1)"));
  EXPECT_THAT(result.out, Not(HasSubstr("\033[")));
}

class TraceTerminalTest : public ::testing::Test {
 protected:
  void SetUp() override { TAILOR_REQUIRE_RECORDING(); }
  std::vector<std::string> record_trace() const {
    return {TAILOR_BIN,           "record", "-o", dir_.file("probe.report.json"), "--trace", "--",
            TAILOR_TEST_WORKLOAD, "probe"};
  }
  common::testing::TempDir dir_;
};

TEST_F(TraceTerminalTest, PipeGetsOneLinePerSyscallAndNoControlCodes) {
  const auto result = through_pipe(record_trace());
  ASSERT_EQ(result.exit_status, 0) << result.out;
  EXPECT_THAT(result.out, HasSubstr(" execve\n"));
  EXPECT_FALSE(has_control_bytes(result.out)) << result.out;
}

TEST_F(TraceTerminalTest, TerminalGetsTheProgressLineRewrittenInPlace) {
  const auto result = on_terminal(record_trace());
  ASSERT_EQ(result.exit_status, 0) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr(std::string(kEraseLine) + "+"));
}

}  // namespace
}  // namespace tailor::agent
