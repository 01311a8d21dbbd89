// Usage errors and --version of the real tailor binary: one line "tailor: <what is wrong>; <what
// to do>", exit 2, whatever the command and whatever CLI11 found wrong.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/agent/commands/cli.h"

namespace tailor::agent {
namespace {

using testing::expect_one_line_failure;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using testing::run_tailor;

constexpr int kUsage = 2;

// A usage error also says where to look next.
void expect_usage_error(const std::vector<std::string>& args, const std::string& message,
                        const std::string& hint) {
  SCOPED_TRACE(::testing::PrintToString(args));
  const auto result = run_tailor(args);
  expect_one_line_failure(result, kUsage, message + "; ");
  EXPECT_THAT(result.err, HasSubstr(hint));
}

TEST(UsageErrorTest, MissingPositionalNamesItAndTheCommandsHelp) {
  expect_usage_error({"report"}, "tailor: file is required", "see 'tailor report --help'");
}

TEST(UsageErrorTest, UnknownOrMissingCommandListsTheCommands) {
  expect_usage_error({"bogus"}, "tailor: unknown command 'bogus'",
                     "the commands are record, agent, report, profile, merge, diff, run, verify");
  expect_usage_error({}, "tailor: a command is required", "see 'tailor --help'");
  // Hidden commands are for packagers, not listed.
  EXPECT_THAT(run_tailor({"bogus"}).err, ::testing::Not(HasSubstr("completion")));
}

TEST(UsageErrorTest, UnknownOptionsAndExtraArgumentsAreNamed) {
  expect_usage_error({"--bogus"}, "tailor: unknown option --bogus", "see 'tailor --help'");
  expect_usage_error({"record", "--bogus", "--", "true"}, "tailor: unknown option --bogus",
                     "see 'tailor record --help'");
  expect_usage_error({"report", "a.json", "b.json"}, "tailor: unexpected argument 'b.json'",
                     "see 'tailor report --help'");
}

TEST(UsageErrorTest, NumbersAreCheckedInWordsNotWithTheLargestDouble) {
  expect_usage_error({"record", "-d", "0", "--", "true"},
                     "tailor: --duration: must be greater than 0, not 0", "tailor record --help");
  expect_usage_error({"record", "-d", "soon", "--", "true"},
                     "tailor: --duration: 'soon' is not a number", "tailor record --help");
  expect_usage_error({"record", "--pid", "1.5"}, "tailor: --pid: '1.5' is not a whole number",
                     "tailor record --help");
  expect_usage_error({"agent", "--aggregator", "a:1", "--aggregator-ca", "ca", "--max-sets", "0"},
                     "tailor: --max-sets: value 0 not in range 1 to 1048576",
                     "tailor agent --help");
  EXPECT_LT(run_tailor({"verify", "-p", "/dev/null", "-d", "0", "--", "true"}).err.size(), 100u);
}

TEST(UsageErrorTest, ConflictsAndCommandChecksAreUsageErrors) {
  expect_usage_error({"record", "--cgroup", "/a", "--pid", "3"}, "tailor: --cgroup excludes --pid",
                     "tailor record --help");
  expect_usage_error(
      {"record"}, "tailor: record: give a command after --, or one of --cgroup, --pid, --container",
      "tailor record --help");
  expect_usage_error({"record", "--runtime-root", "/run/x", "--pid", "3"},
                     "tailor: --runtime-root requires --container", "tailor record --help");
}

TEST(VersionTest, EveryCommandPrintsTheVersionAndGitRevision) {
  for (const auto& args : std::vector<std::vector<std::string>>{{"--version"},
                                                                {"record", "--version"},
                                                                {"report", "--version"},
                                                                {"agent", "--version"}}) {
    const auto result = run_tailor(args);
    EXPECT_EQ(result.exit_status, 0) << result.err;
    // The revision is `git describe --always --dirty` at configure time, "unknown" without git.
    EXPECT_THAT(result.out,
                MatchesRegex("tailor [0-9]+\\.[0-9]+\\.[0-9]+ \\(git [0-9a-zA-Z.-]+\\)\n"));
    EXPECT_EQ(result.err, "");
  }
}

TEST(VersionTest, HelpStillGoesToStandardOutputWithSuccess) {
  const auto result = run_tailor({"record", "--help"});
  EXPECT_EQ(result.exit_status, 0);
  EXPECT_THAT(result.out, HasSubstr("--runtime-root"));
  EXPECT_EQ(result.err, "");
}

}  // namespace
}  // namespace tailor::agent
